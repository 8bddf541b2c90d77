"""``rnnclf inspect``: the gates and states of a saved model's RNN, word by word.

>>> import argparse
>>> parser = argparse.ArgumentParser(); commands = parser.add_subparsers()
>>> _ = register(commands)
>>> args = parser.parse_args(["inspect", "--text", "a fine film", "--json"])
>>> args.model, args.json, args.top
('default', True, 3)
"""

from __future__ import annotations

import argparse
import json

from rnnclf.cli.checks import check_model_available
from rnnclf.errors import InputError

__all__ = ["register", "inspect_command", "format_inspection"]


def register(subparsers) -> argparse.ArgumentParser:
    """Add the ``inspect`` command to an ``argparse`` sub-parser collection (see the module example)."""
    parser = subparsers.add_parser("inspect", help="show the RNN's gates and hidden states for each word of a text")
    parser.add_argument("--model", default="default", help="run name, run directory, or 'default' (bundled model)")
    parser.add_argument("--text", required=True, help="the text to look at")
    parser.add_argument("--top", type=int, default=3, help="how many units that track the prediction to list (default 3)")
    parser.add_argument("--json", action="store_true", help="print every gate of every unit as JSON")
    parser.set_defaults(handler=inspect_command)
    return parser


def inspect_command(args) -> int:
    """Run ``rnnclf inspect``; print JSON (``--json``) or a per-word summary; return the exit status.

    Example:
        >>> inspect_command(parser.parse_args(["inspect", "--text", "a zing", "--json"]))  # doctest: +SKIP
        {"tokens": ["a", "zing"], "cell_type": "gru", "gates": ["update", "reset", "candidate", "hidden"], ...}
        0
    """
    if not args.text or not args.text.strip():
        raise InputError('The text is empty: pass some words with --text "...".')
    if args.top < 0:
        raise InputError(f"Received: --top {args.top}; expected 0 or more units.")
    model_directory = check_model_available(args.model)
    from rnnclf.classifier import RNNTextClassifier
    from rnnclf.interpret.states import inspect_states

    inspection = inspect_states(RNNTextClassifier.load(model_directory), args.text, top_k=args.top)
    if args.json:
        print(json.dumps(inspection.to_dict(), ensure_ascii=False))
    else:
        print(format_inspection(inspection))
    return 0


def format_inspection(inspection) -> str:
    """Readable text: per layer and direction, each word's mean gate values and hidden-state size, then tracking units."""
    import numpy as np

    from rnnclf.interpret.states import GATES

    gates = [gate for gate in GATES[inspection.cell_type] if gate not in ("candidate", "cell", "hidden")]
    width = max(len(token) for token in inspection.tokens)
    target = inspection.classes.index(inspection.target)
    lines = [f"{inspection.cell_type.upper()} · {len(inspection.tokens)} tokens · columns: mean over units of each gate, "
             f"‖h‖ = size of the hidden state, P({inspection.target}) after the word"]
    for trace in inspection.parts:
        lines += ["", f"{trace.label}", "  ".join([f"{'token':<{width}}", *(f"{gate:>7}" for gate in gates), f"{'‖h‖':>6}",
                                                   f"{'P':>6}"])]
        for t, token in enumerate(inspection.tokens):
            cells = [f"{trace.values[gate][t].mean():7.3f}" for gate in gates]
            lines.append("  ".join([f"{token:<{width}}", *cells, f"{np.linalg.norm(trace.values['hidden'][t]):6.2f}",
                                    f"{inspection.probabilities[t][target]:6.3f}"]))
    if inspection.tracking:
        lines += ["", f"Units of the last layer (forward) that follow P({inspection.target}) most closely:"]
        for unit in inspection.tracking:
            moves = ", ".join(f"{word['token']!r} ({word['change']:+.2f})" for word in unit["switch_words"])
            lines.append(f"  unit {unit['unit']}: correlation {unit['correlation']:+.2f}; moves most at {moves}")
    if inspection.dropped_tokens:
        lines.append(f"\n{len(inspection.dropped_tokens)} tokens beyond max_length were not read.")
    return "\n".join(lines)
