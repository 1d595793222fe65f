"""The public lists' filters: one FilterSet per model, each with facet counts, search and sorting."""

import datetime
import itertools
from functools import reduce
from itertools import chain
from operator import or_

import django_filters
from django import forms
from django.db import connections
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from .choices import GuidanceKind, OrganisationKind, ProgrammeKind
from .deadlines import application_choices, application_states
from .facets import ConditionFacet, Facet, PublishedSetSummary
from .models import Guidance, Organisation, Programme, Sector, Topic
from .result_sets import counted_in_memory
from .search import TextSearch
from .search_tokens import QUERY_MAX_LENGTH


class YearFilter(django_filters.NumberFilter):
    # Whole years within bounds: a huge number must be a form error, not an integer overflow in the database.
    field_class = forms.IntegerField


def year_filter(label, method):
    return YearFilter(label=label, method=method, min_value=1800, max_value=2100)


def related_in(queryset, relation, values):
    """Keep items linked through the many-to-many `relation` to any of `values`, as a semi-join (no duplicates)."""
    if not values:  # an empty selection is .none(), which django-filter does not count as empty
        return queryset
    field = queryset.model._meta.get_field(relation)
    through = field.remote_field.through
    own_fk = field.m2m_field_name()
    other_fk = field.m2m_reverse_field_name()
    return queryset.filter(Exists(through.objects.filter(**{own_fk: OuterRef("pk"), f"{other_fk}__in": values})))


def published_now(request):
    """The organisations a filter value may name, as of this request: a queryset built when the class is defined would
    keep that moment's `now`, and refuse anything published after the worker started."""
    return Organisation.objects.published()


