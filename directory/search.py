"""Text search over names, titles and summaries, in English and Chinese.

English words, PostgreSQL: full-text search (stemmed, ranked) over a GIN expression index.
English words, SQLite: case-insensitive substring matching, through an FTS5 trigram index for words of three
characters or more (see directory/database.py) and a plain LIKE for shorter ones, which the trigram index cannot serve.
Chinese words: substring matching of the Chinese text (full-text search does not split Chinese words), in each of the
query's Hong Kong forms (directory/chinese.py), so 私隐 and 隐私 find 私隱; a pg_trgm index serves it on PostgreSQL.
"""

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


def search(queryset, text, fields):
    """Return `queryset` narrowed to items matching every word of `text`; on PostgreSQL annotated `search_rank`."""
    words = text.split()
    chinese_words = [word for word in words if has_chinese(word)]
    other_words = [word for word in words if not has_chinese(word)]
    if other_words:
        queryset = _search_words(queryset, other_words, fields)
    for word in chinese_words:
        queryset = _search_chinese_word(queryset, word, [chinese_field(field) for field in fields])
    return queryset


def _search_chinese_word(queryset, word, fields):
    forms = query_variants(word)
    if connections[queryset.db].vendor == "sqlite" and all(len(form) >= TRIGRAM for form in forms):
        return queryset.filter(pk__in=_fts_rowids(queryset.model, fields, forms, " OR "))
    matches = [(f"{field}__contains", form) for form in forms for field in fields]
    return queryset.filter(Q.create(matches, connector=Q.OR))


def _fts_rowids(model, columns, phrases, operator):
    """The ids of rows whose `columns` contain the `phrases` (joined by AND or OR), from SQLite's trigram index."""
    table = fts_table(model._meta.db_table)
    quoted = operator.join('"{}"'.format(phrase.replace('"', '""')) for phrase in phrases)
    return RawSQL(f"SELECT rowid FROM {table} WHERE {table} MATCH %s", [f"{{{' '.join(columns)}}} : ({quoted})"])


def _search_words(queryset, words, fields):
    if connections[queryset.db].vendor == "postgresql":
        query = SearchQuery(" ".join(words), config=SEARCH_CONFIG, search_type="websearch")
        vector = search_vector(*fields)
        return queryset.annotate(search_document=vector, search_rank=SearchRank(vector, query)).filter(
            search_document=query
        )
    long_words = [word for word in words if len(word) >= TRIGRAM]
    if long_words:
        queryset = queryset.filter(pk__in=_fts_rowids(queryset.model, fields, long_words, " AND "))
    for word in words:
        if len(word) < TRIGRAM:
            queryset = queryset.filter(Q.create([(f"{field}__icontains", word) for field in fields], connector=Q.OR))
    return queryset


def is_ranked(queryset):
    return "search_rank" in queryset.query.annotations
