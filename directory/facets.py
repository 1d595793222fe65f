"""Facet counts: for each filter choice, how many results it would give within the other active filters."""

from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count
from django.utils import timezone

from .bilingual import chinese_field, choose
from .caching import stale_after
from .models import ContentVersion
from .querysets import published_condition


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    count: int
    selected: bool


class Facet:
    """Count results per value of `lookup` (a field, or a lookup through a relation) in one GROUP BY query.

    With `choices` (a callable giving value/label pairs) options keep that order; otherwise options are the values
    found, labelled by `label_lookup`, ordered by label (`by_label`) or by count, at most `limit` of them. A lookup
    through a foreign key to published content names that relation as `published_relation`: an item whose parent
    (say) readers cannot see counts as having none, so no option ever names a draft, archived or future-dated item.
    """

    def __init__(
        self, lookup=None, label_lookup=None, choices=None, limit=None, by_label=True, published_relation=None
    ):
        self.lookup = lookup
        self.label_lookup = label_lookup
        self.choices = choices
        self.limit = limit
        self.by_label = by_label
        self.published_relation = published_relation

    @property
    def label_fields(self):
        """The lookups of the label's (English, Chinese) pair, if it has one."""
        return [self.label_lookup, chinese_field(self.label_lookup)] if self.label_lookup else []

    def label(self, row):
        return tuple(row[field] for field in self.label_fields)

    def counts(self, queryset):
        """Return {value: (label, count)} for the values present in `queryset`.

        A label read from the database is an (English, Chinese) pair, so counts can be shared by every language.
        """
        rows = queryset.order_by().filter(**{f"{self.lookup}__isnull": False})
        if self.published_relation:
            rows = rows.filter(published_condition(self.published_relation))
        rows = (
            rows.values(self.lookup, *self.label_fields)
            .annotate(n=Count("pk"))
            .order_by("-n", self.lookup, *self.label_fields)
        )
        if self.limit:
            rows = rows[: self.limit]
        return {str(row[self.lookup]): (self.label(row), row["n"]) for row in rows}

    def memberships(self, queryset):
        """Yield (item id, key, value, label) for each value of each item of `queryset`, every item of the model: what
        counts() counts, for directory/result_sets.py to count in memory. Keys rank equal counts as counts() does."""
        relation, _, rest = self.lookup.partition("__")
        field = queryset.model._meta.get_field(relation)
        if field.many_to_many and rest:
            # Straight from the table of links: through the items' own table, each item's links are looked up apart.
            own, other = field.m2m_field_name(), field.m2m_reverse_field_name()
            labels = [f"{other}__{label.partition('__')[2]}" for label in self.label_fields]
            rows = field.remote_field.through._default_manager.using(queryset.db).values_list(
                f"{own}_id", f"{other}__{rest}", *labels
            )
        else:
            rows = queryset.order_by().filter(**{f"{self.lookup}__isnull": False})
            if self.published_relation:
                rows = rows.filter(published_condition(self.published_relation))
            rows = rows.values_list("pk", self.lookup, *self.label_fields)
        for pk, value, *label in rows:
            yield pk, str(value), str(value), tuple(label)

    def options(self, counts, selected):
        """Return the options worth showing: those with results, and the selected ones whatever their count."""
        selected = {str(value) for value in selected}
        if self.choices is not None:
            choices = [(str(value), str(label)) for value, label in self.choices()]
        else:
            choices = [(value, str(choose(*label))) for value, (label, _count) in counts.items()]
            if self.by_label:
                choices.sort(key=lambda choice: choice[1].casefold())
        options = [
            Option(value, label, counts.get(value, (None, 0))[1], value in selected)
            for value, label in choices
            if value in counts or value in selected
        ]
        shown = {option.value for option in options}
        return options + [Option(value, value, 0, True) for value in sorted(selected - shown)]


class ConditionFacet(Facet):
    """Count results meeting each of a few named conditions (open, upcoming, closed ...) in one query."""

    def __init__(self, conditions):
        """`conditions` is a callable returning {value: (label, Q)}, evaluated per request (dates move on)."""
        super().__init__(choices=lambda: [(value, label) for value, (label, _q) in conditions().items()])
        self.conditions = conditions

    def counts(self, queryset):
        conditions = self.conditions()
        # Aliases are prefixed: a condition may share its name with a model field ("binding").
        totals = queryset.order_by().aggregate(
            **{f"facet_{value}": Count("pk", filter=condition) for value, (_label, condition) in conditions.items()}
        )
        return {
            value: (label, totals[f"facet_{value}"])
            for value, (label, _q) in conditions.items()
            if totals[f"facet_{value}"]
        }

    def memberships(self, queryset):
        for value, (label, condition) in self.conditions().items():
            for pk in queryset.order_by().filter(condition).values_list("pk", flat=True):
                yield pk, value, value, label


class PublishedSetSummary:
    """Counts over everything a model has published, computed once per content version and kept in the cache.

    With no filter in force, a facet counts the whole published set: at 100,000 items that is a scan per facet on
    every request. So do the few selections of the filters a list summarises (a programme's state), kept here too,
    each by its selection. The counts only change when content does (the version, raised by database triggers) or
    when a future-dated item comes due (one of the model's own, or one its facets name, such as a guidance document's
    publisher) or the day changes (`valid_until`), so they are computed once for each and shared by every process.
    """

    timeout = 60 * 60

    def __init__(self, model):
        self.model = model
        version = ContentVersion.current()
        # Without a version row (an emptied database) there is nothing to key on: compute every time.
        self.key = f"published-set:{model._meta.label_lower}:{version}" if version else None
        self.entry = None

    def get(self, name, compute):
        if self.key is None:
            return compute()
        if self.entry is None:
            self.entry = cache.get(self.key)
            now = timezone.now()
            if self.entry is None or now >= self.entry["valid_until"]:
                self.entry = {"valid_until": stale_after(now), "values": {}}
        if name not in self.entry["values"]:
            self.entry["values"][name] = compute()
            cache.set(self.key, self.entry, self.timeout)
        return self.entry["values"][name]
