"""Text search over names, titles and summaries: PostgreSQL full-text search where we have it, LIKE elsewhere."""

from functools import reduce
from operator import or_

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connections
from django.db.models import Q

SEARCH_CONFIG = "english"


def search_vector(*fields):
    """The expression that the PostgreSQL GIN index is built on; queries must use the very same one."""
    return SearchVector(*fields, config=SEARCH_CONFIG)


def search(queryset, text, fields):
    """Return `queryset` narrowed to items matching `text`; on PostgreSQL also annotated with `search_rank`."""
    if connections[queryset.db].vendor == "postgresql":
        query = SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
        vector = search_vector(*fields)
        return queryset.annotate(search_document=vector, search_rank=SearchRank(vector, query)).filter(
            search_document=query
        )
    return queryset.filter(reduce(or_, (Q(**{f"{field}__icontains": text}) for field in fields)))


def is_ranked(queryset):
    return "search_rank" in queryset.query.annotations
