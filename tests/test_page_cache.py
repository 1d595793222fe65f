"""Anonymous pages come from the cache: every change must show at once, and staff never share a page with the public."""

import datetime

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from directory.caching import PublicPageCacheMiddleware
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


@pytest.mark.parametrize(
    "path", ["/en/", LIST, "/en/organisations/?kind=university", "/en/search/?q=cyber", "/zh-hant/organisations/"]
)
def test_a_page_from_the_cache_carries_the_same_headers_as_a_fresh_one(client, path, django_assert_max_num_queries):
    make_organisation("Cyberport")
    fresh = client.get(path, secure=True)
    with django_assert_max_num_queries(1):  # the content version
        cached = client.get(path, secure=True)
    assert cached.content == fresh.content
    assert dict(cached.items()) == dict(fresh.items())
    assert "frame-ancestors 'none'" in cached["Content-Security-Policy"]
    assert cached["Strict-Transport-Security"] == fresh["Strict-Transport-Security"]


def test_a_detail_page_from_the_cache_carries_the_same_headers_as_a_fresh_one(client):
    organisation = make_organisation("Cyberport")
    fresh = client.get(organisation.get_absolute_url(), secure=True)
    cached = client.get(organisation.get_absolute_url(), secure=True)
    assert dict(cached.items()) == dict(fresh.items())


def test_files_are_served_without_a_cache_lookup(client, django_assert_num_queries):
    for _ in range(2):
        with django_assert_num_queries(0):
            assert client.get("/robots.txt").status_code == 200


def test_each_host_and_scheme_has_its_own_cached_page(client):
    make_organisation("Cyberport")
    assert f'href="http://localhost{LIST}"' in names(client.get(LIST, HTTP_HOST="localhost"))
    assert f'href="http://127.0.0.1{LIST}"' in names(client.get(LIST, HTTP_HOST="127.0.0.1"))
    assert f'href="https://localhost{LIST}"' in names(client.get(LIST, HTTP_HOST="localhost", secure=True))


def test_each_language_has_its_own_cached_page_and_the_unprefixed_address_always_asks_the_reader(client):
    make_organisation("Cyberport")
    assert '<html lang="en">' in names(client.get(LIST))
    assert '<html lang="zh-Hant">' in names(client.get("/zh-hant/organisations/"))
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hant").url == "/zh-hant/"
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="en").url == "/en/"


def test_a_request_with_a_session_cookie_is_never_served_from_the_cache(client, settings):
    make_organisation("Cyberport")
    client.get(LIST)  # now cached for the public
    client.cookies[settings.SESSION_COOKIE_NAME] = "an-expired-session"
    with CaptureQueriesContext(connection) as made:
        assert "Cyberport" in names(client.get(LIST))
    assert len(made) > 1  # more than the content version: the page was made afresh


def pages_made(rf, page, readers=2):
    """Return how many times `page` (marked public, as cache_public_page marks pages) is made for `readers` readers
    of one address."""
    made = []

    def view(request):
        made.append(request)
        response = page()
        response.public_page = True
        return response

    middleware = PublicPageCacheMiddleware(view)
    for _ in range(readers):
        middleware(rf.get(LIST))
    return len(made)


def test_a_page_that_sets_a_cookie_is_made_afresh_for_every_reader(rf):
    make_organisation("Cyberport")  # a content version to cache under

    def page_with_a_cookie():
        response = HttpResponse("a form with one reader's CSRF token")
        response.set_cookie("csrftoken", "one reader's token")
        return response

    assert pages_made(rf, page_with_a_cookie) == 2
    assert pages_made(rf, lambda: HttpResponse("the same for everyone")) == 1


def test_a_page_whose_language_was_negotiated_is_not_stored_while_there_are_several_languages(rf, settings):
    make_organisation("Cyberport")

    def negotiated_page():
        response = HttpResponse("English, because the browser asked for it")
        patch_vary_headers(response, ["Accept-Language"])
        return response

    settings.LANGUAGES = [("en", "English"), ("zh-hant", "繁體")]
    assert pages_made(rf, negotiated_page) == 2
    settings.LANGUAGES = [("en", "English")]
    assert pages_made(rf, negotiated_page) == 1
