from django.db import migrations


class AddIndexOnPostgreSQL(migrations.AddIndex):
    """Add an index that only PostgreSQL can build (a GIN full-text index); elsewhere record it in the state only."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
