"""The review journey in a real browser: an editor's change to a live page waits until a publisher approves it."""

import re

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from ..factories import make_organisation, make_user
from .test_accessibility import AXE_OPTIONS, blocking_violations, describe

PASSWORD = "a-long-test-password"


def sign_in(browser, live_server, username):
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    page = context.new_page()
    page.goto("/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#site-name")).to_be_visible()
    return context, page


def test_editor_proposes_a_publisher_compares_and_approves_and_only_then_readers_see_it(browser, live_server, page):
    live = make_organisation("Harbour University", summary="Teaches machine learning.")
    make_user("editor", groups=["Editors"])
    make_user("publisher", groups=["Publishers"])
    change_url = f"/admin/directory/organisation/{live.pk}/change/"

    editor_context, editor = sign_in(browser, live_server, "editor")
    editor.goto(change_url)
    editor.fill("#id_summary", "Teaches machine learning and robotics.")
    editor.click("input[name=_continue]")
    expect(editor.locator(".messagelist")).to_contain_text("awaiting a publisher's review")
    expect(editor.locator(".review-panel")).to_contain_text("Changes awaiting review")
    editor_context.close()

    page.goto(live.get_absolute_url())
    expect(page.locator(".lead")).to_have_text("Teaches machine learning.")

    publisher_context, publisher = sign_in(browser, live_server, "publisher")
    # From the dashboard on the admin index, where what waits for review is listed oldest first.
    publisher.goto("/admin/")
    waiting = publisher.locator("#dashboard-waiting")
    expect(waiting.get_by_role("row", name="Harbour University")).to_contain_text("Changes to a live item")
    waiting.get_by_role("link", name="Harbour University").click()
    panel = publisher.locator(".review-panel")
    expect(panel.get_by_role("table")).to_contain_text("Teaches machine learning and robotics.")
    # The panel only: the rest of the change form is Django's, whose autocomplete widgets (select2) axe faults.
    violations = blocking_violations(Axe().run(publisher, context=".review-panel", options=AXE_OPTIONS))
    assert not violations, describe(violations)
    panel.get_by_role("button", name="Approve the changes").click()
    expect(publisher.locator(".messagelist")).to_contain_text("Approved")
    expect(publisher).to_have_url(re.compile(re.escape(change_url) + "$"))
    publisher_context.close()

    page.goto(live.get_absolute_url())
    expect(page.locator(".lead")).to_have_text("Teaches machine learning and robotics.")
