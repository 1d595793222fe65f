import pytest
from django.urls import reverse

from .factories import make_guidance, make_organisation, make_programme, make_sector, make_topic

pytestmark = pytest.mark.django_db


def facets(response):
    return {facet["name"]: {o.value: o.count for o in facet["options"]} for facet in response.context["facets"]}


def count_for(client, list_name, params):
    """Count what the list really holds (not the total it states, which is derived from the facet counts)."""
    return client.get(reverse(f"directory:{list_name}-list"), params).context["filter"].qs.count()


@pytest.fixture
def directory():
    finance, education, health = (make_sector(n, slug=n.lower()) for n in ("Finance", "Education", "Health"))
    privacy, fairness = make_topic("Privacy", slug="privacy"), make_topic("Fairness", slug="fairness")
    universities = [make_organisation(f"University {i}", kind="university", founded_year=1950 + i) for i in range(3)]
    regulator = make_organisation("Regulator", kind="regulator", founded_year=1993, summary="Sets AI ethics rules.")
    startup = make_organisation("Startup", kind="startup", founded_year=2020, parent=universities[0])
    # Found by a search for "ethics", with the regulator and the second university (below).
    make_organisation("Spinout", kind="startup", parent=universities[1], summary="Audits ethics.")
    make_organisation("Lab", kind="research_centre", parent=universities[1], summary="Ethics research.")
    universities[1].summary = "Teaches ethics."
    universities[1].save()
    universities[0].sectors.set([education, finance])
    universities[1].sectors.set([education])
    regulator.sectors.set([finance])
    startup.sectors.set([health, finance])
    for i, organisation in enumerate([*universities, regulator]):
        programme = make_programme(
            f"Programme {i}", kind="funding_scheme" if i % 2 else "sandbox", lead_organisation=organisation
        )
        programme.partners.set([regulator])
        programme.sectors.set([finance] if i % 2 else [education])
        guidance = make_guidance(
            f"Guidance {i}", publisher=regulator if i % 2 else universities[0], binding=bool(i % 2)
        )
        guidance.topics.set([privacy, fairness] if i % 2 else [privacy])
        guidance.sectors.set([finance])


# Each case: a list, the filters in force, and a facet to check against the result of actually applying it.
CASES = [
    ("organisation", {}, "kind"),
    ("organisation", {"sector": "finance"}, "kind"),
    ("organisation", {"kind": "university"}, "sector"),
    ("organisation", {"kind": ["university", "startup"], "year_min": 1951}, "sector"),
    ("organisation", {"sector": ["education", "health"]}, "parent"),
    ("organisation", {"sector": "finance", "kind": "startup"}, "parent"),
    ("organisation", {"q": "ethics"}, "kind"),
    ("organisation", {"q": "ethics"}, "parent"),
    ("organisation", {"q": "ethics", "kind": "startup"}, "parent"),
    ("organisation", {"q": "ethics", "kind": ["startup", "university"]}, "kind"),
    ("organisation", {"q": "ethics", "parent": "university-1"}, "kind"),
    ("organisation", {"q": "ethics", "parent": "university-1", "kind": "startup"}, "parent"),
    ("programme", {}, "kind"),
    ("programme", {"sector": "finance"}, "organisation"),
    ("programme", {"kind": "sandbox"}, "state"),
    ("programme", {"organisation": "regulator"}, "sector"),
    ("programme", {"state": "open"}, "kind"),
    ("programme", {"state": ["open", "closed"]}, "organisation"),
    ("programme", {"state": "open", "sector": "finance"}, "kind"),
    ("guidance", {}, "publisher"),
    ("guidance", {"topic": "fairness"}, "binding"),
    ("guidance", {"binding": "voluntary"}, "topic"),
    ("guidance", {"publisher": "regulator"}, "state"),
    ("guidance", {"topic": ["privacy", "fairness"]}, "sector"),
    ("guidance", {"q": "guidance", "topic": "fairness"}, "publisher"),
    ("guidance", {"q": "guidance", "publisher": "regulator"}, "kind"),
]


@pytest.mark.parametrize(("list_name", "params", "facet"), CASES)
def test_each_facet_count_equals_the_count_of_applying_that_choice(client, directory, list_name, params, facet):
    response = client.get(reverse(f"directory:{list_name}-list"), params)
    options = facets(response)[facet]
    assert options, f"no options for {facet}"
    for value, count in options.items():
        chosen = {**params, facet: value}
        assert count == count_for(client, list_name, chosen), (facet, value)


def test_facet_counts_show_in_labels_and_empty_choices_are_hidden(client, directory):
    response = client.get(reverse("directory:organisation-list"), {"sector": "health"})
    kinds = facets(response)["kind"]
    assert kinds == {"startup": 1}
    assert 'Startup <span class="count">(1)</span>' in response.content.decode()
    assert "Regulator <span" not in response.content.decode()


def test_selected_choice_with_no_results_stays_visible_so_it_can_be_unticked(client, directory):
    response = client.get(reverse("directory:organisation-list"), {"sector": "health", "kind": "regulator"})
    kind_options = {o.value: o for f in response.context["facets"] if f["name"] == "kind" for o in f["options"]}
    assert kind_options["regulator"].selected
    assert kind_options["regulator"].count == 0
    assert response.context["paginator"].count == 0


@pytest.mark.parametrize(("list_name", "params", "facet"), CASES)
def test_stated_total_equals_the_items_listed(client, directory, list_name, params, facet):
    response = client.get(reverse(f"directory:{list_name}-list"), params)
    assert response.context["paginator"].count == response.context["filter"].qs.count()


def organisation_options(client, params=None):
    response = client.get(reverse("directory:programme-list"), params or {})
    return facets(response)["organisation"]


def test_a_programme_counts_once_for_an_organisation_that_leads_and_partners_it(client):
    lead = make_organisation("Lead", slug="lead")
    make_programme("Own", lead_organisation=lead).partners.set([lead])
    assert organisation_options(client, {"kind": "funding_scheme"}) == {"lead": 1}


def test_partners_of_a_programme_without_a_lead_are_counted(client):
    partner = make_organisation("Partner", slug="partner")
    make_programme("Leaderless").partners.set([partner])
    assert organisation_options(client, {"kind": "funding_scheme"}) == {"partner": 1}


def test_the_organisation_facet_offers_the_published_organisations_with_most_programmes(client):
    """More unpublished organisations than one batch of candidates lead more programmes than any published one."""
    for number in range(120):
        hidden = make_organisation(f"Hidden {number}", status="draft")
        for _ in range(3):
            make_programme(lead_organisation=hidden)
    shown = [make_organisation(f"Shown {number:02}", slug=f"shown-{number:02}") for number in range(60)]
    for number, organisation in enumerate(shown):
        # The first ten lead two programmes each and so rank first; the rest tie at one.
        for _ in range(2 if number < 10 else 1):
            make_programme(lead_organisation=organisation)
    options = organisation_options(client, {"kind": "funding_scheme"})
    assert len(options) == 50
    assert all(value.startswith("shown-") for value in options)
    assert {f"shown-{number:02}" for number in range(10)} <= set(options)
    assert sorted(options.values(), reverse=True)[:10] == [2] * 10
