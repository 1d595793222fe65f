"""The search index: one document per item, built in Python by directory/search_tokens.py from the fields its model
declares in `search_fields`, and kept current whatever writes the data.

A document has two columns: `names` (the item's own names and aliases, which rank first) and `text` (everything
else: summary, description, and the names of what the item points to). Database triggers, derived from the
declarations, put every item whose document a write may have changed into a queue (an item's own fields, a renamed
publisher, a partner added through the admin, a raw UPDATE); `refresh` rebuilds the queued documents, and every
search calls it first, so results follow any write at once. Bulk loads call it when they finish.

SQLite keeps documents in an FTS5 table whose `ascii` tokenizer splits exactly where our spaces are; PostgreSQL in a
table of `tsvector`s written as literals (no parser, no dictionary), with a GIN index. Both are keyed by item id.

SQLite's index holds every token's positions, so it matches a phrase from the index alone. PostgreSQL's GIN index
holds none: it would check a phrase by reading each candidate's document, 2 kB out of line, which costs half a
second for a Chinese word in most items. So a PostgreSQL document also holds, without positions, a `sequence_lexeme`
for every two tokens in a row and for every three Chinese pairs in a row, and a phrase of them (a two- to
four-character Chinese word, two quoted words) is one lexeme the index answers exactly.
"""

import itertools
from collections import defaultdict
from dataclasses import dataclass

from django.apps import apps
from django.db import connections, transaction

from .chinese import is_chinese_character
from .search_tokens import document_tokens

QUEUE_TABLE = "directory_searchqueue"
BATCH_SIZE = 2000
# tsvector positions stop at 16383; the text column starts after a gap so that no phrase runs from names into text.
MAX_POSITION = 16383
COLUMN_GAP = 2
# Bumped whenever PostgreSQL's documents change shape: `install` then rebuilds every document.
POSTGRESQL_LAYOUT = "documents with sequence lexemes"


@dataclass(frozen=True)
class Names:
    """The item's own fields that name it: a match here ranks above any other."""

    fields: tuple

    def __init__(self, *fields):
        object.__setattr__(self, "fields", fields)


@dataclass(frozen=True)
class Text:
    """The item's own fields searched as its text."""

    fields: tuple

    def __init__(self, *fields):
        object.__setattr__(self, "fields", fields)


@dataclass(frozen=True)
class Related:
    """Fields of what the item points to through `relation` (a foreign key or many-to-many), searched as its text.
    Only published items lend their names: a draft publisher's name finds nothing."""

    relation: str
    fields: tuple

    def __init__(self, relation, *fields):
        object.__setattr__(self, "relation", relation)
        object.__setattr__(self, "fields", fields)


def searchable_models():
    return [model for model in apps.get_app_config("directory").get_models() if hasattr(model, "search_fields")]


def model_key(model):
    return model._meta.model_name


def search_table(model):
    return f"{model._meta.db_table}_search"


def own_fields(model):
    """The model's own fields feeding its document, the relations' foreign keys included."""
    fields = []
    for declaration in model.search_fields:
        if isinstance(declaration, Related):
            field = model._meta.get_field(declaration.relation)
            if not field.many_to_many:
                fields.append(field.attname)
        else:
            fields += declaration.fields
    return fields


def is_publishable(model):
    return any(field.name == "status" for field in model._meta.concrete_fields)


# Building documents


def build_documents(model, ids, using="default"):
    """Return {id: (names, text)} for the items of `model` among `ids` that exist, each column a list of tokens."""
    manager = model._default_manager.using(using)
    rows = {row["pk"]: row for row in manager.filter(pk__in=ids).values("pk", *own_fields(model))}
    names = {pk: [] for pk in rows}
    text = {pk: [] for pk in rows}
    for declaration in model.search_fields:
        if isinstance(declaration, Names):
            for pk, row in rows.items():
                names[pk] += [row[field] for field in declaration.fields]
        elif isinstance(declaration, Text):
            for pk, row in rows.items():
                text[pk] += [row[field] for field in declaration.fields]
        else:
            for pk, values in _related_texts(model, declaration, rows, using).items():
                text[pk] += values
    return {pk: (document_tokens(*names[pk]), document_tokens(*text[pk])) for pk in rows}


