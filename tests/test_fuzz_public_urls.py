"""Arbitrary query strings on every public list, search and export URL: never a 5xx, never an exception.

HKAI_FUZZ_EXAMPLES sets the examples per URL; the default keeps the file well under a minute in CI.
"""

import os
from urllib.parse import urlencode

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from directory.choices import GuidanceKind, OrganisationKind, ProgrammeKind
from directory.models import ExportRecord

from .factories import make_guidance, make_organisation, make_programme, make_sector, make_topic, make_user

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("HKAI_FUZZ_EXAMPLES", "60"))

PARAMETERS = (
    "q",
    "page",
    "sort",
    "kind",
    "sector",
    "topic",
    "publisher",
    "parent",
    "organisation",
    "state",
    "binding",
    "year_min",
    "year_max",
    "publication",
)
# Values the filters do understand, so that fuzzing also reaches the code behind a valid filter.
KNOWN_VALUES = (
    *OrganisationKind.values,
    *ProgrammeKind.values,
    *GuidanceKind.values,
    "fuzz-lab",
    "fuzz-regulator",
    "fuzz-finance",
    "fuzz-privacy",
    "name",
    "title",
    "newest",
    "oldest",
    "founded",
    "start",
    "date",
    "open",
    "upcoming",
    "closed",
    "in_force",
    "superseded",
    "voluntary",
    "draft",
    "archived",
    "all",
    "published",
)

numbers = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30),
    st.integers(min_value=1700, max_value=2200),
    st.floats(allow_nan=True, allow_infinity=True),
).map(str)
values = st.one_of(
    st.sampled_from(KNOWN_VALUES),
    numbers,
    st.text(max_size=50),
    st.text(alphabet=st.sampled_from("\x00\r\n\t %&=+;#?/\\'\"<>🤖私隱\u202e\ufeff"), max_size=20),
    st.text(max_size=5000),
    st.builds(lambda part, n: part * n, st.text(min_size=1, max_size=5), st.integers(min_value=500, max_value=1000)),
)
keys = st.one_of(st.sampled_from(PARAMETERS), st.text(max_size=20))
queries = st.lists(st.tuples(keys, values), max_size=10).map(urlencode)

fuzz = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture(autouse=True)
def some_content():
    finance, privacy = make_sector("Finance", slug="fuzz-finance"), make_topic("Privacy", slug="fuzz-privacy")
    lab = make_organisation("Fuzz Lab", slug="fuzz-lab", kind="research_centre", founded_year=2019)
    lab.sectors.add(finance)
    regulator = make_organisation("Fuzz Regulator", slug="fuzz-regulator", kind="regulator", parent=lab)
    make_organisation("Draft Lab", status="draft")
    programme = make_programme("Fuzz Fund", lead_organisation=lab, start_date="2024-01-01", end_date="2030-12-31")
    programme.sectors.add(finance)
    programme.partners.add(regulator)
    old = make_guidance("Old Principles", publisher=regulator, date_published="2019-05-01", binding=True)
    new = make_guidance("New Principles", publisher=regulator, date_published="2024-06-01", supersedes=old)
    new.topics.add(privacy)
    new.sectors.add(finance)


def exporter():
    client = Client()
    client.force_login(make_user(groups=["Exporters"]))
    return client


@pytest.mark.parametrize("path", ["/en/organisations/", "/en/programmes/", "/en/guidance/", "/en/search/"])
def test_any_query_string_gives_a_page_not_a_server_error(client, path):
    @fuzz
    @given(query=queries)
    def check(query):
        response = client.get(f"{path}?{query}", follow=True)
        assert response.status_code < 500

    check()


@pytest.mark.parametrize(
    "path", ["/en/organisations/export.csv", "/en/programmes/export.csv", "/en/guidance/export.csv"]
)
def test_any_query_string_gives_an_export_not_a_server_error(path):
    client = exporter()

    @fuzz
    @given(query=queries)
    def check(query):
        response = client.get(f"{path}?{query}", follow=True)
        assert response.status_code < 500
        if response.streaming:
            b"".join(response.streaming_content)

    check()


def test_a_nul_byte_in_a_parameter_name_stays_out_of_the_export_record():
    response = exporter().get("/en/organisations/export.csv?a%00b=1&kind=research_centre")
    assert response.status_code == 200
    b"".join(response.streaming_content)
    assert ExportRecord.objects.get().filters == {"kind": ["research_centre"], "publication": ["published"]}
