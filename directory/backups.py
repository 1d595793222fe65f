"""Consistent copies of the database, and bringing one back: pg_dump / pg_restore on PostgreSQL, SQLite's backup API."""

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing

from django.core.management import CommandError
from django.db import connection

SUFFIXES = {"postgresql": ".dump", "sqlite": ".sqlite3"}
# The first bytes of each kind of file, so a restore refuses the wrong file before it touches the database.
HEADERS = {"postgresql": b"PGDMP", "sqlite": b"SQLite format 3\x00"}
DESCRIPTIONS = {"postgresql": "a pg_dump custom-format archive", "sqlite": "an SQLite database file"}
CLIENT_FLAGS = (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER"))


def supported_vendor():
    """Return the default database's vendor, refusing any other than PostgreSQL and SQLite."""
    if connection.vendor not in SUFFIXES:
        raise CommandError(f"Backups support PostgreSQL and SQLite, not {connection.vendor}.")
    return connection.vendor


def backup(path):
    """Write a consistent copy of the default database to `path`, which must not exist yet."""
    vendor = supported_vendor()
    if path.exists():
        raise CommandError(f"{path} already exists: choose another path.")
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written under another name and renamed when complete, so a failed run never leaves a file that looks like a
    # good backup; private from the start, since a dump holds password hashes and sessions.
    partial = path.with_name(f"{path.name}.partial")
    partial.unlink(missing_ok=True)
    partial.touch(mode=0o600)
    try:
        if vendor == "postgresql":
            run_client("pg_dump", "--format=custom", f"--file={partial}")
        else:
            connection.ensure_connection()
            with closing(sqlite3.connect(partial)) as target:
                # One step: the source stays read-locked throughout, so the copy is of a single moment.
                connection.connection.backup(target)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


def restore(path):
    """Replace everything in the default database with the backup at `path`."""
    vendor = check_backup(path)
    if vendor == "postgresql":
        # One transaction: a restore that fails half-way leaves the database as it was.
        run_client("pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", str(path))
    else:
        connection.ensure_connection()
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as source:
            source.backup(connection.connection)


def check_backup(path):
    """Return the vendor if `path` is a backup of this kind of database, else refuse."""
    vendor = supported_vendor()
    if not path.is_file():
        raise CommandError(f"{path} is not a file.")
    with path.open("rb") as file:
        header = file.read(len(HEADERS[vendor]))
    if header != HEADERS[vendor]:
        raise CommandError(f"{path} is not {DESCRIPTIONS[vendor]}, so it cannot be restored into this database.")
    return vendor


def run_client(program, *arguments):
    """Run a PostgreSQL client program against the default database, or raise CommandError with what it said."""
    if shutil.which(program) is None:
        raise CommandError(f"{program} is not installed: install the PostgreSQL client (Debian: postgresql-client).")
    settings = connection.settings_dict
    # Django's own mapping for dbshell turns the password and TLS options into libpq's environment variables, so the
    # password never appears on a command line that `ps` shows.
    _, variables = connection.client.settings_to_cmd_args_env(settings, [])
    # --no-password: fail at once rather than wait for a password nobody is there to type.
    command = [program, *arguments, "--no-password", f"--dbname={settings['NAME']}"]
    command += [f"{flag}={settings[key]}" for flag, key in CLIENT_FLAGS if settings.get(key)]
    result = subprocess.run(
        command, env={**os.environ, **(variables or {})}, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise CommandError(f"{program} failed (exit status {result.returncode}):\n{result.stderr.strip()}")
