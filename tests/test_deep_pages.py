"""Page numbers stop at what a reader could reach: any number gives one of the first MAX_PAGES pages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from directory import listing

from .factories import make_organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_pages_capped_at_two(monkeypatch):
    monkeypatch.setattr(listing, "MAX_PAGES", 2)
    for number in range(45):
        make_organisation(f"Organisation {number:02}")


@pytest.mark.parametrize("page", ["3", "4000", "9" * 30])
def test_a_page_past_the_cap_shows_the_last_reachable_page(client, three_pages_capped_at_two, page):
    response = client.get("/en/organisations/", {"page": page})
    assert response.status_code == 200
    assert response.context["page_obj"].number == 2
    assert [o.name for o in response.context["object_list"]][0] == "Organisation 20"


def test_the_count_says_how_many_there_are_and_the_links_stop_at_the_cap(client, three_pages_capped_at_two):
    response = client.get("/en/organisations/")
    text = response.content.decode()
    assert "45 organisations" in text
    assert 'href="?page=2"' in text and 'href="?page=3"' not in text
    assert "Only the first 2 pages can be browsed. Narrow the list with the filters or a search" in text


def test_a_list_within_the_cap_has_no_note(client, monkeypatch):
    monkeypatch.setattr(listing, "MAX_PAGES", 3)
    for number in range(45):
        make_organisation(f"Organisation {number:02}")
    response = client.get("/en/organisations/", {"page": "3"})
    assert response.context["page_obj"].number == 3
    assert "can be browsed" not in response.content.decode()


def test_no_page_skips_more_rows_than_the_cap_allows(client, three_pages_capped_at_two):
    with CaptureQueriesContext(connection) as queries:
        client.get("/en/organisations/", {"page": "4000"})
    offsets = [sql for sql in (query["sql"] for query in queries.captured_queries) if "OFFSET" in sql]
    assert offsets and all(sql.rstrip().endswith("OFFSET 20") for sql in offsets), offsets
