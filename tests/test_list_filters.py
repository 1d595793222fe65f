import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from directory.choices import Status

from .factories import make_guidance, make_organisation, make_programme, make_sector, make_topic

pytestmark = pytest.mark.django_db


def names(response):
    return [str(item) for item in response.context["object_list"]]


def get(client, name, **params):
    response = client.get(reverse(f"directory:{name}-list"), params)
    assert response.status_code == 200
    return response


@pytest.fixture
def sectors():
    return {"finance": make_sector("Finance", slug="finance"), "education": make_sector("Education", slug="education")}


@pytest.fixture
def organisations(sectors):
    hku = make_organisation("University of Hong Kong", kind="university", founded_year=1911)
    hku.sectors.set([sectors["education"]])
    hkust = make_organisation("HKUST", kind="university", founded_year=1991)
    hkust.sectors.set([sectors["education"], sectors["finance"]])
    hkma = make_organisation("Hong Kong Monetary Authority", kind="regulator", founded_year=1993)
    hkma.sectors.set([sectors["finance"]])
    centre = make_organisation("HKUST Centre for AI Research", kind="research_centre", founded_year=2018, parent=hkust)
    return {"hku": hku, "hkust": hkust, "hkma": hkma, "centre": centre}


def test_organisations_filter_by_kind(client, organisations):
    assert names(get(client, "organisation", kind="university")) == ["HKUST", "University of Hong Kong"]


def test_organisations_filter_by_several_kinds(client, organisations):
    assert set(names(get(client, "organisation", kind=["university", "regulator"]))) == {
        "HKUST",
        "University of Hong Kong",
        "Hong Kong Monetary Authority",
    }


def test_organisations_filter_by_one_sector(client, organisations):
    assert names(get(client, "organisation", sector="finance")) == ["HKUST", "Hong Kong Monetary Authority"]


def test_organisations_filter_by_several_sectors_lists_each_item_once(client, organisations):
    response = get(client, "organisation", sector=["finance", "education"])
    assert names(response) == ["HKUST", "Hong Kong Monetary Authority", "University of Hong Kong"]
    assert response.context["paginator"].count == 3


def test_organisations_filter_by_founded_year_range(client, organisations):
    assert names(get(client, "organisation", year_min=1990, year_max=2000)) == [
        "HKUST",
        "Hong Kong Monetary Authority",
    ]


def test_organisations_filter_by_parent(client, organisations):
    assert names(get(client, "organisation", parent=organisations["hkust"].slug)) == ["HKUST Centre for AI Research"]


def test_organisations_filters_combine(client, organisations):
    assert names(get(client, "organisation", kind="university", sector="finance", year_min=1950)) == ["HKUST"]


def test_organisations_search_matches_name_or_summary_case_insensitively(client, organisations):
    make_organisation("Cyberport", summary="Digital tech hub with a ROBOTICS lab")
    assert names(get(client, "organisation", q="monetary")) == ["Hong Kong Monetary Authority"]
    assert names(get(client, "organisation", q="robotics")) == ["Cyberport"]


@pytest.fixture
def programmes(organisations, sectors):
    today = timezone.localdate()
    open_now = make_programme(
        "InnoHK",
        kind="research_programme",
        lead_organisation=organisations["hkust"],
        start_date=today - datetime.timedelta(days=400),
    )
    open_now.sectors.set([sectors["education"]])
    upcoming = make_programme(
        "Future Sandbox",
        kind="sandbox",
        lead_organisation=organisations["hkma"],
        start_date=today + datetime.timedelta(days=30),
    )
    closed = make_programme(
        "Old Fund",
        kind="funding_scheme",
        lead_organisation=organisations["hkma"],
        start_date=datetime.date(2015, 1, 1),
        end_date=datetime.date(2018, 12, 31),
    )
    closed.partners.set([organisations["hku"]])
    return {"open": open_now, "upcoming": upcoming, "closed": closed}


def test_programmes_filter_by_kind(client, programmes):
    assert names(get(client, "programme", kind="sandbox")) == ["Future Sandbox"]


def test_programmes_filter_by_sector(client, programmes):
    assert names(get(client, "programme", sector="education")) == ["InnoHK"]


