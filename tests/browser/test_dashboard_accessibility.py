"""The review dashboard in a browser: no serious axe violation on the admin index with every section filled in, and
“Verified today” from it returns to it."""

import datetime

from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from directory.choices import Status
from directory.reviews import propose_changes, submit_for_review

from ..factories import make_guidance, make_organisation, make_programme, make_user
from .test_accessibility import ARTIFACTS, AXE_OPTIONS, blocking_violations, describe
from .test_review_journey import sign_in

SITE = "http://testserver"


def test_the_dashboard_has_no_serious_violation_and_verified_today_returns_to_it(browser, live_server):
    editor = make_user("editor", groups=["Editors"])
    make_user("publisher", groups=["Publishers"])
    draft = make_organisation("Draft Robotics Centre", status=Status.DRAFT)
    submit_for_review(draft, editor, SITE)
    propose_changes(make_programme("AI Sandbox for Schools"), {"summary": "Now for universities too."}, editor, SITE)
    make_guidance("Coming Guidance", published_at=timezone.now() + datetime.timedelta(days=3))
    stale = make_organisation(
        "Harbour University", last_verified_on=timezone.localdate() - datetime.timedelta(days=500)
    )

    context, page = sign_in(browser, live_server, "publisher")
    page.goto("/admin/")
    dashboard = page.locator(".review-dashboard")
    expect(dashboard.get_by_role("heading", name="Waiting for my review")).to_be_visible()
    # The whole page: the dashboard, Django's app list and its recent actions (no select2 widget on the index).
    (ARTIFACTS / "screenshots").mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / "screenshots" / "admin-dashboard-desktop.png", full_page=True)
    violations = blocking_violations(Axe().run(page, options=AXE_OPTIONS))
    assert not violations, describe(violations)

    # Focus is a ring, not Django's colour change alone: tab to the dashboard's first link.
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("!!document.activeElement.closest('.review-dashboard')"):
            break
    outline = page.evaluate("(s => [s.outlineStyle, s.outlineWidth])(getComputedStyle(document.activeElement))")
    assert outline == ["solid", "3px"]

    row = page.locator("#dashboard-unverified tr", has_text="Harbour University")
    row.get_by_role("button", name="Verified today").click()
    expect(page.locator(".messagelist")).to_contain_text("“Harbour University” is marked as verified today.")
    expect(page).to_have_url(f"{live_server.url}/admin/#dashboard-unverified")
    stale.refresh_from_db()
    assert stale.last_verified_on == timezone.localdate()
    context.close()


def test_the_change_forms_scheduling_and_verification_panel_has_no_serious_violation(browser, live_server):
    make_user("publisher", groups=["Publishers"])
    coming = make_guidance("Coming Guidance", published_at=timezone.now() + datetime.timedelta(days=3))

    context, page = sign_in(browser, live_server, "publisher")
    page.goto(f"/admin/directory/guidance/{coming.pk}/change/")
    panel = page.locator(".workflow-panel")
    expect(panel).to_contain_text("Scheduled for")
    # The panel only: the rest of the change form is Django's, whose autocomplete widgets (select2) axe faults.
    violations = blocking_violations(Axe().run(page, context=".workflow-panel", options=AXE_OPTIONS))
    assert not violations, describe(violations)

    panel.get_by_role("button", name="Unschedule").click()
    expect(page.locator(".messagelist")).to_contain_text("Unscheduled")
    expect(page.locator(".workflow-panel")).not_to_contain_text("Scheduled for")
    coming.refresh_from_db()
    assert coming.status == Status.DRAFT
    context.close()
