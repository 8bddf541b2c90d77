"""``rnnclf compare``: the cell-type comparison from the command line.

Three forms (the first is the default, so background jobs can simply append
``--progress-file``)::

    rnnclf compare --dataset trec --cells rnn,lstm,gru --seeds 3 [--epochs 8 …] [--name NAME] [--json]
    rnnclf compare list [--json]
    rnnclf compare show NAME [--json]

Running prints a results table (or the whole result as one JSON document with
``--json``), draws progress on stderr and appends progress events to
``--progress-file``.

>>> import argparse
>>> parser = argparse.ArgumentParser(prog="rnnclf")
>>> _ = register(parser.add_subparsers(dest="command"))
>>> args = parser.parse_args(["compare", "--dataset", "trec", "--cells", "rnn,gru", "--seeds", "2"])
>>> args.action, parse_cells(args.cells), parse_seeds(args.seeds)
('run', ['rnn', 'gru'], [0, 1])
"""

from __future__ import annotations

import argparse
import json

from rnnclf.cli.checks import parse_cells, parse_seeds
from rnnclf.cli.train import TOKENIZER_CHOICES
from rnnclf.errors import InputError

__all__ = ["register", "run_command", "list_command", "show_command"]

# Command-line option -> RNNTextClassifier parameter; unset options keep compare.DEFAULT_PARAMS.
_PARAMETER_OPTIONS = {
    "epochs": int, "units": int, "embedding_dim": int, "num_layers": int, "batch_size": int,
    "learning_rate": float, "dropout": float, "patience": int, "max_tokens": int, "max_length": int, "tokenizer": str,
}

_EPILOG = """forms:
  rnnclf compare --dataset NAME | --csv PATH [options]   run a comparison (default)
  rnnclf compare list                                    saved comparisons, newest first
  rnnclf compare show NAME                               the results table of a saved comparison

examples:
  rnnclf compare --dataset trec --cells rnn,lstm,gru --seeds 3 --epochs 6
  rnnclf compare --csv reviews.csv --text-col review --label-col stars --seeds 2 --json
"""


