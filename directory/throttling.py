"""Sign-in throttling: who is signing in, as django-axes counts them (AXES_CLIENT_IP_CALLABLE)."""

from django.conf import settings
from ipware.ip import get_client_ip


def client_address(request):
    """Return the address of the client as the outermost of settings.TRUSTED_PROXIES proxies saw it."""
    if settings.TRUSTED_PROXIES:
        # Each trusted proxy appends the address it was reached from, so the client is the TRUSTED_PROXIES-th entry
        # from the right and anything to its left was written by the client. ipware counts only the proxies named in
        # the header, which gunicorn's own peer is not, hence the one less; lenient, or a forged entry on the left would
        # make it give up on the header.
        address, _routable = get_client_ip(
            request,
            proxy_count=settings.TRUSTED_PROXIES - 1,
            request_header_order=["HTTP_X_FORWARDED_FOR"],
            strict=False,
        )
        if address:
            return address
    # No header, or one too short to have passed every proxy: the peer is the only address known.
    return request.META.get("REMOTE_ADDR")
