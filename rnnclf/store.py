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
import shutil
import tempfile
import time
import uuid
import zipfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, NamedTuple

from rnnclf.common import to_json, versions
from rnnclf.data.paths import BUNDLED_MODELS, bundled_model_dir, runs_dir, validate_name
from rnnclf.errors import RunError

__all__ = ["RunStore", "RunError", "RunFiles", "write_run", "read_run_files", "read_meta", "resolve_run", "run_archive", "export_run", "route_bundled_model", "RUN_FORMAT",
           "model_to_bytes", "model_from_bytes", "embedding_width"]

RUN_FORMAT = "rnnclf-run"
RUN_FORMAT_VERSION = 1
MODEL_FILE, ENCODER_FILE, META_FILE = "model.keras", "encoder.json", "meta.json"
# Temporary directories older than this are leftovers of crashed saves.
STALE_TEMPORARY_SECONDS = 3600




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
    directory: Path,
    *,
    model,
    encoder,
    facts: dict,
    name: str | None = None,
    metrics: dict | None = None,
    dataset: dict | None = None,
    extra: dict | None = None,
    overwrite: bool = False,
    seen_text_keys=None,
) -> Path:
    """Write a fitted model and its encoder to ``directory`` atomically and return the directory.

    :meth:`rnnclf.classifier.RNNTextClassifier.save` is the usual way in; this
    function knows files, not classifiers.

    Args:
        directory: target run directory (its parent must be writable).
        model: the Keras model (saved without its optimizer state).
        encoder: the fitted :class:`~rnnclf.encoding.TextEncoder`.
        facts: JSON-safe description of the classifier (its ``summary()`` and ``history``).
        name: run name recorded in meta.json. Default: the directory name.
        metrics: evaluation results (e.g. test metrics) to record.
        dataset: dataset facts, e.g. ``{"name", "fingerprint", "sizes"}``.
        extra: any other JSON-safe facts to record.
        overwrite: replace an existing run of the same name.
        seen_text_keys: fingerprints of every text the model trained on
            (:func:`rnnclf.data.splits.text_keys`), saved as ``seen-texts.npy`` (no pickle).
    """
    directory = Path(directory)
    if directory.exists() and not overwrite:
        raise RunError(f"A run already exists at {directory}: choose another name or delete it first.")
    try:
        directory.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise RunError(f"Cannot create {directory.parent} ({error.strerror or error}): set RNNCLF_HOME to a writable directory.") from error
    temporary = directory.parent / f".tmp-{directory.name}-{uuid.uuid4().hex[:8]}"
    temporary.mkdir()
    try:
        _inference_copy(model).save(temporary / MODEL_FILE)
        (temporary / ENCODER_FILE).write_text(encoder.to_json(), encoding="utf-8")
        if seen_text_keys is not None:
            import numpy as np

            np.save(temporary / SEEN_TEXTS_FILE, np.asarray(seen_text_keys, dtype=np.uint64), allow_pickle=False)
        meta = {
            "format": RUN_FORMAT,
            "format_version": RUN_FORMAT_VERSION,
            "name": name or directory.name,
            "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            **facts,
            "metrics": metrics or {},
            "dataset": dataset or {},
            "versions": versions(),
            **(extra or {}),
        }
        (temporary / META_FILE).write_text(to_json(meta, indent=2), encoding="utf-8")
        _move_into_place(temporary, directory, overwrite)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    return directory


def _move_into_place(temporary: Path, directory: Path, overwrite: bool) -> None:
    """Rename the finished temporary run to ``directory`` in one step.

    If another process saved a run of the same name meanwhile, its run is kept
    and this one is refused (unless ``overwrite``): renaming a directory onto a
    non-empty one fails, so two writers can never mix their files.
    """
    if directory.exists():
        if not overwrite:
            raise RunError(f"Another process saved a run at {directory} at the same moment; it was kept and this one was not saved: choose another name.")
        trash = directory.parent / f".trash-{directory.name}-{uuid.uuid4().hex[:8]}"
        os.replace(directory, trash)
        os.replace(temporary, directory)
        shutil.rmtree(trash, ignore_errors=True)
        return
    try:
        os.rename(temporary, directory)
    except OSError as error:
        if directory.exists():
            raise RunError(f"Another process saved a run at {directory} at the same moment; it was kept and this one was not saved: choose another name.") from error
        raise


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


