"""CSV exports of content, one format for the public lists' export links, the admin and `manage.py export_csv`.

A file is UTF-8 with a byte-order mark and CRLF line ends, so Excel opens Chinese text correctly, and any text cell
a spreadsheet could run as a formula is neutralised. Rows stream from the database in chunks, and each related
column costs one query per chunk, so the number of queries grows with the chunks, never with the rows, and memory
stays flat at any size. A chunk is handled a column at a time (directory/csv_format.py): at 100,000 organisations the
work done for each cell is what the export's speed comes down to (bench/export.py).
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from itertools import islice, repeat

from django.db.models import Func, TextField
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header

from .choices import ExportedContent, Publication
from .csv_format import csv_lines, neutralise, neutralised
from .filters import GuidanceFilter, OrganisationFilter, ProgrammeFilter
from .models import ExportRecord, Guidance, Organisation, Programme, Publishable

CHUNK_SIZE = 2000
BOM = "\ufeff"
SLUG_PLACEHOLDER = "--slug--"


def true_false(value):
    return "true" if value else "false"


def may_see_unpublished(user, model):
    """Return whether `user` may export unpublished `model` items; None is the export_csv command's shell user."""
    if user is None or not issubclass(model, Publishable):
        return True
    return user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}")


class Stored(Func):
    """A field's value as the database stores it, converted to no Python object.

    SQLite stores dates and times as ISO 8601 text, which Python's sqlite3 module and Django would turn into date and
    datetime objects one value at a time, for the export to turn back into text: at 100,000 organisations that was a
    fifth of its time (bench/export.py). Other databases hand over their own date and time objects, with no per-value
    conversion in Python."""

    template = "%(expressions)s"
    output_field = TextField()

    def as_sqlite(self, compiler, connection, **extra_context):
        # An expression rather than the bare column: its result has no declared type for sqlite3 to convert.
        return self.as_sql(compiler, connection, template="CAST(%(expressions)s AS TEXT)", **extra_context)


@dataclass(frozen=True)
class Column:
    """A column of the file: its header and the field it shows, formatted by `format` (None: as text, empty for no
    value, which for numbers and dates is already right). A `stored` field is read as the database stores it."""

    header: str
    field: str
    format: Callable | None = None
    stored: bool = False

    @property
    def selected(self):
        """Return what the rows' query selects for this column."""
        return Stored(self.field) if self.stored else self.field

    def cells(self, values, export):
        if export.plain:
            return list(values)
        if self.format is None:
            return ["" if value is None else str(value) for value in values]
        return list(map(self.format, values))


@dataclass(frozen=True)
class Text(Column):
    """A text that a spreadsheet must never run as a formula."""

    def cells(self, texts, export):
        if export.plain:
            return ["" if text is None else text for text in texts]
        return neutralised(texts)


def text(name):
    return Text(name, name)


def plain(name):
    return Column(name, name)


def day(name):
    # A date stored as text is already its ISO 8601 form, as is a date object made text.
    return Column(name, name, stored=True)


@dataclass(frozen=True)
class PageUrl(Column):
    """The absolute URL of the item's public page, made from its slug without a reverse() per row."""

    def cells(self, slugs, export):
        prefix, suffix = export.url_parts
        return [f"{prefix}{slug}{suffix}" for slug in slugs]


@dataclass(frozen=True)
class LocalTime(Column):
    """A date and time in the portal's time zone, with its offset."""

    stored: bool = True

    def cells(self, moments, export):
        # The zone is looked up once: timezone.localtime() finds it anew for every value, which is slow.
        zone = timezone.get_current_timezone()
        return ["" if moment is None else aware(moment).astimezone(zone).isoformat() for moment in moments]


def aware(moment):
    """Return the datetime that `moment`, as a database stores it, stands for: SQLite's text is in UTC, as Django
    writes it there; another database's datetime is already aware."""
    if isinstance(moment, str):
        # Parsed with its offset rather than given one by replace(), which takes longer than the parsing.
        return datetime.datetime.fromisoformat(moment + "+00:00")
    return moment


