import pytest

from directory.chinese import TERM_VARIANTS, has_chinese, query_variants, to_hong_kong, to_simplified


def test_simplified_query_is_also_looked_for_in_hong_kong_characters():
    assert "私隱" in query_variants("私隐")


def test_mainland_wording_is_also_looked_for_in_hong_kong_wording():
    assert "私隱" in query_variants("隐私")


def test_longer_mainland_terms_win_over_the_words_inside_them():
    assert "個人資料" in query_variants("个人信息")


def test_the_converted_form_is_kept_too_because_some_hong_kong_names_use_the_mainland_word():
    assert "數字政策" in query_variants("数字政策")


def test_latin_queries_are_left_alone():
    assert query_variants("privacy") == ["privacy"]


@pytest.mark.parametrize(("hong_kong_term", "mainland_term"), TERM_VARIANTS)
def test_every_term_pair_maps_the_mainland_word_to_the_hong_kong_one(hong_kong_term, mainland_term):
    assert hong_kong_term in query_variants(to_simplified(mainland_term))
    assert hong_kong_term != mainland_term


def test_traditional_pages_convert_to_simplified_and_back():
    assert to_simplified("個人資料私隱專員公署") == "个人资料私隐专员公署"
    assert to_hong_kong("个人资料私隐专员公署") == "個人資料私隱專員公署"


def test_has_chinese():
    assert has_chinese("AI 私隱")
    assert not has_chinese("AI privacy 2024")
