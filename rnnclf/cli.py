"""Command line interface: ``rnnclf …`` and ``python -m rnnclf …``.

Every command accepts ``--json`` for machine-readable output. Mistakes print
``error: <what to do>`` to stderr and exit with status 2 — never a traceback
(set ``RNNCLF_DEBUG=1`` to see one).

>>> build_parser().parse_args(["predict", "--text", "great film"]).model
'default'
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
from pathlib import Path

__all__ = ["main", "build_parser"]

EXIT_USER_ERROR = 2


def _print_json(payload) -> None:
    print(json.dumps(payload, ensure_ascii=False, default=_json_default))


def _json_default(value):
    import numpy as np

    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)


# ---------------------------------------------------------------------- train
def add_data_arguments(parser: argparse.ArgumentParser):
    """The data-source options shared by `train` and `compare`; returns the argument group."""
    source = parser.add_argument_group("data (one of --dataset / --csv)")
    source.add_argument("--dataset", help="built-in dataset name (see `rnnclf datasets list`)")
    source.add_argument("--csv", help="CSV/TSV file with a text and a label column")
    source.add_argument("--text-col", help="text column of --csv (default: guessed)")
    source.add_argument("--label-col", help="label column of --csv (default: guessed)")
    source.add_argument("--validation-size", type=float, default=0.1, help="validation share (default 0.1)")
    source.add_argument("--test-size", type=float, default=0.2, help="test share (default 0.2)")
    return source


def _add_train(subparsers) -> None:
    parser = subparsers.add_parser("train", help="train a model and save it as a run")
    add_data_arguments(parser)
    model = parser.add_argument_group("model (override the preset)")
    model.add_argument("--preset", help="named settings: quick, balanced, glove-bigru, default-sentiment")
    model.add_argument("--cell", dest="cell_type", help="rnn | lstm | gru")
    model.add_argument("--embedding-dim", type=int)
    model.add_argument("--units", type=int)
    model.add_argument("--layers", dest="num_layers", type=int)
    model.add_argument("--bidirectional", action="store_true", default=None)
    model.add_argument("--dropout", type=float)
    model.add_argument("--recurrent-dropout", type=float)
    model.add_argument("--glove", dest="pretrained_embeddings", action="store_const", const="glove-6b-50d", default=None,
                       help="initialise the embedding from GloVe 6B 50d")
    model.add_argument("--freeze-embeddings", dest="trainable_embeddings", action="store_false", default=None)
    model.add_argument("--tokenizer", help="tweet | treebank | regexp")
    model.add_argument("--max-tokens", type=int, help="vocabulary size")
    model.add_argument("--max-length", type=int, help="tokens per text (default: 99th percentile of training lengths)")
    fit = parser.add_argument_group("training")
    fit.add_argument("--epochs", type=int)
    fit.add_argument("--batch-size", type=int)
    fit.add_argument("--lr", dest="learning_rate", type=float)
    fit.add_argument("--clipnorm", type=float, help="gradient clipping norm (0 disables)")
    fit.add_argument("--patience", type=int, help="early-stopping patience in epochs")
    fit.add_argument("--class-weight", choices=["balanced"], help="re-weight classes by inverse frequency")
    fit.add_argument("--seed", type=int)
    out = parser.add_argument_group("output")
    out.add_argument("--name", help="run name (default: <cell>-<data>-<time>)")
    out.add_argument("--overwrite", action="store_true", help="replace an existing run of the same name")
    out.add_argument("--output", help="save the run in this directory instead of the run store")
    out.add_argument("--tensorboard", dest="tensorboard_dir", help="write TensorBoard logs to this directory")
    out.add_argument("--progress-file", help="append progress as JSON lines (used by the app's jobs)")
    out.add_argument("--json", action="store_true")
    parser.set_defaults(handler=_train)


_MODEL_OPTIONS = (
    "cell_type", "embedding_dim", "units", "num_layers", "bidirectional", "dropout", "recurrent_dropout",
    "pretrained_embeddings", "trainable_embeddings", "tokenizer", "max_tokens", "max_length", "epochs",
    "batch_size", "learning_rate", "clipnorm", "patience", "class_weight", "seed",
)


def _preset_output(preset: dict) -> str | None:
    """Where a preset saves its run: ``"default"`` means the bundled default model directory."""
    from rnnclf.paths import DEFAULT_MODEL_DIR

    output = preset.get("output")
    return str(DEFAULT_MODEL_DIR) if output == "default" else output


def _train(args) -> int:
    from rnnclf.presets import get_preset
    from rnnclf.progress import ProgressFile, TerminalProgress, combine
    from rnnclf.runner import TrainSpec, run_training

    preset = get_preset(args.preset) if args.preset else {}
    params = dict(preset.get("params", {}))
    for option in _MODEL_OPTIONS:
        value = getattr(args, option, None)
        if value is not None:
            params[option] = value
    if params.get("clipnorm") == 0:
        params["clipnorm"] = None
    dataset = args.dataset or (None if args.csv else preset.get("dataset"))
    if not dataset and not args.csv:
        raise ValueError("No training data: pass --dataset NAME (see `rnnclf datasets list`) or --csv PATH.")
    spec = TrainSpec(
        dataset=dataset,
        csv=args.csv,
        text_column=args.text_col,
        label_column=args.label_col,
        params=params,
        name=args.name or preset.get("name"),
        validation_size=args.validation_size,
        test_size=args.test_size,
        tensorboard_dir=args.tensorboard_dir,
        overwrite=args.overwrite or bool(preset.get("output")),
        output_dir=args.output or _preset_output(preset),
    )
    progress = combine(TerminalProgress(), ProgressFile(args.progress_file) if args.progress_file else None)
    result = run_training(spec, progress=progress)
    if args.json:
        _print_json({key: result[key] for key in ("run", "path", "metrics", "dataset", "training")})
    else:
        metrics = result["metrics"]
        print(f"saved run {result['run']} ({result['path']})")
        print(f"test accuracy {metrics['accuracy']:.4f}  macro-F1 {metrics['macro_f1']:.4f}  MCC {metrics['mcc']:.4f}"
              f"  ({metrics['examples']} texts, split {result['dataset']['fingerprint']})")
    return 0


# -------------------------------------------------------------------- predict
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
        from rnnclf.csv_import import read_table

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
    from rnnclf.store import load_run

    classifier = load_run(args.model)
    if args.text is not None:
        if not args.text.strip():
            raise ValueError("The text is empty: pass some words with --text \"...\".")
        result = classifier.predict_one(args.text)
        if args.json:
            _print_json(result)
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
    from rnnclf.csv_import import read_table
    from rnnclf.store import load_run

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
        _print_json(metrics)
    else:
        print(f"accuracy {metrics['accuracy']:.4f}  macro-F1 {metrics['macro_f1']:.4f}  MCC {metrics['mcc']:.4f}  ({metrics['examples']} texts)")
        for label, row in metrics["per_class"].items():
            print(f"  {label:>12}  precision {row['precision']:.3f}  recall {row['recall']:.3f}  f1 {row['f1']:.3f}  n={row['support']}")
    return 0


# ----------------------------------------------------------------------- runs
def _add_runs(subparsers) -> None:
    parser = subparsers.add_parser("runs", help="list, show or delete saved runs")
    commands = parser.add_subparsers(dest="runs_command", required=True)
    listing = commands.add_parser("list", help="list saved runs")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=_runs_list)
    show = commands.add_parser("show", help="show a run's metadata")
    show.add_argument("name", help="run name, path, or 'default'")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=_runs_show)
    delete = commands.add_parser("delete", help="delete a run")
    delete.add_argument("name")
    delete.add_argument("--json", action="store_true")
    delete.set_defaults(handler=_runs_delete)


def _runs_list(args) -> int:
    from rnnclf.store import RunStore

    runs = RunStore().list()
    if args.json:
        _print_json(runs)
        return 0
    if not runs:
        print("no saved runs yet: train one with `rnnclf train --csv FILE` or `rnnclf train --dataset NAME`")
        return 0
    for run in runs:
        if "error" in run:
            print(f"{run['name']:<40} unreadable: {run['error']}")
            continue
        accuracy = f"{run['accuracy']:.3f}" if run.get("accuracy") is not None else "-"
        print(f"{run['name']:<40} {run.get('cell_type') or '-':<5} {str(run.get('dataset') or '-'):<18} acc {accuracy}  {run.get('created', '')}")
    return 0


def _runs_show(args) -> int:
    from rnnclf.store import RunStore

    meta = RunStore().meta(args.name)
    if args.json:
        _print_json(meta)
    else:
        for key in ("name", "created", "classes", "params", "metrics", "dataset", "versions"):
            value = meta.get(key)
            if key == "metrics" and isinstance(value, dict):
                value = {k: v for k, v in value.items() if k in ("accuracy", "macro_f1", "mcc", "roc_auc", "examples")}
            print(f"{key}: {json.dumps(value, ensure_ascii=False, default=str)}")
    return 0


def _runs_delete(args) -> int:
    from rnnclf.store import RunStore

    RunStore().delete(args.name)
    if args.json:
        _print_json({"deleted": args.name})
    else:
        print(f"deleted run {args.name}")
    return 0


# ---------------------------------------------------------------------- setup
def _add_setup(subparsers) -> None:
    parser = subparsers.add_parser("setup", help="check the bundled default model and fetch what the app needs")
    parser.add_argument("--datasets", nargs="*", default=[],
                        help="also fetch these built-in datasets ('all' = every one; GloVe is fetched on first use)")
    parser.add_argument("--json", action="store_true")
    parser.set_defaults(handler=_setup)


def _setup(args) -> int:
    """Idempotent: checks what is there and fetches only what is missing."""
    from rnnclf.paths import DEFAULT_MODEL_DIR, home
    from rnnclf.store import RunError, read_meta

    status = {"home": str(home()), "default_model": str(DEFAULT_MODEL_DIR), "fetched": []}
    try:
        meta = read_meta(DEFAULT_MODEL_DIR)
        status["default_model_ok"] = True
        status["default_model_accuracy"] = (meta.get("metrics") or {}).get("accuracy")
    except RunError as error:
        status["default_model_ok"] = False
        status["default_model_error"] = str(error)
    if args.datasets:
        from rnnclf.datasets import DATASETS, fetch, is_fetched
        from rnnclf.progress import TerminalProgress

        names = list(DATASETS) if "all" in args.datasets else args.datasets
        for name in names:
            if not is_fetched(name):
                fetch(name, progress=TerminalProgress())
                status["fetched"].append(name)
    if args.json:
        _print_json(status)
    else:
        print(f"rnnclf home: {status['home']}")
        if status["default_model_ok"]:
            print(f"default model: ok ({DEFAULT_MODEL_DIR})")
        else:
            print(f"default model: not available ({status['default_model_error']})")
        for name in status["fetched"]:
            print(f"fetched dataset {name}")
    return 0


# ----------------------------------------------------------------------- main
def _optional_commands(subparsers) -> None:
    """Commands that live in their own modules (datasets, explain, compare, jobs)."""
    import importlib

    for module_name in ("rnnclf.cli_datasets", "rnnclf.cli_explain", "rnnclf.cli_compare"):
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name != module_name:
                raise
            continue
        module.register(subparsers)


def build_parser() -> argparse.ArgumentParser:
    from rnnclf import __version__

    parser = argparse.ArgumentParser(prog="rnnclf", description="Text classification with recurrent networks (SimpleRNN, LSTM, GRU).")
    parser.add_argument("--version", action="version", version=f"rnnclf {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True)
    _add_train(subparsers)
    _add_predict(subparsers)
    _add_evaluate(subparsers)
    _add_runs(subparsers)
    _add_setup(subparsers)
    _optional_commands(subparsers)
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
    except (ValueError, TypeError, OSError, KeyError, RuntimeError) as error:
        if os.environ.get("RNNCLF_DEBUG"):
            raise
        message = str(error) or type(error).__name__
        if isinstance(error, KeyError):
            message = f"missing key {message}"
        print(f"error: {message}", file=sys.stderr)
        return EXIT_USER_ERROR


if __name__ == "__main__":
    sys.exit(main())
