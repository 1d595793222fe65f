import io
import shutil

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from directory.models import Organisation

from .factories import make_organisation, make_sector

# pg_dump and pg_restore work in sessions of their own: they only see what is committed.
pytestmark = pytest.mark.django_db(transaction=True)

needs_pg_dump = pytest.mark.skipif(
    connection.vendor == "postgresql" and shutil.which("pg_dump") is None,
    reason="pg_dump is not installed (postgresql-client)",
)
SUFFIX = {"postgresql": ".dump", "sqlite": ".sqlite3"}[connection.vendor]


def backup(**options):
    call_command("backup_database", stdout=io.StringIO(), **options)


def restore(path, **options):
    call_command("restore_database", str(path), interactive=False, stdout=io.StringIO(), **options)


def names():
    return sorted(Organisation.objects.values_list("name", flat=True))


@needs_pg_dump
def test_a_restore_brings_back_the_content_as_it_was_when_backed_up(tmp_path):
    education = make_sector("Education")
    kept = make_organisation("Harbour University")
    kept.sectors.set([education])
    changed = make_organisation("Kowloon Lab", summary="As it was.")
    path = tmp_path / f"before{SUFFIX}"
    backup(output=path)

    kept.delete()
    changed.summary = "Changed after the backup."
    changed.save()
    make_organisation("Added after the backup")
    assert names() == ["Added after the backup", "Kowloon Lab"]

    restore(path)
    assert names() == ["Harbour University", "Kowloon Lab"]
    assert Organisation.objects.get(name="Kowloon Lab").summary == "As it was."
    assert list(Organisation.objects.get(name="Harbour University").sectors.all()) == [education]


@needs_pg_dump
def test_a_backup_is_readable_by_its_owner_only(tmp_path):
    path = tmp_path / f"backup{SUFFIX}"
    backup(output=path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert list(tmp_path.iterdir()) == [path]


@needs_pg_dump
def test_backups_go_to_the_backups_folder_by_default(settings, tmp_path):
    settings.BASE_DIR = tmp_path
    backup()
    (path,) = (tmp_path / "backups").iterdir()
    assert path.name.startswith(f"{connection.vendor}-") and path.suffix == SUFFIX


def test_a_backup_never_overwrites_a_file(tmp_path):
    path = tmp_path / f"existing{SUFFIX}"
    path.write_bytes(b"keep me")
    with pytest.raises(CommandError, match="already exists"):
        backup(output=path)
    assert path.read_bytes() == b"keep me"


@pytest.mark.parametrize("content", [b"", b"not a backup at all", b"PGDMP\x01\x0e", b"SQLite format 3\x00"])
def test_a_restore_refuses_a_file_that_is_not_a_backup_of_this_kind_of_database(tmp_path, content):
    make_organisation("Still here")
    path = tmp_path / "wrong"
    # Each database accepts its own header only: the other one is as wrong as garbage.
    own_header = {"postgresql": b"PGDMP", "sqlite": b"SQLite format 3\x00"}[connection.vendor]
    if content.startswith(own_header):
        content = b"X" + content
    path.write_bytes(content)
    with pytest.raises(CommandError, match="cannot be restored into this database"):
        restore(path)
    assert names() == ["Still here"]


def test_a_restore_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="is not a file"):
        restore(tmp_path / "missing.dump")


@needs_pg_dump
def test_a_restore_asks_first_and_changes_nothing_unless_told_yes(tmp_path, monkeypatch):
    path = tmp_path / f"empty{SUFFIX}"
    backup(output=path)
    make_organisation("Added after the backup")
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="cancelled"):
        call_command("restore_database", str(path), stdout=io.StringIO())
    assert names() == ["Added after the backup"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump runs on PostgreSQL only")
@needs_pg_dump
def test_a_failed_pg_dump_says_why_and_leaves_no_file(tmp_path, monkeypatch):
    monkeypatch.setitem(connection.settings_dict, "NAME", "no_such_database_for_hkai")
    path = tmp_path / "backup.dump"
    with pytest.raises(CommandError, match='(?s)pg_dump failed.*"no_such_database_for_hkai" does not exist'):
        backup(output=path)
    assert list(tmp_path.iterdir()) == []
