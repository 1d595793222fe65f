"""Load-test the production configuration on PostgreSQL: a mix of public pages against /robots.txt, before and after
the page cache.

Run from the project root: .venv/bin/python bench/load.py [--organisations 100000] [--duration 30] [--connections 50]
It creates (and drops, with --clean) the PostgreSQL database hkai_bench_load on 127.0.0.1, and uses the Redis on
127.0.0.1:6379 as the shared cache when it answers. Exits 0 when every target is met, 1 otherwise, 2 without wrk.
"""

# A command-line benchmark: printing is how it reports.
# ruff: noqa: T201

import argparse
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import _server
from lists import ms, run_wrk

DATABASE = "hkai_bench_load"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
REDIS_URL = "redis://127.0.0.1:6379/0"
BASELINE = "/robots.txt"
TARGET_RATIO = 0.5
TARGET_P99_MS = 250


def environment(page_cache, redis):
    env = _server.production_env(DATABASE_URL) | {"DJANGO_PAGE_CACHE": "1" if page_cache else "0"}
    if redis:
        # A prefix of its own per run, so nothing another run cached is served.
        env |= {"REDIS_URL": REDIS_URL, "DJANGO_CACHE_PREFIX": f"bench-load-{secrets.token_hex(4)}"}
    return env


def mix_script(paths, directory):
    """Write a wrk script that sends the paths in turn, so one run measures the whole mix."""
    script = directory / "mix.lua"
    listed = ", ".join(f'"{path}"' for path in paths)
    script.write_text(
        f"local paths = {{{listed}}}\n"
        "local i = 0\n"
        "request = function()\n"
        "  i = i % #paths + 1\n"
        '  return wrk.format("GET", paths[i])\n'
        "end\n"
    )
    return script


def sample_paths():
    from directory.management.commands.generate_synthetic_content import synthetic
    from directory.models import Organisation

    detail = synthetic(Organisation).published().order_by("slug").first()
    return [
        "/en/",
        "/en/organisations/",
        "/en/organisations/?kind=university&sector=education",
        "/en/search/?q=robotics",
        detail.get_absolute_url(),
    ]


def psql(*sql):
    for statement in sql:
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", statement], check=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=30, help="Seconds of load for each measurement.")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--clean", action="store_true", help="Drop the database afterwards.")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is not installed: install it with `apt-get install wrk` and run again.", file=sys.stderr)
        return 2
    redis = subprocess.run(["redis-cli", "-h", "127.0.0.1", "ping"], capture_output=True, text=True).stdout.strip()
    redis = redis == "PONG"

    psql(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)", f"CREATE DATABASE {DATABASE}")
    workdir = Path(tempfile.mkdtemp(prefix="hkai-bench-load-"))
    try:
        _server.build_database(environment(False, redis), args.organisations)
        _server.setup_django(environment(False, redis))
        results = {}
        for label, page_cache in (("before caching", False), ("after caching", True)):
            with _server.gunicorn(environment(page_cache, redis), workers=2) as base_url:
                landings = {path: _server.landing(base_url + path) for path in [BASELINE, *sample_paths()]}
                for path, (status, _landed) in landings.items():
                    if status != 200:
                        print(f"GET {path} did not answer 200: not measuring.", file=sys.stderr)
                        return 1
                # The pages themselves, not the redirects to them (to a language prefix, say): wrk follows none.
                paths = [landed for path, (_status, landed) in landings.items() if path != BASELINE]
                script = mix_script(paths, workdir)
                print(f"wrk {label}: {BASELINE}, then the mix of {len(paths)} pages, {args.duration} s each ...")
                baseline = run_wrk(base_url + BASELINE, args.duration, args.connections)
                results[label] = (baseline, run_wrk(base_url + "/", args.duration, args.connections, script))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        if args.clean:
            # WITH (FORCE): this process still holds the connection it sampled the pages through.
            psql(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")

    print(f"\nPostgreSQL, {args.organisations:,} organisations, gunicorn 2 workers, {args.connections} connections,")
    print(f"cache: {'Redis' if redis else 'local memory'}; the mix: {', '.join(paths)}")
    print(f"\n{'':<16} {'robots req/s':>12} {'mix req/s':>10} {'ratio':>7} {'p50':>9} {'p99':>9} {'errors':>6}")
    for label, (baseline, mix) in results.items():
        print(
            f"{label:<16} {baseline['rps']:>12.1f} {mix['rps']:>10.1f} {mix['rps'] / baseline['rps']:>6.3f}x "
            f"{ms(mix['p50']):>9} {ms(mix['p99']):>9} {mix['errors'] + baseline['errors']:>6}"
        )
    baseline, mix = results["after caching"]
    ratio = mix["rps"] / baseline["rps"]
    checks = [
        (f"cached pages >= {TARGET_RATIO}x /robots.txt", ratio >= TARGET_RATIO, f"{ratio:.3f}x"),
        (f"p99 < {TARGET_P99_MS} ms", mix["p99"] is not None and mix["p99"] < TARGET_P99_MS, ms(mix["p99"])),
        ("no errors", not (mix["errors"] or baseline["errors"]), str(mix["errors"] + baseline["errors"])),
    ]
    print("\nTargets (after caching):")
    for name, ok, got in checks:
        print(f"  {name:<32} got {got:<10} {'PASS' if ok else 'FAIL'}")
    return 0 if all(ok for _name, ok, _got in checks) else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit("Interrupted: gunicorn stopped.")
