"""Application deadlines: windows as sources state them, said as of today, filtered and counted, and an iCalendar feed
of any programme list that calendar apps read."""

import datetime
import io
import re

import icalendar
import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.html import escape, strip_tags

from directory.calendars import LINE_OCTETS, fold
from directory.chinese import to_simplified
from directory.choices import Status
from directory.deadlines import application_status
from directory.models import Programme

from .factories import make_organisation, make_programme

pytestmark = pytest.mark.django_db

HONG_KONG = timezone.get_fixed_timezone(8 * 60)
# Mid-morning in Hong Kong on 18 June 2027: 30 June is 12 days off.
FROZEN = datetime.datetime(2027, 6, 18, 10, 0, tzinfo=HONG_KONG)
TODAY = datetime.date(2027, 6, 18)


def days(number):
    return TODAY + datetime.timedelta(days=number)


@pytest.fixture
def frozen(monkeypatch):
    """The clock stopped at FROZEN; `frozen(moment)` moves it."""

    def move(moment):
        monkeypatch.setattr(timezone, "now", lambda: moment)

    move(FROZEN)
    return move


def window(**fields):
    return Programme(name="Scheme", kind="funding_scheme", **fields)


def said(programme):
    return " ".join(strip_tags(application_status(programme, TODAY)).split())


# Model validation


def test_applications_cannot_close_before_they_open():
    programme = window(applications_open_on=days(5), applications_close_on=days(4))
    with pytest.raises(ValidationError) as error:
        programme.full_clean()
    assert "applications_close_on" in error.value.message_dict


def test_rolling_applications_have_no_closing_date():
    with pytest.raises(ValidationError) as error:
        window(applications_rolling=True, applications_close_on=days(4)).full_clean()
    assert "applications_close_on" in error.value.message_dict
    window(applications_rolling=True, applications_open_on=days(-4)).full_clean()
    window(applications_open_on=days(4), applications_close_on=days(4)).full_clean()


# What a page says


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"applications_close_on": datetime.date(2027, 6, 30)}, "Closes 30 June 2027 (in 12 days)"),
        ({"applications_close_on": days(2)}, "Closes 20 June 2027 (in 2 days)"),
        ({"applications_close_on": days(1)}, "Closes 19 June 2027 (tomorrow)"),
        ({"applications_close_on": TODAY, "applications_open_on": days(-10)}, "Closes 18 June 2027 (today)"),
        ({"applications_close_on": days(-1)}, "Applications closed on 17 June 2027"),
        (
            {"applications_open_on": days(3), "applications_close_on": days(40)},
            "Opens 21 June 2027, closes 28 July 2027",
        ),
        ({"applications_open_on": days(1)}, "Applications open 19 June 2027 (tomorrow)"),
        ({"applications_open_on": days(-300)}, "Open for applications since 22 August 2026"),
        ({"applications_rolling": True}, "Rolling applications"),
        ({"applications_rolling": True, "applications_open_on": days(3)}, "Rolling applications from 21 June 2027"),
        ({}, ""),
    ],
)
def test_a_window_is_said_as_of_today(fields, expected):
    assert said(window(**fields)) == expected


def test_the_dates_said_are_machine_readable_times():
    html = application_status(window(applications_close_on=datetime.date(2027, 6, 30)), TODAY)
    assert html == 'Closes <time datetime="2027-06-30">30 June 2027</time> (in 12 days)'


def test_a_window_is_said_in_the_readers_language():
    programme = window(applications_close_on=datetime.date(2027, 6, 30))
    with translation.override("zh-hant"):
        assert "2027年6月30日" in application_status(programme, TODAY)


def test_cards_and_detail_pages_show_the_window_and_the_next_intake(client, frozen):
    programme = make_programme(
        "AI Grant",
        applications_close_on=datetime.date(2027, 6, 30),
        next_intake="September 2027 cohort",
        next_intake_zh_hant="2027年9月一期",
    )
    expected = 'Closes <time datetime="2027-06-30">30 June 2027</time> (in 12 days)'
    assert expected in client.get("/en/programmes/").content.decode()
    detail = client.get(programme.get_absolute_url()).content.decode()
    assert expected in detail
    assert "September 2027 cohort" in detail
    assert "2027年9月一期" in client.get(f"/zh-hant/programmes/{programme.slug}/").content.decode()


