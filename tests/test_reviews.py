import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from directory.choices import ReviewKind, ReviewState, Status
from directory.models import Organisation, Review
from directory.previews import preview_url

from .admin_forms import opened_form, save
from .csv_reading import content, rows
from .factories import make_organisation, make_sector, make_user

pytestmark = pytest.mark.django_db

LIVE_SUMMARY = "Teaches machine learning."
PROPOSED_SUMMARY = "Teaches machine learning and robotics ethics."


def signed_in(groups, email=None):
    user = make_user(groups=groups, email=email or "")
    client = Client()
    client.force_login(user)
    return client, user


@pytest.fixture
def editor():
    return signed_in(["Editors"], "editor@example.org")


@pytest.fixture
def publisher():
    return signed_in(["Publishers"], "publisher@example.org")


@pytest.fixture
def live():
    return make_organisation("Harbour University", summary=LIVE_SUMMARY, website="https://harbour.example.edu.hk")


def propose(client, item, **changes):
    response = save(client, item, {**opened_form(client, item), **changes})
    assert response.status_code == 302, response.content.decode()[:2000]
    return response


def decide(client, review, action, **data):
    name = {"approve": "approve", "request_changes": "request_changes"}[action]
    return client.post(reverse(f"admin:directory_{review.content_type.model}_{name}", args=[review.pk]), data)


def test_editors_edit_of_a_published_item_waits_for_review_and_readers_see_the_published_state(
    editor, live, django_capture_on_commit_callbacks
):
    client, author = editor
    with django_capture_on_commit_callbacks(execute=True):
        propose(client, live, summary=PROPOSED_SUMMARY, website="https://attacker.example.com")

    live.refresh_from_db()
    assert live.summary == LIVE_SUMMARY and live.website == "https://harbour.example.edu.hk"
    review = Review.objects.get()
    assert review.kind == ReviewKind.CHANGE and review.state == ReviewState.PENDING and review.author == author
    assert review.changes == {"summary": PROPOSED_SUMMARY, "website": "https://attacker.example.com"}

    reader = Client()
    assert PROPOSED_SUMMARY not in reader.get(live.get_absolute_url()).content.decode()
    assert LIVE_SUMMARY in reader.get(live.get_absolute_url()).content.decode()
    assert "Harbour University" in reader.get("/en/organisations/?q=machine").content.decode()
    assert "Harbour University" not in reader.get("/en/organisations/?q=robotics").content.decode()
    assert "Harbour University" not in reader.get("/en/search/?q=robotics").content.decode()


def test_a_pending_slug_change_leaves_the_sitemap_and_the_export_alone(editor, live):
    client, _ = editor
    old_url = live.get_absolute_url()
    propose(client, live, name="Harbour University of Technology", slug="harbour-tech")

    sitemap = Client().get("/sitemap-organisations.xml").content.decode()
    assert old_url in sitemap and "harbour-tech" not in sitemap
    exporter, _ = signed_in(["Exporters"])
    exported = rows(content(exporter.get(reverse("directory:organisation-export"))))
    assert [row for row in exported if "Harbour" in str(row)][0]
    assert not any("Harbour University of Technology" in str(row) for row in exported)


def test_change_form_shows_the_changes_awaiting_review_beside_the_published_values(editor, live):
    client, _ = editor
    propose(client, live, summary=PROPOSED_SUMMARY)

    body = client.get(reverse("admin:directory_organisation_change", args=[live.pk])).content.decode()

    assert "Changes awaiting review" in body
    assert LIVE_SUMMARY in body and PROPOSED_SUMMARY in body


def test_a_second_save_by_the_same_editor_adds_to_their_proposal(editor, live):
    client, _ = editor
    propose(client, live, summary=PROPOSED_SUMMARY)
    propose(client, live, founded_year="1911")

    assert Review.objects.get().changes == {"summary": PROPOSED_SUMMARY, "founded_year": 1911}


def test_publisher_approves_and_the_changes_go_live_with_relations(editor, publisher, live):
    client, author = editor
    robotics = make_sector("Robotics")
    propose(client, live, summary=PROPOSED_SUMMARY, sectors=[str(robotics.pk)])
    review = Review.objects.get()
    publisher_client, reviewer = publisher

    decide(publisher_client, review, "approve")

    live.refresh_from_db()
    assert live.summary == PROPOSED_SUMMARY and list(live.sectors.all()) == [robotics]
    review.refresh_from_db()
    assert review.state == ReviewState.APPROVED and review.reviewer == reviewer
    assert PROPOSED_SUMMARY in Client().get(live.get_absolute_url()).content.decode()


