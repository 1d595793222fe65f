import io
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from PIL import Image

from directory import monograms
from directory.models import Organisation

from .factories import make_organisation


def contrast(foreground, background):
    """The WCAG 2.1 contrast ratio of two "#rrggbb" colours."""

    def luminance(colour):
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@pytest.mark.parametrize(
    ("name", "aliases", "expected"),
    [
        ("Hong Kong Monetary Authority", ["HKMA", "金管局"], "HKMA"),
        ("Office of the Privacy Commissioner for Personal Data", ["PCPD"], "PCPD"),
        ("The Hong Kong University of Science and Technology", ["科大", "HKUST"], "HKUST"),
        ("Hong Kong Applied Science and Technology Research Institute (ASTRI)", [], "ASTRI"),
        ("Office of the Privacy Commissioner for Personal Data", [], "OPC"),
        ("Hong Kong Monetary Authority", ["Monetary Authority", "hkma", "HKMONETARY", "Hkma"], "HKM"),
        ("The Hong Kong Polytechnic University", ["理大", "PolyU"], "PolyU"),
        ("Department of Justice", ["DoJ"], "DoJ"),
        ("Invest Hong Kong", ["InvestHK"], "IHK"),
        ("Hong Kong Institute for Data Science (CityU)", [], "HKI"),
        ("Research & Development Centre for Logistics", [], "RDC"),
        ("Ledger Lab Limited", [], "LL"),
        ("SenseTime", [], "ST"),
        ("Cyberport", [], "C"),
        ("ASTRI", [], "ASTRI"),
        ("société générale", [], "SG"),
        ("42 Labs", [], "4L"),
        ("香港科技大學", ["科大"], "科大"),
        ("數碼港", ["Cyberport Management Company Limited"], "數"),
        ("", [], ""),
        ("— & —", [], ""),
    ],
)
def test_initials_are_a_short_acronym_among_the_aliases_else_the_significant_words(name, aliases, expected):
    assert monograms.initials(name, aliases) == expected


def test_an_organisation_always_gets_the_same_colour():
    # crc32 of the slug, not the salted hash(): this pins it across processes and releases.
    assert monograms.background("hong-kong-monetary-authority") == monograms.background("hong-kong-monetary-authority")
    assert monograms.background("hong-kong-monetary-authority") == "#1b1f24"


def test_organisations_are_spread_over_every_colour():
    colours = {monograms.background(f"organisation-{number}") for number in range(100)}
    assert colours == set(monograms.BACKGROUNDS)


@pytest.mark.parametrize("background", monograms.BACKGROUNDS)
def test_initials_meet_wcag_aa_contrast_on_every_colour(background):
    assert contrast(monograms.INITIALS_COLOUR, background) >= 4.5


def test_longer_initials_get_smaller_type_and_none_is_too_small_to_read():
    latin = [monograms.type_size(text) for text in ("C", "LL", "HKM", "PCPD", "HKUST")]
    chinese = [monograms.type_size(text) for text in ("數", "科大", "金管局")]
    for sizes in (latin, chinese):
        assert sizes == sorted(sizes, reverse=True)
        assert min(sizes) >= 10  # units of a 48-unit square: 10 px on a card, 20 px on a detail page
    assert monograms.type_size("金管局") < monograms.type_size("HKM")  # a Chinese character is wider


class Marks(HTMLParser):
    """A page's logos and monograms (class "organisation-mark"), with their attributes and the initials they show."""

    def __init__(self, html):
        super().__init__()
        self.found, self.inside = [], None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "organisation-mark" in (attrs.get("class") or "").split():
            mark = {"tag": tag, **attrs, "text": ""}
            self.found.append(mark)
            self.inside = mark if tag == "svg" else None

    def handle_endtag(self, tag):
        if tag == "svg":
            self.inside = None

    def handle_data(self, data):
        if self.inside is not None:
            self.inside["text"] += data


