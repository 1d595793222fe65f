"""The one format for dates and times that machines read: HTML's `datetime` attributes and the sitemaps' lastmod."""

import datetime

from django.utils import timezone


def machine_datetime(value):
    """Return `value` as HTML's valid date string (a date) or valid global date and time string (an aware datetime):
    2024-06-11, or 2026-11-25T09:30:00+08:00, in the site's time zone to the second, with its offset.

    HTML allows at most three digits of a second's fraction, and no reader needs any; a W3C Datetime (sitemaps) is
    the same string.
    """
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    return value.isoformat()
