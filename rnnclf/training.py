"""Training loop pieces: length-bucketed batches, progress reporting, seeding.

Padding every text to the longest one wastes most of an RNN's time on padding
steps (masked steps still cost a full cell update on CPU). Instead rnnclf sorts
texts by length, cuts them into batches of similar length, pads each batch only
to its own longest text and shuffles the order of the batches every epoch.

>>> batches = length_buckets([3, 9, 1, 8, 2, 7], batch_size=2, seed=0, epoch=0)
>>> sorted(len(b) for b in batches)
[2, 2, 2]
"""

from __future__ import annotations

import time
from typing import Callable, Sequence

import keras
import numpy as np

from rnnclf import _keras_setup  # noqa: F401

__all__ = [
    "ProgressCallback",
    "ProgressEvent",
    "length_buckets",
    "pad_batch",
    "make_dataset",
    "seed_everything",
    "train_model",
]

ProgressEvent = dict
"""A progress report: ``{"stage", "epoch", "epochs", "batch", "batches", "fraction", "logs"}``."""

# Sequence lengths are rounded up to a multiple of this, so that the compiled
# training step sees a handful of distinct shapes instead of one per batch.
LENGTH_ROUNDING = 8


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and the backend (``keras.utils.set_random_seed``)."""
    keras.utils.set_random_seed(int(seed))


def length_buckets(lengths: Sequence[int], batch_size: int, seed: int, epoch: int, shuffle: bool = True) -> list[np.ndarray]:
    """Group example indices into batches of similar length.

    Sorting is done on ``length + uniform noise in [0, 1)`` so that texts of the
    same length are mixed differently every epoch, then batch order is shuffled.
    With ``shuffle=False`` (validation, prediction) the order is deterministic.
    """
    lengths = np.asarray(lengths, dtype="float64")
    if shuffle:
        rng = np.random.default_rng([int(seed), int(epoch)])
        order = np.argsort(lengths + rng.random(len(lengths)), kind="stable")
    else:
        order = np.argsort(lengths, kind="stable")
    batches = [order[start : start + batch_size] for start in range(0, len(order), batch_size)]
    if shuffle:
        rng.shuffle(batches)
    return batches


def pad_batch(sequences: Sequence[Sequence[int]], rounding: int = LENGTH_ROUNDING) -> np.ndarray:
    """Post-pad id lists with 0 to the longest one (rounded up), as an int32 array."""
    longest = max((len(sequence) for sequence in sequences), default=1)
    width = max(rounding, int(np.ceil(max(longest, 1) / rounding) * rounding))
    batch = np.zeros((len(sequences), width), dtype="int32")
    for row, sequence in enumerate(sequences):
        batch[row, : len(sequence)] = sequence
    return batch


def make_dataset(
    sequences: Sequence[Sequence[int]],
    targets: np.ndarray,
    sample_weights: np.ndarray | None,
    batch_size: int,
    seed: int,
    shuffle: bool,
):
    """A ``tf.data.Dataset`` of length-bucketed, per-batch padded batches.

    The generator is re-run by Keras every epoch, each time with a new bucket
    shuffle derived from ``(seed, epoch)``.
    """
    import tensorflow as tf

    lengths = [len(sequence) for sequence in sequences]
    targets = np.asarray(targets, dtype="int32")
    weights = np.ones(len(targets), dtype="float32") if sample_weights is None else np.asarray(sample_weights, "float32")
    epoch_counter = {"epoch": 0}

    def generate():
        epoch = epoch_counter["epoch"]
        epoch_counter["epoch"] += 1
        for batch_indices in length_buckets(lengths, batch_size, seed, epoch, shuffle=shuffle):
            yield (
                pad_batch([sequences[index] for index in batch_indices]),
                targets[batch_indices],
                weights[batch_indices],
            )

    signature = (
        tf.TensorSpec(shape=(None, None), dtype=tf.int32),
        tf.TensorSpec(shape=(None,), dtype=tf.int32),
        tf.TensorSpec(shape=(None,), dtype=tf.float32),
    )
    steps = int(np.ceil(len(sequences) / batch_size))
    dataset = tf.data.Dataset.from_generator(generate, output_signature=signature)
    # Declaring the batch count lets Keras show real progress from epoch 1 and
    # stops it warning that the generator "ran out of data".
    dataset = dataset.apply(tf.data.experimental.assert_cardinality(steps))
    return dataset.prefetch(2), steps


class ProgressCallback(keras.callbacks.Callback):
    """Forward training progress to a plain function (used by the CLI, jobs and the app).

    The function receives a :data:`ProgressEvent` dict after every epoch and at
    most every ``interval`` seconds during an epoch. If it returns ``False``,
    training stops after the current batch (the best weights so far are kept).
    """

    def __init__(self, report: Callable[[ProgressEvent], object], epochs: int, steps_per_epoch: int, interval: float = 0.5):
        super().__init__()
        self.report = report
        self.epochs = int(epochs)
        self.steps_per_epoch = max(1, int(steps_per_epoch))
        self.interval = interval
        self._last = 0.0
        self._epoch = 0
        self._epoch_started = 0.0
        self.epoch_seconds: list[float] = []

    def _send(self, event: ProgressEvent) -> None:
        if self.report(event) is False:
            self.model.stop_training = True

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch
        self._epoch_started = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        now = time.perf_counter()
        if now - self._last < self.interval:
            return
        self._last = now
        done = self._epoch + (batch + 1) / self.steps_per_epoch
        self._send(
            {
                "stage": "batch",
                "epoch": self._epoch + 1,
                "epochs": self.epochs,
                "batch": batch + 1,
                "batches": self.steps_per_epoch,
                "fraction": min(1.0, done / self.epochs),
                "logs": _floats(logs),
            }
        )

    def on_epoch_end(self, epoch, logs=None):
        seconds = time.perf_counter() - self._epoch_started
        self.epoch_seconds.append(seconds)
        self._send(
            {
                "stage": "epoch",
                "epoch": epoch + 1,
                "epochs": self.epochs,
                "batch": self.steps_per_epoch,
                "batches": self.steps_per_epoch,
                "fraction": min(1.0, (epoch + 1) / self.epochs),
                "seconds": seconds,
                "logs": _floats(logs),
            }
        )


def _floats(logs) -> dict[str, float]:
    return {key: float(value) for key, value in (logs or {}).items()}


def train_model(
    model: keras.Model,
    train_sequences: Sequence[Sequence[int]],
    train_targets: np.ndarray,
    *,
    validation: tuple[Sequence[Sequence[int]], np.ndarray] | None = None,
    sample_weights: np.ndarray | None = None,
    epochs: int = 10,
    batch_size: int = 32,
    patience: int | None = 2,
    seed: int = 0,
    progress: Callable[[ProgressEvent], object] | None = None,
    tensorboard_dir: str | None = None,
) -> dict:
    """Fit ``model`` on length-bucketed batches; return history and timing.

    Early stopping watches ``val_loss`` (when validation data is given and
    ``patience`` is not ``None``) and restores the best weights.

    Returns:
        ``{"history": {metric: [per-epoch values]}, "epoch_seconds": [...],
        "best_epoch": int (1-based), "stopped_early": bool}``
    """
    train_data, train_steps = make_dataset(train_sequences, train_targets, sample_weights, batch_size, seed, shuffle=True)
    validation_data = None
    if validation is not None and len(validation[0]):
        validation_data, _ = make_dataset(validation[0], validation[1], None, batch_size * 2, seed, shuffle=False)

    timer = ProgressCallback(progress or (lambda event: None), epochs, train_steps)
    callbacks: list[keras.callbacks.Callback] = [timer]
    early_stopping = None
    if validation_data is not None and patience is not None:
        early_stopping = keras.callbacks.EarlyStopping(
            monitor="val_loss", patience=int(patience), restore_best_weights=True, verbose=0
        )
        callbacks.append(early_stopping)
    if tensorboard_dir:
        callbacks.append(keras.callbacks.TensorBoard(log_dir=str(tensorboard_dir), histogram_freq=0))

    fit_history = model.fit(
        train_data,
        validation_data=validation_data,
        epochs=int(epochs),
        callbacks=callbacks,
        shuffle=False,  # the bucketed generator shuffles; Keras cannot shuffle a tf.data stream
        verbose=0,
    )
    history = {key: [float(value) for value in values] for key, values in fit_history.history.items()}
    if "val_loss" in history and history["val_loss"]:
        best_epoch = int(np.argmin(history["val_loss"])) + 1
    else:
        best_epoch = len(history.get("loss", [])) or 0
    epochs_run = len(history.get("loss", []))
    return {
        "history": history,
        "epoch_seconds": list(timer.epoch_seconds),
        "best_epoch": best_epoch,
        "epochs_run": epochs_run,
        "stopped_early": epochs_run < int(epochs),
    }
