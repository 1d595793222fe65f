"""Arbitrary query strings on every public list, search and export URL, and arbitrary paths: never a 5xx, never an
exception, never a redirect off the site.

HKAI_FUZZ_EXAMPLES sets the examples per URL; the default keeps the file well under a minute in CI.
"""

import os
from urllib.parse import unquote_to_bytes, urlencode, urlsplit

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
# Parameters no page reads: tracking ones, and anything at all.
UNKNOWN = ("utm_source", "utm_medium", "utm_campaign", "fbclid", "gclid", "z", "Kind", "page[]", "")
keys = st.one_of(st.sampled_from(PARAMETERS), st.sampled_from(UNKNOWN), st.text(max_size=20))
pairs = st.one_of(
    st.tuples(keys, values).map(lambda pair: [pair]),
    # One parameter several times, as a list's checkboxes send it (and as a list's single choices must survive).
    st.tuples(st.sampled_from(PARAMETERS), st.lists(values, min_size=2, max_size=4)).map(
        lambda repeated: [(repeated[0], value) for value in repeated[1]]
    ),
)
queries = st.lists(pairs, max_size=6).map(lambda groups: urlencode([pair for group in groups for pair in group]))
# Paths a browser may read as another host (two slashes, a backslash), and others just as odd.
HOSTILE_PATHS = (
    "//evil.example/en/",
    "//evil.example/en/organisations/",
    "/%5Cevil.example/en/",
    "/%5C%5Cevil.example/",
    "/%2F%2Fevil.example/en/",
    "///x",
    "///evil.example",
    "//en/organisations/",
    "/en//organisations/",
    "/en/organisations//",
    "//sitemap.xml",
    "/%09/evil.example/",
)
paths = st.one_of(
    st.sampled_from(HOSTILE_PATHS),
    st.builds(
        lambda prefix, rest: prefix + rest,
        st.sampled_from(["/", "//", "///", "/\\", "/en/", "/en//"]),
        st.text(alphabet=st.sampled_from("/\\.:@%?#ea5C"), max_size=20),
    ),
)

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


def assert_on_site(location):
    """The Location of a redirect must be a path of this site, however a browser reads it."""
    assert location.startswith("/") and not location.startswith("//"), location
    assert "\\" not in location, location
    parts = urlsplit(location)
    assert not parts.scheme and not parts.netloc, location


def get_raw(client, address):
    """GET `address` with its path as a server receives it: the test client would read `//host/path` as a host."""
    path, _, query = address.partition("?")
    return client.get("/", PATH_INFO=unquote_to_bytes(path).decode("iso-8859-1"), QUERY_STRING=query)


def get_on_site(client, address, hops=5):
    """GET `address` and follow its redirects, each of which must stay on this site; return the last response."""
    response = get_raw(client, address)
    for _hop in range(hops):
        if response.status_code not in (301, 302, 307, 308):
            break
        assert_on_site(response["Location"])
        response = get_raw(client, response["Location"])
    assert response.status_code not in (301, 302, 307, 308), "a redirect loop"
    return response


@pytest.mark.parametrize(
    "path", ["/en/organisations/", "/en/programmes/", "/en/guidance/", "/en/search/", "/en/", "/sitemap.xml"]
)
def test_any_query_string_gives_a_page_not_a_server_error(client, path):
    @fuzz
    @given(query=queries)
    def check(query):
        assert get_on_site(client, f"{path}?{query}").status_code < 500

    check()


def test_a_list_redirects_at_most_once_to_a_page_that_answers(client):
    @fuzz
    @given(query=queries)
    def check(query):
        response = client.get(f"/en/organisations/?{query}")
        if response.status_code == 302:
            # The canonical query is its own canonical form.
            assert_on_site(response["Location"])
            assert get_raw(client, response["Location"]).status_code == 200

    check()


def test_any_path_gives_a_page_or_a_redirect_on_this_site(client):
    @fuzz
    @given(path=paths, query=queries)
    def check(path, query):
        assert get_on_site(client, f"{path}?{query}" if query else path).status_code < 500

    check()


@pytest.mark.parametrize(
    "path", ["/en/organisations/export.csv", "/en/programmes/export.csv", "/en/guidance/export.csv"]
)
def test_any_query_string_gives_an_export_not_a_server_error(path):
    client = exporter()

    @fuzz
    @given(query=queries)
    def check(query):
        response = get_on_site(client, f"{path}?{query}")
        assert response.status_code < 500
        if response.streaming:
            b"".join(response.streaming_content)

    check()


def test_a_nul_byte_in_a_parameter_name_stays_out_of_the_export_record():
    response = exporter().get("/en/organisations/export.csv?a%00b=1&kind=research_centre")
    assert response.status_code == 200
    b"".join(response.streaming_content)
    assert ExportRecord.objects.get().filters == {"kind": ["research_centre"], "publication": ["published"]}
