"""Checks on what a user hands to a classifier: parameters, texts and labels.

Every check raises :class:`rnnclf.errors.InputError` (a ``ValueError`` and a
``TypeError``) whose message names the parameter or argument, what was
received and what is allowed — in the style of scikit-learn's
``InvalidParameterError``. Nothing here imports TensorFlow.

>>> validate_parameters({"epochs": 0}, {"epochs": Integer(1)}, "RNNTextClassifier")
Traceback (most recent call last):
...
rnnclf.errors.InvalidParameterError: The 'epochs' parameter of RNNTextClassifier must be an int >= 1. Got 0 instead.
>>> check_texts(["good", "bad"])
['good', 'bad']
"""

from __future__ import annotations

import math
import numbers
import os
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

import numpy as np

from rnnclf.common import to_plain
from rnnclf.errors import InputError, InvalidParameterError

__all__ = [
    "Integer", "Real", "Options", "Boolean", "NoneOr", "AnyOf", "Dictionary", "Text",
    "validate_parameters", "check_texts", "check_labels", "check_targets",
]


# ------------------------------------------------------------------ constraints
@dataclass(frozen=True)
class Integer:
    """An int (not a bool) in ``[low, high]``; ``None`` bounds are open."""

    low: int | None = None
    high: int | None = None

    def accepts(self, value: Any) -> bool:
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
            return False
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)

    def describe(self) -> str:
        if self.low is not None and self.high is not None:
            return f"an int in [{self.low}, {self.high}]"
        if self.low is not None:
            return f"an int >= {self.low}"
        return "an int" if self.high is None else f"an int <= {self.high}"


@dataclass(frozen=True)
class Real:
    """A finite real number between ``low`` and ``high`` (each bound closed unless told otherwise)."""

    low: float | None = None
    high: float | None = None
    low_closed: bool = True
    high_closed: bool = True

    def accepts(self, value: Any) -> bool:
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real) or not math.isfinite(value):
            return False
        if self.low is not None and (value < self.low or (value == self.low and not self.low_closed)):
            return False
        return self.high is None or not (value > self.high or (value == self.high and not self.high_closed))

    def describe(self) -> str:
        left = "-inf" if self.low is None else f"{self.low:g}"
        right = "inf" if self.high is None else f"{self.high:g}"
        opening = "[" if self.low_closed and self.low is not None else "("
        closing = "]" if self.high_closed and self.high is not None else ")"
        return f"a float in the range {opening}{left}, {right}{closing}"


@dataclass(frozen=True)
class Options:
    """One of a fixed set of values."""

    values: tuple

    def accepts(self, value: Any) -> bool:
        return any(value == option and type(value) is type(option) for option in self.values)

    def describe(self) -> str:
        return "one of " + ", ".join(repr(option) for option in self.values)


@dataclass(frozen=True)
class Boolean:
    """``True`` or ``False``."""

    def accepts(self, value: Any) -> bool:
        return isinstance(value, (bool, np.bool_))

    def describe(self) -> str:
        return "a bool"


@dataclass(frozen=True)
class Dictionary:
    """A dict (its contents are checked where it is used)."""

    def accepts(self, value: Any) -> bool:
        return isinstance(value, Mapping)

    def describe(self) -> str:
        return "a dict"


@dataclass(frozen=True)
class Text:
    """A non-empty string or path (a run name or directory)."""

    def accepts(self, value: Any) -> bool:
        return isinstance(value, (str, os.PathLike)) and bool(str(value).strip())

    def describe(self) -> str:
        return "a run name or path"


@dataclass(frozen=True)
class NoneOr:
    """``None`` or what ``inner`` accepts."""

    inner: Any

    def accepts(self, value: Any) -> bool:
        return value is None or self.inner.accepts(value)

    def describe(self) -> str:
        return f"None or {self.inner.describe()}"


@dataclass(frozen=True)
class AnyOf:
    """What any of ``choices`` accepts."""

    choices: tuple

    def accepts(self, value: Any) -> bool:
        return any(choice.accepts(value) for choice in self.choices)

    def describe(self) -> str:
        return " or ".join(choice.describe() for choice in self.choices)


