import json

import numpy as np
import pytest

from rnnclf.encoding import OOV_ID, PAD_ID, TextEncoder, histogram_percentile
from rnnclf.errors import InputError


def test_reserved_ids_and_frequency_order():
    encoder = TextEncoder(max_length=5).fit(["b a a", "a c"])
    assert encoder.vocabulary_[:2] == ["<pad>", "<unk>"]
    # most frequent first ("a" x3), ties alphabetical ("b" before "c")
    assert encoder.vocabulary_[2:] == ["a", "b", "c"]
    assert encoder.transform(["a zzz"]).tolist() == [[2, OOV_ID, PAD_ID, PAD_ID, PAD_ID]]


def test_max_tokens_and_min_frequency():
    texts = ["a a a b b c"]
    assert TextEncoder(max_tokens=4).fit(texts).vocabulary_ == ["<pad>", "<unk>", "a", "b"]
    assert TextEncoder(min_frequency=2).fit(texts).vocabulary_ == ["<pad>", "<unk>", "a", "b"]


def test_post_padding_and_truncation_sides():
    texts = ["one two three four five six"]
    post = TextEncoder(max_length=3).fit(texts)
    assert post.encode(texts[0]).tokens == ["one", "two", "three"]
    assert post.encode(texts[0]).dropped_tokens == ["four", "five", "six"]
    pre = TextEncoder(max_length=3, truncating="pre").fit(texts)
    assert pre.encode(texts[0]).tokens == ["four", "five", "six"]
    padded = TextEncoder(max_length=8).fit(texts).transform(["one two"])
    assert padded[0, :2].tolist() != [0, 0] and padded[0, 2:].tolist() == [0] * 6
    pre_padded = TextEncoder(max_length=8, padding="pre").fit(texts).transform(["one two"])
    assert pre_padded[0, :6].tolist() == [0] * 6


def test_max_length_from_percentile_not_the_longest():
    texts = ["w " * 5] * 99 + ["w " * 1000]
    encoder = TextEncoder(length_percentile=95).fit(texts)
    assert encoder.max_length_ == 5
    assert encoder.length_stats_["max"] == 1000


def test_tokens_keep_case_but_lookup_is_lowercase():
    encoder = TextEncoder().fit(["good movie"])
    encoded = encoder.encode("GOOD Movie")
    assert encoded.tokens == ["GOOD", "Movie"]
    assert encoded.ids == encoder.encode("good movie").ids


@pytest.mark.parametrize("tokenizer", ["tweet", "treebank", "regexp"])
def test_tokenizers_need_no_data_and_handle_unicode(tokenizer):
    encoder = TextEncoder(tokenizer=tokenizer).fit(["привет мир 😀 日本語 café", "ok"])
    # Vocabulary: the two reserved ids, then tokens by frequency (all 1 here) and alphabetically.
    assert encoder.vocabulary_ == ["<pad>", "<unk>", "café", "ok", "мир", "привет", "日本語", "😀"]
    encoded = encoder.encode("привет 😀 café")
    assert encoded.tokens == ["привет", "😀", "café"] and encoded.ids == [5, 7, 2]
    assert encoder.encode("привет незнакомец").ids == [5, OOV_ID]


def test_whitespace_and_empty_text():
    encoder = TextEncoder().fit(["a b"])
    assert encoder.encode("  a\n\t b  ").tokens == ["a", "b"]
    assert encoder.encode("   ").ids == []
    assert encoder.transform([""]).sum() == 0


def test_huge_text_is_cut_not_crashed():
    encoder = TextEncoder(max_length=50).fit(["word " * 10])
    encoded = encoder.encode("word " * 200_000)  # 1,000,000 characters
    assert len(encoded.ids) == 50
    assert encoded.characters_cut > 0 and encoded.truncated


def test_config_round_trip_through_json():
    encoder = TextEncoder(tokenizer="treebank", max_tokens=50, length_percentile=90).fit(["It's a test", "don't stop"])
    restored = TextEncoder.from_json(json.dumps(json.loads(encoder.to_json())))
    assert restored.get_config() == encoder.get_config()
    np.testing.assert_array_equal(restored.transform(["don't test"]), encoder.transform(["don't test"]))
    unfitted = TextEncoder(max_length=7)
    assert TextEncoder.from_config(unfitted.get_config()).get_config() == unfitted.get_config()


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"tokenizer": "nope"}, "expected one of 'tweet'"),
        ({"padding": "middle"}, "padding='middle'"),
        ({"max_tokens": 2}, "at least 3"),
        ({"max_length": 0}, "positive integer"),
    ],
)
def test_invalid_arguments_explain_themselves(kwargs, message):
    with pytest.raises(ValueError, match=message):
        TextEncoder(**kwargs)


