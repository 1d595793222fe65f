from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext

from directory import monograms
from directory.bilingual import SIMPLIFIED, Fallback
from directory.chinese import has_chinese, to_simplified

register = template.Library()

# Built here rather than in an included template: a list page draws twenty of them, and the template took 80 µs a card
# against this 30 (1.6 ms of a list page that bench/lists.py wants back in 30 ms).
LOGO = '<img class="organisation-mark" src="{}" alt="{}" width="{}" height="{}">'
MONOGRAM = (
    '<svg class="organisation-mark" viewBox="0 0 {box} {box}" width="{size}" height="{size}"{accessible}>'
    '<rect width="{box}" height="{box}" rx="6" fill="{background}"/>'
    '<text x="50%" y="50%" dominant-baseline="central" text-anchor="middle" font-size="{type_size}" font-weight="700"'
    ' fill="{colour}">{initials}</text></svg>'
)
HIDDEN = mark_safe(' aria-hidden="true"')


@register.simple_tag
def organisation_mark(organisation, size, labelled=True):
    """The organisation's uploaded logo, or where it has none its monogram: `{% organisation_mark object "page" %}`.

    `labelled` gives the mark the organisation's name, in the page's language, as its accessible name. A card passes
    False: its name is the link beside it, and a screen reader would otherwise read the name twice on every card.
    """
    pixels = monograms.MARK_SIZES[size]
    name = organisation.display_name
    if organisation.logo:
        alt = gettext("Logo of %(name)s") % {"name": name} if labelled else ""
        return format_html(LOGO, organisation.logo.url, alt, pixels, pixels)
    initials = monograms.initials(organisation.name, organisation.alias_list)
    if not initials:
        return ""
    if get_language() == SIMPLIFIED and has_chinese(initials):
        initials = to_simplified(initials)
    if not labelled:
        accessible = HIDDEN
    elif isinstance(name, Fallback):
        # English standing in for a missing Chinese name is read out as English.
        accessible = format_html(' role="img" aria-label="{}" lang="en"', name)
    else:
        accessible = format_html(' role="img" aria-label="{}"', name)
    return format_html(
        MONOGRAM,
        box=monograms.BOX,
        size=pixels,
        accessible=accessible,
        background=monograms.background(organisation.slug or organisation.name),
        type_size=monograms.type_size(initials),
        colour=monograms.INITIALS_COLOUR,
        initials=initials,
    )
