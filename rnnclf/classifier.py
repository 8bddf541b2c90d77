"""sklearn-style recurrent text classifier.

Parameters are checked in ``fit`` (``__init__`` only stores them), so
``clone``, ``set_params`` and grid searches behave as in scikit-learn; a bad
value is refused with a message that names it. A fitted classifier pickles and
deep-copies (its Keras model travels as a ``.keras`` archive, never as pickled
TensorFlow objects), so joblib, ``GridSearchCV(n_jobs=2)`` and Streamlit's
caches work with it.

>>> clf = RNNTextClassifier(cell_type="gru", units=8, embedding_dim=8, epochs=3, learning_rate=0.05)
>>> clf = clf.fit(["good fun", "great", "bad", "awful mess"] * 4, ["pos", "pos", "neg", "neg"] * 4)
>>> clf.classes_.tolist()
['neg', 'pos']
>>> RNNTextClassifier(epochs=-1).fit(["good", "bad"], ["pos", "neg"])
Traceback (most recent call last):
...
rnnclf.errors.InvalidParameterError: The 'epochs' parameter of RNNTextClassifier must be an int >= 1. Got -1 instead.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from rnnclf.common import to_plain
from rnnclf.coverage import WordCoverage, word_coverage
from rnnclf.data.embeddings import PRETRAINED_EMBEDDINGS
from rnnclf.encoding import TextEncoder
from rnnclf.errors import InputError
from rnnclf.language import (
    LANGUAGE_SAMPLE,
    evenly_spaced,
    language_shares,
    main_languages,
)
from rnnclf.sampling import class_weights, class_weights_from_counts, hold_out
from rnnclf.store import embedding_width, model_from_bytes, model_to_bytes
from rnnclf.text import TOKENIZERS
from rnnclf.validation import (
    AnyOf,
    Boolean,
    Dictionary,
    Integer,
    NoneOr,
    Options,
    Real,
    Text,
    check_labels,
    check_texts,
    validate_parameters,
)

if TYPE_CHECKING:
    from rnnclf.training import ProgressEvent

__all__ = ["RNNTextClassifier", "load_run"]

# Texts are predicted in chunks of this many, sorted by length, so that a batch
# of mixed lengths is padded per chunk rather than to the longest text overall.
PREDICT_CHUNK = 256

_ENCODER_PARAMS = ("tokenizer", "lowercase", "max_tokens", "min_frequency", "max_length", "length_percentile", "padding", "truncating")


class RNNTextClassifier(ClassifierMixin, BaseEstimator):
    """Embedding + SimpleRNN/LSTM/GRU text classifier with an sklearn API.

    ``__init__`` only stores its arguments; everything learned ends in ``_``
    (``encoder_``, ``model_``, ``classes_``, ``history_``).

    Args:
        cell_type: ``"rnn"``, ``"lstm"`` or ``"gru"``. Default: ``"lstm"``.
        embedding_dim, units, num_layers, bidirectional, dropout, recurrent_dropout,
        pooling, spatial_dropout: see :func:`rnnclf.models.build_model`.
        learning_rate: Adam learning rate. Default: 1e-3.
        clipnorm: gradient-norm clipping, ``None`` to disable. Default: 1.0.
        epochs: maximum epochs. Default: 10.
        batch_size: examples per (length-bucketed) batch. Default: 32.
        patience: early-stopping patience on validation loss, ``None`` to disable. Default: 2.
        validation_fraction: share of the training data held out for early
            stopping when ``fit`` gets no ``validation_data``. Default: 0.1.
        class_weight: ``None``, ``"balanced"`` or ``{label: weight}``. Default: ``None``.
        pretrained_embeddings: name of pretrained vectors (``"glove-6b-50d"``) to
            initialise the embedding from, or ``None``. Default: ``None``.
        trainable_embeddings: fine-tune the embedding. Default: ``True``.
        init_from: a saved run (name, bundled name such as ``"default"``, or path) to
            start from: its vocabulary comes first (new tokens follow), its embedding
            and recurrent weights are copied, and its head too when the classes are
            the same. The architecture and tokenizer must be the run's — take them
            from :func:`transfer_settings`. Default: ``None`` (start from scratch).
        tokenizer, lowercase, max_tokens, min_frequency, max_length,
        length_percentile, padding, truncating: see :class:`rnnclf.encoding.TextEncoder`.
        seed: seeds weights, shuffling and dropout; same seed → same model. Default: 0.

    Example:
        >>> clf = RNNTextClassifier(cell_type="gru", epochs=3)
        >>> clf.get_params()["cell_type"]
        'gru'
    """

    # What ``fit`` accepts for each parameter (checked there, never in ``__init__``).
    _parameter_constraints: dict = {
        # The keys of rnnclf.models.CELL_TYPES (spelled out: that module imports Keras; a test keeps them equal).
        "cell_type": Options(("rnn", "lstm", "gru")),
        "embedding_dim": Integer(1),
        "units": Integer(1),
        "num_layers": Integer(1),
        "bidirectional": Boolean(),
        "dropout": Real(0, 1, high_closed=False),
        "recurrent_dropout": Real(0, 1, high_closed=False),
        # The keys of rnnclf.models.POOLINGS (a test keeps them equal).
        "pooling": Options(("last", "max_mean", "attention")),
        "spatial_dropout": Real(0, 1, high_closed=False),
        "learning_rate": Real(0, None, low_closed=False),
        "clipnorm": NoneOr(Real(0, None, low_closed=False)),
        "epochs": Integer(1),
        "batch_size": Integer(1),
        "patience": NoneOr(Integer(0)),
        "validation_fraction": Real(0, 1, high_closed=False),
        "class_weight": AnyOf((Options((None, "balanced")), Dictionary())),
        "pretrained_embeddings": NoneOr(Options(tuple(PRETRAINED_EMBEDDINGS))),
        "trainable_embeddings": Boolean(),
        "init_from": NoneOr(Text()),
        "tokenizer": Options(tuple(TOKENIZERS)),
        "lowercase": Boolean(),
        # Two ids are reserved (padding and unknown), so a useful vocabulary needs at least one more.
        "max_tokens": Integer(3),
        "min_frequency": Integer(1),
        "max_length": NoneOr(Integer(1)),
        "length_percentile": Real(0, 100, low_closed=False),
        # Masked recurrent layers read right-padded input; pre-padding would put
        # the mask in front and cuDNN-style kernels reject it.
        "padding": Options(("post",)),
        "truncating": Options(("pre", "post")),
        "seed": Integer(0, 2**32 - 1),
    }

    def __init__(
        self,
        *,
        cell_type: str = "lstm",
        embedding_dim: int = 64,
        units: int = 64,
        num_layers: int = 1,
        bidirectional: bool = False,
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        pooling: str = "last",
        spatial_dropout: float = 0.0,
        learning_rate: float = 1e-3,
        clipnorm: float | None = 1.0,
        epochs: int = 10,
        batch_size: int = 32,
        patience: int | None = 2,
        validation_fraction: float = 0.1,
        class_weight: str | dict | None = None,
        pretrained_embeddings: str | None = None,
        trainable_embeddings: bool = True,
        init_from: str | None = None,
        tokenizer: str = "tweet",
        lowercase: bool = True,
        max_tokens: int = 20000,
        min_frequency: int = 1,
        max_length: int | None = None,
        length_percentile: float = 99.0,
        padding: str = "post",
        truncating: str = "post",
        seed: int = 0,
    ):
        self.cell_type = cell_type
        self.embedding_dim = embedding_dim
        self.units = units
        self.num_layers = num_layers
        self.bidirectional = bidirectional
        self.dropout = dropout
        self.recurrent_dropout = recurrent_dropout
        self.pooling = pooling
        self.spatial_dropout = spatial_dropout
        self.learning_rate = learning_rate
        self.clipnorm = clipnorm
        self.epochs = epochs
        self.batch_size = batch_size
        self.patience = patience
        self.validation_fraction = validation_fraction
        self.class_weight = class_weight
        self.pretrained_embeddings = pretrained_embeddings
        self.trainable_embeddings = trainable_embeddings
        self.init_from = init_from
        self.tokenizer = tokenizer
        self.lowercase = lowercase
        self.max_tokens = max_tokens
        self.min_frequency = min_frequency
        self.max_length = max_length
        self.length_percentile = length_percentile
        self.padding = padding
        self.truncating = truncating
        self.seed = seed

    # ------------------------------------------------------------------ fitting
    def fit(
        self,
        texts: Sequence[str],
        labels: Sequence,
        validation_data: tuple[Sequence[str], Sequence] | None = None,
        *,
        progress: Callable[[ProgressEvent], object] | None = None,
        tensorboard_dir: str | Path | None = None,
        strategy=None,
        jit_compile: bool = False,
    ) -> "RNNTextClassifier":
        """Train on ``texts`` / ``labels``; return ``self``.

        Args:
            texts: training texts.
            labels: one label per text (strings or integers).
            validation_data: optional ``(texts, labels)`` for early stopping; when
                omitted, ``validation_fraction`` of the training data is held out.
            progress: called with progress events (see :data:`rnnclf.training.ProgressEvent`);
                returning ``False`` stops training early.
            tensorboard_dir: write TensorBoard logs here.
            strategy: a ``tf.distribute`` strategy or a name from :data:`rnnclf.training.STRATEGIES`
                (``"mirrored"``: every local GPU; ``"multi-worker"``: the cluster in ``TF_CONFIG``, every
                worker running the same program). Default: this process as one replica.
            jit_compile: compile the training step with XLA, batches padded to a few fixed shapes
                (one process only; the first epoch pays the compilation — see BENCHMARKS.md).
        """
        texts, targets, validation = self._check_fit_inputs(texts, labels, validation_data)
        seen_texts = texts + (list(validation[0]) if validation is not None else [])
        # TensorFlow loads here, after every cheap check: a bad parameter or label fails in milliseconds.
        from rnnclf.data.splits import text_keys
        from rnnclf.training import InMemoryBatches, make_strategy, seed_everything

        strategy = make_strategy(strategy)
        seed_everything(self.seed)
        weights = class_weights(targets, self.classes_, self.class_weight)  # checks a dict's labels now
        if validation is None and self.validation_fraction and self.patience is not None:
            texts, targets, *held_out = hold_out(texts, targets, self.validation_fraction, self.seed)
            validation = tuple(held_out) if held_out[0] is not None else None

        encoder_params = {name: getattr(self, name) for name in _ENCODER_PARAMS}
        self.languages_ = language_shares(evenly_spaced(texts, LANGUAGE_SAMPLE))
        source = load_run(self.init_from) if self.init_from is not None else None
        self.encoder_ = TextEncoder(**encoder_params).fit(
            texts, starting_vocabulary=source.encoder_.vocabulary_ if source is not None else None)
        sequences = self.encoder_.encode_ids(texts)
        with strategy.scope():
            self.model_ = self._build_network()
            self.transfer_ = self._transfer_from(source) if source is not None else None
        self.seen_text_keys_ = _seen_keys(text_keys(seen_texts), source)
        if validation is not None and len(validation[0]):
            validation = (self.encoder_.encode_ids(validation[0]), validation[1])
        else:
            validation = None

        train_batches = InMemoryBatches(sequences, targets, None if weights is None else weights[targets],
                                        batch_size=self.batch_size, seed=self.seed, shuffle=True)
        validation_batches = None if validation is None else InMemoryBatches(
            validation[0], validation[1], batch_size=self.batch_size * 2, seed=self.seed, shuffle=False)
        self._train_batches(train_batches, validation_batches, progress, tensorboard_dir, strategy, jit_compile)
        return self

    def fit_csv(
        self,
        path: str | Path,
        *,
        text_column: str | None = None,
        label_column: str | None = None,
        validation_size: float = 0.1,
        test_size: float = 0.2,
        progress: Callable[[ProgressEvent], object] | None = None,
        tensorboard_dir: str | Path | None = None,
        strategy=None,
        jit_compile: bool = False,
        window_rows: int | None = None,
    ) -> "RNNTextClassifier":
        """Train on a labelled CSV/TSV of any size by streaming it, then score its test part; return ``self``.

        Memory stays flat: one counting pass (:func:`rnnclf.csv_counts.count_csv`) gathers
        the class counts, the training tokens' counts and length histogram the encoder is
        fitted from (:meth:`~rnnclf.encoding.TextEncoder.fit_counts`, the vocabulary ``fit``
        would build), then every epoch reads the file again in bounded windows
        (:class:`rnnclf.csv_batches.CsvBatches`). Each row's part is decided by a hash
        of its normalised text (:func:`~rnnclf.data.splits.hash_parts`): stable across
        runs, duplicates never on two sides, shares near (not exactly) the ones asked
        for, not stratified. What is kept per row is its text's 8-byte fingerprint
        (``seen_text_keys_``, as ``fit`` keeps them): 80 MB for 10 million rows.

        Besides what ``fit`` learns, sets ``test_metrics_`` (as :meth:`evaluate` gives them,
        for the test part) and ``csv_report_`` (sizes, class counts, dropped rows,
        duplicates, the test part's fingerprint, warnings — JSON-safe).

        Args:
            path: the CSV/TSV file (read as :func:`rnnclf.data.csv_import.read_table` reads one).
            text_column, label_column: its columns. Default: guessed.
            validation_size: share of rows for early stopping (``0`` for none). Default: 0.1.
            test_size: share of rows scored at the end. Default: 0.2.
            progress: called with progress events: ``stage="count"`` while counting (with
                ``rows`` and ``rows_per_second``), then training's (see ``fit``), with ``rows_per_second``.
            tensorboard_dir: write TensorBoard logs here.
            strategy: as in ``fit``. Every worker of a multi-worker run reads the whole file and keeps
                its own batches (each needs the file at the same path).
            jit_compile: as in ``fit``.
            window_rows: rows gathered, shuffled and bucketed at once. Default:
                :data:`rnnclf.csv_counts.WINDOW_ROWS` (16,384).

        Example:
            >>> clf = RNNTextClassifier(cell_type="gru", epochs=2).fit_csv("reviews.csv")  # doctest: +SKIP
            >>> clf.test_metrics_["accuracy"], clf.csv_report_["sizes"]  # doctest: +SKIP
            (0.91, {'train': 70021, 'validation': 9985, 'test': 19994})
        """
        from rnnclf.csv_counts import WINDOW_ROWS, count_csv
        from rnnclf.streaming import csv_layout

        self._validate_params()
        self._check_transfer()
        report = progress or (lambda event: None)
        window_rows = WINDOW_ROWS if window_rows is None else int(window_rows)
        layout = csv_layout(path, text_column, label_column, labels=True)
        encoder = TextEncoder(**{name: getattr(self, name) for name in _ENCODER_PARAMS})
        counting = _CountingProgress(report, layout.path.stat().st_size)
        counts = count_csv(layout, encoder, validation_size=validation_size, test_size=test_size, window_rows=window_rows,
                           progress=counting)
        counting.finish(counts.rows_read, counts.seconds)
        # TensorFlow loads here, after the file was read once: a bad file fails before it.
        from rnnclf.csv_batches import CsvBatches, evaluate_batches
        from rnnclf.training import make_strategy, seed_everything

        strategy = make_strategy(strategy)
        seed_everything(self.seed)
        self.classes_ = counts.classes
        weights = class_weights_from_counts(counts.class_counts("train"), self.classes_, self.class_weight)
        self.languages_ = language_shares(counts.language_sample)
        source = load_run(self.init_from) if self.init_from is not None else None
        self.encoder_ = encoder.fit_counts(counts.token_counts, counts.length_counts,
                                           starting_vocabulary=source.encoder_.vocabulary_ if source is not None else None)
        counts.token_counts.clear()  # the vocabulary is fitted: the counts of every token are no longer needed
        with strategy.scope():
            self.model_ = self._build_network()
            self.transfer_ = self._transfer_from(source) if source is not None else None
        self.seen_text_keys_ = _seen_keys(counts.seen_keys, source)
        batches = dict(shuffle=False, seed=self.seed, window_rows=window_rows)
        train = CsvBatches(counts, self.encoder_, "train", batch_size=self.batch_size, class_weights=weights,
                           **{**batches, "shuffle": True})
        validation = (CsvBatches(counts, self.encoder_, "validation", batch_size=self.batch_size * 2, **batches)
                      if counts.parts["validation"].rows else None)
        try:
            self._train_batches(train, validation, _rows_per_second(report, train.rows), tensorboard_dir, strategy,
                                jit_compile)
        except Exception:
            # The training source runs inside tf.data, which rewraps its errors: say plainly when the file moved on.
            counts.check_unchanged()
            raise

        started = time.perf_counter()
        self.test_metrics_ = evaluate_batches(lambda ids: self.inference_function(ids).numpy(),
                                              CsvBatches(counts, self.encoder_, "test", batch_size=PREDICT_CHUNK, **batches),
                                              self.classes_)
        self.test_metrics_["evaluation_seconds"] = time.perf_counter() - started
        self.csv_report_ = {**counts.report(), "test_fingerprint": counts.test_fingerprint, "warnings": counts.warnings()}
        if source is not None:
            earlier = getattr(source, "seen_text_keys_", None)
            self.csv_report_["test_texts_seen_before"] = None if earlier is None else int(np.isin(counts.test_keys, earlier).sum())
        return self

    def _train_batches(self, train, validation, progress, tensorboard_dir, strategy, jit_compile: bool) -> None:
        """Train ``model_`` on batch sources (:class:`rnnclf.training.BatchSource`) and record what training did
        (``history_``, ``best_epoch_`` …)."""
        from rnnclf.training import train_model

        started = time.perf_counter()
        result = train_model(
            self.model_,
            train,
            validation_batches=validation,
            epochs=self.epochs,
            patience=self.patience,
            progress=progress,
            tensorboard_dir=str(tensorboard_dir) if tensorboard_dir else None,
            strategy=strategy,
            jit_compile=jit_compile,
        )
        self.training_seconds_ = time.perf_counter() - started
        self.history_ = result["history"]
        self.epoch_seconds_ = result["epoch_seconds"]
        self.best_epoch_ = result["best_epoch"]
        self.epochs_run_ = result["epochs_run"]
        self._inference = None

    def _transfer_from(self, source: "RNNTextClassifier") -> dict:
        """Copy ``source``'s weights into the freshly built model; the facts of what was copied."""
        from rnnclf.models import transfer_weights

        same_classes = [to_plain(label) for label in source.classes_] == [to_plain(label) for label in self.classes_]
        facts = transfer_weights(source.model_, self.model_, source.encoder_.vocabulary_, self.encoder_.vocabulary_,
                                 copy_head=same_classes)
        return {"from": str(self.init_from), **facts}

    def _check_transfer(self) -> None:
        """Before any data or TensorFlow work: the run exists and this classifier has its architecture."""
        if self.init_from is None:
            return
        if self.pretrained_embeddings:
            raise InputError("init_from and pretrained_embeddings exclude each other: the embedding comes from the run. "
                             "Set pretrained_embeddings=None.")
        theirs = transfer_settings(self.init_from)
        differ = [key for key in theirs if key != "init_from" and getattr(self, key) != theirs[key]]
        if differ:
            raise InputError(
                f"init_from={self.init_from!r} was trained with {', '.join(f'{key}={theirs[key]!r}' for key in differ)}; "
                f"this classifier has {', '.join(f'{key}={getattr(self, key)!r}' for key in differ)}. "
                "Use rnnclf.transfer_settings(run) to take the run's settings (rnnclf train --init-from does)."
            )

    def texts_seen(self, texts: Sequence[str]) -> np.ndarray:
        """Which of ``texts`` this model — or a run it started from — trained on (compared as :func:`~rnnclf.data.splits.text_keys`).

        The check a transfer needs: a test set must hold no text any stage has seen.

        Example:
            >>> classifier.texts_seen([texts[0], "a sentence no one trained on"]).tolist()
            [True, False]
        """
        from rnnclf.data.splits import text_keys
        from rnnclf.errors import RunError

        self._check_fitted()
        keys = getattr(self, "seen_text_keys_", None)
        if keys is None:
            raise RunError("This model does not record the texts it trained on (saved before rnnclf kept that record, or "
                           "started from a run that did not): retrain it to check a test set for overlap.")
        return np.isin(text_keys(check_texts(texts)), keys)

    def _validate_params(self) -> None:
        """Check every parameter against :attr:`_parameter_constraints` (sklearn's contract: in ``fit``)."""
        validate_parameters(self.get_params(deep=False), self._parameter_constraints, type(self).__name__)

    def _check_fit_inputs(self, texts, labels, validation_data):
        """Validated ``(texts, targets, (validation_texts, validation_targets) | None)``; sets ``classes_``."""
        self._validate_params()
        self._check_transfer()
        texts = check_texts(texts)
        labels = check_labels(labels, len(texts))
        if len(texts) < 2:
            raise InputError(f"fit needs at least 2 labelled texts (one per class at least); got {len(texts)}.")
        classes = np.unique(labels)
        if len(classes) < 2:
            raise InputError(
                f"Training data has a single class ({to_plain(classes[0])!r}) and a classifier needs at least 2: "
                "check the label column."
            )
        self.classes_ = classes
        targets = np.searchsorted(classes, labels).astype("int32")
        if validation_data is None:
            return texts, targets, None
        validation_texts = check_texts(validation_data[0], "validation texts")
        validation_labels = check_labels(validation_data[1], len(validation_texts))
        unknown = set(map(to_plain, validation_labels)) - set(map(to_plain, classes))
        if unknown:
            raise InputError(f"Validation labels {sorted(map(str, unknown))} never occur in the training labels.")
        return texts, targets, (validation_texts, np.searchsorted(classes, validation_labels).astype("int32"))

    def _build_network(self):
        """The Keras model for the fitted encoder; records the embedding size really used."""
        embedding_matrix, self.embedding_dim_ = None, int(self.embedding_dim)
        self.embedding_coverage_ = None
        if self.pretrained_embeddings:
            from rnnclf.data.embeddings import build_embedding_matrix

            # fetch=True: the first GloVe run downloads the pinned vectors (76 MB, sha256-checked) once.
            embedding_matrix, self.embedding_coverage_ = build_embedding_matrix(
                self.encoder_.vocabulary_, name=self.pretrained_embeddings, seed=self.seed, fetch=True
            )
            # The vectors fix the width: embedding_dim is ignored, and embedding_dim_ says what was used.
            self.embedding_dim_ = int(embedding_matrix.shape[1])
        from rnnclf.models import build_model

        return build_model(
            vocabulary_size=self.encoder_.vocabulary_size,
            num_classes=len(self.classes_),
            cell_type=self.cell_type,
            embedding_dim=self.embedding_dim_,
            units=self.units,
            num_layers=self.num_layers,
            bidirectional=self.bidirectional,
            dropout=self.dropout,
            recurrent_dropout=self.recurrent_dropout,
            pooling=self.pooling,
            spatial_dropout=self.spatial_dropout,
            learning_rate=self.learning_rate,
            clipnorm=self.clipnorm,
            embedding_matrix=embedding_matrix,
            trainable_embeddings=self.trainable_embeddings,
            seed=self.seed,
        )

    # ---------------------------------------------------------------- inference
    def _check_fitted(self) -> None:
        if not hasattr(self, "model_"):
            from sklearn.exceptions import NotFittedError

            raise NotFittedError("This RNNTextClassifier is not fitted yet: call fit(texts, labels) or load a run.")

    @property
    def inference_function(self):
        """The compiled ``ids (batch, time) int32 → probabilities`` function.

        One ``tf.function`` with a ``[None, None]`` input signature: traced once,
        reused for every batch size and length (no retracing), and ~30× cheaper
        than ``model.predict`` for a single text.
        """
        self._check_fitted()
        if getattr(self, "_inference", None) is None:
            import tensorflow as tf

            model = self.model_

            @tf.function(input_signature=[tf.TensorSpec(shape=(None, None), dtype=tf.int32)], reduce_retracing=True)
            def infer(token_ids):
                return model(token_ids, training=False)

            self._inference = infer
        return self._inference

    def warm_up(self) -> "RNNTextClassifier":
        """Trace the inference function now so the first real call is fast."""
        self.inference_function(np.ones((1, 8), dtype="int32"))
        return self

    def predict_ids(self, sequences: Sequence[Sequence[int]]) -> np.ndarray:
        """Class probabilities for already-encoded id lists."""
        self._check_fitted()
        from rnnclf.training import pad_batch

        probabilities = np.zeros((len(sequences), len(self.classes_)), dtype="float32")
        order = np.argsort([len(sequence) for sequence in sequences], kind="stable")
        for start in range(0, len(order), PREDICT_CHUNK):
            chunk = order[start : start + PREDICT_CHUNK]
            batch = pad_batch([sequences[index] for index in chunk])
            probabilities[chunk] = self.inference_function(batch).numpy()
        return probabilities

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Probabilities ``(n_texts, n_classes)``; columns follow ``classes_``.

        Raises:
            ValueError: if a text has no tokens (empty or whitespace only) — the
                model has nothing to read, so any answer would be made up.
        """
        self._check_fitted()
        texts = check_texts(texts)
        sequences = self.encoder_.encode_ids(texts)
        _refuse_empty(sequences)
        return self.predict_ids(sequences)

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        """Predicted labels (values from ``classes_``)."""
        self._check_fitted()
        return self.classes_[np.argmax(self.predict_proba(texts), axis=1)]

    def predict_one(self, text: str) -> dict:
        """Label, ``{label: probability}`` and word coverage for one text, via the fast path.

        Besides ``label`` and ``probabilities`` the answer says how much of the text
        the model knows (``known_tokens``, ``total_tokens``, ``coverage``,
        ``unknown_tokens``), the text's ``language``, and ``warnings`` — empty unless
        the answer is a guess (no known word), rests on few known words, or the
        text is in a language the model was not trained on (see :mod:`rnnclf.coverage`).
        """
        self._check_fitted()
        text = check_texts([text])[0]
        encoded = self.encoder_.encode(text)  # once: for the model and for the coverage report
        _refuse_empty([encoded.ids])
        probabilities = self.predict_ids([encoded.ids])[0]
        return {
            "label": to_plain(self.classes_[int(np.argmax(probabilities))]),
            "probabilities": {str(to_plain(label)): float(p) for label, p in zip(self.classes_, probabilities)},
            **word_coverage(encoded, text, self.model_languages).answer_fields(),
        }

    def word_coverage(self, text: str) -> WordCoverage:
        """Which tokens of ``text`` the model knows, and the warnings that follow (see :mod:`rnnclf.coverage`)."""
        self._check_fitted()
        return word_coverage(self.encoder_.encode(text), text, self.model_languages)

    @property
    def model_languages(self) -> list[str]:
        """Languages (scripts) this model was trained on, e.g. ``["latin"]`` or ``["zh"]``."""
        self._check_fitted()
        return main_languages(getattr(self, "languages_", None) or {})

    def evaluate(self, texts: Sequence[str], labels: Sequence) -> dict:
        """Accuracy, macro-F1, MCC, per-class report, confusion matrix (and ROC-AUC if binary)."""
        from rnnclf.evaluation import evaluate_predictions

        texts = check_texts(texts)
        labels = check_labels(labels, len(texts))
        probabilities = self.predict_proba(texts)
        return evaluate_predictions(labels, probabilities, self.classes_)

    # ----------------------------------------------------------- description
    @property
    def class_names(self) -> list[str]:
        self._check_fitted()
        return [str(to_plain(label)) for label in self.classes_]

    def summary(self) -> dict:
        """JSON-safe description: parameters, classes, sizes and training facts."""
        from rnnclf.models import count_parameters

        self._check_fitted()
        return {
            "params": self.get_params(),
            "classes": [to_plain(label) for label in self.classes_],
            "embedding_dim": getattr(self, "embedding_dim_", self.embedding_dim),
            "languages": getattr(self, "languages_", None),
            "vocabulary_size": self.encoder_.vocabulary_size,
            "max_length": self.encoder_.max_length_,
            "parameters": count_parameters(self.model_),
            "epochs_run": getattr(self, "epochs_run_", None),
            "best_epoch": getattr(self, "best_epoch_", None),
            "training_seconds": getattr(self, "training_seconds_", None),
            "epoch_seconds": getattr(self, "epoch_seconds_", None),
            "embedding_coverage": getattr(self, "embedding_coverage_", None),
            "transfer": getattr(self, "transfer_", None),
            "seen_texts": None if getattr(self, "seen_text_keys_", None) is None else int(len(self.seen_text_keys_)),
        }

    # ------------------------------------------------------------- sklearn glue
    def __sklearn_tags__(self):
        """Declare what sklearn tooling should feed this estimator: a 1-D list of strings, with labels."""
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.one_d_array = True
        tags.input_tags.two_d_array = False
        tags.target_tags.required = True
        tags.non_deterministic = True  # training threads may reorder float sums; seeds fix the rest
        return tags

    def __getstate__(self) -> dict:
        """Picklable state: the compiled ``tf.function`` is dropped (rebuilt on use) and the
        Keras model travels as the bytes of a ``.keras`` archive (no pickled TensorFlow objects)."""
        state = self.__dict__.copy()
        state.pop("_inference", None)
        if "model_" in state:
            state["model_"] = model_to_bytes(state["model_"])
        return state

    def __setstate__(self, state: dict) -> None:
        state = dict(state)
        if isinstance(state.get("model_"), bytes):
            state["model_"] = model_from_bytes(state["model_"])
        self.__dict__.update(state)
        self._inference = None

    # -------------------------------------------------------------- persistence
    def save(self, directory: str | Path, **meta) -> Path:
        """Save atomically to ``directory`` (see :mod:`rnnclf.store`); ``meta`` goes to meta.json."""
        from rnnclf.store import write_run

        self._check_fitted()
        facts = {**self.summary(), "history": getattr(self, "history_", {})}
        return write_run(Path(directory), model=self.model_, encoder=self.encoder_, facts=facts,
                         seen_text_keys=getattr(self, "seen_text_keys_", None), **meta)

    @classmethod
    def load(cls, directory: str | Path) -> "RNNTextClassifier":
        """Load a classifier saved with :meth:`save` (Keras safe mode, no pickle)."""
        from rnnclf.store import read_run_files

        files = read_run_files(Path(directory))
        meta = files.meta
        valid = cls().get_params()
        classifier = cls(**{key: value for key, value in dict(meta.get("params", {})).items() if key in valid})
        classifier.encoder_ = files.encoder
        classifier.model_ = files.model
        classifier.classes_ = np.asarray(meta["classes"])
        classifier.history_ = meta.get("history", {})
        for attribute in ("best_epoch", "epochs_run", "training_seconds", "epoch_seconds", "embedding_coverage"):
            setattr(classifier, attribute + "_", meta.get(attribute))
        # Runs saved before languages were recorded: the script of their vocabulary tells.
        classifier.languages_ = meta.get("languages") or language_shares(
            evenly_spaced(files.encoder.vocabulary_[2:], LANGUAGE_SAMPLE))
        # The model's embedding layer knows the width really used (runs before 0.2 did not record it).
        classifier.embedding_dim_ = embedding_width(files.model)
        classifier.seen_text_keys_ = files.seen_text_keys
        classifier.transfer_ = meta.get("transfer")
        classifier.run_meta_ = meta
        classifier.run_path_ = files.directory
        classifier._inference = None
        return classifier


def transfer_settings(run: str | Path) -> dict:
    """The settings a classifier needs to start from ``run`` (``init_from``): its architecture and tokenizer.

    Reads only the run's meta.json (no TensorFlow). Combine with your own training
    settings: ``RNNTextClassifier(**transfer_settings("default"), epochs=5)``.

    Example:
        >>> sorted(transfer_settings("default"))[:3]
        ['bidirectional', 'cell_type', 'embedding_dim']
    """
    from rnnclf.store import read_meta, resolve_run

    meta = read_meta(resolve_run(run))
    params = meta.get("params", {})
    settings = {key: params.get(key, default) for key, default in (
        ("cell_type", "lstm"), ("units", 64), ("num_layers", 1), ("bidirectional", False), ("pooling", "last"))}
    # The width really used: recorded since 0.2; before that, pretrained vectors fixed it whatever embedding_dim said.
    width = meta.get("embedding_dim")
    if width is None and params.get("pretrained_embeddings") in PRETRAINED_EMBEDDINGS:
        width = PRETRAINED_EMBEDDINGS[params["pretrained_embeddings"]].dimension
    settings["embedding_dim"] = int(width or params.get("embedding_dim", 64))
    settings.update(tokenizer=params.get("tokenizer", "tweet"), lowercase=params.get("lowercase", True), init_from=str(run))
    return settings


def _seen_keys(keys: np.ndarray, source: "RNNTextClassifier | None"):
    """Sorted unique ``keys`` (:func:`~rnnclf.data.splits.text_keys`) and those of everything ``source`` saw
    (``None`` if that is unknown)."""
    if source is not None:
        earlier = getattr(source, "seen_text_keys_", None)
        if earlier is None:
            return None
        keys = np.concatenate([keys, earlier])
    return np.unique(keys)


class _CountingProgress:
    """Progress of :func:`~rnnclf.csv_counts.count_csv` as ``stage="count"`` events: at most every ``interval``
    seconds while counting (a share of the file's bytes), then once when done (:meth:`finish`)."""

    def __init__(self, report: Callable[[dict], object], total_bytes: int, interval: float = 0.5):
        self.report, self.total_bytes, self.interval = report, max(int(total_bytes), 1), interval
        self.started = self.last = time.perf_counter()

    def _send(self, rows: int, seconds: float, fraction: float, done: bool) -> None:
        rate = rows / seconds if seconds > 0 else 0.0
        self.report({"stage": "count", "fraction": fraction, "rows": rows, "seconds": seconds, "rows_per_second": rate,
                     "done": done, "message": f"{'counted' if done else 'counting'} {rows:,} rows · {rate:,.0f} rows/s"})

    def __call__(self, rows: int, bytes_read: int) -> None:
        now = time.perf_counter()
        if now - self.last >= self.interval:
            self.last = now
            self._send(rows, now - self.started, min(0.99, bytes_read / self.total_bytes), done=False)

    def finish(self, rows: int, seconds: float) -> None:
        self._send(rows, seconds, 1.0, done=True)


def _rows_per_second(report: Callable[[dict], object], rows: int):
    """Training progress with ``rows_per_second`` added: training rows read per second since the epoch began."""
    epoch_started = [time.perf_counter()]

    def forward(event: dict):
        now = time.perf_counter()
        done = rows if event.get("stage") == "epoch" else rows * int(event.get("batch", 0)) // max(int(event.get("batches", 1)), 1)
        event = {**event, "rows_per_second": done / max(now - epoch_started[0], 1e-9)}
        if event.get("stage") == "epoch":
            epoch_started[0] = now
        return report(event)

    return forward


def _refuse_empty(sequences) -> None:
    """An answer for a text without tokens would be made up: refuse it, naming the positions."""
    empty = [position for position, sequence in enumerate(sequences) if not sequence]
    if empty:
        shown = ", ".join(str(position) for position in empty[:10])
        raise InputError(f"{len(empty)} text(s) are empty or whitespace only (positions {shown}): there is nothing to classify.")


def load_run(name_or_path: str | Path, root: str | Path | None = None) -> RNNTextClassifier:
    """Load a run by name (``"default"`` for the bundled model) or by path.

    Args:
        name_or_path: a run name in the run store, ``"default"``, or a run directory.
        root: the run store to look names up in. Default: ``runs_dir()``.

    >>> load_run("/nonexistent/run")
    Traceback (most recent call last):
    ...
    rnnclf.errors.RunError: No run at /nonexistent/run: list runs with `rnnclf runs list`.
    """
    from rnnclf.store import resolve_run

    return RNNTextClassifier.load(resolve_run(name_or_path, Path(root) if root is not None else None))
