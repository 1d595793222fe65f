from django.conf import settings
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.contrib.sites.shortcuts import get_current_site
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.db.models import Count, Prefetch
from django.http import FileResponse, Http404, HttpResponse
from django.urls import reverse
from django.utils.http import http_date
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from django.views.generic import DetailView, TemplateView, View

from . import datasets, structured_data
from .caching import QueryParameters
from .choices import ExportSource
from .citations import cite
from .deadlines import upcoming_deadlines
from .exports import CsvExport, base_url, csv_response
from .filters import GuidanceFilter, OrganisationFilter, ProgrammeFilter, programme_states
from .listing import PublishedListView, clean_query, rows_with_ids, same_filters_url
from .models import Guidance, Organisation, Programme, Sector
from .result_sets import counted_in_memory
from .search import TextSearch
from .search_tokens import MAX_QUERY_WORDS, QUERY_MAX_LENGTH
from .sitemaps import SITEMAPS, sitemapindex_xml, urlset_xml

SEARCH_GROUP_SIZE = 10
NEXT_DEADLINES = 6


def published_organisations():
    # With what is_public reads: Publishable.public_related checks the prefetched item again.
    return Organisation.objects.published().only("name", "name_zh_hant", "slug", "kind", "status", "published_at")


def published_programmes():
    return Programme.objects.published().only("name", "name_zh_hant", "slug", "kind", "status", "published_at")


class OrganisationListView(PublishedListView):
    model = Organisation
    filterset_class = OrganisationFilter
    facet_layout = {"parent": "select"}

    def get_queryset(self):
        # A plain list per card (to_attr): Django's default builds a related manager and a queryset for each item.
        return super().get_queryset().prefetch_related(Prefetch("sectors", to_attr="sector_list"))


class ProgrammeListView(PublishedListView):
    model = Programme
    filterset_class = ProgrammeFilter
    facet_layout = {"organisation": "select"}

    def get_queryset(self):
        return (
            super().get_queryset().prefetch_related(Prefetch("lead_organisation", queryset=published_organisations()))
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["calendar_url"] = same_filters_url("directory:programme-deadlines", self.request.GET, ("page", "sort"))
        return context


class GuidanceListView(PublishedListView):
    model = Guidance
    filterset_class = GuidanceFilter
    facet_layout = {"publisher": "select", "binding": "radio", "state": "radio"}

    def get_queryset(self):
        return super().get_queryset().prefetch_related(Prefetch("publisher", queryset=published_organisations()))


class ListExportView(PermissionRequiredMixin, View):
    """The CSV of exactly what a public list shows for the same parameters: every page, in the same order.

    Anonymous users are sent to log in (403 where the admin has a path of its own); signed-in users without the export
    permission get 403.
    """

    http_method_names = ["get"]
    definition = None

    @property
    def raise_exception(self):
        # Sending an anonymous visitor to the sign-in page would tell anyone a custom admin path (DJANGO_ADMIN_PATH),
        # which is meant to keep scanners away; where the admin is at /admin/ there is nothing to give away.
        return settings.ADMIN_PATH != "admin/"

    def get_permission_required(self):
        return [self.definition.permission]

    def get(self, request):
        params = clean_query(request.GET)
        export = CsvExport(
            self.definition,
            self.definition.list_filterset(params, request.user).qs,
            source=ExportSource.LIST,
            filters=self.definition.list_filters(params, request.user),
            base_url=base_url(request),
            user=request.user,
        )
        return csv_response(export)


class PublishedDetailView(DetailView):
    """A detail page of published content only: a draft's or an archived item's URL is a 404."""

    list_label = None  # the breadcrumb back to the list, as the main navigation names it

    def visible_items(self):
        """The items this page may show: the published ones (a preview shows any)."""
        return self.model.objects.published()

    def get_queryset(self):
        return self.visible_items()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            json_ld=structured_data.for_item(self.object, self.request),
            list_url=reverse(f"directory:{self.model._meta.model_name}-list"),
            list_label=self.list_label,
            canonical_path=self.object.get_absolute_url(),
            citation=cite(self.object, self.request),
        )
        return context


