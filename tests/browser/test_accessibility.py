"""axe-core on the public pages, at desktop and phone width: no serious or critical violation.

Each page is also saved as a full-page screenshot in test-artifacts/screenshots/ for people to look at, and the
complete axe results (minor and moderate findings too) as JSON in test-artifacts/axe/.
"""

import datetime
import json
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from directory.datasets import publish

from ..factories import make_guidance, make_organisation, make_programme, make_sector, make_topic

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"  # git-ignored
BLOCKING = {"serious", "critical"}
# axe's defaults, plus WCAG 2.2's target-size (24 × 24 px), which axe leaves off unless asked.
AXE_OPTIONS = {"resultTypes": ["violations"], "rules": {"target-size": {"enabled": True}}}
PRIMARY = "rgb(11, 92, 107)"  # #0b5c6b, the header band: proof that site.css was served and applied

# name -> (path, its h1, what must be on it for axe to check it)
PAGES = {
    "home": ("/en/", "Artificial intelligence in Hong Kong", ".search-box"),
    "organisation-list-filtered": ("/en/organisations/?kind=university&sector=education", "Organisations", "a.chip"),
    "organisation-detail": ("/en/organisations/harbour-university/", "Harbour University", ".related"),
    "programme-list-filtered": ("/en/programmes/?state=open", "Programmes", "a.chip"),
    "programme-detail": ("/en/programmes/ai-sandbox-for-schools/", "AI Sandbox for Schools", ".facts"),
    "guidance-list-filtered": ("/en/guidance/?binding=voluntary&topic=privacy", "Ethics guidance", "a.chip"),
    "guidance-detail": ("/en/guidance/ethical-ai-framework-2023/", "Ethical AI Framework 2023", ".notice"),
    "organisation-list-searched": ("/en/organisations/?q=univ", "Organisations", "ol.cards mark"),
    "search-results": ("/en/search/?q=university", "Search", ".search-group li mark"),
    "api": ("/en/api/", "API", "table.data-dictionary"),
}
# The organisations' monograms (directory/monograms.py) on the lists and detail pages, in each language.
MONOGRAM_PAGES = {
    "organisation-list-en": ("/en/organisations/", "Organisations", "ol.cards svg.organisation-mark"),
    "organisation-list-zh-hant": ("/zh-hant/organisations/", "機構", "ol.cards svg.organisation-mark"),
    "organisation-list-zh-hans": ("/zh-hans/organisations/", "机构", "ol.cards svg.organisation-mark"),
    "organisation-detail-zh-hant": ("/zh-hant/organisations/harbour-university/", "海港大學", "svg.organisation-mark"),
    "organisation-detail-zh-hans": ("/zh-hans/organisations/harbour-university/", "海港大学", "svg.organisation-mark"),
    "organisation-detail-fallback-zh-hant": (
        "/zh-hant/organisations/ledger-lab-limited/",
        re.compile("^Ledger Lab Limited"),  # and the note that it is not translated yet
        "svg.organisation-mark",
    ),
}
PAGES.update(MONOGRAM_PAGES)


@pytest.fixture
def catalogue():
    """A little of everything a page can show: parents, sectors, topics, programmes, superseded guidance."""
    education, finance = make_sector("Education"), make_sector("Finance")
    privacy, fairness = make_topic("Privacy"), make_topic("Fairness")
    verified = {"source_url": "https://example.org/source", "last_verified_on": datetime.date(2025, 11, 3)}
    harbour = make_organisation(
        "Harbour University",
        name_zh_hant="海港大學",
        aliases="HU; 海大",
        summary="A university with a school of data science.",
        description="Teaches and researches machine learning.\n\nRuns a public lecture series.",
        website="https://harbour.example.edu.hk",
        founded_year=1911,
        **verified,
    )
    harbour.sectors.set([education])
    make_organisation("Harbour University AI Lab", kind="research_centre", parent=harbour).sectors.set([education])
    make_organisation("Kowloon University", summary="Another university.").sectors.set([education, finance])
    make_organisation("Ledger Lab Limited", kind="startup").sectors.set([finance])
    regulator = make_organisation("Privacy Office", kind="regulator", aliases="PCPD", **verified)

    programme = make_programme(
        "AI Sandbox for Schools",
        kind="sandbox",
        lead_organisation=harbour,
        start_date=datetime.date(2024, 1, 1),
        summary="Lets schools try AI tools under supervision.",
        website="https://sandbox.example.hk",
        **verified,
    )
    programme.partners.set([regulator])
    programme.sectors.set([education])
    make_programme("University Research Fund", lead_organisation=harbour, start_date=datetime.date(2020, 1, 1))

    old = make_guidance(
        "Ethical AI Framework 2023",
        publisher=regulator,
        kind="framework",
        date_published=datetime.date(2023, 6, 11),
        summary="Principles for developing and using AI in a university or a company.",
        document_url="https://example.org/framework-2023.pdf",
        **verified,
    )
    new = make_guidance(
        "Ethical AI Framework 2025",
        publisher=regulator,
        kind="framework",
        binding=True,
        supersedes=old,
        date_published=datetime.date(2025, 3, 1),
    )
    checklist = make_guidance("Privacy checklist for AI", publisher=regulator, kind="checklist")
    for guidance in (old, new, checklist):
        guidance.topics.set([privacy, fairness])
        guidance.sectors.set([education])


