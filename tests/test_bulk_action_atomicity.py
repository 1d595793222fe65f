"""A bulk action that fails on one row changes none: the database refuses one row after others were updated."""

import threading

import pytest
from django.contrib.messages import ERROR
from django.db import connection, connections
from django.urls import reverse

from directory.choices import Status
from directory.models import Organisation

from .factories import make_organisation, make_user

pytestmark = pytest.mark.django_db

TRIGGER_SQL = {
    # An AFTER ROW trigger runs once the statement has updated every row, so the others really were changed first.
    "postgresql": [
        """CREATE FUNCTION refuse_row_{pk}() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN RAISE EXCEPTION 'row {pk} is locked by a test'; END $$""",
        """CREATE TRIGGER refuse_row_{pk} AFTER UPDATE ON directory_organisation
           FOR EACH ROW WHEN (OLD.id = {pk}) EXECUTE FUNCTION refuse_row_{pk}()""",
    ],
    # SQLite runs row triggers as it goes; the refused row is the last one, after the others were updated.
    "sqlite": [
        """CREATE TRIGGER refuse_row_{pk} AFTER UPDATE ON directory_organisation
           FOR EACH ROW WHEN OLD.id = {pk} BEGIN SELECT RAISE(ABORT, 'row {pk} is locked by a test'); END""",
    ],
}


@pytest.fixture
def publisher_client(client):
    client.force_login(make_user(groups=["Publishers"]))
    return client


def refuse_updates_of(pk):
    with connection.cursor() as cursor:
        for statement in TRIGGER_SQL[connection.vendor]:
            cursor.execute(statement.format(pk=pk))


def snapshot(items):
    return list(
        Organisation.objects.filter(pk__in=[i.pk for i in items])
        .order_by("pk")
        .values_list("pk", "status", "published_at", "updated_at")
    )


@pytest.mark.parametrize(
    ("action", "start"),
    [("publish", Status.DRAFT), ("unpublish", Status.PUBLISHED), ("archive", Status.PUBLISHED)],
)
def test_a_bulk_action_failing_on_one_row_changes_no_row(publisher_client, action, start):
    items = [make_organisation(status=start) for _ in range(4)]
    before = snapshot(items)
    refuse_updates_of(items[-1].pk)

    response = publisher_client.post(
        reverse("admin:directory_organisation_changelist"),
        {"action": action, "_selected_action": [i.pk for i in items]},
        follow=True,
    )

    assert response.status_code == 200
    assert snapshot(items) == before
    [message] = list(response.context["messages"])
    assert message.level == ERROR
    assert "Nothing was changed" in message.message
    assert "locked by a test" not in response.content.decode()  # database details stay in the log


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks and lock timeouts are PostgreSQL's")
def test_a_bulk_action_blocked_by_a_lock_changes_no_row_on_postgresql(publisher_client):
    """A lock held by another connection makes the update time out halfway; the rows already updated roll back."""
    items = [make_organisation(status=Status.DRAFT) for _ in range(3)]
    before = snapshot(items)
    # The last row's update waits for a lock another connection holds, as it would behind a long transaction in
    # production; the lock timeout then aborts the statement after the other rows were updated.
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL lock_timeout = '50ms'")
        cursor.execute(
            """CREATE FUNCTION wait_for_lock() RETURNS trigger LANGUAGE plpgsql AS $$
               BEGIN PERFORM pg_advisory_xact_lock(424242); RETURN NEW; END $$"""
        )
        cursor.execute(
            f"""CREATE TRIGGER wait_for_lock BEFORE UPDATE ON directory_organisation
                FOR EACH ROW WHEN (OLD.id = {items[-1].pk}) EXECUTE FUNCTION wait_for_lock()"""
        )
    holder_ready, release = threading.Event(), threading.Event()

    def hold_the_lock():
        other = connections.create_connection("default")
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(424242)")
            holder_ready.set()
            release.wait(10)
            cursor.execute("SELECT pg_advisory_unlock(424242)")
        other.close()

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    try:
        assert holder_ready.wait(10)
        response = publisher_client.post(
            reverse("admin:directory_organisation_changelist"),
            {"action": "publish", "_selected_action": [i.pk for i in items]},
            follow=True,
        )
    finally:
        release.set()
        holder.join()

    assert response.status_code == 200
    assert snapshot(items) == before
    assert [m.level for m in response.context["messages"]] == [ERROR]
