"""The public JSON API: exactly what the public lists show for the same parameters, published items only, clear 400s
for values it cannot use, validators and 304s, CORS for reading, a rate limit per client, constant query counts."""

import datetime
import json

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from directory.choices import Status
from directory.listing import PAGE_SIZE

from .factories import make_guidance, make_organisation, make_programme, make_sector, make_topic
from .openapi_validation import assert_matches_description
from .test_settings import PRODUCTION_ENV, run_django

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    """Rate-limit counts and cached pages from other tests would leak into these."""
    cache.clear()
    yield
    cache.clear()


def api(client, path, params=None, **headers):
    response = client.get(f"/api/v1/{path}", params or {}, **headers)
    assert response.status_code < 500
    return response


def body(response):
    return json.loads(response.content)


def slugs(response):
    assert response.status_code == 200, response.content
    return [item["slug"] for item in body(response)["results"]]


def days_ago(days):
    return timezone.now() - datetime.timedelta(days=days)


@pytest.fixture
def directory():
    """Enough of every kind of content for filters, search, sorts and a second page to matter."""
    finance, education = make_sector("Finance", slug="finance"), make_sector("Education", slug="education")
    privacy = make_topic("Data privacy", name_zh_hant="個人資料私隱", slug="data-privacy")
    pcpd = make_organisation(
        "Office of the Privacy Commissioner for Personal Data",
        name_zh_hant="個人資料私隱專員公署",
        kind="regulator",
        founded_year=1996,
    )
    pcpd.sectors.add(finance)
    for number in range(PAGE_SIZE + 5):
        organisation = make_organisation(
            f"Lab {number:02}",
            kind="university" if number % 3 else "startup",
            founded_year=1990 + number,
            published_at=days_ago(number + 1),
        )
        organisation.sectors.add(education if number % 2 else finance)
        programme = make_programme(
            f"Scheme {number:02}",
            lead_organisation=organisation if number % 2 else pcpd,
            start_date=datetime.date(2018 + number % 8, 1, 1),
            end_date=datetime.date(2030, 1, 1) if number % 4 else datetime.date(2020, 1, 1),
        )
        programme.sectors.add(finance)
        guidance = make_guidance(
            f"Guidance {number:02}",
            publisher=pcpd if number % 2 else organisation,
            binding=bool(number % 3),
            date_published=datetime.date(2015 + number % 10, 6, 1),
        )
        if number % 2:
            guidance.topics.add(privacy)
    make_guidance("私隱指引", publisher=pcpd, summary="Personal data privacy and AI").topics.add(privacy)
    return {"pcpd": pcpd, "finance": finance, "privacy": privacy}


def list_page(client, name, params):
    response = client.get(reverse(f"directory:{name}-list"), params)
    assert response.status_code == 200
    return [item.slug for item in response.context["page_obj"].object_list], response.context["paginator"].count


LIST_CASES = [
    ("organisation", "organisations", {}),
    ("organisation", "organisations", {"page": "2"}),
    ("organisation", "organisations", {"kind": ["university", "startup"], "sort": "founded"}),
    ("organisation", "organisations", {"sector": "finance", "year_min": "1995", "year_max": "2010"}),
    ("organisation", "organisations", {"q": "私隱"}),
    ("organisation", "organisations", {"q": "lab", "sort": "newest", "page": "2"}),
    ("programme", "programmes", {"state": "open", "sort": "start"}),
    ("programme", "programmes", {"organisation": "office-of-the-privacy-commissioner-for-personal-data"}),
    ("programme", "programmes", {"q": "scheme", "year_min": "2020"}),
    ("guidance", "guidance", {}),
    ("guidance", "guidance", {"q": "私隱"}),
    ("guidance", "guidance", {"topic": "data-privacy", "binding": "binding", "sort": "title"}),
    ("guidance", "guidance", {"state": "in_force", "sort": "oldest", "page": "2"}),
    ("guidance", "guidance", {"publisher": "office-of-the-privacy-commissioner-for-personal-data", "q": "guidance"}),
]


