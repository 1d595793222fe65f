"""The audit of all changes: publishers list every revision across the site by date, user and model, and export it."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from directory.choices import ExportedContent, ExportSource
from directory.models import ExportRecord, Revision
from directory.revision_recording import acting_as

from .csv_reading import content, rows
from .factories import make_guidance, make_organisation, make_programme, make_user

pytestmark = pytest.mark.django_db

AUDIT = reverse("admin:directory_revision_changelist")
EXPORT = reverse("admin:directory_revision_export")


@pytest.fixture
def publisher():
    return make_user("publisher", groups=["Publishers"])


@pytest.fixture
def publisher_client(client, publisher):
    client.force_login(publisher)
    return client


def saved_on(item, day):
    """Move the item's revisions to noon of `day` in Hong Kong."""
    noon = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))
    Revision.objects.of(item).update(created_at=noon)


def listed(response):
    return sorted(revision.object_repr for revision in response.context["cl"].result_list)


def test_the_audit_lists_every_change_across_the_site_with_its_author(publisher_client, publisher):
    with acting_as(publisher):
        make_organisation("Harbour University")
    make_programme("Seed Fund")
    make_guidance("Model framework", publisher=make_organisation("Privacy Office"))

    response = publisher_client.get(AUDIT)

    assert response.status_code == 200
    assert listed(response) == ["Harbour University", "Model framework", "Privacy Office", "Seed Fund"]
    page = response.content.decode()
    assert '<td class="field-author_name">publisher</td>' in page
    assert '<td class="field-author_name">system</td>' in page


def test_the_audit_filters_by_date_range_both_days_included(publisher_client):
    early, inside, late = make_organisation("Early"), make_organisation("Inside"), make_organisation("Late")
    saved_on(early, datetime.date(2026, 3, 31))
    saved_on(inside, datetime.date(2026, 4, 1))
    saved_on(late, datetime.date(2026, 4, 3))

    assert listed(publisher_client.get(AUDIT, {"since": "2026-04-01", "until": "2026-04-02"})) == ["Inside"]
    assert listed(publisher_client.get(AUDIT, {"since": "2026-04-01"})) == ["Inside", "Late"]
    assert listed(publisher_client.get(AUDIT, {"until": "2026-03-31"})) == ["Early"]


def test_a_date_that_is_not_one_filters_nothing(publisher_client):
    make_organisation("Kept")
    assert listed(publisher_client.get(AUDIT, {"since": "yesterday"})) == ["Kept"]


def test_the_audit_filters_by_user_and_by_model(publisher_client, publisher):
    other = make_user("other", groups=["Publishers"])
    with acting_as(publisher):
        mine = make_organisation("Mine")
    with acting_as(other):
        make_organisation("Theirs")
        make_programme("Their programme")

    assert listed(publisher_client.get(AUDIT, {"author__id__exact": publisher.pk})) == ["Mine"]
    content_type = Revision.objects.of(mine).first().content_type
    assert listed(publisher_client.get(AUDIT, {"content_type__id__exact": content_type.pk})) == ["Mine", "Theirs"]
    assert listed(publisher_client.get(AUDIT, {"author__isnull": "True"})) == []


def test_the_audit_runs_the_same_queries_whatever_the_number_of_changes(
    publisher_client, django_assert_max_num_queries
):
    make_organisation()
    publisher_client.get(AUDIT)
    with django_assert_max_num_queries(20) as few:
        publisher_client.get(AUDIT)
    for _ in range(30):
        make_programme().save()
    with django_assert_max_num_queries(len(few.captured_queries)):
        publisher_client.get(AUDIT)


def test_editors_and_exporters_cannot_read_or_export_the_audit(client):
    for group in ("Editors", "Exporters"):
        client.force_login(make_user(groups=[group]))
        assert client.get(AUDIT).status_code == 403
        assert client.get(EXPORT).status_code == 403


def test_nobody_can_add_change_or_delete_a_revision(publisher_client):
    item = make_organisation()
    revision = Revision.objects.of(item).first()
    assert publisher_client.get(reverse("admin:directory_revision_add")).status_code == 403
    response = publisher_client.post(reverse("admin:directory_revision_change", args=[revision.pk]), {"message": "x"})
    assert response.status_code == 403
    assert publisher_client.post(reverse("admin:directory_revision_delete", args=[revision.pk])).status_code == 403


def test_the_export_is_the_filtered_audit_as_a_safe_csv_and_is_logged(publisher_client, publisher):
    with acting_as(publisher):
        item = make_organisation('=HYPERLINK("https://evil.example")')
        item.summary = "Changed."
        item.save()
    other = make_organisation("Elsewhere")
    saved_on(other, datetime.date(2020, 1, 1))

    response = publisher_client.get(EXPORT, {"since": "2021-01-01"})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    found = rows(content(response))
    assert list(found[0]) == [
        "saved_at",
        "username",
        "model",
        "item_id",
        "item",
        "changed_fields",
        "deleted",
        "message",
    ]
    assert [row["item"] for row in found] == ['\'=HYPERLINK("https://evil.example")'] * 2
    assert [row["changed_fields"] for row in found] == ["summary", ""]
    assert {row["username"] for row in found} == {"publisher"}
    record = ExportRecord.objects.get()
    assert (record.content, record.source, record.username) == (
        ExportedContent.CHANGES,
        ExportSource.ADMIN,
        "publisher",
    )
    assert (record.row_count, record.complete, record.filters) == (2, True, {"since": ["2021-01-01"]})


def test_the_audit_links_its_export_with_the_same_filters(publisher_client):
    response = publisher_client.get(AUDIT, {"since": "2026-01-01", "p": "1"})
    assert f'href="{EXPORT}?since=2026-01-01"' in response.content.decode()


def test_a_deletion_is_listed_with_its_author_and_its_history_link_leads_back_to_the_list(publisher_client, publisher):
    item = make_organisation("Closed Lab")
    publisher_client.post(reverse("admin:directory_organisation_delete", args=[item.pk]), {"post": "yes"})

    response = publisher_client.get(AUDIT)

    deleted = Revision.objects.get(deleted=True)
    assert (deleted.object_repr, deleted.author) == ("Closed Lab", publisher)
    assert '<td class="field-changes">(deleted)</td>' in response.content.decode()
    history = reverse("admin:directory_organisation_history", args=[deleted.object_id])
    assert publisher_client.get(history).status_code == 302
