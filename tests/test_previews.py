import datetime
import logging

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone, translation

from directory.choices import Status
from directory.models import ShareLink
from directory.previews import SHARE_LINK_DAYS, create_share_link, preview_url, share_token, share_url

from .factories import make_guidance, make_organisation, make_programme, make_user

pytestmark = pytest.mark.django_db


def draft_organisation(**fields):
    return make_organisation(
        "Draft Centre for Robotics",
        status=Status.DRAFT,
        summary="Not public yet.",
        name_zh_hant="機械人草稿中心",
        **fields,
    )


def signed_in(client, groups=("Editors",), **fields):
    user = make_user(groups=list(groups), **fields)
    client.force_login(user)
    return user


@pytest.mark.parametrize(
    ("language", "name"),
    [("en", "Draft Centre for Robotics"), ("zh-hant", "機械人草稿中心"), ("zh-hans", "机械人草稿中心")],
)
def test_editor_previews_a_draft_as_readers_will_see_it_in_each_language(client, language, name):
    organisation = draft_organisation()
    signed_in(client)

    response = client.get(preview_url(organisation, language))

    assert response.status_code == 200
    assert response.templates[0].name == "directory/organisation_detail.html"
    body = response.content.decode()
    assert f"<h1>{name}" in body or f">{name}</span></h1>" in body
    assert 'class="preview-banner"' in body


def test_preview_is_bannered_never_cached_and_never_indexed(client):
    signed_in(client)
    response = client.get(preview_url(draft_organisation(), "en"))

    body = response.content.decode()
    assert "Readers cannot see this page" in body
    assert '<meta name="robots" content="noindex, nofollow">' in body
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert 'rel="canonical"' not in body


def test_preview_is_not_stored_in_the_page_cache(client, settings):
    settings.PAGE_CACHE = True
    organisation = draft_organisation()
    signed_in(client)
    client.get(preview_url(organisation, "en"))
    organisation.summary = "Edited after the first preview."
    organisation.save()

    assert "Edited after the first preview." in client.get(preview_url(organisation, "en")).content.decode()
    client.logout()
    assert client.get(preview_url(organisation, "en")).status_code == 404


@pytest.mark.parametrize("model", ["organisation", "programme", "guidance"])
def test_every_kind_of_draft_can_be_previewed(client, model):
    make = {"organisation": make_organisation, "programme": make_programme, "guidance": make_guidance}[model]
    item = make(status=Status.DRAFT)
    signed_in(client)

    assert client.get(preview_url(item, "en")).status_code == 200


def test_preview_of_a_scheduled_item_says_when_readers_will_see_it(client):
    item = make_organisation(published_at=timezone.now() + datetime.timedelta(days=30))
    signed_in(client)

    assert "Readers will see this page from" in client.get(preview_url(item, "en")).content.decode()


def test_preview_shows_only_published_related_items_as_the_public_page_will(client):
    parent = make_organisation("Hidden Parent Body", status=Status.DRAFT)
    item = draft_organisation(parent=parent)
    signed_in(client)

    assert "Hidden Parent Body" not in client.get(preview_url(item, "en")).content.decode()


def test_anonymous_reader_gets_404_for_a_preview(client):
    assert client.get(preview_url(draft_organisation(), "en")).status_code == 404


def test_signed_in_user_without_view_permission_gets_404_for_a_preview(client):
    signed_in(client, groups=(), is_staff=True)
    assert client.get(preview_url(draft_organisation(), "en")).status_code == 404


def test_preview_of_an_unknown_model_or_item_is_404(client):
    signed_in(client)
    assert client.get(reverse("directory:preview", kwargs={"model": "sector", "pk": 1})).status_code == 404
    assert client.get(reverse("directory:preview", kwargs={"model": "organisation", "pk": 999999})).status_code == 404


def test_preview_is_read_only(client):
    signed_in(client)
    assert client.post(preview_url(draft_organisation(), "en")).status_code == 405


def test_change_form_links_the_preview_in_three_languages(client):
    organisation = draft_organisation()
    signed_in(client)

    body = client.get(reverse("admin:directory_organisation_change", args=[organisation.pk])).content.decode()

    for language in ("en", "zh-hant", "zh-hans"):
        assert f'href="{preview_url(organisation, language)}"' in body
    assert "Create a share link" not in body


