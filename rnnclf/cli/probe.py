"""``rnnclf probe``: the first-cue memory probe from the command line.

::

    rnnclf probe [--cells rnn,lstm,gru] [--length 40] [--distractors 3] [--seeds 3] [--train-size 2000] [--json]

Each cell type trains on the same synthetic texts, where the first cue word
decides the label and later cue words of both classes try to overwrite it
(:func:`rnnclf.experiments.probes.first_cue_probe`). Prints accuracy
(mean ± std over seeds) per distance of the first cue from the end and per
cell, then the outcome in words; ``--json`` prints the whole result instead.
Progress goes to stderr, and to ``--progress-file`` for background jobs.

>>> import argparse
>>> parser = argparse.ArgumentParser(prog="rnnclf")
>>> _ = register(parser.add_subparsers(dest="command"))
>>> args = parser.parse_args(["probe", "--cells", "rnn,gru", "--seeds", "2", "--epochs", "6"])
>>> args.length, args.distractors, _parameters(args)
(40, 3, {'epochs': 6})
"""

from __future__ import annotations

import argparse

from rnnclf.cli.checks import parse_cells, parse_seeds
from rnnclf.cli.output import print_json
from rnnclf.errors import InputError
from rnnclf.experiments.probes import MIN_DISTRACTORS

__all__ = ["register", "probe_command"]

# Command-line option -> RNNTextClassifier parameter; unset options keep the probe's defaults.
_PARAMETER_OPTIONS = {"epochs": int, "units": int, "embedding_dim": int, "learning_rate": float, "batch_size": int}

_EPILOG = """examples:
  rnnclf probe                                         SimpleRNN, LSTM and GRU, 40 words, one seed
  rnnclf probe --length 60 --seeds 3 --epochs 20       longer texts, mean ± std over seeds 0, 1, 2
  rnnclf probe --cells rnn,gru --positions 0,20,36 --json
"""


def register(subparsers) -> argparse.ArgumentParser:
    """Add the ``probe`` command to the main parser's ``subparsers``."""
    parser = subparsers.add_parser(
        "probe", help="memory probe: can each cell type keep the first cue word against later ones?",
        description="Train each cell type on synthetic texts whose first cue word decides the label while later cue "
        "words of both classes try to overwrite it; report test accuracy by the first cue's distance from the end.",
        epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    task = parser.add_argument_group("task")
    task.add_argument("--cells", default="rnn,lstm,gru", help="comma-separated cell types (default rnn,lstm,gru)")
    task.add_argument("--length", type=int, default=40, help="words per text (default 40)")
    task.add_argument("--distractors", type=int, default=MIN_DISTRACTORS,
                      help=f"later cue words per text, at least {MIN_DISTRACTORS} (default {MIN_DISTRACTORS})")
    task.add_argument("--positions", help="first-cue positions to test, e.g. 0,18,36 (default: 6 evenly spaced)")
    task.add_argument("--seeds", default="1", help="number of seeds (3 = 0,1,2) or a list like 0,5,7 (default 1)")
    task.add_argument("--train-size", type=int, default=2000, help="training texts (default 2000)")
    task.add_argument("--test-per-position", type=int, default=200, help="test texts per position (default 200)")
    model = parser.add_argument_group("model (the same for every cell)")
    model.add_argument("--epochs", type=int, help="epochs, no early stopping (default 12)")
    model.add_argument("--units", type=int, help="recurrent units (default 32)")
    model.add_argument("--embedding-dim", type=int, help="embedding size (default 16)")
    model.add_argument("--lr", dest="learning_rate", type=float, help="Adam learning rate (default 3e-3)")
    model.add_argument("--batch-size", type=int, help="examples per batch (default 32)")
    output = parser.add_argument_group("output")
    output.add_argument("--progress-file", help="append progress as JSON lines (used by the app's jobs)")
    output.add_argument("--json", action="store_true", help="print the whole result as JSON")
    parser.set_defaults(handler=probe_command)
    return parser


def _positions(text: str | None) -> list[int] | None:
    if text is None:
        return None
    try:
        return [int(value) for value in text.split(",") if value.strip()]
    except ValueError:
        raise InputError(f"Received: --positions {text!r}; expected word positions such as 0,18,36.") from None


def _parameters(args) -> dict:
    return {option: getattr(args, option) for option in _PARAMETER_OPTIONS if getattr(args, option, None) is not None}


def _terminal(stream=None):
    from rnnclf.cli.progress import runs_terminal

    return runs_terminal("probe", stream)


def _format_table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(line[column]) for line in [header, *rows]) for column in range(len(header))]
    return "\n".join("  ".join(cell.rjust(width) for cell, width in zip(line, widths)) for line in [header, *rows])


def probe_command(args) -> int:
    """Run the first-cue probe; print its table and outcome (or JSON)."""
    from rnnclf.cli.progress import ProgressFile, combine
    from rnnclf.experiments.probe_tables import first_cue_summary, first_cue_table
    from rnnclf.experiments.probes import first_cue_probe

    progress = combine(_terminal(), ProgressFile(args.progress_file) if args.progress_file else None)
    result = first_cue_probe(
        cells=parse_cells(args.cells), length=args.length, distractors=args.distractors, positions=_positions(args.positions),
        train_size=args.train_size, test_per_position=args.test_per_position, seeds=parse_seeds(args.seeds),
        params=_parameters(args), progress=progress,
    )
    if args.json:
        print_json(result)
        return 0
    print(f"first-cue probe: {result['length']} words per text, {result['distractors']} later cue words, "
          f"{result['train_size']} training texts, seeds {result['seeds']}; test accuracy (chance 0.5) by the first "
          f"cue's distance from the end:")
    print(_format_table(*first_cue_table(result)))
    print(first_cue_summary(result))
    print(f"({result['seconds']:.0f} s)")
    return 0
