import io
import random

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from directory.choices import OrganisationKind, Status
from directory.management.commands.generate_synthetic_content import SOURCE_URL, synthetic
from directory.models import Guidance, Organisation, Programme, Sector, Topic
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