class RunFiles(NamedTuple):
    """What a run directory holds, loaded: its meta.json, encoder, Keras model and seen-text fingerprints (or None)."""

    directory: Path
    meta: dict
    encoder: Any
    model: Any
    seen_text_keys: Any = None


SEEN_TEXTS_FILE = "seen-texts.npy"


def read_seen_text_keys(directory: Path):
    """The sorted fingerprints of every text a run trained on, or ``None`` for runs that did not record them."""
    import numpy as np

    path = Path(directory) / SEEN_TEXTS_FILE
    if not path.is_file():
        return None
    try:
        keys = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as error:
        raise RunError(f"{path} cannot be read ({error}); delete that file to use the run without its record of seen texts.") from error
    if keys.dtype != np.uint64 or keys.ndim != 1:
        raise RunError(f"{path} is not a list of text fingerprints; delete that file to use the run without it.")
    return keys


def read_run_files(directory: Path) -> RunFiles:
    """Load a run's meta, encoder and model (Keras safe mode, no pickle).

    :meth:`rnnclf.classifier.RNNTextClassifier.load` turns them into a classifier.
    Raises :class:`RunError` naming the file that is wrong and what to do.
    """
    directory = Path(directory)
    meta = read_meta(directory)  # before importing TensorFlow: a wrong name fails in milliseconds

    import keras

    from rnnclf import _keras_setup  # noqa: F401
    from rnnclf.encoding import TextEncoder

    advice = f"Delete the run (`rnnclf runs delete {directory.name}`) and train again."
    encoder_path = directory / ENCODER_FILE
    try:
        encoder = TextEncoder.from_json(encoder_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, TypeError, KeyError, AttributeError) as error:
        raise RunError(f"{encoder_path} cannot be read ({type(error).__name__}: {error}). {advice}") from error
    if not encoder.is_fitted:
        raise RunError(f"{encoder_path} holds no vocabulary (an empty or unfitted encoder), so texts cannot be encoded. {advice}")
    model_path = directory / MODEL_FILE
    if not model_path.is_file():
        raise RunError(f"Run {directory.name!r} has no {MODEL_FILE} ({model_path} is missing). {advice}")
    if not zipfile.is_zipfile(model_path):
        raise RunError(f"{model_path} is damaged: it is not a .keras (zip) archive, perhaps truncated by an interrupted copy. {advice}")
    import rnnclf.models  # noqa: F401  (registers rnnclf's own layers for loading)

    try:
        model = keras.saving.load_model(model_path, compile=False, safe_mode=True)
    except Exception as error:  # Keras raises many types for a damaged archive
        raise RunError(f"The model file of run {directory.name!r} ({model_path}) cannot be loaded ({type(error).__name__}: {str(error)[:200]}). {advice}") from error
    classes = meta.get("classes")
    if not isinstance(classes, list) or len(classes) < 2:
        raise RunError(f"{directory / META_FILE} has no usable 'classes' list (found {classes!r}). {advice}")
    if model.output_shape[-1] != len(classes):
        raise RunError(f"Run {directory.name!r} is inconsistent: the model has {model.output_shape[-1]} outputs but meta.json lists {len(classes)} classes. {advice}")
    return RunFiles(directory, meta, encoder, model, read_seen_text_keys(directory))


def resolve_run(name_or_path: str | Path, root: Path | None = None) -> Path:
    """Turn a bundled model's name (``"default"``, ``"default-zh"``), a run name or a path into a run directory."""
    text = str(name_or_path)
    if text in BUNDLED_MODELS:
        directory = bundled_model_dir(text)
        if directory is None:
            raise RunError(
                f"The bundled model {text!r} is not installed here (it lives in data/{BUNDLED_MODELS[text][0]} of the "
                "repository). Install rnnclf from its repository (`pip install .` or `make app`), or train your own "
                "and use it by name (`rnnclf train --preset ...`)."
            )
        return directory
    candidate = Path(text).expanduser()
    if os.sep in text or (os.altsep and os.altsep in text) or candidate.is_absolute():
        return candidate
    validate_name(text)
    return Path(root or runs_dir()) / text


