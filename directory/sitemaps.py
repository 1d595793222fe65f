from django.contrib.sitemaps import Sitemap

from .models import Guidance, Organisation, Programme


class PublishedSitemap(Sitemap):
    """Published items only, newest change first; small pages so each stays fast with 100,000 items."""

    model = None
    limit = 5000

    def items(self):
        return self.model.objects.published().only("slug", "updated_at").order_by("pk")

    def lastmod(self, item):
        return item.updated_at


class OrganisationSitemap(PublishedSitemap):
    model = Organisation


class ProgrammeSitemap(PublishedSitemap):
    model = Programme


class GuidanceSitemap(PublishedSitemap):
    model = Guidance


SITEMAPS = {"organisations": OrganisationSitemap, "programmes": ProgrammeSitemap, "guidance": GuidanceSitemap}
