from django.urls import path
from django.utils.translation import gettext_lazy as _

from . import calendars, exports, feeds, previews, views
from .api.docs import ApiDocsView
from .caching import QueryParameters, cache_public_page

app_name = "directory"

urlpatterns = [
    path("", cache_public_page(views.HomeView.as_view()), name="home"),
    path("organisations/", cache_public_page(views.OrganisationListView.as_view()), name="organisation-list"),
    path(
        "organisations/export.csv",
        views.ListExportView.as_view(definition=exports.ORGANISATIONS),
        name="organisation-export",
    ),
    path(
        "organisations/feed/",
        feeds.list_feed(views.OrganisationListView, _("Organisations")),
        name="organisation-feed",
    ),
    path(
        "organisations/<slug:slug>/",
        cache_public_page(views.OrganisationDetailView.as_view()),
        name="organisation-detail",
    ),
    path("organisations/<slug:slug>/feed/", feeds.organisation_feed(), name="organisation-detail-feed"),
    path("programmes/", cache_public_page(views.ProgrammeListView.as_view()), name="programme-list"),
    path("programmes/export.csv", views.ListExportView.as_view(definition=exports.PROGRAMMES), name="programme-export"),
    path("programmes/feed/", feeds.list_feed(views.ProgrammeListView, _("Programmes")), name="programme-feed"),
    path("programmes/deadlines.ics", calendars.deadlines_calendar(views.ProgrammeListView), name="programme-deadlines"),
    path("programmes/<slug:slug>/", cache_public_page(views.ProgrammeDetailView.as_view()), name="programme-detail"),
    path("guidance/", cache_public_page(views.GuidanceListView.as_view()), name="guidance-list"),
    path("guidance/export.csv", views.ListExportView.as_view(definition=exports.GUIDANCE), name="guidance-export"),
    path("guidance/feed/", feeds.list_feed(views.GuidanceListView, _("Ethics guidance")), name="guidance-feed"),
    path("guidance/<slug:slug>/", cache_public_page(views.GuidanceDetailView.as_view()), name="guidance-detail"),
    path("search/", cache_public_page(views.SearchView.as_view()), name="search"),
    path("api/", cache_public_page(ApiDocsView.as_view()), name="api-docs"),
    # Not cached: a release appears without a change of content version.
    path("data/", views.DataView.as_view(), name="data"),
    # Never wrapped in cache_public_page: a preview is for one person, now.
    path("preview/<slug:model>/<int:pk>/", previews.staff_preview, name="preview"),
    path("preview/shared/<str:token>/", previews.shared_preview, name="shared-preview"),
]

# Outside the app namespace and the language prefix: a sitemap lists every language's addresses, whatever the
# language negotiated.
sitemap_urlpatterns = [
    path("sitemap.xml", cache_public_page(views.sitemap_index, same_in_every_language=True), name="sitemap-index"),
    path(
        "sitemap-<section>.xml",
        cache_public_page(views.sitemap_section, parameters=QueryParameters(("p",)), same_in_every_language=True),
        name="sitemap-section",
    ),
    path("robots.txt", views.robots_txt, name="robots-txt"),
    path("data/releases/<str:name>/<str:file_name>", views.release_file, name="release-file"),
]
