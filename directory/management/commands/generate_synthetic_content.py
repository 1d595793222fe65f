import datetime
import random
import re
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone, translation
from django.utils.text import slugify

from directory import database
from directory.choices import DatePrecision, GuidanceKind, OrganisationKind, ProgrammeKind, Status
from directory.models import Guidance, Organisation, Programme, Sector, Topic
from directory.revision_recording import record

NAME_PREFIX = "[Synthetic] "
SLUG_PREFIX = "synthetic-"
SOURCE_URL = "https://example.invalid/synthetic"
BATCH_SIZE = 2000

# The Chinese names given to the taxonomies created when none exist (load_demo_content brings its own).
DEFAULT_SECTORS = {
    "finance": "金融",
    "healthcare": "醫療",
    "transport": "運輸",
    "education": "教育",
    "public_services": "公共服務",
    "logistics": "物流",
}
DEFAULT_TOPICS = {
    "data_privacy": "個人資料私隱",
    "fairness": "公平",
    "transparency": "透明度",
    "accountability": "問責",
    "security": "保安",
    "human_oversight": "人類監督",
    "generative_ai": "生成式人工智能",
    "consumer_protection": "消費者保障",
    "governance": "管治",
}

# Each word with its Chinese, in Hong Kong Traditional characters and Hong Kong usage (機械人, 資訊保安, 網絡).
PLACES = [
    ("Kowloon", "九龍"), ("Sha Tin", "沙田"), ("Tsuen Wan", "荃灣"), ("Wan Chai", "灣仔"), ("Central", "中環"),
    ("Tai Po", "大埔"), ("Sai Kung", "西貢"), ("Mong Kok", "旺角"), ("Kwun Tong", "觀塘"), ("Cyberport", "數碼港"),
    ("Science Park", "科學園"), ("Lantau", "大嶼山"), ("Aberdeen", "香港仔"), ("Tuen Mun", "屯門"),
    ("Yuen Long", "元朗"), ("Causeway Bay", "銅鑼灣"),
]  # fmt: skip
# 25 fields, so a search for any one of them (q=robotics) matches about 4% of the names.
FIELDS = [
    ("Robotics", "機械人"), ("Vision", "電腦視覺"), ("Language", "語言"), ("Fintech", "金融科技"),
    ("Health", "醫療健康"), ("Data", "數據"), ("Logistics", "物流"), ("Security", "資訊保安"),
    ("Learning", "學習科技"), ("Analytics", "分析"), ("Mobility", "智能出行"), ("Cloud", "雲端"),
    ("Sensing", "感應"), ("Speech", "語音"), ("Imaging", "影像"), ("Quantum", "量子"), ("Automation", "自動化"),
    ("Insight", "洞察"), ("Smart City", "智慧城市"), ("Biotech", "生物科技"), ("Edge", "邊緣運算"),
    ("Neural", "神經網絡"), ("Maritime", "海事"), ("Retail", "零售"), ("Legal", "法律"),
]  # fmt: skip
AUDIENCES = [
    ("hospitals", "醫院"), ("banks", "銀行"), ("schools", "學校"), ("the public sector", "公營機構"),
    ("retailers", "零售商"), ("insurers", "保險公司"), ("port operators", "港口營運商"),
    ("small businesses", "中小企"), ("researchers", "研究人員"), ("transport operators", "運輸營運商"),
]  # fmt: skip
TASKS = [
    ("diagnosis", "診斷"), ("risk assessment", "風險評估"), ("customer service", "客户服務"),
    ("route planning", "路線規劃"), ("fraud detection", "欺詐偵測"), ("translation", "翻譯"),
    ("inspection", "檢測"), ("forecasting", "預測"),
]  # fmt: skip
# Sentences a summary may add, each drawn on its own with its probability, so that bench/search.py's query set has
# a word of every frequency it needs (its queries say which): "intelligence" in most items, "AI" and the common
# words and Chinese words in a fifth to a half, the rare ones in fewer than 0.5%.
SUMMARY_SENTENCES = [
    (0.88, "It applies artificial intelligence to {task}.", "將人工智能應用於{task}。"),
    (0.45, "It builds AI tools for its partners.", "為合作夥伴開發AI工具。"),
    (0.30, "It follows a responsible use policy.", "設有負責任使用政策。"),
    (0.30, "Its team works on machine learning.", "團隊專注機器學習。"),
    (0.30, "It protects personal data privacy.", "重視數據私隱。"),
    (0.004, "It models typhoon damage.", "模擬颱風損毀。"),
    (0.003, "It monitors marine ecology.", "監察海洋生態。"),
]
# Descriptions are longer text for search to read, with none of the words above.
DESCRIPTION_SENTENCES = [
    ("Its staff publish a report each year.", "每年發表報告。"),
    ("It takes part in industry events.", "參與業界活動。"),
    ("It answers enquiries by phone.", "接受電話查詢。"),
    ("It runs workshops for members.", "為會員舉辦工作坊。"),
    ("It shares open source tools.", "分享開源工具。"),
    ("It trains new graduates.", "培訓應屆畢業生。"),
]
# Real data has gaps: some items have a Chinese name but no Chinese summary, some no Chinese at all.
CHINESE_SUMMARY_SHARE = 0.80
CHINESE_NAME_SHARE = 0.87
CHINESE_PREFIX = "[合成] "

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
    OrganisationKind.COMPANY: 3,
}
NAME_SUFFIXES = {
    OrganisationKind.GOVERNMENT: ("Office", "辦事處"),
    OrganisationKind.REGULATOR: ("Authority", "管理局"),
    OrganisationKind.UNIVERSITY: ("University", "大學"),
    OrganisationKind.RESEARCH_CENTRE: ("Lab", "實驗室"),
    OrganisationKind.INCUBATOR: ("Hub", "創新中心"),
    OrganisationKind.STARTUP: ("Technologies", "科技"),
    OrganisationKind.FINANCIAL_INSTITUTION: ("Bank", "銀行"),
    OrganisationKind.INDUSTRY_BODY: ("Association", "協會"),
    OrganisationKind.INTERNATIONAL: ("Forum", "論壇"),
    OrganisationKind.COMPANY: ("Corporation", "公司"),
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


def acronym(words):
    """Return the initials of `words`, as an acronym alias: Sha Tin Robotics Lab, STRL."""
    return "".join(word[0] for word in words.split()).upper()


def chinese_labels(choices):
    with translation.override("zh-hant"):
        return {kind: str(kind.label) for kind in choices}


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
                for slug, name_zh in defaults.items():
                    name = slug.replace("_", " ").capitalize()
                    model.objects.get_or_create(slug=slug, defaults={"name": name, "name_zh_hant": name_zh})
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

    def texts(self, name_field, name_zh, summary, summary_zh):
        """Return the Chinese name and the summary and description in both languages: the summary opens with
        `summary` (`summary_zh`) and adds the sentences drawn from SUMMARY_SENTENCES; about half the items have a
        description; the Chinese fields stay empty for the share of items that real data leaves without them."""
        task, task_zh = self.rng.choice(TASKS)
        drawn = [(english, chinese) for share, english, chinese in SUMMARY_SENTENCES if self.rng.random() < share]
        described = self.rng.sample(DESCRIPTION_SENTENCES, self.rng.choice((0, 0, 2, 3)))
        chinese = self.rng.random()
        with_summary_zh = chinese < CHINESE_SUMMARY_SHARE
        return {
            f"{name_field}_zh_hant": f"{CHINESE_PREFIX}{name_zh}" if chinese < CHINESE_NAME_SHARE else "",
            "summary": " ".join([summary, *(english.format(task=task) for english, _chinese in drawn)]),
            "summary_zh_hant": "".join([summary_zh, *(zh.format(task=task_zh) for _english, zh in drawn)])
            if with_summary_zh
            else "",
            "description": " ".join(english for english, _chinese in described),
            "description_zh_hant": "".join(chinese for _english, chinese in described) if with_summary_zh else "",
        }

    def aliases(self, words, short_zh, acronym_share, short_share, texts):
        """Return an acronym of `words` for `acronym_share` of the items, and `short_zh` too for `short_share` of
        those with a Chinese name: a few dozen items share each, as real acronyms and short names collide."""
        names = [acronym(words)] if self.rng.random() < acronym_share else []
        if texts["name_zh_hant"] and self.rng.random() < short_share:
            names.append(short_zh)
        return "; ".join(names)

    def create_organisations(self, count, sectors):
        kinds, weights = list(ORGANISATION_KINDS), list(ORGANISATION_KINDS.values())
        kinds_zh = chinese_labels(OrganisationKind)
        first = next_number(Organisation)
        objects, sector_ids = [], []
        for index in range(count):
            number = first + index
            kind = self.rng.choices(kinds, weights)[0]
            (place, place_zh), (field, field_zh) = self.rng.choice(PLACES), self.rng.choice(FIELDS)
            (audience, audience_zh), (suffix, suffix_zh) = self.rng.choice(AUDIENCES), NAME_SUFFIXES[kind]
            words = f"{place} {field} {suffix}"
            texts = self.texts(
                "name",
                f"{place_zh}{field_zh}{suffix_zh} {number}",
                f"Synthetic test data, not a real organisation: a fictional {kind.label.lower()} working on "
                f"{field.lower()} for {audience}.",
                f"合成測試資料，並非真實機構：虛構的{kinds_zh[kind]}，為{audience_zh}發展{field_zh}。",
            )
            founded = None if self.rng.random() < 0.15 else self.rng.randint(1950, self.today.year)
            objects.append(
                Organisation(
                    name=f"{NAME_PREFIX}{words} {number}",
                    slug=slug_for(number, words),
                    aliases=self.aliases(words, place_zh[0] + field_zh[0], 0.9, 0.25, texts),
                    kind=kind,
                    founded_year=founded,
                    **texts,
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
        self.record(Organisation, objects)

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
        kinds_zh = chinese_labels(ProgrammeKind)
        first = next_number(Programme)
        objects, partner_ids, sector_ids = [], [], []
        for index in range(count):
            number = first + index
            kind = self.rng.choice(kinds)
            (place, place_zh), (field, field_zh) = self.rng.choice(PLACES), self.rng.choice(FIELDS)
            audience, audience_zh = self.rng.choice(AUDIENCES)
            words = f"{place} {field} {kind.label.title()}"
            texts = self.texts(
                "name",
                f"{place_zh}{field_zh}{kinds_zh[kind]} {number}",
                f"Synthetic test data, not a real programme: a fictional {kind.label.lower()} in {field.lower()} "
                f"for {audience}.",
                f"合成測試資料，並非真實計劃：虛構的{kinds_zh[kind]}，為{audience_zh}推動{field_zh}。",
            )
            lead = self.rng.choice(pool)[0]
            start, end = self.dates()
            objects.append(
                Programme(
                    name=f"{NAME_PREFIX}{words} {number}",
                    slug=slug_for(number, words),
                    aliases=self.aliases(words, place_zh[0] + field_zh[0], 0.7, 0.15, texts),
                    kind=kind,
                    lead_organisation_id=lead,
                    start_date=start,
                    end_date=end,
                    dates_precision=DatePrecision.DAY,
                    **texts,
                    **self.common(),
                )
            )
            partners = {pk for pk, _kind in self.rng.sample(pool, min(len(pool), self.rng.randint(0, 2)))}
            partner_ids.append(sorted(partners - {lead}))
            sector_ids.append(self.rng.sample(list(sectors.values()), min(len(sectors), self.rng.randint(0, 2))))

        Programme.objects.bulk_create(objects, batch_size=BATCH_SIZE)
        self.link(Programme.partners.through, "programme", "organisation", objects, partner_ids)
        self.link(Programme.sectors.through, "programme", "sector", objects, sector_ids)
        self.record(Programme, objects)

    def create_guidance(self, count, pool, sectors, topics):
        kinds = list(GuidanceKind)
        kinds_zh = chinese_labels(GuidanceKind)
        official = [pk for pk, kind in pool if kind in (OrganisationKind.REGULATOR, OrganisationKind.GOVERNMENT)]
        first = next_number(Guidance)
        objects, supersedes, topic_ids, sector_ids = [], {}, [], []
        topic_names = {pk: slug.replace("_", " ").title() for slug, pk in topics.items()}
        topic_names_zh = dict(Topic.objects.values_list("pk", "name_zh_hant"))
        for index in range(count):
            number = first + index
            kind = self.rng.choice(kinds)
            chosen_topics = self.rng.sample(list(topics.values()), min(len(topics), self.rng.randint(1, 3)))
            topic, topic_zh = topic_names[chosen_topics[0]], topic_names_zh[chosen_topics[0]]
            (field, field_zh), (audience, audience_zh) = self.rng.choice(FIELDS), self.rng.choice(AUDIENCES)
            words = f"{topic} {kind.label} for {field}"
            texts = self.texts(
                "title",
                f"{topic_zh}{kinds_zh[kind]}（{field_zh}） {number}",
                f"Synthetic test data, not real guidance: fictional {kind.label.lower()} on {topic.lower()} for "
                f"{audience}.",
                f"合成測試資料，並非真實指引：虛構的{kinds_zh[kind]}，就{topic_zh}為{audience_zh}提供建議。",
            )
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
                    **texts,
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
        self.record(Guidance, objects)

    @staticmethod
    def record(model, objects):
        # bulk_create sends no signal: their first revisions are recorded here, a few hundred at a time.
        record(model, {item.pk: item for item in objects}, "Synthetic content generated")

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
