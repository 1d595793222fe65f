"""Revisions: every write path records one, with its author and the item's whole state; comparison and revert."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from PIL import Image

from directory.choices import ReviewState, Status
from directory.models import Guidance, Organisation, Programme, Review, Revision
from directory.reviews import approve, propose_changes
from directory.revision_recording import acting_as, grouped, record
from directory.revisions import compare, marked_words, revert

from .factories import make_guidance, make_organisation, make_programme, make_sector, make_topic, make_user

pytestmark = pytest.mark.django_db

SITE = "https://portal.example"


def revisions_of(item):
    return list(Revision.objects.of(item).order_by("pk"))


def latest(item):
    return Revision.objects.of(item).first()


@pytest.fixture
def png_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), "teal").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def publisher():
    return make_user("publisher", groups=["Publishers"])


@pytest.fixture
def editor():
    return make_user("editor", groups=["Editors"])


class TestRecording:
    def test_creating_an_item_in_the_shell_records_its_first_revision_by_the_system(self):
        item = make_organisation("Harbour University", name_zh_hant="海港大學", summary="Teaches.")

        [revision] = revisions_of(item)
        assert revision.author is None
        assert revision.username == ""
        assert revision.object_repr == "Harbour University"
        assert revision.changed_fields is None
        assert revision.state["name"] == "Harbour University"
        assert revision.state["name_zh_hant"] == "海港大學"
        assert revision.state["name_zh_hant_status"] == "editorial"

    def test_a_save_in_the_shell_records_the_changed_fields(self):
        item = make_organisation("Harbour University")
        item.summary_zh_hant = "教學。"
        item.founded_year = "1911"
        item.save()

        revision = latest(item)
        assert revision.changed_fields == ["summary_zh_hant_status", "summary_zh_hant", "founded_year"]
        assert revision.state["founded_year"] == 1911

    def test_each_relation_change_in_the_shell_records_the_relations_ids_and_names(self):
        finance, health = make_sector("Finance"), make_sector("Health")
        item = make_organisation()

        item.sectors.add(finance, health)
        item.sectors.remove(health)

        first, added, removed = revisions_of(item)
        assert added.state["sectors"] == sorted([finance.pk, health.pk])
        assert added.names["sectors"] == {str(finance.pk): "Finance", str(health.pk): "Health"}
        assert removed.state["sectors"] == [finance.pk]
        assert removed.changed_fields == ["sectors"]

    def test_a_relation_changed_from_the_other_side_records_a_revision_of_the_item_it_belongs_to(self):
        finance = make_sector("Finance")
        first, second = make_organisation(), make_organisation()

        finance.organisations.add(first, second)
        finance.organisations.clear()

        assert [r.state["sectors"] for r in revisions_of(first)] == [[], [finance.pk], []]
        assert [r.state["sectors"] for r in revisions_of(second)] == [[], [finance.pk], []]

    def test_a_group_records_one_revision_per_item_with_every_relation(self):
        lead = make_organisation("Lead University")
        finance = make_sector("Finance")
        programme = make_programme("Seed Fund", lead_organisation=lead)
        partner = make_organisation("Partner Lab")

        with grouped("Tidied up"):
            programme.summary = "Money for start-ups."
            programme.save()
            programme.sectors.set([finance])
            programme.partners.set([partner])

        first, tidied = revisions_of(programme)
        assert tidied.message == "Tidied up"
        assert tidied.state["sectors"] == [finance.pk]
        assert tidied.state["partners"] == [partner.pk]
        assert tidied.names["lead_organisation"] == {str(lead.pk): "Lead University"}
        assert tidied.names["partners"] == {str(partner.pk): "Partner Lab"}
        assert set(tidied.changed_fields) == {"summary", "sectors", "partners"}

    def test_a_group_that_fails_records_nothing(self):
        item = make_organisation()
        with pytest.raises(RuntimeError), grouped():
            item.name = "Renamed"
            item.save()
            raise RuntimeError

        assert len(revisions_of(item)) == 1

    def test_a_guidance_revision_holds_its_publisher_co_publishers_and_topics_by_name(self):
        regulator = make_organisation("Privacy Office", kind="regulator")
        partner = make_organisation("Monetary Authority", kind="regulator")
        ethics = make_topic("Ethics")
        guidance = make_guidance("Model framework", publisher=regulator)

        with grouped():
            guidance.co_publishers.set([partner])
            guidance.topics.set([ethics])

        revision = latest(guidance)
        assert revision.state["publisher"] == regulator.pk
        assert revision.names["publisher"] == {str(regulator.pk): "Privacy Office"}
        assert revision.state["co_publishers"] == [partner.pk]
        assert revision.names["topics"] == {str(ethics.pk): "Ethics"}

    def test_a_deletion_records_the_last_state_with_its_relations(self):
        finance = make_sector("Finance")
        item = make_organisation("Closed Lab")
        item.sectors.add(finance)
        pk = item.pk

        Organisation.objects.filter(pk=pk).delete()

        last = Revision.objects.filter(object_id=pk, content_type__model="organisation").first()
        assert last.deleted
        assert last.state["sectors"] == [finance.pk]
        assert last.names["sectors"] == {str(finance.pk): "Finance"}

    def test_the_logo_path_is_part_of_the_state(self, png_bytes):
        item = make_organisation()
        item.logo = SimpleUploadedFile("logo.png", png_bytes, content_type="image/png")
        item.save()

        assert latest(item).state["logo"] == item.logo.name
        assert latest(item).changed_fields == ["logo"]

    def test_recording_a_save_takes_three_queries_after_the_update(self, django_assert_num_queries):
        item = make_organisation()
        item.sectors.add(make_sector())
        item.name = "Renamed"
        # The update, then the relations with their names, the previous revision and the insert.
        with django_assert_num_queries(4):
            item.save()

    def test_recording_many_items_at_once_takes_the_same_queries_as_one(self, django_assert_num_queries):
        items = [make_organisation() for _ in range(30)]
        for item in items:
            item.sectors.add(make_sector())
        with django_assert_num_queries(4):
            record(Organisation, dict.fromkeys(item.pk for item in items))
        assert all(latest(item).changed_fields == [] for item in items)


class TestCommands:
    def test_loading_the_demo_content_records_one_revision_per_item_by_the_system(self):
        call_command("load_demo_content", verbosity=0)

        for model in (Organisation, Programme, Guidance):
            items = model.objects.count()
            revisions = Revision.objects.filter(content_type__model=model._meta.model_name)
            assert revisions.count() == items
            assert set(revisions.values_list("username", "message")) == {("", "Demo content loaded")}
        organisation = Organisation.objects.exclude(sectors=None).first()
        assert latest(organisation).state["sectors"] == sorted(organisation.sectors.values_list("pk", flat=True))

    def test_generated_synthetic_content_records_each_item_with_its_relations(self):
        call_command("generate_synthetic_content", organisations=20, programmes=4, guidance=2, verbosity=0)

        assert Revision.objects.filter(content_type__model="organisation").count() == 20
        assert Revision.objects.filter(content_type__model="programme").count() == 4
        guidance = Guidance.objects.first()
        assert latest(guidance).state["topics"] == sorted(guidance.topics.values_list("pk", flat=True))


class TestApproval:
    def test_a_publishers_approval_of_an_editors_changes_is_one_revision_by_the_publisher(self, editor, publisher):
        item = make_organisation("Harbour University")
        finance = make_sector("Finance")
        review = propose_changes(item, {"summary": "Now with robotics.", "sectors": [finance.pk]}, editor, SITE)
        assert len(revisions_of(item)) == 1  # proposing leaves the item alone

        with acting_as(publisher):
            approve(review, publisher, SITE)

        first, approved = revisions_of(item)
        assert approved.author == publisher
        assert approved.state["summary"] == "Now with robotics."
        assert approved.state["sectors"] == [finance.pk]


class TestComparison:
    def test_comparison_names_the_changed_fields_with_old_and_new_values(self):
        finance, health = make_sector("Finance"), make_sector("Health")
        item = make_organisation("Harbour University", kind="university", founded_year=1911)
        item.sectors.add(finance)
        older = latest(item)
        with grouped():
            item.name, item.kind, item.founded_year = "Harbour Tech University", "research_centre", 1912
            item.save()
            item.sectors.set([health])

        differences = {d.label: d for d in compare(Organisation, older, latest(item))}

        assert set(differences) == {"name", "kind", "founded year", "sectors"}
        assert (differences["name"].old, differences["name"].new) == ("Harbour University", "Harbour Tech University")
        assert (differences["kind"].old, differences["kind"].new) == ("University", "Research centre")
        assert (differences["sectors"].removed, differences["sectors"].added) == (["Finance"], ["Health"])

    def test_a_related_item_deleted_since_keeps_the_name_it_had(self):
        old_parent = make_organisation("Old Parent")
        item = make_organisation(parent=old_parent)
        older = latest(item)
        item.parent = make_organisation("New Parent")
        item.save()
        old_parent.delete()

        [difference] = compare(Organisation, older, latest(item))
        assert (difference.old, difference.new) == ("Old Parent", "New Parent")

    def test_long_texts_mark_only_the_changed_words(self):
        item = make_organisation(description="It teaches machine learning to engineers.")
        older = latest(item)
        item.description = "It teaches robotics to engineers."
        item.save()

        [difference] = compare(Organisation, older, latest(item))
        assert difference.kind == "text"
        assert [text for changed, text in difference.old_words if changed] == ["machine learning"]
        assert [text for changed, text in difference.new_words if changed] == ["robotics"]

    def test_chinese_text_is_marked_character_by_character(self):
        old, new = marked_words("研究人工智能。", "研究機器學習。")
        assert [text for changed, text in old if changed] == ["人工智能"]
        assert [text for changed, text in new if changed] == ["機器學習"]


class TestRevert:
    def test_a_publishers_revert_restores_relations_and_chinese_fields_and_keeps_the_publication(self, publisher):
        finance, health = make_sector("Finance"), make_sector("Health")
        partner = make_organisation("Partner Lab")
        item = make_organisation("Harbour University", name_zh_hant="海港大學", summary_zh_hant="教學。")
        with grouped():
            item.sectors.set([finance])
            item.part_of.set([partner])
        wanted = latest(item)
        with grouped():
            item.name_zh_hant, item.summary_zh_hant = "港灣大學", ""
            item.save()
            item.sectors.set([health])
            item.part_of.clear()
        item.status = Status.ARCHIVED
        item.save()
        published_at = item.published_at

        reverted = revert(Organisation.objects.get(pk=item.pk), wanted, publisher, SITE)

        item.refresh_from_db()
        assert reverted == item
        assert (item.name_zh_hant, item.summary_zh_hant, item.summary_zh_hant_status) == (
            "海港大學",
            "教學。",
            "editorial",
        )
        assert list(item.sectors.all()) == [finance]
        assert list(item.part_of.all()) == [partner]
        assert (item.status, item.published_at) == (Status.ARCHIVED, published_at)
        new = latest(item)
        assert new.message.startswith("Reverted to the revision of")
        assert set(new.changed_fields) == {
            "name_zh_hant",
            "summary_zh_hant",
            "summary_zh_hant_status",
            "sectors",
            "part_of",
        }

    def test_an_editors_revert_of_a_live_item_becomes_a_proposed_change(self, editor):
        finance = make_sector("Finance")
        item = make_organisation("Harbour University", summary="Old summary.")
        wanted = latest(item)
        with grouped():
            item.summary = "New summary."
            item.save()
            item.sectors.set([finance])

        review = revert(Organisation.objects.get(pk=item.pk), wanted, editor, SITE)

        item.refresh_from_db()
        assert item.summary == "New summary."
        assert isinstance(review, Review)
        assert review.state == ReviewState.PENDING
        assert review.changes == {"summary": "Old summary.", "sectors": []}

    def test_a_revert_drops_related_items_deleted_since(self, publisher):
        gone, kept = make_sector("Gone"), make_sector("Kept")
        item = make_organisation()
        item.sectors.set([gone, kept])
        wanted = latest(item)
        item.sectors.clear()
        gone.delete()

        revert(Organisation.objects.get(pk=item.pk), wanted, publisher, SITE)

        assert list(item.sectors.all()) == [kept]

    def test_reverting_to_the_current_state_changes_nothing(self, publisher):
        item = make_organisation()
        assert revert(item, latest(item), publisher, SITE) is None
        assert len(revisions_of(item)) == 1

    def test_a_publishers_revert_restores_the_logo(self, publisher, png_bytes):
        item = make_organisation()
        item.logo = SimpleUploadedFile("logo.png", png_bytes, content_type="image/png")
        item.save()
        with_logo = latest(item)
        item.logo = None
        item.save()

        revert(Organisation.objects.get(pk=item.pk), with_logo, publisher, SITE)

        item.refresh_from_db()
        assert item.logo.name == with_logo.state["logo"]
