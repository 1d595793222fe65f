"""Markup the Nu HTML Checker accepts and addresses a search engine can trust, tested piece by piece (issue 18):
machine-readable dates, forms that submit to their own address, canonical addresses and their alternates."""

import datetime
import html
import re
import zoneinfo

import pytest
from django.utils import timezone

from directory.machine_dates import machine_datetime

from .factories import make_organisation, make_sector

# HTML's valid global date and time string, as this site writes it (to the second, with an offset), and a valid
# date string: https://html.spec.whatwg.org/multipage/common-microsyntaxes.html
GLOBAL_DATE_AND_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
HONG_KONG = zoneinfo.ZoneInfo("Asia/Hong_Kong")


def test_a_machine_datetime_drops_the_microseconds_and_keeps_the_time_zone():
    moment = datetime.datetime(2026, 11, 25, 9, 30, 5, 123456, tzinfo=HONG_KONG)
    assert machine_datetime(moment) == "2026-11-25T09:30:05+08:00"
    assert GLOBAL_DATE_AND_TIME.match(machine_datetime(moment))


def test_a_machine_datetime_is_in_hong_kong_time_whatever_zone_it_was_stored_in():
    moment = datetime.datetime(2026, 11, 25, 23, 0, 0, 999999, tzinfo=datetime.UTC)
    assert machine_datetime(moment) == "2026-11-26T07:00:00+08:00"


def test_a_machine_date_is_a_valid_date_string_and_nothing_is_empty():
    assert machine_datetime(datetime.date(2024, 6, 11)) == "2024-06-11"
    assert DATE.match(machine_datetime(datetime.date(2024, 6, 11)))
    assert machine_datetime(None) == ""


@pytest.mark.django_db
def test_every_time_element_on_a_detail_page_has_a_valid_datetime(client):
    make_organisation("HKUST", slug="hkust", last_verified_on=datetime.date(2026, 11, 2))
    text = client.get("/en/organisations/hkust/").content.decode()
    values = re.findall(r'<time datetime="([^"]*)"', text)
    assert values[0] == "2026-11-02"
    assert GLOBAL_DATE_AND_TIME.match(values[1]) and values[1].endswith("+08:00")
    assert len(values) == 2


@pytest.mark.django_db
def test_the_sitemap_index_writes_its_lastmod_in_the_same_format(client):
    make_organisation("HKUST")
    text = client.get("/sitemap.xml").content.decode()
    lastmods = re.findall(r"<lastmod>([^<]*)</lastmod>", text)
    assert lastmods and all(GLOBAL_DATE_AND_TIME.match(value) for value in lastmods)


@pytest.mark.django_db
def test_the_list_forms_submit_to_their_own_address_without_an_empty_action(client):
    make_organisation("HKUST", kind="university")
    text = client.get("/en/organisations/?kind=university").content.decode()
    forms = re.findall(r"<form\b[^>]*>", text)
    assert [form for form in forms if 'class="filters"' in form or 'class="sort"' in form]
    assert not [form for form in forms if 'action=""' in form]
    filters_and_sort = [form for form in forms if 'class="filters"' in form or 'class="sort"' in form]
    assert all("action=" not in form and 'method="get"' in form for form in filters_and_sort)


@pytest.mark.django_db
def test_the_search_box_submits_to_the_search_page_in_the_readers_language(client):
    text = client.get("/zh-hant/").content.decode()
    assert '<form class="search-box" method="get" action="/zh-hant/search/" role="search">' in text


def canonical(text):
    return html.unescape(re.search(r'<link rel="canonical" href="([^"]*)">', text).group(1))


@pytest.fixture
def many_universities():
    make_sector("Finance", slug="finance")
    for number in range(45):
        make_organisation(f"University {number:02d}", kind="university")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ""),
        ("?kind=university", "?kind=university"),
        ("?kind=university&page=2", "?kind=university&page=2"),
        ("?page=2", "?page=2"),
        ("?page=1", ""),
        ("?page=999", "?page=3"),
        ("?q=university", ""),
        ("?sort=name", ""),
        ("?year_min=2000", ""),
        ("?kind=university&kind=regulator", ""),
        ("?kind=university&sector=finance", ""),
        ("?kind=university&q=hong", ""),
        ("?kind=not-a-kind", ""),
    ],
)
def test_a_list_names_as_canonical_only_itself_unfiltered_or_with_one_facet_value(
    client, many_universities, query, expected
):
    response = client.get(f"/en/organisations/{query}")
    assert response.status_code == 200
    assert canonical(response.content.decode()) == f"http://testserver/en/organisations/{expected}"


@pytest.mark.django_db
def test_a_filtered_lists_alternates_are_its_canonical_address_in_every_language(client, many_universities):
    text = client.get("/zh-hant/organisations/?kind=university&sort=name").content.decode()
    assert '<link rel="alternate" hreflang="en" href="http://testserver/en/organisations/">' in text
    assert '<link rel="alternate" hreflang="zh-Hans" href="http://testserver/zh-hans/organisations/">' in text
    assert '<link rel="alternate" hreflang="x-default" href="http://testserver/organisations/">' in text
    assert '<meta property="og:url" content="http://testserver/zh-hant/organisations/">' in text


@pytest.mark.django_db
def test_a_search_names_the_search_page_as_canonical(client):
    text = client.get("/en/search/?q=university").content.decode()
    assert canonical(text) == "http://testserver/en/search/"


@pytest.mark.django_db
def test_a_missing_page_names_no_canonical_address_nor_alternates(client):
    text = client.get("/en/no-such-page/").content.decode()
    assert 'rel="canonical"' not in text and 'rel="alternate"' not in text and "og:url" not in text


@pytest.mark.django_db
def test_the_pagination_links_to_the_first_page_without_a_page_number(client, many_universities):
    text = client.get("/en/organisations/?kind=university&page=2").content.decode()
    pagination = text[text.index('class="pagination"') :]
    assert 'href="?kind=university" rel="prev"' in pagination
    assert 'href="?kind=university" aria-label="Page 1"' in pagination
    assert 'href="?kind=university&amp;page=3"' in pagination
    assert "page=1" not in pagination


def test_machine_datetime_of_now_is_valid():
    assert GLOBAL_DATE_AND_TIME.match(machine_datetime(timezone.now()))
