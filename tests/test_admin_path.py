import pytest
from django.urls import reverse

from .factories import make_user
from .test_settings import run_django
from .urlconf import urlconf_with

pytestmark = pytest.mark.django_db


def test_the_admin_is_at_admin_by_default_and_robots_txt_keeps_robots_out(client):
    assert reverse("admin:index") == "/admin/"
    assert reverse("admin:login") == "/admin/login/"
    assert client.get("/admin/login/").status_code == 200
    assert "Disallow: /admin/\n" in client.get("/robots.txt").content.decode()


def test_the_admin_moves_to_the_configured_path_and_sign_in_follows_it(client):
    with urlconf_with(ADMIN_PATH="office-7f3a/"):
        assert reverse("admin:index") == "/office-7f3a/"
        assert client.get("/admin/").status_code == 404
        response = client.get("/office-7f3a/")
        assert response.status_code == 302
        assert response["Location"] == "/office-7f3a/login/?next=/office-7f3a/"
        make_user("editor", is_superuser=True)
        response = client.post(
            "/office-7f3a/login/?next=/office-7f3a/", {"username": "editor", "password": "a-long-test-password"}
        )
        assert response.status_code == 302 and response["Location"] == "/office-7f3a/"
        assert client.get("/office-7f3a/").status_code == 200


def test_robots_txt_does_not_give_away_a_custom_admin_path(client):
    with urlconf_with(ADMIN_PATH="office-7f3a/"):
        text = client.get("/robots.txt").content.decode()
    assert "office-7f3a" not in text and "admin" not in text
    assert text.splitlines()[:2] == ["User-agent: *", "Disallow:"]


@pytest.mark.parametrize(("value", "expected"), [("", "admin/"), ("/back/office/", "back/office/"), (" / ", "admin/")])
def test_the_admin_path_setting_is_normalised(value, expected):
    result = run_django(
        "-c", "import hkai_portal.settings as s; print(s.ADMIN_PATH)", DJANGO_DEBUG="1", DJANGO_ADMIN_PATH=value
    )
    assert result.stdout.strip() == expected, result.stderr
