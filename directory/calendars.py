"""The application deadlines of any programme list as an iCalendar feed (RFC 5545), for calendar apps to subscribe to.

The feed is the list itself: the same FilterSet with the same parameters (less sort and page), so it never disagrees
with the page that links to it. Each deadline is an all-day event on the day applications close: sources state a
day, almost never an hour, and a timed event at 23:59 would invent one (and show a false hour in another time zone).
The calendar still declares Hong Kong's time zone, in which those days are meant.

Written here rather than with a library: the format needs a few escapes, CRLF line ends and lines folded at 75 octets
without splitting a UTF-8 character, which tests check with a real parser (icalendar).
"""

import datetime

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .caching import cache_public_page
from .deadlines import upcoming_deadlines
from .feeds import InvalidFilters, feed_filterset, feed_parameters, filter_labels, invalid_filters_response
from .languages import html_lang

CRLF = "\r\n"
LINE_OCTETS = 75
# A deadline just passed stays in subscribers' calendars for a while; older ones leave it.
KEPT_AFTER_CLOSING = datetime.timedelta(days=30)
MAX_EVENTS = 500
TIME_ZONE = "Asia/Hong_Kong"
# Hong Kong Time all year, as it has been since 1980 (its last summer time ended in 1979).
HONG_KONG_TIME_ZONE = (
    ("BEGIN", "VTIMEZONE"),
    ("TZID", TIME_ZONE),
    ("BEGIN", "STANDARD"),
    ("DTSTART", "19800101T000000"),
    ("TZOFFSETFROM", "+0800"),
    ("TZOFFSETTO", "+0800"),
    ("TZNAME", "HKT"),
    ("END", "STANDARD"),
    ("END", "VTIMEZONE"),
)


def text(value):
    """A TEXT value: backslashes, semicolons, commas and line breaks escaped."""
    value = str(value).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def fold(line):
    """`line` in lines of at most 75 octets, each after the first starting with a space, never inside a character."""
    if len(line.encode()) <= LINE_OCTETS:
        return line
    lines, current, octets = [], "", 0
    for character in line:
        size = len(character.encode())
        if octets + size > LINE_OCTETS:
            lines.append(current)
            current, octets = " ", 1
        current += character
        octets += size
    lines.append(current)
    return CRLF.join(lines)


def utc(moment):
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def day(value):
    return value.strftime("%Y%m%d")


def deadline_event(programme, request):
    """The properties of the event of `programme`'s closing day."""
    closes = programme.applications_close_on
    url = request.build_absolute_uri(programme.get_absolute_url())
    description = "\n\n".join(part for part in (str(programme.display_summary or ""), url) if part)
    return (
        ("BEGIN", "VEVENT"),
        # The same event in every language and after every edit, and a new one if the date moves.
        ("UID", f"programme-{programme.pk}-closes-{day(closes)}@{request.get_host()}"),
        # The feed has no METHOD, so DTSTAMP is when the event last changed.
        ("DTSTAMP", utc(programme.updated_at)),
        ("LAST-MODIFIED", utc(programme.updated_at)),
        ("DTSTART;VALUE=DATE", day(closes)),
        ("DTEND;VALUE=DATE", day(closes + datetime.timedelta(days=1))),
        ("SUMMARY", text(_("Applications close: %(programme)s") % {"programme": programme.display_name})),
        ("DESCRIPTION", text(description)),
        ("URL", url),
        ("TRANSP", "TRANSPARENT"),
        ("END", "VEVENT"),
    )


def calendar(name, events):
    """The iCalendar text of a calendar called `name` holding `events` (each a sequence of (name, value) pairs)."""
    properties = [
        ("BEGIN", "VCALENDAR"),
        ("VERSION", "2.0"),
        ("PRODID", "-//HK AI Portal//Application deadlines//EN"),
        ("CALSCALE", "GREGORIAN"),
        ("X-WR-CALNAME", text(name)),
        ("X-WR-TIMEZONE", TIME_ZONE),
        *HONG_KONG_TIME_ZONE,
        *(line for event in events for line in event),
        ("END", "VCALENDAR"),
    ]
    return "".join(fold(f"{key}:{value}") + CRLF for key, value in properties)


def calendar_name(filterset):
    name = _("Application deadlines")
    labels = filter_labels(filterset)
    if labels:
        name = _("%(list)s (%(filters)s)") % {"list": name, "filters": "; ".join(labels)}
    return _("%(name)s · HK AI Portal") % {"name": name}


def deadlines_calendar(list_view):
    """The view of the deadlines of `list_view`'s programmes, filtered as the list is."""

    def view(request):
        try:
            filterset = feed_filterset(list_view, request)
        except InvalidFilters as error:
            return invalid_filters_response(error)
        since = timezone.localdate() - KEPT_AFTER_CLOSING
        fields = ("name", "name_zh_hant", "slug", "summary", "summary_zh_hant", "updated_at", "applications_close_on")
        programmes = upcoming_deadlines(filterset.qs, since).only(*fields)[:MAX_EVENTS]
        body = calendar(calendar_name(filterset), [deadline_event(programme, request) for programme in programmes])
        response = HttpResponse(body.encode(), content_type="text/calendar; charset=utf-8")
        response["Content-Language"] = html_lang(get_language())
        return response

    return cache_public_page(view, parameters=feed_parameters(list_view))
