"""Train: pick data and settings, start a background job, watch the curves, use the model."""

import streamlit as st

from rnnclf.data.paths import validate_name
from rnnclf.errors import RnnclfError
from rnnclf.experiments.presets import PRESETS
from rnnclf.ui.data import data_source_picker
from rnnclf.ui.jobs import current_job, job_monitor, launch_job
from rnnclf.ui.models import display_name
from rnnclf.ui.render import render_metrics
from rnnclf.ui.sidebar import model_choices
from rnnclf.ui.state import (
    flash,
    keep_widget_values,
    leave_legacy_page_mode,
    set_active_model,
    show_flash,
)
from rnnclf.ui.training import (
    FIELD_LIMITS,
    FORM_FIELDS,
    POOLING_LABELS,
    TOKENIZER_LABELS,
    live_training_curves,
    preset_form_values,
    read_form_from_url,
    start_from_values,
    train_arguments,
    write_form_to_url,
)

leave_legacy_page_mode()  # a page URL opened first on a fresh server still runs through app.py

st.title("Train a model")
show_flash()
read_form_from_url()  # a reload or a shared link brings its preset and changed fields back
keep_widget_values("train-preset", "train-init-from", *FORM_FIELDS, "train-balance", "train-name", "train-source", "train-dataset")

job = current_job("train", "train_job")
running = job is not None and job.status == "running"

# ------------------------------------------------------------------ data
st.subheader("1 · Data")
source_arguments, problem = data_source_picker("train")
if problem:
    st.warning(problem)

# ---------------------------------------------------------------- settings
st.subheader("2 · Model")
# Presets that rebuild a bundled model carry settings the form does not show (vocabulary, length): CLI only.
preset_names = [name for name in PRESETS if "name" not in PRESETS[name]]


def _apply_start_from() -> None:
    """A run to start from fixes the architecture fields: show the run's values (the form shows what trains)."""
    run = st.session_state.get("train-init-from")
    if run:
        st.session_state.update(start_from_values(run))


def _apply_preset() -> None:
    """Fill every form field from the chosen preset (a widget's own value wins over `value=` once it exists)."""
    st.session_state.update(preset_form_values(PRESETS[st.session_state["train-preset"]]["params"]))
    _apply_start_from()


if "train-preset" not in st.session_state:
    st.session_state["train-preset"] = "balanced"
    _apply_preset()
preset = st.selectbox("Preset", preset_names, key="train-preset", on_change=_apply_preset,
                      format_func=lambda name: f"{name} — {PRESETS[name]['description']}")
st.caption(f"The form holds the **{preset}** preset; change any field below — what the form shows is what trains.")
params = {}
start_from = st.selectbox(
    "Start from", ["", *model_choices()], key="train-init-from", on_change=_apply_start_from,
    format_func=lambda name: display_name(name) if name else "nothing — train from scratch",
    help="Start from a saved model: its vocabulary, embeddings and recurrent weights (and its head when the classes "
         "match). Its architecture and tokenizer come with it. Small datasets gain most.")
locked = bool(start_from)
if locked:
    params["init_from"] = start_from
    st.caption("Cell type, units, embedding size, layers, direction, head and tokenizer are the starting model's. "
               "If that model trained on texts of your test part, the result says so.")
left, middle, right = st.columns(3)
params["cell_type"] = left.selectbox("Cell type", FIELD_LIMITS["train-cell"], format_func={"rnn": "SimpleRNN", "lstm": "LSTM", "gru": "GRU"}.get,
                                     key="train-cell", disabled=locked)
