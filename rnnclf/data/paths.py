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
from pathlib import Path

__all__ = [
    "REPO_ROOT",
    "DEFAULT_MODEL_DIR",
    "home",
    "runs_dir",
    "cache_dir",
    "datasets_dir",
    "jobs_dir",
    "comparisons_dir",
    "validate_name",
]

REPO_ROOT = Path(__file__).resolve().parents[2]
# The committed default sentiment model (see README: `rnnclf train --preset default-sentiment`).
DEFAULT_MODEL_DIR = REPO_ROOT / "data" / "default-sentiment"

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
    path.mkdir(parents=True, exist_ok=True)
    return path


def _sub(name: str) -> Path:
    path = home() / name
    path.mkdir(parents=True, exist_ok=True)
    return path


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
    ValueError: Invalid run name '../etc': use 1-100 letters, digits, '.', '_' or '-', starting with a letter or digit (no '/' or '..').
    """
    if not isinstance(name, str) or not _NAME_PATTERN.match(name) or ".." in name:
        raise ValueError(
            f"Invalid {what} {name!r}: use 1-100 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit (no '/' or '..')."
        )
    return name
