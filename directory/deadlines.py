"""Application deadlines: which programmes take applications as of today in Hong Kong, and how a page says so.

A window is only what the source states: an opening day, a closing day, or rolling applications (no closing day).
"""

import datetime

from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .machine_dates import machine_datetime

CLOSING_SOON_DAYS = 30


def application_states():
    """{value: (label, condition)} of the applications filter, as of today: called per request, since days move on."""
    today = timezone.localdate()
    stated = (
        Q(applications_rolling=True) | Q(applications_open_on__isnull=False) | Q(applications_close_on__isnull=False)
    )
    opened = Q(applications_open_on__isnull=True) | Q(applications_open_on__lte=today)
    not_closed = Q(applications_close_on__isnull=True) | Q(applications_close_on__gte=today)
    soon = today + datetime.timedelta(days=CLOSING_SOON_DAYS)
    return {
        "open": (_("Open for applications"), stated & opened & not_closed),
        "closing_soon": (
            _("Closing within %(days)s days") % {"days": CLOSING_SOON_DAYS},
            Q(applications_close_on__gte=today, applications_close_on__lte=soon),
        ),
    }


def application_choices():
    return [(value, label) for value, (label, _condition) in application_states().items()]


def upcoming_deadlines(queryset, since=None):
    """The programmes of `queryset` whose applications close on `since` (default: today) or later, soonest first."""
    since = since or timezone.localdate()
    return queryset.filter(applications_close_on__gte=since).order_by("applications_close_on", "name", "pk")


def in_days(day, today):
    """How far off `day` is, as a reader says it: today, tomorrow, in 12 days."""
    days = (day - today).days
    if days == 0:
        return _("today")
    if days == 1:
        return _("tomorrow")
    return ngettext("in %(count)s day", "in %(count)s days", days) % {"count": days}


def time_element(day):
    return format_html('<time datetime="{}">{}</time>', machine_datetime(day), date_format(day, "DATE_FORMAT"))


def sentence(message, **parts):
    """The translated `message` with its %(name)s placeholders filled by `parts`, each escaped unless it is HTML."""
    return mark_safe(conditional_escape(message) % {name: conditional_escape(part) for name, part in parts.items()})


def application_status(programme, today=None):
    """What a card or a page says about applying to `programme`, as HTML with <time> elements; "" when the source
    states nothing."""
    today = today or timezone.localdate()
    opens, closes = programme.applications_open_on, programme.applications_close_on
    if programme.applications_rolling:
        if opens and opens > today:
            return sentence(_("Rolling applications from %(date)s"), date=time_element(opens))
        return _("Rolling applications")
    if closes:
        if closes < today:
            return sentence(_("Applications closed on %(date)s"), date=time_element(closes))
        if opens and opens > today:
            return sentence(
                _("Opens %(opens)s, closes %(closes)s"), opens=time_element(opens), closes=time_element(closes)
            )
        return sentence(_("Closes %(date)s (%(when)s)"), date=time_element(closes), when=in_days(closes, today))
    if opens:
        if opens > today:
            when = in_days(opens, today)
            return sentence(_("Applications open %(date)s (%(when)s)"), date=time_element(opens), when=when)
        return sentence(_("Open for applications since %(date)s"), date=time_element(opens))
    return ""
