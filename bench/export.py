"""Benchmark the streamed CSV export against `sqlite3 -csv` dumps of the same rows, on a production-like gunicorn.

Run from the project root: .venv/bin/python bench/export.py [--organisations 100000] [--repeat 5] [--memory-check]
    [--clean] [--database PATH]
Exits 0 when every target is met, 1 when one is missed or the export fails, 2 when the sqlite3 CLI is missing.
"""

# A command-line benchmark: printing is how it reports.
# ruff: noqa: T201

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import _server

EXPORT = "/en/organisations/export.csv"
RATIO_TARGET = 0.15
MEMORY_TARGET_MB = 30
MEMORY_SIZES = (10_000, 1_000_000)
# A sync worker busy with one request cannot tell the arbiter it is alive, and gunicorn.conf.py replaces it after
# 30 s; a million rows take longer than that to stream, so the memory check allows more.
LONG_EXPORT_TIMEOUT = "--timeout 600"

# The rows of the export without filters: published organisations by name. The times compare as text, as Django
# stores them in SQLite.
PUBLISHED = "o.status = 'published' AND o.published_at <= strftime('%Y-%m-%d %H:%M:%f', 'now')"
# The plain dump, which the target is against: the organisation table's own columns that the export shows, no joins.
PLAIN_QUERY = f"""
SELECT o.id, o.name, o.name_zh_hant, o.slug, o.kind, o.parent_id, o.summary, o.summary_zh_hant, o.description,
       o.description_zh_hant, o.founded_year, o.website, o.source_url, o.last_verified_on, o.status,
       o.published_at, o.created_at, o.updated_at
FROM directory_organisation o WHERE {PUBLISHED} ORDER BY o.name
"""
# The dump with joins: the export's columns but the URL, with the parent's name and the sector names.
JOINED_QUERY = f"""
SELECT o.id, o.name, o.name_zh_hant, o.slug, o.kind, p.name AS parent,
       (SELECT group_concat(s.name, '; ') FROM directory_organisation_sectors os
        JOIN directory_sector s ON s.id = os.sector_id WHERE os.organisation_id = o.id) AS sectors,
       o.summary, o.summary_zh_hant, o.description, o.description_zh_hant, o.founded_year, o.website, o.source_url,
       o.last_verified_on, o.status, o.published_at, o.created_at, o.updated_at
FROM directory_organisation o LEFT JOIN directory_organisation p ON p.id = o.parent_id
WHERE {PUBLISHED} ORDER BY o.name
"""
DUMPS = {"plain": PLAIN_QUERY, "joined": JOINED_QUERY}

# Signs an exporter in without the login form (not what is measured): a session made through Django's own API.
SESSION_SCRIPT = """
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.models import Group
user, _ = get_user_model().objects.get_or_create(username="bench-exporter", defaults={"is_staff": True})
user.groups.add(Group.objects.get(name="Exporters"))
session = import_module(settings.SESSION_ENGINE).SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.save()
print(f"{settings.SESSION_COOKIE_NAME}={session.session_key}")
"""


# The same export in one process under tracemalloc: the Python memory it holds, apart from the database's own caches.
TRACE_SCRIPT = """
import tracemalloc
from django.db import connection
from django.http import QueryDict
from directory.exports import ORGANISATIONS, CsvExport
with connection.cursor() as cursor:
    cursor.execute("PRAGMA cache_size")
    cache_size = cursor.fetchone()[0]
rows = ORGANISATIONS.list_filterset(QueryDict(), None).qs
export = CsvExport(ORGANISATIONS, rows, source="command", filters={}, base_url="http://127.0.0.1", username="bench")
tracemalloc.start()
for _chunk in export.stream():
    pass
print(tracemalloc.get_traced_memory()[1], cache_size)
"""


def shell(env, script):
    """Run `script` in `manage.py shell` on the bench database; return the last line it printed."""
    command = [_server.BIN / "python", "manage.py", "shell", "--no-imports", "-c", script]
    result = subprocess.run(command, cwd=_server.ROOT, env=env, check=True, capture_output=True, text=True)
    return result.stdout.strip().splitlines()[-1]


def session_cookie(env):
    return shell(env, SESSION_SCRIPT)


def sqlite(database, query, *options):
    result = subprocess.run(["sqlite3", *options, str(database), query], check=True, capture_output=True, text=True)
    return result.stdout.strip()