class FacetedFilterSet(django_filters.FilterSet):
    """Search, sorting and facet counts shared by the public lists.

    Subclasses set `sorts` ({value: (label, ordering)}), `default_sort` and `facets`
    ({filter name: Facet}). Invalid values are dropped with a message rather than emptying the list.
    """

    q = django_filters.CharFilter(label=_("Search"), method="filter_search", max_length=QUERY_MAX_LENGTH)
    sort = django_filters.ChoiceFilter(label=_("Sort by"), method="filter_nothing", empty_label=None)

    sorts = {}
    default_sort = None
    facets = {}
    # Filters of a few choices (a programme's state) whose every selection the per-version summary can keep as it keeps
    # the whole set's counts: a handful of selections, each asked for as often as the bare list.
    summarised_filters = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["sort"].extra["choices"] = [(value, label) for value, (label, _ordering) in self.sorts.items()]

    @cached_property
    def text_search(self):
        """The reader's search, prepared once for the rows, the counts and every facet; None without one."""
        # Reading the errors cleans the form: the other filters' errors leave the search as valid as it was.
        if not self.is_bound or "q" in self.form.errors:
            return None
        text = (self.form.cleaned_data.get("q") or "").strip()
        return TextSearch(self._meta.model, text, using=self.queryset.db) if text else None

    @cached_property
    def results(self):
        """The list counted and paged in memory (directory/result_sets.py): a search's matches, or every published
        item, within the filters in force. None for the bare list and the selections the per-version summary keeps,
        whose counts come from it and whose rows an index gives in order."""
        if self.text_search is None and self.summarised_selection() is not None:
            return None
        base = self.queryset.all()
        filters = [
            (name, tuple(sorted(map(str, self.selected(name)))), self.filters[name].filter(base, value))
            for name, value in self.form.cleaned_data.items()
            if name not in ("q", "sort") and self.selected(name)
        ]
        return counted_in_memory(base, self.text_search, filters)

    def ranked_ids(self, start, stop):
        """The ids of results `start` to `stop`, in the list's order; None when the queryset gives them."""
        results = self.results
        if results is None:
            return None
        sort = self.form.cleaned_data.get("sort")
        if not sort and self.text_search:
            return results.ranked_ids(start, stop)
        order = results.index.sort_order(("sort", sort or self.default_sort), self.order(self.queryset.all()))
        return results.ranked_ids(start, stop, order)

    def filter_search(self, queryset, name, value):
        return self.text_search.filter(queryset) if self.text_search else queryset

    def filter_nothing(self, queryset, name, value):
        return queryset

    def filter_queryset(self, queryset):
        return self.order(self.apply(queryset))

    @property
    def qs(self):
        # django-filter leaves an unbound FilterSet (a URL with no parameters) unfiltered *and unsorted*: without
        # this, page 1 of a bare list would follow the model's ordering and ?page=2 the list's sort.
        return super().qs if self.is_bound else self.order(self.queryset.all())

    def apply(self, queryset, skip=()):
        """Apply every valid filter except those named in `skip` (facet counts for a filter ignore the filter)."""
        if not self.is_bound:  # a bare list: no filter, and no cleaned data
            return queryset
        for name, value in self.form.cleaned_data.items():
            if name not in skip:
                queryset = self.filters[name].filter(queryset, value)
        return queryset

    def order(self, queryset):
        sort = self.form.cleaned_data.get("sort") if self.is_bound else None
        if not sort and self.text_search:
            return self.text_search.rank(queryset)
        _label, ordering = self.sorts[sort or self.default_sort]
        # The tie-break runs the same way as the sort, so one index serves both (a mixed order needs a full sort).
        descending = ordering[0].startswith("-")
        terms = [F(term[1:]).desc(nulls_last=True) if term.startswith("-") else F(term).asc() for term in ordering]
        return queryset.order_by(*terms, "-pk" if descending else "pk")

    @property
    def ignored(self):
        """Return (label, message) for each parameter that was invalid and so was not applied."""
        if not self.is_bound:
            return []
        return [(self.filters[name].label, " ".join(errors)) for name, errors in self.form.errors.items()]

    def selected(self, name):
        """Return the valid values of filter `name` as they appear in the URL."""
        value = self.form.cleaned_data.get(name) if self.is_bound else None
        if value in (None, "", [], ()):
            return []
        values = value if isinstance(value, list | tuple) or hasattr(value, "model") else [value]
        return [getattr(item, "slug", item) for item in values]

    def is_active(self, skip=()):
        """Return whether any filter other than those named in `skip` (and the sort order) narrows the list."""
        return any(self.selected(name) for name in self.filters if name not in skip and name != "sort")

    def summarised_selection(self, skip=()):
        """Return the filters in force other than those named in `skip`, as a key of the summary ("" for none), or None
        if one of them is not in `summarised_filters`."""
        active = {name: self.selected(name) for name in self.filters if name not in skip and name != "sort"}
        active = {name: values for name, values in active.items() if values}
        if not set(active) <= set(self.summarised_filters):
            return None
        return "&".join(f"{name}={','.join(sorted(set(values)))}" for name, values in sorted(active.items()))

    @cached_property
    def facet_counts(self):
        """Return {filter name: {value: (label, count)}}, each facet counted within the other active filters."""
        base = self.queryset.all()
        counts = {}
        for name, facet in self.facets.items():
            selection = self.summarised_selection(skip={name})
            if selection is None:
                values = self.results.index.facet(name, facet)
                counts[name] = values.ranked(values.counts(self.results.within(skip={name})), facet.limit)
            else:
                counts[name] = self.summary.get(
                    f"{name}?{selection}", lambda name=name, facet=facet: facet.counts(self.apply(base, skip={name}))
                )
        return counts

    def facet_options(self):
        """Return {filter name: [Option]}: the choices worth showing, with their counts."""
        return {
            name: facet.options(self.facet_counts[name], self.selected(name)) for name, facet in self.facets.items()
        }

    def total(self):
        """Return how many items the filters let through."""
        if self.results:
            return self.results.count
        if not self.is_active():
            return self.summary.get("total", self.queryset.count)
        # Every item has exactly one kind, and the kind facet counts everything the other filters let through:
        # its counts for the chosen kinds (or all kinds) add up to the total, which saves a COUNT(*).
        chosen = set(self.selected("kind"))
        return sum(count for kind, (_label, count) in self.facet_counts["kind"].items() if not chosen or kind in chosen)

    @cached_property
    def summary(self):
        return PublishedSetSummary(self._meta.model)


