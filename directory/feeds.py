"""Atom feeds: any public list, filtered as the reader filtered it, and an organisation's new programmes and guidance.

A list's feed is the list itself sorted newest first: the same FilterSet with the same parameters, so a feed never
disagrees with the page it is linked from, and its rows come the way the page's do (a search's from memory).
"""

from dataclasses import dataclass
from itertools import chain

from django.contrib.syndication.views import Feed
from django.db.models import Q
from django.http import HttpResponseBadRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.translation import gettext as _

from .caching import QueryParameters, cache_public_page
from .listing import chips, clean_query, rows_in_order, rows_with_ids
from .models import Guidance, Organisation, Programme

FEED_SIZE = 50
FEED_SORT = "newest"


class PortalFeed(Feed):
    feed_type = Atom1Feed

    def author_name(self):
        return _("HK AI Portal")

    def item_title(self, item):
        # Atom titles are text: the feed generator escapes them once, as it should.
        return str(item.display_name)

    def item_description(self, item):
        # Atom1Feed declares the summary as HTML: plain text must reach a feed reader escaped, or a "<" in it is markup.
        return escape(item.display_summary or "")

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at


@dataclass
class FilteredList:
    filterset: object
    list_path: str
    feed_path: str
    labels: list


class InvalidFilters(Exception):
    pass


def feed_parameters(list_view):
    """The list's parameters but its sort and page: a feed's order is its own, and it is always its first items."""
    names = tuple(name for name in list_view.query_parameters.names if name not in ("sort", "page"))
    return QueryParameters(names=names, repeatable=list_view.query_parameters.repeatable)


def feed_filterset(list_view, request, sort=None):
    """The list's FilterSet for the feed's query, sorted by `sort`; InvalidFilters if any parameter is not understood:
    a list shows which values it left out, but a feed reader would show nobody, and its subscriber would follow more
    than they asked for, so a feed refuses them."""
    params = clean_query(request.GET)
    params.pop("page", None)
    if sort:
        params["sort"] = sort
    filterset = list_view.filterset_class(params, queryset=list_view.model.objects.published(), request=request)
    if not filterset.is_valid():
        raise InvalidFilters(filterset.ignored)
    return filterset


def invalid_filters_response(error):
    lines = [_("This feed's address holds filters that were not understood:")]
    lines += [f"{label}: {message}" for label, message in error.args[0]]
    return HttpResponseBadRequest("\n".join(lines), content_type="text/plain; charset=utf-8")


def filter_labels(filterset):
    """The filters in force, as the list's chips name them."""
    return [chip.label for chip in chips(filterset.data, filterset, filterset.facet_options())]


class ListFeed(PortalFeed):
    """The newest items of a public list, within its filters and search."""

    def __init__(self, list_view, label):
        super().__init__()
        self.list_view = list_view
        self.model = list_view.model
        self.label = label

    @property
    def query_parameters(self):
        return feed_parameters(self.list_view)

    def get_object(self, request):
        filterset = feed_filterset(self.list_view, request, FEED_SORT)
        return FilteredList(
            filterset,
            reverse(f"directory:{self.model._meta.model_name}-list"),
            request.get_full_path(),
            filter_labels(filterset),
        )

    def __call__(self, request, *args, **kwargs):
        try:
            return super().__call__(request, *args, **kwargs)
        except InvalidFilters as error:
            return invalid_filters_response(error)

    def title(self, obj):
        name = str(self.label)
        if obj.labels:
            name = _("%(list)s (%(filters)s)") % {"list": name, "filters": "; ".join(obj.labels)}
        return _("%(name)s · HK AI Portal") % {"name": name}

    def subtitle(self, obj):
        return _("The newest items of this list in the HK AI Portal, as they are published.")

    def feed_url(self, obj):
        return obj.feed_path

    def link(self, obj):
        query = obj.filterset.data.copy()
        query.pop("sort", None)
        return obj.list_path + (f"?{query.urlencode()}" if query else "")

    def items(self, obj):
        filterset = obj.filterset
        ids = filterset.ranked_ids(0, FEED_SIZE)
        if ids is None:
            return rows_in_order(filterset.qs, 0, FEED_SIZE)
        return rows_with_ids(filterset.qs, ids)


class OrganisationFeed(PortalFeed):
    """What an organisation has newly published or started: the programmes it leads or partners in, its guidance."""

    query_parameters = QueryParameters()

    def get_object(self, request, slug):
        return Organisation.objects.published().get(slug=slug)

    def title(self, obj):
        return _("New from %(organisation)s · HK AI Portal") % {"organisation": obj.display_name}

    def subtitle(self, obj):
        return _("Programmes that %(organisation)s leads or partners in, and guidance it publishes.") % {
            "organisation": obj.display_name
        }

    def link(self, obj):
        return obj.get_absolute_url()

    def items(self, obj):
        programmes = (
            Programme.objects.published()
            .filter(Q(lead_organisation=obj) | Q(pk__in=partnered_by(obj)))
            .order_by("-published_at", "-pk")[:FEED_SIZE]
        )
        guidance = (
            Guidance.objects.published()
            .filter(Q(publisher=obj) | Q(pk__in=co_published_by(obj)))
            .order_by("-published_at", "-pk")[:FEED_SIZE]
        )
        newest_first = sorted(chain(programmes, guidance), key=lambda item: (item.published_at, item.pk), reverse=True)
        return newest_first[:FEED_SIZE]


def partnered_by(organisation):
    return Programme.partners.through.objects.filter(organisation=organisation).values("programme")


def co_published_by(organisation):
    return Guidance.co_publishers.through.objects.filter(organisation=organisation).values("guidance")


def list_feed(list_view, label):
    feed = ListFeed(list_view, label)
    return cache_public_page(feed, parameters=feed.query_parameters)


def organisation_feed():
    feed = OrganisationFeed()
    return cache_public_page(feed, parameters=feed.query_parameters)