# Filters and their counts


@pytest.fixture
def windows(frozen):
    lead = make_organisation("Cyberport", slug="cyberport")
    made = {
        "closing in 12 days": make_programme(
            "Closing soon grant", applications_close_on=days(12), kind="funding_scheme", lead_organisation=lead
        ),
        "closing today": make_programme("Last day sandbox", applications_close_on=TODAY, kind="sandbox"),
        "closing in 45 days": make_programme("Later grant", applications_close_on=days(45), kind="funding_scheme"),
        "not yet open": make_programme(
            "Future grant", applications_open_on=days(10), applications_close_on=days(20), kind="funding_scheme"
        ),
        "rolling": make_programme("Rolling incubator", applications_rolling=True, kind="incubation"),
        "closed": make_programme("Closed grant", applications_close_on=days(-3), kind="funding_scheme"),
        "unstated": make_programme("Blueprint", kind="policy_blueprint", lead_organisation=lead),
    }
    return made


def listed(client, **params):
    response = client.get("/en/programmes/", params)
    counts = {facet["name"]: {o.value: o.count for o in facet["options"]} for facet in response.context["facets"]}
    names = sorted(item.name for item in response.context["paginator"].object_list)
    return counts, names, response.context["paginator"].count


def test_the_filters_find_open_and_closing_programmes(client, windows):
    assert listed(client, applications="open")[1] == [
        "Closing soon grant",
        "Last day sandbox",
        "Later grant",
        "Rolling incubator",
    ]
    assert listed(client, applications="closing_soon")[1] == ["Closing soon grant", "Future grant", "Last day sandbox"]


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"kind": "funding_scheme"},
        {"state": "open"},
        {"organisation": "cyberport"},
        {"q": "grant"},
        {"q": "grant", "state": "open"},
        {"applications": "open"},
        {"applications": "closing_soon", "kind": "funding_scheme"},
        {"applications": ["open", "closing_soon"], "q": "grant"},
    ],
    ids=repr,
)
def test_the_deadline_filters_counts_equal_their_results(client, windows, params):
    counts, _names, _total = listed(client, **params)
    others = {name: value for name, value in params.items() if name != "applications"}
    assert counts["applications"], params
    for value, count in counts["applications"].items():
        _counts, names, total = listed(client, **others, applications=value)
        assert (count, len(names)) == (total, total), (value, names)


def test_the_deadline_filters_move_on_at_midnight(client, windows, frozen):
    before_midnight = datetime.datetime.combine(TODAY, datetime.time(23, 59, 59), tzinfo=HONG_KONG)
    frozen(before_midnight)
    assert "Last day sandbox" in listed(client, applications="closing_soon")[1]
    assert listed(client)[0]["applications"] == {"open": 4, "closing_soon": 3}
    frozen(before_midnight + datetime.timedelta(seconds=2))
    assert "Last day sandbox" not in listed(client, applications="closing_soon")[1]
    assert listed(client)[0]["applications"] == {"open": 3, "closing_soon": 2}


def test_unpublished_programmes_count_nowhere(client, frozen):
    make_programme("Published grant", applications_close_on=days(5))
    make_programme("Draft grant", applications_close_on=days(5), status=Status.DRAFT)
    make_programme("Archived grant", applications_close_on=days(5), status=Status.ARCHIVED)
    make_programme("Scheduled grant", applications_close_on=days(5), published_at=FROZEN + datetime.timedelta(hours=1))
    counts, names, total = listed(client, applications="closing_soon")
    assert (counts["applications"], names, total) == ({"open": 1, "closing_soon": 1}, ["Published grant"], 1)
    home = client.get("/en/").content.decode()
    assert "Published grant" in home and "Draft grant" not in home and "Scheduled grant" not in home
    assert summaries(parse_calendar(client.get("/en/programmes/deadlines.ics"))) == [
        "Applications close: Published grant"
    ]


# The home page


def test_the_home_page_lists_the_next_deadlines_soonest_first(client, windows):
    response = client.get("/en/")
    assert [programme.name for programme in response.context["next_deadlines"]] == [
        "Last day sandbox",
        "Closing soon grant",
        "Future grant",
        "Later grant",
    ]
    page = response.content.decode()
    assert "Closes <time" in page and "(today)" in page
    assert 'href="/en/programmes/deadlines.ics"' in page


