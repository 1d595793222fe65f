"""Whole-page caching of what anonymous readers see, keyed by the content version so any edit shows at once.

Views wrapped in `cache_public_page` declare that their pages are the same for every anonymous reader, and which
query parameters they read; `PublicPageCacheMiddleware`, early in the middleware stack, sends a query with any
other parameter to its canonical form, and serves and stores those pages keyed by that form. A hit then costs one
query (the content version) and one cache read, and skips sessions, locale, CSRF, authentication and the view.
"""

import datetime
import hashlib
from dataclasses import dataclass, field
from functools import lru_cache, wraps
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from django.db import connection
from django.db.models import Min
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import Resolver404, get_urlconf, resolve
from django.utils import timezone, translation
from django.utils.cache import has_vary_header
from django.utils.encoding import escape_uri_path
from django.utils.http import escape_leading_slashes

from .choices import Status
from .models import ContentVersion, Guidance, Organisation, Programme

PAGE_TIMEOUT = 60 * 10


def next_publication(now):
    """Return when the next future-dated item comes due (the pages of now go stale then), or None."""
    # One query for the three models (a UNION of their earliest dates): pages, sitemaps and facet counts ask for it.
    first, *others = [
        model.objects.filter(status=Status.PUBLISHED, published_at__gt=now)
        .order_by()
        .values("status")
        .annotate(first=Min("published_at"))
        .values_list("first", flat=True)
        for model in (Organisation, Programme, Guidance)
    ]
    return min(first.union(*others, all=True), default=None)


def stale_after(now):
    """Return when pages and counts made at `now` may change without any write: the next future-dated item coming
    due, or the next midnight in Hong Kong, when programmes open and close and deadlines come a day nearer (their
    state is as of today)."""
    tomorrow = timezone.localtime(now).date() + datetime.timedelta(days=1)
    midnight = datetime.datetime.combine(tomorrow, datetime.time(), tzinfo=timezone.get_current_timezone())
    return min(moment for moment in (next_publication(now), midnight) if moment is not None)


