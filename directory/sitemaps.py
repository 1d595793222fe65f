from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.utils import translation

from .models import Guidance, Organisation, Programme


class PublishedSitemap(Sitemap):
    """Published items only, each in every language with its alternates; pages of at most 5,000 URLs.

    Django's own i18n sitemaps pair every item with every language in memory before paginating; at 100,000 items
    that is a full read per page, so here the database paginates items and each page lists its items' languages.
    """

    model = None
    limit = 5000 // len(settings.LANGUAGES)

    def items(self):
        return self.model.objects.published().only("slug", "updated_at").order_by("pk")

    def lastmod(self, item):
        return item.updated_at

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