def test_the_home_page_says_when_no_deadline_is_known(client, frozen):
    make_programme("Blueprint")
    assert "No deadlines known." in client.get("/en/").content.decode()


# The iCalendar feed


def parse_calendar(response):
    """Parse `response` as RFC 5545 does: CRLF line ends, lines of at most 75 octets, one VTIMEZONE for Hong Kong."""
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content
    assert body.endswith(b"\r\n") and b"\n" not in body.replace(b"\r\n", b"")
    for line in body.split(b"\r\n"):
        assert len(line) <= LINE_OCTETS, line
        line.decode()  # folding never splits a character
    calendar = icalendar.Calendar.from_ical(body)
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    (zone,) = calendar.walk("VTIMEZONE")
    assert zone["TZID"] == "Asia/Hong_Kong"
    (standard,) = zone.walk("STANDARD")
    assert standard["TZOFFSETTO"].td == datetime.timedelta(hours=8)
    assert standard["TZNAME"] == "HKT"
    for event in calendar.walk("VEVENT"):
        for required in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "URL"):
            assert required in event, required
    return calendar


def summaries(calendar):
    return [str(event["SUMMARY"]) for event in calendar.walk("VEVENT")]


def test_the_calendar_holds_one_all_day_event_per_deadline(client, windows):
    calendar = parse_calendar(client.get("/en/programmes/deadlines.ics"))
    events = {str(event["SUMMARY"]).removeprefix("Applications close: "): event for event in calendar.walk("VEVENT")}
    # Deadlines still to come, and those passed in the last 30 days; no event for rolling or unstated windows.
    assert sorted(events) == ["Closed grant", "Closing soon grant", "Future grant", "Last day sandbox", "Later grant"]
    grant = windows["closing in 12 days"]
    event = events["Closing soon grant"]
    assert event.decoded("DTSTART") == days(12) and event.decoded("DTEND") == days(13)
    assert not isinstance(event.decoded("DTSTART"), datetime.datetime)
    assert str(event["URL"]) == f"http://testserver/en/programmes/{grant.slug}/"
    assert str(event["UID"]) == f"programme-{grant.pk}-closes-{days(12):%Y%m%d}@testserver"
    assert event.decoded("DTSTAMP") == grant.updated_at


def test_the_calendar_holds_the_lists_programmes_for_the_same_filters(client, windows):
    for params in ("kind=funding_scheme", "applications=closing_soon", "q=grant&state=open", "organisation=cyberport"):
        page = client.get(f"/en/programmes/?{params}")
        shown = {item.name for item in page.context["paginator"].object_list if item.applications_close_on}
        assert f'href="/en/programmes/deadlines.ics?{escape(params)}"' in page.content.decode()
        calendar = parse_calendar(client.get(f"/en/programmes/deadlines.ics?{params}"))
        assert {summary.removeprefix("Applications close: ") for summary in summaries(calendar)} == shown, params
        assert "(" in str(calendar["X-WR-CALNAME"])


def test_a_deadline_keeps_its_uid_in_every_language_and_after_an_edit(client, windows):
    def uids(language):
        return [
            str(event["UID"])
            for event in parse_calendar(client.get(f"/{language}/programmes/deadlines.ics")).walk("VEVENT")
        ]

    before = uids("en")
    Programme.objects.filter(name="Later grant").update(summary="Edited")
    assert uids("en") == uids("zh-hant") == uids("zh-hans") == before


def test_the_calendar_is_in_the_pages_language(client, frozen):
    long_name = "人工智能資助計劃：支援本地大學、研究機構及企業善用數碼港人工智能超算中心的算力，推動香港創新科技發展"
    programme = make_programme("AI Subsidy Scheme", name_zh_hant=long_name, applications_close_on=days(3))
    traditional = parse_calendar(client.get("/zh-hant/programmes/deadlines.ics?kind=funding_scheme"))
    (event,) = traditional.walk("VEVENT")
    # Folded over several lines of at most 75 octets, the name comes back whole.
    assert str(event["SUMMARY"]).endswith(long_name)
    assert str(event["URL"]) == f"http://testserver/zh-hant/programmes/{programme.slug}/"
    (simplified,) = parse_calendar(client.get("/zh-hans/programmes/deadlines.ics")).walk("VEVENT")
    assert str(simplified["SUMMARY"]).endswith(to_simplified(long_name))
    assert str(simplified["URL"]).startswith("http://testserver/zh-hans/")
    (english,) = parse_calendar(client.get("/en/programmes/deadlines.ics")).walk("VEVENT")
    assert str(english["SUMMARY"]) == "Applications close: AI Subsidy Scheme"


