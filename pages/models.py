"""Models: saved runs — details, set active, download, delete."""

import pandas as pd
import streamlit as st

from rnnclf.store import RunError, RunStore, read_meta, resolve_run, run_archive
from rnnclf.ui.render import render_run_details
from rnnclf.ui.state import (
    DEFAULT_MODEL,
    active_model,
    flash,
    set_active_model,
    show_flash,
)

st.title("Models")
show_flash()
store = RunStore()
runs = store.list()
readable = [run for run in runs if "error" not in run]

if readable:
    table = pd.DataFrame(readable)[["name", "created", "cell_type", "bidirectional", "dataset", "accuracy", "macro_f1", "parameters"]]
    st.dataframe(table, hide_index=True, key="runs-table",
                 column_config={"accuracy": st.column_config.NumberColumn(format="%.3f"),
                                "macro_f1": st.column_config.NumberColumn(format="%.3f")})
else:
    st.info("No saved runs yet. Train one on the **Train** page (or `rnnclf train` on the command line).")
for run in runs:
    if "error" in run:
        st.warning(f"Run folder **{run['name']}** cannot be read: {run['error']}")

choices = [DEFAULT_MODEL] + [run["name"] for run in readable]
selected = st.selectbox("Run", choices, key="models-selected",
                        format_func=lambda name: "default sentiment model (bundled)" if name == DEFAULT_MODEL else name)

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
if selected != DEFAULT_MODEL:
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
