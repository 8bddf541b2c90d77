"""The "tweet" tokenizer gives nltk's TweetTokenizer tokens, checked against nltk itself on every example."""

from __future__ import annotations

import random

import pytest
from nltk.tokenize import TweetTokenizer

from rnnclf.text import get_tokenizer, normalize_whitespace
from rnnclf.tweet_tokenizer import PiecewiseTweetTokenizer, simple_piece_tokens

nltk_tokens = TweetTokenizer(preserve_case=True).tokenize

# Hand-written texts, one or more per kind of token nltk treats specially.
EXAMPLES = {
    "emoticons": ["so happy today :-) see you", "that was sad :( really", "I <3 this band </3 not", "well ;) ok",
                  "ha :D and :P and :p", "8) cool 8-) and (8", "d: oh no D:", "meh :/ and :| and :\\"],
    "urls": ["read https://example.org/a/b?x=1&y=2 now", "see http://t.co/AbC123.", "(http://site.io/path) ok",
             "visit www.shop.example.com/sale today", "docs at example.com/page, then", "go to site.org!",
             "link:http://x.io/q", "http://a.b/c%20d% end"],
    "handles": ["@sam_lee thanks!", "RT @news24: big story", "cc @o8 and @8ball and @O8x", "mail me at ana.b@mail.co.uk"],
    "hashtags": ["#happy #1 ##two #a #don't #well-done.", "best day #sunday!!", "####loud tag"],
    "contractions": ["I don't know, you can't say", "it's the cats' toys", "y'all ain't ready", "rock'n'roll -- ok"],
    "numbers": ["it costs 3.5 dollars", "about 1,000 people and 10,000,000 more", "at 10:30 or 8:30, 2/3 of us",
                "score 4-2 +5 -3.5 2.5+", "the 2nd and 90s and 8th and 8pm", "year 2024. then 1999,"],
    "phones": ["call 555-123-4567 now", "ring (555) 123 4567 today", "text 1 800 555 1234", "555 1234 or 5551234"],
    "ellipses": ["wait... what", "so . . . tired", "hmm.. ok....", "end.", "a.b.c and e.g. this"],
    "repeats": ["wow!!!!!!", "no way???", "!!!!", "yes!!! no!!", "sooooo gooood", "hmm.......", "----> go", "<-- back"],
    "entities": ["fish &amp; chips", "&lt;tag&gt; and &quot;quoted&quot;", "it&#39;s &#x27;fine&#x27;",
                 "AT&T and R&D", "&amp;amp; twice", "a&nbsp;b", "broken &bogus; entity", "&#10;line"],
    "non_ascii": ["café crème brûlée", "über schön, naïve", "¿qué tal? ¡muy bien!", "“curly” ‘quotes’ — dash",
                  "Zoë’s résumé…"],
    "emoji": ["love it 😀😀 🙂", "thumbs 👍🏽 up", "family 👨‍👩‍👧 time", "flags 🇫🇷🇩🇪 here", "heart ❤️ yes"],
    "cjk": ["这部电影很好看", "とても良い映画でした", "정말 좋아요", "mixed 中文 and English 好!"],
    "markup": ["<b>bold</b> text", "a -> b <- c", "x <3< y", "tag <br/> end"],
    "plain": ["The movie was great", "", "   ", "a", "I", "OK.", "(yes)", "\"quoted words\"", "$5 or 50%"],
}


def all_examples():
    return [(kind, text) for kind, texts in EXAMPLES.items() for text in texts]


@pytest.mark.parametrize("kind, text", all_examples())
def test_every_example_gets_nltks_tokens(kind, text):
    tokenizer = get_tokenizer("tweet")
    assert isinstance(tokenizer, PiecewiseTweetTokenizer)
    for variant in (text, normalize_whitespace(text)):
        assert tokenizer(variant) == nltk_tokens(variant), (kind, variant)
    assert tokenizer.normalized_tokens(text) == nltk_tokens(normalize_whitespace(text)), (kind, text)


def test_examples_cover_every_kind_with_tokens_nltk_treats_specially():
    # The examples exercise what they claim to: an emoticon, a URL, a phone number... each stays one token.
    tokens = {token for _, text in all_examples() for token in nltk_tokens(text)}
    for token in (":-)", ":(", "<3", "https://example.org/a/b?x=1&y=2", "@sam_lee", "#happy", "don't", "3.5",
                  "1,000", "555-123-4567", "(555) 123 4567", "...", ". . .", "&", "café", "😀", "这部电影很好看"):
        assert token in tokens, token


def test_a_second_call_reads_remembered_pieces_and_still_matches():
    tokenizer = PiecewiseTweetTokenizer()
    text = "Don't stop :) #now @me 3.5... http://t.co/x"
    first = tokenizer(text)
    assert tokenizer(text) == first == nltk_tokens(text)
    first.append("changed")  # the caller owns the list: the remembered pieces are not touched
    assert tokenizer(text) == nltk_tokens(text)


