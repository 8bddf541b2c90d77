"""``rnnclf runs`` (list, show, delete, export saved runs; the test texts one got wrong) and ``rnnclf setup``
(check and fetch what the app needs).

>>> import argparse
>>> parser = argparse.ArgumentParser(prog="rnnclf")
>>> register(parser.add_subparsers(dest="command"))
>>> parser.parse_args(["runs", "show", "default"]).name
'default'
"""

from __future__ import annotations

import json

from rnnclf.cli.output import print_json

__all__ = ["register"]


def register(subparsers) -> None:
    """Add the ``runs`` and ``setup`` commands to the main parser's ``subparsers``."""
    _add_runs(subparsers)
    _add_setup(subparsers)


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
    export = commands.add_parser(
        "export", help="copy a run to a directory (maintainers: `make default-model` uses it for data/default-sentiment)"
    )
    export.add_argument("name", help="run name or path")
    export.add_argument("directory", help="where the copy goes")
    export.add_argument("--overwrite", action="store_true", help="replace what is at DIRECTORY")
    export.add_argument("--json", action="store_true")
    export.set_defaults(handler=_runs_export)
    mistakes = commands.add_parser("mistakes", help="the test texts a run got wrong, highest loss first")
    mistakes.add_argument("name", help="run name, path, or 'default'")
    mistakes.add_argument("--true", dest="true_class", help="only texts of this true class")
    mistakes.add_argument("--predicted", dest="predicted_class", help="only texts predicted as this class")
    mistakes.add_argument("--limit", type=int, default=10, help="mistakes to print (default 10; --csv writes them all)")
    mistakes.add_argument("--csv", help="write every mistake (of the filter) to this CSV file")
    mistakes.add_argument("--json", action="store_true")
    mistakes.set_defaults(handler=_runs_mistakes)


def _runs_list(args) -> int:
    from rnnclf.store import RunStore

    runs = RunStore().list()
    if args.json:
        print_json(runs)
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


def _runs_export(args) -> int:
    from rnnclf.store import export_run, resolve_run

    target = export_run(resolve_run(args.name), args.directory, overwrite=args.overwrite)
    if args.json:
        print_json({"exported": args.name, "path": str(target)})
    else:
        print(f"exported run {args.name} to {target}")
    return 0


def _runs_show(args) -> int:
    from rnnclf.store import RunStore

    meta = RunStore().meta(args.name)
    if args.json:
        print_json(meta)
    else:
        for key in ("name", "created", "classes", "params", "metrics", "dataset", "versions"):
            value = meta.get(key)
            if key == "metrics" and isinstance(value, dict):
                value = {k: v for k, v in value.items() if k in ("accuracy", "macro_f1", "mcc", "roc_auc", "examples")}
            print(f"{key}: {json.dumps(value, ensure_ascii=False, default=str)}")
    return 0


def _runs_mistakes(args) -> int:
    from pathlib import Path

    from rnnclf.errors import InputError

    # Cheap checks first: a bad option, path or run, or data that is not there, answers before TensorFlow loads.
    if args.limit < 0:
        raise InputError(f"Received: --limit {args.limit}; pass 0 or more mistakes to print.")
    output = None
    if args.csv:
        from rnnclf.data.paths import check_output_file

        if Path(args.csv).expanduser().is_dir():
            raise InputError(f"--csv {args.csv!r} is a directory: pass a file name such as mistakes.csv.")
        output = check_output_file(args.csv)
    from rnnclf.mistakes import (
        EXPORT_COLUMNS,
        accuracy_buckets,
        mistakes_csv,
        rebuild_test_part,
        score_texts,
        select_mistakes,
    )

    part = rebuild_test_part(args.name)
    from rnnclf.classifier import RNNTextClassifier

    scores = score_texts(RNNTextClassifier.load(part.directory), part.texts, part.labels)
    mistakes = select_mistakes(scores, true_class=args.true_class, predicted_class=args.predicted_class)
    if output is not None:
        from rnnclf.common import write_text_atomic

        write_text_atomic(output, mistakes_csv(mistakes))
    buckets = accuracy_buckets(scores)
    shown = mistakes.head(args.limit)
    if args.json:
        print_json({
            "run": part.run, "source": part.source, "fingerprint": part.fingerprint, "texts": len(scores),
            "accuracy": float(scores["correct"].mean()), "mistakes": len(mistakes),
            "accuracy_by_length": buckets["length"], "accuracy_by_coverage": buckets["coverage"],
            "top": [{"position": int(position), **{column: row[column] for column in EXPORT_COLUMNS}}
                    for position, row in shown.iterrows()],
            "csv": str(output) if output is not None else None,
        })
        return 0
    print(f"{part.run}: {len(scores) - int(scores['correct'].sum()):,} of {len(scores):,} test texts of {part.source} wrong "
          f"(accuracy {scores['correct'].mean():.4f}, split {part.fingerprint}); {len(mistakes):,} match the filter")
    for position, row in shown.iterrows():
        print(f"  loss {row['loss']:6.2f}  {row['true']} -> {row['predicted']}  p(true) {row['true_probability']:.3f}  "
              f"#{position}  {row['text'][:100]}")
    for key, title in (("length", "accuracy by length (tokens)"), ("coverage", "accuracy by known-word coverage")):
        print(title + ": " + "  ".join(f"{bucket['bucket']} {bucket['accuracy']:.3f} (n={bucket['examples']})" for bucket in buckets[key]))
    if output is not None:
        print(f"wrote {len(mistakes):,} mistakes to {output}")
    return 0


def _runs_delete(args) -> int:
    from rnnclf.store import RunStore

    RunStore().delete(args.name)
    if args.json:
        print_json({"deleted": args.name})
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
    from rnnclf.data.paths import DEFAULT_MODEL_DIR, home
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
        from rnnclf.cli.progress import TerminalProgress
        from rnnclf.data.datasets import DATASETS, fetch, is_fetched

        names = list(DATASETS) if "all" in args.datasets else args.datasets
        for name in names:
            if not is_fetched(name):
                fetch(name, progress=TerminalProgress())
                status["fetched"].append(name)
    if args.json:
        print_json(status)
    else:
        print(f"rnnclf home: {status['home']}")
        if status["default_model_ok"]:
            print(f"default model: ok ({DEFAULT_MODEL_DIR})")
        else:
            print(f"default model: not available ({status['default_model_error']})")
        for name in status["fetched"]:
            print(f"fetched dataset {name}")
    return 0