def register(subparsers) -> argparse.ArgumentParser:
    """Add the ``compare`` command to the main parser's ``subparsers``."""
    parser = subparsers.add_parser(
        "compare", help="compare SimpleRNN / LSTM / GRU on one split (and list or show saved comparisons)",
        description="Train each cell type with the same settings on the same split over several seeds, "
        "next to a TF-IDF + logistic-regression baseline. Saved under <home>/comparisons/.",
        epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("action", nargs="?", choices=("run", "list", "show"), default="run",
                        help="run (default), list saved comparisons, or show one")
    parser.add_argument("target", nargs="?", metavar="NAME", help="comparison name or JSON path for `show`")
    from rnnclf.cli.train import add_data_arguments

    source = add_data_arguments(parser)
    source.add_argument("--split-seed", type=int, default=0, help="seed of the one split all runs share (default 0)")
    experiment = parser.add_argument_group("experiment")
    experiment.add_argument("--cells", default="rnn,lstm,gru", help="comma-separated cell types (default rnn,lstm,gru)")
    experiment.add_argument("--seeds", default="3", help="number of seeds (3 = 0,1,2) or a list like 0,5,7 (default 3)")
    experiment.add_argument("--epochs", type=int, help="maximum epochs (default 8)")
    experiment.add_argument("--units", type=int, help="recurrent units (default 64)")
    experiment.add_argument("--embedding-dim", type=int, help="embedding size (default 64)")
    experiment.add_argument("--layers", dest="num_layers", type=int, help="stacked recurrent layers (default 1)")
    experiment.add_argument("--batch-size", type=int, help="examples per batch (default 32)")
    experiment.add_argument("--lr", dest="learning_rate", type=float, help="Adam learning rate (default 1e-3)")
    experiment.add_argument("--dropout", type=float, help="dropout on the recurrent inputs and before the output layer (default 0)")
    experiment.add_argument("--patience", type=int, help="early-stopping patience in epochs (default 2)")
    experiment.add_argument("--max-tokens", type=int, help="vocabulary size (default 20000)")
    experiment.add_argument("--max-length", type=int, help="tokens per text (default: 99th percentile)")
    experiment.add_argument("--tokenizer", choices=TOKENIZER_CHOICES,
                            help="default: from the language of the data (jieba for Chinese, tweet otherwise)")
    experiment.add_argument("--bidirectional", action="store_true", help="bidirectional recurrent layers")
    experiment.add_argument("--glove", action="store_true", help="initialise the embedding from GloVe 6B 50d")
    output = parser.add_argument_group("output")
    output.add_argument("--name", help="save under this name (default: compare-<data>-<time>)")
    output.add_argument("--overwrite", action="store_true", help="replace a saved comparison of the same name")
    output.add_argument("--progress-file", help="append progress as JSON lines (used by the app's jobs)")
    output.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(handler=_dispatch)
    return parser


def _dispatch(args) -> int:
    if args.action == "list":
        return list_command(args)
    if args.action == "show":
        return show_command(args)
    if args.target:
        raise InputError(f"Unexpected argument {args.target!r}: to run a comparison use --dataset NAME or --csv PATH; "
                         "to open a saved one use `rnnclf compare show NAME`.")
    return run_command(args)


def _parameters(args) -> dict:
    params = {option: getattr(args, option) for option in _PARAMETER_OPTIONS if getattr(args, option, None) is not None}
    if args.bidirectional:
        params["bidirectional"] = True
    if args.glove:
        params["pretrained_embeddings"] = "glove-6b-50d"
    return params


def _terminal(stream=None):
    from rnnclf.cli.progress import runs_terminal

    return runs_terminal("baseline", stream)


def _format_table(table) -> str:
    shown = table.drop(columns=["fingerprint"]).copy()
    for metric in ("accuracy", "macro_f1", "mcc"):
        shown[metric] = [
            f"{mean:.4f}" + (f" ± {std:.4f}" if std == std else "")
            for mean, std in zip(shown.pop(f"{metric}_mean"), shown.pop(f"{metric}_std"))
        ]
    shown["parameters"] = [f"{value:,.0f}" if value == value else "-" for value in shown["parameters"]]
    for column, digits in (("train_seconds", 1), ("seconds_per_epoch", 2), ("best_epoch", 1), ("latency_ms", 2)):
        shown[column] = [f"{value:.{digits}f}" if value == value else "-" for value in shown[column]]
    shown["settings"] = [value or "-" for value in shown["settings"]]
    order = ["runs", "accuracy", "macro_f1", "mcc", "parameters", "train_seconds", "seconds_per_epoch", "best_epoch",
             "latency_ms", "settings"]
    return shown[order].rename(columns={"settings": "chosen on validation"}).to_string()


def run_command(args) -> int:
    """Run a comparison; print its table (or JSON) and where it was saved."""
    from rnnclf.cli.progress import ProgressFile, combine
    from rnnclf.experiments.compare import compare
    from rnnclf.experiments.comparison_tables import ensemble_summary, results_table

    if bool(args.dataset) == bool(args.csv):
        raise InputError("Give exactly one data source: --dataset NAME (see `rnnclf datasets list`) or --csv PATH.")
    progress = combine(_terminal(), ProgressFile(args.progress_file) if args.progress_file else None)
    result = compare(
        args.dataset or args.csv, cells=parse_cells(args.cells), seeds=parse_seeds(args.seeds), params=_parameters(args),
        progress=progress, text_column=args.text_col, label_column=args.label_col, split_seed=args.split_seed,
        validation_size=args.validation_size, test_size=args.test_size, name=args.name, overwrite=args.overwrite,
    )
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return 0
    data = result["dataset"]
    print(f"comparison {result['name']} on {data['name']} (test split {data['fingerprint']}, "
          f"{data['sizes']['train']} train / {data['sizes']['test']} test texts, seeds {result['seeds']})")
    print(_format_table(results_table(result)))
    ensembles = ensemble_summary(result)
    if ensembles:
        print(ensembles)
    print(f"saved {result['path']}  (reopen with `rnnclf compare show {result['name']}`)")
    return 0


def list_command(args) -> int:
    """Print saved comparisons, newest first."""
    from rnnclf.experiments.compare import list_comparisons

    items = list_comparisons()
    if args.json:
        print(json.dumps(items, ensure_ascii=False))
        return 0
    if not items:
        print("no saved comparisons yet: run `rnnclf compare --dataset NAME` or `rnnclf compare --csv PATH`")
    for item in items:
        if "error" in item:
            print(f"{item['name']:<40} unreadable: {item['error']}")
            continue
        accuracies = "  ".join(f"{cell} {value:.3f}" for cell, value in item["accuracy"].items())
        print(f"{item['name']:<40} {str(item['dataset']):<16} {accuracies}  tfidf {item['baseline_accuracy']:.3f}  {item['created']}")
    return 0


def show_command(args) -> int:
    """Print the results table of one saved comparison (``--json``: the whole result plus the table)."""
    from rnnclf.experiments.compare import load_comparison
    from rnnclf.experiments.comparison_tables import length_table, results_table

    if not args.target:
        raise InputError("Which comparison? Use `rnnclf compare show NAME` (see `rnnclf compare list`).")
    result = load_comparison(args.target)
    table = results_table(result)
    if args.json:
        records = json.loads(table.to_json(orient="index"))
        print(json.dumps({**result, "table": records}, ensure_ascii=False))
        return 0
    data = result["dataset"]
    print(f"{result['name']}: {data['name']} (test split {data['fingerprint']}), seeds {result['seeds']}, created {result['created']}")
    print(_format_table(table))
    lengths = length_table(result)
    if not lengths.empty:
        print("\naccuracy by text length (tokens):")
        print(lengths.round(3).to_string())
    return 0
