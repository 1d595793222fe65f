import csv
import datetime
import io
import math
import sqlite3
import sys
import unicodedata

import pytest
from django.contrib.auth.models import Permission
from django.core.signals import request_finished
from django.db import close_old_connections, connection
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from directory import exports
from directory.choices import Status
from directory.csv_format import FORMULA_TRIGGERS, csv_lines, neutralise
from directory.models import ExportRecord, Organisation, Sector
from directory.views import ListExportView

from .csv_reading import BOM, column, content, rows
from .factories import make_guidance, make_organisation, make_programme, make_sector, make_topic, make_user

pytestmark = pytest.mark.django_db

EXPORT_URL = {name: reverse(f"directory:{name}-export") for name in ("organisation", "programme", "guidance")}
CONTENT = {"organisation": "organisations", "programme": "programmes", "guidance": "guidance"}
PROVENANCE = "source_url,last_verified_on,status,published_at,created_at,updated_at"
# As documented in README.md: changing a header breaks every spreadsheet and script that reads these files.
HEADERS = {
    "organisation": "id,name,name_zh_hant,slug,url,kind,parent,sectors,summary,summary_zh_hant,description,"
    "description_zh_hant,founded_year,website," + PROVENANCE,
    "programme": "id,name,name_zh_hant,slug,url,kind,lead_organisation,partners,sectors,start_date,end_date,"
    "dates_precision,summary,summary_zh_hant,description,description_zh_hant,website," + PROVENANCE + ","
    "applications_open_on,applications_close_on,applications_rolling,next_intake,next_intake_zh_hant",
    "guidance": "id,title,title_zh_hant,slug,url,kind,publisher,topics,sectors,binding,date_published,date_precision,"
    "supersedes,document_url,summary,summary_zh_hant,description,description_zh_hant," + PROVENANCE,
}


@pytest.fixture
def small_chunks(monkeypatch):
    """Make every export several chunks long, so per-chunk work is exercised with a handful of rows."""
    monkeypatch.setattr(exports, "CHUNK_SIZE", 4)


@pytest.fixture
def exporter():
    return make_user(groups=["Exporters"])


@pytest.fixture
def exporter_client(client, exporter):
    client.force_login(exporter)
    return client


def export(client, name, params=None):
    response = client.get(EXPORT_URL[name], params or {})
    assert response.status_code == 200
    return content(response)


@pytest.fixture
def catalogue():
    """Enough items for two list pages, with ties, drafts, archived items and every relation filled in."""
    education, finance = make_sector("Education", slug="education"), make_sector("Finance", slug="finance")
    privacy, fairness = make_topic("Privacy", slug="privacy"), make_topic("Fairness", slug="fairness")
    parent = make_organisation("Robotics University", kind="university", founded_year=1960)
    parent.sectors.set([education])
    organisations = [parent]
    for number in range(26):
        organisation = make_organisation(
            f"Lab {number % 7}",  # the same names several times: the order must still be the list's
            kind=("research_centre", "startup", "university")[number % 3],
            founded_year=1990 + number,
            parent=parent if number % 2 else None,
        )
        organisation.sectors.set([education, finance][: number % 3])
        organisations.append(organisation)
    make_organisation("Draft Robotics Lab", status=Status.DRAFT)
    make_organisation("Archived Robotics Lab", status=Status.ARCHIVED)
    today = timezone.localdate()
    for number in range(24):
        programme = make_programme(
            f"Scheme {number % 5}",
            lead_organisation=organisations[number],
            start_date=today - datetime.timedelta(days=300 * number),
            end_date=today + datetime.timedelta(days=30 - 40 * number),
        )
        programme.partners.set(organisations[number + 1 : number + 3])
        programme.sectors.set([finance])
        guidance = make_guidance(
            f"Robotics code {number}",
            publisher=organisations[number % 4],
            binding=bool(number % 2),
            date_published=today - datetime.timedelta(days=100 * (number % 6)),
        )
        guidance.topics.set([privacy, fairness][: number % 3])
    make_programme("Draft scheme", status=Status.DRAFT)
    make_guidance("Draft guidance", status=Status.DRAFT)
    return {"parent": parent}


