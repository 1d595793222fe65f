import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from directory.choices import Status
from directory.models import Guidance, Organisation, Programme

from .factories import make_guidance, make_organisation, make_programme

pytestmark = pytest.mark.django_db


def messages_for(obj, field):
    with pytest.raises(ValidationError) as caught:
        obj.full_clean()
    return caught.value.message_dict[field]


def test_slug_is_generated_from_the_name_when_blank():
    organisation = make_organisation("Hong Kong Monetary Authority")
    assert organisation.slug == "hong-kong-monetary-authority"


def test_colliding_names_get_distinct_numbered_slugs():
    slugs = [make_organisation("Centre for AI").slug for _ in range(3)]
    assert slugs == ["centre-for-ai", "centre-for-ai-2", "centre-for-ai-3"]


def test_slug_made_outside_the_admin_skips_a_taken_slug_with_a_longer_name():
    make_organisation("Centre for AI Research")
    assert make_organisation("Centre for AI").slug == "centre-for-ai"
    assert make_organisation("Centre for AI").slug == "centre-for-ai-2"


def test_slug_chosen_by_an_editor_is_kept_and_resaving_keeps_the_generated_one():
    organisation = make_organisation("Cyberport", slug="cyberport-hk")
    organisation.name = "Cyberport renamed"
    organisation.save()
    organisation.refresh_from_db()
    assert organisation.slug == "cyberport-hk"


def test_a_name_without_latin_letters_still_gets_a_slug():
    assert make_organisation("數碼港").slug == "organisation"
    assert make_organisation("香港科技園").slug == "organisation-2"


def test_guidance_slug_comes_from_its_title():
    assert make_guidance("Ethical AI Framework").slug == "ethical-ai-framework"


def test_publishing_without_a_date_stamps_published_at():
    organisation = make_organisation(status=Status.DRAFT)
    assert organisation.published_at is None
    organisation.status = Status.PUBLISHED
    organisation.save()
    assert organisation.published_at is not None


@pytest.mark.parametrize("model_factory", [make_organisation, make_programme, make_guidance])
def test_published_hides_drafts_archived_and_future_items(model_factory):
    visible = model_factory()
    model_factory(status=Status.DRAFT)
    model_factory(status=Status.ARCHIVED)
    model_factory(published_at=timezone.now() + datetime.timedelta(days=1))
    model = type(visible)
    assert list(model.objects.published()) == [visible]


def test_not_verified_since_finds_stale_and_never_verified_items():
    today = timezone.localdate()
    fresh = make_organisation(last_verified_on=today - datetime.timedelta(days=30))
    stale = make_organisation(last_verified_on=today - datetime.timedelta(days=400))
    never = make_organisation()
    assert set(Organisation.objects.not_verified_since()) == {stale, never}
    assert fresh not in Organisation.objects.not_verified_since()


def test_founded_year_in_the_future_is_rejected_with_a_clear_message():
    organisation = Organisation(name="Future Lab", kind="startup", founded_year=timezone.localdate().year + 1)
    assert messages_for(organisation, "founded_year") == ["The founded year cannot be in the future."]


def test_organisation_cannot_be_its_own_parent():
    organisation = make_organisation()
    organisation.parent = organisation
    assert messages_for(organisation, "parent") == ["An organisation cannot be its own parent or ancestor."]


def test_organisation_cannot_be_its_own_ancestor():
    university = make_organisation("University")
    centre = make_organisation("Centre", parent=university)
    lab = make_organisation("Lab", parent=centre)
    university.parent = lab
    assert messages_for(university, "parent") == ["An organisation cannot be its own parent or ancestor."]


def test_a_proper_parent_is_accepted():
    university = make_organisation("University")
    centre = make_organisation("Centre", kind="research_centre", parent=university)
    centre.full_clean()
    assert list(university.children.all()) == [centre]


def test_programme_ending_before_it_starts_is_rejected():
    programme = Programme(
        name="Backwards", kind="sandbox", start_date=datetime.date(2024, 6, 1), end_date=datetime.date(2024, 1, 1)
    )
    assert messages_for(programme, "end_date") == ["The end date cannot be before the start date."]


def test_guidance_cannot_supersede_itself():
    guidance = make_guidance()
    guidance.supersedes = guidance
    assert messages_for(guidance, "supersedes") == [
        "Guidance cannot supersede itself, directly or through other guidance."
    ]


def test_guidance_cannot_supersede_itself_through_a_chain():
    first = make_guidance("First")
    second = make_guidance("Second", supersedes=first)
    first.supersedes = second
    assert messages_for(first, "supersedes") == [
        "Guidance cannot supersede itself, directly or through other guidance."
    ]


def test_guidance_superseding_older_guidance_is_accepted():
    older = make_guidance("Older")
    newer = make_guidance("Newer", supersedes=older, publisher=older.publisher)
    newer.full_clean()
    assert list(older.superseded_by.all()) == [newer]


def test_guidance_published_in_the_future_is_rejected():
    guidance = Guidance(
        title="Not yet",
        kind="circular",
        publisher=make_organisation(),
        date_published=timezone.localdate() + datetime.timedelta(days=3),
    )
    assert messages_for(guidance, "date_published") == ["The publication date cannot be in the future."]


def test_last_verified_in_the_future_is_rejected():
    organisation = Organisation(
        name="X", kind="startup", last_verified_on=timezone.localdate() + datetime.timedelta(days=1)
    )
    assert messages_for(organisation, "last_verified_on") == ["The last verification date cannot be in the future."]


def test_absolute_urls_follow_the_url_contract():
    assert make_organisation("HKUST").get_absolute_url() == "/en/organisations/hkust/"
    assert make_programme("InnoHK").get_absolute_url() == "/en/programmes/innohk/"
    assert make_guidance("AI Checklist").get_absolute_url() == "/en/guidance/ai-checklist/"