def test_programmes_filter_by_state_open_upcoming_closed(client, programmes):
    assert names(get(client, "programme", state="open")) == ["InnoHK"]
    assert names(get(client, "programme", state="upcoming")) == ["Future Sandbox"]
    assert names(get(client, "programme", state="closed")) == ["Old Fund"]
    assert names(get(client, "programme", state=["open", "closed"])) == ["InnoHK", "Old Fund"]


def test_programmes_filter_by_lead_or_partner_organisation(client, programmes, organisations):
    assert names(get(client, "programme", organisation=organisations["hkma"].slug)) == ["Future Sandbox", "Old Fund"]
    assert names(get(client, "programme", organisation=organisations["hku"].slug)) == ["Old Fund"]


def test_programmes_filter_by_year_range_keeps_those_running_within_it(client, programmes):
    assert names(get(client, "programme", year_min=2016, year_max=2017)) == ["Old Fund"]
    assert names(get(client, "programme", year_min=2019)) == ["Future Sandbox", "InnoHK"]


def test_programmes_search(client, programmes):
    assert names(get(client, "programme", q="sandbox")) == ["Future Sandbox"]


@pytest.fixture
def guidance(organisations, sectors):
    privacy, fairness = make_topic("Data privacy", slug="data_privacy"), make_topic("Fairness", slug="fairness")
    old = make_guidance(
        "High-level Principles on AI",
        kind="principles",
        publisher=organisations["hkma"],
        date_published=datetime.date(2019, 11, 1),
    )
    old.topics.set([fairness])
    old.sectors.set([sectors["finance"]])
    new = make_guidance(
        "Generative AI Circular",
        kind="circular",
        publisher=organisations["hkma"],
        binding=True,
        date_published=datetime.date(2024, 8, 19),
        supersedes=old,
    )
    new.topics.set([fairness, privacy])
    new.sectors.set([sectors["finance"]])
    pcpd = make_organisation("Privacy Commissioner", kind="regulator")
    model = make_guidance(
        "Model Personal Data Protection Framework",
        kind="framework",
        publisher=pcpd,
        date_published=datetime.date(2024, 6, 11),
    )
    model.topics.set([privacy])
    return {"old": old, "new": new, "model": model, "pcpd": pcpd}


def test_guidance_filter_by_publisher(client, guidance):
    assert names(get(client, "guidance", publisher=guidance["pcpd"].slug)) == [
        "Model Personal Data Protection Framework"
    ]


def test_guidance_filter_by_kind(client, guidance):
    assert names(get(client, "guidance", kind="circular")) == ["Generative AI Circular"]


def test_guidance_filter_by_several_topics(client, guidance):
    assert names(get(client, "guidance", topic="data_privacy")) == [
        "Generative AI Circular",
        "Model Personal Data Protection Framework",
    ]
    assert len(names(get(client, "guidance", topic=["data_privacy", "fairness"]))) == 3


def test_guidance_filter_by_sector(client, guidance):
    assert names(get(client, "guidance", sector="finance")) == ["Generative AI Circular", "High-level Principles on AI"]


def test_guidance_filter_binding_or_voluntary(client, guidance):
    assert names(get(client, "guidance", binding="binding")) == ["Generative AI Circular"]
    assert names(get(client, "guidance", binding="voluntary")) == [
        "Model Personal Data Protection Framework",
        "High-level Principles on AI",
    ]


def test_guidance_filter_in_force_or_superseded(client, guidance):
    assert names(get(client, "guidance", state="superseded")) == ["High-level Principles on AI"]
    assert "High-level Principles on AI" not in names(get(client, "guidance", state="in_force"))


def test_guidance_superseded_only_by_a_draft_is_still_in_force(client, guidance):
    make_guidance("Draft replacement", publisher=guidance["pcpd"], supersedes=guidance["model"], status=Status.DRAFT)
    assert "Model Personal Data Protection Framework" in names(get(client, "guidance", state="in_force"))


def test_guidance_filter_by_year_range(client, guidance):
    assert names(get(client, "guidance", year_min=2024, year_max=2024)) == [
        "Generative AI Circular",
        "Model Personal Data Protection Framework",
    ]


