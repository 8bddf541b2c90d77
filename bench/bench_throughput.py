"""Batch throughput with the default model: model alone, encoding, end to end → bench/results/throughput.json.

All in one process, on texts of 3–30 words drawn (seeded, without repeats)
from a built-in English corpus:

- ``model`` — ``classifier.predict_ids`` on ids encoded beforehand;
- ``encoding_nltk`` — the encoding path before the piecewise tokenizer: the
  ``\\s+`` expression, nltk's ``TweetTokenizer`` on each text and a lower-case
  lookup per token (a lean copy: it builds no ``EncodedText`` per text, so the
  speed-up is if anything understated);
- ``encoding`` — ``encoder.encode_ids`` as it is now, starting with an empty
  piece memory (``cold``, what a fresh process pays) and again with it filled
  (``warm``);
- ``end_to_end`` — :func:`rnnclf.batch.predict_records`, cold and warm.

The target is end to end (cold) at ≥ 70 % of the model alone. Both encodings
must give the same ids for every text (checked here). Also timed: preparing
the default dataset's training texts — building the vocabulary and encoding,
two tokenizing passes, as ``RNNTextClassifier.fit`` does — old path vs new.
Each rate is the median of ``--repeats`` rounds, every round running each path
once; the machine is shared, so its load average is recorded before and after.

    .venv/bin/python bench/bench_throughput.py --texts 30000
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

CORPUS = "everyday-sentiment"  # the default model's dataset
TARGET = 0.70  # end to end at this share of the model-alone rate or more
WORDS = (3, 30)


def sample_texts(count: int, seed: int = 0) -> list[str]:
    """``count`` distinct texts of :data:`CORPUS` with 3–30 words (whitespace-separated), drawn with ``seed``."""
    from rnnclf.data.datasets import fetch, is_fetched, load_dataset

    if not is_fetched(CORPUS):
        fetch(CORPUS)
    pool = sorted({text for text in load_dataset(CORPUS)["text"] if WORDS[0] <= len(text.split()) <= WORDS[1]})
    return random.Random(seed).sample(pool, min(count, len(pool)))


def nltk_tokenizer():
    """The tokenizing step before this change: ``\\s+`` → one space, then nltk's TweetTokenizer on the text."""
    from nltk.tokenize import TweetTokenizer

    tokenize, whitespace = TweetTokenizer(preserve_case=True).tokenize, re.compile(r"\s+")
    return lambda text: tokenize(whitespace.sub(" ", text).strip())


def encode_ids_with_nltk(encoder, texts: list[str], tokenize) -> list[list[int]]:
    """``encoder.encode_ids`` the old way: the whole of nltk per text, one lower-cased lookup per token."""
    from rnnclf.encoding import OOV_ID

    index, limit, characters = encoder._index, encoder.max_length_, encoder._character_limit()
    keep_end = encoder.truncating == "pre"
    sequences = []
    for text in texts:
        tokens = tokenize(text[:characters])
        if len(tokens) > limit:
            tokens = tokens[-limit:] if keep_end else tokens[:limit]
        sequences.append([index.get(token.lower(), OOV_ID) for token in tokens])
    return sequences


def prepare_training_with_nltk(texts: list[str], max_tokens: int, tokenize) -> tuple[list[str], list[list[int]]]:
    """Vocabulary and unpadded ids of ``texts`` the old way (two nltk passes, as ``TextEncoder.fit`` + ``encode_ids``)."""
    from rnnclf.encoding import OOV_ID, OOV_TOKEN, PAD_TOKEN

    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(token.lower() for token in tokenize(text))
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[: max_tokens - 2]
    vocabulary = [PAD_TOKEN, OOV_TOKEN] + [token for token, _ in ranked]
    index = {token: position for position, token in enumerate(vocabulary)}
    return vocabulary, [[index.get(token.lower(), OOV_ID) for token in tokenize(text)] for text in texts]


def forget_pieces(encoder) -> None:
    """Empty the tokenizer's piece memory and reset the encoder's token ids: what a fresh process starts with."""
    from rnnclf.text import get_tokenizer

    get_tokenizer(encoder.tokenizer).clear()
    encoder._token_ids.reset()


