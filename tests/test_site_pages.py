import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from directory.choices import Status

from .factories import make_guidance, make_organisation, make_programme

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = [
    "/en/",
    "/en/organisations/",
    "/en/programmes/",
    "/en/guidance/",
    "/en/search/",
    "/en/search/?q=ai",
    "/sitemap.xml",
    "/robots.txt",
]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_every_page_renders_with_an_empty_database(client, path):
    assert client.get(path).status_code == 200


@pytest.mark.parametrize("path", ["/en/", "/en/organisations/", "/en/programmes/", "/en/guidance/", "/en/search/"])
def test_html_pages_have_title_description_canonical_and_open_graph(client, path):
    text = client.get(path).content.decode()
    assert re.search(r"<title>[^<]*HK AI Portal[^<]*</title>", text)
    assert re.search(r'<meta name="description" content="[^"]{20,}">', text)
    assert '<link rel="canonical" href="http://testserver' in text
    assert '<meta property="og:title"' in text and '<meta property="og:description"' in text


@pytest.mark.parametrize("path", ["/en/", "/en/organisations/", "/en/guidance/"])
def test_html_pages_have_landmarks_and_a_skip_link(client, path):
    text = client.get(path).content.decode()
    assert '<a class="skip-link" href="#main">' in text
    assert '<main id="main"' in text and "<header" in text and "<footer" in text and "<nav" in text
    assert '<html lang="en">' in text


def test_every_filter_control_has_a_label(client):
    make_organisation(kind="university")
    text = client.get("/en/organisations/").content.decode()
    control_ids = re.findall(r'<(?:input|select)[^>]*\bid="([^"]+)"', text)
    assert control_ids
    for control_id in control_ids:
        assert f'for="{control_id}"' in text, control_id


def test_home_page_shows_counts_latest_guidance_open_programmes_and_entry_points(client):
    make_guidance("Newest guidance", date_published=datetime.date(2025, 4, 15))
    make_programme("Open programme", start_date=timezone.localdate() - datetime.timedelta(days=10))
    make_programme("Closed programme", start_date=datetime.date(2010, 1, 1), end_date=datetime.date(2011, 1, 1))
    text = client.get("/en/").content.decode()
    assert "Newest guidance" in text
    assert "Open programme" in text and "Closed programme" not in text
    assert 'href="/en/organisations/?kind=university"' in text
    assert 'action="/en/search/"' in text


def test_sitemap_lists_only_published_items_with_lastmod(client):
    visible = make_organisation("Visible")
    make_organisation("Draft", status=Status.DRAFT)
    make_organisation("Future", published_at=timezone.now() + datetime.timedelta(days=1))
    make_guidance("Archived", status=Status.ARCHIVED, publisher=visible)
    guidance = make_guidance("Guidance", publisher=visible)
    programme = make_programme("Programme")
    index = client.get("/sitemap.xml").content.decode()
    sections = re.findall(r"<loc>http://testserver(/sitemap-[a-z]+\.xml)</loc>", index)
    assert sorted(sections) == ["/sitemap-guidance.xml", "/sitemap-organisations.xml", "/sitemap-programmes.xml"]
    urls = []
    for section in sections:
        xml = client.get(section).content.decode()
        urls += re.findall(r"<loc>http://testserver([^<]+)</loc>", xml)
        assert xml.count("<lastmod>") == xml.count("<loc>")
    expected = []
    for language in ("en", "zh-hant", "zh-hans"):
        with translation.override(language):
            expected += [item.get_absolute_url() for item in (visible, programme, guidance)]
    assert sorted(urls) == sorted(expected)


def test_robots_txt_points_to_the_sitemap(client):
    response = client.get(reverse("robots-txt"))
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "Sitemap: http://testserver/sitemap.xml" in response.content.decode()
    assert "Disallow: /admin/" in response.content.decode()


def test_server_error_page_is_friendly_and_self_contained():
    from django.template.loader import render_to_string

    assert "Something went wrong" in render_to_string("500.html")
