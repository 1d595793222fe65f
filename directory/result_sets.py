"""Searched lists counted, ordered and paged in memory.

A common word matches most of the published items. Counting those matches per facet, ordering them and paging
through them in the database reads every match again for each of these: at 100,000 organisations about a second
for a word in nine items of ten. Here the database is asked once per content version instead. A set of items is a
mask: a Python int holding one byte (0 or 1) per item id, so that intersecting two sets (`&`) and counting one
(`bit_count`) run in C over 100 kB, and the ids in a set come back out, in any order kept as a list of ids, through
`itertools.compress`. A model's published items, in the order a search ranks equal matches (`PublishedIndex`), the
masks of each filter value in use and of each facet's values are made once per version, by the database, with the
filters' and facets' own queries, so the two ways of answering a list cannot disagree on what a filter means. A
request then costs its search (the ids of its matches) and a few operations on masks, whatever it matches.
"""

import threading
from collections import Counter, OrderedDict
from heapq import nsmallest
from itertools import chain, compress, islice

from django.utils import timezone

from .caching import content_version, stale_after
from .search import relevance_order

# Masks and orders kept per index for filter values and sorts: a mask is one byte per id (100 kB at 100,000 items).
MAX_KEPT = 64
# A facet with more values than this (a parent, a publisher) keeps each item's values rather than a mask per value.
MAX_MASKED_VALUES = 64
# A mask with at most one item in this many has its ids found by searching its bytes (see PublishedIndex.ids).
SPARSE_RATIO = 64


def _set_positions(flags):
    """The offsets of the bytes 1 in `flags`, ascending."""
    found, find = [], flags.find
    offset = find(1)
    while offset != -1:
        found.append(offset)
        offset = find(1, offset + 1)
    return found


def ones(ids, size):
    """The mask of `ids`, at least `size` bytes long."""
    flags = bytearray(max(size, max(ids, default=0) + 1))
    for pk in ids:
        flags[pk] = 1
    return int.from_bytes(flags, "little")


class PublishedIndex:
    """The published items of one model as of one content version, in `order`, with the masks and orders that
    requests made of them so far."""

    def __init__(self, queryset, order):
        self.order = list(queryset.order_by(*order).values_list("pk", flat=True))
        self.every_item = queryset.model._default_manager.using(queryset.db).all()
        self.size = max(self.order, default=-1) + 1
        self.published = ones(self.order, self.size)
        self._kept = OrderedDict()
        self._facets = {}
        self._places = None
        # runserver's threads share an index: an LRU moved and trimmed by two requests at once loses entries.
        self._lock = threading.RLock()

    def mask(self, ids):
        """The mask of the published items among `ids` (others are ignored)."""
        return ones(ids, self.size) & self.published

    def ids(self, mask, order=None):
        """The ids in `mask`, lazily: in `order` (a list of ids), or ascending."""
        flags = mask.to_bytes(self.size, "little")
        if order is None or order is self.order:
            # A few matches are found faster by searching the bytes for them than by stepping through every item.
            if mask.bit_count() * SPARSE_RATIO <= self.size:
                found = _set_positions(flags)
                return iter(found if order is None else sorted(found, key=self._positions().__getitem__))
        if order is None:
            return compress(range(self.size), flags)
        return compress(order, map(flags.__getitem__, order))

    def _positions(self):
        """Each id's place in the index's order (a list indexed by id)."""
        if self._places is None:
            places = [0] * self.size
            for place, pk in enumerate(self.order):
                places[pk] = place
            self._places = places
        return self._places

    def kept(self, key, make):
        """The value `make()` gives, kept for this version under `key` among the latest MAX_KEPT."""
        with self._lock:
            if key in self._kept:
                self._kept.move_to_end(key)
                return self._kept[key]
            value = self._kept[key] = make()
            if len(self._kept) > MAX_KEPT:
                self._kept.popitem(last=False)
            return value

    def queryset_mask(self, key, queryset):
        """The mask of the items `queryset` selects, asked of the database once for this version."""
        return self.kept(key, lambda: self.mask(list(queryset.order_by().values_list("pk", flat=True))))

    def sort_order(self, key, queryset):
        """The published ids in the order `queryset` gives them, asked of the database once for this version."""
        return self.kept(key, lambda: list(queryset.values_list("pk", flat=True)))

    def facet(self, name, facet):
        """The `FacetValues` of `facet`, made once for this version."""
        with self._lock:
            if name not in self._facets:
                # Of every item, published or not: masks keep only the published ones, and reading the whole table
                # is cheaper than reaching the published rows one by one through their index.
                self._facets[name] = FacetValues(self, facet.memberships(self.every_item))
            return self._facets[name]