def content_version():
    """Return the content version (0 while its row does not exist), in a plain query: the ORM would cost a cache
    hit as much again."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT version FROM {ContentVersion._meta.db_table} WHERE id = 1")
        row = cursor.fetchone()
    return row[0] if row else 0


@dataclass(frozen=True)
class QueryParameters:
    """The query parameters a view reads, in the order its canonical query lists them.

    Those in `repeatable` may have several values (a filter's choices, in any order); every other one is read once,
    its last value, as QueryDict.get reads it.
    """

    names: tuple[str, ...] = ()
    repeatable: frozenset[str] = field(default_factory=frozenset)

    def canonical(self, query):
        """Return the canonical form of `query` (a QueryDict) as (name, value) pairs: only these parameters, in this
        order, without empty values or NUL bytes; a repeatable parameter's values sorted, each once; any other's last
        value only."""
        pairs = []
        for name in self.names:
            values = [value for value in query.getlist(name) if value.strip() and "\x00" not in value]
            if values:
                pairs += [(name, value) for value in (sorted(set(values)) if name in self.repeatable else values[-1:])]
        return pairs


def page_key(version, request, query):
    address = f"{request.scheme}://{request.get_host()}{request.path}?{query}"
    return "public-page:" + hashlib.sha256(f"{version}\n{address}".encode()).hexdigest()


def cache_public_page(view, parameters=None, same_in_every_language=False, redirect_to_canonical=True):
    """Mark the view's pages as the same for every anonymous reader, so that PublicPageCacheMiddleware keeps them.

    `parameters` are the QueryParameters the view reads: by default its class's `query_parameters`, or none. A page
    whose content does not depend on the active language (a sitemap lists every language's addresses) may say so
    with `same_in_every_language`, and is kept even where the language was negotiated. A view that answers a query
    out of its canonical form itself (the API, whose clients expect an answer rather than a redirect) says so with
    `redirect_to_canonical=False`: such a query then reaches it, and is not cached.

    A page made for a signed-in user (editors, exporters: their pages differ) is never marked, so it is never stored.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.public_page = not request.user.is_authenticated
        return response

    if parameters is None:
        parameters = getattr(getattr(view, "view_class", None), "query_parameters", QueryParameters())
    wrapper.query_parameters = parameters
    wrapper.same_in_every_language = same_in_every_language
    wrapper.redirect_to_canonical = redirect_to_canonical
    return wrapper


def public_view(request):
    """Return the view `request` is for if it is wrapped in cache_public_page and the method is GET or HEAD, or None."""
    if request.method not in ("GET", "HEAD"):
        return None
    return resolve_public_view(get_urlconf(), request.path_info)


@lru_cache(maxsize=1024)
def resolve_public_view(urlconf, path):
    """Return the view wrapped in cache_public_page that serves `path`, or None.

    The path is resolved as the handler resolves it later, with the language of its prefix (LocaleMiddleware, below,
    has not activated it yet). Remembered per path, since resolving costs about a third of a cache hit; the bound
    keeps a crawl of random addresses to a few megabytes (gunicorn refuses request lines over 4 KB).
    """
    with translation.override(translation.get_language_from_path(path)):
        try:
            view = resolve(path, urlconf).func
        except Resolver404:
            return None
    return view if hasattr(view, "query_parameters") else None


class PublicPageCacheMiddleware:
    """Serve anonymous readers' pages from the cache while the content version stays the same.

    A query the view would partly ignore (an unknown parameter such as `utm_source` or `fbclid`, an empty value, a
    repeated single value) is redirected, for every reader, to its canonical form: only the view's parameters, in its
    order, each value once; the key then holds that form, so every order of the same parameters shares one page and
    unknown parameters never make a new one.

    Only requests without a session cookie are looked up or stored: every signed-in user has one, so staff always get
    a fresh page, and theirs is never stored. The key is the content version, the scheme, the host, the path and the
    canonical query: the path carries the language (its prefix), so no negotiation is needed. The stored headers are
    those the rest of the stack gave the page (CSP, X-Frame-Options, Permissions-Policy, Vary...), and
    SecurityMiddleware, above this one, adds its own to hits as to fresh pages.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        view = public_view(request)
        if view is None:
            return self.get_response(request)
        query = ""
        if request.META.get("QUERY_STRING"):
            pairs = view.query_parameters.canonical(request.GET)
            query = urlencode(pairs)
            # The canonical form only ever leaves values out: it is another order of the same query if none is missing.
            if len(pairs) != sum(len(values) for _name, values in request.GET.lists()):
                if not view.redirect_to_canonical:
                    return self.get_response(request)
                return self.redirect(request, query)
        if not self.may_be_cached(request):
            return self.get_response(request)
        version = content_version()
        if not version:
            return self.get_response(request)
        # The version read before the page is made: were content to change meanwhile, the page is stored under the
        # old version, which no later request asks for.
        key = page_key(version, request, query)
        now = timezone.now()
        entry = cache.get(key)
        if entry is not None:
            content, headers, valid_until = entry
            if valid_until is None or now < valid_until:
                return HttpResponse(content, headers=headers)
        response = self.get_response(request)
        if self.storable(response, view):
            cache.set(key, (response.content, dict(response.items()), stale_after(now)), PAGE_TIMEOUT)
        return response

    @staticmethod
    def redirect(request, query):
        # Percent-encoded (a backslash, which browsers read as a slash, becomes %5C) and never starting with two
        # slashes: the address must stay a path on this site.
        path = escape_leading_slashes(escape_uri_path(request.path))
        return HttpResponseRedirect(path + (f"?{query}" if query else ""))

    @staticmethod
    def may_be_cached(request):
        return settings.PAGE_CACHE and settings.SESSION_COOKIE_NAME not in request.COOKIES

    @staticmethod
    def storable(response, view):
        return (
            getattr(response, "public_page", False)
            and response.status_code == 200
            and not response.streaming
            # A cookie is for one reader (a CSRF token, a message): so is the page that sets it.
            and not response.cookies
            # A page whose language was negotiated from Accept-Language or a cookie rather than taken from its path
            # differs between readers of the same address, unless only one language exists or the view says its
            # pages are the same in every language.
            and (
                view.same_in_every_language
                or not (has_vary_header(response, "Accept-Language") and len(settings.LANGUAGES) > 1)
            )
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