def test_texts_nltk_must_read_whole_are_given_to_it():
    tokenizer = PiecewiseTweetTokenizer()
    for text in ("call 555 1234", "so . . . tired", "&amp;lt; twice"):
        assert tokenizer.pieces(text) is None
        assert tokenizer(text) == nltk_tokens(text)
    assert tokenizer.pieces("fish &amp; chips") == ["fish", "&", "chips"]


def test_the_simple_grammar_only_answers_for_pieces_it_gets_right():
    assert simple_piece_tokens("well-known,") == ["well-known", ","]
    assert simple_piece_tokens('"@ana_b:') == nltk_tokens('"@ana_b:') == ['"', "@ana_b", ":"]
    for piece in ("8pm", "(8", "8)", "do:", "a.b", "1234567", "555-1234", "www.x.com", ":)", "#a", "@o8"):
        assert simple_piece_tokens(piece) is None, piece


def _random_piece(rng: random.Random) -> str:
    """Opening marks, a core that nearly fits the grammar, closing marks: where a wrong rule would show."""
    letters = "abdpoDPOxhts"
    word = "".join(rng.choice(letters) for _ in range(rng.randint(0, 4)))
    core = rng.choice([
        word, word + rng.choice("'-_.") + word, "@" + rng.choice(["", "o", "O", "8", "-"]) + word,
        "#" * rng.randint(1, 5) + word + rng.choice(["", "'", "-", "_"]) + word,
        "".join(rng.choice("012345678") for _ in range(rng.randint(1, 8))) + rng.choice(["", ".", ",", ":", "/", "-"])
        + "".join(rng.choice("0128") for _ in range(rng.randint(0, 5))),
        rng.choice(["http://", "https://", "http:", "HTTP://"]) + rng.choice(["t.co/", "x", "", "a/b?c=1&d=2", "x----y"]),
        "8" + rng.choice(["", "0", "d", "p", "o", "O", "x", "-", "'"]) + word,
        rng.choice(["o", "O", "d", "Do", "p", "E", "mp", "abc"]) + "".join(rng.choice("0128") for _ in range(rng.randint(1, 3))) + word,
        word + "." * rng.randint(1, 6) + word + rng.choice(["", "'s", "-x", "..", "...ab"]),
    ])
    opening = "".join(rng.choice("\"'([{$-+.:8<*.") for _ in range(rng.randint(0, 4)))
    closing = "".join(rng.choice("!?,.'\")]}%:;-+/8d&") for _ in range(rng.randint(0, 6)))
    return opening + core + closing


def test_random_pieces_in_the_grammar_get_nltks_tokens():
    rng = random.Random(15)
    pieces = [_random_piece(rng) for _ in range(30_000)]
    answered = [(piece, simple_piece_tokens(piece)) for piece in pieces]
    answered = [(piece, tokens) for piece, tokens in answered if tokens is not None]
    assert len(answered) > 1_000  # the generator does reach the grammar
    assert [piece for piece, tokens in answered if tokens != nltk_tokens(piece)] == []


def test_random_texts_of_tricky_characters_get_nltks_tokens():
    rng = random.Random(5)
    alphabet = list("abdpoDPOhx8901 .,!?;:'\"()[]{}<>@#&$%*/-_+=|~") + ["http://", "&amp;", "&#39;", "é", "😀", "  ",
                                                                          ":)", "<3", "www.", ".com", "\t", "\n"]
    tokenizer = PiecewiseTweetTokenizer()
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 14))) for _ in range(10_000)]
    assert [text for text in texts if tokenizer(text) != nltk_tokens(text)] == []


def test_normalising_and_tokenizing_in_one_go_matches_nltk_on_the_normalised_text():
    rng = random.Random(9)
    alphabet = list("ab8. 1-)(*") + ["\t", "\n", "\x1c", "\xa0", "\u3000", "  ", "&amp;", ":)", "555", "..."]
    tokenizer = PiecewiseTweetTokenizer()
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12))) for _ in range(10_000)]
    assert [text for text in texts if tokenizer.normalized_tokens(text) != nltk_tokens(normalize_whitespace(text))] == []


def test_the_piece_memory_is_bounded_and_refills(monkeypatch):
    import rnnclf.tweet_tokenizer as tweet_tokenizer

    monkeypatch.setattr(tweet_tokenizer, "PIECE_CACHE_SIZE", 4)
    tokenizer = PiecewiseTweetTokenizer()
    texts = ["one two three", "four five six :)", "one two three", "seven #eight @nine 10.5"]
    assert [tokenizer(text) for text in texts * 2] == [nltk_tokens(text) for text in texts * 2]
    assert len(tokenizer._pieces) <= 4
