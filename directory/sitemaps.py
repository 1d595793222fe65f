from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.core.paginator import Paginator
from django.db.models import Count, Max
from django.utils import translation
from django.utils.functional import cached_property

from .facets import PublishedSetSummary
from .models import Guidance, Organisation, Programme


class PublishedSitemap(Sitemap):
    """Published items only, each in every language with its alternates; pages of at most 5,000 URLs.

    Django's own i18n sitemaps pair every item with every language in memory before paginating, and its index reads
    every item for the latest `lastmod`; at 100,000 items that is a full read per request. Here the database
    paginates items, and one aggregate, kept per content version, gives both the number of items and the latest
    change.
    """

    model = None
    limit = 5000 // len(settings.LANGUAGES)

    def items(self):
        return self.model.objects.published().only("slug", "updated_at").order_by("pk")

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
        urls = []
        for item in self.paginator.page(page).object_list:
            alternates = []
            for code, _name in settings.LANGUAGES:
                with translation.override(code):
                    alternates.append({"lang_code": code, "location": base + item.get_absolute_url()})
            urls += [
                {"item": item, "location": alternate["location"], "lastmod": item.updated_at, "alternates": alternates}
                for alternate in alternates
            ]
        self.latest_lastmod = max((url["lastmod"] for url in urls), default=None)
        return urls


class OrganisationSitemap(PublishedSitemap):
    model = Organisation


class ProgrammeSitemap(PublishedSitemap):
    model = Programme


class GuidanceSitemap(PublishedSitemap):
    model = Guidance


SITEMAPS = {"organisations": OrganisationSitemap, "programmes": ProgrammeSitemap, "guidance": GuidanceSitemap}