@pytest.mark.parametrize(("name", "path", "params"), LIST_CASES)
def test_a_list_gives_exactly_the_items_its_page_shows(client, directory, name, path, params):
    shown, count = list_page(client, name, params)
    response = api(client, f"{path}/", params)
    assert slugs(response) == shown
    assert body(response)["count"] == count
    assert_matches_description(response)


def test_a_chinese_search_finds_what_the_page_finds(client, directory):
    response = api(client, "guidance/", {"q": "私隱"})
    assert "私隱指引" in [item["title"] for item in body(response)["results"]]
    assert slugs(response) == list_page(client, "guidance", {"q": "私隱"})[0]


def test_pages_link_to_each_other_in_the_canonical_order(client, directory):
    first = body(api(client, "organisations/", {"sort": "newest", "kind": ["university", "startup"]}))
    assert first["previous"] is None
    assert first["next"] == "http://testserver/api/v1/organisations/?kind=startup&kind=university&sort=newest&page=2"
    second = body(client.get(first["next"]))
    assert second["previous"].endswith("sort=newest&page=1")
    assert second["next"] is None
    assert len(first["results"]) + len(second["results"]) == first["count"]


def test_an_item_has_what_readers_see_in_every_language(client, directory):
    pcpd = directory["pcpd"]
    pcpd.source_url = "https://www.pcpd.org.hk/"
    pcpd.last_verified_on = datetime.date(2026, 1, 5)
    pcpd.aliases = "PCPD; 私隱公署"
    pcpd.save()
    item = body(api(client, f"organisations/{pcpd.slug}/"))
    assert item["name_zh_hant"] == "個人資料私隱專員公署"
    assert item["aliases"] == ["PCPD", "私隱公署"]
    assert item["source_url"] == "https://www.pcpd.org.hk/"
    assert item["last_verified_on"] == "2026-01-05"
    assert item["updated_at"]
    assert item["kind_label"] == {"en": "Regulator", "zh_hant": "監管機構"}
    assert item["urls"] == {
        "en": f"http://testserver/en/organisations/{pcpd.slug}/",
        "zh-hant": f"http://testserver/zh-hant/organisations/{pcpd.slug}/",
        "zh-hans": f"http://testserver/zh-hans/organisations/{pcpd.slug}/",
    }
    assert item["sectors"] == [{"slug": "finance", "name": "Finance", "name_zh_hant": ""}]
    led = [link["slug"] for link in item["led_programmes"]]
    assert len(led) == 13 and all(slug.startswith("scheme-") for slug in led)
    assert {link["url"] for link in item["guidance"]} >= {
        f"http://testserver/api/v1/guidance/{link['slug']}/" for link in item["guidance"]
    }


def test_never_a_draft_archived_or_future_item(client):
    make_organisation("Visible lab")
    make_organisation("Draft lab", status=Status.DRAFT)
    make_organisation("Archived lab", status=Status.ARCHIVED)
    make_organisation("Future lab", published_at=timezone.now() + datetime.timedelta(days=1))
    response = api(client, "organisations/")
    assert slugs(response) == ["visible-lab"]
    for slug in ("draft-lab", "archived-lab", "future-lab"):
        missing = api(client, f"organisations/{slug}/")
        assert missing.status_code == 404
        assert body(missing) == {"errors": [{"parameter": "slug", "message": "Nothing published has this slug."}]}


