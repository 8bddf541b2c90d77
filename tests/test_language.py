"""Script detection on texts written for this test, in the scripts people will type."""

from __future__ import annotations

import pytest

from rnnclf.language import detect_language, language_shares, main_languages, script_of


@pytest.mark.parametrize(
    "text, language",
    [
        ("这个产品质量太差了，非常失望", "zh"),
        ("這家餐廳的服務很好", "zh"),  # traditional characters are Han too
        ("The room was clean and quiet.", "latin"),
        ("Très bon café, service rapide!", "latin"),
        ("今日はとても良い天気です", "ja"),  # kanji with kana
        ("カタカナだけ", "ja"),
        ("음식이 정말 맛있어요", "ko"),
        ("Отличный фильм", "cyrillic"),
        ("Καλή ταινία", "greek"),
        ("فيلم رائع", "arabic"),
        ("😀👍 !!! 123", "none"),
        ("", "none"),
        ("iPhone 很好用", "zh"),  # two Han characters outweigh one short Latin word
        ("I ordered 2 boxes from 京东 and both arrived broken and late", "latin"),
    ],
)
def test_detect_language(text, language):
    assert detect_language(text) == language


def test_script_of_single_characters():
    assert [script_of(character) for character in "a好カ한Ж9 😀"] == ["latin", "han", "kana", "hangul", "cyrillic", None, None, None]


def test_shares_and_main_languages():
    shares = language_shares(["good", "很好", "bad", "fine", "ok", "nice", "great", "fair", "poor", "meh", "lol", "😀"] * 2)
    assert shares == {"latin": 0.8333, "zh": 0.0833, "none": 0.0833}
    assert main_languages(shares) == ["latin", "zh"]
    assert main_languages({"latin": 0.99, "zh": 0.01}) == ["latin"] and language_shares([]) == {}


def test_the_ascii_fast_path_agrees_with_reading_every_character():
    from collections import Counter

    from rnnclf.language import detect_language, script_of

    texts = ["plain words", "1234 !!", "", "   ", "café au lait", "ok 好", "naïve résumé", "Ελληνικά and more",
             "a" * 3 + "日本語のテキスト", "@user :) #tag http://x.y"]
    for text in texts:
        letters = Counter(script for script in map(script_of, text) if script is not None)
        if text.isascii():
            assert detect_language(text) == ("latin" if letters else "none"), text
        else:
            assert detect_language(text) != "none", text
