"""Load kam's settings in a fresh process with a given environment, as a server would start."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "KAM_ENVIRONMENT": "production",
    "DJANGO_SECRET_KEY": "x" * 60,
    "DJANGO_ALLOWED_HOSTS": "kam.example.com",
    "KAM_BASE_URL": "https://kam.example.com",
    "EMAIL_URL": "smtp+tls://kam:secret@mail.example.com:587",
}


def clean_environment(**environ) -> dict:
    """This process's environment without kam's, Django's and e-mail variables, plus `environ`."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("KAM_", "EMAIL_", "DJANGO_", "DATABASE_URL", "REDIS_URL", "CELERY_"))
    }
    env.update(environ, DJANGO_SETTINGS_MODULE="kam.settings")
    return env


def settings_in(*names: str, **environ) -> tuple[int, str]:
    """(exit code, output) of loading the settings and printing `names` (EMAIL_BACKEND by default)."""
    shown = ", ".join(f"settings.{name}" for name in names or ("EMAIL_BACKEND",))
    code = f"import django; django.setup(); from django.conf import settings; print({shown})"
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean_environment(**environ),
        capture_output=True,
        text=True,
        timeout=60,
    )
    return done.returncode, (done.stdout + done.stderr).strip()
