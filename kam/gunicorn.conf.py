"""gunicorn's settings for the web service (docker-compose.yml, the Dockerfile).

Its access and error lines are the same JSON lines as kam's own (kam/core/logs.py), each access line
with the request id kam returned in X-Request-ID; LOG_FORMAT=text keeps gunicorn's usual lines."""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
# A request ends by the database's statement_timeout first (a clear error page), not by a killed worker.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
accesslog = "-"
access_log_format = "%(m)s %(U)s %(s)s %(M)sms"

if (
    os.environ.get("LOG_FORMAT", "json" if os.environ.get("KAM_ENVIRONMENT") == "production" else "text")
    == "json"
):
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {"()": "kam.core.logs.KamJsonFormatter"},
            "access": {"()": "kam.core.logs.AccessJsonFormatter"},
        },
        "handlers": {
            "error": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"},
            "access": {"class": "logging.StreamHandler", "formatter": "access", "stream": "ext://sys.stdout"},
        },
        "root": {"handlers": ["error"], "level": os.environ.get("LOG_LEVEL", "INFO")},
        "loggers": {
            "gunicorn.error": {
                "handlers": ["error"],
                "level": os.environ.get("LOG_LEVEL", "INFO"),
                "propagate": False,
            },
            "gunicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
        },
    }
