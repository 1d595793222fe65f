"""Dataset releases: the whole published directory as CSV (the export format) and JSON, in one dated ZIP per release.

A release is a directory of DATASET_ROOT named by its date. It holds the ZIP, `release.json` (what the release holds,
each file's size and SHA-256, and what changed since the release before) and `fingerprints.json` (a digest of each
item's record, which the next release compares with). Releases are never rewritten: a second one on the same day is
refused, and a release is built under another name and appears whole or not at all.
"""

import datetime
import hashlib
import json
import re
import shutil
import zipfile
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .choices import ExportSource
from .exports import EXPORTS, CsvExport, ExportDefinition, ManyNames, text
from .models import Publishable

RELEASE_NAME = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
MANIFEST = "release.json"
FINGERPRINTS = "fingerprints.json"
CHECKSUMS = "SHA256SUMS"
README = "README.txt"
EXAMPLES = 20  # items named for each kind of change; the counts are whole
COPY_CHUNK = 1 << 16


class ReleaseError(Exception):
    pass


def with_aliases(definition):
    """The export's columns, with the aliases (acronyms, short names) after the Chinese name where a model has them."""
    if not any(field.name == "aliases" for field in definition.model._meta.fields):
        return definition
    columns = list(definition.columns)
    after = next(index for index, column in enumerate(columns) if column.header.endswith("_zh_hant")) + 1
    columns.insert(after, text("aliases"))
    return ExportDefinition(definition.content, definition.model, definition.filterset_class, tuple(columns))


RELEASED = tuple(with_aliases(definition) for definition in EXPORTS.values())

# Columns whose field's label speaks to editors rather than to readers of the data.
SPECIAL_COLUMNS = {
    "id": _("The item's number in the portal. It never changes and is never reused, so it joins releases."),
    "slug": _("The last part of the item's address in the portal."),
    "url": _("The address of the item's page in the portal, in English."),
    "kind": _("The kind of item, as the code the lists' kind filter takes."),
    "status": _("Always “published”: a release holds what readers can see on the day it is made."),
    "published_at": _("When readers could first see the item."),
    "created_at": _("When the item was added to the portal."),
    "updated_at": _("When the item was last changed in the portal."),
}


def data_dictionary():
    """Return, for each released file, its name and (column, meaning) for every column, from the models' own labels."""
    tables = []
    for definition in RELEASED:
        rows = []
        for column in definition.columns:
            if column.header in SPECIAL_COLUMNS:
                rows.append((column.header, SPECIAL_COLUMNS[column.header]))
                continue
            field = definition.model._meta.get_field(column.header)
            meaning = capfirst(field.verbose_name)
            if field.help_text:
                meaning = f"{meaning}: {field.help_text}"
            if isinstance(column, ManyNames):
                meaning = _("%(meaning)s: names, separated by “; ” in the CSV file and a list in the JSON file.") % {
                    "meaning": meaning
                }
            rows.append((column.header, meaning))
        tables.append((definition.content.value, definition.model._meta.verbose_name_plural, rows))
    return tables


def readme(name):
    """The release's README: where it comes from, its licence, and the data dictionary, in English."""
    lines = [
        f"HK AI Portal dataset, release {name}",
        "",
        "Everything the portal publishes: organisations, programmes and ethics guidance, as CSV (UTF-8 with a",
        "byte-order mark) and JSON with the same columns. SHA256SUMS holds each file's SHA-256.",
        "",
        f"Licence of the compilation: {settings.DATASET_LICENCE} ({settings.DATASET_LICENCE_URL}).",
        "The texts and documents of each item's source (source_url) stay under their publishers' own terms.",
    ]
    for file, label, columns in data_dictionary():
        lines += ["", f"{file}.csv, {file}.json ({label})", ""]
        lines += [f"  {column}: {meaning}" for column, meaning in columns]
    return "\n".join(lines) + "\n"


class ReleaseExport(CsvExport):
    """What readers see, naming only published related items whoever runs it."""

    def visible(self, model):
        if issubclass(model, Publishable):
            return model.objects.published()
        return model._default_manager.all()  # sectors and topics have no publication


def dataset_root():
    return Path(settings.DATASET_ROOT)


@dataclass(frozen=True)
class Release:
    name: str
    manifest: dict

    @property
    def date(self):
        return datetime.date.fromisoformat(self.name)

    @property
    def path(self):
        return dataset_root() / self.name

    @property
    def zip(self):
        return self.manifest["zip"]

    @property
    def downloads(self):
        """The file names a reader may fetch from this release."""
        return {self.zip["name"], MANIFEST}

    @property
    def labelled_changes(self):
        """(the kind of item in the reader's language, its changes) for each file of the release."""
        labels = {
            definition.content.value: capfirst(definition.model._meta.verbose_name_plural) for definition in RELEASED
        }
        return [(labels.get(content, content), change) for content, change in self.manifest["changes"].items()]

    @cached_property
    def fingerprints(self):
        return json.loads((self.path / FINGERPRINTS).read_text("utf-8"))


