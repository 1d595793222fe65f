"""What every public list shares: clean shareable URLs, forgiving pagination, facets and removable chips."""

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.urls import reverse
from django.utils.functional import cached_property, classproperty
from django.utils.translation import gettext_lazy as _
from django_filters import MultipleChoiceFilter
from django_filters.views import FilterView

from .caching import QueryParameters
from .canonical import list_canonical_path
from .search_tokens import MAX_QUERY_WORDS

PAGE_SIZE = 20
# Deeper pages cost an OFFSET of that many rows each, which anyone could ask for thousands of times; no reader pages
# through 10,000 items, and the filters and search reach the rest.
MAX_PAGES = 500


@dataclass(frozen=True)
class Chip:
    label: str
    remove_url: str


def without(params, name, value=None):
    """Return the query string of `params` less `name` (or only its `value`), always back on the first page."""
    params = params.copy()
    params.pop("page", None)
    if value is None:
        params.pop(name, None)
    else:
        params.setlist(name, [item for item in params.getlist(name) if item != value])
    return "?" + params.urlencode() if params else "?"


def clean_query(params):
    """Return `params` without the empty values a GET form leaves behind, nor NUL bytes."""
    cleaned = params.copy()
    for name in list(cleaned):
        values = [value for value in cleaned.getlist(name) if value.strip() and "\x00" not in value]
        if values:
            cleaned.setlist(name, values)
        else:
            del cleaned[name]
    return cleaned


def rows_in_order(queryset, start, stop):
    """The items `start` to `stop` of `queryset`, in its order, found in two steps: their ids, then their rows.

    Sorting a search's matches by relevance and name reads every match; in one step SQLite carries each one's whole
    row (description and all) through the sort, to keep twenty.
    """
    return rows_with_ids(queryset, list(queryset.values_list("pk", flat=True)[start:stop]))


def rows_with_ids(queryset, ids):
    """The items `ids` of `queryset`'s model, in that order, with `queryset`'s prefetches."""
    # By id alone, with the same prefetches: the conditions that found them (a search's thousands of ids among them)
    # need not be checked twice.
    rows = queryset.model._base_manager.prefetch_related(*queryset._prefetch_related_lookups).in_bulk(ids)
    return [rows[pk] for pk in ids]


class ForgivingPaginator(Paginator):
    """Pages 1 to MAX_PAGES at most; any number asked for gives one of them (see page_for).

    `ranked_ids(start, stop)`, when given, returns the ids of a page's items (a search ranks its matches in memory),
    which the object list then only supplies the rows of.
    """

    def __init__(self, *args, ranked_ids=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.ranked_ids = ranked_ids

    @cached_property
    def num_pages(self):
        return min(self.all_pages, MAX_PAGES)

    @cached_property
    def all_pages(self):
        """How many pages there would be without the cap."""
        return Paginator.num_pages.func(self)

    @property
    def is_capped(self):
        return self.all_pages > self.num_pages

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids = self.ranked_ids(bottom, top) if self.ranked_ids else None
        if ids is None:
            return self._get_page(rows_in_order(self.object_list, bottom, top), number, self)
        return self._get_page(rows_with_ids(self.object_list, ids), number, self)

    def page_for(self, number):
        """Return the page asked for: the first one for nonsense or numbers below 1, the last for those past it."""
        try:
            number = int(number)
        except (TypeError, ValueError):
            number = 1
        return self.page(min(max(number, 1), self.num_pages))


def same_filters_url(url_name, params, dropped):
    """The address of `url_name` with the list's query `params` less the `dropped` parameters."""
    params = params.copy()
    for name in dropped:
        params.pop(name, None)
    return reverse(url_name) + (f"?{params.urlencode()}" if params else "")


def list_parameters(filterset_class):
    """Return the QueryParameters of a list: its filters in the order its filter form sends them (the search, the
    facets, the other filters, the sort), then the page; the filters of several choices may repeat."""
    filters = filterset_class.base_filters
    names = dict.fromkeys(["q", *filterset_class.facets, *filters])
    del names["sort"]
    return QueryParameters(
        names=(*names, "sort", "page"),
        repeatable=frozenset(name for name, declared in filters.items() if isinstance(declared, MultipleChoiceFilter)),
    )


class PublishedListView(FilterView):
    """A list of published items filtered by a FacetedFilterSet; every state of it is a clean, shareable URL.

    PublicPageCacheMiddleware sends a query with empty values or parameters the list does not know to its canonical
    form (`query_parameters`), so the view only sees those it reads.
    """

    paginate_by = PAGE_SIZE
    paginator_class = ForgivingPaginator
    strict = False  # an invalid parameter is reported and ignored, it does not empty the list
    facet_layout = {}  # filter name -> "checkbox", "radio" or "select"

    @classproperty
    def query_parameters(cls):
        return list_parameters(cls.filterset_class)

    def get_queryset(self):
        return self.model.objects.published()

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(queryset, page_size, ranked_ids=self.filterset.ranked_ids)
        paginator.count = self.filterset.total()  # the filterset knows a cheaper way than COUNT(*) when unfiltered
        page = paginator.page_for(self.request.GET.get("page"))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = self.filterset
        facets = filterset.facet_options()
        context.update(
            facets=[
                {
                    "name": name,
                    "label": filterset.filters[name].label,
                    "layout": self.facet_layout.get(name, "checkbox"),
                    "options": options,
                    "active": any(option.selected for option in options),
                }
                for name, options in facets.items()
            ],
            chips=chips(self.request.GET, filterset, facets),
            ignored=filterset.ignored,
            search_query=filterset.text_search.query if filterset.text_search else None,
            search_max_words=MAX_QUERY_WORDS,
            sort_options=[(value, label) for value, (label, _ordering) in filterset.sorts.items()],
            current_sort=(filterset.selected("sort") or [filterset.default_sort])[0],
            page_range=context["paginator"].get_elided_page_range(
                context["page_obj"].number, on_each_side=2, on_ends=1
            ),
            canonical_path=list_canonical_path(self.request, filterset, context["page_obj"].number),
        )
        opts = self.model._meta
        # Every page, and the feed newest first whatever the list's sort.
        context["feed_url"] = same_filters_url(f"directory:{opts.model_name}-feed", self.request.GET, ("page", "sort"))
        if self.request.user.has_perm(f"{opts.app_label}.export_{opts.model_name}"):
            context["export_url"] = same_filters_url(f"directory:{opts.model_name}-export", self.request.GET, ("page",))
        return context


def chips(params, filterset, facets):
    """Return a removable chip for each filter value in force (`params`: the query the list was asked with)."""
    if not filterset.is_bound:
        return []
    found = []
    for name, value in filterset.form.cleaned_data.items():
        if name == "sort" or value in (None, "", [], ()):
            continue
        multiple = not isinstance(value, str | int) and not hasattr(value, "_meta")
        labels = {option.value: option.label for option in facets.get(name, [])}
        for item in value if multiple else [value]:
            raw = str(getattr(item, "slug", item))
            shown = labels.get(raw) or getattr(item, "display_name", None) or raw
            text = _("%(filter)s: %(value)s") % {"filter": filterset.filters[name].label, "value": shown}
            found.append(Chip(text, without(params, name, raw if multiple else None)))
    return found
