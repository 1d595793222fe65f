"""Interface translations: Traditional Chinese is written by people; Simplified Chinese is generated from it.

Translators edit only locale/zh_Hant/LC_MESSAGES/django.po. `manage.py build_catalogues` converts it into the
Simplified catalogue with OpenCC (the same conversion Simplified pages apply to content, directory/chinese.py) and
compiles both to the .mo files Django reads. Compiling here, with polib, means no machine needs GNU gettext to run the
portal; the compiled files are committed and tests/test_catalogues.py fails when any of them is stale.
"""

from pathlib import Path

import polib
from django.conf import settings

from .chinese import to_simplified

WRITTEN = "zh_Hant"
GENERATED = "zh_Hans"
GENERATED_NOTE = (
    "Generated from ../../zh_Hant/LC_MESSAGES/django.po by `python manage.py build_catalogues`.\nDo not edit: edit "
    "the Traditional Chinese catalogue and run the command again."
)


def po_path(locale):
    return Path(settings.LOCALE_PATHS[0]) / locale / "LC_MESSAGES" / "django.po"


def written_catalogue():
    return polib.pofile(str(po_path(WRITTEN)), wrapwidth=0)


def simplified(catalogue):
    """Return a copy of a Traditional Chinese catalogue in Simplified characters."""
    converted = polib.pofile(str(catalogue), wrapwidth=0)
    converted.header = GENERATED_NOTE
    converted.metadata["Language"] = GENERATED
    converted.metadata["Language-Team"] = "Simplified Chinese, converted from Traditional Chinese by OpenCC"
    for entry in converted:
        entry.msgstr = to_simplified(entry.msgstr)
        entry.msgstr_plural = {form: to_simplified(text) for form, text in entry.msgstr_plural.items()}
    return converted


def expected_files():
    """Return {path: bytes} for every file the command maintains, as they should be now."""
    written = written_catalogue()
    generated = simplified(written)
    return {
        po_path(WRITTEN).with_suffix(".mo"): written.to_binary(),
        po_path(GENERATED): str(generated).encode() + b"\n",
        po_path(GENERATED).with_suffix(".mo"): generated.to_binary(),
    }


def stale_files():
    return [path for path, content in expected_files().items() if not path.exists() or path.read_bytes() != content]
