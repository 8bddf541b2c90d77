"""Where rnnclf keeps runs, caches and fetched datasets.

Everything lives under one *home* directory so that a user can move, back up or
wipe it in one place. The home is, in order of preference:

1. the ``RNNCLF_HOME`` environment variable, if set;
2. ``data/`` next to the package when running from a source checkout;
3. ``~/.rnnclf`` otherwise (an installed package must not write into site-packages).

>>> from rnnclf.data.paths import home, runs_dir
>>> runs_dir() == home() / "runs"
True
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from pathlib import Path

from rnnclf.errors import InputError

__all__ = [
    "REPO_ROOT",
    "DEFAULT_MODEL_DIR",
    "DEFAULT_MODEL_NAME",
    "BUNDLED_MODELS",
    "bundled_model_dir",
    "home",
    "runs_dir",
    "cache_dir",
    "datasets_dir",
    "jobs_dir",
    "comparisons_dir",
    "validate_name",
    "check_input_file",
    "check_output_file",
    "check_writable_directory",
]

REPO_ROOT = Path(__file__).resolve().parents[2]
# The bundled default sentiment models: committed under data/ in a checkout, and installed by
# `pip install .` as data files under <prefix>/share/rnnclf/ (see pyproject.toml). Rebuilt with
# `make default-model` (README), never by a preset. Name → (directory, language it reads).
BUNDLED_MODELS = {
    "default": ("default-sentiment", "latin"),
    "default-zh": ("default-sentiment-zh", "zh"),
}
DEFAULT_MODEL_NAME = "default-sentiment"
_BUNDLED_PLACES = (REPO_ROOT / "data", Path(sys.prefix) / "share" / "rnnclf")


def bundled_model_dir(name: str) -> Path | None:
    """Directory of bundled model ``name`` (``"default"``, ``"default-zh"``), or ``None`` if not installed."""
    directory = BUNDLED_MODELS[name][0]
    return next((place / directory for place in _BUNDLED_PLACES if (place / directory / "meta.json").is_file()), None)


DEFAULT_MODEL_DIR = bundled_model_dir("default") or REPO_ROOT / "data" / DEFAULT_MODEL_NAME

_NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


def home() -> Path:
    """Return the rnnclf home directory, creating it if needed."""
    configured = os.environ.get("RNNCLF_HOME")
    if configured:
        path = Path(configured).expanduser()
    elif (REPO_ROOT / "pyproject.toml").exists() and (REPO_ROOT / "data").is_dir():
        path = REPO_ROOT / "data"
    else:
        path = Path.home() / ".rnnclf"
    return _make_directory(path)


def _make_directory(path: Path) -> Path:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InputError(
            f"Cannot create {str(path)!r} ({error.strerror or error}): rnnclf keeps runs, caches and datasets "
            "there. Set RNNCLF_HOME to a writable directory."
        ) from error
    return path


def _sub(name: str) -> Path:
    return _make_directory(home() / name)


def runs_dir() -> Path:
    """Directory holding saved runs (one sub-directory per run)."""
    return _sub("runs")


def cache_dir() -> Path:
    """Directory holding downloaded wheels and other re-creatable files."""
    return _sub("cache")


def datasets_dir() -> Path:
    """Directory holding parsed built-in datasets as tidy CSV tables."""
    return _sub("datasets")


def jobs_dir() -> Path:
    """Directory holding background jobs (progress files, logs)."""
    return _sub("jobs")


def comparisons_dir() -> Path:
    """Directory holding saved cell-type comparison results (JSON)."""
    return _sub("comparisons")


def validate_name(name: str, what: str = "run name") -> str:
    """Check that ``name`` is safe to use as a single directory name.

    Names may contain letters, digits, ``.``, ``_`` and ``-``, must start with a
    letter or digit and be at most 100 characters. This rules out path
    separators, ``..`` and hidden files.

    >>> validate_name("gru-imdb_1")
    'gru-imdb_1'
    >>> validate_name("../etc")
    Traceback (most recent call last):
    ...
    rnnclf.errors.InputError: Invalid run name '../etc': use 1-100 letters, digits, '.', '_' or '-', starting with a letter or digit (no '/' or '..').
    """
    if not isinstance(name, str) or not _NAME_PATTERN.match(name) or ".." in name:
        raise InputError(
            f"Invalid {what} {name!r}: use 1-100 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit (no '/' or '..')."
        )
    return name


def check_input_file(path: str | Path) -> Path:
    """``path`` as a readable file, or an error that says why not."""
    file = Path(path).expanduser()
    if not file.exists():
        raise InputError(f"Input file not found: {str(path)!r}. Check the path and try again.")
    if not file.is_file():
        raise InputError(f"{str(path)!r} is a directory, not a file: pass the path of a text or CSV file.")
    if not os.access(file, os.R_OK):
        raise InputError(f"Cannot read {str(path)!r} (permission denied): check its permissions.")
    return file


def check_writable_directory(directory: str | Path, what: str = "directory") -> Path:
    """Create ``directory`` if needed and prove a file can be written there."""
    directory = Path(directory).expanduser()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".write-check-"):
            pass
    except OSError as error:
        raise InputError(
            f"Cannot write to the {what} {str(directory)!r} ({error.strerror or error}). "
            "Choose a writable place (for the run store: set RNNCLF_HOME to a writable directory)."
        ) from error
    return directory


def check_output_file(path: str | Path) -> Path:
    """``path`` can be created or replaced: its folder is writable and it is not a directory."""
    file = Path(path).expanduser()
    if file.is_dir():
        raise InputError(f"--output {str(path)!r} is a directory: pass a file name such as results.csv.")
    check_writable_directory(file.parent if str(file.parent) else Path("."), "output folder")
    return file
