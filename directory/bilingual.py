"""Content in the reader's language: Chinese where an editor has written it, otherwise the English, marked as such.

Each translatable field has a Chinese twin named `<field>_zh_hant` on the same row (see models.py). Simplified Chinese
pages show that Traditional text converted by OpenCC as it is read (directory/chinese.py): nothing is stored twice,
and nothing in Simplified is ever edited separately.
"""

from django.db.models import Q
from django.utils.translation import get_language

from .chinese import to_simplified
from .choices import TranslationStatus

CHINESE_SUFFIX = "_zh_hant"
STATUS_SUFFIX = "_status"
SIMPLIFIED = "zh-hans"


class Fallback(str):
    """English text standing in for a Chinese translation that nobody has written yet."""


def chinese_field(field):
    return field + CHINESE_SUFFIX


def status_field(field):
    """The name of the field recording where `field`'s Chinese twin comes from (choices.TranslationStatus)."""
    return chinese_field(field) + STATUS_SUFFIX


def sync_translation_status(instance):
    """Keep each Chinese field's status true to its text: no text is missing; text without a status (new, or left
    blank in a form) is editorial: an editor who copies a source's own Chinese marks it official."""
    for field in instance.translated_fields:
        text, status = getattr(instance, chinese_field(field)), getattr(instance, status_field(field))
        if not text:
            setattr(instance, status_field(field), TranslationStatus.MISSING)
        elif status not in (TranslationStatus.OFFICIAL, TranslationStatus.EDITORIAL):
            setattr(instance, status_field(field), TranslationStatus.EDITORIAL)


def editorial_fields(instance, language=None):
    """The translated fields whose Chinese a Chinese page shows as written here rather than taken from the source."""
    if not is_chinese(language or get_language()):
        return []
    return [
        field
        for field in instance.translated_fields
        if getattr(instance, chinese_field(field))
        and getattr(instance, status_field(field)) == TranslationStatus.EDITORIAL
    ]


def is_chinese(language):
    return bool(language) and language.startswith("zh")


def localised(instance, field, language=None):
    """Return `instance.field` in `language` (default: the active one); a Fallback where Chinese is missing."""
    return choose(getattr(instance, field), getattr(instance, chinese_field(field)), language)


def choose(english, chinese, language=None):
    """Return the text of a pair that suits `language` (default: the active one), as `localised` does."""
    language = language or get_language()
    if not is_chinese(language):
        return english
    if not chinese:
        return Fallback(english) if english else chinese
    return to_simplified(chinese) if language == SIMPLIFIED else chinese


def missing_chinese(model):
    """A condition matching rows with English text in a translatable field whose Chinese twin is still empty."""
    return Q(
        *[~Q(**{field: ""}) & Q(**{chinese_field(field): ""}) for field in model.translated_fields],
        _connector=Q.OR,
    )


def lacks_chinese(instance):
    return any(
        getattr(instance, field) and not getattr(instance, chinese_field(field)) for field in instance.translated_fields
    )
