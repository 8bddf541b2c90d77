"""Import TensorFlow/Keras once, configured and quiet.

Modules that need Keras import this first (``from rnnclf import _keras_setup``).
rnnclf targets Keras 3 on the TensorFlow backend (the compiled inference and
attribution paths use ``tf.function``). TensorFlow prints start-up lines from
C++ (oneDNN, CUDA probes) before its log level applies; they say nothing a user
can act on, so standard error is muted while TensorFlow loads.
"""

import os
import sys

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def _import_quietly() -> None:
    if "tensorflow" in sys.modules or os.environ.get("RNNCLF_DEBUG"):
        return
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no real stderr (e.g. some notebook hosts)
        import tensorflow  # noqa: F401
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        import tensorflow  # noqa: F401
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


_import_quietly()
