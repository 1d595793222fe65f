"""Monograms: an organisation's initials on a colour of its own, shown wherever it has no uploaded logo.

The mark is the organisation's, not the page's: like a logo it reads the same in every language, so a reader who
knows HKMA by its mark finds it on a Chinese list too (and 香港…, the first character of most Chinese names, would
tell the cards apart no better than a blank square).
"""

import re
import zlib

from .chinese import is_chinese_character

# The design brief's colours (../shared/DESIGN.md) on which white initials reach WCAG AA's 4.5:1, checked in
# tests/test_monograms.py. The Bauhinia red accent is left out: the brief keeps it for the few things that must stand
# out ("Open now"), and a wall of red marks would wear that down.
BACKGROUNDS = (
    "#0b5c6b",  # primary
    "#08414c",  # primary dark
    "#0a5ad4",  # link
    "#57606a",  # muted text
    "#1b1f24",  # ink
)
INITIALS_COLOUR = "#ffffff"

# HKMA, PCPD, HKUST, CUHK: an acronym an editor lists among the aliases, or writes in brackets after the name.
ACRONYM = re.compile(r"[A-Z][A-Z0-9]{1,4}")
# Among the aliases, short names in mixed case too (PolyU, CityU, DoJ). Not in brackets, where such a name is as often
# the organisation's parent: Hong Kong Institute for Data Science (CityU).
SHORT_NAME = re.compile(r"[A-Z][A-Za-z0-9]{1,4}")
IN_BRACKETS = re.compile(r"\(([^()]*)\)")
WORD = re.compile(r"[^\W_]+")
# Words whose initials would say nothing about the organisation.
MINOR_WORDS = frozenset(
    {"a", "an", "and", "at", "by", "de", "for", "in", "of", "on", "the", "to", "co", "company", "inc", "limited", "ltd"}
)
MAX_WORD_INITIALS = 3
MAX_CHINESE_ALIAS = 3  # 科大, 金管局

# The monogram's square is this many units wide; the initials get the width less a margin, in a type size that fits
# them (a bold capital is about 0.75 of it wide, a Chinese character all of it), up to a size that looks like a mark.
BOX = 48
TEXT_WIDTH = 40
LARGEST_TYPE = 22
# How wide the square is drawn, in CSS pixels: beside a card's name, and beside a detail page's title.
MARK_SIZES = {"card": 48, "page": 96}


def initials(name, aliases=()):
    """The letters a monogram of `name` shows: a short name among `aliases` (HKMA, PolyU) or an acronym in brackets
    in the name, else the first letters of its significant words, three at most (Hong Kong Productivity Council: HKP).

    A name without a Latin word (an editor may have typed only Chinese) shows a short Chinese alias (金管局) or the
    name's first character. Empty for a name with no letter or digit at all.
    """
    for alias in aliases:
        if SHORT_NAME.fullmatch(alias) and sum(map(str.isupper, alias)) > 1:
            return alias
    for bracketed in IN_BRACKETS.findall(name):
        if ACRONYM.fullmatch(bracketed.strip()):
            return bracketed.strip()
    words = [word for word in WORD.findall(IN_BRACKETS.sub(" ", name)) if word.casefold() not in MINOR_WORDS]
    latin = [word for word in words if not is_chinese_character(word[0])]
    if not latin:
        chinese = [alias for alias in aliases if all(map(is_chinese_character, alias))]
        short = [alias for alias in chinese if len(alias) <= MAX_CHINESE_ALIAS]
        return short[0] if short else (words[0][0] if words else "")
    if len(latin) == 1:
        return single_word_initials(latin[0])
    return "".join(word[0].upper() for word in latin[:MAX_WORD_INITIALS])


def single_word_initials(word):
    """ASTRI as it is, SenseTime's capitals (ST), otherwise the first letter: Cyberport, C."""
    if ACRONYM.fullmatch(word):
        return word
    capitals = [letter for letter in word if letter.isupper()]
    if word[0].isupper() and len(capitals) > 1:
        return "".join(capitals[:MAX_WORD_INITIALS])
    return word[0].upper()


def background(key):
    """The colour of the organisation whose slug is `key`: the same on every page and every run (crc32, unlike
    Python's hash(), is not salted per process)."""
    return BACKGROUNDS[zlib.crc32(key.encode()) % len(BACKGROUNDS)]


def type_size(text):
    """The type size, in units of the BOX, at which `text` fits the square on one line."""
    width = sum(1.0 if is_chinese_character(character) else 0.75 for character in text)
    return min(LARGEST_TYPE, int(TEXT_WIDTH / width)) if width else LARGEST_TYPE
