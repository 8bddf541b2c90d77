"""``rnnclf predict`` and ``rnnclf evaluate``: use a saved run on new texts.

>>> import argparse
>>> parser = argparse.ArgumentParser(prog="rnnclf")
>>> register(parser.add_subparsers(dest="command"))
>>> parser.parse_args(["predict", "--text", "great film"]).model
'default'
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

from rnnclf.cli.output import print_json

__all__ = ["register"]


def register(subparsers) -> None:
    """Add the ``predict`` and ``evaluate`` commands to the main parser's ``subparsers``."""
    _add_predict(subparsers)
    _add_evaluate(subparsers)


def _add_predict(subparsers) -> None:
    parser = subparsers.add_parser("predict", help="classify texts with a saved run")
    parser.add_argument("--model", default="default", help="run name, run directory, or 'default' (bundled model)")
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--text", help="one text to classify")
    group.add_argument("--input", help="file with one text per line, or a CSV with --text-col")
    parser.add_argument("--text-col", help="text column when --input is a CSV")
    parser.add_argument("--output", help="write results here instead of stdout")
    parser.add_argument("--json", action="store_true", help="JSON (one object per line for --input)")
    parser.set_defaults(handler=_predict)


def _read_input_texts(path: str, text_column: str | None) -> list[str]:
    file = Path(path)
    if not file.is_file():
        raise ValueError(f"Input file not found: {path}")
    if text_column:
        from rnnclf.data.csv_import import read_table

        table = read_table(file, text_column=text_column, label_column=None, require_labels=False)
        return table.dataframe["text"].tolist()
    raw = file.read_bytes()
    for encoding in ("utf-8-sig", "latin-1"):
        try:
            content = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    return [line for line in content.splitlines()]


def _predict(args) -> int:
    from rnnclf.classifier import load_run

    classifier = load_run(args.model)
    if args.text is not None:
        if not args.text.strip():
            raise ValueError("The text is empty: pass some words with --text \"...\".")
        result = classifier.predict_one(args.text)
        if args.json:
            print_json(result)
        else:
            print(result["label"])
            for label, probability in result["probabilities"].items():
                print(f"  {label:>12}  {probability:.4f}")
        return 0

    texts = _read_input_texts(args.input, args.text_col)
    from rnnclf.batch import predict_records

    results = predict_records(classifier, texts)
    stream = open(args.output, "w", encoding="utf-8", newline="") if args.output else sys.stdout
    try:
        if args.json:
            for row in results:
                stream.write(json.dumps(row, ensure_ascii=False) + "\n")
        else:
            writer = csv.writer(stream)
            labels = classifier.class_names
            writer.writerow(["text", "label"] + [f"p_{label}" for label in labels] + ["error"])
            for row in results:
                probabilities = row.get("probabilities") or {}
                writer.writerow([row["text"], row.get("label") or ""] + [
                    f"{probabilities[label]:.6f}" if label in probabilities else "" for label in labels
                ] + [row.get("error", "")])
    finally:
        if args.output:
            stream.close()
    skipped = sum(1 for row in results if "error" in row)
    if skipped:
        print(f"note: {skipped} empty line(s) were not classified (marked in the 'error' field)", file=sys.stderr)
    return 0


# ------------------------------------------------------------------- evaluate
def _add_evaluate(subparsers) -> None:
    parser = subparsers.add_parser("evaluate", help="score a saved run on a labelled CSV")
    parser.add_argument("--model", default="default", help="run name, run directory, or 'default'")
    parser.add_argument("--csv", required=True)
    parser.add_argument("--text-col")
    parser.add_argument("--label-col")
    parser.add_argument("--json", action="store_true")
    parser.set_defaults(handler=_evaluate)


def _evaluate(args) -> int:
    from rnnclf.classifier import load_run
    from rnnclf.data.csv_import import read_table

    classifier = load_run(args.model)
    table = read_table(args.csv, text_column=args.text_col, label_column=args.label_col)
    frame = table.dataframe
    labels = frame["label"].tolist()
    known = set(classifier.class_names)
    unknown = sorted({str(label) for label in labels} - known)
    if unknown:
        raise ValueError(f"The CSV has labels the model does not know: {unknown[:10]}; the model's classes are {sorted(known)}.")
    # Labels in a CSV may be read as ints while the model stores strings (or the reverse): compare as text.
    lookup = {str(label): label for label in classifier.classes_}
    metrics = classifier.evaluate(frame["text"].tolist(), [lookup[str(label)] for label in labels])
    if args.json:
        print_json(metrics)
    else:
        print(f"accuracy {metrics['accuracy']:.4f}  macro-F1 {metrics['macro_f1']:.4f}  MCC {metrics['mcc']:.4f}  ({metrics['examples']} texts)")
        for label, row in metrics["per_class"].items():
            print(f"  {label:>12}  precision {row['precision']:.3f}  recall {row['recall']:.3f}  f1 {row['f1']:.3f}  n={row['support']}")
    return 0


