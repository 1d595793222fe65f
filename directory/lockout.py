import math

from django.conf import settings
from django.contrib import admin
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _


def lockout_response(request, original_response, credentials):
    """Tell someone locked out by django-axes (AXES_LOCKOUT_CALLABLE) why, and for how long, in the admin's look."""
    cool_off = settings.AXES_COOLOFF_TIME.total_seconds()
    context = {
        **admin.site.each_context(request),
        "title": _("Sign-in paused"),
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "minutes": math.ceil(cool_off / 60),
    }
    response = render(request, "admin/lockout.html", context, status=429)
    response["Retry-After"] = str(int(cool_off))
    return response
