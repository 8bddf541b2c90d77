"""Tokenizers: the data-free nltk ones, jieba word segmentation and CJK characters."""

from __future__ import annotations

import pytest

from rnnclf.errors import InputError
from rnnclf.text import TOKENIZERS, get_tokenizer, tokenize


def test_jieba_segments_chinese_words_offline():
    assert tokenize("这个产品质量太差了，非常失望", "jieba") == ["这个", "产品质量", "太差", "了", "，", "非常", "失望"]
    # Latin words, numbers and emoji stay tokens of their own; whitespace is never a token.
    assert tokenize("这部电影很好看 great film 😀", "jieba") == ["这部", "电影", "很", "好看", "great", "film", "😀"]


def test_jieba_loads_its_dictionary_once_per_process():
    import time

    get_tokenizer("jieba")  # loaded (and cached) here or by an earlier test
    started = time.perf_counter()
    for _ in range(200):
        get_tokenizer("jieba")("质量很好")
    assert get_tokenizer("jieba") is get_tokenizer("jieba")
    assert (time.perf_counter() - started) / 200 < 0.05  # a second per call would mean reloading the dictionary


def test_character_tokenizer_splits_cjk_and_keeps_other_words_whole():
    assert tokenize("质量太差了, 5 stars 😀", "char") == ["质", "量", "太", "差", "了", ",", "5", "stars", "😀"]
    assert tokenize("とても良い 한국어", "char") == ["と", "て", "も", "良", "い", "한", "국", "어"]
    assert tokenize("", "char") == [] and tokenize("  ", "jieba") == []


def test_registry_lists_every_tokenizer_and_refuses_unknown_names():
    assert list(TOKENIZERS) == ["tweet", "treebank", "regexp", "jieba", "char"]
    with pytest.raises(InputError, match="Unknown tokenizer. Received: tokenizer='spacy'; expected one of 'tweet'"):
        get_tokenizer("spacy")


def test_a_chinese_classifier_learns_with_either_chinese_tokenizer():
    from rnnclf.classifier import RNNTextClassifier
    from tests.conftest import TINY_PARAMS

    good = ["质量很好", "非常满意", "很好用", "物流很快", "包装很好", "值得购买"]
    bad = ["质量太差", "非常失望", "不好用", "物流太慢", "包装破损", "不值得买"]
    texts, labels = (good + bad) * 6, (["positive"] * 6 + ["negative"] * 6) * 6
    for tokenizer in ("jieba", "char"):
        classifier = RNNTextClassifier(cell_type="gru", tokenizer=tokenizer, **dict(TINY_PARAMS, epochs=12)).fit(texts, labels)
        assert classifier.model_languages == ["zh"]
        assert classifier.predict(good + bad).tolist() == ["positive"] * 6 + ["negative"] * 6, tokenizer
        assert classifier.predict_one("质量很好")["warnings"] == []


def test_every_tokenizer_menu_lists_the_registry():
    from rnnclf.cli.train import TOKENIZER_CHOICES
    from rnnclf.ui.training import TOKENIZER_LABELS, TOKENIZER_OPTIONS

    assert TOKENIZER_CHOICES == tuple(TOKENIZERS) == TOKENIZER_OPTIONS[1:] and set(TOKENIZER_LABELS) == set(TOKENIZER_OPTIONS)


def test_the_tokenizer_follows_the_language_of_the_texts():
    from rnnclf.text import suggest_tokenizer

    assert suggest_tokenizer(["质量很好", "物流太慢了", "ok 👍"]) == "jieba"
    assert suggest_tokenizer(["とても良い", "悪い"]) == "char" and suggest_tokenizer(["좋아요"]) == "char"
    assert suggest_tokenizer(["great film", "dull", "很好"]) == "tweet" and suggest_tokenizer(["😀"]) == "tweet"


def test_whitespace_normalisation_treats_every_unicode_space_as_the_regular_expression_did():
    import re
    import sys

    from rnnclf.text import normalize_whitespace

    spaces = [character for character in map(chr, range(sys.maxunicode + 1)) if re.fullmatch(r"\s", character)]
    assert len(spaces) > 20 and "\u3000" in spaces and "\x1c" in spaces
    for space in spaces:
        text = f"{space}good{space}{space}film {space}"
        assert normalize_whitespace(text) == re.sub(r"\s+", " ", text).strip() == "good film", hex(ord(space))
