"""rnnclf — text classification with recurrent networks (SimpleRNN, LSTM, GRU).

Importing the package is cheap; TensorFlow loads only when a name that needs it
is first used.

>>> import rnnclf
>>> rnnclf.__version__
'0.1.0'
"""

from __future__ import annotations

import importlib
import os

# Backend choice must precede any Keras import; TensorFlow itself loads lazily.
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

__version__ = "0.1.0"

# public name -> module that defines it (imported lazily, see __getattr__)
_EXPORTS = {
    "TextEncoder": "rnnclf.encoding",
    "tokenize": "rnnclf.text",
    "build_model": "rnnclf.models",
    "CELL_TYPES": "rnnclf.models",
    "RNNTextClassifier": "rnnclf.classifier",
    "evaluate_predictions": "rnnclf.evaluation",
    "RunStore": "rnnclf.store",
    "load_run": "rnnclf.classifier",
    "transfer_settings": "rnnclf.classifier",
    "explain": "rnnclf.interpret.attribution",
    "gradient_flow": "rnnclf.experiments.gradient_flow",
    "load_dataset": "rnnclf.data.datasets",
    "load_split": "rnnclf.data.datasets",
    "compare": "rnnclf.experiments.compare",
}

__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name: str):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'rnnclf' has no attribute {name!r}")
