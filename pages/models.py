"""Models: saved runs — details, set active, download, delete, and the test texts a run got wrong."""

import pandas as pd
import streamlit as st

from rnnclf.data.paths import BUNDLED_MODELS, bundled_model_dir
from rnnclf.store import (
    RunError,
    RunStore,
    read_meta,
    resolve_run,
    run_archive,
    summarize_meta,
)
from rnnclf.ui.mistakes import render_mistakes
from rnnclf.ui.models import display_name
from rnnclf.ui.render import render_run_details
from rnnclf.ui.state import (
    DEFAULT_MODEL,
    active_model,
    flash,
    leave_legacy_page_mode,
    set_active_model,
    show_flash,
)

leave_legacy_page_mode()  # a page URL opened first on a fresh server still runs through app.py

st.title("Models")
show_flash()
store = RunStore()
runs = store.list()
readable = [run for run in runs if "error" not in run]
bundled = [name for name in BUNDLED_MODELS if bundled_model_dir(name) is not None]

rows = [{**summarize_meta(read_meta(bundled_model_dir(name)), bundled_model_dir(name)), "name": name, "bundled": True}
        for name in bundled] + [{**run, "bundled": False} for run in readable]
table = pd.DataFrame(rows)
shown = pd.DataFrame({
    "Model": [display_name(name) for name in table["name"]],
    "Cell": [("Bi-" if bidirectional else "") + {"rnn": "SimpleRNN", "lstm": "LSTM", "gru": "GRU"}.get(cell, str(cell))
             for cell, bidirectional in zip(table["cell_type"], table["bidirectional"])],
    "Trained on": table["dataset"].fillna("your CSV"),
    "Test accuracy": table["accuracy"].round(3),
    "Macro-F1": table["macro_f1"].round(3),
    "Parameters": [f"{value:,.0f}" if value == value else "–" for value in table["parameters"]],
    "Created": table["created"].str.slice(0, 16).str.replace("T", " "),
    "Kind": ["bundled (read-only)" if flag else "your run" for flag in table["bundled"]],
})
st.dataframe(shown, hide_index=True, key="runs-table")
if not readable:
    st.info("No runs of your own yet. Train one on the **Train** page (or `rnnclf train` on the command line).")
for run in runs:
    if "error" in run:
        st.warning(f"Run folder **{run['name']}** cannot be read: {run['error']}")

choices = (bundled or [DEFAULT_MODEL]) + [run["name"] for run in readable]
selected = st.selectbox("Run", choices, key="models-selected", format_func=display_name)

try:
    meta = read_meta(resolve_run(selected))
except RunError as error:
    st.error(f"{error} It may have been deleted in another tab: pick another run.")
    st.stop()

is_active = active_model() == selected
buttons = st.columns([1, 1, 1, 3])
if buttons[0].button("Use this model", key="models-activate", disabled=is_active, type="primary"):
    set_active_model(selected)
    flash(f"Classify now uses **{selected}**.")
    st.rerun()
try:
    archive = run_archive(resolve_run(selected))
    buttons[1].download_button("Download .zip", archive, file_name=f"{selected}.zip", mime="application/zip", key="models-download")
except RunError as error:
    buttons[1].error(str(error))
if selected in BUNDLED_MODELS:
    buttons[2].caption("Bundled with rnnclf: it cannot be deleted here.")
else:
    with buttons[2].popover("Delete…"):
        st.write(f"Delete run **{selected}** and its files? This cannot be undone.")
        confirmed = st.checkbox("Yes, delete it", key="models-confirm-delete")
        if st.button("Delete", key="models-delete", disabled=not confirmed, type="primary"):
            try:
                store.delete(selected)
            except RunError as error:
                st.error(str(error))
            else:
                if is_active:
                    set_active_model(DEFAULT_MODEL)
                flash(f"Deleted run **{selected}**.")
                st.rerun()
if is_active:
    st.caption("This is the active model.")

render_run_details(meta, key="models")

st.subheader("Mistakes")
if st.toggle("Show the test texts this model got wrong", key="models-mistakes"):
    render_mistakes(selected, key="models-mistakes")
else:
    st.caption("Rebuilds the run's test part from its data, classifies it and lists the mistakes by loss, with the words "
               "behind each and accuracy by text length and word coverage (a few seconds the first time).")
