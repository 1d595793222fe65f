"""The sitemap index and its sections: published items only, every language with its alternates, and a cost that does
not grow with the number of items (issue 11)."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from directory.choices import Status
from directory.models import Organisation
from directory.sitemaps import PublishedSitemap

from .factories import make_guidance, make_organisation, make_programme

pytestmark = pytest.mark.django_db

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9", "xhtml": "http://www.w3.org/1999/xhtml"}


@pytest.fixture
def small_pages(monkeypatch):
    """Two items a page, so that a handful of items makes several pages."""
    monkeypatch.setattr(PublishedSitemap, "limit", 2)


def index_entries(client):
    """Return [(path and query, lastmod)] of the sitemap index."""
    root = ET.fromstring(client.get("/sitemap.xml").content)
    return [
        (
            entry.findtext("sm:loc", namespaces=NS).removeprefix("http://testserver"),
            entry.findtext("sm:lastmod", namespaces=NS),
        )
        for entry in root.findall("sm:sitemap", NS)
    ]


def section_urls(client, path):
    """Return {location: (lastmod, {hreflang: href})} of one sitemap page."""
    response = client.get(path)
    assert response["Content-Type"] == "application/xml"
    root = ET.fromstring(response.content)
    return {
        url.findtext("sm:loc", namespaces=NS): (
            url.findtext("sm:lastmod", namespaces=NS),
            {link.get("hreflang"): link.get("href") for link in url.findall("xhtml:link", NS)},
        )
        for url in root.findall("sm:url", NS)
    }


def set_updated_at(item, moment):
    type(item).objects.filter(pk=item.pk).update(updated_at=moment)


def test_the_index_lists_every_page_of_every_section_with_the_sections_latest_change(client, small_pages):
    organisations = [make_organisation(f"Lab {number}") for number in range(5)]
    set_updated_at(organisations[1], datetime.datetime(2025, 3, 4, 1, 2, 3, tzinfo=datetime.UTC))
    for organisation in organisations[2:]:
        set_updated_at(organisation, datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC))
    set_updated_at(organisations[0], datetime.datetime(2023, 1, 1, tzinfo=datetime.UTC))
    # Later changes to items the public cannot see do not count.
    draft = make_organisation("Draft Lab", status=Status.DRAFT)
    set_updated_at(draft, datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
    guidance = make_guidance("Principles", publisher=organisations[0])
    set_updated_at(guidance, datetime.datetime(2022, 6, 1, 12, 0, tzinfo=datetime.UTC))

    entries = dict(index_entries(client))
    latest = "2025-03-04T09:02:03+08:00"  # the site's time zone
    assert {path: lastmod for path, lastmod in entries.items() if "organisations" in path} == {
        "/sitemap-organisations.xml": latest,
        "/sitemap-organisations.xml?p=2": latest,
        "/sitemap-organisations.xml?p=3": latest,
    }
    assert entries["/sitemap-guidance.xml"] == "2022-06-01T20:00:00+08:00"
    assert entries["/sitemap-programmes.xml"] is None  # no programme: one empty page, with no date


def test_the_index_reads_one_aggregate_per_section_never_the_items(client, small_pages):
    for number in range(7):
        make_organisation(f"Lab {number}")
    cache.clear()
    with CaptureQueriesContext(connection) as made:
        client.get("/sitemap.xml")
    item_queries = [query["sql"] for query in made if "directory_organisation" in query["sql"]]
    assert item_queries
    assert all("COUNT(" in sql or "MAX(" in sql or "MIN(" in sql for sql in item_queries), item_queries


@pytest.mark.parametrize("organisations", [1, 12])
def test_the_index_runs_a_bounded_number_of_queries_whatever_the_number_of_items(
    client, small_pages, organisations, django_assert_max_num_queries
):
    for number in range(organisations):
        make_organisation(f"Lab {number}")
    cache.clear()
    # Per section: the content version, the next publication due and the aggregate; once computed, the version.
    with django_assert_max_num_queries(9):
        client.get("/sitemap.xml")
    with django_assert_max_num_queries(3):
        client.get("/sitemap.xml")


def test_a_section_page_lists_each_published_item_in_every_language_with_its_alternates(client):
    lab = make_organisation("Robot Lab", slug="robot-lab")
    set_updated_at(lab, datetime.datetime(2025, 5, 31, 20, 0, tzinfo=datetime.UTC))
    make_organisation("Draft Lab", slug="draft-lab", status=Status.DRAFT)
    make_organisation("Future Lab", slug="future-lab", published_at=timezone.now() + datetime.timedelta(days=1))
    make_organisation("Archived Lab", slug="archived-lab", status=Status.ARCHIVED)

    alternates = {
        language: f"http://testserver/{language}/organisations/robot-lab/" for language in ("en", "zh-hant", "zh-hans")
    }
    # 20:00 UTC is the next day in Hong Kong.
    expected = dict.fromkeys(alternates.values(), ("2025-06-01", alternates))
    assert section_urls(client, "/sitemap-organisations.xml") == expected


def test_a_section_page_holds_its_share_of_the_items_in_order(client, small_pages):
    slugs = [make_organisation(f"Lab {number}", slug=f"lab-{number}").slug for number in range(5)]
    pages = [section_urls(client, f"/sitemap-organisations.xml?p={page}") for page in (1, 2, 3)]
    listed = [
        [location.split("/")[-2] for location in page if location.startswith("http://testserver/en/")] for page in pages
    ]
    assert listed == [slugs[0:2], slugs[2:4], slugs[4:5]]


@pytest.mark.parametrize(
    "path", ["/sitemap-nothing.xml", "/sitemap-organisations.xml?p=9", "/sitemap-guidance.xml?p=x"]
)
def test_an_unknown_section_or_page_is_a_404(client, path):
    make_organisation("Lab")
    assert client.get(path).status_code == 404


def test_a_section_page_runs_the_same_queries_whatever_the_number_of_items(client, django_assert_max_num_queries):
    for number in range(30):
        make_organisation(f"Lab {number}")
    client.get("/sitemap-organisations.xml")
    # The content version (for the count kept with it) and the page's rows.
    with django_assert_max_num_queries(2):
        assert client.get("/sitemap-organisations.xml").status_code == 200


class TestFromTheCache:
    @pytest.fixture(autouse=True)
    def page_cache_on(self, settings):
        settings.PAGE_CACHE = True

    @pytest.mark.parametrize("path", ["/sitemap.xml", "/sitemap-organisations.xml", "/sitemap-guidance.xml"])
    def test_a_second_request_is_served_from_the_cache(self, client, path, django_assert_max_num_queries):
        make_guidance("Principles", publisher=make_organisation("Lab"))
        fresh = client.get(path)
        with django_assert_max_num_queries(1):  # the content version
            cached = client.get(path)
        assert cached.content == fresh.content
        assert cached["Content-Type"] == "application/xml"
        assert cached["X-Robots-Tag"] == fresh["X-Robots-Tag"]

    def test_the_cached_sitemap_serves_readers_of_every_language(self, client, django_assert_max_num_queries):
        make_organisation("Lab")
        fresh = client.get("/sitemap-organisations.xml", HTTP_ACCEPT_LANGUAGE="zh-HK")
        with django_assert_max_num_queries(1):
            cached = client.get("/sitemap-organisations.xml", HTTP_ACCEPT_LANGUAGE="en")
        assert cached.content == fresh.content

    def test_each_host_has_its_own_cached_sitemap(self, client):
        make_organisation("Lab", slug="lab")
        assert (
            b"http://localhost/en/organisations/lab/"
            in client.get("/sitemap-organisations.xml", HTTP_HOST="localhost").content
        )
        assert (
            b"https://127.0.0.1/sitemap-organisations.xml"
            in client.get("/sitemap.xml", HTTP_HOST="127.0.0.1", secure=True).content
        )

    def test_an_edit_shows_at_once(self, client):
        lab = make_organisation("Lab", slug="old-lab")
        # A minute ago: lastmod is written to the second, and the edit below must show as a later one.
        set_updated_at(lab, timezone.now() - datetime.timedelta(minutes=1))
        assert "http://testserver/en/organisations/old-lab/" in section_urls(client, "/sitemap-organisations.xml")
        first = dict(index_entries(client))["/sitemap-organisations.xml"]
        lab.slug = "new-lab"
        lab.save()
        urls = section_urls(client, "/sitemap-organisations.xml")
        assert "http://testserver/en/organisations/new-lab/" in urls
        assert "http://testserver/en/organisations/old-lab/" not in urls
        assert dict(index_entries(client))["/sitemap-organisations.xml"] > first

    def test_a_draft_never_appears_and_an_unpublished_item_leaves_at_once(self, client):
        lab = make_organisation("Lab", slug="lab")
        make_organisation("Draft Lab", slug="draft-lab", status=Status.DRAFT)
        assert [url.split("/")[-2] for url in section_urls(client, "/sitemap-organisations.xml")] == ["lab"] * 3
        Organisation.objects.filter(pk=lab.pk).update(status=Status.DRAFT)
        assert section_urls(client, "/sitemap-organisations.xml") == {}

    def test_a_future_dated_item_appears_once_it_comes_due(self, client, monkeypatch):
        make_programme("Running Fund")
        soon = timezone.now() + datetime.timedelta(minutes=5)
        make_programme("Scheduled Fund", slug="scheduled-fund", published_at=soon)
        assert len(section_urls(client, "/sitemap-programmes.xml")) == 3
        monkeypatch.setattr(timezone, "now", lambda: soon + datetime.timedelta(seconds=1))
        urls = section_urls(client, "/sitemap-programmes.xml")
        assert "http://testserver/en/programmes/scheduled-fund/" in urls
