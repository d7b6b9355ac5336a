"""gunicorn's settings for the web service (docker-compose.yml, the Dockerfile).

Its access and error lines are the same JSON lines as kam's own (kam/core/logs.py), each access line
with the request id kam returned in X-Request-ID; LOG_FORMAT=text keeps gunicorn's usual lines."""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Processes, not threads: a request spends about four fifths of its server CPU in Python (templates,
# the ORM) and one fifth in PostgreSQL (bench/load.py prints both), so threads would mostly wait for
# their process's GIL. Three sync workers on two cores keep both busy while one waits for a query,
# without more processes than cores to share the CPU (each also warms its own caches and templates).
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
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
