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