def releases():
    """Every release, newest first."""
    found = []
    root = dataset_root()
    if not root.is_dir():
        return found
    for path in root.iterdir():
        if RELEASE_NAME.match(path.name) and (path / MANIFEST).is_file():
            found.append(Release(path.name, json.loads((path / MANIFEST).read_text("utf-8"))))
    return sorted(found, key=lambda release: release.name, reverse=True)


def get_release(name):
    if not RELEASE_NAME.match(name) or not (dataset_root() / name / MANIFEST).is_file():
        return None
    return Release(name, json.loads((dataset_root() / name / MANIFEST).read_text("utf-8")))


class HashingWriter:
    """A file object for the ZIP that counts and hashes what passes through it."""

    def __init__(self, file):
        self.file, self.digest, self.size = file, hashlib.sha256(), 0

    def write(self, data):
        self.digest.update(data)
        self.size += len(data)
        self.file.write(data)


def file_digest(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(COPY_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def changes_between(old, new):
    """Items added, removed and changed between two fingerprint maps ({id: [digest, name]}), each as a count and the
    first EXAMPLES by id."""

    def summary(ids, names):
        ordered = sorted(ids, key=int)
        return {"count": len(ordered), "examples": [{"id": int(pk), "name": names[pk][1]} for pk in ordered[:EXAMPLES]]}

    common = old.keys() & new.keys()
    return {
        "added": summary(new.keys() - old.keys(), new),
        "removed": summary(old.keys() - new.keys(), old),
        "changed": summary({pk for pk in common if old[pk][0] != new[pk][0]}, new),
    }


def publish(*, base_url, day=None):
    """Make the release of `day` (default: today in Hong Kong) from the published content; return it."""
    day = day or timezone.localdate()
    name = day.isoformat()
    root = dataset_root()
    target = root / name
    if target.exists():
        raise ReleaseError(f"A release of {name} exists already; releases are never rewritten.")
    previous = next((release for release in releases() if release.name < name), None)
    staging = root / f".{name}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        manifest = _build(staging, name, base_url, previous)
        staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return Release(name, manifest)


def _build(staging, name, base_url, previous):
    zip_name = f"hkai-portal-dataset-{name}.zip"
    files, counts, changes, fingerprints = [], {}, {}, {}
    # Page URLs in English, whatever language the command runs in, as the data dictionary says.
    with translation.override("en"), zipfile.ZipFile(staging / zip_name, "w", zipfile.ZIP_DEFLATED) as archive:
        for definition in RELEASED:
            content = definition.content.value
            items = definition.model.objects.published().order_by("pk")
            files.append(_write_csv(archive, definition, items, base_url, name))
            json_file, rows, prints = _write_json(archive, definition, items, base_url, name)
            files.append(json_file)
            counts[content] = rows
            fingerprints[content] = prints
            old = previous.fingerprints.get(content, {}) if previous else {}
            changes[content] = changes_between(old, prints)
        archive.writestr(README, readme(name))
        sums = "".join(f"{file['sha256']}  {file['name']}\n" for file in files).encode()
        archive.writestr(CHECKSUMS, sums)
    zip_path = staging / zip_name
    manifest = {
        "name": name,
        "created_at": timezone.now().isoformat(),
        "licence": {"name": settings.DATASET_LICENCE, "url": settings.DATASET_LICENCE_URL},
        "zip": {"name": zip_name, "bytes": zip_path.stat().st_size, "sha256": file_digest(zip_path)},
        "files": files,
        "counts": counts,
        "previous": previous.name if previous else None,
        "changes": changes,
    }
    (staging / FINGERPRINTS).write_text(json.dumps(fingerprints), "utf-8")
    (staging / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False), "utf-8")
    return manifest


def _export(definition, items, base_url, name):
    return ReleaseExport(
        definition,
        items,
        source=ExportSource.COMMAND,
        filters={"release": [name]},
        base_url=base_url,
        username="publish_dataset",
    )


def _write_csv(archive, definition, items, base_url, name):
    file_name = f"{definition.content.value}.csv"
    export = _export(definition, items, base_url, name)
    with archive.open(file_name, "w") as member:
        writer = HashingWriter(member)
        for data in export.stream():
            writer.write(data)
    return {"name": file_name, "bytes": writer.size, "sha256": writer.digest.hexdigest(), "rows": export.rows_written}


def _write_json(archive, definition, items, base_url, name):
    """Write the rows as a JSON array, one record a line; return the file's entry, its row count and fingerprints."""
    file_name = f"{definition.content.value}.json"
    name_column = definition.columns[1].header  # name, or a guidance document's title
    prints, rows = {}, 0
    with archive.open(file_name, "w") as member:
        writer = HashingWriter(member)
        writer.write(b"[")
        for record in _export(definition, items, base_url, name).records():
            line = json.dumps(record, ensure_ascii=False, cls=DjangoJSONEncoder)
            writer.write((",\n" if rows else "\n").encode() + line.encode("utf-8"))
            prints[str(record["id"])] = [hashlib.sha256(line.encode()).hexdigest()[:16], record[name_column]]
            rows += 1
        writer.write(b"\n]\n")
    entry = {"name": file_name, "bytes": writer.size, "sha256": writer.digest.hexdigest(), "rows": rows}
    return entry, rows, prints
