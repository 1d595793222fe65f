"""A published item may point to one readers cannot see (a draft, archived or future-dated parent, publisher, lead,
partner or superseded document): its pages still answer, in every language, without naming it."""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from directory.choices import Status

from .factories import make_guidance, make_organisation, make_programme

pytestmark = pytest.mark.django_db

HIDDEN_NAME = "Unseen Body"
HIDDEN_STATES = {
    "draft": {"status": Status.DRAFT},
    "archived": {"status": Status.ARCHIVED},
    "future-dated": {"published_at": timezone.now() + datetime.timedelta(days=2)},
}
LANGUAGES = [code for code, _name in settings.LANGUAGES]


def hidden_organisation(state):
    return make_organisation(HIDDEN_NAME, name_zh_hant="隱藏機構", **HIDDEN_STATES[state])


def child_of(hidden):
    return make_organisation("Visible Child", parent=hidden)


def guidance_published_by(hidden):
    return make_guidance("Visible Guidance", publisher=hidden)


def programme_led_by(hidden):
    return make_programme("Visible Programme", lead_organisation=hidden)


def programme_partnered_by(hidden):
    programme = make_programme("Visible Programme")
    programme.partners.set([hidden])
    return programme


RELATIONS = {
    "parent": child_of,
    "publisher": guidance_published_by,
    "lead": programme_led_by,
    "partner": programme_partnered_by,
}


