"""Run store: each trained model is a directory that holds everything needed to use it again.

A run directory contains::

    model.keras     Keras 3 archive (weights + architecture; loaded in safe mode)
    encoder.json    TextEncoder config including the vocabulary
    meta.json       classifier parameters, classes, metrics, history, dataset, versions

Runs are written atomically: files go to a hidden temporary directory next to
the target, which is renamed into place only when complete, so a crash never
leaves a half-written run. Nothing is pickled.

>>> store = RunStore("/tmp/rnnclf-doctest-runs")
>>> store.root.name
'rnnclf-doctest-runs'
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from rnnclf.paths import DEFAULT_MODEL_DIR, runs_dir, validate_name

if TYPE_CHECKING:
    from rnnclf.classifier import RNNTextClassifier

__all__ = ["RunStore", "RunError", "write_run", "read_run", "read_meta", "load_run", "resolve_run", "run_archive", "RUN_FORMAT"]

RUN_FORMAT = "rnnclf-run"
RUN_FORMAT_VERSION = 1
MODEL_FILE, ENCODER_FILE, META_FILE = "model.keras", "encoder.json", "meta.json"
DEFAULT_MODEL_NAME = "default"
# Temporary directories older than this are leftovers of crashed saves.
STALE_TEMPORARY_SECONDS = 3600


class RunError(ValueError):
    """A run is missing, corrupt, or not an rnnclf run. The message says what to do."""


def _versions() -> dict[str, str]:
    import keras
    import sklearn
    import tensorflow as tf

    from rnnclf import __version__

    return {
        "rnnclf": __version__,
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "scikit-learn": sklearn.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
    }


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _write_json(path: Path, payload: dict) -> None:
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False, default=_json_default), encoding="utf-8")


def _inference_copy(model):
    """An uncompiled copy of ``model`` with the same weights.

    Runs are for inference and are loaded with ``compile=False``; saving the
    compiled model would also store the optimizer's two moment slots per weight,
    tripling the file for nothing.
    """
    import keras

    copy = keras.Model.from_config(model.get_config())
    copy.set_weights(model.get_weights())
    return copy


def write_run(
    classifier: "RNNTextClassifier",
    directory: Path,
    *,
    name: str | None = None,
    metrics: dict | None = None,
    dataset: dict | None = None,
    extra: dict | None = None,
    overwrite: bool = False,
) -> Path:
    """Write ``classifier`` to ``directory`` atomically and return the directory.

    Args:
        classifier: a fitted :class:`~rnnclf.classifier.RNNTextClassifier`.
        directory: target run directory (its parent must be writable).
        name: run name recorded in meta.json. Default: the directory name.
        metrics: evaluation results (e.g. test metrics) to record.
        dataset: dataset facts, e.g. ``{"name", "fingerprint", "sizes"}``.
        extra: any other JSON-safe facts to record.
        overwrite: replace an existing run of the same name.
    """
    classifier._check_fitted()
    directory = Path(directory)
    if directory.exists() and not overwrite:
        raise RunError(f"A run already exists at {directory}: choose another name or delete it first.")
    directory.parent.mkdir(parents=True, exist_ok=True)
    temporary = directory.parent / f".tmp-{directory.name}-{uuid.uuid4().hex[:8]}"
    temporary.mkdir()
    try:
        _inference_copy(classifier.model_).save(temporary / MODEL_FILE)
        (temporary / ENCODER_FILE).write_text(classifier.encoder_.to_json(), encoding="utf-8")
        meta = {
            "format": RUN_FORMAT,
            "format_version": RUN_FORMAT_VERSION,
            "name": name or directory.name,
            "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            **classifier.summary(),
            "history": getattr(classifier, "history_", {}),
            "metrics": metrics or {},
            "dataset": dataset or {},
            "versions": _versions(),
            **(extra or {}),
        }
        _write_json(temporary / META_FILE, meta)
        if directory.exists():
            trash = directory.parent / f".trash-{directory.name}-{uuid.uuid4().hex[:8]}"
            os.replace(directory, trash)
            os.replace(temporary, directory)
            shutil.rmtree(trash, ignore_errors=True)
        else:
            os.replace(temporary, directory)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    return directory


def read_meta(directory: Path) -> dict:
    """Read and check a run's meta.json; raise :class:`RunError` with advice if it is not a run."""
    directory = Path(directory)
    if not directory.is_dir():
        raise RunError(f"No run at {directory}: list runs with `rnnclf runs list`.")
    meta_path = directory / META_FILE
    if not meta_path.is_file():
        raise RunError(f"{directory} is not an rnnclf run (no {META_FILE}). Point to a directory written by `rnnclf train`.")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise RunError(f"{meta_path} is corrupt ({error}). Delete the run (`rnnclf runs delete {directory.name}`) and train again.") from error
    if not isinstance(meta, dict) or meta.get("format") != RUN_FORMAT:
        raise RunError(f"{directory} is not an rnnclf run ({META_FILE} lacks format={RUN_FORMAT!r}).")
    if int(meta.get("format_version", 0)) > RUN_FORMAT_VERSION:
        raise RunError(f"{directory} was written by a newer rnnclf (format {meta['format_version']}): upgrade rnnclf to load it.")
    return meta


