"""Whole-page caching of what anonymous readers see, keyed by the content version so any edit shows at once."""

import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db.models import Min
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import get_language

from .choices import Status
from .models import ContentVersion, Guidance, Organisation, Programme

PAGE_TIMEOUT = 60 * 10


def next_publication(now):
    """Return when the next future-dated item comes due (the pages of now go stale then), or None."""
    upcoming = [
        model.objects.filter(status=Status.PUBLISHED, published_at__gt=now).aggregate(first=Min("published_at"))[
            "first"
        ]
        for model in (Organisation, Programme, Guidance)
    ]
    return min((moment for moment in upcoming if moment), default=None)


def cache_public_page(view):
    """Serve anonymous GET requests from the cache while the content version stays the same.

    Signed-in users (editors, exporters: their pages differ) always get a fresh page, and theirs is never stored,
    so no cached page crosses the line between staff and the public in either direction.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not settings.PAGE_CACHE or request.method not in ("GET", "HEAD") or request.user.is_authenticated:
            return view(request, *args, **kwargs)
        version = ContentVersion.current()
        if not version:
            return view(request, *args, **kwargs)
        path = request.get_full_path()
        key = "page:" + hashlib.sha256(f"{version}\n{get_language()}\n{path}".encode()).hexdigest()
        now = timezone.now()
        entry = cache.get(key)
        if entry is not None and (entry["valid_until"] is None or now < entry["valid_until"]):
            return HttpResponse(entry["content"], content_type=entry["content_type"])
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming:
            if hasattr(response, "render"):
                response.render()
            entry = {
                "content": response.content,
                "content_type": response["Content-Type"],
                "valid_until": next_publication(now),
            }
            cache.set(key, entry, PAGE_TIMEOUT)
        return response

    return wrapper
