"""The API against its own OpenAPI 3.1 description: the description names the lists' parameters, and every response,
for good parameters and bad ones, is what the description promises."""

import datetime

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from directory.choices import Status
from directory.filters import GuidanceFilter, OrganisationFilter, ProgrammeFilter
from directory.listing import list_parameters

from .factories import make_guidance, make_organisation, make_programme, make_sector, make_topic
from .openapi_validation import assert_matches_description, openapi_document

pytestmark = pytest.mark.django_db

LISTS = {
    "/api/v1/organisations/": OrganisationFilter,
    "/api/v1/programmes/": ProgrammeFilter,
    "/api/v1/guidance/": GuidanceFilter,
}


@pytest.fixture(autouse=True)
def unlimited(settings):
    settings.API_RATE_LIMIT = (10**9, 60)
    cache.clear()


@pytest.fixture
def content():
    sector, topic = make_sector("Finance", slug="finance"), make_topic("Data privacy", slug="data-privacy")
    draft = make_organisation("Draft body", status=Status.DRAFT)
    university = make_organisation("University", founded_year=1911, aliases="HKU; 港大", logo="logos/x.png")
    university.sectors.add(sector)
    centre = make_organisation("Centre", parent=university, kind="research_centre")
    centre.part_of.add(draft)
    programme = make_programme(
        "Fund", lead_organisation=draft, start_date=datetime.date(2020, 1, 1), name_zh_hant="基金"
    )
    programme.partners.add(university)
    make_programme("Phase two", part_of=programme, supersedes=programme, lead_organisation=centre)
    guidance = make_guidance("Principles", publisher=university, date_published=datetime.date(2021, 8, 1))
    guidance.topics.add(topic)
    make_guidance(
        "Principles revised", publisher=draft, supersedes=guidance, last_verified_on=datetime.date(2025, 1, 1)
    )
    return {"university": university, "programme": programme, "guidance": guidance}


def test_the_description_is_openapi_3_1_of_version_1(client):
    document = openapi_document()
    assert document["openapi"] == "3.1.0"
    assert document["info"]["version"] == "1"
    assert document["info"]["license"]["name"] == "CC BY 4.0"
    assert set(document["paths"]) == {
        *LISTS,
        "/api/v1/organisations/{slug}/",
        "/api/v1/programmes/{slug}/",
        "/api/v1/guidance/{slug}/",
        "/api/v1/sectors/",
        "/api/v1/topics/",
    }


@pytest.mark.parametrize(("path", "filterset_class"), LISTS.items())
def test_a_list_is_described_with_the_parameters_of_its_page(path, filterset_class):
    described = {parameter["name"]: parameter for parameter in openapi_document()["paths"][path]["get"]["parameters"]}
    assert list(described) == list(list_parameters(filterset_class).names)
    assert described["sort"]["schema"]["enum"] == list(filterset_class.sorts)
    kinds = [value for value, _label in filterset_class.base_filters["kind"].extra["choices"]]
    assert described["kind"]["schema"] == {"type": "array", "items": {"type": "string", "enum": kinds}}


def test_every_kind_of_response_matches_the_description(client, content):
    paths = [
        *LISTS,
        "/api/v1/organisations/?page=2",
        "/api/v1/organisations/?kind=nonsense",
        "/api/v1/programmes/?state=open&sort=start",
        "/api/v1/guidance/?q=principles",
        "/api/v1/organisations/university/",
        "/api/v1/organisations/centre/",
        "/api/v1/organisations/draft-body/",
        "/api/v1/programmes/fund/",
        "/api/v1/programmes/phase-two/",
        "/api/v1/guidance/principles/",
        "/api/v1/guidance/principles-revised/",
        "/api/v1/sectors/",
        "/api/v1/topics/",
    ]
    for path in paths:
        response = client.get(path)
        assert response.status_code in (200, 400, 404), path
        assert_matches_description(response)


def value_for(schema):
    """Values a client might send for a parameter of `schema`: valid ones, and nonsense."""
    junk = st.text(alphabet=st.sampled_from("ab1-_ 私隱\x00%&=<>\u202e\ufeff🤖"), max_size=12)
    if schema.get("type") == "array":
        return st.lists(value_for(schema["items"]), max_size=3)
    if "enum" in schema:
        return st.sampled_from(schema["enum"]) | junk
    if schema.get("type") == "integer":
        return st.integers(-10, 3000).map(str) | junk
    return junk


def queries(path):
    parameters = openapi_document()["paths"][path]["get"]["parameters"]
    return st.fixed_dictionaries({}, optional={p["name"]: value_for(p["schema"]) for p in parameters})


@pytest.mark.parametrize("path", LISTS)
def test_any_query_a_list_is_sent_is_answered_as_described(client, content, path):
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(queries(path))
    def check(query):
        response = client.get(path, query)
        assert response.status_code in (200, 400, 404), (query, response.content[:300])
        assert_matches_description(response)

    check()