def read_run(directory: Path) -> "RNNTextClassifier":
    """Load a classifier from a run directory (Keras safe mode, no pickle)."""
    directory = Path(directory)
    meta = read_meta(directory)  # before importing TensorFlow: a wrong name fails in milliseconds

    from rnnclf import _keras_setup  # noqa: F401
    import keras

    from rnnclf.classifier import RNNTextClassifier
    from rnnclf.encoding import TextEncoder

    advice = f"Delete the run (`rnnclf runs delete {directory.name}`) and train again."
    try:
        encoder = TextEncoder.from_json((directory / ENCODER_FILE).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, TypeError, KeyError) as error:
        raise RunError(f"The encoder of run {directory.name!r} cannot be read ({error}). {advice}") from error
    try:
        model = keras.saving.load_model(directory / MODEL_FILE, compile=False, safe_mode=True)
    except Exception as error:  # Keras raises many types for a damaged archive
        raise RunError(f"The model file of run {directory.name!r} cannot be loaded ({type(error).__name__}: {str(error)[:200]}). {advice}") from error

    params = dict(meta.get("params", {}))
    valid = RNNTextClassifier().get_params()
    classifier = RNNTextClassifier(**{key: value for key, value in params.items() if key in valid})
    classifier.encoder_ = encoder
    classifier.model_ = model
    classifier.classes_ = np.asarray(meta["classes"])
    if model.output_shape[-1] != len(classifier.classes_):
        raise RunError(f"Run {directory.name!r} is inconsistent: the model has {model.output_shape[-1]} outputs but meta.json lists {len(classifier.classes_)} classes. {advice}")
    classifier.history_ = meta.get("history", {})
    classifier.best_epoch_ = meta.get("best_epoch")
    classifier.epochs_run_ = meta.get("epochs_run")
    classifier.training_seconds_ = meta.get("training_seconds")
    classifier.epoch_seconds_ = meta.get("epoch_seconds")
    classifier.embedding_coverage_ = meta.get("embedding_coverage")
    classifier.run_meta_ = meta
    classifier.run_path_ = directory
    classifier._inference = None
    return classifier


def resolve_run(name_or_path: str | Path, root: Path | None = None) -> Path:
    """Turn ``"default"``, a run name or a path into a run directory path."""
    text = str(name_or_path)
    if text == DEFAULT_MODEL_NAME:
        return DEFAULT_MODEL_DIR
    candidate = Path(text).expanduser()
    if os.sep in text or (os.altsep and os.altsep in text) or candidate.is_absolute():
        return candidate
    validate_name(text)
    return Path(root or runs_dir()) / text


def load_run(name_or_path: str | Path, root: Path | None = None) -> "RNNTextClassifier":
    """Load a run by name (``"default"`` for the bundled model) or by path.

    >>> load_run("/nonexistent/run")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    ...
    RunError: No run at /nonexistent/run: list runs with `rnnclf runs list`.
    """
    return read_run(resolve_run(name_or_path, root))


