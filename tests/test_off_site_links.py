"""Crafted paths never turn the page's own links into links to another site, and public pages do not give away a
custom admin path."""

import re

import pytest

from .factories import make_organisation, make_user
from .urlconf import urlconf_with

pytestmark = pytest.mark.django_db

CRAFTED_PATHS = [
    "//evil.example/en/",
    "///evil.example/en/",
    "/\\evil.example/en/",
    "/\\/evil.example/en/",
    "/\t/evil.example/en/",
    "/\n/evil.example/en/",
    "//evil.example/en/organisations/",
    "//evil.example/zh-hant/guidance/",
    "/en//evil.example/",
]
ADMIN_PATH = "office-7f3a/"


def links(text):
    return re.findall(r'(?:href|src|action)="([^"]*)"', text)


def leaves_the_site(link):
    """Whether a browser following `link` from http://testserver/ would go to another host."""
    link = re.sub(r"[\t\n\r]", "", link).replace("\\", "/")
    if link.startswith("//"):
        return True
    return bool(re.match(r"[a-z]+:", link)) and not link.startswith("http://testserver/")


@pytest.mark.parametrize("path", CRAFTED_PATHS)
def test_a_crafted_path_answers_a_page_whose_links_all_stay_on_the_site(client, path):
    response = client.get("/", PATH_INFO=path)
    assert response.status_code in (301, 302, 404)
    if "Location" in response:
        assert not leaves_the_site(response["Location"])
    found = links(response.content.decode())
    assert found
    assert [link for link in found if leaves_the_site(link)] == []


def test_the_language_switcher_of_a_crafted_path_links_to_paths_on_the_site(client):
    text = client.get("/", PATH_INFO="//evil.example/en/").content.decode()
    switcher = text.split('class="language-switcher"', 1)[1].split("</nav>", 1)[0]
    assert links(switcher) == ["/evil.example/en/", "/evil.example/en/", "/evil.example/en/"]


def test_the_home_page_links_to_the_admin_only_for_signed_in_staff(client):
    with urlconf_with(ADMIN_PATH=ADMIN_PATH):
        assert ADMIN_PATH not in client.get("/en/").content.decode()
        client.force_login(make_user(groups=["Editors"]))
        assert f'href="/{ADMIN_PATH}"' in client.get("/en/").content.decode()


def test_no_public_page_gives_away_a_custom_admin_path_to_anonymous_readers(client):
    organisation = make_organisation("HKUST")
    with urlconf_with(ADMIN_PATH=ADMIN_PATH):
        for url in (
            "/en/",
            "/zh-hant/",
            "/en/organisations/",
            "/en/programmes/",
            "/en/guidance/",
            "/en/search/?q=hkust",
            organisation.get_absolute_url(),
            "/en/no-such-page/",
            "/robots.txt",
            "/sitemap.xml",
        ):
            response = client.get(url)
            assert "office-7f3a" not in response.content.decode(), url
            assert "office-7f3a" not in response.get("Location", ""), url


@pytest.mark.parametrize("content", ["organisations", "programmes", "guidance"])
def test_an_anonymous_export_is_refused_without_naming_a_custom_admin_path(client, content):
    with urlconf_with(ADMIN_PATH=ADMIN_PATH):
        response = client.get(f"/en/{content}/export.csv")
    assert response.status_code == 403
    assert "office-7f3a" not in response.get("Location", "") + response.content.decode()
