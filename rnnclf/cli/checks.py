"""Cheap checks a command runs before it imports TensorFlow or starts long work.

Each takes milliseconds and raises :class:`rnnclf.errors.InputError` (or
``RunError``) with what to do, so a typo costs no 10-second TensorFlow import
and no hour of training that could not be saved. The file checks live in
:mod:`rnnclf.data.paths`; this module adds the one that needs the run store.

>>> check_model_available("no-such-run")
Traceback (most recent call last):
...
rnnclf.errors.RunError: No run at ...no-such-run: list runs with `rnnclf runs list`.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["check_model_available"]


def check_model_available(name_or_path: str | Path) -> Path:
    """The run directory for ``name_or_path`` after reading its meta.json (no TensorFlow import)."""
    from rnnclf.store import read_meta, resolve_run

    directory = resolve_run(name_or_path)
    read_meta(directory)
    return directory