class RunStore:
    """Save, list, load and delete runs under one directory.

    Args:
        root: directory holding the runs. Default: ``runs_dir()`` (under ``RNNCLF_HOME``).
    """

    def __init__(self, root: str | Path | None = None):
        self.root = Path(root) if root is not None else runs_dir()

    def path(self, name: str) -> Path:
        return self.root / validate_name(name)

    def save(self, classifier: "RNNTextClassifier", name: str, *, overwrite: bool = False, **meta) -> Path:
        """Save ``classifier`` as run ``name`` (atomic); return its directory."""
        self.root.mkdir(parents=True, exist_ok=True)
        return write_run(classifier, self.path(name), name=name, overwrite=overwrite, **meta)

    def load(self, name_or_path: str | Path) -> "RNNTextClassifier":
        return load_run(name_or_path, self.root)

    def meta(self, name_or_path: str | Path) -> dict:
        return read_meta(resolve_run(name_or_path, self.root))

    def exists(self, name: str) -> bool:
        return (self.path(name) / META_FILE).is_file()

    def list(self) -> list[dict]:
        """Summaries of every readable run, newest first; unreadable ones are listed with an ``error``."""
        if not self.root.is_dir():
            return []
        self._remove_stale_temporaries()
        runs = []
        for directory in sorted(self.root.iterdir()):
            if not directory.is_dir() or directory.name.startswith("."):
                continue
            try:
                meta = read_meta(directory)
            except RunError as error:
                runs.append({"name": directory.name, "path": str(directory), "error": str(error)})
                continue
            runs.append(summarize_meta(meta, directory))
        return sorted(runs, key=lambda run: run.get("created", ""), reverse=True)

    def delete(self, name: str) -> None:
        """Delete run ``name``; raise :class:`RunError` if it does not exist."""
        directory = self.path(name)
        if not directory.is_dir():
            raise RunError(f"No run named {name!r}: list runs with `rnnclf runs list`.")
        trash = self.root / f".trash-{name}-{uuid.uuid4().hex[:8]}"
        os.replace(directory, trash)  # atomic: the run vanishes at once, then the files go
        shutil.rmtree(trash, ignore_errors=True)

    def unique_name(self, stem: str) -> str:
        """``stem`` if free, else ``stem-2``, ``stem-3``, … (stem is validated)."""
        validate_name(stem)
        name, counter = stem, 2
        while (self.root / name).exists():
            name, counter = f"{stem}-{counter}", counter + 1
        return name

    def _remove_stale_temporaries(self) -> None:
        now = time.time()
        for leftover in self.root.glob(".tmp-*"):
            try:
                if now - leftover.stat().st_mtime > STALE_TEMPORARY_SECONDS:
                    shutil.rmtree(leftover, ignore_errors=True)
            except OSError:
                continue
        for leftover in self.root.glob(".trash-*"):
            shutil.rmtree(leftover, ignore_errors=True)


def run_archive(directory: Path) -> bytes:
    """The run's files as a zip archive in memory (for downloads); checks it is a run first."""
    import io
    import zipfile

    directory = Path(directory)
    read_meta(directory)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(directory.iterdir()):
            if file.is_file():
                archive.write(file, arcname=f"{directory.name}/{file.name}")
    return buffer.getvalue()


def summarize_meta(meta: dict, directory: Path) -> dict:
    """The few facts a run list shows: name, cell, dataset, metrics, date."""
    params = meta.get("params", {})
    metrics = meta.get("metrics", {}) or {}
    return {
        "name": meta.get("name", directory.name),
        "path": str(directory),
        "created": meta.get("created", ""),
        "cell_type": params.get("cell_type"),
        "bidirectional": params.get("bidirectional"),
        "dataset": (meta.get("dataset") or {}).get("name"),
        "classes": meta.get("classes", []),
        "accuracy": metrics.get("accuracy"),
        "macro_f1": metrics.get("macro_f1"),
        "parameters": (meta.get("parameters") or {}).get("total"),
    }
