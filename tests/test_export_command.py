import io
import os

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from directory import exports
from directory.choices import Status
from directory.models import ExportRecord

from .csv_reading import BOM, column, content
from .factories import make_guidance, make_organisation, make_programme, make_sector, make_user

pytestmark = pytest.mark.django_db


class Terminal(io.StringIO):
    def isatty(self):
        return True


@pytest.fixture
def catalogue():
    education = make_sector("Education", slug="education")
    for number in range(9):
        organisation = make_organisation(
            f"Robotics {number % 4}",
            kind=("university", "startup")[number % 2],
            status=(Status.PUBLISHED, Status.PUBLISHED, Status.DRAFT)[number % 3],
            founded_year=2000 + number,
        )
        organisation.sectors.set([education] if number % 2 else [])
        make_programme(f"Scheme {number}", lead_organisation=organisation)
        make_guidance(f"Code {number}", publisher=organisation)


EXPORTS = {"organisation": "organisations", "programme": "programmes", "guidance": "guidance"}


def arguments(params):
    """Return the command's arguments for the list export's query parameters."""
    result = []
    for key, values in params.items():
        for value in [values] if isinstance(values, str) else values:
            result.append(f"--publication={value}" if key == "publication" else f"--filter={key}={value}")
    return result


def run(*args, stderr=None):
    call_command("export_csv", *args, stderr=stderr or io.StringIO())


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("organisation", {}),
        ("organisation", {"kind": ["university", "startup"], "sector": "education", "sort": "founded"}),
        ("organisation", {"q": "robotics", "publication": "all"}),
        ("programme", {"publication": "draft"}),
        ("guidance", {"sort": "title", "publication": "all"}),
    ],
)
def test_command_writes_the_same_bytes_as_the_list_export(client, catalogue, tmp_path, monkeypatch, name, params):
    monkeypatch.setattr(exports, "CHUNK_SIZE", 2)
    client.force_login(make_user(groups=["Exporters"]))
    response = client.get(reverse(f"directory:{name}-export"), params)
    from_view = content(response)
    output = tmp_path / "export.csv"
    run(EXPORTS[name], *arguments(params), "--output", str(output), "--base-url", "http://testserver")
    assert output.read_bytes() == from_view
    from_list, from_command = ExportRecord.objects.order_by("pk")
    assert from_command.source == "command" and from_command.user is None
    assert (from_command.filters, from_command.row_count) == (from_list.filters, from_list.row_count)


def test_command_records_the_export_with_its_row_count(catalogue, tmp_path):
    output = tmp_path / "organisations.csv"
    run("organisations", "--filter", "kind=university", "--output", str(output))
    record = ExportRecord.objects.get()
    assert record.row_count == len(column(output.read_bytes(), "id")) == 3
    assert record.complete
    assert record.filters == {"kind": ["university"], "publication": ["published"]}


def test_command_item_urls_start_with_the_base_url(catalogue, tmp_path):
    output = tmp_path / "organisations.csv"
    run("organisations", "--output", str(output), "--base-url", "https://portal.example.hk/")
    urls = column(output.read_bytes(), "url")
    assert urls and all(url.startswith("https://portal.example.hk/en/organisations/") for url in urls)


def test_command_shows_progress_only_on_a_terminal(catalogue, tmp_path, monkeypatch):
    monkeypatch.setattr(exports, "CHUNK_SIZE", 2)
    output = str(tmp_path / "organisations.csv")
    piped = io.StringIO()
    run("organisations", "--output", output, stderr=piped)
    assert "rows" not in piped.getvalue()
    terminal = Terminal()
    run("organisations", "--output", output, stderr=terminal)
    assert "\r[" in terminal.getvalue()
    assert "6/6 rows" in terminal.getvalue()


@pytest.mark.parametrize("argument", ["nonsense=1", "kind", "=university"])
def test_command_refuses_filters_the_list_does_not_have(argument):
    with pytest.raises(CommandError, match="KEY=VALUE"):
        run("organisations", "--filter", argument)


def test_command_warns_of_filter_values_it_ignores(catalogue, tmp_path):
    stderr = io.StringIO()
    run("organisations", "--filter", "year_min=soon", "--output", str(tmp_path / "out.csv"), stderr=stderr)
    assert "Ignored Founded from" in stderr.getvalue()


@pytest.fixture
def umask_022():
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_command_writes_a_file_only_its_owner_can_read_and_only_once_complete(
    catalogue, tmp_path, monkeypatch, umask_022
):
    monkeypatch.setattr(exports, "CHUNK_SIZE", 2)
    output = tmp_path / "drafts.csv"
    seen = []
    stream = exports.CsvExport.stream

    def watched(export):
        for data in stream(export):
            yield data
            seen.append({path.name: path.stat().st_mode & 0o777 for path in tmp_path.iterdir()})

    monkeypatch.setattr(exports.CsvExport, "stream", watched)
    run("organisations", "--publication", "draft", "--output", str(output))
    assert len(seen) > 2
    assert all(files == {"drafts.csv.partial": 0o600} for files in seen)
    assert list(tmp_path.iterdir()) == [output]
    assert output.stat().st_mode & 0o777 == 0o600


def test_command_replaces_an_older_file_with_a_private_one(catalogue, tmp_path, umask_022):
    output = tmp_path / "organisations.csv"
    output.write_bytes(b"an older export")
    output.chmod(0o644)
    run("organisations", "--output", str(output))
    assert output.read_bytes().startswith(BOM)
    assert output.stat().st_mode & 0o777 == 0o600


def test_command_that_fails_leaves_an_older_file_as_it_was_and_no_partial_one(catalogue, tmp_path, monkeypatch):
    output = tmp_path / "organisations.csv"
    output.write_bytes(b"an older export")

    def broken(export):
        yield b"the first bytes"
        raise OSError("disk full")

    monkeypatch.setattr(exports.CsvExport, "stream", broken)
    with pytest.raises(OSError, match="disk full"):
        run("organisations", "--output", str(output))
    assert list(tmp_path.iterdir()) == [output]
    assert output.read_bytes() == b"an older export"
