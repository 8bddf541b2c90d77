"""Command line interface: ``rnnclf …`` and ``python -m rnnclf …``.

One module per command group (``train``, ``predict`` + ``evaluate``, ``runs`` +
``setup``, ``datasets``, ``explain``, ``inspect``, ``compare``, ``probe``); this module only builds the
parser and turns rnnclf's own errors into messages. Every command accepts
``--json`` for machine-readable output. Mistakes print ``error: <what to do>``
to stderr and exit with status 2 — never a traceback (set ``RNNCLF_DEBUG=1``
to see one).

Importing this package and building the parser do not import TensorFlow, so
``rnnclf --help`` and every check that fails early answer at once.

>>> build_parser().parse_args(["predict", "--text", "great film"]).model
'default'
"""

from __future__ import annotations

import argparse
import os
import sys

from rnnclf.errors import RnnclfError

__all__ = ["main", "build_parser"]

EXIT_USER_ERROR = 2


def build_parser() -> argparse.ArgumentParser:
    from rnnclf import __version__

    parser = argparse.ArgumentParser(prog="rnnclf", description="Text classification with recurrent networks (SimpleRNN, LSTM, GRU).")
    parser.add_argument("--version", action="version", version=f"rnnclf {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True)
    from rnnclf.cli import (
        compare,
        datasets,
        explain,
        inside,
        predict,
        probe,
        runs,
        train,
    )

    for command in (train, predict, runs, datasets, explain, inside, compare, probe):
        command.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status (0 ok, 2 user error, 130 interrupted)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except KeyboardInterrupt:
        print("interrupted: nothing was saved", file=sys.stderr)
        return 130
    except RnnclfError as error:
        # Only rnnclf's own errors are the user's to fix; anything else is a bug and surfaces as one.
        if os.environ.get("RNNCLF_DEBUG"):
            raise
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USER_ERROR


if __name__ == "__main__":
    sys.exit(main())
