"""Dataset releases: the published directory as CSV and JSON in a dated ZIP, with checksums and what changed."""

import datetime
import hashlib
import io
import json
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from directory.choices import Status
from directory.datasets import RELEASED, get_release, publish, releases

from .csv_reading import rows
from .factories import make_guidance, make_organisation, make_programme, make_sector

pytestmark = pytest.mark.django_db

FIRST = datetime.date(2026, 3, 1)
SECOND = datetime.date(2026, 4, 1)


@pytest.fixture(autouse=True)
def dataset_root(settings, tmp_path):
    settings.DATASET_ROOT = tmp_path / "datasets"
    return settings.DATASET_ROOT


def release_files(release):
    with zipfile.ZipFile(release.path / release.zip["name"]) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def make_release(day=FIRST):
    return publish(base_url="https://portal.example", day=day)


def test_a_release_holds_every_published_item_as_csv_and_json_and_nothing_else():
    parent = make_organisation("Draft university", status=Status.DRAFT)
    lab = make_organisation("Robotics lab", name_zh_hant="機械人實驗室", aliases="RL; 機實", parent=parent)
    lab.sectors.add(make_sector("Health"))
    make_organisation("Archived lab", status=Status.ARCHIVED)
    make_programme("Sandbox", lead_organisation=lab)
    make_guidance("Principles", publisher=make_organisation("Regulator", kind="regulator"))

    files = release_files(make_release())
    organisations = rows(files["organisations.csv"])
    assert [row["name"] for row in organisations] == ["Robotics lab", "Regulator"]
    robotics = organisations[0]
    assert robotics["name_zh_hant"] == "機械人實驗室"
    assert robotics["aliases"] == "RL; 機實"
    assert robotics["parent"] == ""  # a draft is never named
    assert robotics["url"] == f"https://portal.example/en/organisations/{lab.slug}/"
    records = json.loads(files["organisations.json"])
    assert [record["id"] for record in records] == [int(row["id"]) for row in organisations]
    assert records[0]["sectors"] == ["Health"] and records[0]["parent"] is None
    assert "Draft university" not in files["organisations.json"].decode()
    assert [row["name"] for row in rows(files["programmes.csv"])] == ["Sandbox"]
    assert [row["title"] for row in rows(files["guidance.csv"])] == ["Principles"]


def test_a_releases_csv_and_json_have_the_columns_of_the_data_dictionary():
    make_programme("Sandbox")
    files = release_files(make_release())
    for definition in RELEASED:
        name = definition.content.value
        csv_header = files[f"{name}.csv"].decode("utf-8-sig").split("\r\n", 1)[0].split(",")
        assert csv_header == definition.header
        for record in json.loads(files[f"{name}.json"]):
            assert list(record) == definition.header


def test_a_release_is_formula_safe_in_csv_and_exact_in_json():
    make_organisation('=HYPERLINK("http://evil.example")', summary="+1 and more")
    files = release_files(make_release())
    assert files["organisations.csv"].startswith(b"\xef\xbb\xbf")
    row = rows(files["organisations.csv"])[0]
    assert row["name"].startswith("'=") and row["summary"].startswith("'+")
    record = json.loads(files["organisations.json"])[0]
    assert record["name"] == '=HYPERLINK("http://evil.example")'


def test_a_releases_checksums_verify():
    make_organisation("Lab")
    release = make_release()
    archive = release.path / release.zip["name"]
    assert hashlib.sha256(archive.read_bytes()).hexdigest() == release.zip["sha256"]
    assert archive.stat().st_size == release.zip["bytes"]
    files = release_files(release)
    listed = dict(line.split("  ")[::-1] for line in files["SHA256SUMS"].decode().splitlines())
    assert set(listed) == {f"{definition.content.value}.{ext}" for definition in RELEASED for ext in ("csv", "json")}
    for name, digest in listed.items():
        assert hashlib.sha256(files[name]).hexdigest() == digest
    assert {entry["name"]: entry["sha256"] for entry in release.manifest["files"]} == listed
    assert "CC BY 4.0" in files["README.txt"].decode()


