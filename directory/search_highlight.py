"""Why a result matched: the words of a search marked in a name, and a short passage of a summary around them.

Text is split by the search tokeniser itself (directory/search_tokens.py), so what is marked is what matched:
"regulators" is marked for a search for "regulator", 私隱 for 私隐, "universities" while "univ" is being typed.
"""

from functools import lru_cache

from django.utils.html import escape
from django.utils.safestring import mark_safe

from .chinese import hong_kong_terms
from .search_tokens import words

SNIPPET_LENGTH = 180
# How much of the text before the first match a snippet keeps, for context.
SNIPPET_LEAD = 50
ELLIPSIS = "…"


# A list page marks the names and summaries of the items it shows, whatever the query: the same texts, for every
# query that shows those items. Tokenising a text costs more than matching a query against its tokens.
@lru_cache(maxsize=4096)
def _positions(text):
    """The text as search sees it: (token, unstemmed form, start, end) per token, with offsets in `text`."""
    positions = []
    for word in words(text):
        if not word.chinese:
            positions.append((word.tokens[0], word.extras[0] if word.extras else word.tokens[0], word.start, word.end))
            continue
        normalised = hong_kong_terms(text[word.start : word.end])
        # Offsets of single characters hold only where conversion kept the length (a term such as 算法 -> 演算法
        # does not): otherwise every token covers the whole word.
        exact = len(normalised) == word.end - word.start
        if len(normalised) == 1:
            positions.append((normalised, normalised, word.start, word.end))
            continue
        for index in range(len(normalised) - 1):
            start, end = (word.start + index, word.start + index + 2) if exact else (word.start, word.end)
            positions.append((normalised[index : index + 2], normalised[index : index + 2], start, end))
    return tuple(positions)


@lru_cache(maxsize=4096)
def _single_characters(text):
    """(character, start, end) of every Chinese character, as they match a one-character search."""
    found = []
    for word in words(text):
        if word.chinese:
            normalised = hong_kong_terms(text[word.start : word.end])
            exact = len(normalised) == word.end - word.start
            for index, character in enumerate(normalised):
                found.append(
                    (character, *((word.start + index, word.start + index + 1) if exact else (word.start, word.end)))
                )
    return tuple(found)


def match_spans(text, query):
    """Return the merged (start, end) spans of `text` that match a term of `query`."""
    if not text or not query:
        return []
    positions = _positions(text)
    spans = []
    for term in query.terms:
        if len(term.tokens) == 1 and len(term.tokens[0]) == 1 and not term.tokens[0].isascii():
            spans += [(start, end) for character, start, end in _single_characters(text) if character == term.tokens[0]]
            continue
        length = len(term.tokens)
        if length == 1:
            # Most terms are one word: one pass, each test a single call.
            wanted, prefixes = term.tokens[0], term.prefixes
            spans += [
                (start, end)
                for token, unstemmed, start, end in positions
                if token == wanted or (prefixes and (token.startswith(prefixes) or unstemmed.startswith(prefixes)))
            ]
            continue
        for index in range(len(positions) - length + 1):
            window = positions[index : index + length]
            if all(token == wanted for (token, *_rest), wanted in zip(window[:-1], term.tokens[:-1], strict=True)) and (
                _last_matches(window[-1], term)
            ):
                spans.append((window[0][2], window[-1][3]))
    return _merged(spans)


def _last_matches(position, term):
    token, unstemmed, _start, _end = position
    if token == term.tokens[-1]:
        return True
    return bool(term.prefixes) and (token.startswith(term.prefixes) or unstemmed.startswith(term.prefixes))


def _merged(spans):
    merged = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def marked_html(text, spans, offset=0):
    """`text` escaped, with the `spans` (offsets shifted by `offset`) in <mark>."""
    parts, position = [], 0
    for start, end in spans:
        start, end = max(start - offset, 0), min(end - offset, len(text))
        if start >= end:
            continue
        parts += [escape(text[position:start]), "<mark>", escape(text[start:end]), "</mark>"]
        position = end
    parts.append(escape(text[position:]))
    return mark_safe("".join(parts))


def highlight(text, query):
    """All of `text`, escaped, with the words that matched `query` marked."""
    return marked_html(text, match_spans(text, query))


def snippet(text, query):
    """A passage of `text` of about SNIPPET_LENGTH characters from just before the first match, matches marked;
    the start of the text when nothing in it matched."""
    spans = match_spans(text, query)
    start = 0
    if spans and spans[0][0] > SNIPPET_LEAD:
        start = spans[0][0] - SNIPPET_LEAD
        # From the start of a word, where there are spaces to find one.
        space = text.find(" ", start, spans[0][0])
        start = space + 1 if space != -1 else start
    end = min(len(text), start + SNIPPET_LENGTH)
    if end < len(text):
        space = text.rfind(" ", start + SNIPPET_LENGTH // 2, end)
        end = space if space != -1 else end
    body = marked_html(text[start:end], [(s, e) for s, e in spans if s < end], offset=start)
    return mark_safe((ELLIPSIS if start else "") + body + (ELLIPSIS if end < len(text) else ""))
