"""Anonymous pages come from the cache: every change must show at once, and staff never share a page with the public."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from directory.choices import Status

from .factories import make_organisation, make_user

pytestmark = pytest.mark.django_db

LIST = "/en/organisations/"


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PAGE_CACHE = True


def names(response):
    return response.content.decode()


def test_a_repeated_anonymous_request_is_served_from_the_cache(client, django_assert_max_num_queries):
    make_organisation("Cyberport")
    client.get(LIST)
    with django_assert_max_num_queries(1):  # the content version
        response = client.get(LIST)
    assert "Cyberport" in response.content.decode()


def test_publishing_shows_at_once(client):
    draft = make_organisation("Hidden Lab", status=Status.DRAFT)
    assert "Hidden Lab" not in names(client.get(LIST))
    draft.status = Status.PUBLISHED
    draft.save()
    assert "Hidden Lab" in names(client.get(LIST))
    assert client.get(draft.get_absolute_url()).status_code == 200


def test_unpublishing_and_editing_show_at_once(client):
    organisation = make_organisation("Old Name")
    assert "Old Name" in names(client.get(organisation.get_absolute_url()))
    organisation.name = "New Name"
    organisation.save()
    assert "New Name" in names(client.get(organisation.get_absolute_url()))
    organisation.status = Status.DRAFT
    organisation.save()
    assert client.get(organisation.get_absolute_url()).status_code == 404
    assert "New Name" not in names(client.get(LIST))


def test_a_publish_through_the_admin_bulk_action_shows_at_once(client):
    draft = make_organisation("Bulk Lab", status=Status.DRAFT)
    assert "Bulk Lab" not in names(client.get(LIST))
    publisher = make_user(groups=["Publishers"])
    staff = client.__class__()
    staff.force_login(publisher)
    changelist = reverse("admin:directory_organisation_changelist")
    staff.post(changelist, {"action": "publish", "_selected_action": [draft.pk]})
    assert "Bulk Lab" in names(client.get(LIST))


def test_a_future_dated_item_shows_once_it_comes_due(client, monkeypatch):
    soon = timezone.now() + datetime.timedelta(minutes=5)
    make_organisation("Scheduled Lab", published_at=soon)
    assert "Scheduled Lab" not in names(client.get(LIST))
    monkeypatch.setattr(timezone, "now", lambda: soon + datetime.timedelta(seconds=1))
    assert "Scheduled Lab" in names(client.get(LIST))


def test_staff_never_receive_the_cached_public_page_and_the_public_never_receives_theirs(client):
    make_organisation("Cyberport")
    exporter = make_user(groups=["Exporters"])
    staff = client.__class__()
    staff.force_login(exporter)
    assert "Export CSV" not in names(client.get(LIST))  # now cached for the public
    assert "Export CSV" in names(staff.get(LIST))  # staff get their own page, not the cached one
    assert "Export CSV" not in names(client.get(LIST))  # and theirs was never stored for the public


def test_the_cache_can_be_turned_off(client, settings, django_assert_max_num_queries):
    settings.PAGE_CACHE = False
    make_organisation("Cyberport")
    client.get(LIST)
    with pytest.raises(pytest.fail.Exception):
        with django_assert_max_num_queries(1):
            client.get(LIST)
