import datetime

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.db.models import F
from django.test import Client

from .factories import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"
LOGIN = "/admin/login/?next=/admin/"


def sign_in(client, username, password, address="127.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def fail(client, username, times, address="127.0.0.1"):
    return [sign_in(client, username, "wrong password", address) for _ in range(times)]


def signed_in(client):
    return SESSION_KEY in client.session


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Every attempt, failed or not, runs the password hasher: the cheapest one keeps these tests quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def editor():
    return make_user("editor", is_superuser=True)


def test_four_failures_leave_the_login_form_and_the_right_password_still_works(client, editor):
    responses = fail(client, "editor", 4)
    assert [r.status_code for r in responses] == [200] * 4
    assert "Please enter the correct username and password" in responses[-1].content.decode()
    assert sign_in(client, "editor", PASSWORD).status_code == 302
    assert signed_in(client)


def test_the_fifth_failure_locks_the_user_out_with_a_clear_page_not_an_error(client, editor):
    *_, locked = fail(client, "editor", 5)
    assert locked.status_code == 429
    assert locked["Retry-After"] == "900"
    assert "'unsafe-inline'" not in locked["Content-Security-Policy"] and locked["X-Frame-Options"] == "DENY"
    text = locked.content.decode()
    assert "failed 5 times in a row, so it is paused" in text
    assert "Try again in 15 minutes" in text
    assert 'href="/admin/login/"' in text


def test_a_locked_out_user_is_refused_even_with_the_right_password(client, editor):
    fail(client, "editor", 5)
    response = sign_in(client, "editor", PASSWORD)
    assert response.status_code == 429
    assert not signed_in(client)


def test_the_lockout_lives_in_the_database_so_every_host_and_session_sees_it(client, editor):
    fail(client, "editor", 5)
    assert AccessAttempt.objects.get(username="editor").failures_since_start == 5
    another_host = Client()
    assert sign_in(another_host, "editor", PASSWORD).status_code == 429
    assert not signed_in(another_host)


def test_the_right_user_gets_in_after_the_cool_off(client, editor):
    fail(client, "editor", 5)
    assert sign_in(client, "editor", PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - datetime.timedelta(minutes=15, seconds=1))
    response = sign_in(client, "editor", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert signed_in(client)


def test_other_users_and_the_same_user_elsewhere_are_not_locked_out(editor):
    make_user("publisher", is_superuser=True)
    fail(Client(), "editor", 5)
    assert sign_in(Client(), "publisher", PASSWORD).status_code == 302
    # Lockout is by username and address together: guessing from one address does not lock the owner out elsewhere.
    assert sign_in(Client(), "editor", PASSWORD, address="203.0.113.9").status_code == 302


def test_a_successful_sign_in_clears_earlier_failures(client, editor):
    fail(client, "editor", 4)
    assert sign_in(client, "editor", PASSWORD).status_code == 302
    client.logout()
    assert [r.status_code for r in fail(client, "editor", 4)] == [200] * 4
