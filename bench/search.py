"""Benchmark text search against /robots.txt: every query of a query set, on the three lists and the site search,
served by a production-like gunicorn from a large database, SQLite or PostgreSQL.

Run from the project root:
.venv/bin/python bench/search.py [--organisations 100000] [--duration 3] [--rounds 3] [--connections 8]
    [--queries bench/search_queries.txt] [--clean | --database PATH | --database-url postgres://...]
Exits 0 when both targets are met, 1 when one is missed or a query fails, 2 when wrk is missing.
"""

# A command-line benchmark: printing is how it reports.
# ruff: noqa: T201

import argparse
import math
import shutil
import statistics
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

import _server
from lists import drain, median_of, ms, run_wrk

BASELINE = "/robots.txt"
QUERIES = Path(__file__).resolve().parent / "search_queries.txt"
# Of the slowest query and of the median query, as ratios of requests/s to /robots.txt.
TARGETS = {"slowest": 0.005, "median": 0.03}
WORKERS = 2
# A run of a few answers measures when wrk stopped rather than the page: a slow query's runs last long enough for
# this many (at the warm-up's latency), up to MAX_SECONDS, which gives a query at the slowest target about 30.
MIN_REQUESTS = 24
MAX_SECONDS = 6


def read_queries(path):
    """Return [(path as sent, path as written, class)] from the query file: `<path> # <class>` per line."""
    queries = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        written, separator, label = line.partition(" # ")
        if not separator or not written.startswith("/"):
            sys.exit(f"{path}:{number}: expected `<path> # <class>`, got {line!r}")
        # wrk and urllib send the path as given: spaces, quotes and Chinese must be percent-encoded.
        queries.append((urllib.parse.quote(written.strip(), safe="/?&=%"), written.strip(), label.strip()))
    return queries


def variant(path):
    parameters = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)
    if parameters.get("page") == ["3"]:
        return "page 3"
    return "with a filter" if set(parameters) - {"q", "page"} else "alone"


def check_content():
    """Exit unless the database holds the synthetic vocabulary the queries are written for."""
    from directory.management.commands.generate_synthetic_content import synthetic
    from directory.models import Organisation

    organisations = synthetic(Organisation)
    total = organisations.count()
    chinese = organisations.exclude(name_zh_hant="").count()
    aliased = organisations.exclude(aliases="").count()
    if not (chinese and aliased):
        sys.exit(
            f"{total} synthetic organisations, {chinese} with a Chinese name, {aliased} with aliases: the database "
            "was built before generate_synthetic_content wrote Chinese and aliases; build a new one."
        )
    print(f"{total} synthetic organisations: {chinese} with a Chinese name, {aliased} with aliases")


def check_answers(base_url, queries):
    """Return whether every query answers 200 itself, not through a redirect (wrk follows none)."""
    ok = True
    for path, written, _label in [(BASELINE, BASELINE, ""), *queries]:
        status, landed = _server.landing(base_url + path)
        if status != 200 or landed != path:
            print(f"GET {written} answered {status} (at {landed}), not 200: not measuring.", file=sys.stderr)
            ok = False
    return ok


def warm(base_url, path):
    """Return the latency of `path` (seconds) once warm: the faster of one request per worker, the first of each
    paying for what a worker builds once (templates, SQLite's page cache)."""
    latencies = []
    for _ in range(WORKERS):
        started = time.perf_counter()
        _server.get(base_url + path)
        latencies.append(time.perf_counter() - started)
    return min(latencies)


def plan(latency, seconds, connections):
    """Return the seconds and connections of a query's runs, from its latency.

    wrk's connections beyond the workers only queue, and when a run stops, the workers still answer every request
    queued, which the next baseline must wait for: seconds for a slow query. So a query too slow to answer
    MIN_REQUESTS in `seconds` on all connections is driven with one connection per worker, which keeps the workers
    as busy, and for longer.
    """
    if MIN_REQUESTS * latency / WORKERS <= seconds:
        return seconds, connections
    return min(MAX_SECONDS, max(seconds, math.ceil(MIN_REQUESTS * latency / WORKERS))), WORKERS


def measure(base_url, paths, duration, connections, rounds):
    """Return {path: [figures of each round]}, each query's ratio to the /robots.txt run just before it: as
    bench/lists.py measures (see its measure), in shorter runs, a slow query's lengthened (see plan)."""
    seconds = max(1, round(duration / rounds))
    print(f"warming {len(paths)} queries ...", flush=True)
    runs = {path: plan(warm(base_url, path), seconds, connections) for path in paths}
    total = rounds * sum(seconds + run_seconds for run_seconds, _connections in runs.values())
    slow = sum(run_connections < connections for _seconds, run_connections in runs.values())
    print(
        f"{rounds} rounds of {len(paths)} queries, each after {seconds} s of {BASELINE}; {slow} slow queries on "
        f"{WORKERS} connections: about {total // 60 + 1} min",
        flush=True,
    )
    results = {path: [] for path in [BASELINE, *paths]}
    for round_number in range(1, rounds + 1):
        print(f"round {round_number} of {rounds} ...", flush=True)
        for path in paths:
            # Requests of the last run may still hold the workers: the baseline starts once they are done.
            drain(base_url, connections)
            baseline = run_wrk(base_url + BASELINE, seconds, connections)
            figures = run_wrk(base_url + path, *runs[path])
            if not figures["rps"]:
                # No answer within the run (slower than MAX_SECONDS): wrk then prints latencies of 0.
                figures |= {"p50": None, "p99": None}
            results[BASELINE].append(baseline)
            results[path].append(figures | {"ratio": figures["rps"] / baseline["rps"]})
    return results


