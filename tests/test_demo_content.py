import io

import pytest
from django.core.management import call_command

from directory.choices import Status
from directory.models import Guidance, Organisation, Programme, Sector, Topic

pytestmark = pytest.mark.django_db


def load():
    call_command("load_demo_content", stdout=io.StringIO())


def snapshot():
    return {
        model.__name__: sorted(model.objects.values_list("slug", "updated_at"))
        for model in (Organisation, Programme, Guidance)
    } | {model.__name__: sorted(model.objects.values_list("slug", "name")) for model in (Sector, Topic)}


def test_demo_content_loads_enough_published_items():
    load()
    assert Organisation.objects.published().count() >= 25
    assert Programme.objects.published().count() >= 10
    assert Guidance.objects.published().count() >= 8
    assert not Organisation.objects.exclude(status=Status.PUBLISHED).exists()


def test_loading_twice_changes_nothing():
    load()
    before = snapshot()
    load()
    assert snapshot() == before


def test_demo_content_keeps_every_source_url():
    load()
    for model in (Organisation, Programme, Guidance):
        assert not model.objects.filter(source_url="").exists()


def test_demo_content_links_programmes_and_guidance_to_organisations():
    load()
    blueprint = Programme.objects.get(name="Smart City Blueprint for Hong Kong 2.0")
    assert blueprint.lead_organisation.name == "Innovation, Technology and Industry Bureau"
    pcpd_guidance = Guidance.objects.get(title="Guidance on the Ethical Development and Use of Artificial Intelligence")
    assert pcpd_guidance.publisher.name == "Office of the Privacy Commissioner for Personal Data"
    assert {"data_privacy", "accountability", "human_oversight"} <= set(
        pcpd_guidance.topics.values_list("slug", flat=True)
    )
    assert Organisation.objects.get(name="Centre for Perceptual and Interactive Intelligence (CPII)").parent.name == (
        "The Chinese University of Hong Kong"
    )


def test_loading_leaves_an_editors_change_alone_unless_asked_to_update():
    load()
    organisation = Organisation.objects.get(slug="hong-kong-monetary-authority")
    organisation.summary = "Edited by an editor."
    organisation.status = Status.ARCHIVED
    organisation.save()
    load()
    organisation.refresh_from_db()
    assert (organisation.summary, organisation.status) == ("Edited by an editor.", Status.ARCHIVED)
    call_command("load_demo_content", "--update", stdout=io.StringIO())
    organisation.refresh_from_db()
    assert organisation.summary != "Edited by an editor."
    assert organisation.status == Status.ARCHIVED


def test_every_demo_item_passes_model_validation():
    load()
    for model in (Organisation, Programme, Guidance):
        for obj in model.objects.all():
            obj.full_clean()