def test_a_drafts_name_never_shows_through_a_relation(client):
    draft = make_organisation("Secret draft lead", status=Status.DRAFT)
    future = make_organisation("Not yet announced", published_at=timezone.now() + datetime.timedelta(days=3))
    partner = make_organisation("Visible partner")
    programme = make_programme("Open scheme", lead_organisation=draft)
    programme.partners.set([draft, future, partner])
    guidance = make_guidance("Code of practice", publisher=draft)
    guidance.co_publishers.set([future])
    child = make_organisation("Child lab", parent=draft)
    child.part_of.set([future])
    for path in ("programmes/", "programmes/open-scheme/", "guidance/", "guidance/code-of-practice/", "organisations/"):
        response = api(client, path)
        assert response.status_code == 200
        text = response.content.decode()
        assert "Secret draft lead" not in text and "Not yet announced" not in text
        assert "secret-draft-lead" not in text and "not-yet-announced" not in text
    shown = body(api(client, "programmes/open-scheme/"))
    assert shown["lead_organisation"] is None
    assert [link["slug"] for link in shown["partners"]] == ["visible-partner"]
    assert body(api(client, "guidance/code-of-practice/"))["publisher"] is None
    assert body(api(client, "organisations/child-lab/"))["parent"] is None


BAD_PARAMETERS = [
    ("organisations/", {"kind": "nonsense"}, "kind"),
    ("organisations/", {"year_min": "abc"}, "year_min"),
    ("organisations/", {"year_max": "99999999999999999999"}, "year_max"),
    ("organisations/", {"sort": "cheapest"}, "sort"),
    ("organisations/", {"sector": "no-such-sector"}, "sector"),
    ("organisations/", {"parent": "no-such-organisation"}, "parent"),
    ("programmes/", {"page": "abc"}, "page"),
    ("programmes/", {"page": "0"}, "page"),
    ("programmes/", {"page": "2.5"}, "page"),
    ("programmes/", {"state": "forever"}, "state"),
    ("guidance/", {"q": "x" * 10_000}, "q"),
    ("guidance/", {"q": "privacy\x00"}, "q"),
    ("guidance/", {"binding": "sometimes"}, "binding"),
]


@pytest.mark.parametrize(("path", "params", "parameter"), BAD_PARAMETERS)
def test_a_value_the_list_cannot_use_is_a_400_naming_the_parameter(client, path, params, parameter):
    response = api(client, path, params)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert [error["parameter"] for error in body(response)["errors"]] == [parameter]
    assert_matches_description(response)


def test_a_nul_byte_in_a_parameters_name_is_a_400(client):
    response = client.get("/api/v1/organisations/?ki%00nd=university")
    assert response.status_code == 400
    assert body(response)["errors"][0]["parameter"] == "kind"


@pytest.mark.parametrize("slug", ["%00", "lab%00", "%E7%A7%81%E9%9A%B1", "x" * 500])
def test_a_slug_no_item_could_have_is_a_404_naming_the_slug(client, slug):
    make_organisation("Lab")
    response = client.get(f"/api/v1/organisations/{slug}/")
    assert response.status_code == 404
    assert body(response)["errors"][0]["parameter"] == "slug"


def test_a_page_past_the_last_is_a_404_naming_the_page(client):
    make_organisation()
    response = api(client, "organisations/", {"page": "2"})
    assert response.status_code == 404
    assert body(response)["errors"][0]["parameter"] == "page"


def test_empty_values_and_unknown_parameters_are_ignored_as_the_lists_ignore_them(client):
    make_organisation("Lab", kind="startup")
    response = api(client, "organisations/", {"kind": "", "utm_source": "newsletter"})
    assert slugs(response) == ["lab"]


