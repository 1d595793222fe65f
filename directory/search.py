"""Text search over names, titles and summaries, in English and Chinese.

English words, PostgreSQL: full-text search (stemmed, ranked) over a GIN expression index.
English words, SQLite: case-insensitive substring matching, through an FTS5 trigram index for words of three
characters or more (see directory/database.py) and a plain LIKE for shorter ones, which the trigram index cannot serve.
Chinese words: substring matching of the Chinese text (full-text search does not split Chinese words), in each of the
query's Hong Kong forms (directory/chinese.py), so 私隐 and 隐私 find 私隱; a pg_trgm index serves it on PostgreSQL.
"""

import json

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connections
from django.db.models import Q
from django.db.models.expressions import RawSQL

from .bilingual import chinese_field
from .chinese import has_chinese, query_variants
from .database import fts_table

SEARCH_CONFIG = "english"
TRIGRAM = 3


def search_vector(*fields):
    """The expression that the PostgreSQL GIN index is built on; queries must use the very same one."""
    return SearchVector(*fields, config=SEARCH_CONFIG)


def search(queryset, text, fields, hits=None):
    """Return `queryset` narrowed to items matching every word of `text`; on PostgreSQL annotated `search_rank`.

    `hits`, a dict kept for one request, lets every query of a page (the rows, each facet's counts) reuse the ids
    that SQLite's trigram index gave the first, rather than match the index again for each.
    """
    words = text.split()
    chinese_words = [word for word in words if has_chinese(word)]
    other_words = [word for word in words if not has_chinese(word)]
    if other_words:
        queryset = _search_words(queryset, other_words, fields, hits)
    for word in chinese_words:
        queryset = _search_chinese_word(queryset, word, [chinese_field(field) for field in fields], hits)
    return queryset


def _search_chinese_word(queryset, word, fields, hits):
    forms = query_variants(word)
    if connections[queryset.db].vendor == "sqlite" and all(len(form) >= TRIGRAM for form in forms):
        return queryset.filter(pk__in=_fts_rowids(queryset, fields, forms, " OR ", hits))
    matches = [(f"{field}__contains", form) for form in forms for field in fields]
    return queryset.filter(Q.create(matches, connector=Q.OR))


def _fts_rowids(queryset, columns, phrases, operator, hits):
    """The ids of rows whose `columns` contain the `phrases` (joined by AND or OR), from SQLite's trigram index."""
    table = fts_table(queryset.model._meta.db_table)
    quoted = operator.join('"{}"'.format(phrase.replace('"', '""')) for phrase in phrases)
    condition = f"FROM {table} WHERE {table} MATCH %s"
    params = [f"{{{' '.join(columns)}}} : ({quoted})"]
    if hits is None:
        return RawSQL(f"SELECT rowid {condition}", params)
    key = (queryset.db, *params, table)
    if key not in hits:
        with connections[queryset.db].cursor() as cursor:
            # As one JSON string, built by SQLite: thousands of ids cost less than as rows read one by one.
            cursor.execute(f"SELECT json_group_array(rowid) {condition}", params)
            hits[key] = cursor.fetchone()[0]
    return Hits(hits, key)


class Hits(RawSQL):
    """The ids in `hits[key]`, read when the query runs rather than when it is built: a query built before the
    hits were narrowed (see narrow_hits) reads the narrowed list too."""

    def __init__(self, hits, key):
        super().__init__("SELECT value FROM json_each(%s)", [])
        self.hits, self.key = hits, key

    def as_sql(self, compiler, connection):
        return self.sql, [self.hits[self.key]]


def narrow_hits(hits, ids):
    """Let every later query of a search read only `ids` (a subset of each word's hits, such as the items that pass
    every filter) instead of all the hits: the rows of a page then read a few hundred items, not thousands."""
    narrowed = json.dumps(sorted(ids))
    for key in hits:
        hits[key] = narrowed


def _search_words(queryset, words, fields, hits):
    if connections[queryset.db].vendor == "postgresql":
        query = SearchQuery(" ".join(words), config=SEARCH_CONFIG, search_type="websearch")
        vector = search_vector(*fields)
        return queryset.annotate(search_document=vector, search_rank=SearchRank(vector, query)).filter(
            search_document=query
        )
    long_words = [word for word in words if len(word) >= TRIGRAM]
    if long_words:
        queryset = queryset.filter(pk__in=_fts_rowids(queryset, fields, long_words, " AND ", hits))
    for word in words:
        if len(word) < TRIGRAM:
            queryset = queryset.filter(Q.create([(f"{field}__icontains", word) for field in fields], connector=Q.OR))
    return queryset


def is_ranked(queryset):
    return "search_rank" in queryset.query.annotations
