import pytest
from django.urls import reverse

from .factories import make_guidance, make_organisation, make_programme

pytestmark = pytest.mark.django_db

LISTS = ["directory:organisation-list", "directory:programme-list", "directory:guidance-list"]
HOSTILE_PARAMS = [
    {"year_min": "abc"},
    {"year_max": "99999999999999999999999999"},
    {"year_min": "-5"},
    {"kind": "nonsense"},
    {"kind": ["university", "nonsense"]},
    {"sector": "no-such-sector"},
    {"topic": "no-such-topic"},
    {"publisher": "no-such-org"},
    {"parent": "'; DROP TABLE directory_organisation; --"},
    {"organisation": "x" * 300},
    {"state": "sideways"},
    {"binding": "maybe"},
    {"sort": "-password"},
    {"page": "999999"},
    {"page": "-1"},
    {"page": "abc"},
    {"page": "1e5"},
    {"page": "9" * 400},
    {"q": "x" * 5000},
    {"q": "robot\x00ics"},
    {"q": "\u202e\ufeff私隱 🤖 <script>alert(1)</script>"},
    {"q": "' OR 1=1 --"},
    {"q": '"unbalanced quote'},
    {"q": "-"},
    {"unknown": "param"},
]


@pytest.fixture(autouse=True)
def some_content():
    for number in range(3):
        make_organisation(f"Robotics Lab {number}")
        make_programme(f"Programme {number}")
        make_guidance(f"Guidance {number}")


@pytest.mark.parametrize("url_name", LISTS)
@pytest.mark.parametrize("params", HOSTILE_PARAMS, ids=lambda p: repr(p)[:40])
def test_hostile_list_parameters_give_a_page_not_a_500(client, url_name, params):
    response = client.get(reverse(url_name), params, follow=True)
    assert response.status_code == 200


@pytest.mark.parametrize("params", [{"q": "x" * 5000}, {"q": "a\x00b"}, {"q": ""}, {"q": "' OR 1=1 --"}])
def test_hostile_search_gives_a_page_not_a_500(client, params):
    assert client.get(reverse("directory:search"), params, follow=True).status_code == 200


def test_invalid_filter_is_reported_and_the_rest_still_applies(client):
    response = client.get(reverse("directory:organisation-list"), {"year_min": "abc", "q": "Lab 1"})
    text = response.content.decode()
    assert "were not understood and have been left out" in text
    assert "Founded from: Enter a whole number." in text
    assert [o.name for o in response.context["object_list"]] == ["Robotics Lab 1"]


def test_unknown_choice_is_reported_not_silently_emptying_the_list(client):
    everything = client.get(reverse("directory:organisation-list")).context["paginator"].count
    response = client.get(reverse("directory:organisation-list"), {"kind": "nonsense"})
    assert response.context["paginator"].count == everything
    assert "Select a valid choice" in response.content.decode()


def test_page_past_the_end_shows_the_last_page(client):
    for number in range(30):
        make_organisation(f"Extra {number:02d}")
    response = client.get(reverse("directory:organisation-list"), {"page": "999999"})
    assert response.context["page_obj"].number == 2


@pytest.mark.parametrize("page", ["-1", "0", "abc", ""])
def test_page_that_is_not_a_positive_number_shows_the_first_page(client, page):
    response = client.get(reverse("directory:organisation-list"), {"page": page}, follow=True)
    assert response.context["page_obj"].number == 1


def test_nul_byte_parameter_is_dropped_by_redirect(client):
    response = client.get("/en/organisations/?q=a%00b&kind=university")
    assert response.status_code == 302
    assert response["Location"] == "/en/organisations/?kind=university"


@pytest.mark.parametrize(
    "path", ["/en/organisations/no-such-thing/", "/en/programmes/%00/", "/en/guidance/x/", "/nowhere/"]
)
def test_unknown_pages_are_a_friendly_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
