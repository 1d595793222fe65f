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


PROXY = "10.0.0.2"


def sign_in(client, username, password, address="127.0.0.1", forwarded_for=None):
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address, headers=headers)


def fail(client, username, times, address="127.0.0.1", forwarded_for=None):
    return [sign_in(client, username, "wrong password", address, forwarded_for) for _ in range(times)]


def signed_in(client):
    return SESSION_KEY in client.session


def minutes_pass(minutes, seconds=0):
    """Move every recorded attempt back in time, as if the clock had moved on."""
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - datetime.timedelta(minutes=minutes, seconds=seconds))


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
    assert "Try again in 15 minutes. Attempts before then are refused without being counted" in text
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
    minutes_pass(15, seconds=1)
    response = sign_in(client, "editor", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert signed_in(client)


def test_attempts_during_a_lockout_do_not_make_it_longer(client, editor):
    fail(client, "editor", 5)
    minutes_pass(10)
    assert [r.status_code for r in fail(client, "editor", 3)] == [429] * 3
    assert sign_in(client, "editor", PASSWORD).status_code == 429
    minutes_pass(5, seconds=1)
    assert sign_in(client, "editor", PASSWORD).status_code == 302


def test_the_lockout_page_counts_down_to_the_end_of_the_pause(client, editor):
    fail(client, "editor", 5)
    minutes_pass(10, seconds=30)
    refused = sign_in(client, "editor", PASSWORD)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "270"
    assert "Try again in 5 minutes." in refused.content.decode()


def test_a_lockout_made_from_several_user_agents_lasts_the_cool_off_from_the_failure_that_started_it(editor):
    fail(Client(HTTP_USER_AGENT="agent one"), "editor", 3)
    minutes_pass(10)
    *_, locked = fail(Client(HTTP_USER_AGENT="agent two"), "editor", 2)
    assert locked.status_code == 429
    # axes keeps a record per user agent; the first one's failures are now 15 minutes old.
    minutes_pass(5, seconds=1)
    assert sign_in(Client(), "editor", PASSWORD).status_code == 429
    minutes_pass(10)
    assert sign_in(Client(), "editor", PASSWORD).status_code == 302


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


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "counted"),
    [
        (0, None, PROXY),
        (0, "198.51.100.7", PROXY),
        (1, "198.51.100.7", "198.51.100.7"),
        (1, "203.0.113.66, 198.51.100.7", "198.51.100.7"),
        (1, "not an address, 198.51.100.7", "198.51.100.7"),
        (1, None, PROXY),
        (2, "198.51.100.7, 10.0.0.1", "198.51.100.7"),
        (2, "203.0.113.66, 198.51.100.7, 10.0.0.1", "198.51.100.7"),
        # Fewer entries than proxies: the request skipped one, so only the peer's address is known.
        (2, "198.51.100.7", PROXY),
    ],
)
def test_the_address_counted_is_the_one_the_outermost_trusted_proxy_saw(settings, proxies, forwarded_for, counted):
    settings.TRUSTED_PROXIES = proxies
    fail(Client(), "editor", 1, address=PROXY, forwarded_for=forwarded_for)
    assert AccessAttempt.objects.get().ip_address == counted


def test_behind_a_trusted_proxy_clients_it_forwards_are_counted_apart(settings, editor):
    settings.TRUSTED_PROXIES = 1
    *_, locked = fail(Client(), "editor", 5, address=PROXY, forwarded_for="198.51.100.7")
    assert locked.status_code == 429
    assert sign_in(Client(), "editor", PASSWORD, address=PROXY, forwarded_for="198.51.100.8").status_code == 302


def test_behind_a_trusted_proxy_a_forged_leftmost_address_neither_frees_nor_locks_anyone(settings, editor):
    settings.TRUSTED_PROXIES = 1
    victim, attacker = "198.51.100.8", "198.51.100.7"
    fail(Client(), "editor", 5, address=PROXY, forwarded_for=f"{victim}, {attacker}")
    forged_again = sign_in(Client(), "editor", PASSWORD, address=PROXY, forwarded_for=f"203.0.113.66, {attacker}")
    assert forged_again.status_code == 429
    assert sign_in(Client(), "editor", PASSWORD, address=PROXY, forwarded_for=victim).status_code == 302


def test_guessing_across_usernames_from_one_address_pauses_that_address_and_no_other(editor):
    usernames = ["editor", "publisher", "exporter", "admin", "root", "staff", "office", "hkai"]
    sprayer = "198.51.100.7"
    statuses = [fail(Client(), username, 1, address=sprayer)[0].status_code for _ in range(4) for username in usernames]
    assert statuses == [200] * 19 + [429] * 13
    paused = sign_in(Client(), "editor", PASSWORD, address=sprayer)
    assert paused.status_code == 429
    assert "Signing in from your address failed 20 times recently, whatever the username" in paused.content.decode()
    assert sign_in(Client(), "editor", PASSWORD, address="198.51.100.8").status_code == 302


def test_an_address_pause_lasts_the_cool_off_from_the_failure_that_started_it(editor):
    sprayer = "198.51.100.7"
    for username in ("one", "two"):
        fail(Client(), username, 4, address=sprayer)
    minutes_pass(10)
    for username in ("three", "four", "five"):
        fail(Client(), username, 4, address=sprayer)
    assert sign_in(Client(), "editor", PASSWORD, address=sprayer).status_code == 429
    # The first eight failures are now 15 minutes old, but the pause started with the twentieth.
    minutes_pass(5, seconds=1)
    assert sign_in(Client(), "editor", PASSWORD, address=sprayer).status_code == 429
    minutes_pass(10)
    assert sign_in(Client(), "editor", PASSWORD, address=sprayer).status_code == 302


def test_signing_in_to_ones_own_account_does_not_clear_an_addresses_failures_with_other_usernames(editor):
    sprayer = "198.51.100.7"
    for username in ("one", "two", "three", "four"):
        fail(Client(), username, 4, address=sprayer)
    fail(Client(), "editor", 3, address=sprayer)
    assert sign_in(Client(), "editor", PASSWORD, address=sprayer).status_code == 302
    assert fail(Client(), "five", 4, address=sprayer)[-1].status_code == 429


def test_without_a_trusted_proxy_x_forwarded_for_neither_hides_a_sprayer_nor_pauses_the_address_it_names(editor):
    sprayer, named = "203.0.113.5", "198.51.100.8"
    forged = [f"198.51.100.{n}" for n in range(20)]
    statuses = [
        sign_in(Client(), f"user{n}", "wrong", sprayer, address).status_code for n, address in enumerate(forged)
    ]
    assert statuses == [200] * 19 + [429]
    assert AccessAttempt.objects.filter(ip_address=sprayer).count() == 20
    assert sign_in(Client(), "editor", PASSWORD, address=named).status_code == 302


def test_a_username_guessed_at_from_many_addresses_gets_one_try_per_address_and_its_owner_still_gets_in(editor):
    statuses = [r.status_code for n in range(5) for r in fail(Client(), "editor", 4, address=f"198.51.100.{n}")]
    assert statuses == [200] * 19 + [429]
    paused = sign_in(Client(), "editor", "wrong password", address="198.51.100.5")
    assert paused.status_code == 429
    assert "each address gets one try for now. It failed from yours" in paused.content.decode()
    assert sign_in(Client(), "publisher", "wrong password", address="198.51.100.6").status_code == 200
    assert sign_in(Client(), "editor", PASSWORD, address="203.0.113.9").status_code == 302