def validate_parameters(parameters: Mapping[str, Any], constraints: Mapping[str, Any], owner: str) -> None:
    """Raise :class:`InvalidParameterError` for the first parameter its constraint refuses.

    Args:
        parameters: name → value (e.g. ``estimator.get_params()``).
        constraints: name → constraint object (``Integer``, ``Real``, ``Options`` …).
        owner: the class name, for the message.
    """
    for name, constraint in constraints.items():
        value = parameters[name]
        if not constraint.accepts(value):
            raise InvalidParameterError(
                f"The {name!r} parameter of {owner} must be {constraint.describe()}. Got {value!r} instead."
            )


# ------------------------------------------------------------------ texts and labels
def check_texts(texts: Iterable, what: str = "texts") -> list[str]:
    """Return ``texts`` as a list of ``str``; raise a clear error otherwise.

    >>> check_texts("one text")
    Traceback (most recent call last):
    ...
    rnnclf.errors.InputError: texts must be a list of strings, not one string: wrap it as [text].
    """
    if isinstance(texts, (str, bytes)):
        raise InputError(f"{what} must be a list of strings, not one string: wrap it as [text].")
    if getattr(texts, "ndim", 1) != 1:
        raise InputError(f"{what} must be one-dimensional (one string per row); got an array of shape {texts.shape}.")
    texts = list(texts)
    for position, text in enumerate(texts):
        if not isinstance(text, str):
            raise InputError(
                f"{what} must all be strings; item {position} is {type(text).__name__} ({text!r:.40}). "
                "Drop or fill missing texts first."
            )
    return texts


def _is_missing(label) -> bool:
    if label is None:
        return True
    try:
        return bool(isinstance(label, float) and math.isnan(label)) or (hasattr(label, "dtype") and bool(np.isnan(label)))
    except TypeError:
        return False


def check_targets(labels) -> None:
    """Refuse targets a classifier cannot learn: continuous values or several outputs per text.

    Uses scikit-learn's ``type_of_target``, the check every sklearn classifier runs.

    >>> check_targets([0.5, 1.25, 2.0])
    Traceback (most recent call last):
    ...
    rnnclf.errors.InputError: Unknown label type: continuous. Labels must be classes (strings or integers), ...
    """
    from sklearn.utils.multiclass import type_of_target

    array = np.asarray(labels, dtype=object) if not hasattr(labels, "shape") else labels
    if getattr(array, "ndim", 1) != 1:
        raise InputError(
            f"Labels must be one class per text (a 1-D list); got shape {np.shape(array)}. "
            "RNNTextClassifier does not do multi-output or multi-label classification."
        )
    clean = [label for label in labels if not _is_missing(label)]
    if not clean:
        return
    kind = type_of_target(np.asarray([to_plain(label) for label in clean]))
    if kind not in ("binary", "multiclass"):
        raise InputError(
            f"Unknown label type: {kind}. Labels must be classes (strings or integers), "
            "not continuous values: bin them into classes or use a regressor."
        )


def check_labels(labels, count: int) -> np.ndarray:
    """Validate labels: same length as the texts, classes not values, no missing ones, one type.

    >>> check_labels(["pos", "neg"], 2).tolist()
    ['pos', 'neg']
    """
    if isinstance(labels, str):
        raise InputError("labels must be a list with one label per text, not one string.")
    check_targets(labels)
    labels = list(labels)
    if len(labels) != count:
        raise InputError(f"Got {count} texts but {len(labels)} labels: pass exactly one label per text.")
    missing = [position for position, label in enumerate(labels) if _is_missing(label)]
    if missing:
        shown = ", ".join(str(position) for position in missing[:10])
        raise InputError(f"{len(missing)} labels are missing (NaN/None) at positions {shown}: drop those rows or fill their labels.")
    kinds = {type(to_plain(label)) for label in labels}
    if len(kinds) > 1 and not kinds <= {int, bool}:
        names = ", ".join(sorted(kind.__name__ for kind in kinds))
        raise InputError(f"Labels mix types ({names}): convert them all to strings or all to integers.")
    # A natural dtype (str or int), not object: sklearn metrics reject object arrays of ints.
    return np.asarray([to_plain(label) for label in labels])
