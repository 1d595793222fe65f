"""Text search: a reader's query, parsed once (directory/search_tokens.py), filters and ranks a queryset through the
backend of its database. Both backends read the same tokens from the same documents (directory/search_index.py),
so they find the same items: every word must match, the last also as a prefix, quoted words as a phrase. Ranking
is the same on both too: items whose own names or aliases match every word first, then by name, then by id.
"""

import json

from django.db import connections, transaction
from django.db.models import Case, F, IntegerField, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Collate

from . import search_index
from .search_tokens import parse_query


class SQLiteBackend:
    """FTS5 over the token text. A query's matches are found once per request and kept as a JSON array of ids,
    which every query of the page (rows, counts, facets) reads instead of matching the index again."""

    def __init__(self, using):
        self.using = using
        self._ids = {}

    def expression(self, query, names_only=False):
        terms = " AND ".join(self._term(term) for term in query.terms)
        return f"{{names}} : ({terms})" if names_only else terms

    def _term(self, term):
        phrase = '"{}"'.format(" ".join(term.tokens).replace('"', '""'))
        if not term.prefixes:
            return phrase
        return "({})".format(" OR ".join(f'"{prefix}" *' for prefix in term.prefixes))

    def _json_ids(self, model, query, names_only):
        key = (model, query, names_only)
        if key not in self._ids:
            table = search_index.search_table(model)
            with connections[self.using].cursor() as cursor:
                cursor.execute(
                    f"SELECT json_group_array(rowid) FROM {table} WHERE {table} MATCH %s",
                    [self.expression(query, names_only)],
                )
                self._ids[key] = cursor.fetchone()[0]
        return self._ids[key]

    def matching(self, model, query, names_only=False):
        return RawSQL("SELECT value FROM json_each(%s)", [self._json_ids(model, query, names_only)])

    def ids(self, model, query, names_only=False):
        return json.loads(self._json_ids(model, query, names_only))

    @staticmethod
    def name_order(field):
        return F(field).asc()


class PostgreSQLBackend:
    """A tsquery written as a literal (no parser, no dictionary) against the GIN-indexed tsvectors. As on SQLite, a
    query's matches are found once per request, as an array of ids that every query of the page reads.

    A phrase is asked of the documents as its sequence lexeme where it has one (directory/search_index.py), which
    the index answers without reading a document; a longer phrase also as `<->`, which PostgreSQL checks on the
    documents its sequence lexemes leave. The names, small and stored in the row, are asked with `<->` only."""

    def __init__(self, using):
        self.using = using
        self._ids = {}

    def expression(self, query, in_names=False):
        return " & ".join(self._term(term, in_names) for term in query.terms)

    @staticmethod
    def _term(term, in_names):
        if term.prefixes:
            return "({})".format(" | ".join(f"'{prefix}':*" for prefix in term.prefixes))
        tokens = term.tokens
        phrase = "({})".format(" <-> ".join(f"'{token}'" for token in tokens))
        if in_names or len(tokens) == 1:
            return phrase
        if exact := search_index.sequence_lexeme(tokens):
            return f"'{exact}'"
        # What the index can answer of a longer phrase: its four-character runs, and any two tokens in a row that
        # none of those holds. They narrow the documents PostgreSQL reads to check the phrase.
        sequences, covered = [], set()
        for start in range(len(tokens) - 2):
            if lexeme := search_index.sequence_lexeme(tokens[start : start + 3]):
                sequences.append(lexeme)
                covered |= {start, start + 1}
        sequences += [
            search_index.sequence_lexeme(tokens[start : start + 2])
            for start in range(len(tokens) - 1)
            if start not in covered
        ]
        return "({} & {})".format(" & ".join(f"'{lexeme}'" for lexeme in sequences), phrase)

    def ids(self, model, query, names_only=False):
        if (model, query) not in self._ids:
            table = search_index.search_table(model)
            with transaction.atomic(self.using), connections[self.using].cursor() as cursor:
                # The planner prices matching a tsvector far below what reading and decompressing it costs, and so
                # scans a table of 10,000 documents whole (30 ms) rather than ask the GIN index (0.1 ms).
                cursor.execute("SET LOCAL enable_seqscan = off")
                # The name matches are among the matches: one pass finds both, in no order (sorting 90,000 ids costs).
                cursor.execute(
                    "SELECT coalesce(array_agg(id), '{}'), "
                    "coalesce(array_agg(id) FILTER (WHERE names @@ %s::tsquery), '{}') "
                    f"FROM {table} WHERE document @@ %s::tsquery",
                    [self.expression(query, in_names=True), self.expression(query)],
                )
                self._ids[model, query] = cursor.fetchone()
        return self._ids[model, query][1 if names_only else 0]

    def matching(self, model, query, names_only=False):
        return RawSQL("SELECT unnest(%s::bigint[])", [self.ids(model, query, names_only)])

    @staticmethod
    def name_order(field):
        # Code-point order, as SQLite's: both databases then list equal ranks in the same order.
        return Collate(F(field), "C").asc()


BACKENDS = {"sqlite": SQLiteBackend, "postgresql": PostgreSQLBackend}
# No ids. Unlike .none(), it compiles into SQL, which the facets that write their own (ranked_counts) need.
NO_IDS = RawSQL("SELECT CAST(NULL AS bigint) WHERE 1 = 0", [])


def relevance_order(model, using="default"):
    """The order of equally relevant items: by name, in code-point order on both databases, then by id."""
    return (BACKENDS[connections[using].vendor].name_order(model.slug_source_field), "pk")


class TextSearch:
    """A reader's query against one model, prepared once for a request: `filter` a queryset by it, `rank` it."""

    def __init__(self, model, text, using="default"):
        self.model = model
        self.query = parse_query(text)
        self.backend = BACKENDS[connections[using].vendor](using)
        search_index.refresh(using)

    def filter(self, queryset):
        if not self.query:
            return queryset.filter(pk__in=NO_IDS)
        return queryset.filter(pk__in=self.backend.matching(self.model, self.query))

    def ids(self, names_only=False):
        """The ids of the items matching (with `names_only`, whose own names match), in no particular order."""
        return self.backend.ids(self.model, self.query, names_only) if self.query else []

    @property
    def by_name(self):
        """The order of equally relevant items."""
        return relevance_order(self.model, self.backend.using)

    def rank(self, queryset):
        """Order by relevance: a match of every word in the item's names or aliases first, then by name and id."""
        if not self.query:
            return queryset.order_by(*self.by_name)
        names = self.backend.matching(self.model, self.query, names_only=True)
        rank = Case(When(pk__in=names, then=Value(0)), default=Value(1), output_field=IntegerField())
        return queryset.annotate(search_rank=rank).order_by("search_rank", *self.by_name)