def marks(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return Marks(response.content.decode()).found


def logo():
    buffer = io.BytesIO()
    Image.new("RGB", (64, 32), "teal").save(buffer, "PNG")
    return SimpleUploadedFile("logo.png", buffer.getvalue())


def in_language(language, view, **kwargs):
    with translation.override(language):
        return reverse(view, kwargs=kwargs)


@pytest.mark.django_db
def test_card_shows_the_monogram_hidden_from_screen_readers_beside_the_name_link(client):
    make_organisation("Hong Kong Monetary Authority", aliases="HKMA; 金管局", kind="regulator")
    [mark] = marks(client, reverse("directory:organisation-list"))
    assert (mark["tag"], mark["text"], mark["aria-hidden"]) == ("svg", "HKMA", "true")
    assert "role" not in mark and "aria-label" not in mark
    assert (mark["width"], mark["height"]) == ("48", "48")
    assert (
        f'fill="{monograms.background("hong-kong-monetary-authority")}"'
        in client.get(reverse("directory:organisation-list")).content.decode()
    )


NAMES = {"en": "Hong Kong Monetary Authority", "zh-hant": "香港金融管理局", "zh-hans": "香港金融管理局"}


@pytest.mark.django_db
@pytest.mark.parametrize("language", NAMES)
def test_detail_page_monogram_is_an_image_named_after_the_organisation_in_the_pages_language(client, language):
    organisation = make_organisation(NAMES["en"], name_zh_hant="香港金融管理局", aliases="HKMA; 金管局")
    [mark] = marks(client, in_language(language, "directory:organisation-detail", slug=organisation.slug))
    assert (mark["role"], mark["aria-label"], mark["text"]) == ("img", NAMES[language], "HKMA")
    assert "aria-hidden" not in mark and "lang" not in mark


@pytest.mark.django_db
def test_simplified_page_names_the_monogram_in_simplified_characters(client):
    organisation = make_organisation("Cyberport", name_zh_hant="數碼港")
    [mark] = marks(client, in_language("zh-hans", "directory:organisation-detail", slug=organisation.slug))
    assert mark["aria-label"] == "数码港"


@pytest.mark.django_db
def test_chinese_initials_are_shown_in_the_readers_script(client):
    organisation = make_organisation("數碼港")
    [mark] = marks(client, in_language("zh-hans", "directory:organisation-detail", slug=organisation.slug))
    assert mark["text"] == "数"


@pytest.mark.django_db
def test_monogram_named_in_english_where_the_chinese_name_is_missing_says_so(client):
    organisation = make_organisation("Ledger Lab Limited", kind="startup")
    [mark] = marks(client, in_language("zh-hant", "directory:organisation-detail", slug=organisation.slug))
    assert (mark["aria-label"], mark["lang"], mark["text"]) == ("Ledger Lab Limited", "en", "LL")


@pytest.mark.django_db
def test_uploaded_logo_replaces_the_monogram_on_the_card_and_the_detail_page(client):
    organisation = make_organisation("Harbour University", logo=logo())
    [card] = marks(client, reverse("directory:organisation-list"))
    [page] = marks(client, organisation.get_absolute_url())
    for mark, size in ((card, "48"), (page, "96")):
        assert (mark["tag"], mark["src"], mark["width"], mark["height"]) == ("img", organisation.logo.url, size, size)
    assert card["alt"] == ""  # the name link beside it says who it is
    assert page["alt"] == "Logo of Harbour University"


@pytest.mark.django_db
def test_logo_alt_text_is_in_the_pages_language(client):
    organisation = make_organisation("Harbour University", name_zh_hant="海港大學", logo=logo())
    [mark] = marks(client, in_language("zh-hant", "directory:organisation-detail", slug=organisation.slug))
    assert "海港大學" in mark["alt"]


def queries_for(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.django_db
def test_a_list_of_many_logos_and_monograms_runs_the_queries_of_a_list_of_one(client):
    url = reverse("directory:organisation-list")
    first = make_organisation("Plain Organisation")
    client.get(url)  # the first request of a content version counts the published set
    one = (queries_for(client, url), queries_for(client, first.get_absolute_url()))
    for number in range(12):
        make_organisation(f"Organisation {number}", aliases=f"ORG{number}", logo=logo() if number % 2 else "")
    client.get(url)
    assert len(marks(client, url)) == 13
    assert (queries_for(client, url), queries_for(client, first.get_absolute_url())) == one


@pytest.mark.django_db
def test_a_mark_is_drawn_from_the_row_alone(django_assert_num_queries):
    make_organisation("Harbour University", aliases="HU", logo=logo())
    make_organisation("Kowloon University")
    rows = list(Organisation.objects.published())
    template = Template('{% load monogram_tags %}{% for o in rows %}{% organisation_mark o "card" %}{% endfor %}')
    with django_assert_num_queries(0):
        html = template.render(Context({"rows": rows}))
    assert [mark["tag"] for mark in Marks(html).found] == ["img", "svg"]