def page_text(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def in_language(url, code):
    return url.replace("/en/", f"/{code}/", 1)


def assert_not_named(text, hidden):
    for trace in (HIDDEN_NAME, "隱藏機構", "隐藏机构", hidden.slug):
        assert trace not in text


@pytest.mark.parametrize("code", LANGUAGES)
@pytest.mark.parametrize("state", HIDDEN_STATES)
@pytest.mark.parametrize("relation", RELATIONS)
def test_detail_page_pointing_to_an_unpublished_organisation_renders_without_naming_it(client, relation, state, code):
    hidden = hidden_organisation(state)
    item = RELATIONS[relation](hidden)
    assert_not_named(page_text(client, in_language(item.get_absolute_url(), code)), hidden)


@pytest.mark.parametrize("code", LANGUAGES)
@pytest.mark.parametrize("state", HIDDEN_STATES)
def test_guidance_superseding_an_unpublished_document_renders_without_naming_it(client, state, code):
    older = make_guidance("Unseen Older Document", title_zh_hant="隱藏文件", **HIDDEN_STATES[state])
    newer = make_guidance("Visible Newer Document", supersedes=older)
    text = page_text(client, in_language(newer.get_absolute_url(), code))
    assert "Unseen Older Document" not in text and "隱藏文件" not in text and "隐藏文件" not in text
    assert older.slug not in text
    assert "Supersedes" not in text


@pytest.mark.parametrize("state", HIDDEN_STATES)
def test_guidance_superseded_by_an_unpublished_document_is_still_in_force(client, state):
    older = make_guidance("Visible Older Document")
    make_guidance("Unseen Newer Document", supersedes=older, **HIDDEN_STATES[state])
    text = page_text(client, older.get_absolute_url())
    assert "Unseen Newer Document" not in text and "Superseded by" not in text
    assert "In force" in text


@pytest.mark.parametrize("state", HIDDEN_STATES)
@pytest.mark.parametrize("relation", RELATIONS)
def test_structured_data_does_not_name_an_unpublished_organisation(client, relation, state):
    hidden = hidden_organisation(state)
    text = page_text(client, RELATIONS[relation](hidden).get_absolute_url())
    json_ld = text.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert HIDDEN_NAME not in json_ld
    assert '"@type": "Organization"' not in json_ld


@pytest.mark.parametrize("code", LANGUAGES)
@pytest.mark.parametrize("state", HIDDEN_STATES)
def test_lists_and_home_show_items_of_unpublished_organisations_without_naming_them(client, state, code):
    hidden = hidden_organisation(state)
    for make in RELATIONS.values():
        make(hidden)
    for url in ("/en/", "/en/organisations/", "/en/programmes/", "/en/guidance/"):
        text = page_text(client, in_language(url, code))
        assert_not_named(text, hidden)
    for url in ("/en/organisations/", "/en/programmes/", "/en/guidance/"):
        assert "Visible" in page_text(client, in_language(url, code))


@pytest.mark.parametrize("state", HIDDEN_STATES)
def test_sitemap_pages_of_items_pointing_to_unpublished_organisations_all_answer(client, state):
    hidden = hidden_organisation(state)
    items = [make(hidden) for make in RELATIONS.values()]
    sitemap = "".join(
        page_text(client, f"/sitemap-{section}.xml") for section in ("organisations", "programmes", "guidance")
    )
    for item in items:
        assert item.slug in sitemap
        for code in LANGUAGES:
            page_text(client, in_language(item.get_absolute_url(), code))
    assert hidden.slug not in sitemap


FACETED_LISTS = {
    "parent": ("/en/organisations/", "parent", {"kind": "university"}),
    "publisher": ("/en/guidance/", "publisher", {"kind": "guidance"}),
    "lead": ("/en/programmes/", "organisation", {"kind": "funding_scheme"}),
    "partner": ("/en/programmes/", "organisation", {"kind": "funding_scheme"}),
}
# Each way a facet is counted: the cached whole set, live within another filter, within a search (kind and parent,
# or publisher and kind, in one GROUP BY), and within a search and a choice (which also narrows the search's hits).
COUNTINGS = {
    "whole set": lambda kind: {},
    "within a filter": lambda kind: kind,
    "within a search": lambda kind: {"q": "Visible"},
    "within a search and a choice": lambda kind: {"q": "Visible", **kind},
}


@pytest.mark.parametrize("counting", COUNTINGS)
@pytest.mark.parametrize("state", HIDDEN_STATES)
@pytest.mark.parametrize("relation", RELATIONS)
def test_facets_never_offer_an_unpublished_organisation_and_still_count_its_items(client, relation, state, counting):
    hidden = hidden_organisation(state)
    shown = make_organisation("Shown Body", kind="university")
    item = RELATIONS[relation](hidden)
    RELATIONS[relation](shown)
    url, facet_name, kind = FACETED_LISTS[relation]
    response = client.get(url, COUNTINGS[counting](kind))
    assert response.status_code == 200
    facets = {facet["name"]: facet["options"] for facet in response.context["facets"]}
    offered = {option.value: option for option in facets[facet_name]}
    assert hidden.slug not in offered
    assert shown.slug in offered and offered[shown.slug].count == 1
    labels = [option.label for options in facets.values() for option in options]
    assert HIDDEN_NAME not in labels and "隱藏機構" not in labels
    # The item pointing to the hidden organisation is listed and counted like any other.
    assert item in response.context["object_list"]
    assert response.context["paginator"].count == len(response.context["object_list"])
    assert_not_named(response.content.decode(), hidden)


@pytest.mark.parametrize("state", HIDDEN_STATES)
@pytest.mark.parametrize("relation", RELATIONS)
def test_an_unpublished_organisation_is_not_understood_as_a_filter_value(client, relation, state):
    hidden = hidden_organisation(state)
    RELATIONS[relation](hidden)
    url, facet_name, _kind = FACETED_LISTS[relation]
    response = client.get(url, {facet_name: hidden.slug})
    assert response.status_code == 200
    assert response.context["ignored"]
    assert [chip.label for chip in response.context["chips"]] == []
    # The slug is in the page's own address, as the reader typed it; the organisation's names are nowhere.
    text = response.content.decode()
    assert HIDDEN_NAME not in text and "隱藏機構" not in text


@pytest.mark.parametrize("relation", ["parent", "publisher"])
def test_whole_set_facets_offer_a_future_dated_organisation_once_it_comes_due(client, relation, settings):
    """The cached counts of the whole set end when a related organisation comes due, not only the list's own items."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": relation}}
    due = timezone.now() + datetime.timedelta(seconds=2)
    coming = make_organisation("Coming Body", published_at=due)
    RELATIONS[relation](coming)
    url, facet_name, _kind = FACETED_LISTS[relation]

    def offered():
        response = client.get(url)
        return {option.value for facet in response.context["facets"] for option in facet["options"]}

    assert coming.slug not in offered()
    with freeze_after(due):
        assert coming.slug in offered()


def freeze_after(moment):
    """Let `now` be just after `moment` for the code under test."""
    from unittest import mock

    later = moment + datetime.timedelta(seconds=1)
    return mock.patch("django.utils.timezone.now", return_value=later)
