import datetime

from django.db import models
from django.db.models import Q
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
