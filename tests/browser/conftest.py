"""The browser the journeys drive: Debian's chromium through Playwright (never `playwright install`).

Journeys are skipped when chromium is missing, unless KAM_REQUIRE_BROWSER=1 (CI), where a missing
browser is a failure.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "secret-pass-123"  # every journey's users are made with this password

if not Path(CHROMIUM).exists() and os.environ.get("KAM_REQUIRE_BROWSER") != "1":
    collect_ignore_glob = ["test_*.py"]


@pytest.fixture(scope="module")
def browser():
    # Playwright's sync API runs an event loop in this thread; the live server's ORM calls are safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()
