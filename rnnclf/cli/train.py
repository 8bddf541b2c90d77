"""``rnnclf train``: train a model on a built-in dataset or a CSV and save it as a run.

>>> import argparse
>>> parser = argparse.ArgumentParser(prog="rnnclf")
>>> _ = register(parser.add_subparsers(dest="command"))
>>> parser.parse_args(["train", "--dataset", "trec", "--cell", "gru"]).cell_type
'gru'
"""

from __future__ import annotations

import argparse
import sys

from rnnclf.cli.output import print_json
from rnnclf.errors import InputError
from rnnclf.text import TOKENIZERS

__all__ = ["register", "add_data_arguments", "TOKENIZER_CHOICES"]

# The registered tokenizers (importing rnnclf.text is cheap: nltk and jieba load on first use).
TOKENIZER_CHOICES = tuple(TOKENIZERS)
# rnnclf.training.STRATEGIES, without importing TensorFlow for --help.
STRATEGY_CHOICES = ("default", "mirrored", "multi-worker")


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


def register(subparsers) -> argparse.ArgumentParser:
    """Add the ``train`` command to the main parser's ``subparsers``."""
    parser = subparsers.add_parser("train", help="train a model and save it as a run")
    data = add_data_arguments(parser)
    data.add_argument("--stream", action="store_true",
                      help="read --csv a chunk at a time, so memory stays flat whatever its size: rows are split by a "
                           "hash of their text (not stratified) and duplicates are kept within their part "
                           "(automatic for files over the in-memory limit)")
    model = parser.add_argument_group("model (override the preset)")
    model.add_argument("--preset", help="named settings: quick, balanced, glove-bigru, default-sentiment")
    model.add_argument("--cell", dest="cell_type", help="rnn | lstm | gru")
    model.add_argument("--embedding-dim", type=int)
    model.add_argument("--units", type=int)
    model.add_argument("--layers", dest="num_layers", type=int)
    model.add_argument("--bidirectional", action="store_true", default=None)
    model.add_argument("--dropout", type=float)
    model.add_argument("--recurrent-dropout", type=float)
    model.add_argument("--pooling", choices=["last", "max_mean", "attention"],
                       help="what the head reads: last state (default), + max and mean over steps, or + attention")
    model.add_argument("--spatial-dropout", type=float, help="drop whole embedding channels while training")
    model.add_argument("--glove", dest="pretrained_embeddings", action="store_const", const="glove-6b-50d", default=None,
                       help="initialise the embedding from GloVe 6B 50d")
    model.add_argument("--init-from", metavar="RUN",
                       help="start from a saved run (e.g. default): its vocabulary, embeddings and recurrent weights, "
                            "and its architecture and tokenizer; new classes get a new head")
    model.add_argument("--freeze-embeddings", dest="trainable_embeddings", action="store_false", default=None)
    model.add_argument("--tokenizer", choices=TOKENIZER_CHOICES,
                       help="default: from the language of the data (jieba for Chinese, tweet otherwise)")
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
    fit.add_argument("--strategy", choices=STRATEGY_CHOICES, default="default",
                     help="tf.distribute strategy: mirrored = every local GPU; multi-worker = the machines in TF_CONFIG, "
                          "each running this same command (the chief saves the run)")
    fit.add_argument("--xla", dest="jit_compile", action="store_true",
                     help="compile the training step with XLA (batches padded to a few shapes; the first epoch compiles)")
    out = parser.add_argument_group("output")
    out.add_argument("--name", help="run name (default: <cell>-<data>-<time>)")
    out.add_argument("--overwrite", action="store_true", help="replace an existing run of the same name")
    out.add_argument("--output", help="save the run in this directory instead of the run store")
    out.add_argument("--tensorboard", dest="tensorboard_dir", help="write TensorBoard logs to this directory")
    out.add_argument("--progress-file", help="append progress as JSON lines (used by the app's jobs)")
    out.add_argument("--json", action="store_true")
    parser.set_defaults(handler=_train)
    return parser


_MODEL_OPTIONS = (
    "cell_type", "embedding_dim", "units", "num_layers", "bidirectional", "dropout", "recurrent_dropout", "pooling", "spatial_dropout",
    "pretrained_embeddings", "trainable_embeddings", "tokenizer", "max_tokens", "max_length", "epochs",
    "batch_size", "learning_rate", "clipnorm", "patience", "class_weight", "seed",
)


def _train(args) -> int:
    from rnnclf.cli.progress import ProgressFile, TerminalProgress, combine
    from rnnclf.experiments.presets import get_preset
    from rnnclf.experiments.runner import TrainSpec, run_training

    preset = get_preset(args.preset) if args.preset else {}
    params = dict(preset.get("params", {}))
    if args.init_from:
        from rnnclf.classifier import transfer_settings

        # The run's architecture and tokenizer replace the preset's; options typed here still win (and must match).
        params.pop("pretrained_embeddings", None)
        params.update(transfer_settings(args.init_from))
    for option in _MODEL_OPTIONS:
        value = getattr(args, option, None)
        if value is not None:
            params[option] = value
    if params.get("clipnorm") == 0:
        params["clipnorm"] = None
    dataset = args.dataset or (None if args.csv else preset.get("dataset"))
    if not dataset and not args.csv:
        raise InputError("No training data: pass --dataset NAME (see `rnnclf datasets list`) or --csv PATH.")
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
        overwrite=args.overwrite,
        output_dir=args.output,
        strategy=args.strategy,
        jit_compile=args.jit_compile,
        stream=args.stream,
    )
    progress = combine(TerminalProgress(), ProgressFile(args.progress_file) if args.progress_file else None)
    result = run_training(spec, progress=progress)
    if args.json:
        print_json({key: result[key] for key in ("run", "path", "metrics", "dataset", "training", "warnings")})
    else:
        metrics = result["metrics"]
        print(f"saved run {result['run']} ({result['path']})" if result["path"]
              else f"trained {result['run']} as a non-chief worker: the chief saves the run")
        print(f"test accuracy {metrics['accuracy']:.4f}  macro-F1 {metrics['macro_f1']:.4f}  MCC {metrics['mcc']:.4f}"
              f"  ({metrics['examples']} texts, split {result['dataset']['fingerprint']})")
        for warning in result["warnings"]:
            print(f"warning: {warning}", file=sys.stderr)
    return 0


