import datetime
import random
import re
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.text import slugify

from directory import database
from directory.choices import DatePrecision, GuidanceKind, OrganisationKind, ProgrammeKind, Status
from directory.models import Guidance, Organisation, Programme, Sector, Topic

NAME_PREFIX = "[Synthetic] "
SLUG_PREFIX = "synthetic-"
SOURCE_URL = "https://example.invalid/synthetic"
BATCH_SIZE = 2000

DEFAULT_SECTORS = ["finance", "healthcare", "transport", "education", "public_services", "logistics"]
DEFAULT_TOPICS = [
    "data_privacy",
    "fairness",
    "transparency",
    "accountability",
    "security",
    "human_oversight",
    "generative_ai",
    "consumer_protection",
    "governance",
]

PLACES = [
    "Kowloon", "Sha Tin", "Tsuen Wan", "Wan Chai", "Central", "Tai Po", "Sai Kung", "Mong Kok",
    "Kwun Tong", "Cyberport", "Science Park", "Lantau", "Aberdeen", "Tuen Mun", "Yuen Long", "Causeway Bay",
]  # fmt: skip
# 25 fields, so a search for any one of them (q=robotics) matches about 4% of the names.
FIELDS = [
    "Robotics", "Vision", "Language", "Fintech", "Health", "Data", "Logistics", "Security", "Learning",
    "Analytics", "Mobility", "Cloud", "Sensing", "Speech", "Imaging", "Quantum", "Automation", "Insight",
    "Smart City", "Biotech", "Edge", "Neural", "Maritime", "Retail", "Legal",
]  # fmt: skip
AUDIENCES = [
    "hospitals", "banks", "schools", "the public sector", "retailers", "insurers", "port operators",
    "small businesses", "researchers", "transport operators",
]  # fmt: skip

# Weighted roughly like a real directory: many startups and centres, few regulators.
ORGANISATION_KINDS = {
    OrganisationKind.STARTUP: 30,
    OrganisationKind.RESEARCH_CENTRE: 20,
    OrganisationKind.FINANCIAL_INSTITUTION: 12,
    OrganisationKind.INDUSTRY_BODY: 10,
    OrganisationKind.UNIVERSITY: 8,
    OrganisationKind.INTERNATIONAL: 7,
    OrganisationKind.GOVERNMENT: 5,
    OrganisationKind.INCUBATOR: 5,
    OrganisationKind.REGULATOR: 3,
}
NAME_SUFFIXES = {
    OrganisationKind.GOVERNMENT: "Office",
    OrganisationKind.REGULATOR: "Authority",
    OrganisationKind.UNIVERSITY: "University",
    OrganisationKind.RESEARCH_CENTRE: "Lab",
    OrganisationKind.INCUBATOR: "Hub",
    OrganisationKind.STARTUP: "Technologies",
    OrganisationKind.FINANCIAL_INSTITUTION: "Bank",
    OrganisationKind.INDUSTRY_BODY: "Association",
    OrganisationKind.INTERNATIONAL: "Forum",
}
# Most universities list education, and so on, so combined filters (kind + sector) find something.
LIKELY_SECTOR = {
    OrganisationKind.UNIVERSITY: "education",
    OrganisationKind.FINANCIAL_INSTITUTION: "finance",
    OrganisationKind.REGULATOR: "public_services",
    OrganisationKind.GOVERNMENT: "public_services",
}
STATUSES = [Status.PUBLISHED] * 18 + [Status.DRAFT, Status.ARCHIVED]


def synthetic(model):
    """Return the synthetic items of `model`: all three marks must match, so real content is never caught."""
    name_field = "title" if model is Guidance else "name"
    return model._default_manager.filter(
        slug__startswith=SLUG_PREFIX, source_url=SOURCE_URL, **{f"{name_field}__startswith": NAME_PREFIX}
    )


def next_number(model):
    """Return the number after the highest synthetic slug, so repeated runs never collide."""
    # Numbers are zero-padded in slugs, so the highest slug carries the highest number.
    last = synthetic(model).order_by("-slug").values_list("slug", flat=True).first()
    match = re.match(rf"{SLUG_PREFIX}(\d+)-", last or "")
    return int(match.group(1)) + 1 if match else 1


def slug_for(number, words):
    return f"{SLUG_PREFIX}{number:08d}-{slugify(words)}"