def kind_facet(choices):
    return Facet("kind", choices=lambda: choices.choices)


class OrganisationFilter(FacetedFilterSet):
    kind = django_filters.MultipleChoiceFilter(label=_("Kind"), choices=OrganisationKind.choices, distinct=False)
    sector = django_filters.ModelMultipleChoiceFilter(
        label=_("Sector"), queryset=Sector.objects.all(), to_field_name="slug", method="filter_sector"
    )
    parent = django_filters.ModelChoiceFilter(
        label=_("Part of"), queryset=published_now, to_field_name="slug", field_name="parent"
    )
    year_min = year_filter(_("Founded from"), "filter_year_min")
    year_max = year_filter(_("Founded until"), "filter_year_max")

    year_label = _("Year founded")
    sorts = {
        "name": (_("Name (A to Z)"), ("name",)),
        "newest": (_("Newest in the directory"), ("-published_at",)),
        "oldest": (_("Oldest in the directory"), ("published_at",)),
        "founded": (_("Founded most recently"), ("-founded_year",)),
    }
    default_sort = "name"
    facets = {
        "kind": kind_facet(OrganisationKind),
        "sector": Facet("sectors__slug", "sectors__name"),
        "parent": Facet("parent__slug", "parent__name", limit=50, published_relation="parent"),
    }

    class Meta:
        model = Organisation
        fields = ()

    def filter_sector(self, queryset, name, value):
        return related_in(queryset, "sectors", value)

    def filter_year_min(self, queryset, name, value):
        return queryset.filter(founded_year__gte=value)

    def filter_year_max(self, queryset, name, value):
        return queryset.filter(founded_year__lte=value)


def programme_states():
    today = timezone.localdate()
    started = Q(start_date__isnull=True) | Q(start_date__lte=today)
    not_ended = Q(end_date__isnull=True) | Q(end_date__gte=today)
    return {
        "open": (_("Open now"), started & not_ended),
        "upcoming": (_("Upcoming"), Q(start_date__gt=today)),
        "closed": (_("Closed"), Q(end_date__lt=today)),
    }


class ProgrammeOrganisationFacet(Facet):
    """Count programmes per organisation that leads or partners them, each programme once per organisation.

    The database counts (leads, and partners other than the lead), adds the two up and ranks the organisations; only
    the few ranked first are read with their names. At 10,000 programmes reading every (programme, organisation) pair
    into Python cost several times the counting. Organisations with equal counts rank in the order they were added;
    unpublished ones never rank.
    """

    def __init__(self):
        super().__init__(limit=50)

    def counts(self, queryset):
        queryset = queryset.order_by()
        led = queryset.filter(lead_organisation__isnull=False).values(organisation=F("lead_organisation"))
        partnered = (
            queryset.annotate(organisation=F("partners"))
            # A partner that also leads is counted once, as the lead; NOT (partner = NULL) would drop the rows of
            # programmes without a lead.
            .filter(
                Q(lead_organisation__isnull=True) | ~Q(organisation=F("lead_organisation")), organisation__isnull=False
            )
            .values("organisation")
        )
        found = {}
        # A few more candidates than shown, in case some are not published; the next ones only if that was not enough.
        batch = 2 * self.limit
        for offset in itertools.count(0, batch):
            ranked = dict(ranked_counts(queryset.db, [led, partnered], batch, offset))
            names = Organisation.objects.published().filter(pk__in=ranked)
            for pk, slug, name, name_zh_hant in names.values_list("pk", "slug", "name", "name_zh_hant"):
                found[pk] = (slug, (name, name_zh_hant), ranked[pk])
            if len(found) >= self.limit or len(ranked) < batch:
                break
        shown = sorted(found.items(), key=lambda item: (-item[1][2], item[0]))[: self.limit]
        return {slug: (label, count) for _pk, (slug, label, count) in shown}

    def memberships(self, queryset):
        """As counts() counts, for every programme of `queryset`: keyed by the organisation's id, a partner that also
        leads once, as the lead."""
        queryset = queryset.order_by()
        led = queryset.filter(lead_organisation__isnull=False).values_list("pk", "lead_organisation")
        partnered = (
            queryset.annotate(organisation=F("partners"))
            .filter(
                Q(lead_organisation__isnull=True) | ~Q(organisation=F("lead_organisation")), organisation__isnull=False
            )
            .values_list("pk", "organisation")
        )
        pairs = list(chain(led, partnered))
        partners = Programme.partners.through.objects.filter(programme__in=queryset.values("pk"))
        names = Organisation.objects.published().filter(
            Q(pk__in=queryset.values("lead_organisation")) | Q(pk__in=partners.values("organisation"))
        )
        labels = {
            pk: (slug, (name, name_zh_hant))
            for pk, slug, name, name_zh_hant in names.values_list("pk", "slug", "name", "name_zh_hant")
        }
        for pk, organisation in pairs:
            if organisation in labels:
                slug, label = labels[organisation]
                yield pk, organisation, slug, label