def test_unfitted_and_non_string_errors():
    with pytest.raises(InputError, match=r"^This TextEncoder is not fitted yet: call fit\(texts\) first.$"):
        TextEncoder().encode("x")
    with pytest.raises(TypeError, match="string"):
        TextEncoder().fit(["ok"]).encode(None)
    with pytest.raises(ValueError, match="zero texts"):
        TextEncoder().fit([])


def _numpy_length_stats(encoder: TextEncoder, texts: list[str]) -> dict:
    """The length statistics computed the old way, from every text's token count (the oracle for counts)."""
    lengths = [len(encoder.split(text)[0]) for text in texts]
    return {"texts": len(lengths), "mean": float(np.mean(lengths)), "p50": float(np.percentile(lengths, 50)),
            "p95": float(np.percentile(lengths, 95)), "p99": float(np.percentile(lengths, 99)), "max": int(np.max(lengths))}


AWKWARD_CORPORA = {
    "one text": ["lone heron"],
    "two texts": ["kestrel", "amber dune over the grove"],
    "all one length": ["x y z"] * 37,
    "empty and long": ["", "   ", "w " * 400] + ["dune grove"] * 60,
    "outlier at p99": ["w " * 3] * 99 + ["w " * 500],
    "just over a hundred": [" ".join(["fjord"] * (index % 17 + 1)) for index in range(101)],
    "ties everywhere": ["b a", "a b", "c d", "d c", "e"],
}


@pytest.mark.parametrize("corpus", sorted(AWKWARD_CORPORA))
@pytest.mark.parametrize("chunk", [1, 7])
def test_fitting_from_chunked_counts_equals_fitting_on_the_texts(corpus, chunk):
    texts = AWKWARD_CORPORA[corpus]
    for options in ({}, {"length_percentile": 87.5, "max_tokens": 5}, {"min_frequency": 2, "length_percentile": 33.3}):
        token_counts = length_counts = None
        for start in range(0, len(texts), chunk):  # as a streaming pass sees them
            token_counts, length_counts = TextEncoder(**options).count_texts(texts[start:start + chunk], token_counts, length_counts)
        counted = TextEncoder(**options).fit_counts(token_counts, length_counts)
        fitted = TextEncoder(**options).fit(texts)
        assert counted.vocabulary_ == fitted.vocabulary_
        assert counted.max_length_ == fitted.max_length_
        assert counted.length_stats_ == fitted.length_stats_ == _numpy_length_stats(fitted, texts)
        percentile = options.get("length_percentile", 99)
        raw = [len(fitted.split(text)[0]) for text in texts]
        assert counted.max_length_ == max(1, int(np.ceil(np.percentile(raw, percentile))))


def test_fitting_from_counts_keeps_a_starting_vocabulary():
    texts = ["zing zing new words", "blorp new"]
    start = TextEncoder().fit(["blorp zing"]).vocabulary_
    tokens, lengths = TextEncoder().count_texts(texts)
    counted = TextEncoder().fit_counts(tokens, lengths, starting_vocabulary=start)
    assert counted.vocabulary_ == TextEncoder().fit(texts, starting_vocabulary=start).vocabulary_
    assert counted.vocabulary_[:4] == start and counted.vocabulary_[4:] == ["new", "words"]
    with pytest.raises(InputError, match="zero texts"):
        TextEncoder().fit_counts({}, {})


def test_histogram_percentiles_are_numpy_s_to_the_last_bit():
    rng = np.random.default_rng(0)
    for trial in range(800):
        size = int(rng.choice([1, 2, 3, 4, 10, 99, 100, 101, 1001]))
        spread = int(rng.choice([1, 2, 5, 60, 20000]))
        raw = rng.integers(0, spread, size) if trial % 3 else rng.geometric(0.2, size) - 1
        values, counts = np.unique(raw, return_counts=True)
        for percentile in (0, 0.001, 12.34, 33.3, 50, 66.66666666666667, 95, 99, 99.9, 100):
            assert histogram_percentile(values, counts, percentile) == float(np.percentile(raw.tolist(), percentile)), (raw, percentile)


def test_remembered_token_ids_stay_right_when_the_memory_fills_and_in_copies(monkeypatch):
    import copy
    import pickle

    import rnnclf.encoding as encoding

    encoder = TextEncoder(max_length=8).fit(["good film", "bad film", "Great acting"])
    texts = ["GOOD Film", "great plot", "bad BAD acting", "unknown words here", "Film film FILM"]
    expected = [encoder.encode(text).ids for text in texts]
    monkeypatch.setattr(encoding, "TOKEN_ID_CACHE_SIZE", 3)  # every few new spellings the memory starts again
    fresh = TextEncoder.from_json(encoder.to_json())
    assert [fresh.encode(text).ids for text in texts * 3] == expected * 3
    for copied in (copy.deepcopy(fresh), pickle.loads(pickle.dumps(fresh))):
        assert copied.encode_ids(texts) == expected
    assert expected[0] == [encoder.vocabulary_.index("good"), encoder.vocabulary_.index("film")]
