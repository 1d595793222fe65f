"""Text search over names, titles and summaries.

PostgreSQL: full-text search (stemmed, ranked) over a GIN expression index.
SQLite: case-insensitive substring matching, through an FTS5 trigram index for words of three characters or more
(see directory/database.py) and a plain LIKE for shorter ones, which the trigram index cannot serve.
"""

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connections
from django.db.models import Q
from django.db.models.expressions import RawSQL

from .database import fts_table

SEARCH_CONFIG = "english"
TRIGRAM = 3


def search_vector(*fields):
    """The expression that the PostgreSQL GIN index is built on; queries must use the very same one."""
    return SearchVector(*fields, config=SEARCH_CONFIG)


def search(queryset, text, fields):
    """Return `queryset` narrowed to items matching every word of `text`; on PostgreSQL annotated `search_rank`."""
    if connections[queryset.db].vendor == "postgresql":
        query = SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
        vector = search_vector(*fields)
        return queryset.annotate(search_document=vector, search_rank=SearchRank(vector, query)).filter(
            search_document=query
        )
    words = text.split()
    long_words = [word for word in words if len(word) >= TRIGRAM]
    if long_words:
        table = fts_table(queryset.model._meta.db_table)
        match = " ".join('"{}"'.format(word.replace('"', '""')) for word in long_words)
        queryset = queryset.filter(pk__in=RawSQL(f"SELECT rowid FROM {table} WHERE {table} MATCH %s", [match]))
    for word in words:
        if len(word) < TRIGRAM:
            queryset = queryset.filter(Q.create([(f"{field}__icontains", word) for field in fields], connector=Q.OR))
    return queryset


def is_ranked(queryset):
    return "search_rank" in queryset.query.annotations
