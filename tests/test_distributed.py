"""rnnclf's own training step: the same numbers as ``model.fit``, and the same step across tf.distribute strategies.

The multi-worker test starts two real worker processes on 127.0.0.1 (CPU, tiny data) and compares the chief's
run with one trained in a single process by ``MirroredStrategy`` over two logical CPU devices: both take the same
two batches per step (replica r of step k gets batch ``2k + r``), so their weights must agree.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from rnnclf.training import InMemoryBatches, make_strategy, train_model
from tests.bench import load_bench_script
from tests.conftest import marker_texts, noisy_marker_csv

ROOT = Path(__file__).resolve().parents[1]


def _tiny_source(seed: int = 0):
    from rnnclf.encoding import TextEncoder

    texts, labels = marker_texts(200, seed=seed)
    encoder = TextEncoder().fit(texts)
    targets = np.array([label == "positive" for label in labels], dtype="int32")
    return encoder, InMemoryBatches(encoder.encode_ids(texts), targets, batch_size=16, seed=0)


def _tiny_model(encoder, seed: int = 0):
    import keras

    from rnnclf.models import build_model

    keras.utils.set_random_seed(seed)
    return build_model(vocabulary_size=encoder.vocabulary_size, num_classes=2, cell_type="gru", embedding_dim=8, units=8,
                       learning_rate=0.01, seed=seed)


def test_own_step_trains_exactly_like_model_fit():
    encoder, source = _tiny_source()
    ours, reference = _tiny_model(encoder), _tiny_model(encoder)
    for mine, theirs in zip(ours.get_weights(), reference.get_weights()):
        np.testing.assert_array_equal(mine, theirs)
    result = train_model(ours, source, epochs=3, patience=None)
    fitted = load_bench_script("bench_training_step").fit_reference(reference, source, epochs=3)
    # Same batches, same loss, same optimizer (LazyAdam, clipnorm 1): the same training, to float32 round-off.
    assert result["history"]["loss"][-1] == pytest.approx(fitted["final_loss"], rel=1e-5)
    assert result["history"]["loss"][0] > result["history"]["loss"][-1]
    for mine, theirs in zip(ours.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(mine, theirs, atol=1e-5)


def test_unknown_strategy_names_the_choices():
    with pytest.raises(ValueError, match="'mirrored'"):
        make_strategy("mirored")


def test_cli_strategy_choices_are_the_library_ones():
    from rnnclf.cli.train import STRATEGY_CHOICES
    from rnnclf.training import STRATEGIES

    assert STRATEGY_CHOICES == STRATEGIES


def _free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    for sock in sockets:
        sock.bind(("127.0.0.1", 0))
    ports = [sock.getsockname()[1] for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports


# Tiny and quick to learn: 240 marker texts, a GRU of 8 units, a high learning rate.
TRAIN_ARGS = ["train", "--cell", "gru", "--units", "8", "--embedding-dim", "8", "--epochs", "3", "--lr", "0.02",
              "--batch-size", "16", "--json"]

# Two logical CPU devices, then the CLI: the single-process twin of a two-worker cluster.
TWO_CPUS = (
    "import sys, tensorflow as tf\n"
    "tf.config.set_logical_device_configuration(tf.config.list_physical_devices('CPU')[0], "
    "[tf.config.LogicalDeviceConfiguration()] * 2)\n"
    "from rnnclf.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


def test_two_local_workers_train_one_run_equal_to_mirrored_on_two_devices(tmp_path):
    csv_path = noisy_marker_csv(tmp_path / "markers.csv")
    environment = {**os.environ, "RNNCLF_HOME": str(tmp_path / "home"), "PYTHONPATH": str(ROOT),
                   "TF_CPP_MIN_LOG_LEVEL": "2"}
    cluster = {"worker": [f"127.0.0.1:{port}" for port in _free_ports(2)]}
    workers = []
    for index in range(2):
        config = json.dumps({"cluster": cluster, "task": {"type": "worker", "index": index}})
        workers.append(subprocess.Popen(
            [sys.executable, "-m", "rnnclf", *TRAIN_ARGS, "--csv", str(csv_path), "--strategy", "multi-worker",
             "--name", "two-workers"],
            env={**environment, "TF_CONFIG": config}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    outputs = []
    try:
        for worker in workers:
            stdout, stderr = worker.communicate(timeout=300)
            assert worker.returncode == 0, stderr[-3000:]
            outputs.append(json.loads(stdout))
    finally:
        for worker in workers:  # a failed worker leaves the other waiting for it
            if worker.poll() is None:
                worker.kill()
    chief, other = outputs
    # Both finish with the same history (every step and every validation is agreed across the workers) ...
    assert chief["training"]["history"] == other["training"]["history"]
    assert chief["training"]["history"]["loss"][0] > chief["training"]["history"]["loss"][-1]
    # ... and only the chief writes the run.
    assert chief["path"] and other["path"] is None
    assert sorted(path.name for path in (tmp_path / "home" / "runs").iterdir()) == ["two-workers"]

    mirrored = subprocess.run(
        [sys.executable, "-c", TWO_CPUS, *TRAIN_ARGS, "--csv", str(csv_path), "--strategy", "mirrored",
         "--name", "two-devices"],
        env=environment, capture_output=True, text=True, timeout=300)
    assert mirrored.returncode == 0, mirrored.stderr[-3000:]
    assert json.loads(mirrored.stdout)["training"]["replicas"] == chief["training"]["replicas"] == 2

    from rnnclf.classifier import load_run

    texts, _ = marker_texts(60, seed=9)
    cluster_probabilities = load_run(tmp_path / "home" / "runs" / "two-workers").predict_proba(texts)
    single_probabilities = load_run(tmp_path / "home" / "runs" / "two-devices").predict_proba(texts)
    np.testing.assert_allclose(cluster_probabilities, single_probabilities, atol=1e-5)
    assert json.loads(mirrored.stdout)["training"]["history"]["loss"] == pytest.approx(
        chief["training"]["history"]["loss"], rel=1e-5)


def test_xla_shapes_are_few_and_the_xla_step_trains_like_the_plain_one():
    from rnnclf.training import _pad_to_xla_shape

    lengths = np.random.default_rng(0).integers(1, 201, size=1000)
    long_texts = InMemoryBatches([[2] * length for length in lengths], np.zeros(1000), batch_size=32, seed=0)
    batches = [batch for epoch in range(3) for batch in long_texts.batches(epoch)]
    padded = [_pad_to_xla_shape(batch) for batch in batches]
    # Per-batch padding (multiples of 8) makes 25 shapes of texts up to 200 tokens; XLA gets at most 12 widths
    # (8 … 256) and one more for the short last batch (1000 = 31 × 32 + 8).
    assert len({ids.shape for ids, _, _ in batches}) == 25
    assert len({ids.shape for ids, _, _ in padded}) <= 13
    for (ids, targets, weights), (padded_ids, padded_targets, padded_weights) in zip(batches, padded):
        rows, width = ids.shape
        np.testing.assert_array_equal(padded_ids[:rows, :width], ids)
        assert not padded_ids[rows:].any() and not padded_ids[:, width:].any()  # added rows and steps are padding
        assert padded_weights[rows:].sum() == 0 and padded_weights[:rows].sum() == weights.sum()

    encoder, source = _tiny_source()

    plain, compiled = _tiny_model(encoder), _tiny_model(encoder)
    plain_history = train_model(plain, source, epochs=2, patience=None)["history"]
    compiled_history = train_model(compiled, source, epochs=2, patience=None, jit_compile=True)["history"]
    # 200 texts in batches of 16: the last batch has 8 rows, a power of two, so no batch gains rows and
    # padding columns are masked: the same training up to XLA's float round-off.
    assert compiled_history["loss"] == pytest.approx(plain_history["loss"], rel=1e-4)
    assert compiled_history["accuracy"] == pytest.approx(plain_history["accuracy"], abs=1e-9)


def test_xla_with_a_distribution_strategy_is_refused_with_a_reason():
    from rnnclf.errors import InputError

    class TwoReplicas:
        num_replicas_in_sync = 2

    encoder, source = _tiny_source()
    with pytest.raises(InputError, match="with a distribution strategy leave it off"):
        train_model(_tiny_model(encoder), source, epochs=1, strategy=TwoReplicas(), jit_compile=True)


def test_the_cli_refuses_xla_with_a_strategy_before_loading_anything(tmp_path):
    csv_path = noisy_marker_csv(tmp_path / "markers.csv")
    result = subprocess.run(
        [sys.executable, "-m", "rnnclf", "train", "--csv", str(csv_path), "--strategy", "mirrored", "--xla"],
        env={**os.environ, "RNNCLF_HOME": str(tmp_path / "home"), "PYTHONPATH": str(ROOT)},
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.strip() == "error: --xla compiles the one-process training step; with --strategy mirrored leave it off."
    assert "tensorflow" not in result.stderr.lower()
