"""English, Traditional Chinese and Simplified Chinese pages: URLs, switcher, content fallback, search and filters."""

import datetime
import io
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from directory.models import Organisation

from .factories import make_guidance, make_organisation, make_programme, make_sector, make_topic

pytestmark = pytest.mark.django_db

LANGUAGES = ["en", "zh-hant", "zh-hans"]


@pytest.fixture
def catalogue():
    """A little of everything, translated and not, under the slugs the URL tests use."""
    finance = make_sector("Finance", name_zh_hant="金融", slug="finance")
    privacy = make_topic("Data privacy", name_zh_hant="個人資料私隱", slug="data-privacy")
    pcpd = make_organisation(
        "Office of the Privacy Commissioner for Personal Data",
        name_zh_hant="個人資料私隱專員公署",
        summary="The regulator of personal data privacy.",
        summary_zh_hant="負責監察個人資料私隱的規管機構。",
        kind="regulator",
        slug="pcpd",
    )
    pcpd.sectors.set([finance])
    untranslated = make_organisation("Harbour Robotics Lab", summary="Builds robots.", kind="startup", slug="harbour")
    untranslated.sectors.set([finance])
    guidance = make_guidance(
        "Guidance on the Ethical Development and Use of AI",
        title_zh_hant="開發及使用人工智能道德標準指引",
        summary_zh_hant="協助機構在開發及使用人工智能時遵從私隱規定。",
        publisher=pcpd,
        date_published=datetime.date(2024, 6, 11),
        slug="ethics",
    )
    guidance.topics.set([privacy])
    make_programme("AI Sandbox", name_zh_hant="人工智能沙盒", lead_organisation=pcpd, slug="sandbox")
    return {"pcpd": pcpd, "untranslated": untranslated, "guidance": guidance}


def url(name, language, **kwargs):
    with translation.override(language):
        return reverse(f"directory:{name}", kwargs=kwargs or None)


def text_of(response):
    assert response.status_code == 200
    return response.content.decode()


CONTRACT = [
    ("home", {}),
    ("organisation-list", {}),
    ("organisation-detail", {"slug": "pcpd"}),
    ("programme-list", {}),
    ("programme-detail", {"slug": "sandbox"}),
    ("guidance-list", {}),
    ("guidance-detail", {"slug": "ethics"}),
    ("search", {}),
]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("name", "kwargs"), CONTRACT)
def test_every_page_of_the_url_contract_answers_in_every_language(client, catalogue, language, name, kwargs):
    address = url(name, language, **kwargs)
    assert address.startswith(f"/{language}/")
    text = text_of(client.get(address))
    assert f'<html lang="{ {"en": "en", "zh-hant": "zh-Hant", "zh-hans": "zh-Hans"}[language] }">' in text


def test_slugs_are_the_same_in_every_language_so_urls_differ_only_by_their_prefix(catalogue):
    addresses = [url("organisation-detail", language, slug="pcpd") for language in LANGUAGES]
    assert addresses == ["/en/organisations/pcpd/", "/zh-hant/organisations/pcpd/", "/zh-hans/organisations/pcpd/"]


@pytest.mark.parametrize(
    ("accept_language", "prefix"),
    [
        ("zh-HK,zh;q=0.9,en;q=0.8", "/zh-hant/"),
        ("zh-TW", "/zh-hant/"),
        ("zh-CN,zh;q=0.9", "/zh-hans/"),
        ("en-GB,en;q=0.9", "/en/"),
        ("fr-FR", "/en/"),
        ("", "/en/"),
    ],
)
def test_unprefixed_paths_redirect_to_the_readers_preferred_language(client, catalogue, accept_language, prefix):
    response = client.get("/organisations/pcpd/?from=link", HTTP_ACCEPT_LANGUAGE=accept_language)
    assert response.status_code == 302
    assert response["Location"] == f"{prefix}organisations/pcpd/?from=link"


@pytest.mark.parametrize("path", ["/", "/organisations/", "/programmes/", "/guidance/", "/search/?q=ai"])
def test_every_unprefixed_path_of_the_contract_redirects(client, path):
    response = client.get(path, HTTP_ACCEPT_LANGUAGE="zh-HK")
    assert response.status_code == 302 and response["Location"] == "/zh-hant" + path


def test_sitemap_robots_and_health_stay_unprefixed(client, catalogue):
    for path in ("/sitemap.xml", "/robots.txt", "/healthz"):
        assert client.get(path).status_code == 200


def test_sitemap_lists_every_item_in_every_language_with_alternates(client, catalogue):
    text = client.get("/sitemap-organisations.xml").content.decode()
    for language in LANGUAGES:
        assert f"<loc>http://testserver/{language}/organisations/pcpd/</loc>" in text
    assert 'hreflang="zh-hant" href="http://testserver/zh-hant/organisations/pcpd/"' in text


