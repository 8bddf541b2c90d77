"""The errors rnnclf raises on purpose, so callers can tell a mistake in the input from a bug.

Everything a user can get wrong — a parameter, a text, a file, a run, a name —
raises a subclass of :class:`RnnclfError` whose message says what was wrong and
what to do. The CLI turns exactly these into ``error: …`` with exit status 2;
anything else is a bug in rnnclf and surfaces as one.

``InputError`` is also a ``ValueError`` and a ``TypeError`` (like sklearn's
``InvalidParameterError``), so code written against the built-in types still
catches it.

>>> try:
...     raise InputError("The text is empty: type a few words.")
... except ValueError as error:
...     print(error)
The text is empty: type a few words.
>>> issubclass(RunError, RnnclfError), issubclass(DatasetError, ValueError)
(True, True)
"""

from __future__ import annotations

__all__ = ["RnnclfError", "InputError", "InvalidParameterError", "DatasetError", "RunError", "StoppedByUser"]


class RnnclfError(Exception):
    """Base class: a problem with what rnnclf was given, explained for a person."""


class InputError(RnnclfError, ValueError, TypeError):
    """A text, label, file, option or name that rnnclf cannot use."""


class InvalidParameterError(InputError):
    """An estimator parameter outside its allowed values (raised by ``fit``)."""


class DatasetError(RnnclfError, ValueError):
    """A dataset or CSV that cannot be read, fetched or split."""


class RunError(RnnclfError, ValueError):
    """A saved run that is missing, corrupt or not an rnnclf run."""


class StoppedByUser(RnnclfError, RuntimeError):
    """Long work stopped because the person asked it to; nothing was saved."""
