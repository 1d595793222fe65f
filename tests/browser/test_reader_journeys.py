"""What a reader does in a real browser: filter a list, page through it, go back, use only a keyboard or a phone."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from ..factories import make_organisation, make_sector

# Every <input>, <select> and <button> a reader can reach in the filter form (hidden inputs carry state only).
FILTER_CONTROLS = "form.filters :is(input:not([type=hidden]), select, button)"
# The element with focus (its id, else its tag and text), whether it sits in the filter form, and its outline.
ACTIVE_ELEMENT = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return {
    key: el.id || `${el.tagName.toLowerCase()}: ${el.textContent.trim()}`,
    inFilters: Boolean(el.closest("form.filters")),
    type: el.type || el.tagName.toLowerCase(),
    outlineStyle: style.outlineStyle,
    outlineWidth: style.outlineWidth,
  };
}"""
CONTROL_KEYS = f"""() => [...document.querySelectorAll("{FILTER_CONTROLS}")].map(
  (el) => el.id || `${{el.tagName.toLowerCase()}}: ${{el.textContent.trim()}}`
)"""


@pytest.fixture
def universities_and_startups():
    """Three universities and two startups in Education and Finance: two universities are in Education."""
    education, finance = make_sector("Education"), make_sector("Finance")
    for name, kind, sectors in [
        ("Harbour University", "university", [education]),
        ("Kowloon University", "university", [education, finance]),
        ("Peak University", "university", [finance]),
        ("Tutor Bot Limited", "startup", [education]),
        ("Ledger Lab Limited", "startup", [finance]),
    ]:
        make_organisation(name, kind=kind, founded_year=2015).sectors.set(sectors)


def query(url):
    return parse_qs(urlsplit(url).query)


def card_titles(page):
    return page.locator("ol.cards .card-title")


def test_reader_filters_organisations_by_kind_and_sector_then_returns_from_a_detail_page_with_filters_intact(
    page, universities_and_startups
):
    page.goto("/en/organisations/")
    count = page.locator("#result-count")
    expect(count).to_have_text("5 organisations")
    expect(page.locator("ul.chips")).to_have_count(0)
    # On a wide screen the filters sit beside the results, with no disclosure to open first.
    expect(page.locator("details.filter-panel > summary")).to_be_hidden()

    filters = page.locator("form.filters")
    filters.get_by_role("group", name="Kind").get_by_label("University (3)").check()
    filters.get_by_role("group", name="Sector").get_by_label("Education (3)").check()
    filters.get_by_role("button", name="Apply filters").click()

    expect(count).to_have_text("2 organisations")
    assert query(page.url) == {"kind": ["university"], "sector": ["education"]}
    chips = page.locator("ul.chips a.chip")
    expect(chips).to_have_text([re.compile(r"^Kind: University\b"), re.compile(r"^Sector: Education\b")])
    expect(card_titles(page)).to_have_text(["Harbour University", "Kowloon University"])
    filtered_url = page.url

    page.get_by_role("link", name="Kowloon University").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kowloon University")
    assert urlsplit(page.url).path == "/en/organisations/kowloon-university/"

    page.go_back()
    assert page.url == filtered_url
    expect(count).to_have_text("2 organisations")
    # Each option counts within the other active filters: kinds within Education, sectors within universities.
    expect(page.get_by_label("University (2)")).to_be_checked()
    expect(page.get_by_label("Startup (1)")).not_to_be_checked()
    expect(page.get_by_label("Education (2)")).to_be_checked()
    expect(page.get_by_label("Finance (2)")).not_to_be_checked()

    page.get_by_role("link", name="Sector: Education (remove)").click()
    expect(count).to_have_text("3 organisations")
    assert query(page.url) == {"kind": ["university"]}
    expect(chips).to_have_text([re.compile(r"^Kind: University\b")])
    expect(page.get_by_label("Education (2)")).not_to_be_checked()
    expect(card_titles(page)).to_have_text(["Harbour University", "Kowloon University", "Peak University"])