def test_approval_notifies_the_author_and_submission_notifies_publishers(
    editor, publisher, live, django_capture_on_commit_callbacks
):
    client, _ = editor
    with django_capture_on_commit_callbacks(execute=True):
        propose(client, live, summary=PROPOSED_SUMMARY)
    assert [message.to for message in mail.outbox] == [["publisher@example.org"]]
    assert "Waiting for your review" in mail.outbox[0].subject
    assert f"/directory/organisation/{live.pk}/change/" in mail.outbox[0].body

    with django_capture_on_commit_callbacks(execute=True):
        decide(publisher[0], Review.objects.get(), "approve")

    assert mail.outbox[1].to == ["editor@example.org"] and "Approved" in mail.outbox[1].subject


def test_publisher_requests_changes_with_a_comment_the_editor_sees_and_is_emailed(
    editor, publisher, live, django_capture_on_commit_callbacks
):
    client, _ = editor
    propose(client, live, summary=PROPOSED_SUMMARY)
    review = Review.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        decide(publisher[0], review, "request_changes", comment="Cite the faculty's page for robotics.")

    review.refresh_from_db()
    assert review.state == ReviewState.CHANGES_REQUESTED
    live.refresh_from_db()
    assert live.summary == LIVE_SUMMARY
    assert mail.outbox[-1].to == ["editor@example.org"]
    assert "Cite the faculty's page for robotics." in mail.outbox[-1].body
    body = client.get(reverse("admin:directory_organisation_change", args=[live.pk])).content.decode()
    assert "Changes requested" in body and "Cite the faculty&#x27;s page for robotics." in body


def test_editing_again_after_changes_were_requested_resubmits_the_proposal(editor, publisher, live):
    client, _ = editor
    propose(client, live, summary=PROPOSED_SUMMARY)
    decide(publisher[0], Review.objects.get(), "request_changes", comment="Shorter, please.")

    propose(client, live, summary="Teaches AI.")

    review = Review.objects.get()
    assert review.state == ReviewState.PENDING and review.changes == {"summary": "Teaches AI."}


def test_requesting_changes_needs_a_comment(editor, publisher, live):
    propose(editor[0], live, summary=PROPOSED_SUMMARY)
    review = Review.objects.get()

    response = decide(publisher[0], review, "request_changes", comment="   ")

    review.refresh_from_db()
    assert response.status_code == 302 and review.state == ReviewState.PENDING


def test_editor_cannot_approve_even_with_a_crafted_post(editor, live):
    client, _ = editor
    propose(client, live, summary=PROPOSED_SUMMARY)
    review = Review.objects.get()

    assert decide(client, review, "approve").status_code == 403
    assert decide(client, review, "request_changes", comment="x").status_code == 403
    live.refresh_from_db()
    assert live.summary == LIVE_SUMMARY and Review.objects.get().state == ReviewState.PENDING


def test_editor_crafted_post_cannot_publish_or_bypass_review(editor, live):
    client, _ = editor
    propose(client, live, summary=PROPOSED_SUMMARY, status=Status.PUBLISHED, published_at="2020-01-01 00:00")

    live.refresh_from_db()
    assert live.summary == LIVE_SUMMARY
    assert "status" not in Review.objects.get().changes


def test_editor_bulk_publish_is_refused(editor):
    client, _ = editor
    draft = make_organisation(status=Status.DRAFT)

    client.post(
        reverse("admin:directory_organisation_changelist"), {"action": "publish", "_selected_action": [draft.pk]}
    )

    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_decisions_are_post_only(publisher, editor, live):
    propose(editor[0], live, summary=PROPOSED_SUMMARY)
    url = reverse("admin:directory_organisation_approve", args=[Review.objects.get().pk])

    assert publisher[0].get(url).status_code == 405


def test_publisher_edits_a_live_item_directly(publisher, live):
    client, _ = publisher
    data = opened_form(client, live)
    data.update(summary=PROPOSED_SUMMARY, published_at_0="2024-01-01", published_at_1="09:00")

    save(client, live, data)

    live.refresh_from_db()
    assert live.summary == PROPOSED_SUMMARY and not Review.objects.exists()


