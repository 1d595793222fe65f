import pytest

from directory.chinese import TERM_VARIANTS, has_chinese, hong_kong_terms, to_hong_kong, to_simplified


def test_simplified_text_is_compared_in_hong_kong_characters():
    assert hong_kong_terms("私隐") == "私隱"


def test_mainland_wording_is_compared_in_hong_kong_wording():
    assert hong_kong_terms("隐私") == "私隱"


def test_longer_mainland_terms_win_over_the_words_inside_them():
    assert hong_kong_terms("个人信息") == "個人資料"


def test_a_hong_kong_name_using_the_mainland_word_compares_like_the_hong_kong_word():
    # Documents go through the same function, so 數字政策辦公室 and a query for 數碼政策 or 数字政策 agree.
    assert hong_kong_terms("数字政策") == hong_kong_terms("數字政策") == hong_kong_terms("數碼政策")


def test_latin_text_is_left_alone():
    assert hong_kong_terms("privacy") == "privacy"


@pytest.mark.parametrize(("hong_kong_term", "mainland_term"), TERM_VARIANTS)
def test_every_term_pair_maps_the_mainland_word_to_the_hong_kong_one(hong_kong_term, mainland_term):
    assert hong_kong_terms(to_simplified(mainland_term)) == hong_kong_term
    assert hong_kong_term != mainland_term


def test_traditional_pages_convert_to_simplified_and_back():
    assert to_simplified("個人資料私隱專員公署") == "个人资料私隐专员公署"
    assert to_hong_kong("个人资料私隐专员公署") == "個人資料私隱專員公署"


def test_has_chinese():
    assert has_chinese("AI 私隱")
    assert not has_chinese("AI privacy 2024")
