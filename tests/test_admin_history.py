"""An item's history in the admin: the revisions its saves record, a comparison of two, and a revert to one."""

import pytest
from django.contrib.messages import SUCCESS
from django.urls import reverse

from directory.choices import ReviewState, Status
from directory.models import Organisation, Review, Revision
from directory.revision_recording import grouped

from .admin_forms import opened_form
from .factories import make_organisation, make_sector, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def publisher():
    return make_user("publisher", groups=["Publishers"])


@pytest.fixture
def editor():
    return make_user("editor", groups=["Editors"])


def history_url(item):
    return reverse("admin:directory_organisation_history", args=[item.pk])


def compare_url(item):
    return reverse("admin:directory_organisation_compare", args=[item.pk])


def revert_url(item, revision):
    return reverse("admin:directory_organisation_revert", args=[item.pk, revision.pk])


def latest(item):
    return Revision.objects.of(item).first()


class TestWritePaths:
    def test_an_admin_save_with_relations_is_one_revision_by_its_author_with_its_message(self, client, publisher):
        finance, health = make_sector("Finance"), make_sector("Health")
        item = make_organisation("Harbour University")
        client.force_login(publisher)
        data = opened_form(client, item)
        data.update(name_zh_hant="海港大學", sectors=[finance.pk, health.pk], revision_message="Added the sectors")

        response = client.post(reverse("admin:directory_organisation_change", args=[item.pk]), data)

        assert response.status_code == 302
        first, saved = Revision.objects.of(item).order_by("pk")
        assert saved.author == publisher
        assert saved.username == "publisher"
        assert saved.message == "Added the sectors"
        assert saved.state["sectors"] == sorted([finance.pk, health.pk])
        assert saved.state["name_zh_hant"] == "海港大學"
        assert set(saved.changed_fields) == {"name_zh_hant", "name_zh_hant_status", "sectors"}

    def test_an_admin_add_records_the_first_revision(self, client, publisher):
        finance = make_sector("Finance")
        client.force_login(publisher)
        response = client.post(
            reverse("admin:directory_organisation_add"),
            {"name": "New Lab", "kind": "startup", "status": Status.DRAFT, "sectors": [finance.pk]},
        )

        assert response.status_code == 302
        item = Organisation.objects.get(name="New Lab")
        [revision] = Revision.objects.of(item)
        assert (revision.author, revision.changed_fields, revision.state["sectors"]) == (publisher, None, [finance.pk])

    def test_an_editors_proposal_records_no_revision_until_a_publisher_approves_it(self, client, editor, publisher):
        item = make_organisation("Harbour University")
        client.force_login(editor)
        data = opened_form(client, item)
        data["summary"] = "Proposed summary."
        client.post(reverse("admin:directory_organisation_change", args=[item.pk]), data)
        assert Revision.objects.of(item).count() == 1

        client.force_login(publisher)
        review = Review.objects.get()
        client.post(reverse("admin:directory_organisation_approve", args=[review.pk]))

        approved = latest(item)
        assert (approved.author, approved.state["summary"]) == (publisher, "Proposed summary.")

    @pytest.mark.parametrize(("action", "status"), [("publish", Status.PUBLISHED), ("archive", Status.ARCHIVED)])
    def test_a_bulk_action_records_a_revision_of_each_item_by_its_author(self, client, publisher, action, status):
        finance = make_sector("Finance")
        items = [make_organisation(status=Status.DRAFT) for _ in range(3)]
        items[0].sectors.add(finance)
        client.force_login(publisher)

        client.post(
            reverse("admin:directory_organisation_changelist"),
            {"action": action, "_selected_action": [item.pk for item in items]},
        )

        for item in items:
            revision = latest(item)
            assert revision.author == publisher
            assert revision.state["status"] == status
            assert revision.changed_fields[0] == "status"
        assert latest(items[0]).state["sectors"] == [finance.pk]


