"""Small helpers every layer shares: plain JSON values, atomic writes, versions, registry lookup.

This module imports nothing from rnnclf except :mod:`rnnclf.errors`, so any
module may use it.

>>> import numpy as np
>>> to_plain(np.int64(3)), to_json({"p": np.float32(0.5), "ids": np.arange(2)})
(3, '{"p": 0.5, "ids": [0, 1]}')
>>> lookup({"rnn": 1, "lstm": 2}, "gru", "cell_type")
Traceback (most recent call last):
...
rnnclf.errors.InputError: Received: cell_type='gru'; expected one of 'rnn', 'lstm'.
"""

from __future__ import annotations

import contextlib
import gc
import json
import math
import os
import platform
import uuid
from pathlib import Path
from typing import Any, Iterator, Mapping

from rnnclf.errors import InputError

__all__ = ["to_plain", "json_safe", "json_default", "to_json", "atomic_output", "write_text_atomic",
           "write_json_atomic", "read_json", "versions", "lookup", "collection_paused"]


def to_plain(value: Any) -> Any:
    """A numpy scalar as the Python scalar it holds; anything else unchanged.

    >>> import numpy as np
    >>> type(to_plain(np.str_("pos"))).__name__
    'str'
    """
    item = getattr(value, "item", None)
    if item is not None and type(value).__module__ == "numpy" and getattr(value, "ndim", 1) == 0:
        return item()
    return value


def json_safe(value: Any) -> Any:
    """Plain JSON types only, recursively: numpy → Python, tuples → lists, NaN/inf → ``None``.

    >>> json_safe({"a": (1, float("nan")), 2: [3.5]})
    {'a': [1, None], '2': [3.5]}
    """
    if isinstance(value, dict):
        return {str(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)) or type(value).__name__ == "ndarray":
        return [json_safe(item) for item in value]
    value = to_plain(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Path):
        return str(value)
    return value


def json_default(value: Any) -> Any:
    """``json.dumps(default=...)`` hook for numpy values and paths; refuses anything else."""
    if type(value).__name__ == "ndarray":
        return value.tolist()
    plain = to_plain(value)
    if plain is not value:
        return plain
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def to_json(payload: Any, *, indent: int | None = None) -> str:
    """JSON text with numpy values converted and non-ASCII text kept readable."""
    return json.dumps(payload, indent=indent, ensure_ascii=False, default=json_default)


@contextlib.contextmanager
def atomic_output(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; move it into place only if the block succeeds.

    A reader never sees a half-written file, and a failure leaves the old file intact.

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


def write_text_atomic(path: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically; return the path."""
    with atomic_output(path) as temporary:
        temporary.write_text(text, encoding="utf-8")
    return Path(path)


def write_json_atomic(path: str | Path, payload: Any, *, indent: int | None = 2) -> Path:
    """Write ``payload`` as JSON to ``path`` atomically; return the path."""
    return write_text_atomic(path, to_json(payload, indent=indent) + "\n")


def read_json(path: str | Path) -> Any | None:
    """The JSON in ``path``, or ``None`` if the file is missing, unreadable or not JSON."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None


def versions() -> dict[str, str]:
    """Versions of rnnclf and the packages a saved result depends on (imports TensorFlow)."""
    import keras
    import numpy
    import sklearn
    import tensorflow

    from rnnclf import __version__

    return {
        "rnnclf": __version__,
        "tensorflow": tensorflow.__version__,
        "keras": keras.__version__,
        "scikit-learn": sklearn.__version__,
        "numpy": numpy.__version__,
        "python": platform.python_version(),
    }


def lookup(registry: Mapping[str, Any], name: Any, what: str, *, kind: str | None = None, error: type = InputError) -> Any:
    """``registry[name]``, or an error that lists the allowed names.

    Args:
        registry: allowed names → values.
        name: the name asked for.
        what: the argument's name, for the message (``"cell_type"``, ``"name"``).
        kind: what the registry holds (``"dataset"``), to start the message with "Unknown dataset.".
        error: the exception class to raise. Default: :class:`InputError`.
    """
    if isinstance(name, str) and name in registry:
        return registry[name]
    allowed = ", ".join(repr(key) for key in registry)
    prefix = f"Unknown {kind}. " if kind else ""
    raise error(f"{prefix}Received: {what}={name!r}; expected one of {allowed}.")


@contextlib.contextmanager
def collection_paused() -> Iterator[None]:
    """Pause Python's cycle collector while building many objects that hold no cycles (batch results).

    A full collection walks every object in the process — TensorFlow's hundreds of
    thousands included — and building 30,000 result rows sets off two of them, about a
    quarter of the batch's time. Reference counting still frees everything as usual;
    collection resumes afterwards, unless it was already paused.

    >>> import gc
    >>> with collection_paused():
    ...     gc.isenabled()
    False
    >>> gc.isenabled()
    True
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