class OrganisationDetailView(PublishedDetailView):
    model = Organisation
    list_label = _("Organisations")

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .prefetch_related(
                Prefetch("parent", queryset=published_organisations()),
                Prefetch("part_of", queryset=published_organisations()),
                Prefetch("part_of_programmes", queryset=published_programmes()),
                Prefetch("established_by", queryset=published_organisations()),
                "sectors",
            )
        )

    def get_context_data(self, **kwargs):
        organisation = self.object
        return super().get_context_data(
            children=published_organisations().filter(parent=organisation),
            members=published_organisations().filter(part_of=organisation),
            established=published_organisations().filter(established_by=organisation),
            led_programmes=Programme.objects.published().filter(lead_organisation=organisation),
            partnered_programmes=Programme.objects.published().filter(partners=organisation),
            published_guidance=Guidance.objects.published().filter(publisher=organisation),
            **kwargs,
        )


class ProgrammeDetailView(PublishedDetailView):
    model = Programme
    list_label = _("Programmes")

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .prefetch_related(
                Prefetch("lead_organisation", queryset=published_organisations()),
                Prefetch("partners", queryset=published_organisations()),
                Prefetch("part_of", queryset=published_programmes()),
                Prefetch("supersedes", queryset=published_programmes()),
                Prefetch("superseded_by", queryset=published_programmes()),
                "sectors",
            )
        )

    def get_context_data(self, **kwargs):
        programme = self.object
        return super().get_context_data(
            components=published_programmes().filter(part_of=programme),
            member_organisations=published_organisations().filter(part_of_programmes=programme),
            **kwargs,
        )


class GuidanceDetailView(PublishedDetailView):
    model = Guidance
    list_label = _("Ethics guidance")

    def get_queryset(self):
        published_guidance = Guidance.objects.published().only(
            "title", "title_zh_hant", "slug", "date_published", "date_precision", "status", "published_at"
        )
        return (
            super()
            .get_queryset()
            .prefetch_related(
                Prefetch("publisher", queryset=published_organisations()),
                Prefetch("co_publishers", queryset=published_organisations()),
                Prefetch("supersedes", queryset=published_guidance),
                Prefetch("superseded_by", queryset=published_guidance),
                "topics",
                "sectors",
            )
        )

    def get_context_data(self, **kwargs):
        guidance = self.object
        same_topics = (
            Guidance.objects.published()
            .filter(topics__in=guidance.topics.all())
            .exclude(pk=guidance.pk)
            .annotate(shared=Count("topics"))
            .order_by("-shared", "-date_published", "title")[:5]
        )
        return super().get_context_data(related_guidance=same_topics, **kwargs)


class HomeView(TemplateView):
    template_name = "directory/home.html"

    def get_context_data(self, **kwargs):
        open_now = programme_states()["open"][1]
        return super().get_context_data(
            organisation_count=Organisation.objects.published().count(),
            programme_count=Programme.objects.published().count(),
            guidance_count=Guidance.objects.published().count(),
            latest_guidance=Guidance.objects.published()
            .prefetch_related(Prefetch("publisher", queryset=published_organisations()))
            .order_by("-date_published", "title")[:5],
            open_programmes=Programme.objects.published().filter(open_now).order_by("-start_date", "name")[:6],
            next_deadlines=upcoming_deadlines(Programme.objects.published())[:NEXT_DEADLINES],
            organisation_kinds=Organisation._meta.get_field("kind").choices,
            sectors=Sector.objects.all(),
            **kwargs,
        )


