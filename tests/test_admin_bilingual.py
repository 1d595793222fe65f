"""Editors write English and Chinese side by side, and see which items still lack Chinese."""

import re

import pytest
from django.urls import reverse

from directory.models import Guidance, Organisation

from .factories import make_guidance, make_organisation, make_programme, make_sector
from .test_admin_publishing import organisation_form

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("model", "factory", "pairs"),
    [
        ("organisation", make_organisation, [("name", "name_zh_hant")]),
        ("programme", make_programme, [("name", "name_zh_hant")]),
        ("guidance", make_guidance, [("title", "title_zh_hant")]),
    ],
)
def test_change_form_puts_each_text_beside_its_chinese(editor_client, model, factory, pairs):
    item = factory()
    text = editor_client.get(reverse(f"admin:directory_{model}_change", args=[item.pk])).content.decode()
    for english, chinese in [*pairs, ("summary", "summary_zh_hant"), ("description", "description_zh_hant")]:
        assert f"field-{english} field-{chinese}" in text, english
        assert re.search(rf'<(?:input|textarea)[^>]*name="{chinese}"[^>]*lang="zh-Hant"', text) or re.search(
            rf'<(?:input|textarea)[^>]*lang="zh-Hant"[^>]*name="{chinese}"', text
        ), chinese


def test_editor_saves_the_chinese_text(editor_client):
    response = editor_client.post(
        reverse("admin:directory_organisation_add"),
        organisation_form(name_zh_hant="香港人工智能研究中心", summary_zh_hant="一所研究中心。"),
    )
    assert response.status_code == 302
    saved = Organisation.objects.get()
    assert (saved.name_zh_hant, saved.summary_zh_hant) == ("香港人工智能研究中心", "一所研究中心。")


def listed(client, model, params):
    response = client.get(reverse(f"admin:directory_{model}_changelist"), params)
    assert response.status_code == 200
    return sorted(str(item) for item in response.context["cl"].result_list)


def test_missing_chinese_filter_lists_items_lacking_any_translation(editor_client):
    make_organisation("Translated", name_zh_hant="已翻譯", summary="A summary.", summary_zh_hant="摘要。")
    make_organisation("No Chinese name")
    make_organisation("Summary untranslated", name_zh_hant="摘要未翻譯", summary="Only in English.")
    make_organisation("Nothing to translate but the name", name_zh_hant="只有名稱")
    assert listed(editor_client, "organisation", {"chinese": "missing"}) == ["No Chinese name", "Summary untranslated"]
    assert listed(editor_client, "organisation", {"chinese": "complete"}) == [
        "Nothing to translate but the name",
        "Translated",
    ]


def test_missing_chinese_filter_works_for_guidance_and_taxonomies(editor_client):
    make_guidance("Untranslated guidance", publisher=make_organisation("Publisher", name_zh_hant="發布機構"))
    make_guidance("Translated guidance", title_zh_hant="已翻譯指引", publisher=Organisation.objects.get())
    assert listed(editor_client, "guidance", {"chinese": "missing"}) == ["Untranslated guidance"]
    make_sector("Finance", name_zh_hant="金融")
    make_sector("Trade")
    assert listed(editor_client, "sector", {"chinese": "missing"}) == ["Trade"]
    assert Guidance.objects.count() == 2


def test_changelist_shows_which_items_lack_chinese(editor_client):
    make_organisation("Translated", name_zh_hant="已翻譯")
    make_organisation("Untranslated")
    text = editor_client.get(reverse("admin:directory_organisation_changelist")).content.decode()
    assert "Missing Chinese" in text
    assert text.count('alt="True"') == 1 and text.count('alt="False"') == 1