def test_a_matching_etag_gets_a_304(client):
    make_organisation("Lab")
    first = api(client, "organisations/")
    assert first["ETag"] and first["Last-Modified"]
    again = client.get("/api/v1/organisations/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert_matches_description(again)
    assert again["ETag"] == first["ETag"]
    since = client.get("/api/v1/organisations/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304


def test_head_gives_the_headers_of_get_without_the_body(client):
    make_organisation("Lab")
    get, head = api(client, "organisations/lab/"), client.head("/api/v1/organisations/lab/")
    assert head.status_code == 200
    assert head.content == b""
    assert head["ETag"] == get["ETag"]


def test_a_change_changes_the_etag(client):
    lab = make_organisation("Lab")
    first = api(client, f"organisations/{lab.slug}/")
    lab.summary = "Now with a summary"
    lab.save()
    again = client.get(f"/api/v1/organisations/{lab.slug}/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]
    assert body(again)["summary"] == "Now with a summary"


def test_the_page_cache_serves_the_api_with_its_validators(client, settings):
    settings.PAGE_CACHE = True
    make_organisation("Lab")
    first = api(client, "organisations/")
    with CaptureQueriesContext(connection) as queries:
        hit = api(client, "organisations/")
    assert len(queries) == 1  # the content version
    assert hit.content == first.content and hit["ETag"] == first["ETag"]
    assert client.get("/api/v1/organisations/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_a_query_out_of_canonical_order_is_answered_not_redirected_nor_cached(client, settings):
    settings.PAGE_CACHE = True
    make_organisation("Lab", kind="startup")
    canonical = api(client, "organisations/", {"kind": "startup", "sort": "newest"})
    reordered = client.get("/api/v1/organisations/?sort=newest&kind=startup&utm_source=feed")
    assert reordered.status_code == 200
    assert reordered.content == canonical.content
    with CaptureQueriesContext(connection) as queries:
        client.get("/api/v1/organisations/?sort=newest&kind=startup&utm_source=feed")
    assert len(queries) > 1  # built again, never stored under the canonical query's key


def test_the_api_is_readable_from_any_origin_without_credentials(client):
    response = api(client, "organisations/", HTTP_ORIGIN="https://elsewhere.example")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response["Access-Control-Expose-Headers"]
    assert not response.has_header("Access-Control-Allow-Credentials")
    preflight = client.options("/api/v1/organisations/", HTTP_ORIGIN="https://elsewhere.example")
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert "If-None-Match" in preflight["Access-Control-Allow-Headers"]


def test_an_answer_says_it_is_the_same_in_every_language(client):
    response = api(client, "sectors/", HTTP_ACCEPT_LANGUAGE="zh-hant")
    assert not response.has_header("Content-Language")
    assert "accept-language" not in response.get("Vary", "").lower()


def test_pages_of_the_site_get_no_cors_headers(client):
    assert not client.get("/en/organisations/").has_header("Access-Control-Allow-Origin")


def refused_message(response):
    return f"Too many requests: try again in {response['Retry-After']} seconds."


def test_a_client_past_the_rate_limit_gets_a_429_with_retry_after(client, settings):
    settings.API_RATE_LIMIT = (3, 60)
    for _request in range(3):
        assert api(client, "sectors/").status_code == 200
    refused = api(client, "sectors/")
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused["Access-Control-Allow-Origin"] == "*"
    assert body(refused)["errors"] == [{"parameter": None, "message": refused_message(refused)}]
    assert_matches_description(refused)
    # Another client is counted apart.
    assert api(client, "sectors/", REMOTE_ADDR="203.0.113.9").status_code == 200


def test_the_rate_limit_counts_the_client_behind_trusted_proxies(client, settings):
    settings.API_RATE_LIMIT = (1, 60)
    settings.TRUSTED_PROXIES = 1
    assert api(client, "topics/", HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 200
    assert api(client, "topics/", HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 200
    assert api(client, "topics/", HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 429


def test_the_rate_limit_is_read_from_the_environment():
    show = "import hkai_portal.settings as s; print(s.API_RATE_LIMIT)"
    assert run_django("-c", show, **PRODUCTION_ENV).stdout.strip() == "(120, 60)"
    assert run_django("-c", show, DJANGO_API_RATE_LIMIT="5000/hour", **PRODUCTION_ENV).stdout.strip() == "(5000, 3600)"


@pytest.mark.parametrize("rate", ["120", "0/minute", "many/minute", "120/fortnight"])
def test_settings_refuse_a_rate_limit_they_cannot_read(rate):
    result = run_django("-c", "import hkai_portal.settings", DJANGO_API_RATE_LIMIT=rate, **PRODUCTION_ENV)
    assert result.returncode != 0
    message = "DJANGO_API_RATE_LIMIT must be a number of requests per second, minute, hour or day (120/minute)"
    assert result.stderr.strip().splitlines() == [f"{message}, not {rate!r}."]


def test_sectors_and_topics_link_to_the_lists_they_filter(client, directory):
    sectors = body(api(client, "sectors/"))
    assert [sector["slug"] for sector in sectors["results"]] == ["education", "finance"]
    finance = sectors["results"][1]
    assert finance["urls"]["programmes"] == "http://testserver/api/v1/programmes/?sector=finance"
    topics = body(api(client, "topics/"))["results"]
    assert topics[0]["name_zh_hant"] == "個人資料私隱"
    assert topics[0]["urls"] == {
        "organisations": None,
        "programmes": None,
        "guidance": "http://testserver/api/v1/guidance/?topic=data-privacy",
    }
    assert len(slugs(client.get(topics[0]["urls"]["guidance"]))) == 13


def make_linked_content(count):
    sector = make_sector()
    topic = make_topic()
    for _number in range(count):
        parent = make_organisation()
        organisation = make_organisation(parent=parent)
        organisation.sectors.add(sector)
        organisation.part_of.add(parent)
        organisation.established_by.add(parent)
        programme = make_programme(lead_organisation=organisation)
        programme.partners.add(parent)
        programme.sectors.add(sector)
        organisation.part_of_programmes.add(programme)
        guidance = make_guidance(publisher=organisation)
        guidance.co_publishers.add(parent)
        guidance.topics.add(topic)
        guidance.sectors.add(sector)


@pytest.mark.parametrize(
    "path",
    ["organisations/", "organisations/?q=organisation&kind=university", "programmes/", "guidance/?sort=title"],
)
def test_a_lists_query_count_does_not_grow_with_its_items(client, path):
    def queries_for(count):
        make_linked_content(count)
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/api/v1/{path}").status_code == 200
        return len(queries)

    assert queries_for(3) == queries_for(12)


def test_the_api_page_documents_every_endpoint_and_parameter_in_the_readers_language(client):
    page = client.get("/en/api/")
    assert page.status_code == 200
    text = page.content.decode()
    for shown in ("/api/v1/openapi.json", "GET /api/v1/organisations/", "GET /api/v1/guidance/{slug}/", "year_min"):
        assert shown in text
    assert "Founded from" in text  # the list's own label for the parameter
    assert 'href="/en/api/"' in client.get("/en/").content.decode()  # linked from every page's footer
    assert "成立年份由" in client.get("/zh-hant/api/").content.decode()


def test_an_items_query_count_does_not_grow_with_what_links_to_it(client):
    def queries_for(count):
        lab = make_organisation()
        for _number in range(count):
            make_organisation(parent=lab).part_of.add(lab)
            make_programme(lead_organisation=lab).partners.add(lab)
            make_guidance(publisher=lab)
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/api/v1/organisations/{lab.slug}/").status_code == 200
        return len(queries)

    assert queries_for(2) == queries_for(10)


def test_a_programmes_application_window_is_in_the_api(client):
    make_programme(
        "Deadline scheme",
        applications_open_on=datetime.date(2026, 1, 5),
        applications_close_on=datetime.date(2027, 6, 30),
        next_intake="Second round",
    )
    response = api(client, "programmes/")
    assert_matches_description(response)
    (item,) = body(response)["results"]
    assert item["applications_open_on"] == "2026-01-05" and item["applications_close_on"] == "2027-06-30"
    assert item["applications_rolling"] is False and item["next_intake"] == "Second round"
