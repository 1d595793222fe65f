import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from directory import search_index

from .factories import make_guidance, make_organisation, make_programme, make_sector, make_topic

pytestmark = pytest.mark.django_db


def populate(size):
    sectors = [make_sector() for _ in range(3)]
    topics = [make_topic() for _ in range(3)]
    parent = make_organisation("Parent University")
    for number in range(size):
        organisation = make_organisation(parent=parent if number % 2 else None)
        organisation.sectors.set(sectors[: number % 3 + 1])
        programme = make_programme(lead_organisation=organisation)
        programme.partners.set([parent, organisation])
        programme.sectors.set(sectors)
        guidance = make_guidance(publisher=organisation)
        guidance.topics.set(topics)
        guidance.sectors.set(sectors)


def queries_for(client, url, params):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200
    return len(captured)


LIST_CASES = [
    ("directory:organisation-list", {}),
    ("directory:organisation-list", {"kind": "university", "sector": "x", "parent": "parent-university", "q": "org"}),
    ("directory:programme-list", {}),
    ("directory:programme-list", {"state": "open", "organisation": "parent-university", "sector": "x"}),
    ("directory:guidance-list", {}),
    ("directory:guidance-list", {"topic": "x", "binding": "binding", "state": "in_force", "publisher": "y"}),
    ("directory:home", {}),
    ("directory:search", {"q": "o"}),
]


@pytest.mark.parametrize(("url_name", "params"), LIST_CASES)
def test_pages_run_the_same_number_of_queries_however_many_items(client, url_name, params):
    populate(3)
    few = queries_for(client, reverse(url_name), params)
    populate(30)
    many = queries_for(client, reverse(url_name), params)
    assert many == few


@pytest.mark.parametrize(("url_name", "params"), LIST_CASES[:6])
def test_list_pages_stay_within_a_small_query_budget(client, django_assert_max_num_queries, url_name, params):
    populate(25)
    # The first search after writes also indexes them, and counts the published set in memory (a few queries per
    # model, filter and facet, however many items): see test_pages_run_the_same_number_of_queries_however_many_items.
    search_index.refresh()
    client.get(reverse(url_name), params)
    with django_assert_max_num_queries(14):
        client.get(reverse(url_name), params)


def test_detail_pages_run_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    populate(10)
    organisation = make_organisation("Busy Org")
    for _ in range(10):
        make_programme(lead_organisation=organisation)
        make_guidance(publisher=organisation)
        make_organisation(parent=organisation)
    guidance = make_guidance(publisher=organisation)
    guidance.topics.set(make_topic() for _ in range(5))
    # Each related section (parent, clusters, founders, members, schemes ...) is one query, whatever its size.
    for item in (organisation, make_programme(lead_organisation=organisation), guidance):
        with django_assert_max_num_queries(14):
            assert client.get(item.get_absolute_url()).status_code == 200


def test_a_searched_list_reads_only_its_matches_and_its_page(client, django_assert_max_num_queries):
    populate(5)
    client.get(reverse("directory:organisation-list"), {"q": "org", "kind": "university"})
    # Whether the search index has writes to catch up with, the content version, the search's matches and name
    # matches (on SQLite in two queries, on PostgreSQL in one, in a transaction of its own: BEGIN, SET LOCAL,
    # COMMIT), the page's rows and their sectors. The facets and the total are counted in memory, and the filters'
    # masks were made by the first request of this version.
    with django_assert_max_num_queries(8 if connection.vendor == "postgresql" else 6):
        client.get(reverse("directory:organisation-list"), {"q": "organisation", "kind": "university"})
