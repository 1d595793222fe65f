"""The relations the sources state beyond parents, leads, partners and publishers: who set an organisation up, what
it is part of, the scheme a programme belongs to, what a programme supersedes, who co-published a guidance document."""

import pytest
from django.utils import translation
from django.utils.translation import gettext

from directory.bilingual import SIMPLIFIED
from directory.chinese import to_simplified
from directory.choices import Status

from .factories import make_guidance, make_organisation, make_programme

pytestmark = pytest.mark.django_db

LANGUAGES = ["en", "zh-hant", SIMPLIFIED]


def page(client, item, language):
    with translation.override(language):
        response = client.get(item.get_absolute_url())
        assert response.status_code == 200
        return response.content.decode(), gettext


def label(language, text):
    with translation.override(language):
        translated = gettext(text)
    assert language == "en" or translated != text, f"{text!r} has no {language} translation"
    return translated


def shown_name(language, english, chinese):
    return english if language == "en" else to_simplified(chinese) if language == SIMPLIFIED else chinese


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_organisation_page_names_who_established_it_and_what_it_is_part_of(client, language):
    founder = make_organisation("Hong Kong Productivity Council", name_zh_hant="香港生產力促進局")
    cluster = make_organisation("AIR@InnoHK", name_zh_hant="人工智能及機械人科技研發平台")
    clusters = make_programme("InnoHK Research Clusters", name_zh_hant="創新香港研發平台")
    centre = make_organisation("Industrial AI Centre", kind="research_centre")
    centre.established_by.set([founder])
    centre.part_of.set([cluster])
    centre.part_of_programmes.set([clusters])

    text, _ = page(client, centre, language)

    assert f"<dt>{label(language, 'Established by')}</dt>" in text
    assert f"<dt>{label(language, 'Part of')}</dt>" in text
    for english, chinese in (
        ("Hong Kong Productivity Council", "香港生產力促進局"),
        ("AIR@InnoHK", "人工智能及機械人科技研發平台"),
        ("InnoHK Research Clusters", "創新香港研發平台"),
    ):
        assert shown_name(language, english, chinese) in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_organisation_page_lists_its_members_and_what_it_established(client, language):
    founder = make_organisation("Productivity Council")
    member = make_organisation("Joint Lab", name_zh_hant="聯合實驗室")
    member.part_of.set([founder])
    member.established_by.set([founder])

    text, _ = page(client, founder, language)

    assert label(language, "Members") in text
    assert label(language, "Organisations it established") in text
    assert shown_name(language, "Joint Lab", "聯合實驗室") in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_programme_page_names_the_fund_it_is_part_of_and_what_it_supersedes(client, language):
    fund = make_programme("Innovation and Technology Fund", name_zh_hant="創新及科技基金")
    old = make_programme("Smart City Blueprint", name_zh_hant="智慧城市藍圖")
    scheme = make_programme("Frontier Scheme", part_of=fund, supersedes=old)

    text, _ = page(client, scheme, language)
    assert f"<dt>{label(language, 'Part of')}</dt>" in text
    assert f"<dt>{label(language, 'Supersedes')}</dt>" in text
    assert shown_name(language, "Innovation and Technology Fund", "創新及科技基金") in text
    assert shown_name(language, "Smart City Blueprint", "智慧城市藍圖") in text

    text, _ = page(client, fund, language)
    assert label(language, "Schemes within it") in text
    text, _ = page(client, old, language)
    assert f"<dt>{label(language, 'Superseded by')}</dt>" in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_guidance_page_names_its_co_publishers(client, language):
    guidance = make_guidance("Copyright and Artificial Intelligence")
    guidance.co_publishers.set([make_organisation("Intellectual Property Department", name_zh_hant="知識產權署")])

    text, _ = page(client, guidance, language)

    assert f"<dt>{label(language, 'Co-published with')}</dt>" in text
    assert shown_name(language, "Intellectual Property Department", "知識產權署") in text


def test_unpublished_items_are_left_out_of_the_new_relations(client):
    draft = make_organisation("Draft Founder", status=Status.DRAFT)
    archived = make_programme("Archived Fund", status=Status.ARCHIVED)
    centre = make_organisation("Centre")
    centre.established_by.set([draft])
    centre.part_of.set([draft])
    centre.part_of_programmes.set([archived])
    scheme = make_programme("Scheme", part_of=archived, supersedes=archived)
    guidance = make_guidance("Statement")
    guidance.co_publishers.set([draft])

    for item in (centre, scheme, guidance):
        text, _ = page(client, item, "en")
        assert "Draft Founder" not in text and "Archived Fund" not in text
        assert "<dt>Established by</dt>" not in text and "<dt>Co-published with</dt>" not in text
    assert "<dt>Part of</dt>" not in page(client, centre, "en")[0]
    assert "Superseded by" not in page(client, make_programme("Other"), "en")[0]