def report(results, queries):
    """Print every query's figures and the targets; return whether both are met with no errors."""
    rounds = len(results[BASELINE]) // len(queries)
    width = max(len(label) + len(variant(path)) for path, _written, label in queries) + 2

    def row(ratio, spread, figures, described, written):
        rps, p50, p99 = (median_of(figures, key) for key in ("rps", "p50", "p99"))
        errors = sum(round_["errors"] for round_ in figures)
        print(
            f"{ratio:>6.3f}x  {spread:>13}  {rps:>8.1f}  {ms(p50):>9}  {ms(p99):>9}  {errors:>6}  "
            f"{described:<{width}}  {written}"
        )
        return errors

    print(f"\nMedians of {rounds} rounds; ratio: to {BASELINE} measured just before, in each round")
    header = f"{'ratio':>7}  {'(min-max)':>13}  {'req/s':>8}  {'p50':>9}  {'p99':>9}  {'errors':>6}"
    print(f"{header}  {'class':<{width}}  URL")
    errors = row(1, "", results[BASELINE], "baseline", BASELINE)
    medians = {}
    for path, written, label in queries:
        ratios = [round_["ratio"] for round_ in results[path]]
        medians[path] = statistics.median(ratios)
        spread = f"({min(ratios):.3f}-{max(ratios):.3f})"
        errors += row(medians[path], spread, results[path], f"{label}, {variant(path)}", written)

    slowest = min(queries, key=lambda query: medians[query[0]])
    got = {"slowest": medians[slowest[0]], "median": statistics.median(medians.values())}
    print(f"\nTargets (requests/s relative to {BASELINE}, median of the rounds, over {len(queries)} queries):")
    passed = not errors
    for name, minimum in TARGETS.items():
        ok = got[name] >= minimum
        passed &= ok
        print(f"  {name + ' query':<14} >= {minimum:.3f}x  got {got[name]:.3f}x  {'PASS' if ok else 'FAIL'}")
    print(f"    the slowest: {slowest[1]} ({slowest[2]}, {variant(slowest[0])})")
    print(f"  {'errors':<14} {'0':>10}  got {errors:<6} {'PASS' if not errors else 'FAIL'}")
    return passed


def open_database(args, workdir):
    """Return the environment of the database to measure, built first unless an earlier run left it."""
    if args.database_url:
        env = _server.production_env(args.database_url)
        fresh = _server.create_postgres_database(args.database_url)
    else:
        database = args.database or workdir / "bench.sqlite3"
        database.parent.mkdir(parents=True, exist_ok=True)
        env = _server.production_env(database)
        fresh = not database.exists()
    if fresh:
        _server.build_database(env, args.organisations)
    else:
        _server.prepare_database(env)
    return env


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=3, help="Seconds of load per query, over all rounds.")
    parser.add_argument("--rounds", type=int, default=3, help="Alternations of the baseline and each query.")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--queries", type=Path, default=QUERIES, help="The query set: `<path> # <class>` per line.")
    parser.add_argument("--clean", action="store_true", help="Delete the temporary database afterwards.")
    databases = parser.add_mutually_exclusive_group()
    databases.add_argument(
        "--database", type=Path, help="A SQLite file: measured if it exists (an earlier run kept it), else built there."
    )
    databases.add_argument(
        "--database-url",
        help="A PostgreSQL database (postgres://user@host:port/name): measured if it exists, else created and built.",
    )
    args = parser.parse_args()
    if args.database_url and urllib.parse.urlsplit(args.database_url).scheme not in ("postgres", "postgresql"):
        parser.error("--database-url takes a postgres:// URL; give a SQLite file with --database.")

    if not shutil.which("wrk"):
        print("wrk is not installed: install it with `apt-get install wrk` and run again.", file=sys.stderr)
        return 2

    queries = read_queries(args.queries)
    temporary = not (args.database or args.database_url)
    workdir = Path(tempfile.mkdtemp(prefix="hkai-bench-search-")) if temporary else None
    try:
        env = open_database(args, workdir)
        _server.setup_django(env)
        check_content()
        with _server.gunicorn(env, workers=WORKERS) as base_url:
            if not check_answers(base_url, queries):
                return 1
            paths = [path for path, _written, _label in queries]
            results = measure(base_url, paths, args.duration, args.connections, args.rounds)
        passed = report(results, queries)
    finally:
        if args.clean and temporary:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"\nDatabase kept: {args.database_url or args.database or workdir}")
    return 0 if passed else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit("Interrupted: gunicorn stopped.")
