"""Small factory functions: each makes one valid object, with keyword arguments for what a test cares about."""

import itertools

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from directory.choices import Status
from directory.models import Guidance, Organisation, Programme, Sector, Topic
from directory.roles import role_permissions

_counter = itertools.count(1)


def _published(fields):
    fields.setdefault("status", Status.PUBLISHED)
    if fields["status"] == Status.PUBLISHED:
        fields.setdefault("published_at", timezone.now() - timezone.timedelta(days=1))
    return fields


def make_sector(name=None, **fields):
    return Sector.objects.create(name=name or f"Sector {next(_counter)}", **fields)


def make_topic(name=None, **fields):
    return Topic.objects.create(name=name or f"Topic {next(_counter)}", **fields)


def make_organisation(name=None, **fields):
    fields.setdefault("kind", "university")
    return Organisation.objects.create(name=name or f"Organisation {next(_counter)}", **_published(fields))


def make_programme(name=None, **fields):
    fields.setdefault("kind", "funding_scheme")
    return Programme.objects.create(name=name or f"Programme {next(_counter)}", **_published(fields))


def make_guidance(title=None, **fields):
    fields.setdefault("kind", "guidance")
    if "publisher" not in fields:
        fields["publisher"] = make_organisation(kind="regulator")
    return Guidance.objects.create(title=title or f"Guidance {next(_counter)}", **_published(fields))


def role_group(name):
    """The role's group as migrations made it, made again if a transactional test's flush removed it."""
    group, created = Group.objects.get_or_create(name=name)
    if created:
        codenames = role_permissions(name)
        group.permissions.set(Permission.objects.filter(content_type__app_label="directory", codename__in=codenames))
    return group


def make_user(username=None, groups=(), **fields):
    fields.setdefault("is_staff", True)
    user = get_user_model().objects.create_user(
        username=username or f"user{next(_counter)}", password="a-long-test-password", **fields
    )
    user.groups.set([role_group(name) for name in groups])
    return user