def worker_pid(base_url):
    """Return the pid of the one gunicorn worker serving `base_url`: the process forked by the one that listens."""
    bind = base_url.removeprefix("http://")
    processes = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            cmdline = (status.parent / "cmdline").read_bytes()
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
        except OSError:  # the process ended meanwhile
            continue
        if b"gunicorn" in cmdline and bind.encode() in cmdline:
            processes[int(status.parent.name)] = int(fields["PPid"])
    workers = [pid for pid, parent in processes.items() if parent in processes]
    if len(workers) != 1:
        raise RuntimeError(f"Expected one gunicorn worker for {bind}, found {workers}")
    return workers[0]


def memory_kb(pid, field):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise RuntimeError(f"No {field} in /proc/{pid}/status")


class MemorySampler(threading.Thread):
    """Sample a process's anonymous resident memory (its heap: not the database file mapped into it) every 5 ms."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_kb = 0
        self.done = threading.Event()

    def run(self):
        while not self.done.is_set():
            self.peak_kb = max(self.peak_kb, memory_kb(self.pid, "RssAnon"))
            self.done.wait(0.005)

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc_info):
        self.done.set()
        self.join()


def stream_export(base_url, cookie, database, pid):
    """Download the export as a client would; return seconds, seconds to the first byte, rows, bytes, peak memory."""
    request = urllib.request.Request(base_url + EXPORT, headers={"Cookie": cookie})
    with MemorySampler(pid) as sampler:
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=900) as response:
            size = len(response.read(1))
            first_byte = time.perf_counter() - started
            while block := response.read(1 << 16):
                size += len(block)
        elapsed = time.perf_counter() - started
    # The export's own record says how many rows went out, and whether the stream ran to its end.
    rows, complete = sqlite(
        database, "SELECT row_count, complete FROM directory_exportrecord ORDER BY id DESC LIMIT 1", "-list"
    ).split("|")
    if complete != "1":
        raise RuntimeError("The export did not run to its end")
    return {"seconds": elapsed, "first_byte": first_byte, "rows": int(rows), "bytes": size, "rss_kb": sampler.peak_kb}


def dump(database, query):
    """Return the seconds `sqlite3 -csv` takes to write the rows of `query` (to /dev/null)."""
    started = time.perf_counter()
    subprocess.run(["sqlite3", "-csv", "-header", str(database), query], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def measure(env, database, repeat):
    """Return the median seconds of `repeat` rounds of the export and of each dump, the export's other figures, and
    each round's ratio of the export's speed to the plain dump's.

    Each round runs the export and then the dumps, so that each ratio compares runs made minutes apart at most: the
    speed of a shared machine drifts."""
    cookie = session_cookie(env)
    exports, dumps = [], {name: [] for name in DUMPS}
    with _server.gunicorn(env, workers=1) as base_url:
        pid = worker_pid(base_url)
        for _ in range(repeat):
            exports.append(stream_export(base_url, cookie, database, pid))
            for name, query in DUMPS.items():
                dumps[name].append(dump(database, query))
        high_water_kb = memory_kb(pid, "VmHWM")
    export = dict(exports[0], seconds=statistics.median(run["seconds"] for run in exports))
    export["first_byte"] = statistics.median(run["first_byte"] for run in exports)
    export["rss_kb"] = max(run["rss_kb"] for run in exports)
    export["hwm_kb"] = high_water_kb
    export["round_ratios"] = [plain / run["seconds"] for run, plain in zip(exports, dumps["plain"], strict=True)]
    for name, query in DUMPS.items():
        rows = int(sqlite(database, f"SELECT count(*) FROM ({query})"))
        if rows != export["rows"]:
            raise RuntimeError(f"The export has {export['rows']} rows and the {name} dump {rows}")
    return export, {name: statistics.median(seconds) for name, seconds in dumps.items()}


def build(workdir, organisations, env_extra=None):
    workdir.mkdir(parents=True)
    env = _server.production_env(workdir / "bench.sqlite3") | (env_extra or {})
    _server.build_database(env, organisations)
    return env, workdir / "bench.sqlite3"


def ratio_run(workdir, organisations, repeat, database=None):
    if database:
        env = _server.production_env(database)
        _server.prepare_database(env)
    else:
        env, database = build(workdir, organisations)
    export, dumps = measure(env, database, repeat)
    rows = export["rows"]
    ratios = {name: seconds / export["seconds"] for name, seconds in dumps.items()}
    print(f"\nMedian of {repeat} rounds, {rows:,} rows ({export['bytes'] / 1e6:.1f} MB of CSV):")
    print(f"{'':<34}{'seconds':>9}{'rows/s':>11}{'export / it':>13}")
    print(f"{'streamed export (gunicorn)':<34}{export['seconds']:>9.2f}{rows / export['seconds']:>11,.0f}")
    for name, label in (("plain", "sqlite3 -csv, the table alone"), ("joined", "sqlite3 -csv, with joins")):
        seconds = dumps[name]
        print(f"{label:<34}{seconds:>9.2f}{rows / seconds:>11,.0f}{ratios[name]:>12.3f}x")
    low, high = min(export["round_ratios"]), max(export["round_ratios"])
    print(f"Export / plain dump, round by round: {low:.3f}x to {high:.3f}x.")
    print(f"First byte after {export['first_byte'] * 1000:.0f} ms.")
    print(
        f"Worker memory: anonymous RSS peaked at {export['rss_kb'] / 1024:.1f} MB while streaming (sampled every "
        f"5 ms from /proc); resident high-water mark {export['hwm_kb'] / 1024:.1f} MB (with the mapped database)."
    )
    ok = ratios["plain"] >= RATIO_TARGET
    print(
        f"\nTarget: export rows/s >= {RATIO_TARGET:.2f}x the plain dump's: {ratios['plain']:.3f}x  "
        f"{'PASS' if ok else 'FAIL'}"
    )
    return ok


def cache_mb(cache_size):
    """Return SQLite's page cache limit in MB: a negative cache_size is in KiB, a positive one in pages of 4 KiB."""
    return -cache_size / 1024 if cache_size < 0 else cache_size * 4 / 1024