def _related_texts(model, declaration, rows, using):
    field = model._meta.get_field(declaration.relation)
    target = field.related_model
    if field.many_to_many:
        through = field.remote_field.through
        own, other = field.m2m_field_name(), field.m2m_reverse_field_name()
        links = list(
            through._default_manager.using(using)
            .filter(**{f"{own}__in": list(rows)})
            .order_by("pk")
            .values_list(f"{own}_id", f"{other}_id")
        )
    else:
        links = [(pk, row[field.attname]) for pk, row in rows.items() if row[field.attname] is not None]
    targets = target._default_manager.using(using).filter(pk__in={other for _own, other in links})
    if is_publishable(target):
        targets = targets.filter(status="published")
    values = {row[0]: row[1:] for row in targets.values_list("pk", *declaration.fields)}
    texts = defaultdict(list)
    for own_pk, other_pk in links:
        texts[own_pk] += values.get(other_pk, ())
    return texts


def fts_columns(document):
    """A column of SQLite's FTS5 table: the tokens, then the extras, separated by spaces."""
    (names_stream, names_extras), (text_stream, text_extras) = document
    return " ".join(names_stream + names_extras), " ".join(text_stream + text_extras)


def tsvector_literals(document):
    """The document as two tsvector literals: the whole of it (names, then text, positions as in the FTS5 columns,
    then the sequence lexemes of each column) and its names alone, which rank an item first when they match."""
    (names_stream, names_extras), (text_stream, text_extras) = document
    names, text = names_stream + names_extras, text_stream + text_extras
    whole = list(enumerate(names, start=1))
    whole += list(enumerate(text, start=len(names) + COLUMN_GAP))
    sequences = dict.fromkeys(lexeme for column in (names, text) for lexeme in _sequence_lexemes(column))
    document = " ".join([_literal(whole), *(f"'{lexeme}'" for lexeme in sequences)])
    return document, _literal(enumerate(names, start=1))


def _chained(tokens):
    """The Chinese text that overlapping pairs spell (人工, 工智, 智能: 人工智能), or None."""
    if all(len(token) == 2 and is_chinese_character(token[0]) for token in tokens) and all(
        first[1] == second[0] for first, second in itertools.pairwise(tokens)
    ):
        return tokens[0] + "".join(token[1] for token in tokens[1:])
    return None


def sequence_lexeme(tokens):
    """The lexeme standing for `tokens` in a row, when a document holds one: for any two tokens, and for three
    overlapping Chinese pairs (a four-character word); else None.

    Tokens never hold a space and a Chinese token has at most two characters, so a sequence lexeme equals no token,
    and each stands for one sequence only: a chained text of three or four characters for the overlapping pairs it
    spells, two tokens joined by a space for any other two."""
    if len(tokens) == 2:
        return _chained(tokens) or " ".join(tokens)
    if len(tokens) == 3:
        return _chained(tokens)
    return None


def _sequence_lexemes(column):
    for size in (2, 3):
        for start in range(len(column) - size + 1):
            if lexeme := sequence_lexeme(tuple(column[start : start + size])):
                yield lexeme


def _literal(positioned):
    positions = defaultdict(list)
    for position, token in positioned:
        positions[token].append(str(min(position, MAX_POSITION)))
    # Tokens hold letters and digits only (search_tokens), so quoting needs no escapes.
    return " ".join(f"'{token}':{','.join(places)}" for token, places in positions.items())


# Refreshing


def refresh(using="default"):
    """Rebuild the documents of every queued item. Cheap when the queue is empty: one read."""
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {QUEUE_TABLE} LIMIT 1")
        if cursor.fetchone() is None:
            return
    with transaction.atomic(using):
        with connection.cursor() as cursor:
            # Claimed by deleting them, in the transaction that rebuilds their documents: a concurrent refresh
            # claims other rows, and a failure puts these back.
            cursor.execute(f"DELETE FROM {QUEUE_TABLE} RETURNING model, item_id")
            queued = defaultdict(set)
            for key, item_id in cursor.fetchall():
                queued[key].add(item_id)
        models = {model_key(model): model for model in searchable_models()}
        for key, ids in queued.items():
            if key in models:
                rebuild(models[key], sorted(ids), using)


