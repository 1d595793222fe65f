import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import RequestFactory

pytestmark = pytest.mark.django_db


def test_demo_accounts_are_refused_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="development only"):
        call_command("create_demo_accounts")


def test_demo_accounts_get_one_role_each_and_their_printed_passwords_work(settings):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("create_demo_accounts", stdout=out)
    passwords = {line.split(":")[0]: line.split()[2] for line in out.getvalue().splitlines()}
    for username, group in (("editor", "Editors"), ("publisher", "Publishers"), ("exporter", "Exporters")):
        # django-axes counts sign-ins per address, so authentication needs the request they come from.
        user = authenticate(RequestFactory().post("/"), username=username, password=passwords[username])
        assert user is not None and user.is_staff
        assert list(user.groups.values_list("name", flat=True)) == [group]


def test_running_demo_accounts_again_keeps_passwords_and_prints_none(settings):
    settings.DEBUG = True
    call_command("create_demo_accounts", stdout=io.StringIO())
    out = io.StringIO()
    call_command("create_demo_accounts", stdout=out)
    assert "password" not in out.getvalue().replace("password unchanged", "")
