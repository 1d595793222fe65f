"""Benchmark the sitemap index and a full section page against /robots.txt, built afresh and from the page cache.

Run from the project root:
.venv/bin/python bench/sitemaps.py [--organisations 100000] [--duration 15] [--rounds 5] [--connections 8]
    [--clean | --database PATH]
Exits 0 when every target is met, 1 when one is missed or a page fails, 2 when wrk is missing.
"""

# A command-line benchmark: printing is how it reports.
# ruff: noqa: T201

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import _server
from lists import median_of, ms, run_wrk

BASELINE = "/robots.txt"
INDEX = "/sitemap.xml"
# Met with the page cache off as well as on: the sitemaps must be cheap to build, not only to serve once built.
TARGETS = {"index": 0.1, "section": 0.005}


def section_page():
    """Return the address of the middle page of the organisations' sitemap: full, and deep into the table."""
    from directory.sitemaps import OrganisationSitemap

    pages = OrganisationSitemap().paginator.num_pages
    if pages < 2:
        sys.exit("The organisations' sitemap has a single page: generate more organisations.")
    return f"/sitemap-organisations.xml?p={pages // 2}"


def wait_until_idle(base_url):
    """Return once /robots.txt answers at once twice running: gunicorn's sync workers finish every request wrk left
    in flight (a section page takes a tenth of a second, the index took more than one before issue 11), and the
    next run must not wait behind them."""
    quick = 0
    while quick < 2:
        started = time.perf_counter()
        _server.get(base_url + BASELINE)
        quick = quick + 1 if time.perf_counter() - started < 0.05 else 0


def measure(base_url, paths, duration, connections, rounds):
    """Return {path: [figures of each round]}, each round's ratio to the /robots.txt run just before it (as
    lists.measure does, once the server is idle before every run)."""
    seconds = max(1, round(duration / rounds))
    for path in paths:
        run_wrk(base_url + path, 2, connections)
    results = {path: [] for path in paths}
    for round_number in range(1, rounds + 1):
        print(f"round {round_number} of {rounds} ({seconds} s per run) ...", flush=True)
        for path in paths[1:]:
            wait_until_idle(base_url)
            baseline = run_wrk(base_url + BASELINE, seconds, connections)
            wait_until_idle(base_url)
            figures = run_wrk(base_url + path, seconds, connections)
            results[BASELINE].append(baseline)
            results[path].append(figures | {"ratio": figures["rps"] / baseline["rps"]})
    return results


def report(label, results, section):
    """Print the figures of one run; return the median ratios of the index and the section page, and whether any
    request failed."""
    width = max(len(path) for path in results)
    print(f"\n{label}: medians of {len(results[INDEX])} rounds; ratio: to /robots.txt measured just before")
    print(f"{'URL':<{width}}  {'req/s':>9}  {'ratio':>7}  {'(min-max)':>15}  {'p50':>9}  {'p99':>9}  {'errors':>6}")
    ratios, failed = {}, False
    for path, figures in results.items():
        round_ratios = [round_["ratio"] for round_ in figures if "ratio" in round_] or [1.0]
        ratios[path] = statistics.median(round_ratios)
        spread = f"({min(round_ratios):.3f}-{max(round_ratios):.3f})"
        rps, p50, p99 = (median_of(figures, key) for key in ("rps", "p50", "p99"))
        errors = sum(round_["errors"] for round_ in figures)
        failed |= bool(errors)
        ratio = f"{ratios[path]:>6.3f}x"
        print(f"{path:<{width}}  {rps:>9.1f}  {ratio}  {spread:>15}  {ms(p50):>9}  {ms(p99):>9}  {errors:>6}")
    return {"index": ratios[INDEX], "section": ratios[section]}, failed


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

    workdir = args.database.parent if args.database else Path(tempfile.mkdtemp(prefix="hkai-bench-sitemaps-"))
    env = _server.production_env(args.database or workdir / "bench.sqlite3")
    outcomes = {}
    try:
        if args.database:
            _server.prepare_database(env)
        else:
            _server.build_database(env, args.organisations)
        _server.setup_django(env)
        section = section_page()
        paths = [BASELINE, INDEX, section]
        for label, page_cache in (("Built on every request (DJANGO_PAGE_CACHE=0)", "0"), ("From the page cache", "1")):
            with _server.gunicorn(env | {"DJANGO_PAGE_CACHE": page_cache}, workers=2) as base_url:
                for path in paths:
                    status = _server.get(base_url + path)
                    if status != 200:
                        print(f"GET {path} answered {status}, not 200: not measuring.", file=sys.stderr)
                        return 1
                print(f"\n{label} ...", flush=True)
                results = measure(base_url, paths, args.duration, args.connections, args.rounds)
            outcomes[label] = report(label, results, section)
    finally:
        if args.clean and not args.database:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"\nDatabase kept in {workdir} (--clean removes it).")

    print(f"\nTargets (requests/s relative to /robots.txt, median of the rounds, with no errors; index: {INDEX},")
    print(f"section: {section}):")
    passed = True
    for label, (ratios, errors) in outcomes.items():
        for name, minimum in TARGETS.items():
            ok = ratios[name] >= minimum and not errors
            passed &= ok
            print(f"  {name:<8} {label:<46} >= {minimum:.3f}x  got {ratios[name]:.3f}x  {'PASS' if ok else 'FAIL'}")
    return 0 if passed else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit("Interrupted: gunicorn stopped.")
