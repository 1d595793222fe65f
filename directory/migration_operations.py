from django.db import migrations


class AddIndexOnPostgreSQL(migrations.AddIndex):
    """Add an index that only PostgreSQL can build (a GIN full-text index); elsewhere record it in the state only."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class DropSearchTriggersOnSQLite(migrations.RunPython):
    """Drop SQLite's search triggers before a migration rebuilds tables they read: SQLite refuses to rename a table
    that another table's trigger names. `migrate` recreates them afterwards (directory/database.py) and, finding them
    missing, indexes every item again."""

    def __init__(self):
        super().__init__(self.drop, self.drop)

    @staticmethod
    def drop(apps, schema_editor):
        if schema_editor.connection.vendor != "sqlite":
            return
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s ESCAPE '\\'", ["%\\_search\\_%"]
            )
            for (name,) in cursor.fetchall():
                cursor.execute(f"DROP TRIGGER {name}")
