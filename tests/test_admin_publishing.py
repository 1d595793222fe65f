import pytest
from django.urls import reverse

from directory.choices import Status
from directory.models import Organisation, Review

from .factories import make_organisation, make_user

pytestmark = pytest.mark.django_db


def organisation_form(**overrides):
    data = {
        "name": "Hong Kong Centre for AI",
        "slug": "",
        "kind": "research_centre",
        "summary": "A research centre.",
        "description": "",
        "website": "",
        "founded_year": "2020",
        "status": Status.DRAFT,
        "source_url": "https://example.org/source",
        "last_verified_on": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def publisher_client(client):
    client.force_login(make_user(groups=["Publishers"]))
    return client


def test_editor_sees_only_draft_among_the_status_choices(editor_client):
    response = editor_client.get(reverse("admin:directory_organisation_add"))
    choices = [value for value, _label in response.context["adminform"].form.fields["status"].choices]
    assert choices == [Status.DRAFT]


def test_publisher_sees_every_status_choice(publisher_client):
    response = publisher_client.get(reverse("admin:directory_organisation_add"))
    choices = [value for value, _label in response.context["adminform"].form.fields["status"].choices]
    assert choices == [Status.DRAFT, Status.PUBLISHED, Status.ARCHIVED]


def test_editor_can_add_a_draft(editor_client):
    response = editor_client.post(reverse("admin:directory_organisation_add"), organisation_form())
    assert response.status_code == 302
    organisation = Organisation.objects.get()
    assert organisation.status == Status.DRAFT
    assert organisation.slug == "hong-kong-centre-for-ai"


def test_editor_crafted_post_cannot_publish_a_new_item(editor_client):
    response = editor_client.post(
        reverse("admin:directory_organisation_add"),
        organisation_form(status=Status.PUBLISHED, published_at_0="2024-01-01", published_at_1="00:00"),
    )
    assert response.status_code == 200
    assert "status" in response.context["adminform"].form.errors
    assert not Organisation.objects.exists()


def test_editor_crafted_post_cannot_publish_an_existing_draft(editor_client):
    draft = make_organisation("Draft Lab", status=Status.DRAFT)
    response = editor_client.post(
        reverse("admin:directory_organisation_change", args=[draft.pk]),
        organisation_form(name="Draft Lab", slug=draft.slug, status=Status.PUBLISHED),
    )
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    assert draft.published_at is None


def test_editor_editing_a_published_item_cannot_unpublish_it_and_its_fix_waits_for_review(editor_client):
    live = make_organisation("Live Lab")
    response = editor_client.post(
        reverse("admin:directory_organisation_change", args=[live.pk]),
        organisation_form(name="Live Lab", slug=live.slug, summary="Corrected.", status=Status.DRAFT),
    )
    assert response.status_code == 302
    live.refresh_from_db()
    assert live.status == Status.PUBLISHED
    assert live.summary == ""
    assert Review.objects.get().changes["summary"] == "Corrected."


def test_publisher_can_publish_through_the_form(publisher_client):
    response = publisher_client.post(
        reverse("admin:directory_organisation_add"), organisation_form(status=Status.PUBLISHED)
    )
    assert response.status_code == 302
    organisation = Organisation.objects.get()
    assert organisation.status == Status.PUBLISHED
    assert organisation in Organisation.objects.published()


def bulk(client, action, objects):
    return client.post(
        reverse("admin:directory_organisation_changelist"),
        {"action": action, "_selected_action": [obj.pk for obj in objects]},
        follow=True,
    )


def test_editor_bulk_publish_is_refused_and_changes_nothing(editor_client):
    drafts = [make_organisation(status=Status.DRAFT) for _ in range(2)]
    response = bulk(editor_client, "publish", drafts)
    assert response.status_code == 200
    assert not Organisation.objects.filter(status=Status.PUBLISHED).exists()


def test_editor_does_not_see_the_publishing_actions(editor_client):
    response = editor_client.get(reverse("admin:directory_organisation_changelist"))
    form = response.context["action_form"]
    actions = set() if form is None else {name for name, _label in form.fields["action"].choices}
    assert actions.isdisjoint({"publish", "unpublish", "archive"})


@pytest.mark.parametrize(
    ("action", "expected"),
    [("publish", Status.PUBLISHED), ("unpublish", Status.DRAFT), ("archive", Status.ARCHIVED)],
)
def test_publisher_bulk_actions_set_the_status(publisher_client, action, expected):
    items = [make_organisation(status=Status.DRAFT if action == "publish" else Status.PUBLISHED) for _ in range(3)]
    untouched = make_organisation(status=Status.DRAFT)
    response = bulk(publisher_client, action, items)
    assert response.status_code == 200
    assert {o.status for o in Organisation.objects.filter(pk__in=[i.pk for i in items])} == {expected}
    untouched.refresh_from_db()
    assert untouched.status == Status.DRAFT


def test_bulk_publish_makes_drafts_visible_to_readers(publisher_client):
    drafts = [make_organisation(status=Status.DRAFT) for _ in range(2)]
    bulk(publisher_client, "publish", drafts)
    assert Organisation.objects.published().count() == 2


def test_publisher_bulk_publish_covers_programmes_and_guidance_too(publisher_client):
    from .factories import make_guidance, make_programme

    programme = make_programme(status=Status.DRAFT)
    guidance = make_guidance(status=Status.DRAFT)
    for model_name, obj in (("programme", programme), ("guidance", guidance)):
        publisher_client.post(
            reverse(f"admin:directory_{model_name}_changelist"), {"action": "publish", "_selected_action": [obj.pk]}
        )
        obj.refresh_from_db()
        assert obj.status == Status.PUBLISHED


@pytest.mark.parametrize("model_name", ["organisation", "programme", "guidance", "sector", "topic"])
def test_changelists_and_add_forms_render_for_editors(editor_client, model_name):
    assert editor_client.get(reverse(f"admin:directory_{model_name}_changelist")).status_code == 200
    assert editor_client.get(reverse(f"admin:directory_{model_name}_add")).status_code == 200


def test_changelist_filters_items_not_verified_for_a_year(editor_client):
    import datetime

    from django.utils import timezone

    make_organisation("Fresh", last_verified_on=timezone.localdate() - datetime.timedelta(days=10))
    make_organisation("Stale", last_verified_on=timezone.localdate() - datetime.timedelta(days=500))
    response = editor_client.get(reverse("admin:directory_organisation_changelist"), {"verification": "stale"})
    assert [o.name for o in response.context["cl"].result_list] == ["Stale"]


def test_autocomplete_finds_organisations_for_relations(editor_client):
    make_organisation("Hong Kong University of Science and Technology")
    response = editor_client.get(
        reverse("admin:autocomplete"),
        {"term": "science", "app_label": "directory", "model_name": "organisation", "field_name": "parent"},
    )
    assert [row["text"] for row in response.json()["results"]] == ["Hong Kong University of Science and Technology"]


def test_roles_exist_with_the_right_permissions():
    editor = make_user(groups=["Editors"])
    publisher = make_user(groups=["Publishers"])
    exporter = make_user(groups=["Exporters"])
    assert editor.has_perm("directory.change_organisation")
    assert not editor.has_perm("directory.publish_organisation")
    assert publisher.has_perm("directory.publish_guidance")
    assert exporter.has_perm("directory.export_programme")
    assert not exporter.has_perm("directory.change_programme")
