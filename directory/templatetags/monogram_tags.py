from django import template
from django.utils.translation import get_language

from directory import monograms
from directory.bilingual import SIMPLIFIED, Fallback
from directory.chinese import has_chinese, to_simplified

register = template.Library()


@register.inclusion_tag("includes/organisation_mark.html")
def organisation_mark(organisation, size, labelled=True):
    """The organisation's uploaded logo, or where it has none its monogram: `{% organisation_mark object "page" %}`.

    `labelled` gives the mark the organisation's name as its accessible name. A card passes False: its name is the link
    beside it, and a screen reader would otherwise read the name twice on every card of the list.
    """
    name = organisation.display_name
    context = {
        "size": monograms.MARK_SIZES[size],
        "label": name if labelled else "",
        # English standing in for a missing Chinese name is read out as English.
        "label_lang": "en" if labelled and isinstance(name, Fallback) else "",
    }
    if organisation.logo:
        return {**context, "logo_url": organisation.logo.url}
    initials = monograms.initials(organisation.name, organisation.alias_list)
    if get_language() == SIMPLIFIED and has_chinese(initials):
        initials = to_simplified(initials)
    return {
        **context,
        "initials": initials,
        "box": monograms.BOX,
        "type_size": monograms.type_size(initials),
        "background": monograms.background(organisation.slug or organisation.name),
        "initials_colour": monograms.INITIALS_COLOUR,
    }