@dataclass(frozen=True)
class ForeignName(Column):
    """The name of the item a foreign key points to, for a whole chunk in one query, if the exporter may see it."""

    name: str = "name"

    def cells(self, keys, export):
        model = export.definition.model._meta.get_field(self.field).related_model
        wanted = set(keys) - {None}
        found = export.visible(model).filter(pk__in=wanted).values_list("pk", self.name) if wanted else ()
        names = {pk: name if export.plain else neutralise(name) for pk, name in found}
        return list(map(names.get, keys, repeat(None if export.plain else "")))


def foreign(relation, name="name"):
    return ForeignName(relation, relation, name=name)


@dataclass(frozen=True)
class ManyNames(Column):
    """The names of the items a many-to-many relation (the column's header) links to, joined with "; ", for a whole
    chunk in one query, leaving out those the exporter may not see."""

    def cells(self, ids, export):
        relation = export.definition.model._meta.get_field(self.header)
        back = relation.related_query_name()
        linked = (
            export.visible(relation.related_model)
            # By the primary key: Django then prepares each of the chunk's ids in about half the time.
            .filter(**{f"{back}__pk__in": ids})
            .order_by("name", "pk")
            .values_list(back, "name")
        )
        names = {}
        for pk, name in linked:
            names.setdefault(pk, []).append(name)
        if export.plain:
            return [names.get(pk, []) for pk in ids]
        joined = {pk: neutralise("; ".join(items)) for pk, items in names.items()}
        return list(map(joined.get, ids, repeat("")))


def many(relation):
    return ManyNames(relation, "id")


PROVENANCE = (
    text("source_url"),
    day("last_verified_on"),
    text("status"),
    LocalTime("published_at", "published_at"),
    LocalTime("created_at", "created_at"),
    LocalTime("updated_at", "updated_at"),
)


@dataclass(frozen=True)
class ExportDefinition:
    """What one kind of content exports: its columns, and the FilterSet of its public list."""

    content: ExportedContent
    model: type
    filterset_class: type
    columns: tuple

    @property
    def fields(self):
        return tuple(dict.fromkeys(column.field for column in self.columns))

    @property
    def selection(self):
        """Return what the rows' query selects, one value per field in the order of `fields`."""
        selected = {}
        for column in self.columns:
            selected.setdefault(column.field, column.selected)
        return tuple(selected.values())

    @property
    def header(self):
        return [column.header for column in self.columns]

    @property
    def permission(self):
        return f"{self.model._meta.app_label}.export_{self.model._meta.model_name}"

    def publication(self, params, user):
        """Return the publication to export: the one `params` ask for if `user` may see unpublished items, else
        the published items (as for anyone asking for nonsense)."""
        asked = params.get("publication")
        if asked in Publication.values and may_see_unpublished(user, self.model):
            return asked
        return Publication.PUBLISHED

    def list_filterset(self, params, user):
        """Return the FilterSet the public list builds for `params`, over the publication `user` may export."""
        items = self.model.objects.in_publication(self.publication(params, user))
        return self.filterset_class(params or None, queryset=items)

    def list_filters(self, params, user):
        """Return `params` as the export's record keeps them, with the publication actually exported."""
        # The list ignores a parameter whose name holds a NUL byte, and PostgreSQL's JSON cannot store one.
        kept = {name: values for name, values in params.lists() if "\x00" not in name}
        return {**kept, "publication": [self.publication(params, user)]}