def test_editor_cannot_create_a_share_link_even_with_a_crafted_post(client):
    organisation = draft_organisation()
    signed_in(client)

    response = client.post(reverse("admin:directory_organisation_share", args=[organisation.pk]))

    assert response.status_code == 403
    assert not ShareLink.objects.exists()


def test_publisher_creates_a_share_link_an_outside_reviewer_can_read(client):
    organisation = draft_organisation()
    publisher = signed_in(client, groups=("Publishers",))

    response = client.post(reverse("admin:directory_organisation_share", args=[organisation.pk]), follow=True)

    link = ShareLink.objects.get()
    assert link.created_by == publisher and link.item == organisation
    assert link.expires_at - timezone.now() > datetime.timedelta(days=SHARE_LINK_DAYS - 1)
    assert "Share link created" in response.content.decode()
    client.logout()
    with translation.override("en"):
        reviewer_page = client.get(share_url(link))
    assert reviewer_page.status_code == 200
    assert "Draft Centre for Robotics" in reviewer_page.content.decode()
    assert "Shared for review" in reviewer_page.content.decode()
    assert reviewer_page["X-Robots-Tag"] == "noindex, nofollow"


def test_share_link_view_is_post_only(client):
    organisation = draft_organisation()
    signed_in(client, groups=("Publishers",))

    assert client.get(reverse("admin:directory_organisation_share", args=[organisation.pk])).status_code == 405


def test_each_use_of_a_share_link_is_counted_and_logged(client, caplog):
    link = create_share_link(draft_organisation(), make_user(groups=["Publishers"]))

    with caplog.at_level(logging.INFO, logger="directory.previews"):
        client.get(share_url(link))
        client.get(share_url(link))

    link.refresh_from_db()
    assert link.use_count == 2 and link.last_used_at is not None
    assert sum("Share link" in record.getMessage() for record in caplog.records) == 2


def test_expired_share_link_is_refused(client):
    link = create_share_link(draft_organisation(), None)
    ShareLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))

    assert client.get(share_url(link)).status_code == 404


def test_share_link_older_than_its_signature_allows_is_refused(client, monkeypatch):
    link = create_share_link(draft_organisation(), None)
    url = share_url(link)
    later = timezone.now() + datetime.timedelta(days=SHARE_LINK_DAYS, minutes=1)
    monkeypatch.setattr(signing.time, "time", lambda: later.timestamp())

    assert client.get(url).status_code == 404


def test_tampered_share_link_is_refused(client):
    link = create_share_link(draft_organisation(), None)
    token = share_token(link)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    forged = signing.dumps(str(link.key), salt="another-salt")

    for bad in (tampered, forged, "not-a-token", "x" * 500):
        assert client.get(reverse("directory:shared-preview", kwargs={"token": bad})).status_code == 404


def test_revoked_share_link_is_refused(client):
    link = create_share_link(draft_organisation(), None)
    publisher = signed_in(client, groups=("Publishers",))
    assert publisher

    client.post(
        reverse("admin:directory_sharelink_changelist"),
        {"action": "revoke", "_selected_action": [link.pk]},
    )
    client.logout()

    link.refresh_from_db()
    assert link.revoked_at is not None
    assert client.get(share_url(link)).status_code == 404


def test_editor_cannot_see_or_revoke_share_links(client):
    link = create_share_link(draft_organisation(), None)
    signed_in(client)

    assert client.get(reverse("admin:directory_sharelink_changelist")).status_code == 403
    client.post(reverse("admin:directory_sharelink_changelist"), {"action": "revoke", "_selected_action": [link.pk]})
    link.refresh_from_db()
    assert link.revoked_at is None


def test_share_link_list_names_each_item_in_a_constant_number_of_queries(client, django_assert_max_num_queries):
    signed_in(client, groups=("Publishers",))
    for make in (draft_organisation, make_programme, make_guidance):
        create_share_link(make(), None)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("admin:directory_sharelink_changelist"))
    baseline = len(few.captured_queries)
    for _ in range(10):
        create_share_link(make_programme(status=Status.DRAFT), None)
        create_share_link(make_guidance(status=Status.DRAFT), None)
    with django_assert_max_num_queries(baseline):
        response = client.get(reverse("admin:directory_sharelink_changelist"))
    assert "Draft Centre for Robotics" in response.content.decode()
