import json

from django import template
from django.utils.dateformat import format as format_date
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from directory.choices import DatePrecision

register = template.Library()

# The same escaping as Django's json_script: nothing in the data can close the <script> element.
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag
def json_ld(data):
    """Render schema.org data as a JSON-LD block (a data block, not script: a strict CSP does not block it)."""
    if not data:
        return ""
    payload = json.dumps(data, ensure_ascii=False, default=str).translate(_JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))


@register.filter
def as_precise_as(value, precision):
    """Format a date only as precisely as it is known: '11 June 2024', 'June 2024' or '2024'."""
    if not value:
        return ""
    if precision == DatePrecision.YEAR:
        return format_date(value, "Y")
    if precision == DatePrecision.MONTH:
        return date_format(value, "YEAR_MONTH_FORMAT")
    return date_format(value, "DATE_FORMAT")
