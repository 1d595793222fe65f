"""“Verified today”: an editor has checked an item's facts at its source and records the date."""

from django.db import transaction
from django.utils import timezone

from .reviews import needs_review, propose_changes


@transaction.atomic
def verify_today(item, user, site):
    """Record that `user` checked `item` at its source today, and return the open review if it became one.

    The date is shown to readers, so an editor's verification of a published item is proposed like any other change
    to it and waits for a publisher; anyone else's is saved on the item.
    """
    item = type(item)._default_manager.select_for_update().get(pk=item.pk)
    today = timezone.localdate()
    if needs_review(user, item):
        return propose_changes(item, {"last_verified_on": today}, user, site)
    item.last_verified_on = today
    # Saved, not updated in bulk, so that what records each save records this one.
    item.save()
    return None
