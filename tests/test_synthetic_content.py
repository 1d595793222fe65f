import collections
import io
import random
import re

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from directory.chinese import has_chinese, to_hong_kong
from directory.choices import OrganisationKind, Status
from directory.management.commands.generate_synthetic_content import SOURCE_URL, synthetic
from directory.models import Guidance, Organisation, Programme, Sector, Topic, split_aliases
from tests.factories import make_guidance, make_organisation, make_programme, make_sector

pytestmark = pytest.mark.django_db

MODELS = (Organisation, Programme, Guidance)


def generate(**options):
    out = io.StringIO()
    call_command("generate_synthetic_content", stdout=out, **options)
    return out.getvalue()


def names(model):
    return list(synthetic(model).order_by("slug").values_list("title" if model is Guidance else "name", flat=True))


def test_generating_creates_the_requested_counts():
    output = generate(organisations=120, programmes=15, guidance=9)
    assert [synthetic(model).count() for model in MODELS] == [120, 15, 9]
    assert "Created 120 synthetic organisations, 15 programmes and 9 guidance documents" in output


def test_programme_and_guidance_counts_default_to_a_share_of_the_organisations():
    generate(organisations=200)
    assert [synthetic(model).count() for model in MODELS] == [200, 20, 10]


def test_every_generated_item_is_marked_synthetic():
    generate(organisations=100, programmes=20, guidance=20)
    for model in MODELS:
        for item in model.objects.all():
            assert str(item).startswith("[Synthetic] ")
            assert item.slug.startswith("synthetic-")
            assert item.source_url == SOURCE_URL
            assert "Synthetic test data" in item.summary


def test_a_second_run_adds_items_with_new_unique_slugs():
    generate(organisations=100, programmes=10, guidance=10)
    first = {model: set(model.objects.values_list("slug", flat=True)) for model in MODELS}
    generate(organisations=100, programmes=10, guidance=10)
    for model in MODELS:
        slugs = list(model.objects.values_list("slug", flat=True))
        assert len(slugs) == len(set(slugs)) == 2 * len(first[model])
        assert first[model] <= set(slugs)


def test_delete_removes_synthetic_items_and_leaves_real_content_alone():
    real = make_organisation("Hong Kong Robotics Institute", kind="research_centre")
    # Its slug starts with "synthetic-" too: the other marks keep it safe.
    lookalike = make_organisation("Synthetic Biology Lab")
    assert lookalike.slug.startswith("synthetic-")
    real_programme = make_programme(lead_organisation=real)
    generate(organisations=100)
    synthetic_parent = synthetic(Organisation).filter(kind=OrganisationKind.UNIVERSITY).first()
    Organisation.objects.filter(pk=real.pk).update(parent=synthetic_parent)

    output = generate(organisations=0, delete=True)

    assert not any(synthetic(model).exists() for model in MODELS)
    assert set(Organisation.objects.all()) == {real, lookalike}
    assert list(Programme.objects.all()) == [real_programme]
    real.refresh_from_db()
    assert real.parent is None
    assert "Deleted" in output


def test_delete_then_generate_replaces_the_synthetic_items():
    generate(organisations=100)
    generate(organisations=50, delete=True)
    assert synthetic(Organisation).count() == 50


def test_the_same_seed_makes_the_same_content():
    generate(organisations=100, seed=7)
    first = {model: names(model) for model in MODELS}
    generate(organisations=0, delete=True)
    generate(organisations=100, seed=7)
    assert {model: names(model) for model in MODELS} == first
    generate(organisations=0, delete=True)
    generate(organisations=100, seed=8)
    assert names(Organisation) != first[Organisation]


def test_generated_items_pass_model_validation():
    generate(organisations=300, programmes=60, guidance=60)
    sample = random.Random(0)
    for model in MODELS:
        items = list(synthetic(model))
        for item in sample.sample(items, 20):
            item.full_clean()