ORGANISATIONS = ExportDefinition(
    ExportedContent.ORGANISATIONS,
    Organisation,
    OrganisationFilter,
    (
        plain("id"),
        text("name"),
        text("name_zh_hant"),
        text("slug"),
        PageUrl("url", "slug"),
        text("kind"),
        foreign("parent"),
        many("sectors"),
        text("summary"),
        text("summary_zh_hant"),
        text("description"),
        text("description_zh_hant"),
        plain("founded_year"),
        text("website"),
        *PROVENANCE,
    ),
)
PROGRAMMES = ExportDefinition(
    ExportedContent.PROGRAMMES,
    Programme,
    ProgrammeFilter,
    (
        plain("id"),
        text("name"),
        text("name_zh_hant"),
        text("slug"),
        PageUrl("url", "slug"),
        text("kind"),
        foreign("lead_organisation"),
        many("partners"),
        many("sectors"),
        day("start_date"),
        day("end_date"),
        text("dates_precision"),
        text("summary"),
        text("summary_zh_hant"),
        text("description"),
        text("description_zh_hant"),
        text("website"),
        *PROVENANCE,
        # After the provenance columns: scripts that read the earlier columns by position keep working.
        day("applications_open_on"),
        day("applications_close_on"),
        Column("applications_rolling", "applications_rolling", true_false),
        text("next_intake"),
        text("next_intake_zh_hant"),
    ),
)
GUIDANCE = ExportDefinition(
    ExportedContent.GUIDANCE,
    Guidance,
    GuidanceFilter,
    (
        plain("id"),
        text("title"),
        text("title_zh_hant"),
        text("slug"),
        PageUrl("url", "slug"),
        text("kind"),
        foreign("publisher"),
        many("topics"),
        many("sectors"),
        Column("binding", "binding", true_false),
        day("date_published"),
        text("date_precision"),
        foreign("supersedes", name="title"),
        text("document_url"),
        text("summary"),
        text("summary_zh_hant"),
        text("description"),
        text("description_zh_hant"),
        *PROVENANCE,
    ),
)
EXPORTS = {definition.content.value: definition for definition in (ORGANISATIONS, PROGRAMMES, GUIDANCE)}
EXPORTS_BY_MODEL = {definition.model: definition for definition in EXPORTS.values()}


def chunked(iterable, size):
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


class CsvExport:
    """One export on its way out: the file streamed chunk by chunk, and its ExportRecord, opened as the first bytes
    leave and finished when the stream ends, or when it is cut short (the client went away): then `complete` stays
    false and `row_count` counts the rows handed to the response until then.

    `records()` gives the same rows as dicts of plain values instead (a dataset release's JSON): texts as they are,
    many names as a list, no value where there is none."""

    plain = False

    def __init__(self, definition, queryset, *, source, filters, base_url, user=None, username=None):
        self.definition = definition
        self.queryset = queryset
        self.source = source
        self.filters = filters
        self.user = user
        self.username = username if username is not None else user.get_username()
        path = reverse(f"directory:{definition.model._meta.model_name}-detail", kwargs={"slug": SLUG_PLACEHOLDER})
        self.url_parts = (base_url.rstrip("/") + path).split(SLUG_PLACEHOLDER)
        self.rows_written = 0

    @property
    def filename(self):
        return f"hkai-{self.definition.content}-{timezone.localdate().isoformat()}.csv"

    def visible(self, model):
        """Return the `model` items whose names this export may show."""
        if may_see_unpublished(self.user, model):
            return model._default_manager.all()
        return model.objects.published()

    def stream(self):
        """Yield the file as bytes: the header at once, then the rows a chunk at a time."""
        record = ExportRecord.objects.create(
            user=self.user,
            username=self.username,
            content=self.definition.content,
            source=self.source,
            filters=self.filters,
        )
        complete = False
        chunks = self.column_chunks()
        try:
            yield (BOM + csv_lines([[header] for header in self.definition.header])).encode("utf-8")
            for cells in chunks:
                data = csv_lines(cells).encode("utf-8")
                self.rows_written += len(cells[0])
                yield data
            complete = True
        finally:
            # Close the database cursor before writing, whether the stream ended or was abandoned.
            chunks.close()
            record.finish(self.rows_written, complete)

    def records(self):
        """Yield each row as a dict of its columns' plain values."""
        self.plain = True
        header = self.definition.header
        for cells in self.column_chunks():
            for row in zip(*cells, strict=True):
                yield dict(zip(header, row, strict=True))

    def column_chunks(self):
        """Yield the rows a chunk at a time, as one list of cells per column."""
        rows = self.queryset.values_list(*self.definition.selection).iterator(chunk_size=CHUNK_SIZE)
        try:
            positions = {field: index for index, field in enumerate(self.definition.fields)}
            for chunk in chunked(rows, CHUNK_SIZE):
                values = list(zip(*chunk, strict=True))
                yield [column.cells(values[positions[column.field]], self) for column in self.definition.columns]
        finally:
            rows.close()


def csv_response(export):
    """Return a response that streams `export` as a downloaded file."""
    response = StreamingHttpResponse(export.stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, export.filename)
    add_never_cache_headers(response)
    return response


def base_url(request):
    return f"{request.scheme}://{request.get_host()}"
