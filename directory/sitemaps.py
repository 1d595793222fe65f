from xml.sax.saxutils import escape

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.core.paginator import Paginator
from django.db.models import Count, Max
from django.utils import timezone, translation
from django.utils.functional import cached_property

from .facets import PublishedSetSummary
from .machine_dates import machine_datetime
from .models import Guidance, Organisation, Programme

# Stands for the slug in an item's address, reversed once per language: a valid slug no prefix contains.
SLUG_PLACEHOLDER = "sitemap-slug-placeholder"
# What an attribute value needs escaped besides &, < and >.
QUOTE = {'"': "&quot;"}


class PublishedSitemap(Sitemap):
    """Published items only, each in every language with its alternates; pages of at most 5,000 URLs.

    Django's own i18n sitemaps pair every item with every language in memory before paginating, and its index reads
    every item for the latest `lastmod`; at 100,000 items that is a full read per request. Here the database
    paginates items (slugs and dates, not model instances), and one aggregate, kept per content version, gives both
    the number of items and the latest change.
    """

    model = None
    limit = 5000 // len(settings.LANGUAGES)

    def items(self):
        return self.model.objects.published().order_by("pk").values_list("slug", "updated_at")

    @cached_property
    def summary(self):
        """Return the number of published items and their latest `updated_at`."""
        return PublishedSetSummary(self.model).get(
            "sitemap",
            lambda: self.model.objects.published().aggregate(count=Count("pk"), latest=Max("updated_at")),
        )

    @cached_property
    def paginator(self):
        paginator = Paginator(self.items(), self.limit)
        paginator.count = self.summary["count"]
        return paginator

    def get_latest_lastmod(self):
        return self.summary["latest"]

    def get_urls(self, page=1, site=None, protocol=None):
        base = f"{self.get_protocol(protocol)}://{self.get_domain(site)}"
        addresses = []
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                head, tail = self.model(slug=SLUG_PLACEHOLDER).get_absolute_url().split(SLUG_PLACEHOLDER)
            addresses.append((code, base + head, tail))
        zone = timezone.get_current_timezone()
        rows = self.paginator.page(page).object_list
        urls = []
        for slug, updated_at in rows:
            alternates = [{"lang_code": code, "location": head + slug + tail} for code, head, tail in addresses]
            # The day in the site's time zone, as Django's sitemap template writes it.
            lastmod = updated_at.astimezone(zone).date()
            urls += [
                {"location": alternate["location"], "lastmod": lastmod, "alternates": alternates}
                for alternate in alternates
            ]
        self.latest_lastmod = max((updated_at for _slug, updated_at in rows), default=None)
        return urls


def urlset_xml(urls):
    """Return the sitemap of `urls` (as Sitemap.get_urls gives them), as Django's sitemap.xml template writes it.

    The template's loops take about half a second over the 5,000 URLs of a full page; this takes milliseconds.
    """
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">\n'
    ]
    alternates = links = None
    for url in urls:
        # An item's URLs share one list of alternates: written once for all of them.
        if url["alternates"] is not alternates:
            alternates = url["alternates"]
            links = "".join(
                f'<xhtml:link rel="alternate" hreflang="{escape(link["lang_code"], QUOTE)}" '
                f'href="{escape(link["location"], QUOTE)}"/>'
                for link in alternates
            )
        parts.append(
            f"<url><loc>{escape(url['location'])}</loc><lastmod>{url['lastmod']:%Y-%m-%d}</lastmod>{links}</url>\n"
        )
    parts.append("</urlset>\n")
    return "".join(parts)


def sitemapindex_xml(entries):
    """Return the sitemap index of `entries`, (location, lastmod or None) pairs, as Django's sitemap_index.xml writes
    it: a template's date filter on each page of each section costs as much as the rest of the index."""
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
    ]
    for location, lastmod in entries:
        written = f"<lastmod>{machine_datetime(lastmod)}</lastmod>" if lastmod else ""
        parts.append(f"<sitemap><loc>{escape(location)}</loc>{written}</sitemap>\n")
    parts.append("</sitemapindex>\n")
    return "".join(parts)


class OrganisationSitemap(PublishedSitemap):
    model = Organisation


class ProgrammeSitemap(PublishedSitemap):
    model = Programme


class GuidanceSitemap(PublishedSitemap):
    model = Guidance


SITEMAPS = {"organisations": OrganisationSitemap, "programmes": ProgrammeSitemap, "guidance": GuidanceSitemap}
