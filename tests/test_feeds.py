"""Atom feeds of any filtered list and of an organisation's new work: valid Atom, the list's items, published only."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from directory.chinese import to_simplified
from directory.choices import Status
from directory.models import Guidance

from .factories import make_guidance, make_organisation, make_programme, make_topic

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def parse_atom(response):
    """Parse `response` as an Atom feed, checking what RFC 4287 requires of a feed and of each entry."""
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    for element in (feed, *feed.findall(f"{ATOM}entry")):
        for required in ("id", "title", "updated"):
            assert len(element.findall(f"{ATOM}{required}")) == 1, f"{element.tag} needs one {required}"
        datetime.datetime.fromisoformat(element.find(f"{ATOM}updated").text)
    assert feed.find(f"{ATOM}author/{ATOM}name").text
    return feed


def titles(feed):
    return [entry.find(f"{ATOM}title").text for entry in feed.findall(f"{ATOM}entry")]


def days_ago(days):
    return timezone.now() - datetime.timedelta(days=days)


def test_a_list_feed_holds_the_lists_items_newest_first(client):
    for days, name in [(3, "Older lab"), (1, "Newest lab"), (2, "Middle lab")]:
        make_organisation(name, published_at=days_ago(days))
    feed = parse_atom(client.get("/en/organisations/feed/"))
    assert titles(feed) == ["Newest lab", "Middle lab", "Older lab"]


def test_a_feed_carries_the_lists_filters_and_search(client):
    regulator = make_organisation("Hong Kong Monetary Authority", kind="regulator")
    other = make_organisation("Privacy Commissioner", kind="regulator")
    generative = make_topic("Generative AI")
    wanted = make_guidance("Generative AI in banking", publisher=regulator)
    wanted.topics.add(generative)
    make_guidance("Banking capital rules", publisher=regulator)
    make_guidance("Generative AI and personal data", publisher=other).topics.add(generative)

    query = f"?publisher={regulator.slug}&topic={generative.slug}"
    feed = parse_atom(client.get(f"/en/guidance/feed/{query}"))
    assert titles(feed) == ["Generative AI in banking"]
    assert "Hong Kong Monetary Authority" in feed.find(f"{ATOM}title").text
    alternate = feed.find(f"{ATOM}link[@rel='alternate']").get("href")
    assert alternate.endswith(f"/en/guidance/{query}")
    assert feed.find(f"{ATOM}link[@rel='self']").get("href").endswith(f"/en/guidance/feed/{query}")

    searched = parse_atom(client.get("/en/guidance/feed/?q=personal+data"))
    assert titles(searched) == ["Generative AI and personal data"]


def test_a_feed_gives_the_same_items_as_the_list_sorted_newest(client):
    for days in range(1, 8):
        kind = "funding_scheme" if days % 2 else "sandbox"
        make_programme(f"Programme {days}", published_at=days_ago(days), kind=kind)
    listed = client.get("/en/programmes/?kind=funding_scheme&sort=newest").context["object_list"]
    feed = parse_atom(client.get("/en/programmes/feed/?kind=funding_scheme"))
    assert titles(feed) == [programme.name for programme in listed]


def test_a_feed_never_holds_a_draft_an_archived_or_a_future_item(client):
    make_organisation("Live lab")
    make_organisation("Draft lab", status=Status.DRAFT)
    make_organisation("Archived lab", status=Status.ARCHIVED)
    make_organisation("Future lab", published_at=timezone.now() + datetime.timedelta(days=1))
    assert titles(parse_atom(client.get("/en/organisations/feed/"))) == ["Live lab"]


def test_a_feed_is_in_the_pages_language(client):
    make_organisation("Hong Kong University of Science and Technology", name_zh_hant="香港科技大學")
    traditional = parse_atom(client.get("/zh-hant/organisations/feed/"))
    assert traditional.get("{http://www.w3.org/XML/1998/namespace}lang") == "zh-hant"
    assert titles(traditional) == ["香港科技大學"]
    assert traditional.find(f"{ATOM}entry/{ATOM}link").get("href").split("/", 3)[3].startswith("zh-hant/")
    simplified = parse_atom(client.get("/zh-hans/organisations/feed/"))
    assert titles(simplified) == ["香港科技大学"]
    assert simplified.find(f"{ATOM}title").text == to_simplified(traditional.find(f"{ATOM}title").text)


def test_markup_in_a_summary_reaches_feed_readers_as_text(client):
    make_organisation("Lab", summary="Robots <script>alert(1)</script> & more")
    summary = parse_atom(client.get("/en/organisations/feed/")).find(f"{ATOM}entry/{ATOM}summary")
    assert summary.get("type") == "html"
    assert summary.text == "Robots &lt;script&gt;alert(1)&lt;/script&gt; &amp; more"


def test_a_feed_refuses_filters_it_does_not_understand(client):
    response = client.get("/en/guidance/feed/?topic=no-such-topic&year_min=soon")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert "Topic" in response.content.decode()


def test_every_list_links_its_feed_with_the_same_filters(client):
    make_organisation("Lab", kind="startup")
    page = client.get("/en/organisations/?kind=startup&sort=name&page=1").content.decode()
    assert 'type="application/atom+xml" href="/en/organisations/feed/?kind=startup"' in page
    assert 'href="/en/organisations/feed/?kind=startup" type="application/atom+xml"' in page


def test_an_organisation_feed_holds_its_new_programmes_and_guidance(client):
    hkma = make_organisation("Hong Kong Monetary Authority", kind="regulator")
    partner = make_organisation("Cyberport")
    make_programme("GenAI Sandbox", lead_organisation=hkma, published_at=days_ago(1))
    make_programme("Fintech scheme", lead_organisation=partner, published_at=days_ago(3)).partners.add(hkma)
    make_guidance("High-level principles", publisher=hkma, published_at=days_ago(2))
    make_guidance("Joint statement", publisher=partner, published_at=days_ago(4)).co_publishers.add(hkma)
    make_programme("Someone else's", lead_organisation=partner)
    make_guidance("A draft", publisher=hkma, status=Status.DRAFT)

    detail = client.get(hkma.get_absolute_url()).content.decode()
    feed_url = f"/en/organisations/{hkma.slug}/feed/"
    assert f'href="{feed_url}"' in detail
    feed = parse_atom(client.get(feed_url))
    assert titles(feed) == ["GenAI Sandbox", "High-level principles", "Fintech scheme", "Joint statement"]


def test_a_draft_organisation_has_no_feed(client):
    draft = make_organisation("Draft lab", status=Status.DRAFT)
    assert client.get(f"/en/organisations/{draft.slug}/feed/").status_code == 404


def test_a_feed_is_served_from_the_page_cache_until_content_changes(client, settings, django_assert_max_num_queries):
    settings.PAGE_CACHE = True
    make_organisation("First lab")
    client.get("/en/organisations/feed/")
    with django_assert_max_num_queries(1):  # the content version
        assert titles(parse_atom(client.get("/en/organisations/feed/"))) == ["First lab"]
    make_organisation("Second lab")
    assert titles(parse_atom(client.get("/en/organisations/feed/"))) == ["Second lab", "First lab"]


def test_a_feeds_queries_do_not_grow_with_its_items(client):
    hkma = make_organisation("Hong Kong Monetary Authority", kind="regulator")

    def queries(url):
        client.get(url)  # the index and the per-version sets are made once, by the first request
        with CaptureQueriesContext(connection) as context:
            parse_atom(client.get(url))
        return len(context)

    counts = []
    for total in (3, 30):
        while Guidance.objects.count() < total:
            make_guidance(f"Circular {Guidance.objects.count()}", publisher=hkma)
        counts.append((queries("/en/guidance/feed/?q=circular"), queries(f"/en/organisations/{hkma.slug}/feed/")))
    assert counts[0] == counts[1]


def test_an_item_named_feed_does_not_shadow_the_lists_feed(client):
    organisation = make_organisation("Feed")
    assert organisation.slug == "feed-2"
    organisation.slug = "feed"
    with pytest.raises(ValidationError) as error:
        organisation.full_clean()
    assert "slug" in error.value.message_dict