def test_a_release_says_what_changed_since_the_previous_one():
    kept = make_organisation("Kept lab")
    edited = make_organisation("Edited lab")
    withdrawn = make_organisation("Withdrawn lab")
    first = make_release(FIRST)
    assert first.manifest["previous"] is None
    assert first.manifest["changes"]["organisations"]["added"]["count"] == 3

    edited.summary = "Now with a summary"
    edited.save()
    withdrawn.status = Status.ARCHIVED
    withdrawn.save()
    added = make_organisation("New lab")
    second = make_release(SECOND)
    changes = second.manifest["changes"]["organisations"]
    assert second.manifest["previous"] == FIRST.isoformat()
    assert changes["added"] == {"count": 1, "examples": [{"id": added.pk, "name": "New lab"}]}
    assert changes["removed"] == {"count": 1, "examples": [{"id": withdrawn.pk, "name": "Withdrawn lab"}]}
    assert changes["changed"] == {"count": 1, "examples": [{"id": edited.pk, "name": "Edited lab"}]}
    assert kept.pk not in {item["id"] for kind in changes.values() for item in kind["examples"]}


def test_a_release_is_never_rewritten_and_older_ones_stay():
    make_organisation("Lab")
    first = make_release(FIRST)
    before = (first.path / first.zip["name"]).read_bytes()
    call_command("publish_dataset", stdout=io.StringIO())
    with pytest.raises(CommandError, match="exists already"):
        call_command("publish_dataset", stdout=io.StringIO())  # today's, again
    make_organisation("Second lab")
    make_release(SECOND)
    names = [release.name for release in releases()]
    assert names == sorted(names, reverse=True) and len(names) == 3
    assert (first.path / first.zip["name"]).read_bytes() == before


def test_the_data_page_lists_releases_newest_first_with_their_licence(client, settings):
    settings.DATASET_LICENCE = "CC BY 4.0"
    make_organisation("Lab")
    make_release(FIRST)
    make_organisation("Second lab")
    make_release(SECOND)
    page = client.get("/en/data/").content.decode()
    assert page.index("1 April 2026") < page.index("1 March 2026")
    assert 'rel="license"' in page and "CC BY 4.0" in page
    assert "1 added, 0 removed, 0 changed" in page
    for definition in RELEASED:
        for header in definition.header:
            assert f"<code>{header}</code>" in page


def test_the_data_page_is_translated(client):
    page = client.get("/zh-hant/data/").content.decode()
    assert "開放數據" in page


def test_the_data_page_says_when_there_is_no_release(client):
    assert "No release has been made yet." in client.get("/en/data/").content.decode()


def test_a_releases_zip_and_manifest_download_and_nothing_else_does(client):
    make_organisation("Lab")
    release = make_release()
    download = client.get(f"/data/releases/{release.name}/{release.zip['name']}")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    assert hashlib.sha256(b"".join(download.streaming_content)).hexdigest() == release.zip["sha256"]
    manifest = client.get(f"/data/releases/{release.name}/release.json")
    assert json.loads(b"".join(manifest.streaming_content))["zip"]["sha256"] == release.zip["sha256"]
    for path in (
        f"/data/releases/{release.name}/fingerprints.json",
        "/data/releases/2026-13-45/release.json",
        f"/data/releases/..%2F{release.name}/release.json",
        "/data/releases/latest/release.json",
    ):
        assert client.get(path).status_code == 404, path


def test_a_release_is_built_whole_or_not_at_all(monkeypatch, dataset_root):
    make_organisation("Lab")

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("directory.datasets._write_json", broken)
    with pytest.raises(OSError):
        make_release()
    assert releases() == [] and get_release(FIRST.isoformat()) is None
    assert list(dataset_root.iterdir()) == []  # no partial release left behind
