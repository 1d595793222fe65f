import json

from django import template
from django.utils.dateformat import format as format_date
from django.utils.formats import date_format, localize
from django.utils.html import conditional_escape, escape, format_html, linebreaks
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, pgettext

from directory import deadlines, search_highlight
from directory.bilingual import SIMPLIFIED, Fallback, editorial_fields
from directory.chinese import has_chinese, to_simplified
from directory.choices import DatePrecision
from directory.languages import alternates, on_site_path
from directory.machine_dates import machine_datetime

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


@register.simple_tag
def application_status(programme):
    """When applications to `programme` open or close, as of today: `{% application_status object %}`."""
    return deadlines.application_status(programme)


@register.inclusion_tag("includes/canonical_links.html", takes_context=True)
def canonical_links(context, path=None):
    """The page's canonical address (`path` with its query; by default the request's path, without its query), its
    hreflang alternates and its og:url: `{% canonical_links canonical_path %}`."""
    request = context["request"]
    path = path or on_site_path(request.path)
    return {"origin": f"{request.scheme}://{request.get_host()}", "path": path, "alternates": alternates(path)}


@register.filter(name="machine_datetime")
def machine_datetime_filter(value):
    """The date or time as a `<time datetime>` wants it: `{{ object.updated_at|machine_datetime }}`."""
    return machine_datetime(value)


# Facet options are built here rather than in a template loop: a list page can carry a hundred of them, and the
# template engine spends several milliseconds on that many small variables.
@register.simple_tag
def facet_select_options(facet):
    """Render a facet's <option>s, "Any" first, each with its count."""
    any_label = escape(gettext("Any"))
    options = [f'<option value="">{any_label}</option>']
    options += [
        f'<option value="{escape(option.value)}"{" selected" if option.selected else ""}>'
        f"{escape(option.label)} ({localize(option.count)})</option>"
        for option in facet["options"]
    ]
    return mark_safe("\n".join(options))


@register.simple_tag
def facet_choices(facet):
    """Render a facet's checkboxes (or radios, with "Any" first), each labelled with its count."""
    name, layout = escape(facet["name"]), facet["layout"]
    choices = []
    if layout == "radio":
        checked = "" if facet["active"] else " checked"
        any_label = escape(gettext("Any"))
        choices.append(
            f'<div class="choice"><input type="radio" id="filter-{name}-any" name="{name}" value=""{checked}>'
            f'<label for="filter-{name}-any">{any_label}</label></div>'
        )
    for number, option in enumerate(facet["options"], start=1):
        checked = " checked" if option.selected else ""
        choices.append(
            f'<div class="choice"><input type="{layout}" id="filter-{name}-{number}" name="{name}" '
            f'value="{escape(option.value)}"{checked}><label for="filter-{name}-{number}">{escape(option.label)} '
            f'<span class="count">({localize(option.count)})</span></label></div>'
        )
    return mark_safe("\n".join(choices))


@register.filter(needs_autoescape=True)
def marked(text, layout="", autoescape=True):
    """Show content in the reader's language; English standing in for missing Chinese says so, with lang="en".

    `layout` "paragraphs" renders multi-line text (a description) as paragraphs; "lang" only marks the language,
    for names in lists of links, where a note on every one would drown the list.
    """
    escape_text = conditional_escape if autoescape else (lambda value: value)
    body = mark_safe(linebreaks(text, autoescape=autoescape) if layout == "paragraphs" else escape_text(text))
    return _in_language(text, body, layout)


@register.filter
def highlighted(text, query):
    """Like `marked`, with the words that matched the reader's search `query` (None: no search) in <mark>."""
    return _in_language(text, search_highlight.highlight(text, query) if query else escape(text), "")


@register.filter
def snippet(text, query):
    """Like `marked`; within a search (`query`), only a passage around the first match, matches in <mark>."""
    return _in_language(text, search_highlight.snippet(text, query) if query else escape(text), "")


def _in_language(text, body, layout):
    if not isinstance(text, Fallback):
        return body
    if layout == "lang":
        return format_html('<span lang="en">{}</span>', body)
    note = escape(gettext("(in English: not yet translated)"))
    if layout == "paragraphs":
        return format_html('<div lang="en">{}</div><p class="fallback-note">{}</p>', body, note)
    return format_html('<span lang="en">{}</span> <span class="fallback-note">{}</span>', body, note)


@register.filter
def public_related(item, relation):
    """The item `relation` points to if readers may see it, else None.

    `{% with publisher=object|public_related:"publisher" %}`
    """
    return item.public_related(relation)


@register.filter
def listed(items):
    """The items' names as one list, separated as the reader's language separates one ("a, b" or "a、b")."""
    return pgettext("between the items of a list", ", ").join(item.display_name for item in items)


@register.filter
def alias(text):
    """An alias (HKUST, 科大) marked with its own language, whatever the page's: Chinese ones in the reader's script."""
    if not has_chinese(text):
        return format_html('<span lang="en">{}</span>', text)
    if get_language() == SIMPLIFIED:
        return format_html('<span lang="zh-Hans">{}</span>', to_simplified(text))
    return format_html('<span lang="zh-Hant">{}</span>', text)


@register.filter
def editorial_chinese(item):
    """On a Chinese page, the names of the item's texts whose Chinese was translated here ("name and summary"), as
    one phrase; empty elsewhere, or where every Chinese text is the source's own."""
    labels = [str(type(item)._meta.get_field(field).verbose_name) for field in editorial_fields(item)]
    if len(labels) < 2:
        return "".join(labels)
    return pgettext("between the last two items of a list", "%(items)s and %(last)s") % {
        "items": pgettext("between the items of a list", ", ").join(labels[:-1]),
        "last": labels[-1],
    }
