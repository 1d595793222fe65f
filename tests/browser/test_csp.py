"""The Content-Security-Policy and Permissions-Policy in Chromium: public pages and the admin work under them, and the
browser reports no violation and no policy it does not understand.

Screenshots of the admin pages go to test-artifacts/screenshots/ for people to look at.
"""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from ..factories import make_guidance, make_organisation, make_programme, make_sector, make_user

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"  # git-ignored
PASSWORD = "a-long-test-password"
# Recorded from the first script on every page, before any of the page's own: Playwright's init scripts are not
# subject to the page's policy.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`);
});
"""


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def catalogue():
    education = make_sector("Education")
    harbour = make_organisation("Harbour University", summary="A university with a school of data science.")
    harbour.sectors.set([education])
    make_programme("AI Sandbox", lead_organisation=harbour)
    make_guidance("Ethical AI Framework", publisher=harbour)
    make_user("editor", is_superuser=True)
    return harbour


@pytest.fixture
def watched(page):
    """The page, with every console message, page error and policy violation recorded in `page.problems`."""
    page.problems = []
    page.add_init_script(RECORD_VIOLATIONS)
    page.on("console", lambda message: record(page, message))
    page.on("pageerror", lambda error: page.problems.append(f"page error: {error}"))
    return page


def record(page, message):
    # The admin's pages name no icon, so Chromium asks for /favicon.ico and is told 404: not a policy matter.
    if not message.location.get("url", "").endswith("/favicon.ico"):
        page.problems.append(f"console {message.type}: {message.text} ({message.location.get('url')})")


def problems(page):
    return page.problems + page.evaluate("window.__violations")


def sign_in(page, username="editor", password=PASSWORD):
    page.goto("/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")


@pytest.mark.parametrize(
    "path",
    [
        "/en/",
        "/en/organisations/?kind=university",
        "/en/organisations/harbour-university/",
        "/en/guidance/",
        "/en/search/?q=ai",
    ],
)
def test_public_pages_load_with_no_policy_violation_or_console_message(watched, catalogue, path):
    watched.goto(path)
    # site.css applied: proof the stylesheet was allowed, not just that nothing complained.
    expect(watched.locator(".site-header")).to_have_css("background-color", "rgb(11, 92, 107)")
    assert problems(watched) == []


def test_the_admin_works_under_the_policy(watched, catalogue):
    sign_in(watched)
    expect(watched.locator("#site-name")).to_be_visible()
    assert problems(watched) == []

    watched.goto("/admin/directory/organisation/")
    # The changelist's script ticks every row from the header checkbox.
    watched.check("#action-toggle")
    expect(watched.locator("input.action-select").first).to_be_checked()
    watched.screenshot(path=screenshot("admin-changelist"), full_page=True)
    assert problems(watched) == []

    watched.goto(f"/admin/directory/organisation/{catalogue.pk}/change/")
    # English and Chinese side by side (css/admin-bilingual.css), on one row on a laptop screen.
    english, chinese = (watched.locator(f"#id_{name}").bounding_box() for name in ("name", "name_zh_hant"))
    assert english["y"] == chinese["y"] and chinese["x"] > english["x"] + english["width"]
    # The autocomplete widget (select2) opens and searches.
    watched.click("#id_sectors + .select2 .select2-selection")
    expect(watched.locator(".select2-results__option", has_text="Education")).to_be_visible()
    watched.keyboard.press("Escape")
    assert problems(watched) == []

    watched.goto("/admin/directory/programme/add/")
    # The slug follows the name as it is typed: the admin's prepopulate script runs.
    watched.locator("#id_name").press_sequentially("New Sandbox Programme")
    expect(watched.locator("#id_slug")).to_have_value("new-sandbox-programme")
    watched.screenshot(path=screenshot("admin-add-programme"), full_page=True)
    assert problems(watched) == []


def test_the_lockout_page_renders_in_the_admin_look_with_no_violation(watched, catalogue):
    for _ in range(5):
        sign_in(watched, password="wrong password")
    expect(watched.locator("h1")).to_have_text("Sign-in paused")
    expect(watched.locator(".errornote")).to_contain_text("failed 5 times in a row")
    watched.screenshot(path=screenshot("admin-lockout"), full_page=True)
    # The 429 itself is logged by Chromium as a failed resource; nothing else may be.
    assert [p for p in problems(watched) if "429" not in p] == []


def screenshot(name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / f"{name}.png"
