import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

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
    for item in (organisation, make_programme(lead_organisation=organisation), guidance):
        with django_assert_max_num_queries(10):
            assert client.get(item.get_absolute_url()).status_code == 200


def test_within_a_search_kind_and_parent_are_counted_in_one_query(client, django_assert_max_num_queries):
    populate(5)
    # Kind and parent together, sectors, the page, the page's sectors; on SQLite, first, the search's hits in the
    # trigram index, which the others then reuse.
    with django_assert_max_num_queries(4 if connection.vendor == "postgresql" else 5):
        client.get(reverse("directory:organisation-list"), {"q": "org", "kind": "university"})


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the search's hits are read by id on SQLite")
def test_within_a_search_the_page_reads_only_the_items_that_pass_every_filter(client):
    education = make_sector("Education", slug="education")
    wanted = make_organisation("Robotics Institute", kind="university")
    wanted.sectors.set([education])
    make_organisation("Robotics Lab", kind="university")  # no sector
    make_organisation("Robotics Startup", kind="startup").sectors.set([education])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(
            reverse("directory:organisation-list"), {"q": "robotics", "kind": "university", "sector": "education"}
        )
    assert [item.name for item in response.context["object_list"]] == ["Robotics Institute"]
    rows = 'SELECT "directory_organisation"."id"'
    page_query = next(query["sql"] for query in queries if query["sql"].startswith(rows))
    # The counts of kind and parent named the one item that passes every filter; the page read only that one,
    # not the three the search matched.
    assert f"json_each('[{wanted.pk}]')" in page_query
