"""The interface catalogues: complete, compiled, and generated where they must be, with no GNU gettext needed to run."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.core.management import call_command
from django.utils import translation

from directory.catalogues import GENERATED, WRITTEN, po_path, stale_files, written_catalogue

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")


def translations(entry):
    return [entry.msgstr] if not entry.msgid_plural else list(entry.msgstr_plural.values())


def test_no_chinese_interface_string_is_empty_or_fuzzy():
    catalogue = written_catalogue()
    assert len(catalogue) > 200
    assert not catalogue.untranslated_entries()
    assert not catalogue.fuzzy_entries()
    assert not catalogue.obsolete_entries()
    assert not catalogue.metadata_is_fuzzy


def test_translations_keep_every_placeholder_of_their_english():
    for entry in written_catalogue():
        for text in translations(entry):
            assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(entry.msgid)), entry.msgid


def test_compiled_and_generated_catalogues_are_up_to_date():
    assert stale_files() == [], "run: python manage.py build_catalogues"


def test_simplified_catalogue_is_the_traditional_one_converted():
    traditional = {entry.msgid: entry.msgstr for entry in written_catalogue()}
    simplified = {entry.msgid: entry.msgstr for entry in polib.pofile(str(po_path(GENERATED)))}
    assert traditional.keys() == simplified.keys()
    assert traditional["HK AI Portal"] == "香港人工智能門戶" and simplified["HK AI Portal"] == "香港人工智能门户"


def test_build_catalogues_check_fails_on_a_stale_file(tmp_path, settings):
    shutil.copytree(ROOT / "locale", tmp_path / "locale")
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    call_command("build_catalogues", "--check")
    (tmp_path / "locale" / GENERATED / "LC_MESSAGES" / "django.mo").write_bytes(b"")
    with pytest.raises(Exception, match="Out of date"):
        call_command("build_catalogues", "--check")
    call_command("build_catalogues")
    call_command("build_catalogues", "--check")


@pytest.mark.parametrize(("language", "expected"), [("zh-hant", "搜尋"), ("zh-hans", "搜寻"), ("en", "Search")])
def test_each_language_reads_its_compiled_catalogue(language, expected):
    with translation.override(language):
        assert translation.gettext("Search") == expected


def test_the_catalogue_holds_every_string_of_the_source(tmp_path):
    """Run makemessages over a copy of the project: a string added to the code without a translation fails here."""
    if not shutil.which("xgettext"):
        if os.environ.get("HKAI_REQUIRE_GETTEXT"):
            pytest.fail("GNU gettext (xgettext) is required here (HKAI_REQUIRE_GETTEXT is set)")
        pytest.skip("GNU gettext (xgettext) is not installed: install the gettext package to check extraction")
    for name in ("manage.py", "hkai_portal", "directory", "templates", "locale"):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, tmp_path / name)
    environment = {**os.environ, "DJANGO_DEBUG": "1"}
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", WRITTEN, "--no-obsolete", "--no-wrap"],
        cwd=tmp_path,
        env=environment,
        check=True,
        capture_output=True,
    )
    extracted = {
        (entry.msgctxt, entry.msgid) for entry in polib.pofile(str(tmp_path / po_path(WRITTEN).relative_to(ROOT)))
    }
    committed = {(entry.msgctxt, entry.msgid) for entry in written_catalogue()}
    assert extracted - committed == set(), "new strings: run make messages and translate them"
    assert committed - extracted == set(), "strings no longer used: run make messages"
