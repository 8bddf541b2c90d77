"""The sidebar every page shares: which model answers, and a switch to another."""

from __future__ import annotations

import streamlit as st

from rnnclf.data.paths import BUNDLED_MODELS, bundled_model_dir
from rnnclf.store import RunStore
from rnnclf.ui.models import describe_model, display_name
from rnnclf.ui.state import DEFAULT_MODEL, active_model, set_active_model

__all__ = ["render_sidebar", "model_choices"]


def model_choices() -> list[str]:
    """The installed bundled models ('default', 'default-zh'), then every readable saved run, newest first."""
    bundled = [name for name in BUNDLED_MODELS if bundled_model_dir(name) is not None] or [DEFAULT_MODEL]
    return bundled + [run["name"] for run in RunStore().list() if "error" not in run]


def _on_switch() -> None:
    set_active_model(st.session_state["sidebar_model"])


def render_sidebar() -> None:
    with st.sidebar:
        st.markdown("### Active model")
        current = active_model()
        choices = model_choices()
        if current not in choices:
            choices.append(current)
        st.session_state["sidebar_model"] = current
        st.selectbox(
            "Model used by Classify",
            choices,
            key="sidebar_model",
            on_change=_on_switch,
            format_func=display_name,
            label_visibility="collapsed",
        )
        facts = describe_model(current)
        if "error" in facts:
            st.warning(f"This model cannot be loaded: {facts['error']}")
        else:
            accuracy = f"{facts['accuracy']:.1%}" if facts.get("accuracy") is not None else "–"
            st.caption(
                f"**{facts['cell']}** · trained on {facts.get('dataset') or 'unknown data'} · "
                f"test accuracy {accuracy}  \nclasses: {', '.join(map(str, facts['classes']))}"
            )
        st.divider()
        st.caption("Train a model on the **Train** page; manage saved ones on **Models**.")
