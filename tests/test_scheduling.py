"""Scheduled publication as editors see it: labelled with its Hong Kong time, live by itself then, and unschedulable."""

import datetime
import zoneinfo
from unittest import mock

import pytest
from django.contrib.admin.models import LogEntry
from django.test import Client
from django.urls import reverse

from directory.choices import Status
from directory.models import Organisation

from .factories import make_organisation, make_user

pytestmark = pytest.mark.django_db

HONG_KONG = zoneinfo.ZoneInfo("Asia/Hong_Kong")
GOES_LIVE = datetime.datetime(2027, 3, 12, 9, 0, tzinfo=HONG_KONG)
BEFORE = datetime.datetime(2027, 3, 1, 10, 0, tzinfo=HONG_KONG)
LABEL = "Scheduled for 12 March 2027, 09:00"


def frozen_at(moment):
    """Let it be `moment` for the code under test (and for the sessions signed in meanwhile)."""
    return mock.patch("django.utils.timezone.now", return_value=moment)


def signed_in(*groups):
    client = Client()
    client.force_login(make_user(groups=groups))
    return client


def changelist(client, **params):
    response = client.get(reverse("admin:directory_organisation_changelist"), params)
    assert response.status_code == 200
    return response


def bulk(client, action, items):
    return client.post(
        reverse("admin:directory_organisation_changelist"),
        {"action": action, "_selected_action": [item.pk for item in items]},
    )


def unschedule_url(item):
    return reverse("admin:directory_organisation_unschedule", args=[item.pk])


@pytest.fixture
def scheduled():
    with frozen_at(BEFORE):
        yield make_organisation("Coming Soon Institute", published_at=GOES_LIVE)


def test_a_scheduled_item_reads_scheduled_for_its_hong_kong_time_in_the_changelist(scheduled):
    live = make_organisation("Already Live University", published_at=BEFORE - datetime.timedelta(days=30))
    with frozen_at(BEFORE):
        response = changelist(signed_in("Editors"))
    rows = {
        str(item): response.context["cl"].model_admin.publication(item) for item in response.context["cl"].result_list
    }
    assert rows == {"Coming Soon Institute": LABEL, "Already Live University": "Published"}
    assert f'<td class="field-publication">{LABEL}</td>' in response.content.decode()
    assert live.is_public


def test_the_publication_filter_lists_only_the_scheduled_or_only_the_live(scheduled):
    make_organisation("Already Live University", published_at=BEFORE - datetime.timedelta(days=30))
    make_organisation("A Draft", status=Status.DRAFT)
    with frozen_at(BEFORE):
        client = signed_in("Editors")
        assert [str(o) for o in changelist(client, publication="scheduled").context["cl"].result_list] == [
            "Coming Soon Institute"
        ]
        assert [str(o) for o in changelist(client, publication="live").context["cl"].result_list] == [
            "Already Live University"
        ]


def test_the_change_form_says_when_it_goes_live(scheduled):
    with frozen_at(BEFORE):
        response = signed_in("Editors").get(reverse("admin:directory_organisation_change", args=[scheduled.pk]))
    page = response.content.decode()
    assert f"<strong>{LABEL}</strong>" in page
    # Editors see when, but only publishers may take it back.
    assert unschedule_url(scheduled) not in page


def test_a_scheduled_item_appears_for_readers_at_its_time_by_itself(scheduled):
    reader = Client()
    with frozen_at(GOES_LIVE - datetime.timedelta(seconds=1)):
        assert reader.get(scheduled.get_absolute_url()).status_code == 404
        assert "Coming Soon Institute" not in reader.get("/en/organisations/").content.decode()
        assert changelist(signed_in("Editors")).context["cl"].model_admin.publication(scheduled) == LABEL
    with frozen_at(GOES_LIVE):
        assert reader.get(scheduled.get_absolute_url()).status_code == 200
        assert "Coming Soon Institute" in reader.get("/en/organisations/").content.decode()
        response = changelist(signed_in("Editors"), publication="scheduled")
        assert response.context["cl"].result_count == 0
        assert response.context["cl"].model_admin.publication(scheduled) == "Published"


def test_a_publisher_unschedules_from_the_change_form_and_readers_never_see_it(scheduled, content_saves):
    with frozen_at(BEFORE):
        client = signed_in("Publishers")
        form = client.get(reverse("admin:directory_organisation_change", args=[scheduled.pk])).content.decode()
        assert unschedule_url(scheduled) in form
        response = client.post(unschedule_url(scheduled))
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:directory_organisation_change", args=[scheduled.pk])
    scheduled.refresh_from_db()
    assert (scheduled.status, scheduled.published_at) == (Status.DRAFT, None)
    # Saved, so that the revisions record it, and logged in the item's history.
    assert content_saves == [("organisation", scheduled.pk)]
    assert LogEntry.objects.get(object_id=str(scheduled.pk)).get_change_message() == "Changed Status and Published at."
    with frozen_at(GOES_LIVE + datetime.timedelta(days=1)):
        assert Client().get(scheduled.get_absolute_url()).status_code == 404


def test_publishing_an_unscheduled_item_again_makes_it_live_then_not_at_the_old_time(scheduled):
    with frozen_at(BEFORE):
        client = signed_in("Publishers")
        client.post(unschedule_url(scheduled))
        bulk(client, "publish", [scheduled])
        scheduled.refresh_from_db()
        assert scheduled.published_at == BEFORE and scheduled.is_public


def test_editors_may_not_unschedule_by_a_crafted_post_or_the_bulk_action(scheduled):
    with frozen_at(BEFORE):
        client = signed_in("Editors")
        assert client.post(unschedule_url(scheduled)).status_code == 403
        actions = {name for name, _label in changelist(client).context["action_form"].fields["action"].choices}
        assert "unschedule" not in actions
        bulk(client, "unschedule", [scheduled])
    scheduled.refresh_from_db()
    assert (scheduled.status, scheduled.published_at) == (Status.PUBLISHED, GOES_LIVE)


def test_unscheduling_is_a_post(scheduled):
    assert signed_in("Publishers").get(unschedule_url(scheduled)).status_code == 405


def test_an_item_already_live_cannot_be_unscheduled(scheduled):
    with frozen_at(GOES_LIVE + datetime.timedelta(minutes=1)):
        response = signed_in("Publishers").post(unschedule_url(scheduled), follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "“Coming Soon Institute” is not scheduled: nothing was changed."
    ]
    scheduled.refresh_from_db()
    assert scheduled.status == Status.PUBLISHED


def test_publishers_unschedule_in_bulk_and_only_the_scheduled_change(scheduled, content_saves):
    other = make_organisation("Also Coming", published_at=GOES_LIVE + datetime.timedelta(days=1))
    live = make_organisation("Already Live University", published_at=BEFORE - datetime.timedelta(days=30))
    content_saves.clear()
    with frozen_at(BEFORE):
        response = bulk(signed_in("Publishers"), "unschedule", [scheduled, other, live])
    assert response.status_code == 302
    states = dict(Organisation.objects.values_list("name", "status"))
    assert states == {
        "Coming Soon Institute": Status.DRAFT,
        "Also Coming": Status.DRAFT,
        "Already Live University": Status.PUBLISHED,
    }
    assert sorted(pk for _model, pk in content_saves) == sorted([scheduled.pk, other.pk])
