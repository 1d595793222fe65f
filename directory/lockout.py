import math

from django.conf import settings
from django.contrib import admin
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .throttling import Reason, pause


def lockout_response(request, original_response, credentials):
    """Tell someone paused by django-axes (AXES_LOCKOUT_CALLABLE) why, and for how long, in the admin's look."""
    paused = pause(request, credentials)
    seconds = math.ceil((paused.ends - timezone.now()).total_seconds())
    # A targeted username's pause comes after one failure from the address: its page names no limit.
    limits = {Reason.USERNAME: settings.AXES_FAILURE_LIMIT, Reason.ADDRESS: settings.SIGN_IN_ADDRESS_FAILURE_LIMIT}
    context = {
        **admin.site.each_context(request),
        "title": _("Sign-in paused"),
        "reason": paused.reason,
        "failure_limit": limits.get(paused.reason),
        "minutes": math.ceil(seconds / 60),
    }
    response = render(request, "admin/lockout.html", context, status=429)
    response["Retry-After"] = str(seconds)
    return response
