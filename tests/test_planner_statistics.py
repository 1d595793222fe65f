import pytest
from django.db import connection

from directory import database

from .factories import make_organisation

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite keeps no statistics unless asked"),
]


def test_installing_after_a_migration_gives_the_planner_statistics_again():
    parent = make_organisation("Parent University")
    for _ in range(5):
        make_organisation(parent=parent)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        # What a migration that rebuilds the table leaves behind.
        cursor.execute("DELETE FROM sqlite_stat1 WHERE tbl = 'directory_organisation'")
        database.install()
        cursor.execute("SELECT idx FROM sqlite_stat1 WHERE tbl = 'directory_organisation'")
        indexes = {row[0] for row in cursor.fetchall()}
    assert any(index and "parent" in index for index in indexes)
