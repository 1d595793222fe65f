"""Read a CSV export the way a spreadsheet or a script would: all of it, through Python's csv module."""

import csv
import io

BOM = b"\xef\xbb\xbf"


def content(response):
    """Return every byte of a streamed response, which also lets its export finish."""
    return b"".join(response.streaming_content)


def rows(data):
    """Return the rows of CSV bytes as dicts by header, checking they start with a byte-order mark."""
    assert data.startswith(BOM)
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def column(data, name):
    return [row[name] for row in rows(data)]