params["epochs"] = middle.number_input("Max epochs", *FIELD_LIMITS["train-epochs"], key="train-epochs")
params["units"] = right.number_input("Units", *FIELD_LIMITS["train-units"], step=8, key="train-units", disabled=locked)
with st.expander("Advanced options"):
    a, b, c = st.columns(3)
    glove = st.session_state.get("train-glove", False)
    params["embedding_dim"] = a.number_input("Embedding size", *FIELD_LIMITS["train-embedding"], key="train-embedding", disabled=glove or locked,
                                             help="GloVe fixes this at 50.")
    params["num_layers"] = b.number_input("Stacked layers", *FIELD_LIMITS["train-layers"], key="train-layers", disabled=locked)
    params["batch_size"] = c.number_input("Batch size", *FIELD_LIMITS["train-batch"], key="train-batch")
    params["dropout"] = a.slider("Dropout", *FIELD_LIMITS["train-dropout"], step=0.05, key="train-dropout")
    params["spatial_dropout"] = a.slider("Embedding (spatial) dropout", *FIELD_LIMITS["train-spatial-dropout"], step=0.05, key="train-spatial-dropout",
                                         help="Drops whole embedding channels while training.")
    params["pooling"] = b.selectbox("Head reads", FIELD_LIMITS["train-pooling"], format_func=POOLING_LABELS.get, key="train-pooling", disabled=locked,
                                    help="Pooling over every word lets a word far from the end reach the classifier directly.")
    params["learning_rate"] = b.number_input("Learning rate", *FIELD_LIMITS["train-lr"], format="%.5f", key="train-lr")
    params["clipnorm"] = c.number_input("Gradient clip norm (0 = off)", *FIELD_LIMITS["train-clip"], key="train-clip",
                                        help="Clipping the gradient norm keeps BPTT from exploding.")
    params["patience"] = a.number_input("Early-stopping patience", *FIELD_LIMITS["train-patience"], key="train-patience")
    params["seed"] = b.number_input("Seed", *FIELD_LIMITS["train-seed"], key="train-seed")
    params["bidirectional"] = c.checkbox("Bidirectional", key="train-bidirectional", disabled=locked)
    params["pretrained_embeddings"] = "glove-6b-50d" if a.checkbox("Start from GloVe 6B 50d", key="train-glove", disabled=locked) else None
    if b.checkbox("Balance classes", False, key="train-balance", help="Weight classes by inverse frequency (imbalanced data)."):
        params["class_weight"] = "balanced"
    tokenizer = c.selectbox("Tokenizer", FIELD_LIMITS["train-tokenizer"], format_func=TOKENIZER_LABELS.get, key="train-tokenizer", disabled=locked,
                            help="Automatic picks jieba words for Chinese data and the tweet tokenizer otherwise.")
    if tokenizer != "auto":
        params["tokenizer"] = tokenizer
if params.get("pretrained_embeddings"):
    params.pop("embedding_dim", None)
write_form_to_url({key: st.session_state.get(key) for key in FORM_FIELDS}, preset)
name = st.text_input("Run name (optional)", key="train-name", placeholder="e.g. gru-movies")
name_problem = None
if name:
    try:
        validate_name(name)
    except RnnclfError as error:
        name_problem = str(error)
        st.error(name_problem)

# ------------------------------------------------------------------- start
st.subheader("3 · Train")
if st.button("Start training", type="primary", key="train-start", disabled=bool(problem or name_problem or running)):
    data_name = source_arguments[1] if source_arguments[0] == "--dataset" else "uploaded CSV"
    label = f"Training {params['cell_type'].upper()} on {data_name}"
    launch_job("train", "train_job", train_arguments(source_arguments, params, name or None), label)
    st.rerun()
if running:
    st.caption("Training runs in the background: you can switch pages or reload; it keeps going.")

if job is not None:
    status = job_monitor(job, live=live_training_curves)
    output = (job.result or {}).get("output")
    if status == "succeeded" and isinstance(output, dict) and output.get("run"):
        run = output["run"]
        st.markdown(f"#### Test results of **{run}**")
        for warning in output.get("warnings") or []:
            st.warning(warning)
        render_metrics(output.get("metrics") or {}, key=f"train-{run}")
        if st.button("Use this model on Classify", key="train-use", type="primary"):
            set_active_model(run)
            flash(f"Classify now uses **{run}**.")
            st.switch_page("pages/classify.py")
