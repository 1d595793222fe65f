"""Shared by the bench scripts: a throwaway SQLite database (or a PostgreSQL one), served by gunicorn as in
production."""

# A command-line benchmark: printing is how it reports.
# ruff: noqa: T201

import contextlib
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from gunicorn import version_info as gunicorn_version

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"


def production_env(database):
    """Return the environment of a production process (debug off) using `database`: the path of a SQLite file, or a
    database URL (postgres://...) as a string."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("DJANGO_")}
    env |= {
        "DATABASE_URL": database if isinstance(database, str) else f"sqlite:///{database}",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        # The bench speaks plain HTTP to gunicorn, with no TLS-ending proxy in front.
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_LOG_LEVEL": "WARNING",
        # The targets are for pages built from the database on every request, not served from the page cache.
        "DJANGO_PAGE_CACHE": "0",
    }
    env.pop("REDIS_URL", None)
    return env


def create_postgres_database(url):
    """Create the PostgreSQL database that `url` names unless it exists; return whether it was created."""
    import psycopg
    from psycopg import sql

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    # Through the server's maintenance database: a database cannot be created from a connection to itself.
    with psycopg.connect(urllib.parse.urlunsplit(parts._replace(path="/postgres")), autocommit=True) as connection:
        if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return False
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return True


def manage(env, *args):
    started = time.perf_counter()
    print(f"$ manage.py {' '.join(args)}", flush=True)
    subprocess.run([BIN / "python", "manage.py", *args], cwd=ROOT, env=env, check=True)
    print(f"  ({time.perf_counter() - started:.1f} s)", flush=True)


def build_database(env, organisations):
    """Migrate, then load the demo content and `organisations` synthetic organisations (with their programmes)."""
    manage(env, "migrate", "--no-input", "--verbosity", "0")
    manage(env, "load_demo_content")
    manage(env, "generate_synthetic_content", "--organisations", str(organisations))
    collect_static(env)


def prepare_database(env):
    """Bring a database an earlier run built up to this code's migrations."""
    manage(env, "migrate", "--no-input", "--verbosity", "0")
    collect_static(env)


def collect_static(env):
    # With debug off, pages name static files through whitenoise's manifest, which only collectstatic writes.
    manage(env, "collectstatic", "--no-input", "--verbosity", "0")


def setup_django(env):
    """Let this process query the bench database through the ORM."""
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hkai_portal.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url, timeout=30):
    """Return the status code of a GET on `url`, whatever it is."""
    return landing(url, timeout)[0]


def landing(url, timeout=30):
    """Return the status code of a GET on `url` and the path (with its query) it ends on once redirects are followed,
    such as the language prefix an unprefixed address is sent to."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            response.read()
            status, final = response.status, response.geturl()
    except urllib.error.HTTPError as error:
        status, final = error.code, error.geturl()
    parts = urllib.parse.urlsplit(final)
    return status, parts.path + (f"?{parts.query}" if parts.query else "")


@contextlib.contextmanager
def gunicorn(env, workers=2):
    """Run gunicorn on a free port until the block ends, however it ends; yield its base URL."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    command = [BIN / "gunicorn", "hkai_portal.wsgi", "--workers", str(workers), "--bind", f"127.0.0.1:{port}"]
    command += ["--config", ROOT / "bench" / "gunicorn_bench.py", "--log-level", "warning"]
    if gunicorn_version >= (27,):
        # Otherwise every instance, ours and anyone else's, shares the control socket ~/.gunicorn/gunicorn.ctl.
        command.append("--no-control-socket")
    # A session of its own, so Ctrl-C reaches only this script, which then stops gunicorn cleanly.
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with status {process.returncode} before answering")
            try:
                get(base_url + "/robots.txt", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not answer within 30 s") from None
                time.sleep(0.2)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