class FacetValues:
    """Which items have which value of one facet: a mask per value for a facet of a few values, each item's values
    otherwise. `memberships` gives (item id, key, value, label) for each value of each item: values are counted
    by key and ranked by count, then key, as the facet ranks them."""

    def __init__(self, index, memberships):
        self.index = index
        members = {}
        self.entries = {}
        for pk, key, value, label in memberships:
            members.setdefault(key, []).append(pk)
            self.entries[key] = (value, label)
        self.masks = None
        if len(members) <= MAX_MASKED_VALUES:
            self.masks = {key: index.mask(ids) for key, ids in members.items()}
            return
        self.values = [()] * index.size
        for key, ids in members.items():
            for pk in ids:
                if pk < index.size:
                    self.values[pk] += (key,)

    def counts(self, mask):
        """Return {key: count} of the items in `mask`, for the keys with any."""
        if self.masks is not None:
            counts = {key: (mask & value_mask).bit_count() for key, value_mask in self.masks.items()}
            return {key: count for key, count in counts.items() if count}
        return Counter(chain.from_iterable(map(self.values.__getitem__, self.index.ids(mask))))

    def ranked(self, counts, limit=None):
        """Return {value: (label, count)}, most items first, then by key; at most `limit`."""

        def rank(item):
            return (-item[1], item[0])

        ordered = nsmallest(limit, counts.items(), key=rank) if limit else sorted(counts.items(), key=rank)
        return {self.entries[key][0]: (self.entries[key][1], count) for key, count in ordered[:limit]}


_indexes = {}


def published_index(queryset, order):
    """The PublishedIndex of a model's published items (`queryset`) for the current content version, made when the
    version changes or when something future-dated comes due (or the day changes: programmes open and close)."""
    key = (queryset.model._meta.label_lower, queryset.db)
    version = content_version()
    now = timezone.now()
    entry = _indexes.get(key)
    # A clock that went back (a test's) may show items as unpublished again.
    if entry is None or entry[0] != version or not entry[1] <= now < entry[2]:
        entry = (version, now, stale_after(now), PublishedIndex(queryset, order))
        _indexes[key] = entry
    return entry[3]


def forget_indexes():
    """Drop every index this process holds."""
    _indexes.clear()


def counted_in_memory(queryset, search=None, filters=()):
    """The SearchResults of `search` (a TextSearch, or None for every item) among a model's published items
    (`queryset`), within `filters`: (filter name, the values chosen as a key, the published items it lets through)
    triples."""
    index = published_index(queryset, relevance_order(queryset.model, queryset.db))
    masks = {name: index.queryset_mask((name, key), filtered) for name, key, filtered in filters}
    if search is None:
        return SearchResults(index, index.published, 0, masks)
    return SearchResults(index, index.mask(search.ids()), index.mask(search.ids(names_only=True)), masks)


class SearchResults:
    """A search's matches (or every item) among the published items of a model, within the filters in force, as masks
    of an index.

    `filters` is {filter name: mask of the items it lets through}; `matches` and `name_matches` are the masks of the
    items the search finds and of those whose own names match every word (they rank first).
    """

    def __init__(self, index, matches, name_matches, filters):
        self.index = index
        self.matches = matches
        self.name_matches = name_matches
        self.filters = filters

    def within(self, skip=()):
        """The mask of the matches that every filter but those named in `skip` lets through."""
        mask = self.matches
        for name, filter_mask in self.filters.items():
            if name not in skip:
                mask &= filter_mask
        return mask

    @property
    def count(self):
        return self.within().bit_count()

    def ranked_ids(self, start, stop, order=None):
        """The ids of results `start` to `stop`: by relevance (names matching first, then the index's order), or in
        `order`, a list of ids."""
        mask, index = self.within(), self.index
        if order is None:
            first = index.ids(mask & self.name_matches, index.order)
            ids = chain(first, index.ids(mask & ~self.name_matches, index.order))
        else:
            ids = index.ids(mask, order)
        return list(islice(ids, start, stop))
