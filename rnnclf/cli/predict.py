"""``rnnclf predict`` and ``rnnclf evaluate``: use a saved run on new texts.

>>> import argparse
>>> parser = argparse.ArgumentParser(prog="rnnclf")
>>> register(parser.add_subparsers(dest="command"))
>>> parser.parse_args(["predict", "--text", "great film"]).model
'default'
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from rnnclf.batch import COVERAGE_COLUMNS, flat_record
from rnnclf.cli.checks import check_model_available
from rnnclf.cli.output import print_json
from rnnclf.common import atomic_output, to_json
from rnnclf.data.paths import check_input_file, check_output_file
from rnnclf.errors import InputError

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


def _read_input_texts(path: Path, text_column: str | None) -> tuple[list[str], dict[int, str]]:
    """Texts of ``path`` and ``{position: problem}`` for lines that could not be read.

    A text file is decoded line by line (see :func:`rnnclf.data.decoding.decode_lines`):
    one line that is not UTF-8 is reported by its number and the others stay intact.
    """
    if text_column:
        from rnnclf.data.csv_import import read_table

        table = read_table(path, text_column=text_column, label_column=None, require_labels=False)
        return table.dataframe["text"].tolist(), {}
    from rnnclf.data.decoding import decode_lines

    lines = decode_lines(path.read_bytes())
    if not lines:
        raise InputError(f"{str(path)!r} is empty: put one text per line (or pass a CSV with --text-col).")
    return [line.text for line in lines], {position: line.error for position, line in enumerate(lines) if line.error}


def _write_results(stream, results: list[dict], labels: list[str], as_json: bool) -> None:
    if as_json:
        for row in results:
            stream.write(to_json(row) + "\n")
        return
    writer = csv.writer(stream)
    header = ["text", "label", *[f"p_{label}" for label in labels], *COVERAGE_COLUMNS, "error"]
    writer.writerow(header)
    for row in results:
        record = flat_record(row, labels, digits=6)
        writer.writerow(["" if record[column] is None else record[column] for column in header])
    warned = sum(1 for row in results if row.get("warnings"))
    if warned:
        print(f"note: {warned} answer(s) carry warnings (few or no known words, or another language)", file=sys.stderr)


def _skipped_note(results: list[dict], problems: dict[int, str]) -> str | None:
    """One line for stderr saying which lines were not classified and why, or ``None``.

    >>> _skipped_note([{"label": "a"}, {"error": "empty text"}, {"error": "bad"}], {2: "bad"})
    "note: 2 of 3 lines were not classified (1 empty, 1 not valid UTF-8: line 3); see the 'error' field"
    """
    skipped = sum(1 for row in results if row.get("error"))
    if not skipped:
        return None
    reasons = []
    empty = sum(1 for row in results if row.get("error") in ("empty text", "missing text"))
    if empty:
        reasons.append(f"{empty} empty")
    if problems:
        numbers = ", ".join(str(position + 1) for position in sorted(problems)[:10]) + (", …" if len(problems) > 10 else "")
        reasons.append(f"{len(problems)} not valid UTF-8: line{'s' if len(problems) > 1 else ''} {numbers}")
    return f"note: {skipped} of {len(results)} lines were not classified ({', '.join(reasons)}); see the 'error' field"


def _predict(args) -> int:
    # Cheap checks first: a wrong name, path or empty text answers before TensorFlow loads.
    if args.text is not None and not args.text.strip():
        raise InputError("The text is empty: pass some words with --text \"...\".")
    input_file = check_input_file(args.input) if args.input is not None else None
    output_file = check_output_file(args.output) if args.output else None
    model_directory = check_model_available(args.model)
    texts, problems = _read_input_texts(input_file, args.text_col) if input_file else ([], {})

    from rnnclf.classifier import RNNTextClassifier

    classifier = RNNTextClassifier.load(model_directory)
    if args.text is not None:
        result = classifier.predict_one(args.text)
        if args.json:
            print_json(result)
        else:
            print(result["label"])
            for label, probability in result["probabilities"].items():
                print(f"  {label:>12}  {probability:.4f}")
            print(f"  known words {result['known_tokens']}/{result['total_tokens']} ({result['coverage']:.0%})")
            for warning in result["warnings"]:
                print(f"warning: {warning}", file=sys.stderr)
        return 0

    from rnnclf.batch import predict_records

    results = predict_records(classifier, texts, problems=problems)
    if output_file:
        # Written next to the target and renamed into place: an interrupted run leaves the old file or none.
        with atomic_output(output_file) as temporary, open(temporary, "w", encoding="utf-8", newline="") as stream:
            _write_results(stream, results, classifier.class_names, args.json)
    else:
        _write_results(sys.stdout, results, classifier.class_names, args.json)
    note = _skipped_note(results, problems)
    if note:
        print(note, file=sys.stderr)
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
    from rnnclf.data.csv_import import read_table

    table = read_table(check_input_file(args.csv), text_column=args.text_col, label_column=args.label_col)
    model_directory = check_model_available(args.model)

    from rnnclf.classifier import RNNTextClassifier

    classifier = RNNTextClassifier.load(model_directory)
    frame = table.dataframe
    labels = frame["label"].tolist()
    known = set(classifier.class_names)
    unknown = sorted({str(label) for label in labels} - known)
    if unknown:
        raise InputError(f"The CSV has labels the model does not know: {unknown[:10]}; the model's classes are {sorted(known)}.")
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


