"""Browser fixtures: one headless Chromium per session (Debian's, never a downloaded one), a fresh context per test."""

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}
BROWSER_DIR = Path(__file__).resolve().parent
# Generous: on a busy two-core CI machine a page of the live server can take several seconds to load.
TIMEOUT_MS = 30_000


def pytest_collection_modifyitems(items):
    for item in items:
        if BROWSER_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        reason = "Chromium not installed (apt-get install chromium chromium-driver); browser tests skipped"
        if os.environ.get("HKAI_REQUIRE_BROWSER") == "1":
            pytest.fail(f"HKAI_REQUIRE_BROWSER=1 but {CHROMIUM} is missing: {reason}", pytrace=False)
        pytest.skip(reason)

    # Playwright's sync API keeps an event loop marked as running in this thread while it is started, so Django
    # would refuse ORM calls here (SynchronousOnlyOperation) while it is. Allowed only while the browser lives.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _new_page(browser, live_server, viewport):
    context = browser.new_context(viewport=viewport, base_url=live_server.url, locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    return context, page


@pytest.fixture
def page(browser, live_server):
    """A desktop-width page in a context of its own; relative URLs go to the live server."""
    context, page = _new_page(browser, live_server, DESKTOP)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, live_server):
    """A phone-width page (360 × 740) in a context of its own."""
    context, page = _new_page(browser, live_server, PHONE)
    yield page
    context.close()