def ranked_counts(using, parts, limit, offset):
    """Count how often each `organisation` comes up in all the querysets `parts` together, and return the `limit`
    organisations that come up most after the first `offset`, as (id, count) pairs, most first, then by id. The ORM
    cannot group a union."""
    compiled = [queryset.query.sql_with_params() for queryset in parts]
    union = " UNION ALL ".join(f"SELECT * FROM ({sql}) AS part{number}" for number, (sql, _p) in enumerate(compiled))
    params = [param for _sql, part_params in compiled for param in part_params]
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"SELECT listed.organisation, COUNT(*) FROM ({union}) AS listed "
            "GROUP BY listed.organisation ORDER BY 2 DESC, 1 LIMIT %s OFFSET %s",
            [*params, limit, offset],
        )
        return cursor.fetchall()


class ProgrammeFilter(FacetedFilterSet):
    kind = django_filters.MultipleChoiceFilter(label=_("Kind"), choices=ProgrammeKind.choices, distinct=False)
    sector = django_filters.ModelMultipleChoiceFilter(
        label=_("Sector"), queryset=Sector.objects.all(), to_field_name="slug", method="filter_sector"
    )
    organisation = django_filters.ModelChoiceFilter(
        label=_("Organisation"),
        queryset=published_now,
        to_field_name="slug",
        method="filter_organisation",
    )
    state = django_filters.MultipleChoiceFilter(
        label=_("Open or closed"),
        choices=[("open", _("Open now")), ("upcoming", _("Upcoming")), ("closed", _("Closed"))],
        method="filter_state",
        distinct=False,
    )
    applications = django_filters.MultipleChoiceFilter(
        label=_("Applications"), choices=application_choices, method="filter_applications", distinct=False
    )
    year_min = year_filter(_("Running from"), "filter_year_min")
    year_max = year_filter(_("Running until"), "filter_year_max")

    year_label = _("Years running")
    sorts = {
        "name": (_("Name (A to Z)"), ("name",)),
        "start": (_("Started most recently"), ("-start_date",)),
        "newest": (_("Newest in the directory"), ("-published_at",)),
        "oldest": (_("Oldest in the directory"), ("published_at",)),
    }
    default_sort = "name"
    facets = {
        "kind": kind_facet(ProgrammeKind),
        "state": ConditionFacet(programme_states),
        "applications": ConditionFacet(application_states),
        "sector": Facet("sectors__slug", "sectors__name"),
        "organisation": ProgrammeOrganisationFacet(),
    }
    # Not the applications: a summarised selection pages through the database, and no index orders programmes by name
    # with their windows, so at 100,000 programmes SQLite sorts every published one for ?applications=open (270 to 460
    # ms a request); counted and paged in memory, as any other filter is, it takes 30 to 50 ms. Its counts without a
    # selection still come from the summary, and both follow the day (directory/caching.py, stale_after).
    summarised_filters = ("state",)

    class Meta:
        model = Programme
        fields = ()

    def filter_sector(self, queryset, name, value):
        return related_in(queryset, "sectors", value)

    def filter_organisation(self, queryset, name, value):
        partnered = Programme.partners.through.objects.filter(programme=OuterRef("pk"), organisation=value)
        return queryset.filter(Q(lead_organisation=value) | Exists(partnered))

    def filter_state(self, queryset, name, value):
        states = programme_states()
        return queryset.filter(reduce(or_, (states[state][1] for state in value)))

    def filter_applications(self, queryset, name, value):
        states = application_states()
        return queryset.filter(reduce(or_, (states[state][1] for state in value)))

    def filter_year_min(self, queryset, name, value):
        return queryset.filter(start_date__isnull=False).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=datetime.date(value, 1, 1))
        )

    def filter_year_max(self, queryset, name, value):
        return queryset.filter(start_date__lte=datetime.date(value, 12, 31))