def test_editor_submits_a_draft_and_a_publisher_publishes_it(editor, publisher, django_capture_on_commit_callbacks):
    client, _ = editor
    draft = make_organisation("Kowloon Robotics Lab", status=Status.DRAFT)
    change_url = reverse("admin:directory_organisation_change", args=[draft.pk])
    assert "Submit for review" in client.get(change_url).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:directory_organisation_submit_review", args=[draft.pk]))

    draft.refresh_from_db()
    review = Review.objects.get()
    assert draft.status == Status.DRAFT and review.kind == ReviewKind.PUBLICATION
    assert mail.outbox[0].to == ["publisher@example.org"]
    assert "Submit for review" not in client.get(change_url).content.decode()
    assert Client().get(draft.get_absolute_url()).status_code == 404

    decide(publisher[0], review, "approve")

    draft.refresh_from_db()
    assert draft.status == Status.PUBLISHED and Client().get(draft.get_absolute_url()).status_code == 200


def test_only_a_draft_can_be_submitted_for_publication(editor, live):
    client, _ = editor
    client.post(reverse("admin:directory_organisation_submit_review", args=[live.pk]))
    assert not Review.objects.exists()


def test_changelist_shows_and_filters_the_review_state_in_a_constant_number_of_queries(
    editor, live, django_assert_max_num_queries
):
    client, _ = editor
    propose(client, live, summary=PROPOSED_SUMMARY)
    untouched = make_organisation("Untouched Institute")
    changelist = reverse("admin:directory_organisation_changelist")

    with django_assert_max_num_queries(20) as few:
        body = client.get(changelist).content.decode()
    baseline = len(few.captured_queries)
    assert "Changes awaiting review" in body
    for _ in range(10):
        propose(client, make_organisation(), summary=PROPOSED_SUMMARY)
    with django_assert_max_num_queries(baseline):
        client.get(changelist)

    filtered = client.get(changelist, {"review": "change"})
    names = [item.name for item in filtered.context["cl"].result_list]
    assert "Harbour University" in names and untouched.name not in names


def test_preview_of_a_proposal_shows_its_changes_and_the_public_page_does_not(editor, live):
    client, _ = editor
    propose(client, live, summary=PROPOSED_SUMMARY)
    review = Review.objects.get()

    preview = client.get(f"{preview_url(live, 'en')}?review={review.pk}").content.decode()

    assert PROPOSED_SUMMARY in preview and "changes awaiting review" in preview
    assert PROPOSED_SUMMARY not in Client().get(live.get_absolute_url()).content.decode()
    for bad in ("abc", "999999", "-1", "9" * 40):
        assert client.get(f"{preview_url(live, 'en')}?review={bad}").status_code == 404


def test_approval_that_no_longer_validates_is_refused_and_stays_open(editor, publisher, live):
    client, _ = editor
    propose(client, live, slug="taken-slug")
    make_organisation("Another body", slug="taken-slug")

    decide(publisher[0], Review.objects.get(), "approve")

    live.refresh_from_db()
    assert live.slug != "taken-slug" and Review.objects.get().state == ReviewState.PENDING


def test_editor_cannot_change_a_live_items_logo_in_a_proposal(editor, live):
    client, _ = editor
    response = client.get(reverse("admin:directory_organisation_change", args=[live.pk]))
    assert "logo" not in response.context["adminform"].form.fields


def test_a_mail_server_that_is_down_does_not_undo_the_proposal(
    editor, live, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 1
    make_user(groups=["Publishers"], email="publisher@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        propose(editor[0], live, summary=PROPOSED_SUMMARY)

    assert Review.objects.get().state == ReviewState.PENDING


def test_reviews_list_shows_publishers_everything_oldest_first_and_editors_their_own(editor, publisher, live):
    propose(editor[0], live, summary=PROPOSED_SUMMARY)
    other_client, _ = signed_in(["Editors"])
    propose(other_client, make_organisation("Second Body"), summary=PROPOSED_SUMMARY)
    changelist = reverse("admin:directory_review_changelist")

    all_reviews = publisher[0].get(changelist).context["cl"].result_list
    own = editor[0].get(changelist).context["cl"].result_list

    assert [review.item.name for review in all_reviews] == ["Harbour University", "Second Body"]
    assert [review.item.name for review in own] == ["Harbour University"]
    assert Organisation.objects.get(pk=live.pk).summary == LIVE_SUMMARY
