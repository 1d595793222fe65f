import datetime
import json
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from directory import database
from directory.choices import Status
from directory.models import Guidance, Organisation, Programme, Sector, Topic

DEMO_CONTENT = Path(__file__).resolve().parents[2] / "demo_content.json"


def _names(row):
    """The name in English and, where the facts give it, in Chinese (empty otherwise: pages fall back to English)."""
    return {"name": row["name"], "name_zh_hant": row.get("name_zh_hant", "")}


def _date(value):
    return datetime.date.fromisoformat(value) if value else None


class Command(BaseCommand):
    help = (
        "Load the researched Hong Kong AI organisations, programmes and guidance (directory/demo_content.json) "
        "as published content. Items that already exist are left as editors left them unless --update is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("--update", action="store_true", help="Overwrite existing items with the fixture's values.")

    @transaction.atomic
    def handle(self, *args, update=False, **options):
        data = json.loads(DEMO_CONTENT.read_text(encoding="utf-8"))
        self.update = update
        self.touched = set()
        self.now = timezone.now()
        sectors = {row["slug"]: self._upsert(Sector, row["slug"], _names(row)) for row in data["sectors"]}
        topics = {row["slug"]: self._upsert(Topic, row["slug"], _names(row)) for row in data["topics"]}

        organisations = {}
        for row in data["organisations"]:
            fields = {
                **_names(row),
                "aliases": row.get("aliases", ""),
                "kind": row["kind"],
                "summary": row["summary"],
                "website": row["website"],
                "founded_year": row["founded_year"],
                "source_url": row["source_url"],
            }
            related = {"sectors": [sectors[slug] for slug in row["sectors"]]}
            organisations[row["slug"]] = self._upsert(Organisation, row["slug"], fields, related)
        # Parents are linked once every organisation exists, so the fixture's order does not matter.
        for row in data["organisations"]:
            self._upsert(Organisation, row["slug"], {"parent": organisations.get(row["parent"])})

        for row in data["programmes"]:
            fields = {
                **_names(row),
                "aliases": row.get("aliases", ""),
                "kind": row["kind"],
                "lead_organisation": organisations.get(row["lead_organisation"]),
                "start_date": _date(row["start_date"]),
                "end_date": _date(row["end_date"]),
                "dates_precision": row["dates_precision"],
                "summary": row["summary"],
                "website": row["website"],
                "source_url": row["source_url"],
            }
            related = {
                "sectors": [sectors[slug] for slug in row["sectors"]],
                "partners": [organisations[slug] for slug in row["partners"]],
            }
            self._upsert(Programme, row["slug"], fields, related)

        guidance = {}
        for row in data["guidance"]:
            fields = {
                "title": row["title"],
                "title_zh_hant": row["title_zh_hant"],
                "publisher": organisations[row["publisher"]],
                "kind": row["kind"],
                "binding": row["binding"],
                "date_published": _date(row["date_published"]),
                "date_precision": row["date_precision"],
                "document_url": row["document_url"],
                "summary": row["summary"],
                "source_url": row["source_url"],
            }
            related = {
                "topics": [topics[slug] for slug in row["topics"]],
                "sectors": [sectors[slug] for slug in row["sectors"]],
            }
            guidance[row["slug"]] = self._upsert(Guidance, row["slug"], fields, related)
        for row in data["guidance"]:
            self._upsert(Guidance, row["slug"], {"supersedes": guidance.get(row["supersedes"])})

        database.refresh_statistics()
        self.stdout.write(
            f"Demo content: {len(organisations)} organisations, {len(data['programmes'])} programmes and "
            f"{len(guidance)} guidance documents in the fixture; {len(self.touched)} items created or updated."
        )

    def _upsert(self, model, slug, fields, related=None):
        """Create a missing item as published; change an existing one only with --update, and save only on change."""
        obj = model._default_manager.filter(slug=slug).first()
        if obj is None:
            obj = model(slug=slug)
            if hasattr(obj, "status"):
                obj.status = Status.PUBLISHED
                obj.published_at = self.now
            self.touched.add((model, slug))
        elif not self.update and (model, slug) not in self.touched:
            return obj
        is_new = obj.pk is None
        changed = fields if is_new else {name: value for name, value in fields.items() if getattr(obj, name) != value}
        if changed:
            for name, value in changed.items():
                setattr(obj, name, value)
            obj.full_clean()
            obj.save()
            self.touched.add((model, slug))
        for name, values in (related or {}).items():
            manager = getattr(obj, name)
            if set(manager.all()) != set(values):
                manager.set(values)
                self.touched.add((model, slug))
        return obj
