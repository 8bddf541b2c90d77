"""Cheap checks a command runs before it imports TensorFlow or starts long work.

Each takes milliseconds and raises :class:`rnnclf.errors.InputError` (or
``RunError``) with what to do, so a typo costs no 10-second TensorFlow import
and no hour of training that could not be saved. The file checks live in
:mod:`rnnclf.data.paths`; this module adds the one that needs the run store and
the parsers of the options several commands share (``--cells``, ``--seeds``).

>>> parse_cells("rnn, GRU"), parse_seeds("3"), parse_seeds("0,5,7")
(['rnn', 'gru'], [0, 1, 2], [0, 5, 7])
>>> check_model_available("no-such-run")
Traceback (most recent call last):
...
rnnclf.errors.RunError: No run at ...no-such-run: list runs with `rnnclf runs list`.
"""

from __future__ import annotations

from pathlib import Path

from rnnclf.errors import InputError

__all__ = ["check_model_available", "parse_cells", "parse_seeds"]


def check_model_available(name_or_path: str | Path) -> Path:
    """The run directory for ``name_or_path`` after reading its meta.json (no TensorFlow import)."""
    from rnnclf.store import read_meta, resolve_run

    directory = resolve_run(name_or_path)
    read_meta(directory)
    return directory


def parse_cells(text: str) -> list[str]:
    """``--cells rnn,lstm,gru`` as a list (names are checked where they are used)."""
    cells = [cell.strip().lower() for cell in text.split(",") if cell.strip()]
    if not cells:
        raise InputError(f"Received: --cells {text!r}; expected a comma-separated list such as rnn,lstm,gru.")
    return cells


def parse_seeds(text: str) -> list[int]:
    """``--seeds 3`` (meaning 0, 1, 2) or ``--seeds 0,5,7``."""
    try:
        values = [int(value) for value in str(text).split(",") if value.strip()]
    except ValueError:
        raise InputError(f"Received: --seeds {text!r}; expected a count such as 3 or a list such as 0,1,2.") from None
    if len(values) == 1:
        if values[0] < 1:
            raise InputError(f"Received: --seeds {text!r}; the number of seeds must be at least 1.")
        return list(range(values[0]))
    return values