def test_generated_content_spreads_over_statuses_kinds_and_relations():
    generate(organisations=1000)
    organisations = synthetic(Organisation)
    published = organisations.filter(status=Status.PUBLISHED)
    assert 0.8 < published.count() / 1000 < 0.97
    assert organisations.published().count() == published.count()
    assert not published.filter(published_at__gt=timezone.now()).exists()
    assert organisations.filter(status=Status.DRAFT).exists() and organisations.filter(status=Status.ARCHIVED).exists()
    assert organisations.values("kind").distinct().count() == len(OrganisationKind)
    with_parent = organisations.filter(parent__isnull=False)
    assert 0.1 < with_parent.count() / 1000 < 0.3
    assert set(with_parent.values_list("parent__kind", flat=True)) == {OrganisationKind.UNIVERSITY}
    assert 0.01 < organisations.filter(name__icontains="robotics").count() / 1000 < 0.1
    assert organisations.filter(sectors__isnull=False).distinct().count() > 500
    assert synthetic(Programme).filter(partners__isnull=False).exists()
    assert synthetic(Programme).filter(end_date__isnull=True).exists()
    assert synthetic(Guidance).filter(supersedes__isnull=False).exists()
    assert not synthetic(Guidance).filter(topics__isnull=True).exists()


def test_missing_taxonomies_are_created_and_existing_ones_reused():
    generate(organisations=50)
    assert Sector.objects.filter(slug="education").exists()
    assert Topic.objects.filter(slug="data_privacy").exists()

    Sector.objects.all().delete()
    only = make_sector("Only sector")
    generate(organisations=50, delete=True)
    assert list(Sector.objects.all()) == [only]


def test_delete_refuses_and_deletes_nothing_while_real_guidance_needs_a_synthetic_publisher():
    generate(organisations=50)
    make_guidance("Real guidance", publisher=synthetic(Organisation).first())
    with pytest.raises(CommandError, match="Real content points to synthetic items"):
        generate(organisations=0, delete=True)
    assert synthetic(Organisation).count() == 50


def test_most_items_have_chinese_in_hong_kong_characters_and_some_have_none():
    generate(organisations=1000, programmes=300, guidance=300)
    for model in MODELS:
        name_zh = "title_zh_hant" if model is Guidance else "name_zh_hant"
        items = list(synthetic(model).values(name_zh, "summary_zh_hant", "description_zh_hant"))
        named = [item for item in items if item[name_zh]]
        summarised = [item for item in items if item["summary_zh_hant"]]
        assert 0.8 < len(named) / len(items) < 0.95
        assert 0.7 < len(summarised) / len(items) < 0.9
        # Some have a Chinese name and no Chinese summary, never the other way round.
        assert all(item[name_zh] for item in summarised) and len(summarised) < len(named)
        assert all(item[name_zh].startswith("[合成] ") for item in named)
        assert all("合成測試資料" in item["summary_zh_hant"] for item in summarised)
        texts = [text for item in items for text in item.values() if text]
        assert all(has_chinese(text) and to_hong_kong(text) == text for text in texts)


def test_organisations_and_programmes_have_acronyms_and_some_chinese_short_names():
    generate(organisations=2000, programmes=1000)
    for model, acronym_share in ((Organisation, 0.9), (Programme, 0.7)):
        items = list(synthetic(model).values_list("name", "name_zh_hant", "aliases"))
        counts = collections.Counter(alias for *_names, aliases in items for alias in split_aliases(aliases))
        with_acronym = 0
        for name, name_zh, aliases in items:
            words = name.removeprefix("[Synthetic] ").rsplit(" ", 1)[0]
            acronym = "".join(word[0] for word in words.split())
            with_acronym += acronym in split_aliases(aliases)
            short = [alias for alias in split_aliases(aliases) if has_chinese(alias)]
            # Two characters, from the Chinese name, which the item then has.
            assert all(len(alias) == 2 and alias[0] in name_zh and alias[1] in name_zh for alias in short)
        assert abs(with_acronym / len(items) - acronym_share) < 0.05
        assert any(has_chinese(alias) for alias in counts)
        # Shared by a few items each, as real acronyms collide, never by most.
        assert max(counts.values()) < 0.05 * len(items)
        assert sum(count > 1 for count in counts.values()) > 10


def search_text(item):
    return " ".join(getattr(item, field) for field in item.translated_fields for field in (field, f"{field}_zh_hant"))


def test_the_vocabulary_gives_the_search_benchmark_words_of_every_frequency():
    generate(organisations=3000, programmes=0, guidance=0)
    texts = [f"{search_text(item)} {item.aliases}" for item in synthetic(Organisation)]

    def share(pattern):
        return sum(bool(re.search(pattern, text)) for text in texts) / len(texts)

    assert share(r"\bintelligence\b") > 0.8
    for common in (r"\bAI\b", r"\bresponsible\b", r"\bmachine learning\b", "數據", "機器學習", "私隱"):
        assert 0.2 < share(common) < 0.5, common
    for rare in (r"\btyphoon\b", "颱風", "海洋生態"):
        assert 0 < share(rare) < 0.01, rare
