import datetime
import json
import re

import pytest
from django.utils import timezone

from directory.choices import Status

from .factories import make_guidance, make_organisation, make_programme, make_sector, make_topic

pytestmark = pytest.mark.django_db

HIDDEN = [
    {"status": Status.DRAFT},
    {"status": Status.ARCHIVED},
    {"published_at": timezone.now() + datetime.timedelta(days=2)},
]


def text_of(client, item):
    response = client.get(item.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_organisation_page_shows_every_public_field_and_provenance(client):
    sector = make_sector("Finance")
    organisation = make_organisation(
        "Hong Kong Monetary Authority",
        kind="regulator",
        summary="The central banking institution.",
        description="It supervises banks.",
        website="https://www.hkma.gov.hk",
        founded_year=1993,
        source_url="https://example.org/hkma",
        last_verified_on=datetime.date(2026, 10, 1),
    )
    organisation.sectors.set([sector])
    text = text_of(client, organisation)
    for expected in (
        "Hong Kong Monetary Authority",
        "Regulator",
        "The central banking institution.",
        "It supervises banks.",
        "1993",
        "Finance",
        "https://example.org/hkma",
        "1 October 2026",
    ):
        assert expected in text
    assert 'href="https://www.hkma.gov.hk" rel="external noopener noreferrer"' in text
    assert 'href="https://example.org/hkma" rel="external noopener noreferrer"' in text


def test_organisation_page_lists_its_related_items_that_are_published(client):
    university = make_organisation("University")
    organisation = make_organisation("Centre", parent=university)
    make_organisation("Lab", parent=organisation)
    make_programme("Led Programme", lead_organisation=organisation)
    make_programme("Partnered Programme").partners.set([organisation])
    make_guidance("Its Guidance", publisher=organisation)
    for number, hidden in enumerate(HIDDEN):
        make_organisation(f"Hidden Lab {number}", parent=organisation, **hidden)
        make_programme(f"Hidden Programme {number}", lead_organisation=organisation, **hidden)
        make_guidance(f"Hidden Guidance {number}", publisher=organisation, **hidden)
    text = text_of(client, organisation)
    for expected in ("University", "Lab", "Led Programme", "Partnered Programme", "Its Guidance"):
        assert expected in text
    assert "Hidden" not in text


def test_unpublished_parent_is_not_shown(client):
    parent = make_organisation("Secret Parent", status=Status.DRAFT)
    assert "Secret Parent" not in text_of(client, make_organisation("Child", parent=parent))


def test_programme_page_shows_its_organisations_and_dates(client):
    lead = make_organisation("Innovation and Technology Commission")
    partner = make_organisation("Cyberport")
    hidden_partner = make_organisation("Draft Partner", status=Status.DRAFT)
    programme = make_programme(
        "AI Subsidy Scheme",
        lead_organisation=lead,
        start_date=datetime.date(2024, 1, 1),
        end_date=datetime.date(2026, 12, 31),
        dates_precision="year",
    )
    programme.partners.set([partner, hidden_partner])
    text = text_of(client, programme)
    assert "Innovation and Technology Commission" in text and "Cyberport" in text
    assert "Draft Partner" not in text
    assert "2024" in text and "1 January 2024" not in text


def test_guidance_page_shows_publisher_topics_and_supersession_both_ways(client):
    publisher = make_organisation("PCPD")
    privacy = make_topic("Data privacy")
    oldest = make_guidance("Oldest", publisher=publisher)
    middle = make_guidance("Middle", publisher=publisher, supersedes=oldest, date_published=datetime.date(2024, 6, 11))
    make_guidance("Newest", publisher=publisher, supersedes=middle)
    make_guidance("Draft newer", publisher=publisher, supersedes=middle, status=Status.DRAFT)
    middle.topics.set([privacy])
    sibling = make_guidance("Sibling on privacy", publisher=publisher)
    sibling.topics.set([privacy])
    hidden_sibling = make_guidance("Hidden sibling", publisher=publisher, status=Status.ARCHIVED)
    hidden_sibling.topics.set([privacy])
    text = text_of(client, middle)
    for expected in (
        "PCPD",
        "Data privacy",
        "Supersedes",
        "Oldest",
        "Superseded by",
        "Newest",
        "Sibling on privacy",
        "11 June 2024",
        "Superseded",
    ):
        assert expected in text
    assert "Draft newer" not in text and "Hidden sibling" not in text


def test_month_precision_dates_show_only_month_and_year(client):
    guidance = make_guidance("Framework", date_published=datetime.date(2018, 10, 1), date_precision="month")
    assert "October 2018" in text_of(client, guidance)
    assert "1 October 2018" not in text_of(client, guidance)


def test_detail_pages_have_breadcrumbs(client):
    text = text_of(client, make_programme("InnoHK"))
    assert re.search(r'aria-label="Breadcrumb".*href="/en/".*href="/en/programmes/"', text, re.S)


def json_ld(text):
    return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', text, re.S).group(1))


@pytest.mark.parametrize(
    ("kind", "schema_type"),
    [("government", "GovernmentOrganization"), ("university", "CollegeOrUniversity"), ("startup", "Organization")],
)
def test_organisation_json_ld_uses_the_schema_org_type(client, kind, schema_type):
    data = json_ld(text_of(client, make_organisation("Body", kind=kind, summary="About it.")))
    assert data["@type"] == schema_type
    assert data["name"] == "Body"
    assert data["url"].endswith("/en/organisations/body/")


def test_guidance_json_ld_is_a_creative_work_and_cannot_break_out_of_its_script(client):
    guidance = make_guidance("Rules </script><script>alert(1)</script>", date_published=datetime.date(2024, 6, 11))
    text = text_of(client, guidance)
    data = json_ld(text)
    assert data["@type"] == "CreativeWork"
    assert data["datePublished"] == "2024-06-11"
    assert "<script>alert(1)" not in text


def test_detail_page_has_title_description_canonical_and_open_graph(client):
    organisation = make_organisation("HKUST", summary="A research university in Clear Water Bay.")
    text = text_of(client, organisation)
    assert "<title>HKUST · HK AI Portal</title>" in text
    assert '<meta name="description" content="A research university in Clear Water Bay.">' in text
    assert '<link rel="canonical" href="http://testserver/en/organisations/hkust/">' in text
    assert '<meta property="og:title" content="HKUST">' in text
