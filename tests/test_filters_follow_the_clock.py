"""Filter values are checked against what is published at the time of the request, not when the worker started."""

import pytest
from django.utils import timezone

from .factories import make_guidance, make_organisation, make_programme

pytestmark = pytest.mark.django_db


def child_of(organisation):
    return make_organisation("Its Child", parent=organisation)


def programme_led_by(organisation):
    return make_programme("Its Programme", lead_organisation=organisation)


def guidance_published_by(organisation):
    return make_guidance("Its Guidance", publisher=organisation)


@pytest.mark.parametrize(
    ("url", "parameter", "label", "make_item", "make_other"),
    [
        ("/en/organisations/", "parent", "Part of", child_of, make_organisation),
        ("/en/programmes/", "organisation", "Organisation", programme_led_by, make_programme),
        ("/en/guidance/", "publisher", "Publisher", guidance_published_by, make_guidance),
    ],
)
def test_an_organisation_published_after_start_up_is_understood_as_a_filter_value(
    client, url, parameter, label, make_item, make_other
):
    # Not back-dated as the factories do: published after the filterset classes were defined, at import.
    organisation = make_organisation("Newly Published", published_at=timezone.now())
    item = make_item(organisation)
    make_other()
    response = client.get(url, {parameter: organisation.slug})
    assert response.context["ignored"] == []
    assert list(response.context["object_list"]) == [item]
    assert [chip.label for chip in response.context["chips"]] == [f"{label}: Newly Published"]
