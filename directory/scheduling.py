"""Scheduled publication: an item published with a future `published_at` goes live by itself at that moment.

Readers' querysets already hide it until then (PublishableQuerySet.published); this is what editors see and do.
"""

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from .choices import Status


class SchedulingError(Exception):
    """A scheduling step that cannot be taken as asked; its message is for the user."""


def scheduled_for(item):
    """Return "Scheduled for 12 March 2027, 09:00" in Hong Kong time and the active language, or None if not
    scheduled."""
    if not item.is_scheduled:
        return None
    when = formats.date_format(timezone.localtime(item.published_at), "DATETIME_FORMAT")
    return _("Scheduled for %(when)s") % {"when": when}


@transaction.atomic
def unschedule(item):
    """Take the scheduled `item` back to draft, its publication time cleared; refused once readers can see it.

    Back to draft because a published item without a time would go live at once (Publishable.save sets it to now);
    cleared so that publishing it again makes it live then or at a newly chosen time, not at the forgotten one.
    """
    item = type(item)._default_manager.select_for_update().get(pk=item.pk)
    if not item.is_scheduled:
        raise SchedulingError(_("“%(item)s” is not scheduled: nothing was changed.") % {"item": item})
    item.status, item.published_at = Status.DRAFT, None
    # Saved, not updated in bulk, so that what records each save records this one.
    item.save()
    return item
