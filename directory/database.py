"""Database objects the ORM cannot declare: triggers that keep derived data honest, and the search index.

They are (re)created idempotently after every `migrate`: SQLite drops a table's triggers whenever a migration
rebuilds the table, so a one-off migration would silently lose them.
"""

from django.db import connections

from . import search_index

WATCHED_TABLES = [
    "directory_organisation",
    "directory_programme",
    "directory_guidance",
    "directory_sector",
    "directory_topic",
    "directory_organisation_sectors",
    "directory_programme_partners",
    "directory_programme_sectors",
    "directory_guidance_topics",
    "directory_guidance_sectors",
]

# The version is at least the time in microseconds, so it never repeats even after a table is emptied.
SQLITE_BUMP = (
    "INSERT INTO directory_contentversion (id, version) "
    "VALUES (1, CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)) "
    "ON CONFLICT (id) DO UPDATE SET version = MAX(version + 1, excluded.version);"
)
POSTGRESQL_BUMP_FUNCTION = """
CREATE OR REPLACE FUNCTION directory_bump_content_version() RETURNS trigger AS $$
BEGIN
    INSERT INTO directory_contentversion (id, version)
    VALUES (1, (extract(epoch FROM clock_timestamp()) * 1000000)::bigint)
    ON CONFLICT (id) DO UPDATE
        SET version = GREATEST(directory_contentversion.version + 1, excluded.version);
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
"""


def _sqlite_statements(cursor):
    statements = [SQLITE_BUMP]
    for table in WATCHED_TABLES:
        for event in ("INSERT", "UPDATE", "DELETE"):
            statements.append(
                f"CREATE TRIGGER IF NOT EXISTS {table}_bump_{event.lower()} AFTER {event} ON {table} "
                f"BEGIN {SQLITE_BUMP} END"
            )
    # The trigram tables of an earlier search, replaced by directory/search_index.py.
    for table in WATCHED_TABLES:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s", [f"{table}_fts_%"])
        statements += [f"DROP TRIGGER {name}" for (name,) in cursor.fetchall()]
        statements.append(f"DROP TABLE IF EXISTS {table}_fts")
    return statements


def _postgresql_statements(cursor):
    statements = [
        POSTGRESQL_BUMP_FUNCTION,
        "INSERT INTO directory_contentversion (id, version) "
        "VALUES (1, (extract(epoch FROM clock_timestamp()) * 1000000)::bigint) ON CONFLICT (id) DO NOTHING",
    ]
    for table in WATCHED_TABLES:
        statements.append(
            f"CREATE OR REPLACE TRIGGER {table}_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION directory_bump_content_version()"
        )
    return statements


def install(using="default"):
    """Create or repair the triggers and search tables on database `using`."""
    connection = connections[using]
    builders = {"sqlite": _sqlite_statements, "postgresql": _postgresql_statements}
    if connection.vendor not in builders:
        return
    with connection.cursor() as cursor:
        for statement in builders[connection.vendor](cursor):
            cursor.execute(statement)
        if connection.vendor == "sqlite":
            # A migration that rebuilds a table drops its statistics, and SQLite never gathers them by itself: without
            # them the planner reads an organisation's children through the visibility index, every published row
            # (0.3 s of a detail page at 100,000 organisations), rather than through the parent's.
            cursor.execute("ANALYZE")
    search_index.install(using)


def refresh_statistics(using="default"):
    """After a bulk load: index for search what it queued, so the first reader's search does not pay for it, and let
    the query planner see the data as it now is (SQLite never does this by itself)."""
    search_index.refresh(using)
    search_index.compact_queue(using)
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
