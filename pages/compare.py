"""Compare: RNN vs LSTM vs GRU (and TF-IDF + LR) on one split, several seeds."""

import streamlit as st

from rnnclf.errors import RnnclfError
from rnnclf.experiments.compare import list_comparisons, load_comparison
from rnnclf.experiments.comparison_tables import CELL_NAMES
from rnnclf.experiments.probes import MIN_DISTRACTORS
from rnnclf.ui.data import data_source_picker
from rnnclf.ui.jobs import current_job, job_monitor, launch_job
from rnnclf.ui.render import live_probe_runs, render_comparison, render_first_cue_probe
from rnnclf.ui.state import keep_widget_values, leave_legacy_page_mode
from rnnclf.ui.training import TOKENIZER_LABELS, TOKENIZER_OPTIONS

leave_legacy_page_mode()  # a page URL opened first on a fresh server still runs through app.py

st.title("Compare cell types")
keep_widget_values("compare-source", "compare-dataset", "compare-cells", "compare-seeds", "compare-epochs",
                   "compare-units", "compare-tokenizer", "probe-cells", "probe-length", "probe-seeds", "probe-epochs",
                   "probe-train-size")
# Defaults live in the session, not in the widgets: a kept value and a widget default would clash.
# The probe's defaults (6 runs of 12 epochs on 2,000 texts of 40 words) finish in about two minutes on 2 cores.
for key, value in (("compare-cells", ["rnn", "lstm", "gru"]), ("compare-seeds", 2), ("compare-epochs", 5), ("compare-units", 32),
                   ("probe-cells", ["rnn", "lstm", "gru"]), ("probe-length", 40), ("probe-seeds", 2), ("probe-epochs", 12),
                   ("probe-train-size", 2000)):
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

st.divider()
st.subheader("Memory probe")
st.caption("Synthetic texts in which the *first* cue word decides the label (zing → positive, blorp → negative) and "
           f"{MIN_DISTRACTORS} later cue words of both classes try to overwrite it. Every cell type trains on the same texts with "
           "the first cue anywhere, then is tested with it at fixed distances from the end of the text, where the "
           "model answers.")
probe_job = current_job("probe", "probe_job")
probe_running = probe_job is not None and probe_job.status == "running"
with st.expander("New memory probe", expanded=probe_job is None):
    probe_cells = st.multiselect("Cell types", ["rnn", "lstm", "gru"], key="probe-cells", format_func=CELL_NAMES.get)
    a, b, c, d = st.columns(4)
    length = a.number_input("Words per text", 10, 120, step=10, key="probe-length")
    probe_seeds = b.number_input("Seeds", 1, 5, key="probe-seeds", help="Two or more give a ± std band.")
    probe_epochs = c.number_input("Epochs", 1, 50, key="probe-epochs", help="No early stopping: every cell gets them all.")
    train_size = d.number_input("Training texts", 200, 10000, step=200, key="probe-train-size")
    st.caption(f"{len(probe_cells) * probe_seeds} training runs; they run in the background.")
    if not probe_cells:
        st.warning("Pick at least one cell type.")
    if st.button("Start memory probe", type="primary", key="probe-start", disabled=not probe_cells or probe_running):
        arguments = ["probe", "--json", "--cells", ",".join(probe_cells), "--length", str(length), "--seeds", str(probe_seeds),
                     "--epochs", str(probe_epochs), "--train-size", str(train_size), "--distractors", str(MIN_DISTRACTORS)]
        launch_job("probe", "probe_job", arguments, label=f"Memory probe of {', '.join(map(CELL_NAMES.get, probe_cells))}")
        st.rerun()

if probe_job is not None:
    probe_status = job_monitor(probe_job, live=live_probe_runs)
    probe_output = (probe_job.result or {}).get("output")
    if probe_status == "succeeded" and isinstance(probe_output, dict) and probe_output.get("cells"):
        render_first_cue_probe(probe_output, key="probe")
