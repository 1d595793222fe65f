"""What every API response shares, cached or not: a rate limit per client, CORS for reading, and 304s.

Above the page cache in the middleware stack, so a page served from the cache is counted, answered with a 304 when
the client has it already, and readable from any origin, as a fresh one is.
"""

import math
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, JsonResponse
from django.utils import translation
from django.utils.cache import cc_delim_re, get_conditional_response
from django.utils.http import parse_http_date_safe
from django.utils.translation import gettext as _

from ..throttling import client_address

API_PREFIX = "/api/"
READ_METHODS = ("GET", "HEAD")
CORS_HEADERS = {
    # Public data, read without credentials: any site's scripts may read it, none may send cookies with it.
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "ETag, Retry-After",
}
PREFLIGHT_HEADERS = {
    **CORS_HEADERS,
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "If-None-Match, If-Modified-Since",
    "Access-Control-Max-Age": "86400",
}


def seconds_until_allowed(client):
    """Count a request of `client` in the current window of settings.API_RATE_LIMIT; return how many seconds it must
    wait if it is over the limit, else None. The count lives in the cache, shared by every host where Redis is."""
    limit, period = settings.API_RATE_LIMIT
    now = time.time()
    window = int(now // period)
    key = f"api-rate:{period}:{window}:{client}"
    # add() is atomic: exactly one request starts the window's count, and the others increment it.
    if cache.add(key, 1, period + 1):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.set(key, 1, period + 1)
            count = 1
    if count <= limit:
        return None
    return max(1, math.ceil((window + 1) * period - now))


class ApiMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        if request.method == "OPTIONS":
            return HttpResponse(status=204, headers=PREFLIGHT_HEADERS)
        wait = seconds_until_allowed(client_address(request))
        if wait is not None:
            with translation.override("en"):
                message = _("Too many requests: try again in %(seconds)s seconds.") % {"seconds": wait}
            response = JsonResponse(
                {"errors": [{"parameter": None, "message": message}]}, status=429, headers={"Retry-After": str(wait)}
            )
        else:
            response = self.get_response(request)
            # The API holds every language: what the reader's language was negotiated to does not describe it, and
            # a shared cache need not keep a copy per Accept-Language.
            del response["Content-Language"]
            if response.has_header("Vary"):
                kept = [name for name in cc_delim_re.split(response["Vary"]) if name.lower() != "accept-language"]
                response["Vary"] = ", ".join(kept)
            if request.method in READ_METHODS and response.status_code == 200 and response.has_header("ETag"):
                response = get_conditional_response(
                    request,
                    etag=response["ETag"],
                    last_modified=parse_http_date_safe(response["Last-Modified"]),
                    response=response,
                )
        if request.method in READ_METHODS:
            for name, value in CORS_HEADERS.items():
                response[name] = value
        return response
