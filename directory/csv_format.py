"""How text becomes a CSV file that spreadsheets open safely: formula triggers neutralised, cells quoted as the csv
module quotes them, lines ended with CRLF. Cells come a column at a time, so that most of the work is a few C-level
passes over a whole column rather than Python's steps for each cell."""

import re
import unicodedata

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


def neutralised(texts):
    """Return `texts` neutralised, as a list."""
    # An empty cell, or one starting with a letter or a digit, as nearly all do, never starts a formula: these checks
    # are quicker than neutralise()'s loop.
    return [text if not text or text[:1].isalnum() else neutralise(text) for text in texts]


# A cell holding one of these is quoted, as the csv module's QUOTE_MINIMAL does with a comma delimiter, a double quote
# as quote character and CRLF line ends.
NEEDS_QUOTES = re.compile('[",\r\n]')


def quoted(cells):
    """Return `cells`, a list of text, as CSV cells: in double quotes with their double quotes doubled where needed."""
    # One search through the whole column first: most columns of a chunk need no quotes at all.
    if not NEEDS_QUOTES.search("".join(cells)):
        return cells
    return ['"' + cell.replace('"', '""') + '"' if NEEDS_QUOTES.search(cell) else cell for cell in cells]


def csv_lines(columns):
    """Return the CSV lines of a table given as its columns, lists of text of one length, exactly as the csv module
    writes them (tests/test_csv_export.py compares the two), but a column at a time instead of a cell at a time."""
    return "".join([",".join(row) + "\r\n" for row in zip(*map(quoted, columns), strict=True)])
