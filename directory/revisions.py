"""Reading revisions: a comparison of two, field by field, and a revert to one.

A comparison names the fields that differ, related items by the names they had then, and marks the changed words of
long texts (every character of Chinese, which has no spaces between words). A revert writes the revision's state as
any change is written: applied at once for those who may publish the item (or while it is not live), proposed for a
publisher's review for an editor of a live item. It keeps the item's status and publication date: going back to an
earlier text must neither unpublish nor republish it.
"""

import difflib
import re
from dataclasses import dataclass, field

from django.db import models, transaction
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from .reviews import apply_changes, needs_review, propose_changes
from .revision_recording import UNCOMPARED_FIELDS, grouped, states_of

KEPT_ON_REVERT = frozenset({"status", "published_at", "created_at", "updated_at"})
# A text this long, or any TextField, is compared word by word.
LONG_TEXT = 300
CJK = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef"
# Runs of spaces, single CJK characters, words, and single punctuation marks.
WORDS = re.compile(rf"\s+|[{CJK}]|[^\W{CJK}]+|[^\w\s]")


@dataclass
class FieldDifference:
    label: str
    old: str = ""
    new: str = ""
    # A long text's words as (changed, text) pairs, for each side.
    old_words: list = field(default_factory=list)
    new_words: list = field(default_factory=list)
    # A relation's items by name.
    added: list = field(default_factory=list)
    removed: list = field(default_factory=list)
    kind: str = "value"


def marked_words(old, new):
    """Return both texts as [(changed, text)] runs: the words only one of them holds are changed."""
    before, after = WORDS.findall(old), WORDS.findall(new)
    old_runs, new_runs = [], []
    for operation, i1, i2, j1, j2 in difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes():
        changed = operation != "equal"
        if i2 > i1:
            old_runs.append((changed, "".join(before[i1:i2])))
        if j2 > j1:
            new_runs.append((changed, "".join(after[j1:j2])))
    return old_runs, new_runs


def is_long_text(model_field):
    return isinstance(model_field, models.TextField) or (
        isinstance(model_field, models.CharField) and (model_field.max_length or 0) >= LONG_TEXT
    )


def shown(model_field, value, names):
    """Return a stored value as readers of the history should see it."""
    if value is None or value == "":
        return ""
    if model_field.many_to_one:
        return names.get(model_field.name, {}).get(str(value), f"#{value}")
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.BooleanField):
        return _("Yes") if value else _("No")
    if isinstance(model_field, models.DateTimeField):
        moment = parse_datetime(value)
        return formats.localize(timezone.localtime(moment)) if moment else str(value)
    if isinstance(model_field, models.DateField):
        day = parse_date(value)
        return formats.localize(day) if day else str(value)
    return str(value)


def compare(model, older, newer):
    """Return a FieldDifference for each field that differs from revision `older` to `newer`, in the model's order."""
    differences = []
    for model_field in [*model._meta.concrete_fields, *model._meta.many_to_many]:
        name = model_field.name
        if model_field.primary_key or name in UNCOMPARED_FIELDS:
            continue
        before, after = older.state.get(name), newer.state.get(name)
        if before == after:
            continue
        difference = FieldDifference(str(model_field.verbose_name))
        if model_field.many_to_many:
            old_names, new_names = older.names.get(name, {}), newer.names.get(name, {})
            difference.kind = "relation"
            difference.removed = sorted(old_names.get(str(pk), f"#{pk}") for pk in set(before or ()) - set(after or ()))
            difference.added = sorted(new_names.get(str(pk), f"#{pk}") for pk in set(after or ()) - set(before or ()))
        elif is_long_text(model_field):
            difference.kind = "text"
            difference.old_words, difference.new_words = marked_words(before or "", after or "")
        else:
            difference.old = shown(model_field, before, older.names)
            difference.new = shown(model_field, after, newer.names)
        differences.append(difference)
    return differences


def revert_changes(item, revision):
    """Return the fields whose value in `revision` differs from `item`'s now, as Review.changes holds them; related
    items deleted since are left out, and the logo, which a proposal cannot carry, too."""
    model = type(item)
    [(_instance, current, _names)] = states_of(model, {item.pk: item}).values()
    changes = {}
    for name, value in revision.state.items():
        if name in KEPT_ON_REVERT or name == "logo" or current.get(name) == value:
            continue
        model_field = model._meta.get_field(name)
        if model_field.many_to_many and value:
            value = sorted(model_field.related_model._default_manager.filter(pk__in=value).values_list("pk", flat=True))
        elif model_field.many_to_one and value is not None:
            if not model_field.related_model._default_manager.filter(pk=value).exists():
                value = None
        if current.get(name) != value:
            changes[name] = value
    return changes


def logo_differs(item, revision):
    return "logo" in revision.state and (item.logo.name or "") != revision.state["logo"]


@transaction.atomic
def revert(item, revision, user, site):
    """Give `item` the state of `revision`: return the Review proposing it (an editor's revert of a live item), the
    item (applied), or None when the item already has that state."""
    changes = revert_changes(item, revision)
    logo = logo_differs(item, revision)
    if needs_review(user, item):
        return propose_changes(item, changes, user, site) if changes else None
    if not changes and not logo:
        return None
    message = _("Reverted to the revision of %(saved)s") % {
        "saved": formats.localize(timezone.localtime(revision.created_at))
    }
    with grouped(message):
        if logo:
            item.logo.name = revision.state["logo"]
        apply_changes(item, changes)
    return item
