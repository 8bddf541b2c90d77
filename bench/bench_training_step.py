"""Benchmark 12 — rnnclf's own training step vs ``model.fit`` on the same batches.

rnnclf trains with its own ``tf.distribute`` step (one step for one CPU, several
GPUs and several workers; Keras 3's ``fit`` fails under
``MultiWorkerMirroredStrategy``). Owning the step must not cost speed: this
script trains the same model (same initial weights, same length-bucketed
batches) for a few epochs with ``rnnclf.training.train_model`` and with
``model.fit`` on a ``tf.data`` view of the very same batch source, alternating
the two in one process, and reports the fastest epoch after the first over
all rounds (other load only slows a loop down) and the final training loss of each. A third loop is the own step compiled with
XLA (``jit_compile=True``: batches padded to a few fixed shapes), with its first
epoch (the compilation) reported apart.

    python bench/bench_training_step.py --dataset everyday-sentiment --texts 20000 --epochs 3
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import keras  # noqa: E402
from bench_training import EpochTimer  # noqa: E402
from common import write_result  # noqa: E402

from rnnclf import _keras_setup  # noqa: E402,F401
from rnnclf.data.datasets import fetch, is_fetched, load_split  # noqa: E402
from rnnclf.encoding import TextEncoder  # noqa: E402
from rnnclf.models import build_model  # noqa: E402
from rnnclf.training import InMemoryBatches, train_model  # noqa: E402


def fit_reference(model, source: InMemoryBatches, epochs: int) -> dict:
    """``model.fit`` on a tf.data view of ``source`` (a new bucket shuffle every epoch, like train_model)."""
    import tensorflow as tf

    epoch_counter = iter(range(10**9))

    def generate():
        yield from source.batches(next(epoch_counter))

    signature = (tf.TensorSpec((None, None), tf.int32), tf.TensorSpec((None,), tf.int32), tf.TensorSpec((None,), tf.float32))
    dataset = tf.data.Dataset.from_generator(generate, output_signature=signature)
    dataset = dataset.apply(tf.data.experimental.assert_cardinality(source.steps)).prefetch(2)
    timer = EpochTimer()
    history = model.fit(dataset, epochs=epochs, callbacks=[timer], shuffle=False, verbose=0)
    return {"epoch_seconds": timer.seconds, "final_loss": float(history.history["loss"][-1])}


def own_step(model, source: InMemoryBatches, epochs: int, jit_compile: bool = False) -> dict:
    result = train_model(model, source, epochs=epochs, patience=None, jit_compile=jit_compile)
    return {"epoch_seconds": result["epoch_seconds"], "final_loss": result["history"]["loss"][-1]}


def own_step_xla(model, source: InMemoryBatches, epochs: int) -> dict:
    return own_step(model, source, epochs, jit_compile=True)


LOOPS = {"own_step": own_step, "model_fit": fit_reference, "own_step_xla": own_step_xla}


def steady(seconds: list[float]) -> float:
    return statistics.median(seconds[1:] if len(seconds) > 1 else seconds)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="everyday-sentiment")
    parser.add_argument("--texts", type=int, default=20000, help="training texts used (default 20,000)")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds of every loop (default 3)")
    parser.add_argument("--cells", default="gru,lstm")
    args = parser.parse_args(argv)
    if not is_fetched(args.dataset):
        fetch(args.dataset)
    train = load_split(args.dataset, seed=0).train.head(args.texts)
    encoder = TextEncoder().fit(train["text"].tolist())
    sequences = encoder.encode_ids(train["text"].tolist())
    classes = np.unique(train["label"].to_numpy())
    targets = np.searchsorted(classes, train["label"].to_numpy()).astype("int32")
    source = InMemoryBatches(sequences, targets, batch_size=32, seed=0)
    rows = []
    for cell in args.cells.split(","):
        measured = {loop: [] for loop in LOOPS}
        for round_number in range(args.rounds):
            for loop, run in LOOPS.items():
                keras.utils.set_random_seed(round_number)
                model = build_model(vocabulary_size=encoder.vocabulary_size, num_classes=len(classes), cell_type=cell,
                                    embedding_dim=64, units=64, seed=round_number)
                result = run(model, source, args.epochs)
                measured[loop].append(result)
                print(f"{cell} round {round_number} {loop}: {steady(result['epoch_seconds']):.2f} s/epoch, "
                      f"final loss {result['final_loss']:.4f}", flush=True)
        # The fastest epoch after the first, over every round: other load on a shared machine only ever slows a
        # loop, so its fastest epoch is the nearest to its own cost (the median is kept too).
        row = {"cell": cell, **{loop: {"epoch_s": min(min(r["epoch_seconds"][1:] or r["epoch_seconds"]) for r in results),
                                       "median_epoch_s": statistics.median(steady(r["epoch_seconds"]) for r in results),
                                       "first_epoch_s": statistics.median(r["epoch_seconds"][0] for r in results),
                                       "final_loss": [r["final_loss"] for r in results], "runs": results}
                                for loop, results in measured.items()}}
        row["speed_ratio"] = row["model_fit"]["epoch_s"] / row["own_step"]["epoch_s"]
        rows.append(row)
    write_result("training_step", {"dataset": args.dataset, "texts": len(train), "epochs": args.epochs,
                                   "rounds": args.rounds, "batch_size": 32, "sizes": {"embedding_dim": 64, "units": 64},
                                   "rows": rows})
    return 0


if __name__ == "__main__":
    sys.exit(main())
