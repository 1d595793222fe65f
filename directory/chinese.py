"""Chinese text: Simplified and Mainland wording turned into Hong Kong usage, and Traditional pages into Simplified.

OpenCC converts characters (私隐 -> 私隱) but not vocabulary: the Mainland word for privacy, 隐私, becomes 隱私, which
Hong Kong texts do not use (they say 私隱). TERM_VARIANTS maps such words, after conversion to Traditional
characters, to the Hong Kong term, so a reader who types either finds what Hong Kong sources say.
"""

from functools import lru_cache

import opencc

# (Hong Kong term, the Mainland term written in Traditional characters). Keep each pair checked against a Hong Kong
# government source's usage; tests/test_chinese.py holds one example per pair.
TERM_VARIANTS = [
    ("私隱", "隱私"),  # privacy
    ("資訊", "信息"),  # information
    ("數碼", "數字"),  # digital
    ("個人資料", "個人信息"),  # personal data
    ("演算法", "算法"),  # algorithm
    ("程式", "程序"),  # (computer) program
    ("伺服器", "服務器"),  # server
    ("網上", "在線"),  # online
    ("流動", "移動"),  # mobile
    ("質素", "質量"),  # quality
]


@lru_cache(maxsize=2)
def _converter(config):
    return opencc.OpenCC(config)


def to_hong_kong(text):
    """Return `text` in Hong Kong Traditional characters (Simplified input converted, Traditional left as it is)."""
    return _converter("s2hk").convert(text)


def to_simplified(text):
    """Return `text` in Simplified characters, from Hong Kong Traditional."""
    return _converter("hk2s").convert(text)


def is_chinese_character(character):
    return "\u3400" <= character <= "\u9fff" or "\uf900" <= character <= "\ufaff"


def has_chinese(text):
    return any(is_chinese_character(character) for character in text)


# Longest first, so 個人信息 becomes 個人資料 rather than 個人資訊.
_BY_MAINLAND_LENGTH = sorted(TERM_VARIANTS, key=lambda pair: -len(pair[1]))


@lru_cache(maxsize=100_000)
def hong_kong_terms(text):
    """Return Chinese `text` in Hong Kong characters and terms: the form search compares, of documents and queries
    alike (so a Hong Kong name that uses a Mainland word, 數字政策辦公室, is still found by either word)."""
    hong_kong = to_hong_kong(text)
    for hong_kong_term, mainland_term in _BY_MAINLAND_LENGTH:
        hong_kong = hong_kong.replace(mainland_term, hong_kong_term)
    return hong_kong
