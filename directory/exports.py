"""CSV exports of content, one format for the public lists' export links, the admin and `manage.py export_csv`.

A file is UTF-8 with a byte-order mark and CRLF line ends, so Excel opens Chinese text correctly, and any text cell
a spreadsheet could run as a formula is neutralised. Rows stream from the database in chunks, and each related
column costs one query per chunk, so the number of queries grows with the chunks, never with the rows, and memory
stays flat at any size.
"""

import csv
import io
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from itertools import islice, repeat

from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header

from .choices import ExportedContent, Publication
from .filters import GuidanceFilter, OrganisationFilter, ProgrammeFilter
from .models import ExportRecord, Guidance, Organisation, Programme, Publishable

CHUNK_SIZE = 2000
BOM = "\ufeff"
# What a spreadsheet may take as the start of a formula (OWASP CSV injection, ASVS 5.0 1.2.10): = + - @ and every
# character that Unicode normalisation (NFKC) turns into one of them, full-width, small, superscript and the rest
# (tests/test_csv_export.py derives the list), and the control characters that split or end a cell.
FORMULA_TRIGGERS = (
    *("=", "+", "-", "@", "\t", "\r", "\n", "\x00"),
    *("＝", "＋", "－", "＠"),
    *("﹦", "﹢", "﹣", "﹫"),
    *("⁼", "⁺", "₌", "₊", "⩵", "⩶", "﬩"),
)
_TRIGGERS = frozenset(FORMULA_TRIGGERS)
SLUG_PLACEHOLDER = "--slug--"


def neutralise(text):
    """Return `text` behind a single quote if a spreadsheet could read it as a formula, else unchanged."""
    # A trigger counts after any whitespace and invisible (format) characters: some spreadsheets skip them, and a
    # value stored from a shell or an import never went through the admin form's stripping.
    for char in text:
        if char in _TRIGGERS:
            return "'" + text
        if not char.isspace() and unicodedata.category(char) != "Cf":
            return text
    return text


def true_false(value):
    return "true" if value else "false"


def may_see_unpublished(user, model):
    """Return whether `user` may export unpublished `model` items; None is the export_csv command's shell user."""
    if user is None or not issubclass(model, Publishable):
        return True
    return user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}")


@dataclass(frozen=True)
class Column:
    """A column of the file: its header and the field it shows, formatted by `format` (None: as the csv module
    writes it, which for numbers, dates and empty values is already right)."""

    header: str
    field: str
    format: Callable | None = None

    def cells(self, values, export):
        return values if self.format is None else map(self.format, values)


def text(name):
    return Column(name, name, neutralise)


def plain(name):
    return Column(name, name)


@dataclass(frozen=True)
class PageUrl(Column):
    """The absolute URL of the item's public page, made from its slug without a reverse() per row."""

    def cells(self, slugs, export):
        prefix, suffix = export.url_parts
        return [f"{prefix}{slug}{suffix}" for slug in slugs]


@dataclass(frozen=True)
class LocalTime(Column):
    """A date and time in the portal's time zone, with its offset."""

    def cells(self, moments, export):
        # The zone is looked up once: timezone.localtime() finds it anew for every value, which is slow.
        zone = timezone.get_current_timezone()
        return ["" if moment is None else moment.astimezone(zone).isoformat() for moment in moments]


@dataclass(frozen=True)
class ForeignName(Column):
    """The name of the item a foreign key points to, for a whole chunk in one query, if the exporter may see it."""

    name: str = "name"

    def cells(self, keys, export):
        model = export.definition.model._meta.get_field(self.field).related_model
        wanted = set(keys) - {None}
        found = export.visible(model).filter(pk__in=wanted).values_list("pk", self.name) if wanted else ()
        names = {pk: neutralise(name) for pk, name in found}
        return map(names.get, keys, repeat(""))


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
            .filter(**{f"{back}__in": ids})
            .order_by("name", "pk")
            .values_list(back, "name")
        )
        names = {}
        for pk, name in linked:
            names.setdefault(pk, []).append(name)
        joined = {pk: neutralise("; ".join(items)) for pk, items in names.items()}
        return map(joined.get, ids, repeat(""))


def many(relation):
    return ManyNames(relation, "id")


PROVENANCE = (
    text("source_url"),
    plain("last_verified_on"),
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
        plain("start_date"),
        plain("end_date"),
        text("dates_precision"),
        text("summary"),
        text("summary_zh_hant"),
        text("description"),
        text("description_zh_hant"),
        text("website"),
        *PROVENANCE,
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
        plain("date_published"),
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
    false and `row_count` counts the rows handed to the response until then."""

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
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer, lineterminator="\r\n")

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
        rows = self.queryset.values_list(*self.definition.fields).iterator(chunk_size=CHUNK_SIZE)
        try:
            yield self.encode([self.definition.header], BOM)
            positions = {field: index for index, field in enumerate(self.definition.fields)}
            for chunk in chunked(rows, CHUNK_SIZE):
                values = list(zip(*chunk, strict=True))
                cells = [column.cells(values[positions[column.field]], self) for column in self.definition.columns]
                data = self.encode(zip(*cells, strict=True))
                self.rows_written += len(chunk)
                yield data
            complete = True
        finally:
            # Close the database cursor before writing, whether the stream ended or was abandoned.
            rows.close()
            record.finish(self.rows_written, complete)

    def encode(self, rows, prefix=""):
        self.writer.writerows(rows)
        data = prefix + self.buffer.getvalue()
        self.buffer.seek(0)
        self.buffer.truncate()
        return data.encode("utf-8")


def csv_response(export):
    """Return a response that streams `export` as a downloaded file."""
    response = StreamingHttpResponse(export.stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, export.filename)
    add_never_cache_headers(response)
    return response


def base_url(request):
    return f"{request.scheme}://{request.get_host()}"
