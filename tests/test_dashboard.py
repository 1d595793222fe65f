"""The review dashboard on the admin index: per role, each count a link to the changelist of the same items."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from directory.choices import ReviewKind, ReviewState, Status
from directory.models import Organisation, Review
from directory.previews import CONTENT_MODELS
from directory.reviews import propose_changes, submit_for_review

from .factories import make_guidance, make_organisation, make_programme, make_user

pytestmark = pytest.mark.django_db

SITE = "https://testserver"
# The session, the user and their permissions (4); the counts, one query per model and one for all reviews (4); the
# short lists, four sections × three models (12), and the two lists of reviews with their items, one query per kind
# of item (2 + 6); the recent actions beside the app list (1).
QUERY_BUDGET = 29


def signed_in(*groups):
    user = make_user(groups=groups)
    client = Client()
    client.force_login(user)
    return client, user


def dashboard(client):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    return response


def sections(response):
    return {section.key: section for section in response.context["dashboard"].sections}


def add_draft(client, name):
    """An editor adds a draft through the admin, as the dashboard's "my drafts" knows it: from the admin's log."""
    data = {"name": name, "slug": "", "kind": "university", "status": Status.DRAFT, "summary": "A draft."}
    response = client.post(reverse("admin:directory_organisation_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Organisation.objects.get(name=name)


@pytest.fixture
def workload():
    """A little of every kind of work, for an editor and a publisher."""
    editor_client, editor = signed_in("Editors")
    _, other_editor = signed_in("Editors")
    mine = add_draft(editor_client, "My Draft Lab")
    make_organisation("Someone Else's Draft", status=Status.DRAFT)
    submit_for_review(mine, editor, SITE)
    live = make_organisation("Harbour University", last_verified_on=timezone.localdate(), summary_zh_hant="大學")
    propose_changes(live, {"summary": "Changed."}, editor, SITE)
    propose_changes(make_programme("Other's Programme"), {"summary": "Theirs."}, other_editor, SITE)
    make_organisation("Coming Soon Institute", published_at=timezone.now() + datetime.timedelta(days=30))
    make_guidance("Coming Guidance", published_at=timezone.now() + datetime.timedelta(days=3))
    make_programme("Stale Scheme", last_verified_on=timezone.localdate() - datetime.timedelta(days=400))
    return editor_client, editor


@pytest.mark.parametrize(
    ("role", "counting"),
    [
        ("Editors", {"drafts", "proposals", "scheduled", "unverified", "untranslated"}),
        # A publisher's own drafts and proposals are none here: they publish directly.
        ("Publishers", {"waiting", "scheduled", "unverified", "untranslated"}),
    ],
)
def test_every_count_equals_the_result_count_of_the_changelist_it_links_to(workload, role, counting):
    editor_client, _ = workload
    client = editor_client if role == "Editors" else signed_in("Publishers")[0]
    counted = set()
    for section in dashboard(client).context["dashboard"].sections:
        for link in section.counts:
            if link is None:
                continue
            response = client.get(link.url)
            assert response.status_code == 200, link.url
            assert response.context["cl"].result_count == link.count, (section.key, link.url)
            if link.count:
                counted.add(section.key)
    assert counted == counting


def test_editors_see_their_drafts_and_proposals_with_their_state_but_no_review_queue(workload):
    client, _ = workload
    found = sections(dashboard(client))
    assert list(found) == ["drafts", "proposals", "scheduled", "unverified", "untranslated"]
    assert [(str(row.item), row.cells) for row in found["drafts"].rows] == [
        ("My Draft Lab", ["Organisation", "In review"])
    ]
    assert [(str(row.item), row.cells[:2]) for row in found["proposals"].rows] == [
        ("Harbour University", ["Organisation", "In review"])
    ]


def test_a_draft_sent_back_reads_changes_requested_and_one_never_submitted_not_submitted(workload):
    client, editor = workload
    review = Review.objects.get(kind=ReviewKind.PUBLICATION)
    review.state = ReviewState.CHANGES_REQUESTED
    review.save()
    add_draft(client, "Unsent Draft Centre")
    rows = sections(dashboard(client))["drafts"].rows
    assert sorted((str(row.item), row.cells[1]) for row in rows) == [
        ("My Draft Lab", "Changes requested"),
        ("Unsent Draft Centre", "Not submitted"),
    ]


def test_publishers_see_what_waits_for_their_review_oldest_first(workload):
    client, _ = signed_in("Publishers")
    waiting = sections(dashboard(client))["waiting"]
    assert [(str(row.item), row.cells[1]) for row in waiting.rows] == [
        ("My Draft Lab", "Publication of a draft"),
        ("Harbour University", "Changes to a live item"),
        ("Other's Programme", "Changes to a live item"),
    ]
    assert [link.count for link in waiting.counts] == [2, 1, 0]


def test_scheduled_items_read_when_they_go_live_soonest_first(workload):
    client, _ = workload
    rows = sections(dashboard(client))["scheduled"].rows
    assert [str(row.item) for row in rows] == ["Coming Guidance", "Coming Soon Institute"]
    assert all(re.fullmatch(r"Scheduled for \d{1,2} \w+ \d{4}, \d\d:\d\d", row.cells[1]) for row in rows)


def test_the_unverified_list_starts_with_the_never_verified_and_offers_verified_today(workload):
    client, _ = workload
    section = sections(dashboard(client))["unverified"]
    rows = section.rows
    assert len(rows) == 5 and section.verify
    assert [row.cells[1] for row in rows] == ["Never"] * 5
    assert all(row.verify_url.endswith("/verified-today/") for row in rows)
    for model in CONTENT_MODELS:
        model.objects.filter(last_verified_on__isnull=True).update(last_verified_on=timezone.localdate())
    rows = sections(dashboard(client))["unverified"].rows
    assert rows[0].cells[1] != "Never" and str(rows[0].item) == "Stale Scheme"


def test_the_app_list_is_still_there(workload):
    client, _ = workload
    response = dashboard(client)
    assert response.context["app_list"]
    assert 'id="review-dashboard-title"' in response.content.decode()
    assert reverse("admin:directory_organisation_changelist") in response.content.decode()


def test_staff_who_change_no_content_get_no_dashboard():
    client, _ = signed_in("Exporters")
    response = dashboard(client)
    assert response.context["dashboard"] is None
    assert 'id="review-dashboard-title"' not in response.content.decode()


def populate(size, editor, editor_client):
    for number in range(size):
        add_draft(editor_client, f"Draft {size}-{number}")
        make_organisation(published_at=timezone.now() + datetime.timedelta(days=number + 1))
        propose_changes(make_organisation(), {"summary": "New."}, editor, SITE)
        submit_for_review(make_programme(status=Status.DRAFT), editor, SITE)
        make_guidance(last_verified_on=timezone.localdate() - datetime.timedelta(days=500 + number))


@pytest.mark.parametrize("role", ["Editors", "Publishers"])
def test_the_dashboard_runs_a_constant_number_of_queries_however_many_items(
    django_assert_max_num_queries, django_assert_num_queries, role
):
    editor_client, editor = signed_in("Editors")
    client = editor_client if role == "Editors" else signed_in("Publishers")[0]
    populate(2, editor, editor_client)
    # Once first, as a running site has: the content types' cache fills on first use in a process.
    dashboard(client)
    with django_assert_max_num_queries(QUERY_BUDGET) as captured:
        dashboard(client)
    # Read now: the next request through the test client empties the connection's log of queries.
    few = len(captured)
    populate(12, editor, editor_client)
    with django_assert_num_queries(few):
        dashboard(client)
