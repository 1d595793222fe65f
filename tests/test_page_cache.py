"""Anonymous pages come from the cache: every change must show at once, and staff never share a page with the public."""

import datetime

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from directory import caching
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


@pytest.fixture
def stored_pages(monkeypatch):
    """Return the list of page-cache keys stored from now on."""
    keys = []
    store = caching.cache.set

    def recording_set(key, *args, **kwargs):
        if key.startswith("public-page:"):
            keys.append(key)
        return store(key, *args, **kwargs)

    monkeypatch.setattr(caching.cache, "set", recording_set)
    return keys


@pytest.mark.parametrize("query", ["z=4f2a9c", "kind=university&z=4f2a9c", "z=1&z=2", "Kind=university"])
def test_an_unknown_parameter_is_redirected_to_the_canonical_query_and_stores_nothing(client, stored_pages, query):
    make_organisation("Cyberport")
    response = client.get(f"{LIST}?{query}")
    assert response.status_code == 302
    assert response["Location"] == (f"{LIST}?kind=university" if query.startswith("kind=") else LIST)
    assert stored_pages == []


def test_tracking_parameters_are_dropped(client):
    response = client.get(
        "/en/organisations/?utm_source=newsletter&kind=university&utm_medium=email&fbclid=abc&gclid=def&utm_campaign=x"
    )
    assert response["Location"] == "/en/organisations/?kind=university"


def test_every_order_of_the_same_parameters_shares_one_cached_page(client, stored_pages, django_assert_max_num_queries):
    make_organisation("Cyberport", kind="startup")
    first = client.get(f"{LIST}?sector=finance&kind=university&kind=startup&sort=name")
    assert first.status_code == 200
    with django_assert_max_num_queries(1):  # the content version
        again = client.get(f"{LIST}?kind=startup&sort=name&kind=university&sector=finance")
    assert again.status_code == 200 and again.content == first.content
    assert len(stored_pages) == 1


def test_a_known_parameter_with_several_values_keeps_them_all(client):
    make_organisation("Cyberport", kind="startup")
    make_organisation("HKU", kind="university")
    make_organisation("Office", kind="regulator")
    response = client.get(f"{LIST}?kind=university&kind=startup&utm_source=x", follow=True)
    assert response.redirect_chain == [(f"{LIST}?kind=startup&kind=university", 302)]
    text = names(response)
    assert "Cyberport" in text and "HKU" in text and "Office" not in text


def test_a_repeated_parameter_of_one_value_keeps_the_value_the_list_reads(client):
    response = client.get(f"{LIST}?sort=name&page=1&sort=newest&page=2")
    assert response["Location"] == f"{LIST}?sort=newest&page=2"


@pytest.mark.parametrize(
    ("address", "canonical"),
    [
        ("/en/?ref=homepage", "/en/"),
        ("/zh-hant/?utm_source=x", "/zh-hant/"),
        ("/en/organisations/cyberport/?from=link", "/en/organisations/cyberport/"),
        ("/en/search/?q=robot&lang=en", "/en/search/?q=robot"),
        ("/sitemap.xml?utm_source=x", "/sitemap.xml"),
        ("/sitemap-organisations.xml?p=1&x=2", "/sitemap-organisations.xml?p=1"),
    ],
)
def test_any_parameter_a_page_does_not_read_is_dropped(client, address, canonical):
    make_organisation("Cyberport", slug="cyberport")
    response = client.get(address)
    assert response.status_code == 302 and response["Location"] == canonical


def test_staff_are_redirected_to_the_canonical_query_too_and_their_exports_keep_their_parameters(client):
    make_organisation("Cyberport")
    client.force_login(make_user(groups=["Exporters"]))
    assert client.get(f"{LIST}?kind=university&utm_source=x")["Location"] == f"{LIST}?kind=university"
    export = client.get("/en/organisations/export.csv?kind=university&publication=all")
    assert export.status_code == 200


def test_canonical_redirects_do_not_depend_on_the_page_cache(client, settings):
    settings.PAGE_CACHE = False
    assert client.get(f"{LIST}?fbclid=abc")["Location"] == LIST


@pytest.mark.parametrize(
    ("path", "location"),
    [
        ("//evil.example/en/", "/%2Fevil.example/en/?kind=university"),
        ("/\\evil.example/en/", "/%5Cevil.example/en/?kind=university"),
    ],
)
def test_a_canonical_redirect_stays_on_this_site_whatever_the_path(rf, path, location):
    request = rf.get("/", PATH_INFO=path)
    assert PublicPageCacheMiddleware.redirect(request, "kind=university")["Location"] == location
