"""Compare: RNN vs LSTM vs GRU (and TF-IDF + LR) on one split, several seeds."""

import streamlit as st

from rnnclf.errors import RnnclfError
from rnnclf.experiments.compare import list_comparisons, load_comparison
from rnnclf.ui.data import data_source_picker
from rnnclf.ui.jobs import current_job, job_monitor, launch_job
from rnnclf.ui.render import render_comparison
from rnnclf.ui.state import keep_widget_values, leave_legacy_page_mode
from rnnclf.ui.training import TOKENIZER_LABELS, TOKENIZER_OPTIONS

leave_legacy_page_mode()  # a page URL opened first on a fresh server still runs through app.py

st.title("Compare cell types")
keep_widget_values("compare-source", "compare-dataset", "compare-cells", "compare-seeds", "compare-epochs",
                   "compare-units", "compare-tokenizer")
# Defaults live in the session, not in the widgets: a kept value and a widget default would clash.
for key, value in (("compare-cells", ["rnn", "lstm", "gru"]), ("compare-seeds", 2), ("compare-epochs", 5), ("compare-units", 32)):
    st.session_state.setdefault(key, value)
st.caption("Every cell type is trained with the same settings on the same deduplicated, stratified split; "
           "a TF-IDF + logistic-regression baseline is fitted on that split too.")

job = current_job("compare", "compare_job")
running = job is not None and job.status == "running"

with st.expander("New comparison", expanded=not list_comparisons()):
    source_arguments, problem = data_source_picker("compare", choose_columns=False)
    arguments = ["compare", "--json", *source_arguments]
    cells = st.multiselect("Cell types", ["rnn", "lstm", "gru"], key="compare-cells",
                           format_func={"rnn": "SimpleRNN", "lstm": "LSTM", "gru": "GRU"}.get)
    a, b, c = st.columns(3)
    seeds = a.number_input("Seeds", 1, 5, key="compare-seeds")
    epochs = b.number_input("Max epochs", 1, 50, key="compare-epochs")
    units = c.number_input("Units", 4, 256, step=8, key="compare-units")
    arguments += ["--cells", ",".join(cells), "--seeds", str(seeds), "--epochs", str(epochs), "--units", str(units)]
    tokenizer = a.selectbox("Tokenizer", TOKENIZER_OPTIONS, format_func=TOKENIZER_LABELS.get, key="compare-tokenizer",
                            help="Automatic picks jieba words for Chinese data and the tweet tokenizer otherwise.")
    if tokenizer != "auto":
        arguments += ["--tokenizer", tokenizer]
    if not cells:
        problem = "Pick at least one cell type."
    if problem:
        st.warning(problem)
    st.caption(f"{len(cells) * seeds} training runs; each one trains in the background.")
    if st.button("Start comparison", type="primary", key="compare-start", disabled=bool(problem) or running):
        launch_job("compare", "compare_job", arguments, label=f"Comparing {', '.join(cells).upper()}")
        st.rerun()

if job is not None:
    status = job_monitor(job)
    output = (job.result or {}).get("output")
    if status == "succeeded" and isinstance(output, dict) and output.get("name"):
        st.session_state["compare-open"] = output["name"]

saved = [item for item in list_comparisons() if "error" not in item]
if saved:
    names = [item["name"] for item in saved]
    default = st.session_state.get("compare-open")
    chosen = st.selectbox("Open a comparison", names, index=names.index(default) if default in names else 0, key="compare-choice")
    try:
        render_comparison(load_comparison(chosen), key="compare")
    except RnnclfError as error:
        st.error(f"This comparison cannot be read: {error}")
elif not running:
    st.info("No comparisons yet: start one above.")
