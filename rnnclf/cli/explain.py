"""``rnnclf explain``: which tokens drove a saved model's prediction.

>>> import argparse
>>> parser = argparse.ArgumentParser(); commands = parser.add_subparsers()
>>> _ = register(commands)
>>> args = parser.parse_args(["explain", "--text", "a fine film", "--method", "occlusion"])
>>> args.model, args.method, args.steps
('default', 'occlusion', None)
"""

from __future__ import annotations

import argparse
import json

from rnnclf.cli.checks import check_model_available
from rnnclf.errors import InputError

__all__ = ["register", "explain_command", "format_table"]

# Width of the widest score bar in the readable table, in characters.
BAR_WIDTH = 24


def register(subparsers) -> argparse.ArgumentParser:
    """Add the ``explain`` command to an ``argparse`` sub-parser collection (see the module example)."""
    parser = subparsers.add_parser("explain", help="attribute a prediction to the tokens of a text")
    parser.add_argument("--model", default="default", help="run name, run directory, or 'default' (bundled model)")
    parser.add_argument("--text", required=True, help="the text to explain")
    # Method names are checked by rnnclf.interpret.attribution (importing it here would
    # load TensorFlow for every command, even `rnnclf --help`).
    parser.add_argument(
        "--method",
        default="ig",
        help="ig (integrated gradients, default), gradxinput, gradient_norm, occlusion or lime",
    )
    parser.add_argument("--target", help="class label to explain (default: the predicted class)")
    parser.add_argument("--steps", type=int, help="integrated gradients: interpolation steps (default 50)")
    parser.add_argument("--baseline", help="integrated gradients: pad (default), zero or unk")
    parser.add_argument("--samples", type=int, help="lime: perturbed samples (default 1000)")
    parser.add_argument("--seed", type=int, help="lime: random seed (default 0)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(handler=explain_command)
    return parser


def explain_command(args) -> int:
    """Run ``rnnclf explain``; print JSON (``--json``) or a table; return the exit status.

    Raises:
        ValueError: empty text, unknown method, target or option (the CLI prints it, exit 2).

    Example:
        >>> explain_command(parser.parse_args(["explain", "--text", "a zing", "--json"]))  # doctest: +SKIP
        {"tokens": ["a", "zing"], "scores": [0.01, 0.93], "target": "positive", ...}
        0
    """
    if not args.text or not args.text.strip():
        raise InputError('The text is empty: pass some words with --text "...".')
    model_directory = check_model_available(args.model)
    from rnnclf.classifier import RNNTextClassifier
    from rnnclf.interpret.attribution import explain

    options = {"steps": args.steps, "baseline": args.baseline, "samples": args.samples, "seed": args.seed}
    # Only options the user typed reach explain(), which says which ones a method takes.
    options = {name: value for name, value in options.items() if value is not None}
    classifier = RNNTextClassifier.load(model_directory)
    explanation = explain(classifier, args.text, method=args.method, target=args.target, **options)
    if args.json:
        payload = explanation.to_dict()
        keys = ("tokens", "scores", "target", "probabilities", "completeness", "predicted", "method", "options",
                "seconds", "dropped_tokens", "details", "coverage", "warnings")
        print(json.dumps({key: payload[key] for key in keys if key in payload}, ensure_ascii=False))
    else:
        print(format_table(explanation.to_dict()))
    return 0


def format_table(payload: dict) -> str:
    """Readable text for an explanation dict: one row per token with a score bar.

    >>> print(format_table({"tokens": ["so", "good"], "scores": [0.0, 0.5], "target": "pos", "predicted": "pos",
    ...                     "probabilities": {"neg": 0.1, "pos": 0.9}, "method": "occlusion", "seconds": 0.004}))
    target: pos (predicted: pos, p=0.900)  method: occlusion  4 ms
       #  token                     score
       1  so                      +0.0000
       2  good                    +0.5000  ++++++++++++++++++++++++
    """
    scores = payload["scores"]
    largest = max((abs(score) for score in scores), default=0.0) or 1.0
    target = payload["target"]
    lines = [
        f"target: {target} (predicted: {payload['predicted']}, p={payload['probabilities'][str(target)]:.3f})"
        f"  method: {payload['method']}  {payload['seconds'] * 1000:.0f} ms",
        f"{'#':>4}  {'token':<20} {'score':>10}",
    ]
    unknown = set(payload.get("coverage", {}).get("unknown_tokens", []))
    for position, (token, score) in enumerate(zip(payload["tokens"], scores), start=1):
        bar = ("+" if score >= 0 else "-") * round(abs(score) / largest * BAR_WIDTH)
        shown = f"{token[:14]} (?)" if token in unknown else token[:20]  # (?) = not in the model's vocabulary
        lines.append(f"{position:>4}  {shown:<20} {score:>+10.4f}  {bar}".rstrip())
    for warning in payload.get("warnings", []):
        lines.append(f"warning: {warning}")
    completeness = payload.get("completeness")
    if completeness:
        lines.append(
            f"completeness: sum of scores {completeness['attribution_sum']:+.4f} vs f(text) - f(baseline) "
            f"{completeness['prediction_difference']:+.4f} (relative error {completeness['relative_error']:.1%})"
        )
        if not completeness.get("converged", True):
            lines.append("warning: integrated gradients did not converge (the output jumps along the path); "
                         "try --steps 200 or --method occlusion")
    if payload.get("dropped_tokens"):
        dropped = payload["dropped_tokens"]
        shown = " ".join(dropped[:20]) + (" …" if len(dropped) > 20 else "")
        lines.append(f"not seen by the model ({len(dropped)} tokens beyond max_length): {shown}")
    return "\n".join(lines)
