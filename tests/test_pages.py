import pytest
from django.urls import reverse

from directory.choices import Status

from .factories import make_guidance, make_organisation, make_programme

pytestmark = pytest.mark.django_db


def test_home_page_shows_counts_of_published_items_only(client):
    make_organisation("Visible")
    make_organisation("Hidden", status=Status.DRAFT)
    make_programme()
    response = client.get(reverse("directory:home"))
    text = response.content.decode()
    assert response.status_code == 200
    assert "2 organisations" not in text
    assert "1 organisation" in text
    assert "1 programme" in text
    assert "0 guidance documents" in text


def test_home_page_renders_with_an_empty_database(client):
    assert client.get("/en/").status_code == 200


@pytest.mark.parametrize("factory", [make_organisation, make_programme, make_guidance])
def test_published_item_has_a_detail_page_with_its_source(client, factory):
    item = factory(source_url="https://example.org/the-source")
    response = client.get(item.get_absolute_url())
    assert response.status_code == 200
    assert "https://example.org/the-source" in response.content.decode()


@pytest.mark.parametrize("factory", [make_organisation, make_programme, make_guidance])
@pytest.mark.parametrize("status", [Status.DRAFT, Status.ARCHIVED])
def test_unpublished_item_detail_page_is_not_found(client, factory, status):
    item = factory(status=status)
    assert client.get(item.get_absolute_url()).status_code == 404
