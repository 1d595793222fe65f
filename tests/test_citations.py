import datetime

import pytest
from django.utils import timezone

from directory.citations import bibtex_text

from .factories import make_guidance, make_organisation, make_programme

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation():
    return make_organisation(
        "Hong Kong University of Science and Technology", name_zh_hant="香港科技大學", slug="hkust"
    )


def citation_of(client, path):
    response = client.get(path)
    assert response.status_code == 200
    return response.context["citation"], response.content.decode()


@pytest.mark.parametrize(
    ("language", "title", "retrieved"),
    [
        ("en", "Hong Kong University of Science and Technology", "Retrieved"),
        ("zh-hant", "香港科技大學", "取自"),
        ("zh-hans", "香港科技大学", "取自"),
    ],
)
def test_citations_carry_the_permalink_and_the_title_in_the_pages_language(
    client, organisation, language, title, retrieved
):
    path = f"/{language}/organisations/hkust/"
    citation, body = citation_of(client, path)

    permalink = f"http://testserver{path}"
    for text in (citation.apa, citation.bibtex, citation.link):
        assert permalink in text
    assert title in citation.apa and title in citation.link and title in citation.bibtex
    assert retrieved in citation.apa
    assert "Cite this page" in body or "引用此頁" in body or "引用此页" in body
    assert citation.apa in body.replace("&#x27;", "'")


def test_apa_names_the_portal_the_date_of_the_entry_and_the_access_date(client, organisation):
    citation, _ = citation_of(client, "/en/organisations/hkust/")
    today = timezone.localdate()

    assert citation.apa.startswith("HK AI Portal. (")
    assert (
        f"Retrieved {today.day} {today:%B} {today.year}, from http://testserver/en/organisations/hkust/" in citation.apa
    )


def test_bibtex_entry_is_well_formed_with_a_stable_key_and_dates(client, organisation):
    citation, body = citation_of(client, "/en/organisations/hkust/")

    assert citation.bibtex.startswith("@misc{hkaiportal-organisation-hkust,\n")
    assert "  author = {{HK AI Portal}}," in citation.bibtex
    assert f"  urldate = {{{timezone.localdate().isoformat()}}}" in citation.bibtex
    assert citation.bibtex.count("{") == citation.bibtex.count("}")
    assert "<pre" in body and 'tabindex="0"' in body


def test_bibtex_escapes_what_latex_would_read_as_markup():
    assert bibtex_text("R&D {AI} 100% #1 under_score ~ ^ \\") == (
        r"R\&D \{AI\} 100\% \#1 under\_score \textasciitilde{} \textasciicircum{} \textbackslash{}"
    )


def test_a_title_with_markup_is_escaped_in_the_page(client):
    make_organisation("<script>alert(1)</script> & Co", slug="markup")
    _, body = citation_of(client, "/en/organisations/markup/")
    assert "<script>alert(1)</script>" not in body


@pytest.mark.parametrize("make", [make_programme, make_guidance])
def test_every_kind_of_detail_page_can_be_cited(client, make):
    item = make(updated_at=timezone.now() - datetime.timedelta(days=400))
    citation, _ = citation_of(client, item.get_absolute_url())
    assert citation.url.endswith(item.get_absolute_url())
