"""Search as readers use it, the same on SQLite and PostgreSQL (CI runs this file on both)."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from directory import search_index
from directory.choices import Status
from directory.models import Guidance, Organisation
from directory.search_tokens import MAX_QUERY_WORDS

from .factories import make_guidance, make_organisation, make_programme, make_sector, make_topic

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_content():
    call_command("load_demo_content", stdout=io.StringIO())


def listed(client, url_name, q, **params):
    return [str(item) for item in client.get(reverse(url_name), {"q": q, **params}).context["object_list"]]


def slugs(client, url_name, q):
    return [item.slug for item in client.get(reverse(url_name), {"q": q}).context["object_list"]]


def test_privacy_search_finds_the_privacy_commissioner_and_its_guidance(client, demo_content):
    assert "Office of the Privacy Commissioner for Personal Data" in listed(
        client, "directory:organisation-list", "privacy"
    )
    assert "Guidance on the Ethical Development and Use of Artificial Intelligence" in listed(
        client, "directory:guidance-list", "privacy"
    )


def test_search_is_case_insensitive(client, demo_content):
    assert listed(client, "directory:organisation-list", "CYBERPORT") == listed(
        client, "directory:organisation-list", "cyberport"
    )
    assert listed(client, "directory:organisation-list", "cyberport")


def test_the_last_word_matches_as_a_prefix_so_univ_lists_the_universities(client, demo_content):
    found = listed(client, "directory:organisation-list", "univ")
    universities = Organisation.objects.published().filter(kind="university").values_list("name", flat=True)
    assert set(universities) <= set(found)
    assert "City University of Hong Kong" in listed(client, "directory:organisation-list", "universi")


def test_every_word_must_match(client):
    make_organisation("Kowloon Robotics Lab")
    make_organisation("Kowloon Vision Lab")
    assert listed(client, "directory:organisation-list", "kowloon robotics") == ["Kowloon Robotics Lab"]
    assert listed(client, "directory:organisation-list", "kowloon lab") == [
        "Kowloon Robotics Lab",
        "Kowloon Vision Lab",
    ]


def test_english_words_are_stemmed_so_regulators_finds_regulator(client):
    make_organisation("Principled AI Lab", summary="Publishes principles for the regulator.")
    assert listed(client, "directory:organisation-list", "regulators principle") == ["Principled AI Lab"]


def test_two_letter_words_are_words_not_substrings(client):
    make_organisation("AI Lab")
    make_organisation("Supply Chain Training Centre")
    assert listed(client, "directory:organisation-list", "ai") == ["AI Lab"]


def test_quoted_words_match_as_a_phrase(client):
    make_organisation("Hong Kong Data Lab")
    make_organisation("Data Lab of Hong Kong")
    assert listed(client, "directory:organisation-list", '"hong kong data"') == ["Hong Kong Data Lab"]
    assert listed(client, "directory:organisation-list", "hong kong data") == [
        "Data Lab of Hong Kong",
        "Hong Kong Data Lab",
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # Two words in a row, and three.
        ('"public sector"', ["Public Sector Lab"]),
        ('"kowloon public sector"', ["Public Sector Lab"]),
        # A four-character word is three pairs in a row: holding all three elsewhere is not enough.
        ("人工智能", ["人工智能實驗室", "人工智能研究所"]),
        # Longer words: each four characters of them are in the decoy too, but not the whole word.
        ("人工智能研究", ["人工智能研究所"]),
    ],
)
def test_a_phrase_matches_its_words_in_a_row_and_nothing_less(client, query, expected):
    make_organisation("Public Sector Lab", summary="Kowloon public sector pilots.")
    make_organisation("Sector Public House", summary="Public and sector apart.")
    make_organisation("人工智能研究所")
    make_organisation("人工智能實驗室", summary="人工智能研發，智能研究。")
    make_organisation("智能人工工智協會", summary="工智能夠人工。")
    assert listed(client, "directory:organisation-list", query) == expected


def test_a_name_match_ranks_above_a_summary_match_then_by_name(client):
    make_organisation("Trading House", summary="Mentions robotics once among other trades.")
    make_organisation("Robotics Institute", summary="Research.")
    make_organisation("Advanced Robotics Centre")
    assert listed(client, "directory:organisation-list", "robotics") == [
        "Advanced Robotics Centre",
        "Robotics Institute",
        "Trading House",
    ]


@pytest.mark.parametrize("query", ["HKUST", "hkust", "科大"])
def test_aliases_find_their_organisation(client, demo_content, query):
    assert "The Hong Kong University of Science and Technology" in listed(client, "directory:organisation-list", query)


def test_hkma_on_guidance_lists_every_document_the_hkma_publishes(client, demo_content):
    hkma = Organisation.objects.get(slug="hong-kong-monetary-authority")
    published = set(Guidance.objects.published().filter(publisher=hkma).values_list("slug", flat=True))
    assert len(published) >= 2
    assert published <= set(slugs(client, "directory:guidance-list", "HKMA"))


@pytest.mark.parametrize("query", ["私隱", "私隐", "隐私"])
def test_chinese_privacy_in_any_script_or_wording_lists_the_privacy_commissioners_guidance(client, demo_content, query):
    pcpd = Organisation.objects.get(slug="office-of-the-privacy-commissioner-for-personal-data")
    published = set(Guidance.objects.published().filter(publisher=pcpd).values_list("slug", flat=True))
    assert published
    response = client.get(reverse("directory:guidance-list"), {"q": query}, HTTP_ACCEPT_LANGUAGE="zh-hant")
    assert published <= {item.slug for item in response.context["object_list"]}


def test_a_programme_is_found_by_its_lead_organisations_alias(client):
    lead = make_organisation("Hong Kong Science and Technology Parks Corporation", aliases="HKSTP; 科技園")
    make_programme("Incubation Programme", lead_organisation=lead)
    make_programme("Other Programme")
    assert listed(client, "directory:programme-list", "hkstp") == ["Incubation Programme"]
    assert listed(client, "directory:programme-list", "科技園") == ["Incubation Programme"]


def test_a_programme_is_found_by_a_partners_name(client):
    programme = make_programme("Talent Scheme")
    programme.partners.add(make_organisation("Cyberport", aliases="數碼港"))
    assert listed(client, "directory:programme-list", "數碼港") == ["Talent Scheme"]


def test_guidance_is_found_by_its_topics_and_sectors_in_both_languages(client):
    guidance = make_guidance("Circular 7")
    guidance.topics.add(make_topic("Fairness", name_zh_hant="公平"))
    guidance.sectors.add(make_sector("Finance", name_zh_hant="金融"))
    for query in ("fairness", "公平", "finance", "金融"):
        assert listed(client, "directory:guidance-list", query) == ["Circular 7"], query


def test_an_organisation_is_found_by_its_parents_name(client):
    parent = make_organisation("The Hong Kong University of Science and Technology", aliases="HKUST")
    make_organisation("Centre for AI Research", parent=parent)
    assert "Centre for AI Research" in listed(client, "directory:organisation-list", "hkust")


@pytest.mark.parametrize("how", ["save", "update", "raw"])
def test_renaming_a_publisher_updates_its_guidance_results_at_once(client, how):
    publisher = make_organisation("Old Authority", kind="regulator")
    make_guidance("Circular 1", publisher=publisher)
    assert listed(client, "directory:guidance-list", "old authority") == ["Circular 1"]
    if how == "save":
        publisher.name, publisher.aliases = "New Commission", "NC; 新委員會"
        publisher.save()
    elif how == "update":
        Organisation.objects.filter(pk=publisher.pk).update(name="New Commission", aliases="NC; 新委員會")
    else:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE directory_organisation SET name = %s, aliases = %s WHERE id = %s",
                ["New Commission", "NC; 新委員會", publisher.pk],
            )
    assert listed(client, "directory:guidance-list", "old authority") == []
    for query in ("new commission", "nc", "新委員會"):
        assert listed(client, "directory:guidance-list", query) == ["Circular 1"], query


def test_adding_and_removing_a_partner_updates_the_programmes_results(client):
    programme = make_programme("Talent Scheme")
    partner = make_organisation("Cyberport")
    programme.partners.add(partner)
    assert listed(client, "directory:programme-list", "cyberport") == ["Talent Scheme"]
    programme.partners.remove(partner)
    assert listed(client, "directory:programme-list", "cyberport") == []


def test_a_deleted_item_is_no_longer_found(client):
    make_organisation("Kowloon Robotics Lab").delete()
    assert listed(client, "directory:organisation-list", "robotics") == []


def test_an_unpublished_publisher_lends_its_name_to_no_search(client):
    publisher = make_organisation("Secret Regulator", status=Status.DRAFT)
    make_guidance("Circular 2", publisher=publisher)
    assert listed(client, "directory:guidance-list", "secret") == []
    publisher.status = Status.PUBLISHED
    publisher.save()
    assert listed(client, "directory:guidance-list", "secret") == ["Circular 2"]


def test_eleven_words_search_with_ten_and_say_so(client):
    words = [f"word{number}" for number in range(MAX_QUERY_WORDS + 1)]
    make_organisation("Ten Words", summary=" ".join(words[:MAX_QUERY_WORDS]))
    response = client.get(reverse("directory:organisation-list"), {"q": " ".join(words)})
    assert [str(item) for item in response.context["object_list"]] == ["Ten Words"]
    assert "Only the first 10 words were searched for" in response.content.decode()
    site = client.get(reverse("directory:search"), {"q": " ".join(words)}).content.decode()
    assert "Only the first 10 words were searched for" in site
    assert "searched for" not in client.get(reverse("directory:organisation-list"), {"q": "ten"}).content.decode()


def test_repeated_words_count_once(client):
    make_organisation("Ten Words", summary="alpha")
    words = " ".join(["alpha"] * (MAX_QUERY_WORDS + 5))
    response = client.get(reverse("directory:organisation-list"), {"q": words})
    assert [str(item) for item in response.context["object_list"]] == ["Ten Words"]
    assert "searched for" not in response.content.decode()


@pytest.mark.parametrize(
    "query",
    ['"', '"robotics', "robotics*", "NEAR(robotics lab)", "robotics:lab", "robotics & lab", "robotics | lab",
     "!robotics", "(robotics) lab", "{name}: robotics", "robotics AND lab OR x", "-robotics", "'robotics'",
     "robotics:*", "lab <-> robotics", "^robotics", "\\", "%", "_"],
)  # fmt: skip
def test_query_syntax_is_text_never_an_operator(client, query):
    make_organisation("Kowloon Robotics Lab")
    make_organisation("Kowloon Vision Lab")
    for url_name in ("directory:organisation-list", "directory:search"):
        assert client.get(reverse(url_name), {"q": query}).status_code == 200
    found = listed(client, "directory:organisation-list", query)
    assert "Kowloon Vision Lab" not in found or "robotics" not in query.lower()


def test_operators_in_a_query_are_plain_words(client):
    make_organisation("Kowloon Robotics Lab")
    # NOT, OR and NEAR would change an FTS5 or tsquery query; here they are words that must match, and nothing does.
    assert listed(client, "directory:organisation-list", "robotics OR vision") == []
    assert listed(client, "directory:organisation-list", "robotics -lab") == ["Kowloon Robotics Lab"]


def test_matches_are_highlighted_in_the_name_and_summary(client):
    make_organisation("Kowloon Robotics Lab", summary="Builds robots for hospitals and regulators.")
    text = client.get(reverse("directory:organisation-list"), {"q": "robotics regulator"}).content.decode()
    assert "Kowloon <mark>Robotics</mark> Lab" in text
    assert "<mark>regulators</mark>" in text


def test_highlights_escape_html(client):
    make_organisation("<script>alert(1)</script> Robotics", summary="<b>robotics</b> & more")
    text = client.get(reverse("directory:organisation-list"), {"q": "robotics"}).content.decode()
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; <mark>Robotics</mark>" in text
    assert "&lt;b&gt;<mark>robotics</mark>&lt;/b&gt; &amp; more" in text


def test_the_site_search_highlights_matches_too(client):
    make_organisation("Kowloon Robotics Lab")
    text = client.get(reverse("directory:search"), {"q": "robot"}).content.decode()
    assert "Kowloon <mark>Robotics</mark> Lab" in text


def test_chinese_matches_are_highlighted_in_the_readers_script(client):
    make_organisation("Privacy Office", name_zh_hant="個人資料私隱專員公署")
    text = client.get("/zh-hans/organisations/", {"q": "私隱"}).content.decode()
    assert "个人资料<mark>私隐</mark>专员公署" in text


@pytest.mark.parametrize(
    ("text", "query", "marked"),
    [
        ("Hong Kong University of Science", "univ", "Hong Kong <mark>University</mark> of Science"),
        ("For regulators and banks", "regulator bank", "For <mark>regulators</mark> and <mark>banks</mark>"),
        ("For the public sector, not others", '"public sector"', "For the <mark>public sector</mark>, not others"),
        ("The sector serves the public", '"public sector"', "The sector serves the public"),
        ("香港人工智能研究所", "人工智能", "香港<mark>人工智能</mark>研究所"),
        ("香港科技大學", "科", "香港<mark>科</mark>技大學"),
        ("Cyberport and Cyberspace", "cyberp", "<mark>Cyberport</mark> and Cyberspace"),
        ("AI in Training", "ai", "<mark>AI</mark> in Training"),
    ],
)  # fmt: skip
def test_highlights_mark_what_the_search_matched_and_nothing_else(text, query, marked):
    from directory.search_highlight import highlight
    from directory.search_tokens import parse_query

    assert highlight(text, parse_query(query)) == marked


def test_a_long_summary_shows_a_passage_around_the_match(client):
    summary = " ".join(["filler"] * 35) + " robotics " + " ".join(["tail"] * 35)
    make_organisation("Long Summary Lab", summary=summary)
    text = client.get(reverse("directory:organisation-list"), {"q": "robotics"}).content.decode()
    assert "…" in text and "<mark>robotics</mark>" in text
    assert summary not in text


def test_site_search_groups_results_by_type_with_counts(client, demo_content):
    response = client.get(reverse("directory:search"), {"q": "sandbox"})
    groups = {str(group["label"]): group for group in response.context["groups"]}
    assert set(groups) == {"Organisations", "Programmes", "Ethics guidance"}
    assert groups["Programmes"]["count"] >= 1
    assert "GenA.I. Sandbox" in [str(item) for item in groups["Programmes"]["results"]]
    assert response.context["total"] == sum(group["count"] for group in groups.values())


def test_site_search_never_shows_unpublished_items(client):
    make_organisation("Visible robotics lab")
    make_organisation("Draft robotics lab", status=Status.DRAFT)
    make_guidance("Archived robotics guidance", status=Status.ARCHIVED)
    text = client.get(reverse("directory:search"), {"q": "robotics"}).content.decode()
    assert "Visible" in text
    assert "Draft" not in text and "Archived" not in text


def test_site_search_with_no_query_shows_just_the_form(client):
    response = client.get(reverse("directory:search"))
    assert response.status_code == 200
    assert response.context["groups"] == []


def test_the_index_is_rebuilt_when_its_tables_are_missing(client):
    make_organisation("Kowloon Robotics Lab")
    search_index.refresh()
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE directory_organisation_search")
    search_index.install()
    assert listed(client, "directory:organisation-list", "robotics") == ["Kowloon Robotics Lab"]


@pytest.mark.parametrize(
    ("query", "condition"),
    [
        ("人工智能", "'人工智能'"),
        ("數碼港", "'數碼港'"),
        ('"public sector"', "'public sector'"),
        ("人工智能研究", "('人工智能' & '工智能研' & '智能研究' "
         "& ('人工' <-> '工智' <-> '智能' <-> '能研' <-> '研究'))"),
        ('"kowloon public sector"', "('kowloon public' & 'public sector' & ('kowloon' <-> 'public' <-> 'sector'))"),
    ],
)  # fmt: skip
def test_postgresql_asks_its_index_for_a_phrase_of_up_to_four_chinese_characters_as_one_lexeme(query, condition):
    from directory.search import PostgreSQLBackend
    from directory.search_tokens import parse_query

    assert PostgreSQLBackend("default").expression(parse_query(query)) == condition


@pytest.mark.parametrize(
    ("typed", "prefixes"),
    [("intelligence", ("intellig",)), ("regulators", ("regul",)), ("happy", ("happi", "happy")), ("univ", ("univ",))],
)
def test_a_word_being_typed_asks_for_each_prefix_no_other_prefix_covers(typed, prefixes):
    from directory.search_tokens import parse_query

    assert parse_query(typed).terms[-1].prefixes == prefixes


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the GIN index is PostgreSQL's")
def test_postgresql_finds_matches_through_the_gin_index():
    from directory.search import PostgreSQLBackend
    from directory.search_tokens import parse_query

    make_organisation("Robotics Institute")
    search_index.refresh()
    condition = PostgreSQLBackend("default").expression(parse_query("robotics"))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            "EXPLAIN SELECT id FROM directory_organisation_search WHERE document @@ %s::tsquery", [condition]
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "directory_organisation_search_document" in plan


def test_rebuild_search_index_rewrites_every_document(client):
    make_organisation("Kowloon Robotics Lab")
    search_index.refresh()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM directory_organisation_search")
    assert listed(client, "directory:organisation-list", "robotics") == []
    output = io.StringIO()
    call_command("rebuild_search_index", stdout=output)
    assert "1 organisations" in output.getvalue()
    assert listed(client, "directory:organisation-list", "robotics") == ["Kowloon Robotics Lab"]
