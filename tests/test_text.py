"""Lexical terms: folding, lemmas and stopwords."""

from assistant.text import fold, terms


def test_fold_strips_diacritics_in_all_languages():
    assert fold("Zavarivač Łódź Řezník Hegesztő Đuro") == "zavarivac lodz reznik hegeszto duro"


def test_terms_meet_with_and_without_diacritics():
    assert set(terms("zavarivača", ("hr",))) & set(terms("zavarivac", ("hr",)))


def test_question_words_are_dropped():
    assert terms("Kaj dela mesar?", ("sl",)) == ["mesar", "~mesar"]
    assert terms("What does a butcher do", ("en",)) == ["butcher", "~butch"]
