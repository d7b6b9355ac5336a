"""gunicorn's settings for the web service (docker-compose.yml, the Dockerfile)."""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
# A request ends by the database's statement_timeout first (a clear error page), not by a killed worker.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
accesslog = "-"
