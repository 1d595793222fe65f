"""Filter values are checked against what is published at the time of the request, not when the worker started."""

import pytest
from django.utils import timezone

from .factories import make_guidance, make_organisation, make_programme

pytestmark = pytest.mark.django_db


def just_published(name):
    # Not back-dated as the factories do: published after the filterset classes were defined, at import.
    return make_organisation(name, published_at=timezone.now())


def test_an_organisation_published_after_start_up_is_understood_as_a_parent(client):
    parent = just_published("New Parent")
    child = make_organisation("Its Child", parent=parent)
    make_organisation("Someone Else")
    response = client.get("/en/organisations/", {"parent": parent.slug})
    assert response.context["ignored"] == []
    assert list(response.context["object_list"]) == [child]


def test_an_organisation_published_after_start_up_is_understood_as_a_programme_organisation(client):
    lead = just_published("New Lead")
    programme = make_programme("Its Programme", lead_organisation=lead)
    make_programme("Another Programme")
    response = client.get("/en/programmes/", {"organisation": lead.slug})
    assert response.context["ignored"] == []
    assert list(response.context["object_list"]) == [programme]


def test_an_organisation_published_after_start_up_is_understood_as_a_publisher(client):
    publisher = just_published("New Publisher")
    guidance = make_guidance("Its Guidance", publisher=publisher)
    make_guidance("Other Guidance")
    response = client.get("/en/guidance/", {"publisher": publisher.slug})
    assert response.context["ignored"] == []
    assert list(response.context["object_list"]) == [guidance]
    assert [chip.label for chip in response.context["chips"]] == ["Publisher: New Publisher"]
