import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from directory.choices import Status

from .factories import make_guidance, make_organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_content():
    call_command("load_demo_content", stdout=io.StringIO())


def listed(client, url_name, q):
    return [str(item) for item in client.get(reverse(url_name), {"q": q}).context["object_list"]]


def test_privacy_search_finds_the_privacy_commissioner_and_its_guidance(client, demo_content):
    assert "Office of the Privacy Commissioner for Personal Data" in listed(
        client, "directory:organisation-list", "privacy"
    )
    assert "Guidance on the Ethical Development and Use of Artificial Intelligence" in listed(
        client, "directory:guidance-list", "privacy"
    )


def test_search_is_case_insensitive(client, demo_content):
    assert listed(client, "directory:organisation-list", "CYBERPORT") == listed(
        client, "directory:organisation-list", "cyberport"
    )
    assert listed(client, "directory:organisation-list", "cyberport")


def test_generative_ai_search_finds_the_generative_ai_guidance(client, demo_content):
    titles = listed(client, "directory:guidance-list", "generative")
    assert "Hong Kong Generative Artificial Intelligence Technical and Application Guideline" in titles
    assert "High-level Principles on Artificial Intelligence" not in titles


def test_site_search_groups_results_by_type_with_counts(client, demo_content):
    response = client.get(reverse("directory:search"), {"q": "sandbox"})
    groups = {str(group["label"]): group for group in response.context["groups"]}
    assert set(groups) == {"Organisations", "Programmes", "Ethics guidance"}
    assert groups["Programmes"]["count"] >= 1
    assert "GenA.I. Sandbox" in [str(item) for item in groups["Programmes"]["results"]]
    assert response.context["total"] == sum(group["count"] for group in groups.values())


def test_site_search_never_shows_unpublished_items(client):
    make_organisation("Visible robotics lab")
    make_organisation("Draft robotics lab", status=Status.DRAFT)
    make_guidance("Archived robotics guidance", status=Status.ARCHIVED)
    text = client.get(reverse("directory:search"), {"q": "robotics"}).content.decode()
    assert "Visible robotics lab" in text
    assert "Draft robotics lab" not in text and "Archived robotics guidance" not in text


def test_site_search_with_no_query_shows_just_the_form(client):
    response = client.get(reverse("directory:search"))
    assert response.status_code == 200
    assert response.context["groups"] == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="ranking is PostgreSQL full-text search")
def test_postgresql_ranks_name_matches_above_passing_mentions(client):
    make_organisation("Robotics Institute", summary="Robotics research and robotics education.")
    make_organisation("Trading House", summary="Mentions robotics once among many other activities and trades.")
    assert listed(client, "directory:organisation-list", "robotics") == ["Robotics Institute", "Trading House"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="stemming is PostgreSQL full-text search")
def test_postgresql_search_matches_word_forms(client):
    make_organisation("Principled AI Lab", summary="Publishes principles for regulators.")
    assert listed(client, "directory:organisation-list", "principle") == ["Principled AI Lab"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the GIN index exists only on PostgreSQL")
def test_postgresql_has_a_gin_full_text_index_for_each_list():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE '%%_search_idx'")
        indexes = dict(cursor.fetchall())
    assert set(indexes) == {"organisation_search_idx", "programme_search_idx", "guidance_search_idx"}
    assert all("USING gin" in definition and "to_tsvector" in definition for definition in indexes.values())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the GIN index exists only on PostgreSQL")
def test_postgresql_search_query_can_use_the_gin_index():
    from directory.models import Organisation
    from directory.search import search

    make_organisation("Robotics Institute")
    queryset = search(Organisation.objects.order_by(), "robotics", ("name", "summary"))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = queryset.explain()
    assert "organisation_search_idx" in plan