def guidance_states():
    newer = Guidance.objects.published().filter(supersedes=OuterRef("pk"))
    return {
        "in_force": (_("In force"), ~Exists(newer)),
        "superseded": (_("Superseded"), Exists(newer)),
    }


class GuidanceFilter(FacetedFilterSet):
    publisher = django_filters.ModelChoiceFilter(label=_("Publisher"), queryset=published_now, to_field_name="slug")
    kind = django_filters.MultipleChoiceFilter(label=_("Kind"), choices=GuidanceKind.choices, distinct=False)
    topic = django_filters.ModelMultipleChoiceFilter(
        label=_("Topic"), queryset=Topic.objects.all(), to_field_name="slug", method="filter_topic"
    )
    sector = django_filters.ModelMultipleChoiceFilter(
        label=_("Sector"), queryset=Sector.objects.all(), to_field_name="slug", method="filter_sector"
    )
    binding = django_filters.ChoiceFilter(
        label=_("Binding or voluntary"),
        choices=[("binding", _("Binding")), ("voluntary", _("Voluntary"))],
        method="filter_binding",
    )
    state = django_filters.ChoiceFilter(
        label=_("In force or superseded"),
        choices=[("in_force", _("In force")), ("superseded", _("Superseded"))],
        method="filter_state",
    )
    year_min = year_filter(_("Published from"), "filter_year_min")
    year_max = year_filter(_("Published until"), "filter_year_max")

    year_label = _("Year published")
    sorts = {
        "date": (_("Published most recently"), ("-date_published",)),
        "title": (_("Title (A to Z)"), ("title",)),
        "newest": (_("Newest in the directory"), ("-published_at",)),
        "oldest": (_("Oldest in the directory"), ("published_at",)),
    }
    default_sort = "date"
    facets = {
        "publisher": Facet("publisher__slug", "publisher__name", limit=50, published_relation="publisher"),
        "kind": kind_facet(GuidanceKind),
        "topic": Facet("topics__slug", "topics__name"),
        "sector": Facet("sectors__slug", "sectors__name"),
        "binding": ConditionFacet(
            lambda: {"binding": (_("Binding"), Q(binding=True)), "voluntary": (_("Voluntary"), Q(binding=False))}
        ),
        "state": ConditionFacet(guidance_states),
    }

    class Meta:
        model = Guidance
        fields = ()

    def filter_topic(self, queryset, name, value):
        return related_in(queryset, "topics", value)

    def filter_sector(self, queryset, name, value):
        return related_in(queryset, "sectors", value)

    def filter_binding(self, queryset, name, value):
        return queryset.filter(binding=value == "binding")

    def filter_state(self, queryset, name, value):
        return queryset.filter(guidance_states()[value][1])

    def filter_year_min(self, queryset, name, value):
        return queryset.filter(date_published__gte=datetime.date(value, 1, 1))

    def filter_year_max(self, queryset, name, value):
        return queryset.filter(date_published__lte=datetime.date(value, 12, 31))