class Command(BaseCommand):
    help = (
        "Create synthetic organisations, programmes and guidance for load tests and benchmarks. Every item is "
        "marked: its name starts with '[Synthetic] ', its slug with 'synthetic-', its source URL is "
        f"{SOURCE_URL}. --delete removes earlier synthetic items first (add --organisations 0 to only delete)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--organisations", type=int, default=1000, help="Default: 1000.")
        parser.add_argument("--programmes", type=int, help="Default: a tenth of the organisations.")
        parser.add_argument("--guidance", type=int, help="Default: a twentieth of the organisations.")
        parser.add_argument("--seed", type=int, default=1, help="The same seed makes the same content. Default: 1.")
        parser.add_argument("--delete", action="store_true", help="Delete earlier synthetic items first.")

    def handle(self, *args, organisations, programmes, guidance, seed, delete, **options):
        programmes = organisations // 10 if programmes is None else programmes
        guidance = organisations // 20 if guidance is None else guidance
        if min(organisations, programmes, guidance) < 0:
            raise CommandError("Counts cannot be negative.")
        self.rng = random.Random(seed)
        self.now = timezone.now()
        self.today = timezone.localdate()
        started = time.perf_counter()
        with transaction.atomic():
            deleted = self.delete_synthetic() if delete else 0
            sectors, topics = self.taxonomies()
            self.create_organisations(organisations, sectors)
            # Published organisations lead and publish, so detail pages link to pages readers can open.
            organisations_qs = synthetic(Organisation).order_by("pk")
            pool = list(organisations_qs.published().values_list("pk", "kind")) or list(
                organisations_qs.values_list("pk", "kind")
            )
            if (programmes or guidance) and not pool:
                raise CommandError("Programmes and guidance need synthetic organisations: add some.")
            self.create_programmes(programmes, pool, sectors)
            self.create_guidance(guidance, pool, sectors, topics)
        database.refresh_statistics()
        parts = [f"deleted {deleted} synthetic items"] if delete else []
        if organisations or programmes or guidance or not delete:
            parts.append(
                f"created {organisations} synthetic organisations, {programmes} programmes and {guidance} guidance "
                f"documents (seed {seed})"
            )
        self.stdout.write(f"{'; '.join(parts).capitalize()} in {time.perf_counter() - started:.1f} s.")

    def delete_synthetic(self):
        # Guidance and programmes first: they protect the organisations they point to.
        try:
            return sum(
                synthetic(model).delete()[1].get(model._meta.label, 0) for model in (Guidance, Programme, Organisation)
            )
        except ProtectedError as error:
            raise CommandError(f"Real content points to synthetic items, so nothing was deleted: {error}") from error

    def taxonomies(self):
        """Return sector and topic ids by slug, creating a few only when a taxonomy is empty."""
        result = []
        for model, defaults in ((Sector, DEFAULT_SECTORS), (Topic, DEFAULT_TOPICS)):
            if not model.objects.exists():
                for slug in defaults:
                    model.objects.get_or_create(slug=slug, defaults={"name": slug.replace("_", " ").capitalize()})
            result.append(dict(model.objects.order_by("slug").values_list("slug", "pk")))
        return result

    def publication(self):
        """Return a status and a matching published_at: published and archived items were published in the past."""
        status = self.rng.choice(STATUSES)
        if status == Status.DRAFT:
            return {"status": status, "published_at": None}
        return {"status": status, "published_at": self.now - datetime.timedelta(minutes=self.rng.randint(1, 5_000_000))}

    def common(self):
        verified = self.rng.random() < 0.7
        return {
            **self.publication(),
            "source_url": SOURCE_URL,
            "last_verified_on": self.today - datetime.timedelta(days=self.rng.randint(0, 700)) if verified else None,
        }

    def create_organisations(self, count, sectors):
        kinds, weights = list(ORGANISATION_KINDS), list(ORGANISATION_KINDS.values())
        first = next_number(Organisation)
        objects, sector_ids = [], []
        for index in range(count):
            number = first + index
            kind = self.rng.choices(kinds, weights)[0]
            field = self.rng.choice(FIELDS)
            words = f"{self.rng.choice(PLACES)} {field} {NAME_SUFFIXES[kind]}"
            summary = (
                f"Synthetic test data, not a real organisation: a fictional {kind.label.lower()} working on "
                f"{field.lower()} for {self.rng.choice(AUDIENCES)}."
            )
            founded = None if self.rng.random() < 0.15 else self.rng.randint(1950, self.today.year)
            objects.append(
                Organisation(
                    name=f"{NAME_PREFIX}{words} {number}",
                    slug=slug_for(number, words),
                    kind=kind,
                    summary=summary,
                    founded_year=founded,
                    **self.common(),
                )
            )
            chosen = set(self.rng.sample(list(sectors.values()), min(len(sectors), self.rng.choice((0, 1, 1, 2, 3)))))
            if LIKELY_SECTOR.get(kind) in sectors and self.rng.random() < 0.6:
                chosen.add(sectors[LIKELY_SECTOR[kind]])
            sector_ids.append(sorted(chosen))

        # Universities go in first: bulk_create returns their pks (SQLite and PostgreSQL), so about a fifth of the
        # others can belong to one without a second pass of updates.
        universities = [obj for obj in objects if obj.kind == OrganisationKind.UNIVERSITY]
        Organisation.objects.bulk_create(universities, batch_size=BATCH_SIZE)
        parents = [obj.pk for obj in universities if obj.status == Status.PUBLISHED]
        others = [obj for obj in objects if obj.kind != OrganisationKind.UNIVERSITY]
        for obj in others:
            if parents and self.rng.random() < 0.22:
                obj.parent_id = self.rng.choice(parents)
        Organisation.objects.bulk_create(others, batch_size=BATCH_SIZE)
        self.link(Organisation.sectors.through, "organisation", "sector", objects, sector_ids)

    def dates(self):
        """Return a start and an end: past, current, future or open-ended, the end never before the start."""
        shape = self.rng.choice(("past", "current", "current", "future", "open"))
        offset = {"past": (-4000, -400), "current": (-1500, -1), "future": (30, 700), "open": (-3000, -1)}[shape]
        start = self.today + datetime.timedelta(days=self.rng.randint(*offset))
        if shape == "open":
            return start, None
        length = self.rng.randint(90, 1800)
        if shape == "past":
            length = min(length, (self.today - start).days - 1)
        elif shape == "current":
            length = max(length, (self.today - start).days + 30)
        return start, start + datetime.timedelta(days=length)

    def create_programmes(self, count, pool, sectors):
        kinds = list(ProgrammeKind)
        first = next_number(Programme)
        objects, partner_ids, sector_ids = [], [], []
        for index in range(count):
            number = first + index
            kind = self.rng.choice(kinds)
            field = self.rng.choice(FIELDS)
            words = f"{self.rng.choice(PLACES)} {field} {kind.label.title()}"
            lead = self.rng.choice(pool)[0]
            start, end = self.dates()
            objects.append(
                Programme(
                    name=f"{NAME_PREFIX}{words} {number}",
                    slug=slug_for(number, words),
                    kind=kind,
                    lead_organisation_id=lead,
                    start_date=start,
                    end_date=end,
                    dates_precision=DatePrecision.DAY,
                    summary=f"Synthetic test data, not a real programme: a fictional {kind.label.lower()} "
                    f"in {field.lower()} for {self.rng.choice(AUDIENCES)}.",
                    **self.common(),
                )
            )
            partners = {pk for pk, _kind in self.rng.sample(pool, min(len(pool), self.rng.randint(0, 2)))}
            partner_ids.append(sorted(partners - {lead}))
            sector_ids.append(self.rng.sample(list(sectors.values()), min(len(sectors), self.rng.randint(0, 2))))

        Programme.objects.bulk_create(objects, batch_size=BATCH_SIZE)
        self.link(Programme.partners.through, "programme", "organisation", objects, partner_ids)
        self.link(Programme.sectors.through, "programme", "sector", objects, sector_ids)

    def create_guidance(self, count, pool, sectors, topics):
        kinds = list(GuidanceKind)
        official = [pk for pk, kind in pool if kind in (OrganisationKind.REGULATOR, OrganisationKind.GOVERNMENT)]
        first = next_number(Guidance)
        objects, supersedes, topic_ids, sector_ids = [], {}, [], []
        topic_names = {pk: slug.replace("_", " ").title() for slug, pk in topics.items()}
        for index in range(count):
            number = first + index
            kind = self.rng.choice(kinds)
            chosen_topics = self.rng.sample(list(topics.values()), min(len(topics), self.rng.randint(1, 3)))
            topic = topic_names[chosen_topics[0]]
            words = f"{topic} {kind.label} for {self.rng.choice(FIELDS)}"
            published = self.today - datetime.timedelta(days=self.rng.randint(1, 3000))
            if index and self.rng.random() < 0.1:
                # A newer edition from the same publisher, published after the one it replaces.
                earlier = objects[self.rng.randrange(index)]
                supersedes[index] = earlier
                publisher = earlier.publisher_id
                latest = self.today - datetime.timedelta(days=1)
                published = max(published, min(earlier.date_published + datetime.timedelta(days=90), latest))
            elif official and self.rng.random() < 0.8:
                publisher = self.rng.choice(official)
            else:
                publisher = self.rng.choice(pool)[0]
            objects.append(
                Guidance(
                    title=f"{NAME_PREFIX}{words} {number}",
                    slug=slug_for(number, words),
                    kind=kind,
                    publisher_id=publisher,
                    binding=self.rng.random() < 0.2,
                    date_published=published,
                    date_precision=DatePrecision.DAY,
                    summary=f"Synthetic test data, not real guidance: fictional {kind.label.lower()} "
                    f"on {topic.lower()} for {self.rng.choice(AUDIENCES)}.",
                    **self.common(),
                )
            )
            topic_ids.append(chosen_topics)
            sector_ids.append(self.rng.sample(list(sectors.values()), min(len(sectors), self.rng.randint(0, 2))))

        Guidance.objects.bulk_create(objects, batch_size=BATCH_SIZE)
        for index, earlier in supersedes.items():
            objects[index].supersedes_id = earlier.pk
        Guidance.objects.bulk_update([objects[index] for index in supersedes], ["supersedes"], batch_size=BATCH_SIZE)
        self.link(Guidance.topics.through, "guidance", "topic", objects, topic_ids)
        self.link(Guidance.sectors.through, "guidance", "sector", objects, sector_ids)

    def link(self, through, source, target, objects, target_ids):
        """Bulk-create many-to-many rows: one add() per object would be a query per object."""
        through.objects.bulk_create(
            (
                through(**{f"{source}_id": obj.pk, f"{target}_id": pk})
                for obj, pks in zip(objects, target_ids, strict=True)
                for pk in pks
            ),
            batch_size=BATCH_SIZE,
        )
