"""Database objects the ORM cannot declare: triggers that keep derived data honest, and SQLite's search index.

They are (re)created idempotently after every `migrate`: SQLite drops a table's triggers whenever a migration
rebuilds the table, so a one-off migration would silently lose them.
"""

from django.db import connections

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

# (table, text columns) searched on SQLite through an FTS5 trigram index: substring matches, case-insensitive.
SEARCH_TABLES = [
    ("directory_organisation", ("name", "summary", "name_zh_hant", "summary_zh_hant")),
    ("directory_programme", ("name", "summary", "name_zh_hant", "summary_zh_hant")),
    ("directory_guidance", ("title", "summary", "title_zh_hant", "summary_zh_hant")),
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


def fts_table(table):
    return f"{table}_fts"


def _sqlite_statements(cursor):
    statements = [SQLITE_BUMP]
    for table in WATCHED_TABLES:
        for event in ("INSERT", "UPDATE", "DELETE"):
            statements.append(
                f"CREATE TRIGGER IF NOT EXISTS {table}_bump_{event.lower()} AFTER {event} ON {table} "
                f"BEGIN {SQLITE_BUMP} END"
            )
    for table, columns in SEARCH_TABLES:
        fts = fts_table(table)
        listed = ", ".join(columns)
        new_values = ", ".join(f"new.{column}" for column in columns)
        old_values = ", ".join(f"old.{column}" for column in columns)
        create_table = (
            f"CREATE VIRTUAL TABLE {fts} USING fts5({listed}, content='{table}', content_rowid='id', "
            "tokenize='trigram')"
        )
        cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = %s", [fts])
        existing = cursor.fetchone()
        if existing and existing[0] != create_table:
            # The indexed columns changed: start again from the table's rows.
            cursor.execute(f"DROP TABLE {fts}")
            for event in ("insert", "delete", "update"):
                cursor.execute(f"DROP TRIGGER IF EXISTS {fts}_{event}")
        cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s", [f"{fts}_%"])
        in_sync = cursor.fetchone()[0] == 3
        statements += [
            create_table.replace("CREATE VIRTUAL TABLE", "CREATE VIRTUAL TABLE IF NOT EXISTS", 1),
            f"CREATE TRIGGER IF NOT EXISTS {fts}_insert AFTER INSERT ON {table} "
            f"BEGIN INSERT INTO {fts} (rowid, {listed}) VALUES (new.id, {new_values}); END",
            f"CREATE TRIGGER IF NOT EXISTS {fts}_delete AFTER DELETE ON {table} "
            f"BEGIN INSERT INTO {fts} ({fts}, rowid, {listed}) VALUES ('delete', old.id, {old_values}); END",
            f"CREATE TRIGGER IF NOT EXISTS {fts}_update AFTER UPDATE OF {listed} ON {table} BEGIN "
            f"INSERT INTO {fts} ({fts}, rowid, {listed}) VALUES ('delete', old.id, {old_values}); "
            f"INSERT INTO {fts} (rowid, {listed}) VALUES (new.id, {new_values}); END",
        ]
        if not in_sync:
            # Missing triggers mean writes may have bypassed the index (or it is new): rebuild it from the table.
            statements.append(f"INSERT INTO {fts} ({fts}) VALUES ('rebuild')")
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


def refresh_statistics(using="default"):
    """Let the query planner see the data as it now is (after a bulk load): SQLite never does this by itself."""
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
