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


def signed_in(browser, live_server, username: str, width: int = 1280, *, height: int = 900, **options):
    """A page in a browser context of its own, signed in as `username` through the login form."""
    page = browser.new_context(viewport={"width": width, "height": height}, **options).new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)
    return page


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
        new_context = browser.new_context

        def new_context_watching_the_policy(*args, **kwargs):
            context = new_context(*args, **kwargs)
            context.on("console", _record_policy_violation)
            return context

        browser.new_context = new_context_watching_the_policy
        yield browser
        browser.close()


POLICY_VIOLATIONS: list[str] = []


def _record_policy_violation(message):
    if "Content Security Policy" in message.text:
        POLICY_VIOLATIONS.append(message.text)


@pytest.fixture(autouse=True)
def _pages_work_under_the_content_security_policy():
    """Every journey fails if the browser refused a script, style or image under the policy."""
    POLICY_VIOLATIONS.clear()
    yield
    assert not POLICY_VIOLATIONS, POLICY_VIOLATIONS


ARTEFACTS = Path(os.environ.get("KAM_BROWSER_ARTEFACTS", Path(__file__).parent / "artifacts"))


@pytest.fixture
def artefacts(request) -> Path:
    """A folder for this test's screenshots (tests/browser/artifacts/<test>/, git-ignored; CI keeps it)."""
    folder = ARTEFACTS / request.node.name.replace("/", "_")
    folder.mkdir(parents=True, exist_ok=True)
    print(f"screenshots in {folder}")
    return folder