def route_bundled_model(active: str, text: str) -> tuple[str, str | None]:
    """The bundled model that should answer ``text`` while bundled model ``active`` is in use.

    Returns ``(name, note)``: ``active`` and ``None`` when it reads the text's
    language (or is not a bundled model, or no bundled model reads that language);
    otherwise the bundled model for the language and a sentence saying so.

    >>> route_bundled_model("my-own-run", "这个产品质量太差了")
    ('my-own-run', None)
    >>> route_bundled_model("default", "What a lovely cafe")
    ('default', None)
    """
    from rnnclf.language import LANGUAGE_NAMES, detect_language

    if active not in BUNDLED_MODELS:
        return active, None
    language = detect_language(text)
    if language in ("none", BUNDLED_MODELS[active][1]):
        return active, None
    for name, (_, reads) in BUNDLED_MODELS.items():
        if reads == language and bundled_model_dir(name) is not None:
            spoken = LANGUAGE_NAMES.get(language, language)
            return name, f"This text looks {spoken}, so the bundled {spoken} model ({name!r}) answered it instead of {active!r}."
    return active, None


class RunStore:
    """Save, list, load and delete runs under one directory.

    Args:
        root: directory holding the runs. Default: ``runs_dir()`` (under ``RNNCLF_HOME``).
    """

    def __init__(self, root: str | Path | None = None):
        self.root = Path(root) if root is not None else runs_dir()

    def path(self, name: str) -> Path:
        return self.root / validate_name(name)

    def save(self, classifier, name: str, *, overwrite: bool = False, **meta) -> Path:
        """Save a fitted classifier as run ``name`` (atomic); return its directory.

        Load it back with ``rnnclf.load_run(name, root=store.root)``.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        return classifier.save(self.path(name), name=name, overwrite=overwrite, **meta)

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


def embedding_width(model) -> int:
    """Output width of the model's Embedding layer."""
    import keras

    for layer in model.layers:
        if isinstance(layer, keras.layers.Embedding):
            return int(layer.output_dim)
    raise RunError("This model has no Embedding layer: it was not built by rnnclf.")


def model_to_bytes(model) -> bytes:
    """A Keras model as the bytes of its ``.keras`` archive (architecture + weights, optimizer included)."""
    with tempfile.TemporaryDirectory(prefix="rnnclf-") as directory:
        path = Path(directory) / MODEL_FILE
        model.save(path)
        return path.read_bytes()


def model_from_bytes(data: bytes):
    """Inverse of :func:`model_to_bytes` (Keras safe mode)."""
    import keras

    import rnnclf.models  # noqa: F401  (registers rnnclf's own layers for loading)

    with tempfile.TemporaryDirectory(prefix="rnnclf-") as directory:
        path = Path(directory) / MODEL_FILE
        path.write_bytes(data)
        return keras.saving.load_model(path, safe_mode=True)


def export_run(source: Path, target: str | Path, *, overwrite: bool = False) -> Path:
    """Copy the run at ``source`` to ``target`` atomically (a temporary copy, then one rename).

    This is how the bundled default model is refreshed (``make default-model``):
    presets only ever write into the run store.
    """
    source, target = Path(source), Path(target).expanduser()
    read_meta(source)
    if target.exists() and not overwrite:
        raise RunError(f"{target} already exists: pass --overwrite to replace it.")
    if target.resolve() == source.resolve():
        raise RunError(f"{target} is the run itself: export it somewhere else.")
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.parent / f".tmp-{target.name}-{uuid.uuid4().hex[:8]}"
    try:
        shutil.copytree(source, temporary)
        _move_into_place(temporary, target, overwrite)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    return target


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
