"""The training loop: length-bucketed batches, one training step for every strategy, progress, seeding.

Padding every text to the longest one wastes most of an RNN's time on padding
steps (masked steps still cost a full cell update on CPU). Instead rnnclf sorts
texts by length, cuts them into batches of similar length, pads each batch only
to its own longest text and shuffles the order of the batches every epoch.

rnnclf owns its training step instead of calling ``model.fit``: the same step
(``tf.distribute`` replica step with a ``GradientTape``, averaged with
``tf.nn.compute_average_loss``, applied by the model's Keras optimizer) runs on
one CPU, on several GPUs (``MirroredStrategy``) and on several machines
(``MultiWorkerMirroredStrategy``), where Keras 3's ``fit`` fails
(keras-team/keras#20585). Batches come from a :class:`BatchSource` — in memory
(:class:`InMemoryBatches`) or streamed from a file.

>>> batches = length_buckets([3, 9, 1, 8, 2, 7], batch_size=2, seed=0, epoch=0)
>>> sorted(len(b) for b in batches)
[2, 2, 2]
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable, Iterator, Protocol, Sequence, runtime_checkable

import keras
import numpy as np

from rnnclf import _keras_setup  # noqa: F401

__all__ = [
    "STRATEGIES",
    "BatchSource",
    "InMemoryBatches",
    "ProgressEvent",
    "is_chief",
    "length_buckets",
    "xla_shape",
    "make_strategy",
    "pad_batch",
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


Batch = tuple[np.ndarray, np.ndarray, np.ndarray]
"""``(ids int32 (batch, time) post-padded with 0, targets int32 (batch,), weights float32 (batch,))``."""


@runtime_checkable
class BatchSource(Protocol):
    """Where the training loop gets its batches.

    ``steps`` is the number of batches per epoch, and ``batches(epoch)`` must
    yield exactly that many :data:`Batch` tuples: every worker of a distributed
    run counts on the same number. ``epoch`` seeds the shuffle of a training source.
    """

    steps: int

    def batches(self, epoch: int) -> Iterator[Batch]: ...


class InMemoryBatches:
    """Length-bucketed, per-batch padded batches of id lists held in memory.

    Example:
        >>> source = InMemoryBatches([[4, 5, 6], [7], [8, 9]], [1, 0, 1], batch_size=2, seed=0, shuffle=False)
        >>> source.steps, [ids.shape for ids, _, _ in source.batches(epoch=0)]
        (2, [(2, 8), (1, 8)])
    """

    def __init__(self, sequences: Sequence[Sequence[int]], targets, weights=None, *, batch_size: int, seed: int = 0,
                 shuffle: bool = True):
        self.sequences = sequences
        self.targets = np.asarray(targets, dtype="int32")
        self.weights = np.ones(len(self.targets), "float32") if weights is None else np.asarray(weights, "float32")
        self.lengths = [len(sequence) for sequence in sequences]
        self.batch_size, self.seed, self.shuffle = int(batch_size), int(seed), bool(shuffle)
        self.steps = int(np.ceil(len(sequences) / self.batch_size))

    def batches(self, epoch: int) -> Iterator[Batch]:
        for indices in length_buckets(self.lengths, self.batch_size, self.seed, epoch, shuffle=self.shuffle):
            yield pad_batch([self.sequences[index] for index in indices]), self.targets[indices], self.weights[indices]


STRATEGIES = ("default", "mirrored", "multi-worker")
"""Names :func:`make_strategy` accepts (``rnnclf train --strategy``)."""


def make_strategy(name=None):
    """A ``tf.distribute`` strategy by name (a strategy object is returned as it is, ``None`` means ``"default"``):
    ``"default"`` (this process's devices as one replica),
    ``"mirrored"`` (every local GPU, or else every logical CPU device) or ``"multi-worker"`` (the cluster in ``TF_CONFIG``).

    Create a multi-worker strategy at program start, before any other TensorFlow work
    (TensorFlow configures its collective ops once). Every worker runs the same program.

    Example:
        >>> make_strategy("default").num_replicas_in_sync
        1
    """
    import tensorflow as tf

    from rnnclf.common import lookup

    if name is None:
        return tf.distribute.get_strategy()
    if not isinstance(name, str):
        return name
    lookup({name: None for name in STRATEGIES}, name, "strategy")
    if name == "mirrored":
        # Every GPU; without one, every logical CPU device (one unless the program configured more).
        devices = tf.config.list_logical_devices("GPU") or tf.config.list_logical_devices("CPU")
        return tf.distribute.MirroredStrategy([device.name for device in devices])
    if name == "multi-worker":
        try:
            return tf.distribute.MultiWorkerMirroredStrategy()
        except (RuntimeError, ValueError) as error:
            from rnnclf.errors import InputError

            raise InputError(f"Could not start the multi-worker strategy ({error}). Create it first thing in the program "
                             "and set TF_CONFIG on every worker: see README, 'Large data and clusters'.") from None
    return tf.distribute.get_strategy()


def _multi_worker(strategy) -> bool:
    import tensorflow as tf

    return isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy)


def is_chief(strategy=None) -> bool:
    """Whether this process writes results: always, except on the non-chief workers of a multi-worker run.

    The chief is the ``chief`` task of ``TF_CONFIG``, or worker 0 when the cluster names no chief.

    >>> is_chief()
    True
    """
    if strategy is None or not _multi_worker(strategy):
        return True
    resolver = strategy.cluster_resolver
    task_type, task_id = resolver.task_type, resolver.task_id
    if task_type in (None, "chief"):
        return True
    return task_type == "worker" and int(task_id or 0) == 0 and "chief" not in resolver.cluster_spec().as_dict()


_BATCH_DTYPES = ("int32", "int32", "float32")


def _batch_signature():
    import tensorflow as tf

    return (tf.TensorSpec((None, None), tf.int32), tf.TensorSpec((None,), tf.int32), tf.TensorSpec((None,), tf.float32))


def _as_batch(batch: Batch) -> Batch:
    return tuple(np.asarray(part, dtype) for part, dtype in zip(batch, _BATCH_DTYPES))


def xla_shape(rows: int, width: int) -> tuple[int, int]:
    """The padded ``(rows, width)`` a batch gets under XLA: rows up to a power of two, width up to 8, 12, 16, 24, 32, 48, …

    XLA compiles every new input shape, and per-batch padding makes dozens of them; these few shapes
    (two per doubling of the width) compile once each and waste at most a third of the steps on padding.

    >>> xla_shape(32, 9), xla_shape(32, 17), xla_shape(7, 50)
    ((32, 12), (32, 24), (8, 64))
    """
    padded_rows = 1 << max(0, int(rows) - 1).bit_length()
    padded_width = LENGTH_ROUNDING
    while padded_width < width:
        padded_width = padded_width * 3 // 2 if padded_width & (padded_width - 1) == 0 else padded_width * 4 // 3
    return padded_rows, padded_width


def _pad_to_xla_shape(batch: Batch) -> Batch:
    """Pad a batch to :func:`xla_shape` with rows of padding ids, target 0 and weight 0 (they count for nothing)."""
    ids, targets, weights = batch
    rows, width = xla_shape(*ids.shape)
    extra_rows = rows - ids.shape[0]
    return (np.pad(ids, ((0, extra_rows), (0, width - ids.shape[1]))), np.pad(targets, (0, extra_rows)),
            np.pad(weights, (0, extra_rows)))


def _distributed_batches(strategy, source: BatchSource, epoch: int, usable: int, fixed_shapes: bool = False):
    """One epoch of ``source`` as a distributed dataset: global step k gives replica r batch ``k·replicas + r``.

    With ``fixed_shapes`` every batch is padded to its :func:`xla_shape`.
    """
    import tensorflow as tf

    replicas = strategy.num_replicas_in_sync
    def dataset_for(context):
        per_pipeline = replicas // context.num_input_pipelines

        def generate():
            for index, batch in enumerate(source.batches(epoch)):
                if index >= usable:
                    break
                if (index % replicas) // per_pipeline == context.input_pipeline_id:
                    yield _as_batch(_pad_to_xla_shape(batch) if fixed_shapes else batch)

        return tf.data.Dataset.from_generator(generate, output_signature=_batch_signature()).prefetch(2)

    return strategy.distribute_datasets_from_function(dataset_for)


def _training_step(model, strategy, jit_compile: bool = False):
    """The one training step: per replica forward + backward, gradients applied by the model's optimizer.

    The step takes an iterator over a distributed dataset and returns the summed
    ``[weighted loss, weighted correct, weight, examples]`` of the next global batch.
    """
    import tensorflow as tf

    optimizer = model.optimizer

    def replica_step(ids, targets, weights):
        with tf.GradientTape() as tape:
            probabilities = model(ids, training=True)
            per_example = keras.losses.sparse_categorical_crossentropy(targets, probabilities)
            # Divided by the *global* batch size: the optimizer sums the replicas' gradients.
            loss = tf.nn.compute_average_loss(per_example, sample_weight=weights)
            if model.losses:
                loss += tf.nn.scale_regularization_loss(tf.add_n(model.losses))
        variables = model.trainable_variables
        optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
        return _batch_sums(ids, probabilities, per_example, targets, weights)

    # Under XLA the replica step is compiled once per concrete batch shape (see xla_shape).
    compiled_replica_step = tf.function(replica_step, jit_compile=True) if jit_compile else replica_step

    @tf.function
    def step(iterator):
        # The batch is taken inside the graph, as Keras's fit does: it never becomes an eager tensor in Python.
        batch = next(iterator)
        return strategy.reduce(tf.distribute.ReduceOp.SUM, strategy.run(compiled_replica_step, args=batch), axis=None)

    return step


def _batch_sums(ids, probabilities, per_example, targets, weights):
    import tensorflow as tf

    correct = tf.cast(tf.equal(tf.argmax(probabilities, axis=-1, output_type=tf.int32), targets), tf.float32)
    # Every text has a first token; rows added to reach an XLA shape have none.
    examples = tf.reduce_sum(tf.cast(ids[:, 0] != 0, tf.float32))
    return tf.stack([tf.reduce_sum(per_example * weights), tf.reduce_sum(correct * weights), tf.reduce_sum(weights),
                     examples])


def _evaluation_step(model):
    import tensorflow as tf

    @tf.function(input_signature=_batch_signature())
    def evaluate(ids, targets, weights):
        probabilities = model(ids, training=False)
        return _batch_sums(ids, probabilities, keras.losses.sparse_categorical_crossentropy(targets, probabilities),
                           targets, tf.ones_like(weights))

    return evaluate


def _agree(strategy, values: np.ndarray) -> np.ndarray:
    """The mean of ``values`` over the workers of a multi-worker run, so that every worker takes the same decision."""
    if not _multi_worker(strategy):
        return values
    import tensorflow as tf

    local = strategy.experimental_distribute_values_from_function(lambda context: tf.constant(values, tf.float32))
    return strategy.reduce(tf.distribute.ReduceOp.MEAN, local, axis=None).numpy()


def _metrics(sums, prefix: str = "") -> dict[str, float]:
    loss, correct, weight, examples = (float(value) for value in np.asarray(sums))
    return {f"{prefix}loss": loss / max(examples, 1.0), f"{prefix}accuracy": correct / max(weight, 1e-12)}


class _Reporter:
    """Sends :data:`ProgressEvent` dicts: every epoch, and at most every ``interval`` seconds during one."""

    def __init__(self, report: Callable[[ProgressEvent], object] | None, epochs: int, steps: int, interval: float = 0.5):
        self.report, self.epochs, self.steps, self.interval = report, int(epochs), max(1, int(steps)), interval
        self._last = 0.0

    def batch(self, epoch: int, step: int, sums) -> bool:
        """Report step ``step`` (1-based) of ``epoch`` (0-based) if one is due; ``False`` means "stop"."""
        now = time.perf_counter()
        if self.report is None or now - self._last < self.interval:
            return True
        self._last = now
        done = epoch + step / self.steps
        return self.report({"stage": "batch", "epoch": epoch + 1, "epochs": self.epochs, "batch": step,
                            "batches": self.steps, "fraction": min(1.0, done / self.epochs),
                            "logs": _metrics(sums)}) is not False

    def epoch(self, epoch: int, seconds: float, logs: dict) -> bool:
        if self.report is None:
            return True
        return self.report({"stage": "epoch", "epoch": epoch + 1, "epochs": self.epochs, "batch": self.steps,
                            "batches": self.steps, "fraction": min(1.0, (epoch + 1) / self.epochs),
                            "seconds": seconds, "logs": logs}) is not False


def train_model(
    model: keras.Model,
    train_batches: BatchSource,
    *,
    validation_batches: BatchSource | None = None,
    epochs: int = 10,
    patience: int | None = 2,
    progress: Callable[[ProgressEvent], object] | None = None,
    tensorboard_dir: str | None = None,
    strategy=None,
    jit_compile: bool = False,
) -> dict:
    """Train ``model`` (built and compiled under ``strategy.scope()``) on ``train_batches``; return history and timing.

    Early stopping watches ``val_loss`` (when validation batches are given and
    ``patience`` is not ``None``): training stops after ``patience`` epochs
    without a new lowest ``val_loss``, and the weights of the best epoch are
    restored. ``progress`` gets a :data:`ProgressEvent` after every epoch and
    every half second; returning ``False`` stops after the current step (in a
    multi-worker run: after the current epoch, once every worker agrees).

    With N replicas each step trains on N consecutive batches of the epoch (one
    per replica) and an epoch uses the largest multiple of N batches: at most
    N−1 batches, a different set each epoch, wait for the next epoch.

    ``jit_compile=True`` compiles the step with XLA (one process only): batches are
    padded to a few fixed shapes (:func:`xla_shape`) so that a run compiles a handful
    of them; the first epoch pays the compilation (see BENCHMARKS.md for when it pays back).

    Returns:
        ``{"history": {"loss", "accuracy", "val_loss", "val_accuracy": [per epoch]},
        "epoch_seconds": [...], "best_epoch": int (1-based), "epochs_run": int, "stopped_early": bool}``
    """
    import tensorflow as tf

    strategy = strategy or tf.distribute.get_strategy()
    replicas = strategy.num_replicas_in_sync
    usable = train_batches.steps - train_batches.steps % replicas
    if usable == 0:
        from rnnclf.errors import InputError

        raise InputError(f"The training data makes {train_batches.steps} batch(es) and the strategy has {replicas} "
                         "replicas, each of which needs a batch per step: add texts or lower the batch size.")
    if jit_compile and replicas > 1:
        from rnnclf.errors import InputError

        raise InputError("XLA (jit_compile) compiles the one-process training step: with a distribution strategy "
                         "leave it off.")
    with strategy.scope():
        model.optimizer.build(model.trainable_variables)
    step = _training_step(model, strategy, jit_compile)
    evaluate = _evaluation_step(model) if validation_batches is not None else None
    reporter = _Reporter(progress, epochs, usable // replicas)
    can_stop_mid_epoch = not _multi_worker(strategy)
    writers = _summary_writers(tensorboard_dir) if tensorboard_dir and is_chief(strategy) else None

    history: dict[str, list[float]] = {}
    epoch_seconds: list[float] = []
    best_loss, best_weights, waited, stop = np.inf, None, 0, False
    for epoch in range(int(epochs)):
        started = time.perf_counter()
        sums = tf.zeros(4)
        batches = iter(_distributed_batches(strategy, train_batches, epoch, usable, fixed_shapes=jit_compile))
        for number in range(1, usable // replicas + 1):
            sums += step(batches)
            if not reporter.batch(epoch, number, sums):
                stop = True
                if can_stop_mid_epoch:
                    break
        logs = _metrics(sums)
        if evaluate is not None:
            totals = np.zeros(4)
            for batch in validation_batches.batches(epoch):
                totals += evaluate(*_as_batch(batch)).numpy()
            logs.update(_metrics(_agree(strategy, totals), prefix="val_"))
        for key, value in logs.items():
            history.setdefault(key, []).append(value)
        epoch_seconds.append(time.perf_counter() - started)
        if not reporter.epoch(epoch, epoch_seconds[-1], logs):
            stop = True
        if writers:
            _write_summaries(writers, epoch, logs)
        if evaluate is not None and patience is not None:
            waited += 1
            if logs["val_loss"] < best_loss:
                best_loss, best_weights, waited = logs["val_loss"], model.get_weights(), 0
            elif waited >= int(patience) and epoch > 0:
                stop = True
        if _multi_worker(strategy):
            stop = bool(_agree(strategy, np.array([float(stop)]))[0] > 0)
        if stop:
            break
    if best_weights is not None:
        model.set_weights(best_weights)

    epochs_run = len(history.get("loss", []))
    if history.get("val_loss"):
        best_epoch = int(np.argmin(history["val_loss"])) + 1
    else:
        best_epoch = epochs_run
    return {
        "history": history,
        "epoch_seconds": epoch_seconds,
        "best_epoch": best_epoch,
        "epochs_run": epochs_run,
        "stopped_early": epochs_run < int(epochs),
    }


def _summary_writers(directory: str) -> dict:
    import tensorflow as tf

    return {part: tf.summary.create_file_writer(str(Path(directory) / part)) for part in ("train", "validation")}


def _write_summaries(writers: dict, epoch: int, logs: dict) -> None:
    import tensorflow as tf

    for key, value in logs.items():
        part, name = ("validation", key[4:]) if key.startswith("val_") else ("train", key)
        with writers[part].as_default():
            tf.summary.scalar(f"epoch_{name}", value, step=epoch)
    for writer in writers.values():
        writer.flush()