class TestHistoryPage:
    def test_the_history_lists_each_revision_with_its_author_and_changed_fields(self, client, publisher):
        item = make_organisation("Harbour University")
        client.force_login(publisher)
        data = opened_form(client, item)
        data.update(summary="Teaches.", revision_message="Wrote a summary")
        client.post(reverse("admin:directory_organisation_change", args=[item.pk]), data)

        response = client.get(history_url(item))

        page = response.content.decode()
        assert response.status_code == 200
        assert [r.pk for r in response.context["revisions"]] == list(
            Revision.objects.of(item).values_list("pk", flat=True)
        )
        assert "Wrote a summary" in page
        assert "(first revision)" in page
        assert response.context["revisions"][0].changed_labels == ["summary"]

    def test_the_history_page_runs_the_same_queries_whatever_the_number_of_revisions(
        self, client, publisher, django_assert_max_num_queries
    ):
        item = make_organisation()
        client.force_login(publisher)
        client.get(history_url(item))
        with django_assert_max_num_queries(12) as few:
            client.get(history_url(item))
        for number in range(40):
            item.name = f"Name {number}"
            item.save()
        with django_assert_max_num_queries(len(few.captured_queries)):
            response = client.get(history_url(item))
        assert len(response.context["revisions"]) == 41

    def test_the_changelist_runs_the_same_queries_whatever_the_number_of_revisions(
        self, client, publisher, django_assert_max_num_queries
    ):
        items = [make_organisation() for _ in range(5)]
        client.force_login(publisher)
        url = reverse("admin:directory_organisation_changelist")
        client.get(url)
        with django_assert_max_num_queries(20) as few:
            client.get(url)
        for item in items * 10:
            item.save()
        items += [make_organisation() for _ in range(20)]
        with django_assert_max_num_queries(len(few.captured_queries)):
            client.get(url)

    def test_someone_without_access_to_the_item_cannot_read_its_history(self, client):
        item = make_organisation()
        client.force_login(make_user(groups=["Exporters"]))
        assert client.get(history_url(item)).status_code == 200
        client.force_login(make_user())
        assert client.get(history_url(item)).status_code == 403
        assert client.get(compare_url(item)).status_code == 403


class TestComparisonPage:
    def test_the_comparison_shows_changed_fields_side_by_side_and_names_the_relations(self, client, publisher):
        finance, health = make_sector("Finance"), make_sector("Health")
        item = make_organisation("Harbour University", description="It teaches machine learning.")
        item.sectors.add(finance)
        older = latest(item)
        with grouped():
            item.name, item.description = "Harbour Tech", "It teaches robotics."
            item.save()
            item.sectors.set([health])
        client.force_login(publisher)

        response = client.get(compare_url(item), {"a": older.pk, "b": latest(item).pk})

        page = response.content.decode()
        assert [d.label for d in response.context["differences"]] == ["name", "description", "sectors"]
        assert "<td>Harbour University</td>" in page
        assert "<td>Harbour Tech</td>" in page
        assert "<del>machine learning</del>" in page
        assert "<ins>robotics</ins>" in page
        assert "<del>Finance</del>" in page
        assert "<ins>Health</ins>" in page

    def test_a_revision_alone_is_compared_with_the_one_before(self, client, publisher):
        item = make_organisation("Old Name")
        item.name = "New Name"
        item.save()
        client.force_login(publisher)

        response = client.get(compare_url(item), {"b": latest(item).pk})

        [difference] = response.context["differences"]
        assert (difference.old, difference.new) == ("Old Name", "New Name")

    def test_a_revision_of_another_item_is_not_found(self, client, publisher):
        item, other = make_organisation(), make_organisation()
        client.force_login(publisher)
        assert client.get(compare_url(item), {"a": latest(other).pk, "b": latest(item).pk}).status_code == 404


class TestRevertPage:
    def test_a_publishers_revert_goes_live_as_a_new_revision(self, client, publisher):
        finance = make_sector("Finance")
        item = make_organisation("Harbour University", name_zh_hant="海港大學")
        item.sectors.add(finance)
        wanted = latest(item)
        with grouped():
            item.name_zh_hant = "港灣大學"
            item.save()
            item.sectors.clear()
        client.force_login(publisher)

        response = client.post(revert_url(item, wanted), follow=True)

        item.refresh_from_db()
        assert item.name_zh_hant == "海港大學"
        assert list(item.sectors.all()) == [finance]
        assert latest(item).author == publisher
        [message] = list(response.context["messages"])
        assert message.level == SUCCESS

    def test_an_editors_revert_of_a_live_item_waits_for_a_publisher(self, client, editor):
        item = make_organisation("Harbour University", summary="Old.")
        wanted = latest(item)
        item.summary = "New."
        item.save()
        client.force_login(editor)

        response = client.post(revert_url(item, wanted), follow=True)

        item.refresh_from_db()
        assert item.summary == "New."
        review = Review.objects.get()
        assert (review.state, review.changes, review.author) == (ReviewState.PENDING, {"summary": "Old."}, editor)
        [message] = list(response.context["messages"])
        assert "awaiting a publisher's review" in message.message

    def test_revert_is_post_only_and_needs_the_change_permission(self, client):
        item = make_organisation()
        wanted = latest(item)
        client.force_login(make_user(groups=["Exporters"]))
        assert client.post(revert_url(item, wanted)).status_code == 403
        client.force_login(make_user(groups=["Publishers"]))
        assert client.get(revert_url(item, wanted)).status_code == 405
