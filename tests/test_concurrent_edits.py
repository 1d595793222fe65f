import pytest
from django.test import Client
from django.urls import reverse
from django.utils.functional import Promise

from directory.choices import Status
from directory.forms import ConcurrencySafeForm
from directory.models import Guidance, Organisation, Programme

from .admin_forms import opened_form, save
from .factories import make_guidance, make_organisation, make_programme, make_user

pytestmark = pytest.mark.django_db

CONFLICT = "This item was changed by someone else since you opened it."


def editor():
    client = Client()
    client.force_login(make_user(groups=["Editors"]))
    return client


@pytest.mark.parametrize(
    ("factory", "model"),
    [(make_organisation, Organisation), (make_programme, Programme), (make_guidance, Guidance)],
)
def test_second_editor_gets_a_conflict_and_keeps_what_they_typed(factory, model):
    item = factory(summary="Original summary.", status=Status.DRAFT)
    first, second = editor(), editor()
    first_form, second_form = opened_form(first, item), opened_form(second, item)

    assert save(first, item, {**first_form, "summary": "First editor's summary."}).status_code == 302
    response = save(second, item, {**second_form, "summary": "Second editor's careful rewrite."})

    assert response.status_code == 200
    assert CONFLICT in response.content.decode()
    assert CONFLICT in " ".join(response.context["adminform"].form.non_field_errors())
    assert "Second editor&#x27;s careful rewrite." in response.content.decode()
    assert model.objects.get(pk=item.pk).summary == "First editor's summary."


def test_a_single_editor_can_save_again_and_again():
    item = make_organisation(summary="Original.", status=Status.DRAFT)
    client = editor()
    assert save(client, item, {**opened_form(client, item), "summary": "Once."}).status_code == 302
    assert save(client, item, {**opened_form(client, item), "summary": "Twice."}).status_code == 302
    item.refresh_from_db()
    assert item.summary == "Twice."


def test_a_bulk_action_since_opening_counts_as_a_change():
    item = make_organisation(status=Status.DRAFT)
    client = editor()
    data = opened_form(client, item)
    publisher = Client()
    publisher.force_login(make_user(groups=["Publishers"]))
    publisher.post(
        reverse("admin:directory_organisation_changelist"), {"action": "publish", "_selected_action": [item.pk]}
    )
    response = save(client, item, {**data, "summary": "Typed while it was published."})
    assert CONFLICT in response.content.decode()
    item.refresh_from_db()
    assert item.status == Status.PUBLISHED
    assert item.summary != "Typed while it was published."


def test_a_tampered_version_is_a_conflict_not_an_error():
    item = make_organisation(status=Status.DRAFT)
    client = editor()
    response = save(client, item, {**opened_form(client, item), "loaded_version": "yesterday"})
    assert response.status_code == 200
    assert CONFLICT in response.content.decode()


def test_the_change_page_carries_the_loaded_version_hidden():
    item = make_organisation(status=Status.DRAFT)
    response = editor().get(reverse("admin:directory_organisation_change", args=[item.pk]))
    expected = item.updated_at.isoformat(timespec="microseconds")
    assert f'<input type="hidden" name="loaded_version" value="{expected}"' in response.content.decode()


def test_add_forms_do_not_carry_a_version_and_still_save():
    client = editor()
    response = client.get(reverse("admin:directory_organisation_add"))
    assert 'name="loaded_version"' not in response.content.decode()
    response = client.post(
        reverse("admin:directory_organisation_add"),
        {"name": "New Lab", "kind": "research_centre", "status": Status.DRAFT},
    )
    assert response.status_code == 302
    assert Organisation.objects.filter(name="New Lab").exists()


def test_the_conflict_message_is_translatable():
    assert isinstance(ConcurrencySafeForm.conflict_message, Promise)


def test_a_view_only_page_shows_no_version():
    item = make_organisation()
    client = Client()
    client.force_login(make_user(groups=["Exporters"]))
    response = client.get(reverse("admin:directory_organisation_change", args=[item.pk]))
    assert response.status_code == 200
    assert "loaded_version" not in response.content.decode()
    assert "Loaded version" not in response.content.decode()
