"""Session state for the app: every key is declared and initialised here, once.

Pages read and write state only through these names, so a typo cannot create a
second, silently diverging key.
"""

from __future__ import annotations

import streamlit as st

__all__ = ["init_state", "active_model", "set_active_model", "keep_widget_values", "read_url", "write_url",
           "dataset_selectbox", "remember_dataset", "KEYS", "URL_PARAMETERS"]

DEFAULT_MODEL = "default"

KEYS = {
    "active_model": DEFAULT_MODEL,  # run name, run path, or "default"
    "train_job": None,  # job ids; None means "find the latest of this kind"
    "compare_job": None,
    "probe_job": None,
    "fetch_job": None,
    "flash": None,  # one-shot message shown at the top of the next page render
    "selected_dataset": None,  # the built-in dataset last chosen on any page (Train, Compare, Datasets)
}

# What a person would bookmark or share, as URL query parameters (the page is the URL's path).
URL_PARAMETERS = {"model": "active_model", "dataset": "selected_dataset"}


def init_state() -> None:
    for key, value in KEYS.items():
        st.session_state.setdefault(key, value)


def active_model() -> str:
    init_state()
    return st.session_state["active_model"]


def set_active_model(name: str) -> None:
    st.session_state["active_model"] = name
    write_url()


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


def read_url() -> None:
    """On a session's first run (a new tab, a reload, a shared link), take model and dataset from the URL."""
    init_state()
    if st.session_state.get("_url_read"):
        return
    st.session_state["_url_read"] = True
    for parameter, key in URL_PARAMETERS.items():
        value = st.query_params.get(parameter)
        if value:
            st.session_state[key] = value


def write_url() -> None:
    """Keep the URL's query parameters in step with the session (defaults are left out of the URL).

    Called wherever the model or dataset changes, and on every run before the page
    draws (a page may end its run early with ``st.rerun`` or ``st.stop``).
    """
    for parameter, key in URL_PARAMETERS.items():
        value = st.session_state.get(key)
        if value and value != KEYS[key]:
            if st.query_params.get(parameter) != value:
                st.query_params[parameter] = value
        elif parameter in st.query_params:
            del st.query_params[parameter]


def dataset_selectbox(label: str, options: list[str], key: str, **kwargs) -> str | None:
    """A dataset select that shows, and updates, the one dataset choice shared by every page and the URL."""
    chosen = st.session_state.get("selected_dataset")
    if chosen in options:
        st.session_state[key] = chosen
    name = st.selectbox(label, options, key=key, on_change=lambda: remember_dataset(st.session_state.get(key)), **kwargs)
    remember_dataset(name)
    return name


def remember_dataset(name: str | None) -> None:
    """The dataset a page's select now shows becomes the shared choice (and the URL's ``dataset``)."""
    if name:
        st.session_state["selected_dataset"] = name
        write_url()


def leave_legacy_page_mode() -> None:
    """Make a page URL opened first on a fresh server run through app.py like every other request.

    With a ``pages/`` directory beside the main script, Streamlit starts in its
    old multipage mode: until some session runs ``app.py`` (which calls
    ``st.navigation``), a request for ``/train`` runs ``pages/train.py`` alone —
    no sidebar, no URL state, the old page list. Every page calls this first: in
    that mode it switches Streamlit to ``st.navigation`` and reruns, so the same
    URL is served by ``app.py``. Elsewhere it does nothing.

    Once per process: a server never returns to that mode, while Streamlit's
    AppTest resets it before every run it makes (and runs a page on its own by
    design), where a rerun on each run would swallow the clicks under test.
    """
    global _LEFT_LEGACY_MODE
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # a Streamlit without this switch has no such mode either
        return
    if getattr(PagesManager, "uses_pages_directory", False) and not _LEFT_LEGACY_MODE:
        _LEFT_LEGACY_MODE = True
        PagesManager.uses_pages_directory = False
        st.rerun()


_LEFT_LEGACY_MODE = False
