"""Streamlit glue shared by the pages: the only part of rnnclf that imports streamlit.

Importing it also keeps Streamlit from clearing the Keras session after every
rerun (see :func:`keep_keras_session`).
"""

from __future__ import annotations

import sys

__all__ = ["keep_keras_session"]


def _close_matplotlib_figures() -> None:
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        try:
            plt.close("all")
        except Exception:  # the same leniency as Streamlit's own clean-up
            pass


def keep_keras_session() -> bool:
    """Stop Streamlit from calling ``keras.backend.clear_session()`` after each script run.

    Streamlit's script runner clears the Keras session after every rerun, for
    apps that rebuild models on each run. rnnclf keeps its models in
    ``st.cache_resource`` instead, and ``clear_session`` empties TensorFlow's
    kernel cache: measured in this app, the first explanation of every rerun
    took 600–800 ms instead of ~15 ms. Streamlit's matplotlib clean-up is kept.

    Returns:
        ``True`` if the hook was replaced (or already was), ``False`` if this
        Streamlit version has no such hook.
    """
    try:
        from streamlit.runtime.scriptrunner import script_runner
    except ImportError:
        return False
    if not hasattr(script_runner, "_clean_problem_modules"):
        return False
    script_runner._clean_problem_modules = _close_matplotlib_figures
    return True


keep_keras_session()
