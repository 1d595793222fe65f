"""“Verified today”: one click records a check at the source, through item.save() so that revisions record it; an
editor's verification of a live item waits for a publisher like any other change to what readers see."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from directory.choices import ReviewKind, ReviewState, Status
from directory.models import Organisation, Programme, Review, Revision
from directory.reviews import approve

from .factories import make_organisation, make_programme, make_user

pytestmark = pytest.mark.django_db

LAST_YEAR = datetime.date(2025, 1, 6)


def signed_in(*groups):
    user = make_user(groups=groups)
    client = Client()
    client.force_login(user)
    return client, user


def verify_url(item):
    return reverse(f"admin:directory_{item._meta.model_name}_verified_today", args=[item.pk])


def change_url(item):
    return reverse(f"admin:directory_{item._meta.model_name}_change", args=[item.pk])


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def test_a_publisher_marks_a_live_item_verified_today_from_its_change_form(content_saves):
    item = make_organisation("Harbour University", last_verified_on=LAST_YEAR)
    client, _ = signed_in("Publishers")
    assert verify_url(item) in client.get(change_url(item)).content.decode()
    content_saves.clear()

    response = client.post(verify_url(item), follow=True)

    assert response.redirect_chain == [(change_url(item), 302)]
    assert messages_of(response) == ["“Harbour University” is marked as verified today."]
    item.refresh_from_db()
    assert item.last_verified_on == timezone.localdate()
    assert content_saves == [("organisation", item.pk)]
    assert Review.objects.count() == 0


def test_an_editor_marks_a_draft_verified_today_directly(content_saves):
    draft = make_programme("Draft Scheme", status=Status.DRAFT)
    client, _ = signed_in("Editors")
    client.post(verify_url(draft))
    draft.refresh_from_db()
    assert draft.last_verified_on == timezone.localdate()
    assert content_saves[-1] == ("programme", draft.pk)


def test_an_editors_verification_of_a_live_item_waits_for_a_publisher_and_readers_keep_the_old_date(content_saves):
    live = make_organisation("Harbour University", last_verified_on=LAST_YEAR)
    client, editor = signed_in("Editors")
    content_saves.clear()

    response = client.post(verify_url(live), follow=True)

    assert messages_of(response) == [
        "Your verification of “Harbour University” is awaiting a publisher's review: readers see the previous date "
        "until a publisher approves it."
    ]
    live.refresh_from_db()
    assert live.last_verified_on == LAST_YEAR and content_saves == []
    review = Review.objects.get()
    assert (review.kind, review.state, review.author) == (ReviewKind.CHANGE, ReviewState.PENDING, editor)
    assert review.changes == {"last_verified_on": timezone.localdate().isoformat()}

    _, publisher = signed_in("Publishers")
    approve(review, publisher, "https://testserver")
    live.refresh_from_db()
    assert live.last_verified_on == timezone.localdate()


def test_the_change_form_tells_an_editor_a_live_items_date_waits_for_review():
    live = make_organisation(last_verified_on=LAST_YEAR)
    page = signed_in("Editors")[0].get(change_url(live)).content.decode()
    assert "Last verified on 6 January 2025." in page
    assert "A publisher approves the new date before readers see it." in page


def test_staff_who_may_not_change_the_item_cannot_verify_it():
    item = make_organisation(last_verified_on=LAST_YEAR)
    client, _ = signed_in("Exporters")
    assert client.post(verify_url(item)).status_code == 403
    item.refresh_from_db()
    assert item.last_verified_on == LAST_YEAR


def test_verified_today_is_a_post():
    item = make_organisation()
    assert signed_in("Publishers")[0].get(verify_url(item)).status_code == 405


def test_the_dashboards_button_returns_to_the_dashboard_and_an_offsite_return_is_ignored():
    item = make_organisation(last_verified_on=LAST_YEAR)
    client, _ = signed_in("Publishers")
    back = f"{reverse('admin:index')}#dashboard-unverified"
    assert client.post(verify_url(item), {"next": back})["Location"] == back
    assert client.post(verify_url(item), {"next": "https://elsewhere.example/"})["Location"] == change_url(item)


def test_the_bulk_action_saves_each_item_and_proposes_for_live_ones_an_editor_selects(content_saves):
    live = make_organisation("Live One", last_verified_on=LAST_YEAR)
    draft = make_organisation("Draft One", status=Status.DRAFT)
    done = make_organisation("Checked This Morning", status=Status.DRAFT, last_verified_on=timezone.localdate())
    client, _ = signed_in("Editors")
    content_saves.clear()

    response = client.post(
        reverse("admin:directory_organisation_changelist"),
        {"action": "mark_verified_today", "_selected_action": [live.pk, draft.pk, done.pk]},
        follow=True,
    )

    assert messages_of(response) == [
        "1 item marked as verified today.",
        "1 live item's verification is awaiting a publisher's review.",
    ]
    assert content_saves == [("organisation", draft.pk)]
    assert dict(Organisation.objects.values_list("name", "last_verified_on")) == {
        "Live One": LAST_YEAR,
        "Draft One": timezone.localdate(),
        "Checked This Morning": timezone.localdate(),
    }
    assert Review.objects.get().object_id == live.pk


def test_a_publishers_bulk_verification_saves_every_selected_item(content_saves):
    items = [make_programme(last_verified_on=LAST_YEAR) for _ in range(3)]
    client, _ = signed_in("Publishers")
    content_saves.clear()
    client.post(
        reverse("admin:directory_programme_changelist"),
        {"action": "mark_verified_today", "_selected_action": [item.pk for item in items]},
    )
    assert set(Programme.objects.values_list("last_verified_on", flat=True)) == {timezone.localdate()}
    assert sorted(content_saves) == sorted(("programme", item.pk) for item in items)


def test_verified_today_records_a_revision_with_its_author_and_date():
    item = make_organisation("Harbour University", last_verified_on=LAST_YEAR)
    client, publisher = signed_in("Publishers")
    before = Revision.objects.of(item).count()

    client.post(verify_url(item))

    revision = Revision.objects.of(item).first()
    assert Revision.objects.of(item).count() == before + 1
    assert revision.author == publisher
    assert revision.state["last_verified_on"] == timezone.localdate().isoformat()
    assert "last_verified_on" in revision.changed_fields
