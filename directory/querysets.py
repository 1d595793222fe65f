import datetime

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Exists, OuterRef, Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from .choices import Publication, Status

STALE_AFTER = datetime.timedelta(days=365)


def published_condition(relation=None, now=None):
    """The condition for items a member of the public may see at `now` (default: now); with `relation`, for the items
    a foreign key of that name points to (a facet grouping by parent must skip unpublished parents)."""
    prefix = f"{relation}__" if relation else ""
    return Q(**{f"{prefix}status": Status.PUBLISHED, f"{prefix}published_at__lte": now or timezone.now()})


class PublishableQuerySet(models.QuerySet):
    def published(self):
        """Return items a member of the public may see now."""
        return self.filter(published_condition())

    def scheduled(self):
        """Return published items whose publication time is still to come: readers see them from then, by itself."""
        return self.filter(status=Status.PUBLISHED, published_at__gt=timezone.now())

    def added_or_changed_by(self, user):
        """Return items `user` added or changed in the admin, as its log of actions records them."""
        # The log keeps object ids as text, for models of any kind of primary key.
        entries = LogEntry.objects.filter(
            user=user,
            content_type=ContentType.objects.get_for_model(self.model),
            object_id=Cast(OuterRef("pk"), TextField()),
            action_flag__in=[ADDITION, CHANGE],
        )
        return self.filter(Exists(entries))

    def in_publication(self, publication):
        """Return the items of `publication` (a Publication value); anything else gives the published ones."""
        if publication == Publication.ALL:
            return self.all()
        if publication in (Publication.DRAFT, Publication.ARCHIVED):
            return self.filter(status=publication)
        return self.published()

    def not_verified_since(self, days=STALE_AFTER.days):
        """Return items never verified, or last verified more than `days` ago."""
        cutoff = timezone.localdate() - datetime.timedelta(days=days)
        return self.filter(Q(last_verified_on__isnull=True) | Q(last_verified_on__lt=cutoff))
