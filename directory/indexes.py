from django.contrib.postgres.indexes import GinIndex

# A statement that does nothing: schema editors execute whatever an index returns.
NOTHING = "SELECT 1"


class PostgreSQLGinIndex(GinIndex):
    """A GIN index on PostgreSQL and nothing elsewhere.

    SQLite cannot build GIN indexes, yet rebuilds a table with every index its model declares whenever a migration
    adds a NOT NULL column to it; there this index contributes nothing.
    """

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor != "postgresql":
            return NOTHING
        return super().create_sql(model, schema_editor, using=using, **kwargs)

    def remove_sql(self, model, schema_editor, **kwargs):
        if schema_editor.connection.vendor != "postgresql":
            return NOTHING
        return super().remove_sql(model, schema_editor, **kwargs)
