"""A searched list is counted, ordered and paged in memory (directory/result_sets.py): it must say exactly what the
database would, for any search, filters and sort, and follow every write at once."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from directory import result_sets
from directory.choices import Status
from directory.filters import GuidanceFilter, OrganisationFilter, ProgrammeFilter
from directory.models import Guidance, Organisation, Programme
from directory.result_sets import forget_indexes

from .factories import make_guidance, make_organisation, make_programme

pytestmark = pytest.mark.django_db

LATER = timezone.now() + datetime.timedelta(days=30)


@pytest.fixture
def content():
    """The demo content, with items whose parent, lead, partner or publisher readers may not see."""
    call_command("load_demo_content", stdout=io.StringIO())
    university = Organisation.objects.get(slug="the-hong-kong-university-of-science-and-technology")
    for status, published_at in ((Status.DRAFT, None), (Status.ARCHIVED, None), (Status.PUBLISHED, LATER)):
        hidden = make_organisation(f"Hidden {status} University", status=status, published_at=published_at)
        make_organisation(f"Robotics Lab of the {status} university", parent=hidden, kind="research_centre")
        programme = make_programme(f"Robotics grant run by the {status} university", lead_organisation=hidden)
        programme.partners.set([hidden, university])
        make_guidance(f"Robotics data guidance from the {status} regulator", publisher=hidden)
    make_organisation("Robotics Lab of HKUST", parent=university, kind="research_centre")
    # Application windows of every kind around today, since the demo's sources state few.
    today = timezone.localdate()
    windows = [
        {"applications_close_on": today},
        {"applications_close_on": today + datetime.timedelta(days=12)},
        {"applications_close_on": today + datetime.timedelta(days=45)},
        {"applications_close_on": today - datetime.timedelta(days=3)},
        {
            "applications_open_on": today + datetime.timedelta(days=5),
            "applications_close_on": today + datetime.timedelta(days=20),
        },
        {"applications_rolling": True},
        {"applications_open_on": today - datetime.timedelta(days=100)},
    ]
    for number, programme in enumerate(Programme.objects.order_by("pk")):
        if number % 3 == 0:
            Programme.objects.filter(pk=programme.pk).update(**windows[number // 3 % len(windows)])
    forget_indexes()


SEARCHES = ["ai", "robotics", "univ", "data privacy", "私隱", "人工智能", '"hong kong"', "the"]
FILTERSETS = {
    OrganisationFilter: [
        {},
        {"kind": ["university", "research_centre"]},
        {"parent": "the-hong-kong-university-of-science-and-technology", "sort": "founded"},
        {"sector": ["education"], "year_min": "1990", "sort": "newest"},
    ],
    ProgrammeFilter: [
        {},
        {"state": ["open", "upcoming"], "sort": "start"},
        {"organisation": "the-hong-kong-university-of-science-and-technology"},
        {"kind": ["funding_scheme"], "year_max": "2030"},
        {"applications": ["open"]},
        {"applications": ["closing_soon"], "state": ["open"], "sort": "start"},
        {"applications": ["open", "closing_soon"], "kind": ["funding_scheme", "incubation"]},
        {"applications": ["closing_soon"], "organisation": "the-hong-kong-university-of-science-and-technology"},
    ],
    GuidanceFilter: [
        {},
        {"binding": "voluntary", "state": "in_force"},
        {"topic": ["data_privacy"], "sort": "title"},
        {"publisher": "privacy-commissioner-for-personal-data", "kind": ["guidance", "framework"]},
    ],
}


def filterset(filterset_class, params):
    request = RequestFactory().get("/", params)
    return filterset_class(request.GET, queryset=filterset_class._meta.model.objects.published(), request=request)


def in_the_database(listed):
    """What the database answers for the same list: its total, the ids in order and every facet's counts."""
    base = listed.queryset.all()
    return (
        listed.qs.count(),
        list(listed.qs.values_list("pk", flat=True)),
        {
            name: {
                value: (tuple(map(str, label)), count)
                for value, (label, count) in facet.counts(listed.apply(base, skip={name})).items()
            }
            for name, facet in listed.facets.items()
        },
    )


def in_memory(listed):
    total = listed.total()
    counts = {
        name: {value: (tuple(map(str, label)), count) for value, (label, count) in counts.items()}
        for name, counts in listed.facet_counts.items()
    }
    return total, listed.ranked_ids(0, total + 5), counts


WAYS = {
    "masks": {},
    # Facets of many values (parents, publishers) keep each item's values rather than a mask per value.
    "value lists": {"MAX_MASKED_VALUES": 0},
    # The ids of a few matches are found by searching the mask's bytes rather than by stepping through every item.
    "ids searched for": {"SPARSE_RATIO": 1},
}


