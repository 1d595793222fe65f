"""Benchmark the public organisation list against /robots.txt, on a production-like gunicorn and a large database.

Run from the project root:
.venv/bin/python bench/lists.py [--organisations 100000] [--duration 15] [--rounds 5] [--connections 8]
    [--clean | --database PATH]
Exits 0 when every target is met, 1 when one is missed or a page fails, 2 when wrk is missing.
"""

# A command-line benchmark: printing is how it reports.
# ruff: noqa: T201

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import _server

BASELINE = "/robots.txt"
LIST = "/en/organisations/"
# Matches the vocabulary of generate_synthetic_content: about 8% universities (most in education), 4% robotics.
FILTERED = "/en/organisations/?kind=university&sector=education&q=robotics"
# Programmes by state, alone and combined with other filters and a later page (about 40% of programmes are open).
STATE = "/en/programmes/?state=open"
STATE_COMBINED = "/en/programmes/?state=open&state=upcoming&kind=funding_scheme&sector=finance&page=3"
# Past the 500-page cap: page 500 of the list by name; and within a broad filter (30% of the items) by another sort,
# reported without a target: its facets and sort read every matching row, whatever the page.
DEEP = "/en/organisations/?page=4000"
DEEP_FILTERED = "/en/organisations/?kind=startup&sort=founded&page=4000"
TARGETS = {LIST: 0.03, FILTERED: 0.02, STATE: 0.02, STATE_COMBINED: 0.02, DEEP: 0.02}
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3, "h": 3600e3}


def parse_wrk(output):
    """Return requests/s, p50 and p99 latency (ms, None if missing) and errors from wrk --latency's output."""

    def latency(percentile):
        match = re.search(rf"^\s+{percentile}%\s+([\d.]+)(us|ms|s|m|h)\s*$", output, re.MULTILINE)
        return float(match.group(1)) * UNITS[match.group(2)] if match else None

    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    non_2xx_3xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = sum(map(int, socket_errors.groups())) if socket_errors else 0
    errors += int(non_2xx_3xx.group(1)) if non_2xx_3xx else 0
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": latency(50),
        "p99": latency(99),
        "errors": errors,
    }


