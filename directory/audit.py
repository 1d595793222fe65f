"""The audit of changes as a CSV file, in the content exports' format (directory/exports.py): UTF-8 with a byte-order
mark, CRLF line ends, every text neutralised against formulas, streamed in chunks, and logged as an ExportRecord."""

from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header

from .choices import ExportedContent, ExportSource
from .csv_format import csv_lines, neutralised
from .exports import BOM, CHUNK_SIZE, chunked, true_false
from .models import ExportRecord

HEADER = ("saved_at", "username", "model", "item_id", "item", "changed_fields", "deleted", "message")
FIELDS = (
    "created_at",
    "username",
    "content_type__model",
    "object_id",
    "object_repr",
    "changed_fields",
    "deleted",
    "message",
)


def audit_cells(rows):
    """Return a chunk of revisions' rows (FIELDS) as the file's columns."""
    saved, usernames, models, ids, items, changed, deleted, messages = zip(*rows, strict=True)
    zone = timezone.get_current_timezone()
    return [
        [moment.astimezone(zone).isoformat() for moment in saved],
        neutralised(usernames),
        list(models),
        [str(pk) for pk in ids],
        neutralised(items),
        neutralised(["" if names is None else "; ".join(names) for names in changed]),
        [true_false(value) for value in deleted],
        neutralised(messages),
    ]


def audit_stream(queryset, user, filters):
    """Yield the file as bytes, recording the export as it goes (complete once the last row has left)."""
    record = ExportRecord.objects.create(
        user=user,
        username=user.get_username(),
        content=ExportedContent.CHANGES,
        source=ExportSource.ADMIN,
        filters=filters,
    )
    written, complete = 0, False
    rows = queryset.values_list(*FIELDS).iterator(chunk_size=CHUNK_SIZE)
    try:
        yield (BOM + csv_lines([[name] for name in HEADER])).encode("utf-8")
        for chunk in chunked(rows, CHUNK_SIZE):
            data = csv_lines(audit_cells(chunk)).encode("utf-8")
            written += len(chunk)
            yield data
        complete = True
    finally:
        rows.close()
        record.finish(written, complete)


def audit_response(queryset, user, filters):
    response = StreamingHttpResponse(audit_stream(queryset, user, filters), content_type="text/csv; charset=utf-8")
    filename = f"hkai-changes-{timezone.localdate().isoformat()}.csv"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    add_never_cache_headers(response)
    return response