@pytest.mark.parametrize("way", list(WAYS))
@pytest.mark.parametrize("filterset_class", list(FILTERSETS), ids=lambda cls: cls.__name__)
def test_a_searched_list_counts_orders_and_pages_as_the_database_would(content, filterset_class, way, monkeypatch):
    for name, value in WAYS[way].items():
        monkeypatch.setattr(result_sets, name, value)
    compared = 0
    for params in FILTERSETS[filterset_class]:
        # Without a search too: a filtered list is counted in memory unless the per-version summary keeps it.
        for query in [*SEARCHES, None] if params else SEARCHES:
            params_now = {**params, "q": query} if query else params
            listed = filterset(filterset_class, params_now)
            if listed.results is None:  # a programme's state alone: the summary counts it, and the database pages it
                assert query is None and set(params) <= {"state", "sort"}
                continue
            expected = in_the_database(filterset(filterset_class, params_now))
            assert in_memory(listed) == expected, params_now
            compared += bool(expected[0])
    assert compared >= len(FILTERSETS[filterset_class]) * 3


def test_a_page_deep_in_the_results_is_the_same_slice_as_the_database_gives(content):
    listed = filterset(OrganisationFilter, {"q": "the", "sort": "name"})
    everything = list(listed.qs.values_list("pk", flat=True))
    assert len(everything) > 10
    assert listed.ranked_ids(5, 10) == everything[5:10]
    assert listed.ranked_ids(len(everything), len(everything) + 20) == []


def test_names_matching_rank_first_then_by_name(content):
    listed = filterset(OrganisationFilter, {"q": "robotics"})
    names = [Organisation.objects.get(pk=pk).name for pk in listed.ranked_ids(0, 50)]
    by_name = [name for name in names if "robotics" in name.casefold()]
    assert len(by_name) < len(names)
    assert names == sorted(by_name) + sorted(names[len(by_name) :])
    # Items whose parent readers cannot see are found all the same.
    assert len([name for name in names if name.startswith("Robotics Lab")]) == 4


@pytest.mark.parametrize(
    ("url", "facet"),
    [
        ("directory:organisation-list", "parent"),
        ("directory:programme-list", "organisation"),
        ("directory:guidance-list", "publisher"),
    ],
)
def test_searched_facets_never_name_an_unpublished_organisation(client, content, url, facet):
    response = client.get(reverse(url), {"q": "robotics"})
    assert response.context["paginator"].count >= 3
    options = next(entry["options"] for entry in response.context["facets"] if entry["name"] == facet)
    assert not [option for option in options if option.value.startswith("hidden-")]
    assert "Hidden" not in response.content.decode()


def test_a_write_changes_the_next_search_at_once(client, content):
    def found(query):
        response = client.get(reverse("directory:organisation-list"), {"q": query})
        return response.context["paginator"].count, {item.name for item in response.context["object_list"]}

    count, names = found("typhoon")
    assert count < 20
    make_organisation("Robotics Institute of Typhoon Studies")
    assert found("typhoon") == (count + 1, {*names, "Robotics Institute of Typhoon Studies"})
    Organisation.objects.filter(name="Robotics Institute of Typhoon Studies").update(status=Status.ARCHIVED)
    assert found("typhoon") == (count, names)


def test_a_future_dated_item_is_found_once_it_comes_due(client, content):
    from unittest import mock

    def found():
        response = client.get(reverse("directory:programme-list"), {"q": "robotics"})
        return {item.name for item in response.context["object_list"]}

    due = Programme.objects.get(name="Robotics grant run by the published university")
    due.lead_organisation = None
    due.save()
    Programme.objects.filter(pk=due.pk).update(published_at=LATER)
    assert due.name not in found()
    with mock.patch("django.utils.timezone.now", return_value=LATER + datetime.timedelta(seconds=1)):
        assert due.name in found()
    assert due.name not in found()


def test_the_site_search_counts_and_ranks_in_memory_as_the_lists_do(client, content):
    response = client.get(reverse("directory:search"), {"q": "robotics"})
    groups = {str(group["label"]): group for group in response.context["groups"]}
    listed = filterset(OrganisationFilter, {"q": "robotics"})
    assert groups["Organisations"]["count"] == listed.qs.count()
    expected = list(listed.qs.values_list("pk", flat=True)[:10])
    assert [item.pk for item in groups["Organisations"]["results"]] == expected
    assert (
        groups["Ethics guidance"]["count"] == Guidance.objects.published().filter(title__icontains="robotics").count()
    )


def test_threads_sharing_an_index_never_lose_a_kept_value(monkeypatch):
    """runserver serves requests on threads that share one index: its LRU of kept values must hold under them."""
    import sys
    import threading

    monkeypatch.setattr(result_sets, "MAX_KEPT", 2)
    interval = sys.getswitchinterval()
    # Threads switch every microsecond, so that two of them meet inside the LRU's few steps.
    sys.setswitchinterval(1e-6)
    index = result_sets.PublishedIndex(Organisation.objects.none(), ("pk",))
    errors = []

    def ask(offset):
        try:
            for step in range(2000):
                key = (offset + step) % 5
                assert index.kept(key, lambda key=key: key * 10) == key * 10
        except Exception as error:  # A failure on a thread is the test's failure, reported below.
            errors.append(error)

    threads = [threading.Thread(target=ask, args=(offset,)) for offset in range(8)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert errors == []