LIST_PARAMS = [
    ("organisation", {}),
    ("organisation", {"kind": "university"}),
    ("organisation", {"kind": ["startup", "research_centre"], "sort": "founded"}),
    ("organisation", {"sector": "finance", "sort": "newest"}),
    ("organisation", {"parent": "robotics-university", "year_min": "2000", "sort": "name"}),
    ("organisation", {"q": "robotics"}),
    ("organisation", {"kind": "nonsense", "year_max": "not a year", "page": "2"}),
    ("programme", {}),
    ("programme", {"state": "open", "sort": "start"}),
    ("programme", {"organisation": "robotics-university", "sector": "finance"}),
    ("guidance", {}),
    ("guidance", {"topic": "privacy", "binding": "binding"}),
    ("guidance", {"sort": "title", "state": "in_force", "year_min": "2020"}),
    ("guidance", {"q": "robotics", "sort": "oldest"}),
]


@pytest.mark.parametrize(("name", "params"), LIST_PARAMS)
def test_export_has_the_items_of_the_list_in_the_list_order(exporter_client, catalogue, small_chunks, name, params):
    listed = exporter_client.get(reverse(f"directory:{name}-list"), params).context["filter"].qs
    expected = [item.slug for item in listed]
    assert expected  # every case has something to compare
    assert column(export(exporter_client, name, params), "slug") == expected