def run_wrk(url, duration, connections, script=None):
    """Drive `url` with wrk (with a Lua `script`, if given, choosing each request) and return parse_wrk's figures."""
    command = ["wrk", "--latency", "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "10s"]
    command += ["-s", str(script), url] if script else [url]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    return parse_wrk(result.stdout)


def sample_urls():
    """Return the paths to measure, after checking the filtered list has something to show."""
    from directory.management.commands.generate_synthetic_content import synthetic
    from directory.models import Organisation

    organisations = synthetic(Organisation).published()
    matches = (
        organisations.filter(kind="university", sectors__slug="education", name__icontains="robotics")
        .distinct()
        .count()
    )
    if not matches:
        sys.exit(f"No synthetic organisation matches {FILTERED}: generate more organisations.")
    print(f"{matches} published synthetic organisations match {FILTERED}")
    detail = organisations.filter(parent__isnull=False, sectors__isnull=False).order_by("slug").first()
    return [BASELINE, LIST, FILTERED, STATE, STATE_COMBINED, DEEP, DEEP_FILTERED, detail.get_absolute_url()]


def ms(value):
    return "-" if value is None else f"{value:.1f}ms"


def measure(base_url, paths, duration, connections, rounds):
    """Return {path: [figures of each round]}, each round's ratio to the /robots.txt run just before it.

    The machine's speed drifts (other tenants, CPU frequency) over seconds to minutes: a baseline measured once at
    the start can be a different machine from the one that serves the page. Short runs of the baseline and the page
    back to back, repeated, let each ratio compare like with like; the median of the rounds is reported.
    """
    seconds = max(1, round(duration / rounds))
    for path in paths:  # warm every worker's caches (templates, SQLite pages) before anything counts
        run_wrk(base_url + path, 2, connections)
    results = {path: [] for path in paths}
    for round_number in range(1, rounds + 1):
        print(f"round {round_number} of {rounds} ({seconds} s per run) ...", flush=True)
        for path in paths[1:]:
            # Requests of the last run that wrk gave up on may still hold the workers: the baseline starts once they
            # are done, or it would measure them.
            drain(base_url, connections)
            baseline = run_wrk(base_url + BASELINE, seconds, connections)
            figures = run_wrk(base_url + path, seconds, connections)
            results[BASELINE].append(baseline)
            results[path].append(figures | {"ratio": figures["rps"] / baseline["rps"]})
    return results


def drain(base_url, connections):
    """Return once every worker answers again: one request per connection the last run may have left queued."""
    for _ in range(connections):
        _server.get(base_url + BASELINE)


def median_of(rounds, key):
    values = [figures[key] for figures in rounds if figures[key] is not None]
    return statistics.median(values) if values else None


def report(results):
    width = max(len(path) for path in results)
    print(f"\nMedians of {len(results[FILTERED])} rounds; ratio: to /robots.txt measured just before, in each round")
    print(f"{'URL':<{width}}  {'req/s':>9}  {'ratio':>7}  {'(min-max)':>15}  {'p50':>9}  {'p99':>9}  {'errors':>6}")
    for path, rounds in results.items():
        ratios = [figures["ratio"] for figures in rounds if "ratio" in figures]
        ratio = f"{statistics.median(ratios):>6.3f}x" if ratios else f"{1:>6.3f}x"
        spread = f"({min(ratios):.3f}-{max(ratios):.3f})" if ratios else ""
        rps, p50, p99 = (median_of(rounds, key) for key in ("rps", "p50", "p99"))
        errors = sum(figures["errors"] for figures in rounds)
        print(f"{path:<{width}}  {rps:>9.1f}  {ratio}  {spread:>15}  {ms(p50):>9}  {ms(p99):>9}  {errors:>6}")
    print("\nTargets (requests/s relative to /robots.txt, median of the rounds, with no errors):")
    passed = True
    for path, minimum in TARGETS.items():
        ratio = statistics.median(figures["ratio"] for figures in results[path])
        ok = ratio >= minimum and not any(figures["errors"] for figures in results[path])
        passed &= ok
        print(f"  {path:<{width}}  >= {minimum:.2f}x  got {ratio:.3f}x  {'PASS' if ok else 'FAIL'}")
    return passed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=15, help="Seconds of load per URL, over all rounds.")
    parser.add_argument("--rounds", type=int, default=5, help="Alternations of the baseline and each URL.")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--clean", action="store_true", help="Delete the temporary database afterwards.")
    parser.add_argument("--database", type=Path, help="Measure a database an earlier run kept instead of a new one.")
    args = parser.parse_args()

    if not shutil.which("wrk"):
        print("wrk is not installed: install it with `apt-get install wrk` and run again.", file=sys.stderr)
        return 2

    workdir = args.database.parent if args.database else Path(tempfile.mkdtemp(prefix="hkai-bench-lists-"))
    env = _server.production_env(args.database or workdir / "bench.sqlite3")
    try:
        if args.database:
            _server.prepare_database(env)
        else:
            _server.build_database(env, args.organisations)
        _server.setup_django(env)
        paths = sample_urls()
        with _server.gunicorn(env, workers=2) as base_url:
            for path in paths:
                status = _server.get(base_url + path)
                if status != 200:
                    print(f"GET {path} answered {status}, not 200: not measuring.", file=sys.stderr)
                    return 1
            results = measure(base_url, paths, args.duration, args.connections, args.rounds)
        passed = report(results)
    finally:
        if args.clean and not args.database:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"\nDatabase kept in {workdir} (--clean removes it).")
    return 0 if passed else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit("Interrupted: gunicorn stopped.")