def test_text_in_the_calendar_is_escaped(client, frozen):
    make_programme(
        "Grants; loans, and more", summary="Line one\nLine two, with a \\ backslash", applications_close_on=days(3)
    )
    (event,) = parse_calendar(client.get("/en/programmes/deadlines.ics")).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Applications close: Grants; loans, and more"
    assert str(event["DESCRIPTION"]).startswith("Line one\nLine two, with a \\ backslash\n\nhttp://testserver/")


def test_folding_never_splits_a_character():
    line = "SUMMARY:" + "申請截止：" * 30 + "e\u0301" * 10
    folded = fold(line).split("\r\n")
    assert len(folded) > 3
    assert all(len(part.encode()) <= LINE_OCTETS for part in folded)
    assert all(part.startswith(" ") for part in folded[1:])
    assert "".join(part.removeprefix(" ") if number else part for number, part in enumerate(folded)) == line
    assert fold("SUMMARY:short") == "SUMMARY:short"


def test_the_calendar_refuses_filters_it_does_not_understand(client, frozen):
    response = client.get("/en/programmes/deadlines.ics?applications=someday&year_min=soon")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert "Applications" in response.content.decode()


def test_the_calendars_queries_do_not_grow_with_its_events(client, frozen):
    def queries(url):
        client.get(url)  # the index and the per-version sets are made once, by the first request
        with CaptureQueriesContext(connection) as context:
            parse_calendar(client.get(url))
        return len(context)

    counts = []
    for total in (3, 30):
        while Programme.objects.count() < total:
            make_programme(f"Grant {Programme.objects.count()}", applications_close_on=days(Programme.objects.count()))
        counts.append((queries("/en/programmes/deadlines.ics"), queries("/en/programmes/deadlines.ics?q=grant")))
    assert counts[0] == counts[1]


def test_the_calendar_is_served_from_the_page_cache_until_content_changes(client, settings, frozen):
    settings.PAGE_CACHE = True
    make_programme("First grant", applications_close_on=days(3))
    client.get("/en/programmes/deadlines.ics")
    with CaptureQueriesContext(connection) as context:
        assert summaries(parse_calendar(client.get("/en/programmes/deadlines.ics"))) == [
            "Applications close: First grant"
        ]
    assert len(context) == 1  # the content version
    make_programme("Second grant", applications_close_on=days(2))
    assert len(summaries(parse_calendar(client.get("/en/programmes/deadlines.ics")))) == 2


# The demo content


def test_the_demo_programmes_have_only_the_windows_their_sources_state():
    call_command("load_demo_content", stdout=io.StringIO())
    stated = Programme.objects.exclude(
        applications_open_on=None, applications_close_on=None, applications_rolling=False, next_intake=""
    )
    assert {
        programme.name: (
            programme.applications_open_on,
            programme.applications_close_on,
            programme.applications_rolling,
            programme.next_intake,
        )
        for programme in stated
    } == {
        "Artificial Intelligence Subsidy Scheme": (datetime.date(2024, 10, 7), None, False, ""),
        "Frontier Technology Research Support Scheme": (None, datetime.date(2025, 11, 25), False, ""),
        "Digital Transformation Support Pilot Programme": (None, None, False, "Enhanced round planned for 2026"),
    }
    for programme in stated:
        summary = programme.summary.casefold()
        assert re.search(r"applications|round", summary), programme.name


def test_a_cached_page_says_the_new_day_after_midnight(client, settings, frozen):
    settings.PAGE_CACHE = True
    make_programme("Night grant", applications_close_on=days(1))
    before_midnight = datetime.datetime.combine(TODAY, datetime.time(23, 59, 59), tzinfo=HONG_KONG)
    frozen(before_midnight)
    client.get("/en/programmes/")
    assert "(tomorrow)" in client.get("/en/programmes/").content.decode()
    frozen(before_midnight + datetime.timedelta(seconds=2))
    assert "(today)" in client.get("/en/programmes/").content.decode()
