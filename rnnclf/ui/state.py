"""Session state for the app: every key is declared and initialised here, once.

Pages read and write state only through these names, so a typo cannot create a
second, silently diverging key.
"""

from __future__ import annotations

import streamlit as st

__all__ = ["init_state", "active_model", "set_active_model", "keep_widget_values", "KEYS"]

DEFAULT_MODEL = "default"

KEYS = {
    "active_model": DEFAULT_MODEL,  # run name, run path, or "default"
    "train_job": None,  # job ids; None means "find the latest of this kind"
    "compare_job": None,
    "fetch_job": None,
    "flash": None,  # one-shot message shown at the top of the next page render
}


def init_state() -> None:
    for key, value in KEYS.items():
        st.session_state.setdefault(key, value)


def active_model() -> str:
    init_state()
    return st.session_state["active_model"]


def set_active_model(name: str) -> None:
    st.session_state["active_model"] = name


def flash(message: str, kind: str = "success") -> None:
    """Show ``message`` once on the next render (survives st.rerun)."""
    st.session_state["flash"] = (kind, message)


def show_flash() -> None:
    message = st.session_state.get("flash")
    if message:
        kind, text = message
        getattr(st, kind, st.info)(text)
        st.session_state["flash"] = None


def keep_widget_values(*keys: str) -> None:
    """Let the values of these widgets survive a switch to another page and back.

    Streamlit forgets a widget's state when a run does not draw it (any other
    page). Call this at the top of a page with its widget keys: each value is
    copied to a shadow key that Streamlit leaves alone, and copied back when the
    widget's own key has been forgotten.
    """
    for key in keys:
        shadow = f"_kept_{key}"
        if key in st.session_state:
            st.session_state[shadow] = st.session_state[key]
        elif shadow in st.session_state:
            st.session_state[key] = st.session_state[shadow]
