"""Where each Chinese text comes from (official, editorial or missing): kept true to the text, filtered in the admin,
and said on Chinese pages where the portal translated it."""

import pytest
from django.urls import reverse
from django.utils import translation

from directory.choices import TranslationStatus

from .factories import make_guidance, make_organisation, make_user

pytestmark = pytest.mark.django_db


def chinese_page(client, item, language="zh-hant"):
    with translation.override(language):
        return client.get(item.get_absolute_url()).content.decode()


def test_chinese_text_without_a_status_counts_as_editorial_and_no_text_as_missing():
    organisation = make_organisation("Centre", name_zh_hant="中心")
    assert organisation.name_zh_hant_status == TranslationStatus.EDITORIAL
    assert organisation.summary_zh_hant_status == TranslationStatus.MISSING
    organisation.name_zh_hant = ""
    organisation.save()
    assert organisation.name_zh_hant_status == TranslationStatus.MISSING


def test_an_official_chinese_name_stays_official():
    organisation = make_organisation("HKMA", name_zh_hant="香港金融管理局", name_zh_hant_status="official")
    organisation.save()
    assert organisation.name_zh_hant_status == TranslationStatus.OFFICIAL


def test_a_chinese_page_says_which_texts_the_portal_translated(client):
    organisation = make_organisation(
        "Centre",
        name_zh_hant="中心",
        summary="A centre.",
        summary_zh_hant="一所中心。",
        name_zh_hant_status="editorial",
    )
    text = chinese_page(client, organisation)
    assert '<dd class="translation-note">本頁的中文名稱及摘要由本網站編輯翻譯，並非官方文本。</dd>' in text
    assert "本页的中文名称及摘要由本网站编辑翻译" in chinese_page(client, organisation, "zh-hans")


def test_a_chinese_page_of_an_official_name_mentions_only_the_translated_summary(client):
    guidance = make_guidance(
        "Guidance", title_zh_hant="指引", title_zh_hant_status="official", summary="Text.", summary_zh_hant="內容。"
    )
    assert '<dd class="translation-note">本頁的中文摘要由本網站編輯翻譯，並非官方文本。</dd>' in chinese_page(
        client, guidance
    )


def test_no_translation_note_where_every_chinese_text_is_official_or_the_page_is_english(client):
    official = make_organisation("HKMA", name_zh_hant="香港金融管理局", name_zh_hant_status="official")
    assert "translation-note" not in chinese_page(client, official)
    editorial = make_organisation("Centre", name_zh_hant="中心")
    assert "translation-note" not in chinese_page(client, editorial, "en")


def test_missing_chinese_still_shows_the_english_marked_not_yet_translated(client):
    organisation = make_organisation("Untranslated Centre", summary="Only in English.")
    text = chinese_page(client, organisation)
    assert '<span lang="en">Only in English.</span> <span class="fallback-note">' in text
    assert "translation-note" not in text


def test_the_admin_filters_organisations_by_the_status_of_their_chinese_name(client):
    make_organisation("Official Body", name_zh_hant="官方", name_zh_hant_status="official")
    make_organisation("Translated Body", name_zh_hant="翻譯")
    make_organisation("Untranslated Body")
    client.force_login(make_user(groups=["Editors"]))
    url = reverse("admin:directory_organisation_changelist")
    for status, expected in (
        ("official", "Official Body"),
        ("editorial", "Translated Body"),
        ("missing", "Untranslated Body"),
    ):
        response = client.get(url, {"name_zh_hant_status": status})
        assert [item.name for item in response.context["cl"].result_list] == [expected]
