"""``rnnclf predict`` and ``rnnclf evaluate``: use a saved run on new texts.

>>> import argparse
>>> parser = argparse.ArgumentParser(prog="rnnclf")
>>> register(parser.add_subparsers(dest="command"))
>>> parser.parse_args(["predict", "--text", "great film"]).model
'default'
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from rnnclf.cli.checks import check_model_available
from rnnclf.cli.output import print_json
from rnnclf.cli.progress import format_bar
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


class StderrProgress:
    """A progress line on stderr: a bar by bytes read, rows done and texts per second.

    On a terminal the line updates in place; in a log it is written at most every 5 seconds; work that
    ends within 2 seconds prints nothing.
    """

    # Work shorter than this shows no progress at all: a quick file stays quiet.
    QUIET_SECONDS = 2.0
    LOG_EVERY_SECONDS = 5.0

    def __init__(self, total_bytes: int | None, stream=None):
        self.total, self.stream = total_bytes, stream or sys.stderr
        self.interactive = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.started = self.last = time.perf_counter()
        self.shown = False

    def __call__(self, summary, bytes_read: int) -> None:
        now = time.perf_counter()
        if now - self.started < self.QUIET_SECONDS or (not self.interactive and now - self.last < self.LOG_EVERY_SECONDS):
            return
        self.last, self.shown = now, True
        fraction = min(1.0, bytes_read / self.total) if self.total else 0.0
        line = f"{format_bar(fraction)} {summary.rows:,} texts · {summary.texts_per_second:,.0f} texts/s"
        self.stream.write(("\r" + line.ljust(80)) if self.interactive else line + "\n")
        self.stream.flush()

    def finish(self, summary) -> None:
        if not self.shown:
            return
        line = f"{summary.rows:,} texts in {summary.seconds:.1f} s ({summary.texts_per_second:,.0f} texts/s)"
        self.stream.write(("\r" + line.ljust(80) + "\n") if self.interactive else line + "\n")
        self.stream.flush()


def _predict(args) -> int:
    # Cheap checks first: a wrong name, path or empty text answers before TensorFlow loads.
    if args.text is not None and not args.text.strip():
        raise InputError("The text is empty: pass some words with --text \"...\".")
    input_file = check_input_file(args.input) if args.input is not None else None
    output_file = check_output_file(args.output) if args.output else None
    model_directory = check_model_available(args.model)

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
    return _predict_file(classifier, input_file, args.text_col, output_file, args.json)


def _predict_file(classifier, input_file: Path, text_column: str | None, output_file: Path | None, as_json: bool) -> int:
    """Stream ``input_file`` through the classifier chunk by chunk (see :mod:`rnnclf.streaming`)."""
    from rnnclf.streaming import (
        PredictionWriter,
        read_csv_chunks,
        read_text_chunks,
        stream_predictions,
    )

    if not text_column and input_file.stat().st_size == 0:
        raise InputError(f"{str(input_file)!r} is empty: put one text per line (or pass a CSV with --text-col).")
    chunks = read_csv_chunks(input_file, text_column) if text_column else read_text_chunks(input_file)
    progress = StderrProgress(input_file.stat().st_size)
    writer = PredictionWriter(classifier.class_names, as_json=as_json, path=output_file,
                              stream=None if output_file else sys.stdout)
    try:
        with writer:
            summary = stream_predictions(classifier, chunks, writer.write, progress=progress)
    except KeyboardInterrupt:
        where = f"the {writer.partial} file holds the rows classified so far (every row complete); " if writer.partial else ""
        print(f"\ninterrupted: {where}{output_file or 'the output'} was not written.", file=sys.stderr)
        return 130
    progress.finish(summary)
    if summary.warned and not as_json:  # JSON rows carry their warnings; a CSV reader may not look
        print(f"note: {summary.warned} answer(s) carry warnings (few or no known words, or another language)", file=sys.stderr)
    note = summary.skipped_note()
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