def test_language_switcher_keeps_the_page_and_its_filters(client, catalogue):
    text = text_of(client.get("/en/organisations/?kind=regulator&sector=finance&sort=name&page=1"))
    switcher = text[text.index('class="language-switcher"') :]
    for language, label in [("zh-hant", "繁體"), ("zh-hans", "简体"), ("en", "English")]:
        link = f'href="/{language}/organisations/?kind=regulator&amp;sector=finance&amp;sort=name&amp;page=1"'
        assert re.search(re.escape(link) + "[^>]*>" + label + "</a>", switcher), language
    assert 'aria-current="true">English</a>' in switcher


def test_pages_name_their_alternates_in_every_language(client, catalogue):
    text = text_of(client.get("/zh-hant/guidance/ethics/"))
    for language, tag in [("en", "en"), ("zh-hant", "zh-Hant"), ("zh-hans", "zh-Hans")]:
        assert f'<link rel="alternate" hreflang="{tag}" href="http://testserver/{language}/guidance/ethics/">' in text
    assert '<link rel="alternate" hreflang="x-default" href="http://testserver/guidance/ethics/">' in text


def test_chinese_page_shows_the_chinese_text_of_a_translated_item(client, catalogue):
    text = text_of(client.get("/zh-hant/organisations/pcpd/"))
    assert "<h1>個人資料私隱專員公署</h1>" in text
    assert "負責監察個人資料私隱的規管機構。" in text
    assert "<title>個人資料私隱專員公署 · 香港人工智能門戶</title>" in text


def test_untranslated_item_falls_back_to_english_marked_as_such(client, catalogue):
    text = text_of(client.get("/zh-hant/organisations/harbour/"))
    assert (
        '<h1><span lang="en">Harbour Robotics Lab</span> <span class="fallback-note">（英文原文，尚未有中文翻譯）'
        in text
    )
    assert '<span lang="en">Builds robots.</span>' in text


def test_english_page_never_shows_a_fallback_marker(client, catalogue):
    text = text_of(client.get("/en/organisations/harbour/"))
    assert "<h1>Harbour Robotics Lab</h1>" in text and "fallback-note" not in text


def test_chinese_list_shows_chinese_names_and_marks_english_ones(client, catalogue):
    text = text_of(client.get("/zh-hant/organisations/"))
    assert ">個人資料私隱專員公署</a>" in text
    assert '<span lang="en">Harbour Robotics Lab</span>' in text


def test_list_cards_name_sectors_in_the_readers_language_and_punctuation(client, catalogue):
    catalogue["pcpd"].sectors.add(make_sector("Legal", slug="legal"))
    catalogue["pcpd"].sectors.add(make_sector("Health", name_zh_hant="醫療", slug="health"))
    assert "<li>Finance, Health, Legal</li>" in text_of(client.get("/en/organisations/"))
    # Sorted by English name in every language; Legal has no Chinese name yet, so it stays in English.
    assert "<li>金融、醫療、Legal</li>" in text_of(client.get("/zh-hant/organisations/"))
    assert "<li>金融、医疗、Legal</li>" in text_of(client.get("/zh-hans/organisations/"))


def test_simplified_pages_convert_the_traditional_content_and_interface(client, catalogue):
    text = text_of(client.get("/zh-hans/organisations/pcpd/"))
    assert "<h1>个人资料私隐专员公署</h1>" in text
    assert "负责监察个人资料私隐的规管机构。" in text
    assert "香港人工智能门户" in text and "門戶" not in text
    # Simplified text is converted when read, never stored.
    assert Organisation.objects.get(slug="pcpd").name_zh_hant == "個人資料私隱專員公署"


def test_simplified_pages_keep_the_switchers_own_names(client, catalogue):
    text = text_of(client.get("/zh-hans/"))
    assert 'lang="zh-Hant" hreflang="zh-Hant">繁體</a>' in text


def test_chinese_pages_format_dates_the_chinese_way(client, catalogue):
    assert "2024年6月11日" in text_of(client.get("/zh-hant/guidance/ethics/"))
    assert "11 June 2024" in text_of(client.get("/en/guidance/ethics/"))


def test_chinese_list_translates_facets_sorts_chips_and_counts(client, catalogue):
    text = text_of(client.get("/zh-hant/organisations/", {"sector": "finance", "kind": "regulator"}))
    assert "金融 (2)" in text or "金融 <span" in text  # the sector's Chinese name in its facet
    assert "監管機構" in text  # the kind's label
    assert "界別：金融" in text  # the chip
    assert "名稱（A至Z）" in text  # a sort option
    assert "1個機構" in text  # the result count
    assert "篩選列表" in text


