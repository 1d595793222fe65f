"""A reader switches language in a real browser and keeps what they were looking at; the Chinese pages pass axe."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from ..factories import make_organisation, make_sector
from .test_accessibility import blocking_violations, describe


@pytest.fixture
def universities():
    education = make_sector("Education", name_zh_hant="教育", slug="education")
    finance = make_sector("Finance", name_zh_hant="金融", slug="finance")
    for name, chinese, kind, sectors in [
        ("Harbour University", "海港大學", "university", [education]),
        ("Kowloon University", "", "university", [education, finance]),
        ("Peak University", "山頂大學", "university", [finance]),
        ("Tutor Bot Limited", "", "startup", [education]),
    ]:
        make_organisation(name, name_zh_hant=chinese, kind=kind).sectors.set(sectors)


def test_reader_switches_a_filtered_list_to_traditional_chinese_and_sees_the_same_results(page, universities):
    page.goto("/en/organisations/?kind=university&sector=education")
    english_links = page.locator("ol.cards .card-title a").evaluate_all("links => links.map(a => a.pathname)")
    expect(page.locator("#result-count")).to_have_text("2 organisations")

    page.get_by_role("navigation", name="Language").get_by_role("link", name="繁體").click()

    expect(page).to_have_url(re.compile(r"/zh-hant/organisations/\?kind=university&sector=education$"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hant")
    expect(page.get_by_role("heading", level=1)).to_have_text("機構")
    expect(page.locator("#result-count")).to_have_text("2個機構")
    chinese_links = page.locator("ol.cards .card-title a").evaluate_all("links => links.map(a => a.pathname)")
    assert [link.replace("/zh-hant/", "/en/", 1) for link in chinese_links] == english_links
    expect(page.locator("ol.cards .card-title").first).to_have_text("海港大學")
    # Kowloon University has no Chinese name yet: shown in English, and said to be.
    expect(page.locator("ol.cards .card-title [lang=en]")).to_have_text("Kowloon University")
    expect(page.locator("a.chip")).to_contain_text(["類別：大學", "界別：教育"])
    expect(page.get_by_label("排序")).to_be_visible()

    page.get_by_role("navigation", name="語言").get_by_role("link", name="简体").click()
    expect(page).to_have_url(re.compile(r"/zh-hans/organisations/\?kind=university&sector=education$"))
    expect(page.locator("ol.cards .card-title").first).to_have_text("海港大学")


@pytest.mark.parametrize(
    "path",
    [
        "/zh-hant/",
        "/zh-hant/organisations/?kind=university&sector=education",
        "/zh-hant/organisations/harbour-university/",
        "/zh-hant/organisations/kowloon-university/",
        "/zh-hans/organisations/?sector=finance",
        "/zh-hant/search/?q=大學",
    ],
)
def test_chinese_pages_have_no_serious_accessibility_violation(page, universities, path):
    page.goto(path)
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hant" if "/zh-hant/" in path else "zh-Hans")
    violations = blocking_violations(Axe().run(page, options={"resultTypes": ["violations"]}))
    assert not violations, f"axe found serious or critical violations on {path}:\n{describe(violations)}"
