"""The API's addresses, /api/v1/..., outside the language prefix: one address per resource whatever the reader's
language, each served from the page cache with its ETag and Last-Modified."""

import hashlib
from functools import wraps

from django.core.cache import cache
from django.urls import URLPattern, include, path
from django.utils import timezone
from django.utils.http import http_date, quote_etag

from ..caching import QueryParameters, cache_public_page, content_version
from ..listing import list_parameters
from .views import LISTS, api

# Long enough that Last-Modified stays put while the content does; were it forgotten, it moves later, which only
# costs a client a full answer instead of a 304.
FIRST_SERVED_TIMEOUT = 24 * 60 * 60


def validators(view):
    """Give a successful response its ETag (a digest of the body) and Last-Modified: when this body was first served
    under the current content version, so a client asking whether it changed since is told the truth."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming:
            etag = quote_etag(hashlib.sha256(response.content).hexdigest()[:32])
            first_served = cache.get_or_set(
                f"api-first-served:{content_version()}:{etag}", timezone.now, FIRST_SERVED_TIMEOUT
            )
            response["ETag"] = etag
            response["Last-Modified"] = http_date(first_served.timestamp())
            # Fresh for a minute; after that a client asks again with If-None-Match and gets a 304 if nothing changed.
            response["Cache-Control"] = "public, max-age=60"
        return response

    return wrapper


def list_queries():
    """The parameters each list reads, by the name of its address."""
    return {
        f"{item_format.model._meta.model_name}-list": list_parameters(list_view.filterset_class)
        for _path, list_view, item_format, *_schemas_and_summaries in LISTS
    }


def cached(pattern, parameters):
    view = cache_public_page(
        validators(pattern.callback),
        parameters=parameters.get(pattern.name, QueryParameters()),
        # The API speaks no language of its own: every response holds every language.
        same_in_every_language=True,
        redirect_to_canonical=False,
    )
    return URLPattern(pattern.pattern, view, pattern.default_args, pattern.name)


def api_urlpatterns():
    patterns, app_name, namespace = api.urls
    parameters = list_queries()
    # ninja gives a pattern per operation, the same view for GET and HEAD of a path: one address needs one.
    unique = {pattern.name: pattern for pattern in patterns}
    wrapped = [cached(pattern, parameters) for pattern in unique.values()]
    return [path("api/v1/", include((wrapped, app_name), namespace=namespace))]
