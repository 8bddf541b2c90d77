"""Check that rnnclf's "tweet" tokenizer gives nltk's tokens for every text of every built-in corpus.

Each text is whitespace-normalised as :class:`rnnclf.encoding.TextEncoder` does,
then tokenized by ``nltk.tokenize.TweetTokenizer(preserve_case=True)``; rnnclf
must give the same token list both ways it is called: ``get_tokenizer("tweet")``
on the normalised text and ``get_normalizing_tokenizer("tweet")`` on the text as
stored (the encoder's path). ``--raw`` also compares the texts as stored (tabs,
newlines and runs of spaces kept) with nltk on them. A text counts as differing
if any comparison fails. Prints one line per corpus; exits with status 1 if any
text differs.

    .venv/bin/python bench/check_tokenizer.py
    .venv/bin/python bench/check_tokenizer.py --raw --datasets tweet-snippets,crowdflower
"""

from __future__ import annotations

import argparse
import sys
import time


def compare_corpus(name: str, *, raw: bool) -> dict:
    """Texts of corpus ``name`` compared and those whose tokens differ (at most five kept as examples)."""
    from nltk.tokenize import TweetTokenizer

    from rnnclf.data.datasets import fetch, is_fetched, load_dataset
    from rnnclf.text import (
        get_normalizing_tokenizer,
        get_tokenizer,
        normalize_whitespace,
    )

    if not is_fetched(name):
        fetch(name)
    reference, tokenizer = TweetTokenizer(preserve_case=True).tokenize, get_tokenizer("tweet")
    normalizing = get_normalizing_tokenizer("tweet")  # what TextEncoder calls: normalises and tokenizes in one go
    texts = [str(text) for text in load_dataset(name)["text"]]
    differing = []
    for text in texts:
        normalized = normalize_whitespace(text)
        expected = reference(normalized)
        if tokenizer(normalized) != expected or normalizing(text) != expected or (raw and tokenizer(text) != reference(text)):
            differing.append(text)
    return {"corpus": name, "texts": len(texts), "differing": len(differing), "examples": differing[:5]}


def main(argv=None) -> int:
    from rnnclf.data.datasets import DATASETS

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", help=f"comma-separated subset of {','.join(DATASETS)} (default: all)")
    parser.add_argument("--raw", action="store_true", help="also compare the texts before whitespace normalisation")
    args = parser.parse_args(argv)
    names = [name.strip() for name in args.datasets.split(",")] if args.datasets else list(DATASETS)
    started = time.perf_counter()
    results = []
    for name in names:
        result = compare_corpus(name, raw=args.raw)
        results.append(result)
        print(f"{name}: {result['texts']:,} texts compared, {result['differing']} differing", flush=True)
        for text in result["examples"]:
            print(f"    differs: {text!r}")
    compared, differing = sum(row["texts"] for row in results), sum(row["differing"] for row in results)
    print(f"all {len(results)} corpora: {compared:,} texts compared, {differing} differing "
          f"({time.perf_counter() - started:.0f} s)")
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
