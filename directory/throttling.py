"""Sign-in throttling: who is signing in (AXES_CLIENT_IP_CALLABLE), and when signing in is paused (AXES_HANDLER)."""

import logging
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_str, get_client_username, get_cool_off
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models import Max, Q, Sum
from ipware.ip import get_client_ip

log = logging.getLogger(__name__)


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


class Reason(StrEnum):
    USERNAME = "username"  # this username failed too often from this address
    ADDRESS = "address"  # this address failed too often, whatever the usernames: password spraying
    TARGETED = "targeted"  # this username failed too often from many addresses, and from this one too


@dataclass(frozen=True)
class Pause:
    reason: Reason
    ends: datetime


def pause(request, credentials=None):
    """Return why and until when signing in with these credentials from the request's address is paused, or None."""
    from_address = Q(ip_address=request.axes_ip_address)
    with_username = Q(username=get_client_username(request, credentials))
    pair = from_address & with_username
    # Strictly after the threshold: axes' clean-up deletes an attempt at the threshold itself.
    recent = AccessAttempt.objects.filter(
        from_address | with_username, attempt_time__gt=get_cool_off_threshold(request)
    )
    # Named apart from the model's fields, which the filters refer to.
    failures = recent.aggregate(
        by_address=Sum("failures_since_start", filter=from_address, default=0),
        by_address_last=Max("attempt_time", filter=from_address),
        by_username=Sum("failures_since_start", filter=with_username, default=0),
        by_pair=Sum("failures_since_start", filter=pair, default=0),
        by_pair_last=Max("attempt_time", filter=pair),
    )
    if failures["by_address"] >= settings.SIGN_IN_ADDRESS_FAILURE_LIMIT:
        return Pause(Reason.ADDRESS, failures["by_address_last"] + get_cool_off(request))
    if failures["by_pair"] >= settings.AXES_FAILURE_LIMIT:
        return Pause(Reason.USERNAME, failures["by_pair_last"] + get_cool_off(request))
    # Guessing at one username from many addresses leaves each address one failure, not AXES_FAILURE_LIMIT. A lockout
    # of the username everywhere would let anyone lock its owner out; this never pauses an address it has not failed
    # from, so the owner, with the right password, still gets in.
    if failures["by_pair"] and failures["by_username"] >= settings.SIGN_IN_USERNAME_FAILURE_LIMIT:
        return Pause(Reason.TARGETED, failures["by_pair_last"] + get_cool_off(request))
    return None


class SignInThrottle(AxesDatabaseHandler):
    """axes' database handler, pausing sign-ins by pause() rather than by its count for one username and address."""

    def is_locked(self, request, credentials=None):
        return pause(request, credentials) is not None

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        # axes records nothing for an attempt refused during a pause (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT).
        refused = request is not None and request.axes_locked_out
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        if request is None or refused:
            return
        started = pause(request, credentials)
        if started is None:
            return
        username = get_client_username(request, credentials)
        # The attempts behind a pause expire one by one, cool-off after each one's last failure; dated to the failure
        # that started the pause, they all last until it ends, cool-off after that failure.
        attempts = AccessAttempt.objects.filter(ip_address=request.axes_ip_address)
        if started.reason != Reason.ADDRESS:
            attempts = attempts.filter(username=username)
        attempts.update(attempt_time=request.axes_attempt_time)
        # axes locks out on its own count, one username from one address, and on nothing else.
        if not request.axes_locked_out:
            client = get_client_str(
                username, request.axes_ip_address, request.axes_user_agent, request.axes_path_info, request
            )
            log.warning("AXES: Pausing %s, reason: %s.", client, started.reason)
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send("axes", request=request, username=username, ip_address=request.axes_ip_address)
