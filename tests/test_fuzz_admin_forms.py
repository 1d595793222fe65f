"""Hostile values through the admin's add forms: a form with errors or a clean save, never a server error."""

import os

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from directory.choices import DatePrecision, GuidanceKind, OrganisationKind, ProgrammeKind, Status
from directory.models import Guidance, Organisation, Programme

from .factories import make_organisation, make_sector, make_topic, make_user

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("HKAI_FUZZ_EXAMPLES", "60"))

hostile = st.one_of(
    st.text(max_size=40),
    st.text(max_size=5000),
    st.text(alphabet=st.sampled_from("\x00\r\n\t<>\"'&🤖私隱\u202e\ufeff"), min_size=1, max_size=20),
    st.sampled_from(
        [
            "<script>alert(1)</script>",
            '"><img src=x onerror=alert(1)>',
            "javascript:alert(1)",
            "http://",
            "https://exa mple.org",
            "ftp://example.org/file",
            "http://[::1",
            "https://" + "a" * 600 + ".org",
            "-1",
            "0",
            "1799",
            "32768",
            "99999999999999999999999",
            "1e5",
            "NaN",
            "abc",
            "2024-13-45",
            "0000-00-00",
            "0001-01-01",
            "9999-12-31",
            "10000-01-01",
            "24:61",
            "nonsense",
            "999999",
            "",
        ]
    ),
)
years = st.integers(min_value=1800, max_value=2025).map(str)
dates = st.dates().map(str)
times = st.times().map(lambda t: t.strftime("%H:%M:%S"))
urls = st.sampled_from(["", "https://example.org/ai", "example.org/source", "http://www.gov.hk/"])
texts = st.text(max_size=200)
names = st.text(min_size=1, max_size=200).filter(str.strip)


def publication_fields():
    return {
        "status": st.sampled_from(Status.values),
        "published_at_0": st.one_of(st.just(""), dates),
        "published_at_1": st.one_of(st.just(""), times),
        "source_url": urls,
        "last_verified_on": st.one_of(st.just(""), dates),
    }


def related(ids):
    return st.one_of(st.just(""), st.sampled_from(ids))


def form_data(valid, draw):
    """Draw valid values for every field, then replace a few of them by hostile ones."""
    data = {name: draw(strategy) for name, strategy in valid.items()}
    for name in draw(st.sets(st.sampled_from(sorted(valid)), max_size=4)):
        data[name] = draw(st.one_of(hostile, st.lists(hostile, min_size=2, max_size=3)))
    return data


@pytest.fixture
def publisher_client(client):
    client.force_login(make_user(groups=["Publishers"]))
    return client


@pytest.fixture
def related_ids():
    sectors = [str(make_sector().pk) for _ in range(2)]
    organisations = [str(make_organisation().pk) for _ in range(2)]
    return {"sectors": sectors, "topics": [str(make_topic().pk)], "organisations": organisations}


def models_and_fields(ids):
    organisations, sectors = ids["organisations"], ids["sectors"]
    return {
        Organisation: {
            "name": names,
            "slug": st.one_of(st.just(""), st.from_regex(r"[a-z0-9-]{1,20}", fullmatch=True)),
            "kind": st.sampled_from(OrganisationKind.values),
            "parent": related(organisations),
            "sectors": st.lists(st.sampled_from(sectors), unique=True),
            "summary": texts,
            "description": texts,
            "website": urls,
            "founded_year": st.one_of(st.just(""), years),
            **publication_fields(),
        },
        Programme: {
            "name": names,
            "kind": st.sampled_from(ProgrammeKind.values),
            "lead_organisation": related(organisations),
            "partners": st.lists(st.sampled_from(organisations), unique=True),
            "sectors": st.lists(st.sampled_from(sectors), unique=True),
            "start_date": st.one_of(st.just(""), dates),
            "end_date": st.one_of(st.just(""), dates),
            "dates_precision": st.sampled_from(DatePrecision.values),
            "summary": texts,
            "website": urls,
            **publication_fields(),
        },
        Guidance: {
            "title": names,
            "publisher": st.sampled_from(organisations),
            "kind": st.sampled_from(GuidanceKind.values),
            "topics": st.lists(st.sampled_from(ids["topics"]), unique=True),
            "sectors": st.lists(st.sampled_from(sectors), unique=True),
            "binding": st.sampled_from(["", "on"]),
            "date_published": st.one_of(st.just(""), dates),
            "date_precision": st.sampled_from(DatePrecision.values),
            "document_url": urls,
            "summary": texts,
            **publication_fields(),
        },
    }


@pytest.mark.parametrize("model", [Organisation, Programme, Guidance], ids=lambda m: m._meta.model_name)
def test_hostile_values_give_form_errors_or_a_clean_save(publisher_client, related_ids, model):
    url = reverse(f"admin:directory_{model._meta.model_name}_add")
    fields = models_and_fields(related_ids)[model]

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=st.data())
    def check(data):
        before = set(model.objects.values_list("pk", flat=True))
        response = publisher_client.post(url, form_data(fields, data.draw))
        if response.status_code == 302:
            [saved] = model.objects.exclude(pk__in=before)
            saved.full_clean()
        else:
            assert response.status_code == 200
            assert response.context["adminform"].form.errors
            assert not model.objects.exclude(pk__in=before).exists()

    check()


@pytest.mark.parametrize(
    ("model_name", "field", "value"),
    [
        ("organisation", "parent", ":"),
        ("organisation", "sectors", "abc"),
        ("programme", "lead_organisation", "1.5"),
        ("programme", "partners", "-"),
        ("guidance", "publisher", "x"),
        ("guidance", "topics", "🤖"),
        ("guidance", "publisher", "9223372036854775808"),
        ("organisation", "sectors", str(2**64)),
    ],
)
def test_an_autocomplete_value_that_is_no_id_is_a_form_error(publisher_client, model_name, field, value):
    response = publisher_client.post(reverse(f"admin:directory_{model_name}_add"), {field: value})
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors


def test_a_publication_time_that_is_year_zero_in_utc_is_a_form_error(publisher_client):
    response = publisher_client.post(
        reverse("admin:directory_organisation_add"),
        {
            "name": "Early Lab",
            "kind": "university",
            "status": Status.PUBLISHED,
            "published_at_0": "0001-01-01",
            "published_at_1": "00:00:00",
        },
    )
    assert response.status_code == 200
    assert "published_at" in response.context["adminform"].form.errors
    assert not Organisation.objects.exists()