def rates(paths: dict, count: int, repeats: int) -> dict:
    """Texts per second of each path: ``repeats`` rounds, each running every path once in order (so a change in the
    machine's load falls on all of them alike), then the median. A path is ``function`` or ``(function, before)``;
    ``before()`` runs untimed first."""
    seconds: dict[str, list[float]] = {name: [] for name in paths}
    for _ in range(repeats):
        for name, path in paths.items():
            function, before = path if isinstance(path, tuple) else (path, None)
            if before is not None:
                before()
            started = time.perf_counter()
            function()
            seconds[name].append(time.perf_counter() - started)
    return {name: {"texts_per_second": count / statistics.median(runs), "seconds": runs} for name, runs in seconds.items()}


def main(argv=None) -> int:
    from common import write_result

    from rnnclf.batch import predict_records
    from rnnclf.classifier import load_run
    from rnnclf.data.sources import load_labelled_split
    from rnnclf.encoding import TextEncoder

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=30_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    load_before = [round(value, 2) for value in os.getloadavg()]
    texts = sample_texts(args.texts)
    count, repeats = len(texts), args.repeats
    classifier = load_run("default")
    encoder, tokenize_nltk = classifier.encoder_, nltk_tokenizer()
    sequences = encoder.encode_ids(texts)
    classifier.predict_ids(sequences[:2000])  # trace the inference function for every batch shape first
    identical = sequences == encode_ids_with_nltk(encoder, texts, tokenize_nltk)
    print(f"{count:,} texts; ids identical to nltk's path: {identical}", flush=True)

    def forget():
        forget_pieces(encoder)

    paths = rates({
        "model": lambda: classifier.predict_ids(sequences),
        "encoding_nltk": lambda: encode_ids_with_nltk(encoder, texts, tokenize_nltk),
        "encoding_cold": (lambda: encoder.encode_ids(texts), forget),
        "encoding_warm": lambda: encoder.encode_ids(texts),
        "end_to_end_cold": (lambda: predict_records(classifier, texts), forget),
        "end_to_end_warm": lambda: predict_records(classifier, texts),
    }, count, repeats)
    for name, row in paths.items():
        print(f"{name:>16}: {row['texts_per_second']:>9,.0f} texts/s", flush=True)
    model = paths["model"]["texts_per_second"]
    ratios = {name: paths[f"end_to_end_{state}"]["texts_per_second"] / model for name, state in
              (("end_to_end_cold_to_model", "cold"), ("end_to_end_warm_to_model", "warm"))}
    print(f"end to end / model alone: cold {ratios['end_to_end_cold_to_model']:.2f}, "
          f"warm {ratios['end_to_end_warm_to_model']:.2f} (target {TARGET:.2f})", flush=True)

    split, _ = load_labelled_split(dataset=CORPUS)
    training = split.train["text"].tolist()
    params = {name: getattr(encoder, name) for name in ("tokenizer", "lowercase", "normalize_whitespace", "max_tokens")}

    def prepare_new():
        fitted = TextEncoder(**params).fit(training)
        return fitted, fitted.encode_ids(training)

    fitted, ids_new = prepare_new()
    vocabulary_old, ids_old = prepare_training_with_nltk(training, encoder.max_tokens, tokenize_nltk)
    # The new encoder cuts each text to its fitted max_length_ (the 99th percentile); cut the old ids alike.
    training_identical = fitted.vocabulary_ == vocabulary_old and ids_new == [ids[: fitted.max_length_] for ids in ids_old]
    preparation = {"texts": len(training), "identical": training_identical, **rates({
        "nltk": lambda: prepare_training_with_nltk(training, encoder.max_tokens, tokenize_nltk),
        "piecewise": (prepare_new, forget),
    }, 1, repeats)}
    old_seconds, new_seconds = (statistics.median(preparation[name]["seconds"]) for name in ("nltk", "piecewise"))
    preparation["speedup"] = old_seconds / new_seconds
    print(f"training texts ({len(training):,}): vocabulary + ids {old_seconds:.2f} s with nltk, {new_seconds:.2f} s now "
          f"({preparation['speedup']:.1f}x); identical: {training_identical}", flush=True)
    write_result("throughput", {
        "corpus": CORPUS, "texts": count, "words_per_text": list(WORDS), "repeats": repeats, "target": TARGET,
        "run": "default", "identical_ids": identical, "paths": paths, **ratios, "training_preparation": preparation,
        "load_average_before": load_before,
    })
    return 0 if identical and training_identical else 1


if __name__ == "__main__":
    sys.exit(main())