def blocking_violations(results):
    return [violation for violation in results.response["violations"] if violation["impact"] in BLOCKING]


def describe(violations):
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>")
        for node in violation["nodes"]:
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(f"    {' '.join(map(str, node['target']))}: {node['html'][:160]}")
            if summary:
                lines.append(f"      {summary}")
    return "\n".join(lines)


def visit(page, path, heading, content):
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page.locator(content).first).to_be_visible()
    header = page.evaluate("getComputedStyle(document.querySelector('.site-header')).backgroundColor")
    assert header == PRIMARY, f"site.css did not apply (header background {header}): colour checks would be void"


def check(page, name, width):
    (ARTIFACTS / "screenshots").mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "axe").mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / "screenshots" / f"{name}-{width}.png", full_page=True)
    results = Axe().run(page, options=AXE_OPTIONS)
    (ARTIFACTS / "axe" / f"{name}-{width}.json").write_text(json.dumps(results.response["violations"], indent=2))
    return blocking_violations(results)


@pytest.mark.parametrize("name", PAGES)
def test_page_has_no_serious_accessibility_violation_at_desktop_or_phone_width(name, page, phone_page, catalogue):
    path, heading, content = PAGES[name]
    found = {}

    visit(page, path, heading, content)
    found["desktop"] = check(page, name, "desktop")

    visit(phone_page, path, heading, content)
    filter_panel = phone_page.locator("details.filter-panel")
    if filter_panel.count():
        # Closed, the filters are out of the accessibility tree and axe would skip them: check them open.
        filter_panel.locator("summary").click()
        expect(filter_panel).to_have_attribute("open", "")
    found["phone"] = check(phone_page, name, "phone")

    report = "\n".join(f"{width}:\n{describe(violations)}" for width, violations in found.items() if violations)
    assert not report, f"axe found serious or critical violations on {path}:\n{report}"


@pytest.mark.parametrize(
    ("path", "name", "initials"),
    [
        ("/en/organisations/harbour-university/", "Harbour University", "HU"),
        ("/zh-hant/organisations/harbour-university/", "海港大學", "HU"),
        ("/zh-hans/organisations/harbour-university/", "海港大学", "HU"),
        ("/zh-hant/organisations/ledger-lab-limited/", "Ledger Lab Limited", "LL"),
    ],
)
def test_detail_page_monogram_is_an_image_named_after_the_organisation(page, catalogue, path, name, initials):
    page.goto(path)
    mark = page.get_by_role("img", name=name, exact=True)
    expect(mark).to_be_visible()
    expect(mark).to_have_text(initials)
    box = mark.bounding_box()
    assert box["width"] == box["height"] >= 64


@pytest.mark.parametrize(
    ("language", "name"), [("en", "Harbour University"), ("zh-hant", "海港大學"), ("zh-hans", "海港大学")]
)
def test_card_monogram_is_shown_but_left_out_of_the_accessibility_tree(page, catalogue, language, name):
    page.goto(f"/{language}/organisations/")
    # The card is read as its name once: the link, with nothing added by the mark beside it.
    card = page.locator("ol.cards .card").filter(has=page.get_by_role("link", name=name, exact=True))
    expect(card).to_have_count(1)
    expect(card.locator("svg.organisation-mark")).to_be_visible()
    expect(card.locator("svg.organisation-mark")).to_have_text("HU")
    expect(card.get_by_role("img")).to_have_count(0)


@pytest.fixture
def two_releases(catalogue, settings, tmp_path):
    """Two dataset releases, the second with a change, so /data/ shows its releases and what changed."""
    settings.DATASET_ROOT = tmp_path / "datasets"
    publish(base_url="http://testserver", day=datetime.date(2026, 3, 1))
    make_organisation("Harbour Robotics", kind="startup")
    publish(base_url="http://testserver", day=datetime.date(2026, 4, 1))


@pytest.mark.parametrize("path, heading", [("/en/data/", "Open data"), ("/zh-hant/data/", "開放數據")])
def test_data_page_has_no_serious_accessibility_violation(path, heading, page, phone_page, two_releases):
    found = {}
    for browser_page, width in ((page, "desktop"), (phone_page, "phone")):
        visit(browser_page, path, heading, "table.data-dictionary")
        changes = browser_page.locator(".releases details").first
        changes.locator("summary").click()  # open, so that axe checks what changed too
        expect(changes).to_have_attribute("open", "")
        found[width] = check(browser_page, f"data-{path.split('/')[1]}", width)
    report = "\n".join(f"{width}:\n{describe(violations)}" for width, violations in found.items() if violations)
    assert not report, f"axe found serious or critical violations on {path}:\n{report}"
