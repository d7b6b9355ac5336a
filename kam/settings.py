"""Settings for kam, read from the environment with safe local defaults (twelve-factor).

Local development needs nothing: SQLite, Celery tasks run eagerly, e-mail to the console.
Production sets KAM_ENVIRONMENT=production and the variables listed in README.md.
"""

import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def parse_email_url(url: str) -> dict:
    """EMAIL_URL's parts: smtp:// is plain (STARTTLS on port 587), smtp+tls:// STARTTLS, smtps:// TLS."""
    parts = urlsplit(url)
    if parts.scheme not in {"smtp", "smtp+tls", "smtps"}:
        raise ImproperlyConfigured(
            f"EMAIL_URL must start with smtp://, smtp+tls:// or smtps://, not {url!r}."
        )
    use_ssl = parts.scheme == "smtps"
    try:
        port = parts.port or (465 if use_ssl else 587 if parts.scheme == "smtp+tls" else 25)
    except ValueError as error:
        raise ImproperlyConfigured(f"EMAIL_URL has an invalid port: {error}.") from error
    return {
        "host": parts.hostname or "localhost",
        "port": port,
        "user": unquote(parts.username or ""),
        "password": unquote(parts.password or ""),
        "use_tls": not use_ssl and (parts.scheme == "smtp+tls" or port == 587),
        "use_ssl": use_ssl,
    }


# --- Environment, secret key and hosts ------------------------------------------------------------
ENVIRONMENT = os.environ.get("KAM_ENVIRONMENT", "development")
PRODUCTION = ENVIRONMENT == "production"

DEBUG = env_bool("DJANGO_DEBUG", default=False)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set in production.")
    # Only ever used on a developer's machine or in tests; production refuses to start without one.
    SECRET_KEY = "django-insecure-local-development-only"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# --- Apps, middleware, URLs, templates, database --------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "template_partials",
    "simple_history",
    "axes",
    "django_celery_beat",
    "accounts",
    "programme",
    "api",
]

MIDDLEWARE = [
    # First: every later layer (the SSL redirect, the lockout, logs) sees the real client.
    "kam.core.clients.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "kam.core.timeouts.StatementTimeoutMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "kam.core.logs.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication: a signed-in person's own language wins over the browser's.
    "accounts.languages.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks, so it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kam.urls"
WSGI_APPLICATION = "kam.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kam.context_processors.navigation",
            ],
        },
    },
]


