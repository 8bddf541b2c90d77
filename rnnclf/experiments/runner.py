"""Train → evaluate → save, as one call shared by the CLI, background jobs and benchmarks.

>>> spec = TrainSpec(csv="reviews.csv", params={"cell_type": "gru"})
>>> spec.source_label()
'reviews.csv'
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Callable

from rnnclf.data.paths import check_input_file, check_writable_directory
from rnnclf.data.sources import load_labelled_split, timestamped_name
from rnnclf.errors import InputError, RunError
from rnnclf.text import suggest_tokenizer

__all__ = ["TrainSpec", "load_training_split", "run_training", "too_big_for_memory"]


@dataclass
class TrainSpec:
    """What to train on and how.

    Exactly one of ``dataset`` (a built-in dataset name) or ``csv`` (a path) is
    required. ``params`` are :class:`~rnnclf.classifier.RNNTextClassifier`
    parameters; the split uses ``params["seed"]`` (default 0).
    """

    dataset: str | None = None
    csv: str | None = None
    text_column: str | None = None
    label_column: str | None = None
    params: dict = field(default_factory=dict)
    name: str | None = None
    validation_size: float = 0.1
    test_size: float = 0.2
    tensorboard_dir: str | None = None
    overwrite: bool = False
    output_dir: str | None = None  # save here instead of the run store (e.g. the bundled default model)
    strategy: str = "default"  # a name from rnnclf.training.STRATEGIES; "multi-worker" reads TF_CONFIG
    jit_compile: bool = False  # compile the training step with XLA (one process only)
    stream: bool = False  # read the CSV a chunk at a time (RNNTextClassifier.fit_csv): memory stays flat

    def source_label(self) -> str:
        return self.dataset or Path(self.csv or "data").name

    def to_dict(self) -> dict:
        return asdict(self)


def load_training_split(spec: TrainSpec):
    """Deduplicated, stratified, seeded train/validation/test split for ``spec``."""
    split, _ = load_labelled_split(
        dataset=spec.dataset or None, csv=spec.csv or None, text_column=spec.text_column, label_column=spec.label_column,
        seed=int(spec.params.get("seed", 0)), validation_size=spec.validation_size, test_size=spec.test_size,
    )
    return split


def too_big_for_memory(csv: str | Path) -> str | None:
    """Why ``csv`` must be streamed — it is larger than the in-memory path reads — or ``None`` when it fits.

    >>> too_big_for_memory(__file__) is None
    True
    """
    from rnnclf.data.csv_import import MAX_BYTES

    size = Path(csv).expanduser().stat().st_size
    if size <= MAX_BYTES:
        return None
    return f"{Path(csv).name} is {size / 2**20:,.0f} MB, over the {MAX_BYTES / 2**20:,.0f} MB in-memory training reads"


def check_training_spec(spec: TrainSpec, store) -> str:
    """Every check that costs milliseconds, before data loads or TensorFlow imports; returns the run name.

    Parameters are valid for :class:`~rnnclf.classifier.RNNTextClassifier`, the
    name is safe and free (or ``overwrite``), and the place the run goes is writable.
    """
    from rnnclf.classifier import RNNTextClassifier

    unknown = sorted(set(spec.params) - set(RNNTextClassifier().get_params()))
    if unknown:
        raise InputError(f"Unknown parameter(s) {unknown} for RNNTextClassifier; valid ones: {sorted(RNNTextClassifier().get_params())}.")
    RNNTextClassifier(**spec.params)._validate_params()
    if bool(spec.dataset) == bool(spec.csv):
        raise InputError("Give exactly one data source: a built-in dataset (--dataset NAME) or a CSV file (--csv PATH).")
    if spec.jit_compile and spec.strategy != "default":
        raise InputError(f"--xla compiles the one-process training step; with --strategy {spec.strategy} leave it off.")
    if spec.csv:
        check_input_file(spec.csv)
    if spec.stream and not spec.csv:
        raise InputError("Streaming reads a CSV file a chunk at a time: pass --csv PATH with --stream "
                         "(built-in datasets are small enough to train in memory).")
    name = spec.name or store.unique_name(timestamped_name(spec.params.get("cell_type", "lstm"), spec.source_label()))
    store.path(name)  # validates the name
    if spec.output_dir:
        if Path(spec.output_dir).exists() and not spec.overwrite:
            raise InputError(f"{spec.output_dir} already exists: pass --overwrite to replace it.")
        check_writable_directory(Path(spec.output_dir).expanduser().resolve().parent, "output folder")
    else:
        if store.exists(name) and not spec.overwrite:
            raise InputError(f"A run named {name!r} already exists: pick another --name or delete it (`rnnclf runs delete {name}`).")
        check_writable_directory(store.root, "run store")
    return name


def run_training(spec: TrainSpec, progress: Callable[[dict], object] | None = None, store=None) -> dict:
    """Train a classifier for ``spec``, evaluate it on the test split and save the run.

    Cheap checks (:func:`check_training_spec`) run first, so a bad name, parameter,
    path or read-only run store fails before any data is read or TensorFlow loads.
    A CSV larger than the in-memory path reads is streamed (``spec.stream``), with a
    ``stage="notice"`` event saying so.

    Returns:
        ``{"run": name, "path": str, "metrics": {...}, "dataset": {...}, "training": {...}}``
    """
    from rnnclf.store import RunStore

    store = store or RunStore()
    report = progress or (lambda event: None)
    name = check_training_spec(spec, store)

    strategy = None
    if spec.strategy != "default":
        from rnnclf.training import make_strategy

        # Before any other TensorFlow work: a multi-worker strategy configures collective ops once, at start.
        strategy = make_strategy(spec.strategy)
        report({"stage": "data", "fraction": 0.0,
                "message": f"strategy {spec.strategy}: {strategy.num_replicas_in_sync} replica(s) in sync"})
    if spec.csv and not spec.stream and (reason := too_big_for_memory(spec.csv)):
        spec = replace(spec, stream=True)
        report({"stage": "notice", "fraction": 0.0, "message": f"note: {reason}: training by streaming it (as with --stream)"})
    train = _train_streaming if spec.stream else _train_in_memory
    classifier, metrics, dataset, warnings = train(spec, report, strategy)
    for warning in warnings:
        report({"stage": "data", "fraction": 1.0, "message": f"warning: {warning}"})
    from rnnclf.training import is_chief

    if not is_chief(strategy):
        # Every worker holds the same weights; only the chief writes the run.
        path = None
    elif spec.output_dir:
        path = classifier.save(Path(spec.output_dir), name=name, metrics=metrics, dataset=dataset,
                               overwrite=spec.overwrite, extra={"spec": spec.to_dict()})
    else:
        path = store.save(classifier, name, metrics=metrics, dataset=dataset, overwrite=spec.overwrite, extra={"spec": spec.to_dict()})
    result = {
        "run": name,
        "path": str(path) if path else None,
        "metrics": metrics,
        "dataset": dataset,
        "warnings": warnings,
        "training": {
            "epochs_run": classifier.epochs_run_,
            "best_epoch": classifier.best_epoch_,
            "seconds": classifier.training_seconds_,
            "epoch_seconds": classifier.epoch_seconds_,
            "history": classifier.history_,
            "strategy": spec.strategy,
            "replicas": strategy.num_replicas_in_sync if strategy is not None else 1,
        },
    }
    report({"stage": "done", "fraction": 1.0, "run": name,
            "message": f"saved run {name}" if path else f"trained {name}; the chief worker saves the run", "metrics": {k: metrics[k] for k in ("accuracy", "macro_f1", "mcc")}})
    return result


def _train_in_memory(spec: TrainSpec, report: Callable[[dict], object], strategy):
    """Read, deduplicate and split the whole data in memory, train, score the test part: ``(classifier, metrics, dataset, warnings)``."""
    from rnnclf.classifier import RNNTextClassifier

    report({"stage": "data", "fraction": 0.0, "message": f"loading {spec.source_label()}"})
    split = load_training_split(spec)
    params = dict(spec.params)
    if "tokenizer" not in params:  # a Chinese CSV trains with jieba without a flag
        params["tokenizer"] = suggest_tokenizer(split.train["text"].tolist())
        report({"stage": "data", "fraction": 0.0, "message": f"tokenizer {params['tokenizer']} (chosen from the language of the texts)"})
    classifier = RNNTextClassifier(**params)
    report({"stage": "data", "fraction": 0.0, "message": f"{len(split.train)} train / {len(split.validation)} validation / {len(split.test)} test texts"})
    classifier.fit(
        split.train["text"].tolist(),
        split.train["label"].tolist(),
        validation_data=(split.validation["text"].tolist(), split.validation["label"].tolist()) if len(split.validation) else None,
        progress=report,
        tensorboard_dir=spec.tensorboard_dir,
        strategy=strategy,
        jit_compile=spec.jit_compile,
    )
    started = time.perf_counter()
    test_texts = split.test["text"].tolist()
    metrics = classifier.evaluate(test_texts, split.test["label"].tolist())
    metrics["evaluation_seconds"] = time.perf_counter() - started
    dataset = {
        "name": spec.dataset,
        "csv": str(spec.csv) if spec.csv else None,
        "fingerprint": split.fingerprint,
        "sizes": {"train": len(split.train), "validation": len(split.validation), "test": len(split.test)},
        "split": {"seed": int(spec.params.get("seed", 0)), "validation_size": spec.validation_size, "test_size": spec.test_size},
        "report": getattr(split, "report", {}),
    }
    warnings = []
    if classifier.init_from is not None:
        try:
            seen = int(classifier.texts_seen(test_texts).sum())
        except RunError:
            seen = None
        dataset["test_texts_seen_before"] = seen
        warnings += _seen_before_warnings(classifier.init_from, seen, len(test_texts))
    return classifier, metrics, dataset, warnings


def _train_streaming(spec: TrainSpec, report: Callable[[dict], object], strategy):
    """Train from the CSV a chunk at a time (:meth:`~rnnclf.classifier.RNNTextClassifier.fit_csv`), scoring the test
    part by streaming too: ``(classifier, metrics, dataset, warnings)``."""
    from rnnclf.classifier import RNNTextClassifier
    from rnnclf.language import LANGUAGE_SAMPLE
    from rnnclf.streaming import csv_layout

    params = dict(spec.params)
    if "tokenizer" not in params:  # from the file's first rows: the tokenizer must be known before the counting pass
        layout = csv_layout(spec.csv, spec.text_column, spec.label_column, labels=True)
        head = next(iter(layout.chunks(LANGUAGE_SAMPLE))).texts
        params["tokenizer"] = suggest_tokenizer([text for text in head if isinstance(text, str)])
        report({"stage": "data", "fraction": 0.0,
                "message": f"tokenizer {params['tokenizer']} (chosen from the language of the file's first {len(head)} rows)"})
    classifier = RNNTextClassifier(**params)
    report({"stage": "data", "fraction": 0.0, "message": f"streaming {spec.source_label()}: counting its rows"})
    classifier.fit_csv(spec.csv, text_column=spec.text_column, label_column=spec.label_column,
                       validation_size=spec.validation_size, test_size=spec.test_size, progress=report,
                       tensorboard_dir=spec.tensorboard_dir, strategy=strategy, jit_compile=spec.jit_compile)
    data = classifier.csv_report_
    dataset = {
        "name": None,
        "csv": str(spec.csv),
        "fingerprint": data["test_fingerprint"],
        "sizes": data["sizes"],
        "split": {"method": "hash", "validation_size": spec.validation_size, "test_size": spec.test_size},
        "report": data,
        "streamed": True,
    }
    warnings = list(data["warnings"])
    if classifier.init_from is not None:
        seen = data.get("test_texts_seen_before")
        dataset["test_texts_seen_before"] = seen
        warnings += _seen_before_warnings(classifier.init_from, seen, data["sizes"]["test"])
    return classifier, dict(classifier.test_metrics_), dataset, warnings


def _seen_before_warnings(init_from: str, seen: int | None, test_rows: int) -> list[str]:
    """A run started from another one may have met the test texts before: count them, never hide them."""
    if seen is None:
        return [f"{init_from!r} does not record the texts it trained on, so whether it saw "
                "some of these test texts is unknown: read the test accuracy with care."]
    if seen:
        return [f"{seen} of the {test_rows} test texts were already seen in training by {init_from!r} "
                "(or a run before it): the test accuracy is optimistic. Start from a run that never saw this test set."]
    return []
