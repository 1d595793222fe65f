"""Benchmark what recording revisions costs: a save of an organisation with its relations, and the admin changelist.

Run from the project root:
.venv/bin/python bench/revisions.py [--organisations 1000] [--saves 300] [--rounds 5] [--database URL]

In a throwaway SQLite database (or the PostgreSQL one given, which it flushes), in this process: each round times
`--saves` saves of an organisation with two sectors as they were before revisions (the baseline: the signals
disconnected, no transaction around the save) and as they are now (recorded in the save's transaction), and the
organisation changelist with no revision at all and with ten revisions per organisation. Prints the medians of the
rounds, the ratio to the baseline of the same run, and the queries of one save and of the changelist.
"""

# A command-line benchmark: printing is how it reports.
# ruff: noqa: T201

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup(database):
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hkai_portal.settings")
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ["DJANGO_PAGE_CACHE"] = "0"
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"
    os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "0"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)


def timed(function, repeat):
    started = time.perf_counter()
    for _ in range(repeat):
        function()
    return (time.perf_counter() - started) / repeat * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=1000)
    parser.add_argument("--saves", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--database", help="A database URL; by default a new SQLite file.")
    options = parser.parse_args()
    directory = tempfile.mkdtemp(prefix="hkai-bench-revisions-")
    setup(options.database or f"sqlite:///{directory}/bench.sqlite3")

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from directory import revision_recording
    from directory.models import Organisation, Revision, Sector

    sectors = [Sector.objects.create(name=f"Sector {n}") for n in range(5)]
    revision_recording.disconnect()
    Organisation.objects.bulk_create(
        Organisation(name=f"Organisation {n}", slug=f"organisation-{n}", kind="startup", status="published")
        for n in range(options.organisations)
    )
    item = Organisation.objects.order_by("pk").first()
    item.sectors.set(sectors[:2])
    admin = get_user_model().objects.create_superuser("bench", password="a-long-bench-password")
    client = Client()
    client.force_login(admin)
    url = "/admin/directory/organisation/"

    def save_before():
        # As a save was before revisions: Publishable's own steps, without the transaction that now holds the
        # revision with the row.
        item.summary = f"Saved at {time.perf_counter()}"
        item._save()

    def save():
        item.summary = f"Saved at {time.perf_counter()}"
        item.save()

    def changelist():
        response = client.get(url)
        assert response.status_code == 200, response.status_code

    results = {"save": ([], []), "changelist": ([], [])}
    for _round in range(options.rounds):
        revision_recording.disconnect()
        Revision.objects.all().delete()
        results["save"][0].append(timed(save_before, options.saves))
        results["changelist"][0].append(timed(changelist, 20))
        revision_recording.connect()
        results["save"][1].append(timed(save, options.saves))
        for _ in range(10):
            revision_recording.record(Organisation, dict.fromkeys(Organisation.objects.values_list("pk", flat=True)))
        results["changelist"][1].append(timed(changelist, 20))

    revision_recording.disconnect()
    with CaptureQueriesContext(connection) as without:
        save_before()
    revision_recording.connect()
    with CaptureQueriesContext(connection) as with_recording:
        save()
    with CaptureQueriesContext(connection) as listing:
        changelist()

    print(f"{connection.vendor}, {options.organisations} organisations, {options.rounds} rounds (medians)")
    for name, (before, after) in results.items():
        base, recorded = statistics.median(before), statistics.median(after)
        print(f"{name:<11} without {base:7.2f} ms   with {recorded:7.2f} ms   ratio {recorded / base:5.2f}")
    print(f"queries per save: {len(without)} without, {len(with_recording)} with recording")
    print(f"queries of the changelist (10 revisions per organisation): {len(listing)}")


if __name__ == "__main__":
    main()
