"""An item's history and a comparison of two revisions, as a publisher reads them: no serious violation."""

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from directory.revision_recording import grouped

from ..factories import make_organisation, make_sector, make_user
from .test_accessibility import AXE_OPTIONS, blocking_violations, describe
from .test_review_journey import sign_in


def test_the_history_and_a_comparison_have_no_serious_violation(browser, live_server):
    finance, health = make_sector("Finance"), make_sector("Health")
    item = make_organisation(
        "Harbour University", name_zh_hant="海港大學", description="It teaches machine learning to engineers."
    )
    item.sectors.add(finance)
    with grouped("Rewrote the description"):
        item.description, item.name_zh_hant = "It teaches robotics to engineers.", "港灣大學"
        item.save()
        item.sectors.set([health])
    make_user("publisher", groups=["Publishers"])

    context, page = sign_in(browser, live_server, "publisher")
    page.goto(f"/admin/directory/organisation/{item.pk}/history/")
    expect(page.locator("#content-main table")).to_contain_text("Rewrote the description")
    violations = blocking_violations(Axe().run(page, options=AXE_OPTIONS))
    assert not violations, describe(violations)

    page.get_by_role("button", name="Compare the chosen revisions").click()
    table = page.locator("#content-main table")
    expect(table.locator("del").first).to_have_text("machine learning")
    expect(table.locator("ins").first).to_have_text("robotics")
    expect(table).to_contain_text("港灣大學")
    violations = blocking_violations(Axe().run(page, options=AXE_OPTIONS))
    assert not violations, describe(violations)
    context.close()
