"""Whole-page caching of what anonymous readers see, keyed by the content version so any edit shows at once.

Views wrapped in `cache_public_page` declare that their pages are the same for every anonymous reader;
`PublicPageCacheMiddleware`, early in the middleware stack, serves and stores those pages. A hit then costs one
query (the content version) and one cache read, and skips sessions, locale, CSRF, authentication and the view.
"""

import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from django.db import connection
from django.db.models import Min
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import has_vary_header

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


def content_version():
    """Return the content version (0 while its row does not exist), in a plain query: the ORM would cost a cache
    hit as much again."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT version FROM {ContentVersion._meta.db_table} WHERE id = 1")
        row = cursor.fetchone()
    return row[0] if row else 0


def page_key(version, request):
    address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    return "public-page:" + hashlib.sha256(f"{version}\n{address}".encode()).hexdigest()


def cache_public_page(view):
    """Mark the view's pages as the same for every anonymous reader, so that PublicPageCacheMiddleware keeps them.

    A page made for a signed-in user (editors, exporters: their pages differ) is never marked, so it is never stored.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.public_page = not request.user.is_authenticated
        return response

    return wrapper


class PublicPageCacheMiddleware:
    """Serve anonymous readers' pages from the cache while the content version stays the same.

    Only requests without a session cookie are looked up or stored: every signed-in user has one, so staff always get
    a fresh page, and theirs is never stored. The key is the content version, the scheme, the host and the full path:
    the path carries the language (its prefix), so no negotiation is needed. The stored headers are those the rest of
    the stack gave the page (CSP, X-Frame-Options, Permissions-Policy, Vary...), and SecurityMiddleware, above this
    one, adds its own to hits as to fresh pages.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not self.may_be_cached(request):
            return self.get_response(request)
        version = content_version()
        if not version:
            return self.get_response(request)
        # The version read before the page is made: were content to change meanwhile, the page is stored under the
        # old version, which no later request asks for.
        key = page_key(version, request)
        now = timezone.now()
        entry = cache.get(key)
        if entry is not None:
            content, headers, valid_until = entry
            if valid_until is None or now < valid_until:
                return HttpResponse(content, headers=headers)
        response = self.get_response(request)
        if self.storable(response):
            cache.set(key, (response.content, dict(response.items()), next_publication(now)), PAGE_TIMEOUT)
        return response

    @staticmethod
    def may_be_cached(request):
        # Pages' addresses end with a slash; files (robots.txt, sitemaps, CSV exports, /healthz) never do, so they
        # skip the lookup.
        return (
            settings.PAGE_CACHE
            and request.method in ("GET", "HEAD")
            and request.path.endswith("/")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
        )

    @staticmethod
    def storable(response):
        return (
            getattr(response, "public_page", False)
            and response.status_code == 200
            and not response.streaming
            # A cookie is for one reader (a CSRF token, a message): so is the page that sets it.
            and not response.cookies
            # A page whose language was negotiated from Accept-Language or a cookie rather than taken from its path
            # differs between readers of the same address, unless only one language exists.
            and not (has_vary_header(response, "Accept-Language") and len(settings.LANGUAGES) > 1)
        )


class RedisCache(DjangoRedisCache):
    """Django's Redis cache, with one client per connection pool instead of a new one for every call: redis-py's
    client is costly to build (about a quarter of a page-cache hit) and safe to share."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient


class ReusedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        if id(pool) not in self._clients:
            self._clients[id(pool)] = self._client(connection_pool=pool)
        return self._clients[id(pool)]
