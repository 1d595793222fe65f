"""'Cite this' for every detail page: APA, BibTeX and a plain link with the access date, in the page's language.

The portal is the author of its entries (it compiles them from the sources each page names); the date is when the
entry last changed here, and the access date is today in Hong Kong, as a reader citing the page would write it.
"""

import re
from dataclasses import dataclass

from django.utils import formats, timezone
from django.utils.translation import gettext as _

# BibTeX's special characters, each as LaTeX writes it literally.
BIBTEX_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
BIBTEX_SPECIAL = re.compile("|".join(re.escape(character) for character in BIBTEX_ESCAPES))


def bibtex_text(text):
    return BIBTEX_SPECIAL.sub(lambda match: BIBTEX_ESCAPES[match.group()], " ".join(str(text).split()))


@dataclass(frozen=True)
class Citation:
    title: str
    url: str
    updated: object  # a date
    accessed: object  # a date
    key: str

    @property
    def site(self):
        return _("HK AI Portal")

    @property
    def apa(self):
        return _("%(site)s. (%(updated)s). %(title)s. Retrieved %(accessed)s, from %(url)s") % {
            "site": self.site,
            "updated": formats.date_format(self.updated, "DATE_FORMAT"),
            "title": self.title,
            "accessed": formats.date_format(self.accessed, "DATE_FORMAT"),
            "url": self.url,
        }

    @property
    def link(self):
        return _("%(title)s, %(site)s, %(url)s (accessed %(accessed)s)") % {
            "title": self.title,
            "site": self.site,
            "url": self.url,
            "accessed": formats.date_format(self.accessed, "DATE_FORMAT"),
        }

    @property
    def bibtex(self):
        fields = {
            "title": f"{{{bibtex_text(self.title)}}}",
            # Doubled braces: a corporate author, which BibTeX must not split into first and last names.
            "author": f"{{{{{bibtex_text(self.site)}}}}}",
            "year": str(self.updated.year),
            "url": f"{{{self.url}}}",
            "urldate": f"{{{self.accessed.isoformat()}}}",
        }
        body = ",\n".join(f"  {name} = {value}" for name, value in fields.items())
        return f"@misc{{{self.key},\n{body}\n}}"


def cite(item, request):
    """The citation of `item`'s public page as `request` shows it: its title and permalink in the page's language."""
    return Citation(
        title=str(item.display_name),
        url=request.build_absolute_uri(item.get_absolute_url()),
        updated=timezone.localdate(item.updated_at),
        accessed=timezone.localdate(),
        key=f"hkaiportal-{item._meta.model_name}-{item.slug}",
    )
