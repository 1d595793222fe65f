import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": "production-like-secret-key-3f9c1e7a5b2d8046a1c9e3f7b5d2a8c4e6f0b1d3",
    "DJANGO_ALLOWED_HOSTS": "portal.example.hk",
}


def run_django(*args, **env):
    base = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_URL"))}
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=120
    )


def test_settings_refuse_to_load_with_debug_off_and_no_secret_key():
    result = run_django("-c", "import hkai_portal.settings")
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "DJANGO_SECRET_KEY is not set: set it (or DJANGO_DEBUG=1 for development) to start the portal."
    ]


@pytest.mark.parametrize("count", ["-1", "one", "1.5"])
def test_settings_refuse_a_trusted_proxy_count_that_is_not_a_whole_number(count):
    result = run_django("-c", "import hkai_portal.settings", DJANGO_TRUSTED_PROXIES=count, **PRODUCTION_ENV)
    assert result.returncode != 0
    message = f"DJANGO_TRUSTED_PROXIES must be a whole number, 0 or more, not {count!r}."
    assert result.stderr.strip().splitlines() == [message]


def test_settings_load_in_development_without_a_secret_key():
    result = run_django("-c", "import hkai_portal.settings as s; print(s.DEBUG)", DJANGO_DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


@pytest.mark.parametrize("database_url", [None, "postgres://postgres@127.0.0.1:5432/hkai"])
def test_check_deploy_has_no_warnings_with_production_settings(database_url):
    env = dict(PRODUCTION_ENV, **({"DATABASE_URL": database_url} if database_url else {}))
    result = run_django("manage.py", "check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_sqlite_database_runs_in_wal_mode(tmp_path):
    script = (
        "import django; django.setup(); from django.db import connection; c = connection.cursor(); "
        "print(connection.vendor, c.execute('PRAGMA journal_mode').fetchone()[0])"
    )
    result = run_django(
        "-c",
        script,
        DJANGO_SETTINGS_MODULE="hkai_portal.settings",
        DJANGO_DEBUG="1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'wal.sqlite3'}",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["sqlite", "wal"]


def test_static_files_use_compressed_manifest_storage_with_debug_off():
    script = "import hkai_portal.settings as s; print(s.STORAGES['staticfiles']['BACKEND'])"
    result = run_django("-c", script, **PRODUCTION_ENV)
    assert result.stdout.strip() == "whitenoise.storage.CompressedManifestStaticFilesStorage"
