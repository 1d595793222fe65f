"""The whole-set facet counts are kept between requests: every kind of change must show in them at once."""

import datetime

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from directory.choices import Status
from directory.models import ContentVersion, Organisation, Programme

from .factories import make_organisation, make_sector

pytestmark = pytest.mark.django_db


def kind_counts(client):
    response = client.get(reverse("directory:organisation-list"))
    counts = {f["name"]: {o.value: o.count for o in f["options"]} for f in response.context["facets"]}
    return counts["kind"], counts["sector"], response.context["paginator"].count


def test_content_version_rises_on_every_kind_of_write():
    versions = [ContentVersion.current()]
    organisation = make_organisation()
    versions.append(ContentVersion.current())
    Organisation.objects.filter(pk=organisation.pk).update(summary="Bulk update")
    versions.append(ContentVersion.current())
    organisation.sectors.add(make_sector())
    versions.append(ContentVersion.current())
    with connection.cursor() as cursor:
        cursor.execute("UPDATE directory_organisation SET name = 'Raw SQL'")
    versions.append(ContentVersion.current())
    organisation.delete()
    versions.append(ContentVersion.current())
    assert versions == sorted(set(versions)), versions


def test_publishing_shows_in_the_counts_at_once(client):
    make_organisation(kind="university")
    draft = make_organisation(kind="startup", status=Status.DRAFT)
    assert kind_counts(client)[0] == {"university": 1}
    draft.status = Status.PUBLISHED
    draft.save()
    assert kind_counts(client)[0] == {"university": 1, "startup": 1}


def test_bulk_unpublish_and_sector_changes_show_in_the_counts_at_once(client):
    organisations = [make_organisation(kind="university") for _ in range(3)]
    assert kind_counts(client)[2] == 3
    Organisation.objects.filter(pk=organisations[0].pk).update(status=Status.DRAFT)
    assert kind_counts(client)[0] == {"university": 2}
    organisations[1].sectors.add(make_sector("Finance", slug="finance"))
    assert kind_counts(client)[1] == {"finance": 1}


def test_future_dated_item_is_counted_once_it_comes_due(client, monkeypatch):
    make_organisation(kind="university")
    soon = timezone.now() + datetime.timedelta(hours=1)
    make_organisation(kind="startup", published_at=soon)
    assert kind_counts(client)[0] == {"university": 1}
    later = soon + datetime.timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert kind_counts(client)[0] == {"university": 1, "startup": 1}
    assert kind_counts(client)[2] == 2


def test_programme_states_in_the_whole_set_counts_move_on_at_midnight(client, monkeypatch):
    from .factories import make_programme

    local_today = timezone.localdate() + datetime.timedelta(days=1)
    zone = timezone.get_current_timezone()
    before = datetime.datetime.combine(local_today, datetime.time(23, 59, 59), tzinfo=zone)
    make_programme(start_date=local_today - datetime.timedelta(days=30), end_date=local_today)
    monkeypatch.setattr(timezone, "now", lambda: before)

    def states():
        response = client.get(reverse("directory:programme-list"))
        return {o.value: o.count for f in response.context["facets"] if f["name"] == "state" for o in f["options"]}

    assert states() == {"open": 1}
    monkeypatch.setattr(timezone, "now", lambda: before + datetime.timedelta(seconds=2))
    assert states() == {"closed": 1}


def programme_counts(client, **params):
    response = client.get(reverse("directory:programme-list"), params)
    counts = {f["name"]: {o.value: o.count for o in f["options"]} for f in response.context["facets"]}
    return counts, response.context["paginator"].count


def test_counts_within_a_state_selection_show_every_kind_of_change_at_once(client):
    from .factories import make_programme

    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    lead = make_organisation("Lead", slug="lead")
    running = make_programme(kind="sandbox", lead_organisation=lead)
    draft = make_programme(kind="funding_scheme", status=Status.DRAFT)
    counts, total = programme_counts(client, state="open")
    assert (counts["kind"], counts["organisation"], total) == ({"sandbox": 1}, {"lead": 1}, 1)
    draft.status = Status.PUBLISHED
    draft.save()
    running.sectors.add(make_sector("Finance", slug="finance"))
    counts, total = programme_counts(client, state="open")
    assert (counts["kind"], counts["sector"], total) == ({"sandbox": 1, "funding_scheme": 1}, {"finance": 1}, 2)
    Programme.objects.filter(pk=running.pk).update(end_date=yesterday)
    counts, total = programme_counts(client, state="open")
    assert (counts["kind"], counts["sector"], counts["organisation"], total) == ({"funding_scheme": 1}, {}, {}, 1)
    assert counts["state"] == {"open": 1, "closed": 1}
    Organisation.objects.filter(pk=lead.pk).update(status=Status.DRAFT)
    assert programme_counts(client, state="closed")[0]["organisation"] == {}


def test_each_state_selection_keeps_its_own_counts_whatever_the_order_of_its_values(client):
    from .factories import make_programme

    today = timezone.localdate()
    make_programme(kind="sandbox")
    make_programme(kind="incubation", start_date=today + datetime.timedelta(days=3))
    make_programme(kind="education", end_date=today - datetime.timedelta(days=3))
    assert programme_counts(client, state="open")[0]["kind"] == {"sandbox": 1}
    assert programme_counts(client, state="upcoming")[0]["kind"] == {"incubation": 1}
    both = {"sandbox": 1, "education": 1}
    assert programme_counts(client, state=["open", "closed"])[0]["kind"] == both
    assert programme_counts(client, state=["closed", "open"])[0]["kind"] == both
    # Other filters with the state are counted afresh, never from the state's summary.
    assert programme_counts(client, state=["open", "closed"], kind="sandbox")[1] == 1


def test_counts_within_a_state_selection_move_on_at_midnight(client, monkeypatch):
    from .factories import make_programme

    local_today = timezone.localdate() + datetime.timedelta(days=1)
    zone = timezone.get_current_timezone()
    before = datetime.datetime.combine(local_today, datetime.time(23, 59, 59), tzinfo=zone)
    make_programme(kind="sandbox", end_date=local_today)
    monkeypatch.setattr(timezone, "now", lambda: before)
    counts, total = programme_counts(client, state="open")
    assert (counts["kind"], counts["state"], total) == ({"sandbox": 1}, {"open": 1}, 1)
    monkeypatch.setattr(timezone, "now", lambda: before + datetime.timedelta(seconds=2))
    counts, total = programme_counts(client, state="open")
    assert (counts["kind"], counts["state"], total) == ({}, {"open": 0, "closed": 1}, 0)
    assert programme_counts(client, state="closed")[0]["kind"] == {"sandbox": 1}


def test_a_state_selection_counts_its_facets_once_per_content_version(client, django_assert_max_num_queries):
    from .factories import make_programme

    lead = make_organisation()
    for kind in ("sandbox", "incubation", "education"):
        make_programme(kind=kind, lead_organisation=lead).sectors.add(make_sector())
    url = reverse("directory:programme-list")
    client.get(url, {"state": ["open", "upcoming"]})
    # The content version, the page's ids, its rows and their leads: no count.
    with django_assert_max_num_queries(4):
        response = client.get(url, {"state": ["upcoming", "open"]})
    assert response.context["paginator"].count == 3
