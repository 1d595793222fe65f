"""A preview, as an outside reviewer opens it from a share link: bannered, and as accessible as the public page."""

import pytest
from django.utils import translation
from playwright.sync_api import expect

from directory.choices import Status
from directory.previews import create_share_link, share_url

from ..factories import make_organisation
from .test_accessibility import check, describe


@pytest.mark.parametrize(("language", "heading"), [("en", "Draft Robotics Centre"), ("zh-hant", "機械人草稿中心")])
def test_shared_preview_of_a_draft_is_bannered_and_has_no_serious_violation(page, language, heading):
    draft = make_organisation(
        "Draft Robotics Centre", status=Status.DRAFT, name_zh_hant="機械人草稿中心", summary="Not public yet."
    )
    with translation.override(language):
        url = share_url(create_share_link(draft, None))

    page.goto(url)

    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page.locator(".preview-banner")).to_be_visible()
    violations = check(page, f"shared-preview-{language}", "desktop")
    assert not violations, describe(violations)