def rebuild_all(using="default"):
    """Rebuild the document of every item; return {model's plural name: how many}."""
    counts = {}
    with transaction.atomic(using):
        for model in searchable_models():
            ids = list(model._default_manager.using(using).order_by("pk").values_list("pk", flat=True))
            rebuild(model, ids, using)
            counts[str(model._meta.verbose_name_plural)] = len(ids)
    analyze(using)
    return counts


def rebuild(model, ids, using="default"):
    """Write the documents of the items `ids` of `model` (and drop those of items that no longer exist)."""
    connection = connections[using]
    table = search_table(model)
    ids = iter(ids)
    while batch := list(itertools.islice(ids, BATCH_SIZE)):
        documents = build_documents(model, batch, using)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"DELETE FROM {table} WHERE id = ANY(%s)", [batch])
                cursor.executemany(
                    f"INSERT INTO {table} (id, document, names) VALUES (%s, %s::tsvector, %s::tsvector)",
                    [(pk, *tsvector_literals(document)) for pk, document in documents.items()],
                )
            else:
                cursor.execute(f"DELETE FROM {table} WHERE rowid IN ({', '.join(['%s'] * len(batch))})", batch)
                cursor.executemany(
                    f"INSERT INTO {table} (rowid, names, text) VALUES (%s, %s, %s)",
                    [(pk, *fts_columns(document)) for pk, document in documents.items()],
                )


# Triggers: for each table, which items' documents its rows feed.


@dataclass(frozen=True)
class Dependent:
    """Rows of `table` feed the documents of `model`: the ids `select` gives (what follows SELECT in a query, with
    `{row}` standing for the written row, NEW or OLD), when any of `columns` changes (None: on any write)."""

    table: str
    model: type
    select: str
    columns: tuple | None

    def enqueue(self, row):
        key, select = model_key(self.model), self.select.format(row=row)
        return f"INSERT INTO {QUEUE_TABLE} (model, item_id) SELECT '{key}', {select}"


def dependents():
    found = []
    for model in searchable_models():
        table = model._meta.db_table
        found.append(Dependent(table, model, "{row}.id", tuple(_columns(model, own_fields(model)))))
        for declaration in model.search_fields:
            if not isinstance(declaration, Related):
                continue
            field = model._meta.get_field(declaration.relation)
            target = field.related_model
            watched = tuple(_columns(target, [*declaration.fields, *(["status"] if is_publishable(target) else [])]))
            if field.many_to_many:
                through = field.remote_field.through
                own = through._meta.get_field(field.m2m_field_name()).column
                other = through._meta.get_field(field.m2m_reverse_field_name()).column
                found.append(Dependent(through._meta.db_table, model, f"{{row}}.{own}", None))
                select = f"{own} FROM {through._meta.db_table} WHERE {other} = {{row}}.id"
            else:
                select = f"id FROM {table} WHERE {field.column} = {{row}}.id"
            found.append(Dependent(target._meta.db_table, model, select, watched))
    return found


def _columns(model, names):
    return [model._meta.get_field(name).column for name in names]


def _by_table():
    """Yield (table, its Dependents, the UPDATE event its triggers listen to)."""
    by_table = defaultdict(list)
    for dependent in dependents():
        by_table[dependent.table].append(dependent)
    for table, table_dependents in by_table.items():
        if any(dependent.columns is None for dependent in table_dependents):
            yield table, table_dependents, "UPDATE"
        else:
            columns = sorted({column for dependent in table_dependents for column in dependent.columns})
            yield table, table_dependents, f"UPDATE OF {', '.join(columns)}"


CREATE_QUEUE = f"CREATE TABLE IF NOT EXISTS {QUEUE_TABLE} (model varchar(30) NOT NULL, item_id bigint NOT NULL)"


def sqlite_triggers():
    """Return {trigger name: CREATE TRIGGER statement}."""
    triggers = {}
    for table, table_dependents, update in _by_table():
        for event, rows in (("INSERT", ["new"]), (update, ["old", "new"]), ("DELETE", ["old"])):
            body = " ".join(f"{dependent.enqueue(row)};" for dependent in table_dependents for row in rows)
            name = f"{table}_search_{event.split()[0].lower()}"
            triggers[name] = f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN {body} END"
    return triggers