def test_export_has_every_page_of_the_list(exporter_client, catalogue):
    response = exporter_client.get(reverse("directory:organisation-list"), {"page": "2"})
    assert response.context["paginator"].num_pages == 2
    assert len(rows(export(exporter_client, "organisation", {"page": "2"}))) == response.context["paginator"].count


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get(EXPORT_URL["organisation"], {"kind": "university"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login") + "?next=")


@pytest.mark.parametrize("name", EXPORT_URL)
def test_signed_in_users_without_the_export_permission_are_refused(client, name):
    client.force_login(make_user(groups=["Editors", "Publishers"]))
    assert client.get(EXPORT_URL[name]).status_code == 403


@pytest.mark.parametrize("name", EXPORT_URL)
def test_exporters_get_a_csv_file_named_after_the_content_and_day(exporter_client, name):
    response = exporter_client.get(EXPORT_URL[name])
    content(response)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    filename = f"hkai-{CONTENT[name]}-{timezone.localdate().isoformat()}.csv"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert "no-store" in response["Cache-Control"]


def test_export_only_answers_get(exporter_client):
    assert exporter_client.post(EXPORT_URL["organisation"]).status_code == 405


@pytest.fixture
def statuses():
    make_organisation("Published")
    make_organisation("Draft", status=Status.DRAFT)
    make_organisation("Archived", status=Status.ARCHIVED)
    make_organisation("Scheduled", published_at=timezone.now() + datetime.timedelta(days=1))


@pytest.mark.parametrize(
    ("publication", "expected"),
    [
        (None, ["Published"]),
        ("published", ["Published"]),
        ("draft", ["Draft"]),
        ("archived", ["Archived"]),
        ("all", ["Archived", "Draft", "Published", "Scheduled"]),
        ("everything", ["Published"]),
        ("", ["Published"]),
    ],
)
def test_unpublished_items_are_exported_only_when_asked_for(exporter_client, statuses, publication, expected):
    params = {} if publication is None else {"publication": publication}
    assert column(export(exporter_client, "organisation", params), "name") == expected


@pytest.mark.parametrize("publication", ["draft", "archived", "all"])
def test_exporters_without_the_view_permission_get_published_items_whatever_they_ask(client, statuses, publication):
    user = make_user()
    user.user_permissions.add(Permission.objects.get(codename="export_organisation"))
    client.force_login(user)
    assert column(export(client, "organisation", {"publication": publication}), "name") == ["Published"]
    assert ExportRecord.objects.get().filters == {"publication": ["published"]}


def test_related_names_of_unpublished_items_need_the_view_permission(client):
    draft = make_organisation("Draft Parent", status=Status.DRAFT)
    make_organisation("Child", parent=draft)
    user = make_user()
    user.user_permissions.add(Permission.objects.get(codename="export_organisation"))
    client.force_login(user)
    assert column(export(client, "organisation"), "parent") == [""]
    user.user_permissions.add(Permission.objects.get(codename="view_organisation"))
    client.force_login(user)
    assert column(export(client, "organisation"), "parent") == ["Draft Parent"]


def test_file_starts_with_a_byte_order_mark_and_ends_every_line_with_crlf(exporter_client):
    make_organisation("One")
    make_organisation("Two")
    data = export(exporter_client, "organisation")
    assert data.startswith(BOM)
    lines = data.split(b"\r\n")
    assert len(lines) == 4 and lines[-1] == b""
    assert b"\n" not in b"".join(lines)


@pytest.mark.parametrize("name", EXPORT_URL)
def test_header_row_is_the_documented_one(exporter_client, name):
    assert export(exporter_client, name).decode("utf-8-sig").split("\r\n")[0] == HEADERS[name]


@pytest.mark.parametrize("trigger", FORMULA_TRIGGERS)
def test_neutralise_puts_a_quote_before_every_formula_trigger(trigger):
    assert neutralise(f'{trigger}HYPERLINK("https://evil.example")') == f'\'{trigger}HYPERLINK("https://evil.example")'


@pytest.mark.parametrize(
    "text", ["", "Hong Kong", "1+1", "a=b", "'quoted", " padded", "個人資料", "2024-01-01", "42", " ", "\u200b"]
)
def test_neutralise_leaves_harmless_text_alone(text):
    assert neutralise(text) == text


def test_full_width_triggers_are_the_ones_spreadsheets_read_as_formulas():
    assert {"＝", "＋", "－", "＠"} <= set(FORMULA_TRIGGERS)
    assert {"=", "+", "-", "@", "\t", "\r", "\n", "\x00"} <= set(FORMULA_TRIGGERS)


def starts_a_formula(text):
    """Return whether `text`, past any leading whitespace and invisible characters and once NFKC-normalised, starts
    with = + - or @: how a lenient spreadsheet, or a script that normalises text, may read it."""
    visible = text.lstrip("".join(char for char in set(text) if char.isspace() or unicodedata.category(char) == "Cf"))
    return unicodedata.normalize("NFKC", visible).startswith(("=", "+", "-", "@"))


def test_every_character_that_normalises_to_a_formula_trigger_is_one():
    characters = [chr(code) for code in range(sys.maxunicode + 1) if not 0xD800 <= code <= 0xDFFF]
    assert {char for char in characters if starts_a_formula(char)} <= set(FORMULA_TRIGGERS)
    assert {"﹦", "﹢", "﹣", "﹫", "⁺", "₌"} <= set(FORMULA_TRIGGERS)
    # What lets the export skip neutralise() for a cell that starts with a letter or a digit.
    skipped = {char for char in characters if char.isspace() or unicodedata.category(char) == "Cf"}
    assert not [char for char in skipped | set(FORMULA_TRIGGERS) if char.isalnum()]


# Leading characters a spreadsheet may skip before it looks for a formula: whitespace (str.isspace) and invisible
# format characters (Unicode category Cf).
LEADING = {
    "space": " ",
    "spaces": "  \u2003",
    "no-break-space": "\u00a0",
    "ideographic-space": "\u3000",
    "line-separator": "\u2028",
    "zero-width-space": "\u200b",
    "zero-width-joiners": "\u200c\u200d",
    "word-joiner": "\u2060",
    "byte-order-mark": "\ufeff",
    "bidi-override": "\u202e",
    "bidi-isolate": "\u2066",
    "soft-hyphen": "\u00ad",
    "mixed": " \u200b\u3000\u00a0\ufeff",
}
SPREADSHEET_TRIGGERS = ("=", "+", "-", "@", "＝", "＋", "－", "＠", "﹦", "﹢", "﹣", "﹫")


@pytest.mark.parametrize("leading", LEADING.values(), ids=LEADING)
def test_neutralise_finds_a_trigger_behind_whitespace_and_invisible_characters(leading):
    for trigger in SPREADSHEET_TRIGGERS:
        assert neutralise(f"{leading}{trigger}1+1") == f"'{leading}{trigger}1+1"
    assert neutralise(f"{leading}Hong Kong") == f"{leading}Hong Kong"


@pytest.mark.parametrize("leading", LEADING.values(), ids=LEADING)
def test_text_stored_without_the_admin_form_is_neutralised_behind_leading_whitespace(exporter_client, leading):
    """Values a shell, a command or an import stored: create() and update() run no form validation."""
    created = {
        trigger: Organisation.objects.create(
            name=f"{leading}{trigger}HYPERLINK(1)",
            kind="startup",
            status=Status.PUBLISHED,
            published_at=timezone.now() - datetime.timedelta(days=1),
        )
        for trigger in SPREADSHEET_TRIGGERS
    }
    Organisation.objects.filter(pk__in=[item.pk for item in created.values()]).update(
        summary=f"{leading}=cmd|' /C calc'!A0"
    )
    exported = {row["id"]: row for row in rows(export(exporter_client, "organisation"))}
    for trigger, organisation in created.items():
        row = exported[str(organisation.pk)]
        assert row["name"] == f"'{leading}{trigger}HYPERLINK(1)"
        assert row["summary"] == f"'{leading}=cmd|' /C calc'!A0"


# Text that often starts with what a spreadsheet skips, then a formula trigger or not.
tricky_text = st.builds(
    str.__add__,
    st.text(st.sampled_from("".join(LEADING.values()) + "".join(SPREADSHEET_TRIGGERS) + "⁺₌⩵'a")),
    st.text(),
)


@given(st.one_of(tricky_text, st.text()))
def test_neutralised_text_never_starts_a_formula_unless_it_starts_with_the_quote(text):
    result = neutralise(text)
    assert result in (text, f"'{text}")
    assert result.startswith("'") or not starts_a_formula(result)


# Any text a database stores: PostgreSQL's text holds no NUL.
stored_text = st.one_of(tricky_text, st.text()).map(lambda text: text.replace("\x00", "")[:100])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=stored_text, summary=stored_text, sector=stored_text.filter(str.strip))
def test_no_exported_text_cell_starts_a_formula_unless_it_starts_with_the_quote(exporter_client, name, summary, sector):
    parent = make_organisation(f"{sector} parent")
    organisation = make_organisation(name, summary=summary, website=summary, parent=parent)
    organisation.sectors.add(Sector.objects.get_or_create(name=sector)[0])  # examples share the database
    exported = next(row for row in rows(export(exporter_client, "organisation")) if row["id"] == str(organisation.pk))
    for header, cell in exported.items():
        if header not in {"id", "founded_year", "last_verified_on", "published_at", "created_at", "updated_at"}:
            assert cell.startswith("'") or not starts_a_formula(cell), (header, cell)


@pytest.mark.parametrize("trigger", FORMULA_TRIGGERS)
def test_every_text_cell_starting_with_a_formula_trigger_is_neutralised(exporter_client, trigger):
    if trigger == "\x00" and connection.vendor == "postgresql":
        pytest.skip("PostgreSQL cannot store NUL in text, so no cell can start with one")
    evil = f"{trigger}cmd|' /C calc'!A0"
    sector = make_sector(f"{trigger}Sector")
    topic = make_topic(f"{trigger}Topic")
    parent = make_organisation(f"{trigger}Parent", slug="parent")
    fields = {field: f"{trigger}{field}" for field in ("summary", "description", "website", "source_url")}
    organisation = make_organisation(
        evil, slug=f"{trigger}slug", kind=f"{trigger}kind", parent=parent, founded_year=1999, **fields
    )
    organisation.sectors.set([sector])
    programme = make_programme(evil, lead_organisation=parent, dates_precision=f"{trigger}year")
    programme.partners.set([parent])
    earlier = make_guidance(f"{trigger}Earlier", publisher=parent, date_published=datetime.date(2020, 1, 1))
    guidance = make_guidance(evil, publisher=parent, supersedes=earlier, document_url=f"{trigger}document")
    guidance.topics.set([topic])

    def row(name, key, value):
        return next(item for item in rows(export(exporter_client, name, {"publication": "all"})) if item[key] == value)

    exported = row("organisation", "id", str(organisation.pk))
    assert exported["name"] == f"'{evil}"
    assert exported["slug"] == f"'{trigger}slug"
    assert exported["kind"] == f"'{trigger}kind"
    assert exported["parent"] == f"'{trigger}Parent"
    assert exported["sectors"] == f"'{trigger}Sector"
    for field in fields:
        assert exported[field] == f"'{trigger}{field}"
    programme_row = row("programme", "id", str(programme.pk))
    assert (programme_row["name"], programme_row["lead_organisation"], programme_row["partners"]) == (
        f"'{evil}",
        f"'{trigger}Parent",
        f"'{trigger}Parent",
    )
    assert programme_row["dates_precision"] == f"'{trigger}year"
    guidance_row = row("guidance", "id", str(guidance.pk))
    assert guidance_row["title"] == f"'{evil}"
    assert guidance_row["publisher"] == f"'{trigger}Parent"
    assert guidance_row["topics"] == f"'{trigger}Topic"
    assert guidance_row["supersedes"] == f"'{trigger}Earlier"
    assert guidance_row["document_url"] == f"'{trigger}document"


@pytest.mark.parametrize(
    "moment",
    [
        datetime.datetime(2024, 2, 29, 23, 30, 0, tzinfo=datetime.UTC),  # a whole second: no fraction is written
        datetime.datetime(2025, 8, 31, 20, 41, 19, 674483, tzinfo=datetime.UTC),  # the next day in Hong Kong
        datetime.datetime(1975, 6, 1, 12, 0, 0, 1, tzinfo=datetime.UTC),  # Hong Kong summer time: +09:00
    ],
    ids=["whole-second", "next-day", "summer-time"],
)
def test_times_are_written_in_hong_kong_time_with_the_offset_of_their_date(exporter_client, moment):
    make_organisation("Lab", published_at=moment)
    exported = rows(export(exporter_client, "organisation"))[0]["published_at"]
    assert exported == timezone.localtime(moment).isoformat()
    assert datetime.datetime.fromisoformat(exported) == moment


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite stores dates and times as text")
def test_export_reads_stored_dates_and_times_without_converting_them_one_by_one(exporter_client, monkeypatch):
    """Turning each stored text into a Python object and back into text was a fifth of the export's time."""
    converted = []
    for kind, converter in [(kind, converter) for kind, converter in sqlite3.converters.items() if kind != "BOOL"]:

        def counting(value, converter=converter, kind=kind):
            converted.append(kind)
            return converter(value)

        monkeypatch.setitem(sqlite3.converters, kind, counting)

    def conversions():
        """Return how many stored values each export converts (the session's and the user's among them)."""
        counts = {}
        for name in EXPORT_URL:
            converted.clear()
            export(exporter_client, name)
            counts[name] = len(converted)
        return counts

    make_guidance(date_published=datetime.date(2023, 6, 11))
    few = conversions()
    for day in range(1, 11):
        make_organisation(last_verified_on=datetime.date(2024, 2, day))
        make_programme(start_date=datetime.date(2020, 1, day), end_date=datetime.date(2021, 1, day))
        make_guidance(date_published=datetime.date(2023, 6, day))
    assert conversions() == few


@given(st.lists(st.lists(st.text(), min_size=2, max_size=4), min_size=1, max_size=5))
def test_cells_are_written_exactly_as_the_csv_module_writes_them(table):
    width = max(len(row) for row in table)
    table = [row + [""] * (width - len(row)) for row in table]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(table)
    assert csv_lines([list(column) for column in zip(*table, strict=True)]) == buffer.getvalue()


def test_numbers_and_dates_are_written_as_they_are(exporter_client):
    organisation = make_organisation("Lab", founded_year=1999, last_verified_on=datetime.date(2024, 2, 29))
    programme = make_programme(start_date=datetime.date(2020, 1, 1), end_date=None)
    guidance = make_guidance(binding=True, date_published=datetime.date(2023, 6, 11))
    exported = next(row for row in rows(export(exporter_client, "organisation")) if row["name"] == "Lab")
    organisation.refresh_from_db()
    assert exported["id"] == str(organisation.pk)
    assert exported["founded_year"] == "1999"
    assert exported["last_verified_on"] == "2024-02-29"
    assert exported["published_at"] == timezone.localtime(organisation.published_at).isoformat()
    assert exported["created_at"] == timezone.localtime(organisation.created_at).isoformat()
    programme_row = rows(export(exporter_client, "programme"))[0]
    assert (programme_row["id"], programme_row["start_date"], programme_row["end_date"]) == (
        str(programme.pk),
        "2020-01-01",
        "",
    )
    guidance_row = rows(export(exporter_client, "guidance"))[0]
    assert (guidance_row["binding"], guidance_row["date_published"]) == ("true", "2023-06-11")
    assert guidance.pk == int(guidance_row["id"])


def test_stored_values_and_chinese_text_survive_a_round_trip(exporter_client):
    sectors = [make_sector("公共服務"), make_sector("Finance")]
    parent = make_organisation("香港大學")
    organisation = make_organisation(
        "Office of the Privacy Commissioner for Personal Data",
        name_zh_hant="個人資料私隱專員公署",
        kind="regulator",
        parent=parent,
        summary='Protects personal data. A summary with "quotes", commas; and semicolons.',
        summary_zh_hant="保障個人資料私隱，「監察」及推廣。",
        description="第一段。\r\nSecond paragraph,\nwith a line feed.",
        website="https://www.pcpd.org.hk",
        founded_year=1996,
        source_url="https://www.pcpd.org.hk/tc_chi/about_pcpd/",
        last_verified_on=datetime.date(2026, 1, 2),
    )
    organisation.sectors.set(sectors)
    organisation.refresh_from_db()
    exported = next(row for row in rows(export(exporter_client, "organisation")) if row["id"] == str(organisation.pk))
    assert exported == {
        "id": str(organisation.pk),
        "name": "Office of the Privacy Commissioner for Personal Data",
        "name_zh_hant": "個人資料私隱專員公署",
        "slug": organisation.slug,
        "url": f"http://testserver{organisation.get_absolute_url()}",
        "kind": "regulator",
        "parent": "香港大學",
        "sectors": "Finance; 公共服務",
        "summary": organisation.summary,
        "summary_zh_hant": "保障個人資料私隱，「監察」及推廣。",
        "description": organisation.description,
        "description_zh_hant": "",
        "founded_year": "1996",
        "website": organisation.website,
        "source_url": organisation.source_url,
        "last_verified_on": "2026-01-02",
        "status": "published",
        "published_at": exported["published_at"],
        "created_at": exported["created_at"],
        "updated_at": exported["updated_at"],
    }
    for field in ("published_at", "created_at", "updated_at"):
        assert datetime.datetime.fromisoformat(exported[field]) == getattr(organisation, field)


def populate(count):
    sectors = [make_sector() for _ in range(3)]
    topics = [make_topic() for _ in range(2)]
    parent = make_organisation("Parent University")
    for number in range(count):
        organisation = make_organisation(parent=parent)
        organisation.sectors.set(sectors[: number % 3 + 1])
        programme = make_programme(lead_organisation=organisation)
        programme.partners.set([parent, organisation])
        programme.sectors.set(sectors)
        guidance = make_guidance(publisher=organisation)
        guidance.topics.set(topics)
        guidance.sectors.set(sectors)


# Session, user, user and group permissions, the record's insert and update, and the rows' query; then one query per
# related column per chunk: organisations have two (parent, sectors), programmes three, guidance four.
FIXED_QUERIES = 7
RELATED_COLUMNS = {"organisation": 2, "programme": 3, "guidance": 4}


@pytest.mark.parametrize("name", EXPORT_URL)
@pytest.mark.parametrize("count", [30, 300])
def test_export_runs_a_few_queries_per_chunk_never_one_per_row(
    exporter_client, django_assert_max_num_queries, monkeypatch, name, count
):
    monkeypatch.setattr(exports, "CHUNK_SIZE", 100)
    populate(count)
    chunks = math.ceil((count + 1) / exports.CHUNK_SIZE)
    with django_assert_max_num_queries(FIXED_QUERIES + chunks * RELATED_COLUMNS[name]):
        data = export(exporter_client, name)
    assert len(rows(data)) >= count


def test_export_is_recorded_with_who_what_filters_and_row_count(exporter_client, exporter, catalogue):
    data = export(exporter_client, "organisation", {"kind": "university", "sort": "newest"})
    record = ExportRecord.objects.get()
    assert (record.user, record.username, record.content, record.source) == (
        exporter,
        exporter.username,
        "organisations",
        "list",
    )
    assert record.filters == {"kind": ["university"], "sort": ["newest"], "publication": ["published"]}
    assert record.row_count == len(rows(data)) > 0
    assert record.complete and record.finished_at >= record.started_at


def test_an_export_cut_short_is_recorded_as_incomplete_with_the_rows_sent(rf, exporter, catalogue, small_chunks):
    request = rf.get(EXPORT_URL["organisation"])
    request.user = exporter
    response = ListExportView.as_view(definition=exports.ORGANISATIONS)(request)
    chunks = iter(response)  # as a WSGI server reads it
    next(chunks)  # the header
    next(chunks)  # the first chunk of rows
    # The server closes the response when the client goes away; the request_finished signal that follows would
    # close the test's database connection, as Django's test client also avoids.
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)
    record = ExportRecord.objects.get()
    assert not record.complete
    assert record.row_count == exports.CHUNK_SIZE
    assert record.finished_at is not None


def test_exporters_see_an_export_link_carrying_the_current_filters(exporter_client, catalogue):
    response = exporter_client.get(reverse("directory:organisation-list"), {"kind": "university", "page": "2"})
    url = f"{EXPORT_URL['organisation']}?kind=university"
    assert response.context["export_url"] == url
    assert f'href="{url}"' in response.content.decode()


@pytest.mark.parametrize("name", EXPORT_URL)
def test_readers_and_editors_see_no_export_link(client, name):
    assert "export_url" not in client.get(reverse(f"directory:{name}-list")).context
    client.force_login(make_user(groups=["Editors"]))
    response = client.get(reverse(f"directory:{name}-list"))
    assert "export_url" not in response.context
    assert "export.csv" not in response.content.decode()