class SearchView(TemplateView):
    """Site-wide search: results grouped by type, each group with its count and a link to its full list."""

    template_name = "directory/search.html"
    query_parameters = QueryParameters(("q",))
    groups = (
        (Organisation, "directory:organisation-list", _("Organisations")),
        (Programme, "directory:programme-list", _("Programmes")),
        (Guidance, "directory:guidance-list", _("Ethics guidance")),
    )

    def get_context_data(self, **kwargs):
        query = " ".join(self.request.GET.get("q", "").replace("\x00", "").split())[:QUERY_MAX_LENGTH]
        groups, search_query = [], None
        if query:
            for model, list_url, label in self.groups:
                text_search = TextSearch(model, query)
                published = model.objects.published()
                results = counted_in_memory(published, text_search)
                search_query = text_search.query
                groups.append(
                    {
                        "label": label,
                        "count": results.count,
                        "results": rows_with_ids(published, results.ranked_ids(0, SEARCH_GROUP_SIZE)),
                        "list_url": reverse(list_url),
                    }
                )
        return super().get_context_data(
            query=query,
            groups=groups,
            total=sum(g["count"] for g in groups),
            search_query=search_query,
            search_max_words=MAX_QUERY_WORDS,
            **kwargs,
        )


@require_GET
def robots_txt(request):
    sitemap = request.build_absolute_uri(reverse("sitemap-index"))
    # robots.txt is public: naming a custom admin path here would give away the point of choosing one, and the
    # admin's own pages already ask robots not to index them.
    admin_rule = "Disallow: /admin/" if settings.ADMIN_PATH == "admin/" else "Disallow:"
    lines = ["User-agent: *", admin_rule, f"Sitemap: {sitemap}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


@require_GET
def sitemap_index(request):
    """Every page of every section with the section's latest change: Django's index view, with the XML written by
    sitemapindex_xml."""
    base = f"{request.scheme}://{get_current_site(request).domain}"
    entries, latest = [], []
    for section, sitemap_class in SITEMAPS.items():
        sitemap = sitemap_class()
        location = base + reverse("sitemap-section", kwargs={"section": section})
        lastmod = sitemap.get_latest_lastmod()
        latest.append(lastmod)
        entries += [
            (f"{location}?p={page}" if page > 1 else location, lastmod) for page in sitemap.paginator.page_range
        ]
    response = HttpResponse(sitemapindex_xml(entries), content_type="application/xml")
    response.headers["X-Robots-Tag"] = "noindex, noodp, noarchive"
    if all(latest):
        response.headers["Last-Modified"] = http_date(max(latest).timestamp())
    return response


@require_GET
def sitemap_section(request, section):
    """One page (`?p=`) of a section's sitemap: Django's sitemap view, with the XML written by urlset_xml."""
    if section not in SITEMAPS:
        raise Http404
    sitemap = SITEMAPS[section]()
    try:
        urls = sitemap.get_urls(page=request.GET.get("p", 1), site=get_current_site(request), protocol=request.scheme)
    except (EmptyPage, PageNotAnInteger) as error:
        raise Http404 from error
    response = HttpResponse(urlset_xml(urls), content_type="application/xml")
    response.headers["X-Robots-Tag"] = "noindex, noodp, noarchive"
    if sitemap.latest_lastmod:
        response.headers["Last-Modified"] = http_date(sitemap.latest_lastmod.timestamp())
    return response


class DataView(TemplateView):
    """What the data is, under which licence, what each column means, and every release to download."""

    template_name = "directory/data.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            releases=datasets.releases(),
            dictionary=datasets.data_dictionary(),
            licence_name=settings.DATASET_LICENCE,
            licence_url=settings.DATASET_LICENCE_URL,
            **kwargs,
        )


@require_GET
def release_file(request, name, file_name):
    """A file of a release: its ZIP or its manifest, nothing else from the release's directory."""
    release = datasets.get_release(name)
    if release is None or file_name not in release.downloads:
        raise Http404
    response = FileResponse(open(release.path / file_name, "rb"), as_attachment=True, filename=file_name)
    # A release never changes once made.
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
