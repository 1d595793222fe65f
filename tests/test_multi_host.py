"""Two gunicorn hosts over one PostgreSQL and one Redis, as behind a load balancer: what one host does, the other
shows at once; a session and a lockout made on one hold on the other."""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from django.db import connection

from directory.choices import Status

from .factories import make_organisation, make_user

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "a-long-test-password"

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql" or not os.environ.get("REDIS_URL"),
        reason="needs PostgreSQL and REDIS_URL (CI's PostgreSQL pass has both)",
    ),
]


class Browser:
    """Just enough of a browser: cookies kept by hand (the session cookie is Secure, and these hosts speak plain
    HTTP behind a pretend TLS proxy), CSRF tokens read from forms."""

    def __init__(self):
        self.cookies = {}

    def request(self, url, data=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(url, data=body, headers={"X-Forwarded-Proto": "https"})
        if self.cookies:
            request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if body is not None:
            request.add_header("Referer", url.replace("http://", "https://"))
        opener = urllib.request.build_opener(NoRedirect)
        try:
            response = opener.open(request, timeout=30)
        except urllib.error.HTTPError as error:
            response = error
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, response.read().decode()

    def post_form(self, url, data):
        _status, page = self.request(url)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        return self.request(url, {**data, "csrfmiddlewaretoken": token})


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def collected_static():
    # With debug off, as the hosts run: only then does collectstatic write the manifest their pages need.
    env = {name: value for name, value in os.environ.items() if name != "DJANGO_DEBUG"}
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"], cwd=ROOT, env=env, check=True)


@pytest.fixture
def hosts(collected_static, transactional_db):
    settings = connection.settings_dict
    database_url = f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"
    env = {name: value for name, value in os.environ.items() if not name.startswith("DJANGO_")}
    env |= {
        "DATABASE_URL": database_url,
        "DJANGO_SECRET_KEY": "multi-host-test-secret-key-shared-by-both-hosts-0123456789",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_PAGE_CACHE": "1",
        "DJANGO_CACHE_PREFIX": f"multi-host-{os.getpid()}",
    }
    processes, urls = [], []
    for _host in range(2):
        port = free_port()
        command = [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "hkai_portal.wsgi",
            "--config",
            str(ROOT / "bench" / "gunicorn_bench.py"),
            "--workers",
            "1",
            "--bind",
            f"127.0.0.1:{port}",
        ]
        processes.append(subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.DEVNULL))
        urls.append(f"http://127.0.0.1:{port}")
    try:
        for url in urls:
            deadline = time.monotonic() + 30
            while True:
                try:
                    urllib.request.urlopen(f"{url}/healthz", timeout=2)
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)
        yield urls
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)


def test_a_publish_through_one_host_is_what_readers_of_the_other_get_at_once(hosts):
    first, second = hosts
    draft = make_organisation("Multi Host Lab", status=Status.DRAFT)
    # A superuser: tests that empty the database (as these do) also empty the groups the roles migration made.
    make_user("publisher", is_superuser=True)
    reader = Browser()
    assert "Multi Host Lab" not in reader.request(f"{second}/en/organisations/")[1]  # and now cached in Redis
    publisher = Browser()
    status, _page = publisher.post_form(f"{first}/admin/login/", {"username": "publisher", "password": PASSWORD})
    assert status == 302
    status, _page = publisher.post_form(
        f"{first}/admin/directory/organisation/", {"action": "publish", "_selected_action": draft.pk}
    )
    assert status == 302
    assert "Multi Host Lab" in reader.request(f"{second}/en/organisations/")[1]


def test_a_session_made_on_one_host_holds_on_the_other(hosts):
    first, second = hosts
    make_user("editor", groups=["Editors"])
    editor = Browser()
    status, _page = editor.post_form(f"{first}/admin/login/", {"username": "editor", "password": PASSWORD})
    assert status == 302
    status, page = editor.request(f"{second}/admin/")
    assert status == 200 and "editor" in page.lower()


def test_a_lockout_on_one_host_holds_on_the_other(hosts):
    first, second = hosts
    make_user("editor", groups=["Editors"])
    for _attempt in range(5):
        Browser().post_form(f"{first}/admin/login/", {"username": "editor", "password": "wrong password"})
    status, _page = Browser().post_form(f"{second}/admin/login/", {"username": "editor", "password": PASSWORD})
    assert status == 429