def test_guidance_is_sorted_newest_first_by_default_and_by_title_on_request(client, guidance):
    assert names(get(client, "guidance"))[0] == "Generative AI Circular"
    assert names(get(client, "guidance", sort="title"))[0] == "Generative AI Circular"
    assert names(get(client, "guidance", sort="title"))[-1] == "Model Personal Data Protection Framework"


def test_organisations_sort_by_founded_year_and_by_date_added(client, organisations):
    assert names(get(client, "organisation", sort="founded"))[0] == "HKUST Centre for AI Research"
    newest = make_organisation("Newest Lab", published_at=timezone.now() - datetime.timedelta(minutes=1))
    assert names(get(client, "organisation", sort="newest"))[0] == newest.name
    assert names(get(client, "organisation", sort="oldest"))[-1] == newest.name


def test_programmes_sort_by_start_date(client, programmes):
    assert names(get(client, "programme", sort="start")) == ["Future Sandbox", "InnoHK", "Old Fund"]


@pytest.mark.parametrize("name", ["organisation", "programme", "guidance"])
def test_hidden_items_never_appear_in_lists(client, name):
    factory = {"organisation": make_organisation, "programme": make_programme, "guidance": make_guidance}[name]
    factory("Visible item")
    factory("Draft item", status=Status.DRAFT)
    factory("Archived item", status=Status.ARCHIVED)
    factory("Future item", published_at=timezone.now() + datetime.timedelta(days=1))
    listed = names(get(client, name))
    assert "Visible item" in listed
    assert not {"Draft item", "Archived item", "Future item"} & set(listed)
    assert not {"Draft item", "Archived item", "Future item"} & set(names(get(client, name, q="item")))


def test_twenty_per_page_and_page_links_keep_the_filters(client):
    for number in range(25):
        make_organisation(f"Lab {number:02d}", kind="startup")
    make_organisation("Other", kind="university")
    first = get(client, "organisation", kind="startup")
    assert len(first.context["object_list"]) == 20
    assert 'href="?kind=startup&amp;page=2"' in first.content.decode()
    second = get(client, "organisation", kind="startup", page=2)
    assert names(second) == [f"Lab {number:02d}" for number in range(20, 25)]


def test_result_count_is_stated(client, organisations):
    assert "2 organisations" in get(client, "organisation", kind="university").content.decode()


def test_empty_result_explains_itself_and_offers_to_clear_filters(client, organisations):
    response = get(client, "organisation", kind="startup")
    text = response.content.decode()
    assert "0 organisations" in text
    assert "No organisations match all of these filters" in text
    assert 'href="/en/organisations/">Clear all filters' in text


def test_active_filters_show_as_chips_that_remove_one_value(client, organisations):
    response = get(client, "organisation", kind=["university", "regulator"], sector="finance")
    chips = {chip.label: chip.remove_url for chip in response.context["chips"]}
    assert chips == {
        "Kind: University": "?kind=regulator&sector=finance",
        "Kind: Regulator": "?kind=university&sector=finance",
        "Sector: Finance": "?kind=university&kind=regulator",
    }


def test_empty_parameters_left_by_the_form_redirect_to_the_clean_url(client):
    response = client.get("/en/organisations/?q=&kind=university&sector=&year_min=&sort=name")
    assert response.status_code == 302
    assert response["Location"] == "/en/organisations/?kind=university&sort=name"


def test_a_form_with_nothing_chosen_redirects_to_the_bare_list(client):
    response = client.get("/en/guidance/?q=&publisher=&year_min=&year_max=")
    assert response.status_code == 302
    assert response["Location"] == "/en/guidance/"


@pytest.mark.parametrize(
    ("name", "factory", "tied"),
    [
        ("guidance", make_guidance, {"date_published": datetime.date(2024, 1, 1)}),
        ("organisation", make_organisation, {}),
        ("programme", make_programme, {}),
    ],
)
def test_paging_through_a_bare_list_shows_every_item_once(client, name, factory, tied):
    for _number in range(30):
        factory("Same name", **tied)
    first = get(client, name).context["object_list"]
    second = get(client, name, page=2).context["object_list"]
    assert len({item.pk for item in first} | {item.pk for item in second}) == 30