def database_from_url(url: str) -> dict:
    """DATABASE_URL as Django's settings; an empty or unknown URL is a bad setting, said in one line."""
    if not url.strip():
        raise ImproperlyConfigured(
            "DATABASE_URL is set but empty: unset it for SQLite, or give e.g. postgres://user@host:5432/kam."
        )
    try:
        return dj_database_url.parse(url, conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")))
    except ValueError as error:  # dj_database_url's UnknownSchemeError is one
        reason = str(error).split(". ")[0]
        raise ImproperlyConfigured(f"DATABASE_URL is not a database URL kam knows: {reason}.") from error


DATABASES = {
    "default": database_from_url(os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"))
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# A web request's query that runs longer than KAM_WEB_STATEMENT_TIMEOUT seconds is cancelled by
# PostgreSQL and the page says so (kam/core/timeouts.py), before gunicorn would kill the worker and
# leave the query running. Only the web server (kam/wsgi.py) sets it: the nightly recompute, the
# migrations and commands may take longer. 0 turns it off.
KAM_WEB_STATEMENT_TIMEOUT = int(os.environ.get("KAM_WEB_STATEMENT_TIMEOUT", "30"))
# The web server's queries are short: PostgreSQL's JIT compiles them for seconds to save milliseconds
# (its cost estimates are far above the real work on large tables), so pages and the API run without
# it. KAM_WEB_JIT=on leaves PostgreSQL's own jit setting; the worker and commands always keep it.
KAM_WEB_JIT = env_bool("KAM_WEB_JIT", default=False)
# The pages read a few rows by index from tables that live in memory (or on SSD): PostgreSQL's default
# random_page_cost of 4 (a spinning disk) makes it scan all 100,000 accounts to hash-join 1,400 of them
# instead of fetching those by primary key. An empty KAM_WEB_RANDOM_PAGE_COST leaves the server's.
KAM_WEB_RANDOM_PAGE_COST = os.environ.get("KAM_WEB_RANDOM_PAGE_COST", "1.1")
if (
    os.environ.get("KAM_PROCESS") == "web"
    and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
):
    _web_options = []
    if KAM_WEB_STATEMENT_TIMEOUT > 0:
        _web_options.append(f"-c statement_timeout={KAM_WEB_STATEMENT_TIMEOUT * 1000}")
    if not KAM_WEB_JIT:
        _web_options.append("-c jit=off")
    if KAM_WEB_RANDOM_PAGE_COST:
        _web_options.append(f"-c random_page_cost={KAM_WEB_RANDOM_PAGE_COST}")
    if _web_options:
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = " ".join(_web_options)

# --- People: users, passwords and protection against password guessing ----------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lock an account out for an hour after five failed logins from the same user name and address.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# The client's address after TrustedProxyMiddleware (see KAM_TRUSTED_PROXIES below).
AXES_CLIENT_IP_CALLABLE = "kam.core.clients.client_address"

# --- Languages and time ---------------------------------------------------------------------------
# Each user picks one in the header (kept on their user record); before login, the browser's
# Accept-Language decides. Catalogues in locale/ are compiled by bin/setup (kam/core/catalogues.py).
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("fa", _("Persian")),
    ("pl", _("Polish")),
    ("ru", _("Russian")),
    ("zh-hant", _("Traditional Chinese")),
    ("de", _("German")),
    ("en", _("English")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("KAM_TIME_ZONE", "Europe/Warsaw")
USE_I18N = True
USE_TZ = True
# Figures people read go through the money, number and percent filters (accounts/templatetags/
# kam_format.py), which group thousands the reader's way; kam/formats/ fixes locales whose Django
# defaults are ambiguous. A bare {{ value }} is not grouped: ids, versions and SVG geometry in
# attributes (hx-target="#note-1234", translate(1101,152)) must stay as they are. Exports never
# localise (kam/core/spreadsheets.py).
USE_THOUSAND_SEPARATOR = False
FORMAT_MODULE_PATH = ["kam.formats"]  # one date format per language; numbers where Django is ambiguous

# --- Static files (front-end packages from npm) ---------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Front-end packages come from npm (package.json), never copied into the repository.
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    # Pan and zoom of the org chart; the searchable pick of people when logging an interaction.
    ("vendor/svg-pan-zoom", BASE_DIR / "node_modules" / "svg-pan-zoom" / "dist"),
    ("vendor/tom-select/js", BASE_DIR / "node_modules" / "tom-select" / "dist" / "js"),
    ("vendor/tom-select/css", BASE_DIR / "node_modules" / "tom-select" / "dist" / "css"),
    # Persian and Traditional Chinese glyphs, served by kam itself (static/css/fonts.css).
    ("vendor/vazirmatn", BASE_DIR / "node_modules" / "vazirmatn"),
    ("vendor/noto-sans-tc", BASE_DIR / "node_modules" / "@fontsource" / "noto-sans-tc"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- E-mail: password reset and the weekly digest --------------------------------------------------
# EMAIL_URL says where mail goes in one variable: smtp://host:25 (plain), smtp+tls://user:pass@host:587
# (STARTTLS; plain smtp:// on port 587 means it too), smtps://user:pass@host:465 (TLS from the start).
# Characters special in URLs in the user or password are %-encoded. EMAIL_HOST, EMAIL_PORT,
# EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS and EMAIL_USE_SSL, when set, override its parts.
EMAIL_URL = os.environ.get("EMAIL_URL", "")
_email = parse_email_url(EMAIL_URL) if EMAIL_URL else parse_email_url("smtp://localhost:25")
EMAIL_HOST = os.environ.get("EMAIL_HOST", _email["host"])
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", _email["port"]))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", _email["user"])
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", _email["password"])
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", _email["use_tls"])
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", _email["use_ssl"])
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
# SMTP once a server is named; the console only outside production, or when asked for by name.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "")
if not EMAIL_BACKEND:
    if PRODUCTION and not (EMAIL_URL or os.environ.get("EMAIL_HOST")):
        # Mail written to a log nobody reads looks sent: say so at start instead.
        raise ImproperlyConfigured(
            "Set EMAIL_URL (e.g. smtp+tls://user:password@mail.example.com:587), or "
            "EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend to keep e-mail in the log."
        )
    EMAIL_BACKEND = (
        "django.core.mail.backends.smtp.EmailBackend"
        if EMAIL_URL or os.environ.get("EMAIL_HOST")
        else "django.core.mail.backends.console.EmailBackend"
    )
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "kam@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Links in e-mails (the digest, password reset) start with KAM_BASE_URL, never with the request's host.
KAM_BASE_URL = os.environ.get("KAM_BASE_URL", "" if PRODUCTION else "http://localhost:8000").rstrip("/")
if not KAM_BASE_URL:
    raise ImproperlyConfigured("KAM_BASE_URL must be set in production, e.g. https://kam.example.com.")
# Password reset e-mails: at most this many an hour for one address, and requests from one client.
KAM_PASSWORD_RESET_PER_ADDRESS = int(os.environ.get("KAM_PASSWORD_RESET_PER_ADDRESS", "3"))
KAM_PASSWORD_RESET_PER_CLIENT = int(os.environ.get("KAM_PASSWORD_RESET_PER_CLIENT", "10"))

# --- Cache (and the recompute's lock outside PostgreSQL) --------------------------------------------
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    # Fails open (kam/core/cache.py): with Redis down pages and the API go on, a little slower.
    CACHES = {
        "default": {
            "BACKEND": "kam.core.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }

# --- Background work: Celery and the overnight schedule ---------------------------------------------
# With no broker configured, tasks run eagerly in-process so that nothing else is needed.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", CELERY_BROKER_URL or None)
CELERY_TASK_ACKS_LATE = True
# Tasks record their outcome in the database (RecomputeRun, the digest's log); nobody waits on a result,
# so queueing a task never depends on the result store.
CELERY_TASK_IGNORE_RESULT = True
# A request that queues a task gives up within about two seconds when the broker or the result store
# is down (the defaults retry for twenty), and says so instead of hanging.
_QUICK_RETRIES = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_TASK_PUBLISH_RETRY_POLICY = _QUICK_RETRIES
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1, **_QUICK_RETRIES}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"retry_policy": _QUICK_RETRIES, "socket_connect_timeout": 1}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 1
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_IMPORTS = ["programme.tasks", "accounts.imports.tasks"]
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# The nightly recompute of every account's score at KAM_RECOMPUTE_AT (HH:MM, local time); the weekly
# digest at KAM_DIGEST_CRON ("minute hour day_of_week", e.g. "30 6 mon"), Mondays at 07:00 by default.
KAM_RECOMPUTE_AT = os.environ.get("KAM_RECOMPUTE_AT", "02:00")
try:
    _recompute_hour, _recompute_minute = (int(part) for part in KAM_RECOMPUTE_AT.split(":"))
    if not (0 <= _recompute_hour < 24 and 0 <= _recompute_minute < 60):
        raise ValueError
except ValueError as error:
    raise ImproperlyConfigured(
        f"KAM_RECOMPUTE_AT must be HH:MM, e.g. 02:00, not {KAM_RECOMPUTE_AT!r}."
    ) from error
KAM_DIGEST_CRON = os.environ.get("KAM_DIGEST_CRON", "0 7 mon")
try:
    _digest_minute, _digest_hour, _digest_day = KAM_DIGEST_CRON.split()
    crontab(minute=_digest_minute, hour=_digest_hour, day_of_week=_digest_day)
except ValueError as error:
    raise ImproperlyConfigured(
        f"KAM_DIGEST_CRON must be 'minute hour day_of_week', e.g. '0 7 mon', not {KAM_DIGEST_CRON!r}."
    ) from error
CELERY_BEAT_SCHEDULE = {
    "programme-recompute-scores": {
        "task": "programme.tasks.recompute_scores_task",
        "schedule": crontab(hour=_recompute_hour, minute=_recompute_minute),
    },
    "weekly-digest": {
        "task": "programme.digest.send_weekly_digest_task",
        "schedule": crontab(minute=_digest_minute, hour=_digest_hour, day_of_week=_digest_day),
    },
}

# --- REST API: integration keys for machines, sessions for people, a budget per key -----------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": [
        "api.authentication.ApiKeyRateThrottle",
        "api.authentication.PersonRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "api_key": os.environ.get("KAM_API_KEY_RATE", "600/min"),
        "api_person": os.environ.get("KAM_API_PERSON_RATE", "300/min"),
    },
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# The OpenAPI schema and its docs (/api/schema/, /api/docs/) show every endpoint and field: open to
# anyone on a developer's machine, to signed-in people and integration keys in production unless
# KAM_PUBLIC_API_DOCS=1 opens them (api/docs.py).
KAM_PUBLIC_API_DOCS = env_bool("KAM_PUBLIC_API_DOCS", default=not PRODUCTION)
SPECTACULAR_SETTINGS = {
    "TITLE": "kam API",
    "DESCRIPTION": "CRM sync and read-back for the Key Account Management programme.",
    "VERSION": "1.0.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "ENUM_NAME_OVERRIDES": {"RelationshipStrengthEnum": "accounts.models.RelationshipStrength"},
}

# --- Logging and security -----------------------------------------------------------------------------
# JSON lines (kam/core/logs.py) in production, readable lines on a developer's machine: LOG_FORMAT
# json or text. Each line carries the request id (X-Request-ID), user id and path, or the Celery task.
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO").upper()
LOG_FORMAT = os.environ.get("LOG_FORMAT", "json" if PRODUCTION else "text")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, not {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "kam.core.logs.ContextFilter"}},
    "formatters": {
        "json": {"()": "kam.core.logs.KamJsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["context"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # WeasyPrint logs each rendering step at INFO; its warnings (a missing image or font) still show.
    "loggers": {"axes": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}},
}
# The worker's lines go through LOGGING too, instead of Celery's own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

SECURE_CONTENT_TYPE_NOSNIFF = True
# Content-Security-Policy (django-csp): scripts, styles and images only from kam itself (htmx and
# static/js/kam.js under /static/), no inline code, no plugins, no framing; inline SVG and data: images
# are fine. The API docs page loosens styles for Swagger UI (api/urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
# How requests reach kam. KAM_TRUSTED_PROXIES is the number of reverse proxies in front of it that
# set X-Forwarded-For and X-Forwarded-Proto (0: kam is reached directly, and both headers are
# ignored, since any client could send them). DJANGO_SECURE_COOKIES sends the session and CSRF
# cookies over https only: on in production, off for a plain-http intranet (README, Deploy).
KAM_TRUSTED_PROXIES = int(os.environ.get("KAM_TRUSTED_PROXIES", "0"))
if KAM_TRUSTED_PROXIES > 0:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", default=PRODUCTION)
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    # The orchestrator probes over plain http inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^health/"]
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