def test_chinese_empty_state_is_translated(client, catalogue):
    text = text_of(client.get("/zh-hant/organisations/", {"q": "沒有這個名稱"}))
    assert "沒有機構符合所有篩選條件" in text and "清除所有篩選條件" in text


def facet_counts(response):
    return {name: [(o.value, o.count) for o in facet["options"]] for name, facet in _facets(response).items()}


def _facets(response):
    return {facet["name"]: facet for facet in response.context["facets"]}


@pytest.mark.parametrize(
    "params",
    [{}, {"sector": "finance"}, {"kind": "startup"}, {"q": "privacy"}, {"q": "私隱"}],
)
def test_filter_results_and_counts_agree_across_languages(client, catalogue, params):
    responses = [client.get(url("organisation-list", language), params) for language in LANGUAGES]
    results = [[item.pk for item in response.context["object_list"]] for response in responses]
    counts = [facet_counts(response) for response in responses]
    assert results[0] == results[1] == results[2]
    assert counts[0] == counts[1] == counts[2]


@pytest.mark.parametrize("query", ["私隱", "私隐", "隐私", "個人資料私隱", "个人信息"])
def test_chinese_queries_find_chinese_only_text_whatever_the_script_or_wording(client, catalogue, query):
    found = [
        str(item.slug) for item in client.get(url("organisation-list", "zh-hant"), {"q": query}).context["object_list"]
    ]
    assert found == ["pcpd"], query


@pytest.mark.parametrize("query", ["私隱", "私隐", "隐私"])
def test_chinese_queries_find_the_privacy_guidance(client, catalogue, query):
    found = [item.slug for item in client.get(url("guidance-list", "en"), {"q": query}).context["object_list"]]
    assert found == ["ethics"]


def test_site_search_finds_chinese_text_in_every_group(client, catalogue):
    text = text_of(client.get(url("search", "zh-hant"), {"q": "私隱"}))
    assert "個人資料<mark>私隱</mark>專員公署" in text and "開發及使用人工智能道德標準指引" in text


def test_chinese_and_english_words_combine_in_one_query(client, catalogue):
    found = client.get(url("organisation-list", "en"), {"q": "regulator 私隱"}).context["object_list"]
    assert [item.slug for item in found] == ["pcpd"]
    assert not client.get(url("organisation-list", "en"), {"q": "robots 私隱"}).context["object_list"]


def test_demo_content_carries_the_chinese_names_of_the_facts():
    call_command("load_demo_content", stdout=io.StringIO())
    pcpd = Organisation.objects.get(name="Office of the Privacy Commissioner for Personal Data")
    assert pcpd.name_zh_hant == "個人資料私隱專員公署"
    assert Organisation.objects.exclude(name_zh_hant="").count() >= 20


def test_pages_are_cached_per_language(client, catalogue, settings):
    settings.PAGE_CACHE = True
    english = text_of(client.get("/en/organisations/pcpd/"))
    chinese = text_of(client.get("/zh-hant/organisations/pcpd/"))
    assert "<h1>Office of the Privacy Commissioner for Personal Data</h1>" in english
    assert "<h1>個人資料私隱專員公署</h1>" in chinese
    assert text_of(client.get("/en/organisations/pcpd/")) == english


def test_untranslated_names_in_lists_of_links_carry_their_language(client, catalogue):
    make_programme("Data Lab Scheme", lead_organisation=catalogue["pcpd"])
    text = text_of(client.get("/zh-hant/organisations/pcpd/"))
    assert '<span lang="en">Data Lab Scheme</span></a>' in text
    assert ">人工智能沙盒</a>" in text


@pytest.mark.parametrize(
    ("language", "heading"), [("zh-hant", "找不到網頁"), ("zh-hans", "找不到网页"), ("en", "Page not found")]
)
def test_missing_pages_say_so_in_the_language_of_their_address(client, language, heading):
    response = client.get(f"/{language}/organisations/no-such-organisation/")
    assert response.status_code == 404 and heading in response.content.decode()


@pytest.mark.parametrize("name", ["organisation-list", "programme-list", "guidance-list", "home", "search"])
def test_chinese_pages_run_no_more_queries_than_english_ones(client, catalogue, name):
    params = {"q": "ai"} if name == "search" else {}
    text_of(client.get(url(name, "en"), params))  # counts shared by every language are now cached
    counts = []
    for language in LANGUAGES:
        with CaptureQueriesContext(connection) as queries:
            text_of(client.get(url(name, language), params))
        counts.append(len(queries))
    assert counts[1] == counts[2] == counts[0], counts
