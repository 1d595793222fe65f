import pytest
from django.db import connection

from directory import database, search_index

from .factories import make_organisation

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite reuses a table's free pages by itself"),
]


def queue_pages():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_relation_size(%s)", [search_index.QUEUE_TABLE])
        return cursor.fetchone()[0]


def test_a_bulk_load_leaves_no_pages_of_queued_rows_for_every_search_to_read():
    for number in range(300):
        make_organisation(f"Queued organisation {number}")
    assert queue_pages() > 0

    database.refresh_statistics()

    assert queue_pages() == 0
