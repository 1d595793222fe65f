import datetime
import json
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from directory import database
from directory.bilingual import CHINESE_SUFFIX, STATUS_SUFFIX
from directory.choices import Status
from directory.models import Guidance, Organisation, Programme, Sector, Topic
from directory.revision_recording import grouped

DEMO_CONTENT = Path(__file__).resolve().parents[2] / "demo_content.json"


def _chinese(row, field="name"):
    """A text's Chinese twin and where that Chinese comes from (official: the facts; editorial: translated here)."""
    return {f"{field}_zh_hant": row[f"{field}_zh_hant"], f"{field}_zh_hant_status": row[f"{field}_zh_hant_status"]}


def _date(value):
    return datetime.date.fromisoformat(value) if value else None


def _empty(value):
    return value is None or value == ""


class Command(BaseCommand):
    help = (
        "Load the researched Hong Kong AI organisations, programmes and guidance (directory/demo_content.json) "
        "as published content. New items and relations are added; existing items only gain what is still empty "
        "in them (editors' changes are left alone) unless --update is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("--update", action="store_true", help="Overwrite existing items with the fixture's values.")

    @transaction.atomic
    def handle(self, *args, update=False, **options):
        # Each item's saves and relations are recorded once, as one revision, and all of them together at the end.
        with grouped("Demo content loaded"):
            self.load(update)

    def load(self, update):
        data = json.loads(DEMO_CONTENT.read_text(encoding="utf-8"))
        self.update = update
        self.created = set()
        self.touched = set()
        self.now = timezone.now()
        sectors = {row["slug"]: self._upsert(Sector, row["slug"], self._taxonomy(row)) for row in data["sectors"]}
        topics = {row["slug"]: self._upsert(Topic, row["slug"], self._taxonomy(row)) for row in data["topics"]}

        organisations = {}
        for row in data["organisations"]:
            fields = {
                "name": row["name"],
                **_chinese(row),
                "aliases": row["aliases"],
                "kind": row["kind"],
                "summary": row["summary"],
                **_chinese(row, "summary"),
                "website": row["website"],
                "founded_year": row["founded_year"],
                "source_url": row["source_url"],
            }
            related = {"sectors": [sectors[slug] for slug in row["sectors"]]}
            organisations[row["slug"]] = self._upsert(Organisation, row["slug"], fields, related)
        # Relations between organisations are linked once every organisation exists, so the order does not matter.
        for row in data["organisations"]:
            related = {name: [organisations[slug] for slug in row[name]] for name in ("part_of", "established_by")}
            self._upsert(Organisation, row["slug"], {"parent": organisations.get(row["parent"])}, related)

        programmes = {}
        for row in data["programmes"]:
            fields = {
                "name": row["name"],
                **_chinese(row),
                "aliases": row["aliases"],
                "kind": row["kind"],
                "lead_organisation": organisations.get(row["lead_organisation"]),
                "start_date": _date(row["start_date"]),
                "end_date": _date(row["end_date"]),
                "dates_precision": row["dates_precision"],
                "applications_open_on": _date(row["applications_open_on"]),
                "applications_close_on": _date(row["applications_close_on"]),
                "applications_rolling": row["applications_rolling"],
                "next_intake": row["next_intake"],
                "next_intake_zh_hant": row["next_intake_zh_hant"],
                "summary": row["summary"],
                **_chinese(row, "summary"),
                "website": row["website"],
                "source_url": row["source_url"],
            }
            related = {
                "sectors": [sectors[slug] for slug in row["sectors"]],
                "partners": [organisations[slug] for slug in row["partners"]],
            }
            programmes[row["slug"]] = self._upsert(Programme, row["slug"], fields, related)
        for row in data["programmes"]:
            fields = {name: programmes.get(row[name]) for name in ("part_of", "supersedes")}
            self._upsert(Programme, row["slug"], fields)
        for row in data["organisations"]:
            related = {"part_of_programmes": [programmes[slug] for slug in row["part_of_programmes"]]}
            self._upsert(Organisation, row["slug"], {}, related)

        guidance = {}
        for row in data["guidance"]:
            fields = {
                "title": row["title"],
                **_chinese(row, "title"),
                "publisher": organisations[row["publisher"]],
                "kind": row["kind"],
                "binding": row["binding"],
                "date_published": _date(row["date_published"]),
                "date_precision": row["date_precision"],
                "document_url": row["document_url"],
                "summary": row["summary"],
                **_chinese(row, "summary"),
                "source_url": row["source_url"],
            }
            related = {
                "topics": [topics[slug] for slug in row["topics"]],
                "sectors": [sectors[slug] for slug in row["sectors"]],
                "co_publishers": [organisations[slug] for slug in row["co_publishers"]],
            }
            guidance[row["slug"]] = self._upsert(Guidance, row["slug"], fields, related)
        for row in data["guidance"]:
            self._upsert(Guidance, row["slug"], {"supersedes": guidance.get(row["supersedes"])})

        database.refresh_statistics()
        self.stdout.write(
            f"Demo content: {len(organisations)} organisations, {len(programmes)} programmes and "
            f"{len(guidance)} guidance documents in the fixture; {len(self.created)} items created, "
            f"{len(self.touched - self.created)} existing items updated."
        )

    def _taxonomy(self, row):
        return {"name": row["name"], **_chinese(row)}

    def _wanted(self, obj, fields, full):
        """The fields to write: all that differ for a new item or with --update; otherwise only those still empty
        (an editor who wrote something keeps it), and a Chinese text's status where the text is the fixture's."""
        changed = {
            name: value
            for name, value in fields.items()
            if not name.endswith(STATUS_SUFFIX)
            and getattr(obj, name) != value
            and (full or (_empty(getattr(obj, name)) and not _empty(value) and self._translates(obj, name, fields)))
        }
        for name, value in fields.items():
            text = name.removesuffix(STATUS_SUFFIX)
            if text != name and changed.get(text, getattr(obj, text)) == fields[text] and getattr(obj, name) != value:
                changed[name] = value
        return changed

    @staticmethod
    def _translates(obj, name, fields):
        """Whether the fixture's Chinese for `name` still translates the item's English: not if an editor rewrote it."""
        english = name.removesuffix(CHINESE_SUFFIX)
        return english == name or english not in fields or getattr(obj, english) == fields[english]

    def _upsert(self, model, slug, fields, related=None):
        """Create a missing item as published; fill what an existing one lacks, or overwrite it with --update."""
        key = (model, slug)
        obj = model._default_manager.filter(slug=slug).first()
        if obj is None:
            obj = model(slug=slug)
            if hasattr(obj, "status"):
                obj.status = Status.PUBLISHED
                obj.published_at = self.now
            self.created.add(key)
        full = self.update or key in self.created
        changed = fields if obj.pk is None else self._wanted(obj, fields, full)
        if changed:
            for name, value in changed.items():
                setattr(obj, name, value)
            obj.full_clean()
            obj.save()
            self.touched.add(key)
        for name, values in (related or {}).items():
            manager = getattr(obj, name)
            current = set(manager.all())
            if current != set(values) and (full or not current):
                manager.set(values)
                self.touched.add(key)
        return obj