def postgresql_statements():
    statements = []
    for table, table_dependents, update in _by_table():
        function = f"{table}_search_queue"
        new = " ".join(f"{dependent.enqueue('NEW')};" for dependent in table_dependents)
        old = " ".join(f"{dependent.enqueue('OLD')};" for dependent in table_dependents)
        statements.append(
            f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$ BEGIN "
            f"IF TG_OP <> 'DELETE' THEN {new} END IF; IF TG_OP <> 'INSERT' THEN {old} END IF; "
            "RETURN NULL; END $$ LANGUAGE plpgsql"
        )
        statements.append(
            f"CREATE OR REPLACE TRIGGER {table}_search AFTER INSERT OR {update} OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {function}()"
        )
    return statements


SEARCH_TABLES = {
    "postgresql": lambda table: [
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, document tsvector NOT NULL, names tsvector NOT NULL)",
        f"CREATE INDEX {table}_document ON {table} USING gin (document)",
        f"CREATE INDEX {table}_names ON {table} USING gin (names)",
        f"COMMENT ON TABLE {table} IS '{POSTGRESQL_LAYOUT}'",
    ],
    "sqlite": lambda table: [f"CREATE VIRTUAL TABLE {table} USING fts5(names, text, tokenize='ascii')"],
}


def _is_current(cursor, connection, table, create_table):
    if connection.vendor == "postgresql":
        columns = [column.name for column in connection.introspection.get_table_description(cursor, table)]
        cursor.execute("SELECT obj_description(%s::regclass, 'pg_class')", [table])
        return columns == ["id", "document", "names"] and cursor.fetchone()[0] == POSTGRESQL_LAYOUT
    cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = %s", [table])
    return cursor.fetchone()[0] == create_table


def install(using="default"):
    """Create or repair the search tables, the queue and its triggers on `using`, and index what is not indexed."""
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(CREATE_QUEUE)
        tables = set(connection.introspection.table_names(cursor))
        for model in searchable_models():
            table = search_table(model)
            statements = SEARCH_TABLES[connection.vendor](table)
            if table in tables and _is_current(cursor, connection, table, statements[0]):
                continue
            # New, or laid out as an earlier version of this module left it: built again from every item.
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
            for statement in statements:
                cursor.execute(statement)
            _queue_every_item(cursor, [model])
        if connection.vendor == "postgresql":
            for statement in postgresql_statements():
                cursor.execute(statement)
        else:
            _replace_sqlite_triggers(cursor, sqlite_triggers())
    refresh(using)
    compact_queue(using)
    analyze(using)


def _queue_every_item(cursor, models):
    for model in models:
        cursor.execute(
            f"INSERT INTO {QUEUE_TABLE} (model, item_id) SELECT %s, id FROM {model._meta.db_table}", [model_key(model)]
        )


def compact_queue(using="default"):
    """Give PostgreSQL back the pages of the queue's claimed rows. Every search first checks that the queue is empty,
    and an emptied table is read whole until vacuumed: after a bulk load of 100,000 items, 2,000 pages (5 ms) a
    request, for as long as autovacuum takes to come (or for ever where it is off)."""
    connection = connections[using]
    # VACUUM cannot run in a transaction; a bulk load inside one leaves this to autovacuum.
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM {QUEUE_TABLE}")


def analyze(using="default"):
    """Let PostgreSQL's planner see the search tables as they now are: before autovacuum gets to a newly filled one,
    it guesses their size and scans them whole for a rare word (a quarter of a second at 100,000 items)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in searchable_models():
            cursor.execute(f"ANALYZE {search_table(model)}")


def _replace_sqlite_triggers(cursor, triggers):
    """SQLite cannot replace a trigger, and drops a table's triggers whenever a migration rebuilds the table."""
    cursor.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s ESCAPE '\\'", ["%\\_search\\_%"]
    )
    existing = dict(cursor.fetchall())
    if set(triggers) - set(existing):
        # Writes made while a trigger was missing were not queued: index everything again.
        _queue_every_item(cursor, searchable_models())
    for name, sql in existing.items():
        if triggers.get(name) != sql:
            cursor.execute(f"DROP TRIGGER {name}")
    for name, sql in triggers.items():
        if existing.get(name) != sql:
            cursor.execute(sql)
