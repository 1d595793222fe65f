"""The one tokeniser of search: documents and queries go through the same functions, so SQLite and PostgreSQL are
given the same tokens and must agree on what matches.

Text is NFKC-normalised, case- and accent-folded and split into runs of letters and digits. English (any non-Chinese
run) is stemmed with the Snowball English stemmer, so "regulators" finds "regulator"; a run's unstemmed form is kept
too (as an extra, after the stream) so a word being typed ("regulati") still finds "regulation" as a prefix. Chinese
is turned into Hong Kong Traditional characters and terms (directory/chinese.py) and indexed as overlapping pairs of
characters, so a Chinese word of any length matches as a phrase of pairs without a dictionary; single characters are
kept as extras for one-character queries.

Extras sit after the stream of a column: phrases are matched on stems and pairs, which extras never equal, so they
cannot complete a phrase.
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

from .chinese import hong_kong_terms, is_chinese_character

# At most this many distinct words of a query are searched for; the page says when more were given.
MAX_QUERY_WORDS = 10
# The last word of a query also matches as a prefix once it has this many letters: fewer would match most words.
MIN_PREFIX_LENGTH = 3
QUERY_MAX_LENGTH = 200

_RUN = re.compile(r"[^\W_]+")
# Quotes readers type around a phrase: straight, curly and the Chinese corner brackets.
_PHRASE = re.compile(r'"([^"]*)"|“([^”]*)”|「([^」]*)」')


@lru_cache(maxsize=1)
def _stemmer():
    return snowballstemmer.stemmer("english")


@lru_cache(maxsize=100_000)
def stem(word):
    return _stemmer().stemWord(word)


@lru_cache(maxsize=100_000)
def fold(text):
    """Case- and accent-folded, compatibility forms unified (full-width letters, ligatures)."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


@dataclass(frozen=True)
class Word:
    """A word of text: `tokens` to match in order (one for an English word, the pairs of a Chinese one), the
    `extras` a document indexes beside them, and where it sits in the text it came from."""

    tokens: tuple
    extras: tuple
    chinese: bool
    start: int
    end: int


def words(text):
    """Yield the Words of `text`, with their offsets in `text`."""
    for match in _RUN.finditer(text):
        run, offset = match.group(), match.start()
        # Split a run where it passes between Chinese and other characters ("AI人工智能" is two words).
        position = 0
        for chinese, part in _script_parts(run):
            start, end = offset + position, offset + position + len(part)
            position += len(part)
            if chinese:
                normalised = hong_kong_terms(part)
                pairs = tuple(normalised[i : i + 2] for i in range(len(normalised) - 1)) or (normalised,)
                yield Word(pairs, tuple(normalised) if len(normalised) > 1 else (), True, start, end)
            else:
                folded = fold(part)
                for piece in _RUN.findall(folded):
                    stemmed = stem(piece)
                    yield Word((stemmed,), (piece,) if piece != stemmed else (), False, start, end)


def _script_parts(run):
    # Most runs are English words: no character of them can be Chinese.
    if run.isascii():
        yield False, run
        return
    part, chinese = "", None
    for character in run:
        is_chinese = is_chinese_character(character)
        if part and is_chinese != chinese:
            yield chinese, part
            part = ""
        part, chinese = part + character, is_chinese
    if part:
        yield chinese, part


def document_tokens(*texts):
    """Return the token text of a document column made of `texts`: the stream, then the extras, space-separated."""
    stream, extras = [], []
    for text in texts:
        for word in words(text or ""):
            stream += word.tokens
            extras += word.extras
    return stream, list(dict.fromkeys(extra for extra in extras if extra not in stream))


@dataclass(frozen=True)
class Term:
    """What a query asks for: `tokens` in this order (one token, or a phrase); with `prefixes`, the last token may
    instead start with any of them (the word being typed)."""

    tokens: tuple
    prefixes: tuple = ()


@dataclass(frozen=True)
class Query:
    terms: tuple
    # Distinct words the reader gave beyond MAX_QUERY_WORDS, which were not searched for.
    dropped: int = 0

    def __bool__(self):
        return bool(self.terms)


def parse_query(text):
    """Return the Query of a reader's `text`: quoted phrases as phrases, every other word on its own, the last one
    also as a prefix. Punctuation and operators are text like any other, never syntax."""
    text = text.replace("\x00", "")[:QUERY_MAX_LENGTH]
    pieces = []  # (text, quoted)
    position = 0
    for match in _PHRASE.finditer(text):
        pieces += [(chunk, False) for chunk in text[position : match.start()].split()]
        phrase = next(group for group in match.groups() if group is not None)
        if phrase.strip():
            pieces.append((phrase, True))
        position = match.end()
    pieces += [(chunk, False) for chunk in text[position:].split()]

    terms = []
    for number, (piece, quoted) in enumerate(pieces):
        found = list(words(piece))
        if not found:
            continue
        if quoted:
            terms.append(Term(tuple(token for word in found for token in word.tokens)))
            continue
        # Each word on its own: "e-commerce" asks for both words, "私隱專員" for its pairs in order.
        terms += [Term(word.tokens) for word in found]
        last = found[-1]
        is_last_piece = number == len(pieces) - 1
        if (
            is_last_piece
            and not last.chinese
            and len(last.extras[0] if last.extras else last.tokens[0]) >= (MIN_PREFIX_LENGTH)
        ):
            candidates = dict.fromkeys((last.tokens[0], *last.extras))
            # "intellig" already covers "intelligence": each prefix costs the index a scan of its own.
            prefixes = tuple(p for p in candidates if not any(p != q and p.startswith(q) for q in candidates))
            terms[-1] = Term(last.tokens, prefixes)
    distinct = list(dict.fromkeys(terms))
    return Query(tuple(distinct[:MAX_QUERY_WORDS]), max(0, len(distinct) - MAX_QUERY_WORDS))
