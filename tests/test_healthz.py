import multiprocessing
import os
import runpy
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest
from django.db import OperationalError, connection

from .test_settings import PRODUCTION_ENV, ROOT

pytestmark = pytest.mark.django_db
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
SECRET_DETAIL = "db-7.internal.example port 5432 password=hunter2"


def test_healthz_answers_ok_when_the_database_answers_and_is_never_cached(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert "no-store" in response["Cache-Control"]


def test_healthz_answers_head_for_load_balancers_and_refuses_post(client):
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


def test_healthz_answers_503_without_details_when_the_database_is_down(client, monkeypatch, caplog):
    def refuse(*args, **kwargs):
        raise OperationalError(f"could not connect to {SECRET_DETAIL}")

    monkeypatch.setattr(connection, "cursor", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.content == b"unavailable"
    assert "no-store" in response["Cache-Control"]
    # The operator's log has what the public must not see.
    assert SECRET_DETAIL in caplog.text


def test_healthz_is_not_redirected_to_https_so_load_balancers_can_probe_over_http(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/").status_code == 301


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, ("127.0.0.1:8000", multiprocessing.cpu_count() * 2 + 1)),
        ({"WEB_CONCURRENCY": "3", "PORT": "9000"}, ("0.0.0.0:9000", 3)),
        ({"BIND": "unix:/run/hkai.sock", "PORT": "9000"}, ("unix:/run/hkai.sock", multiprocessing.cpu_count() * 2 + 1)),
    ],
)
def test_gunicorn_configuration_takes_workers_and_address_from_the_environment(monkeypatch, env, expected):
    for name in ("WEB_CONCURRENCY", "PORT", "BIND"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert (config["bind"], config["workers"]) == expected
    assert config["accesslog"] == "-" and config["errorlog"] == "-"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.mark.parametrize(
    ("database_url", "status", "body"),
    [
        ("sqlite:///{tmp_path}/db.sqlite3", 200, b"ok"),
        # Nothing listens there: the database is down.
        ("postgres://hkai:hunter2@127.0.0.1:{closed_port}/hkai", 503, b"unavailable"),
    ],
)
def test_gunicorn_with_the_project_configuration_serves_healthz(tmp_path, database_url, status, body):
    port = free_port()
    env = {name: value for name, value in os.environ.items() if not name.startswith(("DJANGO_", "DATABASE_URL"))}
    env |= PRODUCTION_ENV | {
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url.format(tmp_path=tmp_path, closed_port=free_port()),
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
    }
    stdout, stderr = tmp_path / "stdout", tmp_path / "stderr"
    with stdout.open("w") as out, stderr.open("w") as err:
        process = subprocess.Popen(
            [GUNICORN, "--config", "gunicorn.conf.py"], cwd=ROOT, env=env, stdout=out, stderr=err
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, stderr.read_text()
            try:
                answer = get(f"http://127.0.0.1:{port}/healthz")
                break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not answer within 30 s"
                time.sleep(0.2)
        # Over plain HTTP, with debug off and the HTTPS redirect on: the probe is exempt.
        assert answer == (status, body)
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert f'"GET /healthz HTTP/1.1" {status}' in stdout.read_text()
    assert f"Listening at: http://127.0.0.1:{port}" in stderr.read_text()