def test_keyboard_alone_reaches_every_filter_control(page, universities_and_startups):
    page.goto("/en/organisations/")
    expected = set(page.evaluate(CONTROL_KEYS))
    # Search, 2 kinds, 2 sectors, "Part of", two years and the button: a filter form that did not render would
    # make this test pass on nothing.
    assert len(expected) == 9, expected

    reached = {}
    for _press in range(80):
        page.keyboard.press("Tab")
        focused = page.evaluate(ACTIVE_ELEMENT)
        if focused["inFilters"]:
            reached.setdefault(focused["key"], focused)
        if expected <= reached.keys():
            break

    assert expected - reached.keys() == set(), f"never focused by Tab: {sorted(expected - reached.keys())}"
    for key in ("filter-q", "filter-kind-1", "filter-sector-1"):
        outline = reached[key]
        assert outline["outlineStyle"] != "none" and outline["outlineWidth"] != "0px", (
            f"{key} ({outline['type']}) shows no focus indicator: {outline}"
        )


def test_page_number_links_keep_the_filters(page):
    finance, education = make_sector("Finance"), make_sector("Education")
    for number in range(1, 26):
        make_organisation(f"Fintech {number:02}", kind="startup").sectors.set([finance])
    make_organisation("Fintech University", kind="university").sectors.set([finance])
    make_organisation("Fintech Tutors", kind="startup").sectors.set([education])

    page.goto("/en/organisations/?kind=startup&sector=finance")
    expect(page.locator("#result-count")).to_have_text("25 organisations")
    expect(card_titles(page)).to_have_text([f"Fintech {number:02}" for number in range(1, 21)])

    pagination = page.get_by_role("navigation", name="Pages")
    page_two = pagination.get_by_role("link", name="Page 2")
    assert query(page_two.get_attribute("href")) == {"kind": ["startup"], "sector": ["finance"], "page": ["2"]}

    page_two.click()
    expect(page).to_have_url(re.compile(r"[?&]page=2\b"))
    expect(page.locator("#result-count")).to_have_text("25 organisations")
    expect(card_titles(page)).to_have_text([f"Fintech {number}" for number in range(21, 26)])
    expect(pagination.locator("[aria-current=page] .visually-hidden")).to_have_text("Page 2")
    previous = pagination.get_by_role("link", name="Previous page")
    # Page 1 is the list's own address, without a page number: the one its canonical link names.
    assert query(previous.get_attribute("href")) == {"kind": ["startup"], "sector": ["finance"]}


def test_on_a_phone_the_filters_wait_behind_a_filters_disclosure(phone_page, universities_and_startups):
    page = phone_page
    page.goto("/en/organisations/")
    panel = page.locator("details.filter-panel")
    university = page.get_by_label("University (3)")
    expect(panel).not_to_have_attribute("open", "")
    expect(university).to_be_hidden()
    expect(page.locator("#result-count")).to_be_visible()  # results are not pushed below a wall of filters

    page.locator("details.filter-panel > summary").click()
    expect(panel).to_have_attribute("open", "")
    expect(university).to_be_visible()
    expect(page.get_by_label("Startup (2)")).to_be_visible()

    university.check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("#result-count")).to_have_text("3 organisations")
    assert query(page.url) == {"kind": ["university"]}


def test_reader_types_the_start_of_a_word_and_sees_the_matches_highlighted(page, universities_and_startups):
    page.goto("/en/organisations/")
    page.get_by_label("Search", exact=True).fill("univ")
    page.get_by_role("button", name="Apply filters").click()

    assert query(page.url) == {"q": ["univ"]}
    expect(page.locator("#result-count")).to_have_text("3 organisations")
    expect(card_titles(page)).to_have_text(["Harbour University", "Kowloon University", "Peak University"])
    expect(card_titles(page).locator("mark")).to_have_text(["University", "University", "University"])