def memory_run(workdir):
    peaks = {}
    for organisations in MEMORY_SIZES:
        env, database = build(workdir / str(organisations), organisations, {"GUNICORN_CMD_ARGS": LONG_EXPORT_TIMEOUT})
        export, dumps = measure(env, database, repeat=1)
        traced, cache_size = map(int, shell(env, TRACE_SCRIPT).split())
        peaks[organisations] = {"rss": export["rss_kb"] / 1024, "traced": traced / 2**20}
        print(
            f"{organisations:,} organisations: {export['rows']:,} rows in {export['seconds']:.1f} s "
            f"({export['rows'] / export['seconds']:,.0f} rows/s, {export['rows'] / dumps['plain']:,.0f} for the plain "
            "sqlite3 dump); "
            f"worker anonymous RSS peak {export['rss_kb'] / 1024:.1f} MB, high-water mark "
            f"{export['hwm_kb'] / 1024:.1f} MB; Python memory of the export (tracemalloc) {traced / 2**20:.1f} MB"
        )
    small, large = (peaks[size] for size in MEMORY_SIZES)
    print(
        f"\nThe worker's RSS includes SQLite's page cache, up to {cache_mb(cache_size):.0f} MB per connection as the "
        "settings configure it: a small database never fills it, a large one does, whatever reads it."
    )
    passed = True
    for key, label in (("rss", "worker anonymous RSS (gunicorn)"), ("traced", "Python memory of the export")):
        growth = large[key] - small[key]
        ok = growth <= MEMORY_TARGET_MB
        passed &= ok
        print(
            f"Target: {label} at {MEMORY_SIZES[1]:,} rows within {MEMORY_TARGET_MB} MB of that at "
            f"{MEMORY_SIZES[0]:,}: {small[key]:.1f} MB -> {large[key]:.1f} MB, {growth:+.1f} MB  "
            f"{'PASS' if ok else 'FAIL'}"
        )
    return passed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5, help="Rounds of the export and the dumps; the median counts.")
    parser.add_argument(
        "--memory-check",
        action="store_true",
        help=f"Also compare the worker's peak memory exporting {MEMORY_SIZES[0]:,} and {MEMORY_SIZES[1]:,} "
        "organisations (builds both databases: several minutes).",
    )
    parser.add_argument("--clean", action="store_true", help="Delete the temporary databases afterwards.")
    parser.add_argument(
        "--database", type=Path, help="Measure the ratio on a database an earlier run kept instead of a new one."
    )
    args = parser.parse_args()

    if not shutil.which("sqlite3"):
        print("The sqlite3 command-line shell is missing: `apt-get install sqlite3`, then run again.", file=sys.stderr)
        return 2

    workdir = args.database.parent.parent if args.database else Path(tempfile.mkdtemp(prefix="hkai-bench-export-"))
    try:
        passed = ratio_run(workdir / "ratio", args.organisations, args.repeat, args.database)
        if args.memory_check:
            passed &= memory_run(workdir)
    finally:
        if args.clean and not args.database:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"\nDatabases kept in {workdir} (--clean removes them).")
    return 0 if passed else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit("Interrupted: gunicorn stopped.")
