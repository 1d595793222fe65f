"""A corpus of reader queries over the demo content, with the results each must give, in order: one expectation for
both databases (CI runs this file on SQLite and on PostgreSQL), so they cannot drift apart.

After a deliberate change to search or to the demo content, rewrite the expectation with
`HKAI_RECORD_SEARCH_CORPUS=1 .venv/bin/pytest tests/test_search_corpus.py`, and read the diff.
"""

import io
import json
import os
from pathlib import Path

import pytest
from django.core.management import call_command

from directory.models import Guidance, Organisation, Programme
from directory.search import TextSearch

EXPECTATION = Path(__file__).with_name("search_corpus.json")
QUERIES = [
    # Two-letter words, prefixes and plain words.
    "ai", "it", "univ", "universi", "fint", "regulators", "principle", "sandbox", "robotics", "cyber",
    # Several words and phrases.
    "hong kong", '"hong kong" university', "generative ai", "data privacy", "innovation technology fund",
    '"smart city"', "research centre", "artificial intelligence guidance", '"artificial intelligence"',
    '"hong kong science park"',
    # Aliases and acronyms.
    "HKUST", "科大", "HKMA", "金管局", "SFC", "證監會", "PCPD", "私隱公署", "TechTAS",
    # Chinese, Traditional and Simplified, Hong Kong and Mainland wording, of two and more characters.
    "私隱", "私隐", "隐私", "人工智能", "智能", "香港科", "数码港", "個人資料", "个人信息", "金融", "香港科技大學",
    "人工智能道德", "生成式人工智能",
    # Mixed, punctuation and operators as text.
    "AI 私隱", "fintech 金融", "NEAR(ai)", "ai OR robotics", "e-commerce", "ai:*", "{name}: hkust",
]  # fmt: skip
MODELS = {"organisations": Organisation, "programmes": Programme, "guidance": Guidance}


def results():
    found = {}
    for query in QUERIES:
        found[query] = {}
        for key, model in MODELS.items():
            search = TextSearch(model, query)
            found[query][key] = list(
                search.rank(search.filter(model.objects.published())).values_list("slug", flat=True)
            )
    return found


@pytest.mark.django_db
def test_every_query_of_the_corpus_gives_the_expected_items_in_the_expected_order():
    call_command("load_demo_content", stdout=io.StringIO())
    found = results()
    if os.environ.get("HKAI_RECORD_SEARCH_CORPUS") == "1":
        EXPECTATION.write_text(json.dumps(found, ensure_ascii=False, indent=1) + "\n")
    expected = json.loads(EXPECTATION.read_text())
    assert list(expected) == QUERIES, "the corpus changed: record the expectation again"
    mismatches = {query: (expected[query], found[query]) for query in QUERIES if expected[query] != found[query]}
    assert not mismatches


def test_the_corpus_covers_at_least_thirty_queries_and_each_finds_something_somewhere():
    expected = json.loads(EXPECTATION.read_text())
    assert len(QUERIES) >= 30
    empty = [query for query, lists in expected.items() if not any(lists.values())]
    # Operators are words here: "ai OR robotics" asks for "or" too, "{name}: hkust" for "name", and nothing has those.
    assert empty == ["NEAR(ai)", "ai OR robotics", "{name}: hkust"]
