"""Train: pick data and settings, start a background job, watch the curves, use the model."""

import streamlit as st

from rnnclf.data.paths import validate_name
from rnnclf.errors import RnnclfError
from rnnclf.experiments.presets import PRESETS
from rnnclf.ui.data import data_source_picker
from rnnclf.ui.jobs import current_job, job_monitor, launch_job
from rnnclf.ui.render import render_metrics
from rnnclf.ui.state import flash, set_active_model, show_flash
from rnnclf.ui.training import (
    TOKENIZER_LABELS,
    TOKENIZER_OPTIONS,
    live_training_curves,
    train_arguments,
)

st.title("Train a model")
show_flash()

job = current_job("train", "train_job")
running = job is not None and job.status == "running"

# ------------------------------------------------------------------ data
st.subheader("1 · Data")
source_arguments, problem = data_source_picker("train")
if problem:
    st.warning(problem)

# ---------------------------------------------------------------- settings
st.subheader("2 · Model")
preset_names = [name for name in PRESETS if name != "default-sentiment"]
preset = st.selectbox("Preset", preset_names, index=preset_names.index("balanced"), key="train-preset",
                      format_func=lambda name: f"{name} — {PRESETS[name]['description']}")
params = dict(PRESETS[preset]["params"])
left, middle, right = st.columns(3)
params["cell_type"] = left.selectbox("Cell type", ["rnn", "lstm", "gru"], index=["rnn", "lstm", "gru"].index(params.get("cell_type", "lstm")),
                                     format_func={"rnn": "SimpleRNN", "lstm": "LSTM", "gru": "GRU"}.get, key="train-cell")
params["epochs"] = middle.number_input("Max epochs", 1, 100, int(params.get("epochs", 10)), key="train-epochs")
params["units"] = right.number_input("Units", 4, 512, int(params.get("units", 64)), step=8, key="train-units")
with st.expander("Advanced options"):
    a, b, c = st.columns(3)
    params["embedding_dim"] = a.number_input("Embedding size", 8, 300, int(params.get("embedding_dim", 64)), key="train-embedding",
                                             disabled=bool(params.get("pretrained_embeddings")), help="GloVe fixes this at 50.")
    params["num_layers"] = b.number_input("Stacked layers", 1, 4, int(params.get("num_layers", 1)), key="train-layers")
    params["batch_size"] = c.number_input("Batch size", 4, 512, int(params.get("batch_size", 32)), key="train-batch")
    params["dropout"] = a.slider("Dropout", 0.0, 0.8, float(params.get("dropout", 0.0)), 0.05, key="train-dropout")
    params["learning_rate"] = b.number_input("Learning rate", 1e-5, 1.0, float(params.get("learning_rate", 1e-3)), format="%.5f", key="train-lr")
    params["clipnorm"] = c.number_input("Gradient clip norm (0 = off)", 0.0, 100.0, float(params.get("clipnorm", 1.0)), key="train-clip",
                                        help="Clipping the gradient norm keeps BPTT from exploding.")
    params["patience"] = a.number_input("Early-stopping patience", 1, 20, int(params.get("patience", 2)), key="train-patience")
    params["seed"] = b.number_input("Seed", 0, 10_000, int(params.get("seed", 0)), key="train-seed")
    params["bidirectional"] = c.checkbox("Bidirectional", bool(params.get("bidirectional")), key="train-bidirectional")
    params["pretrained_embeddings"] = "glove-6b-50d" if a.checkbox("Start from GloVe 6B 50d", bool(params.get("pretrained_embeddings")), key="train-glove") else None
    if b.checkbox("Balance classes", False, key="train-balance", help="Weight classes by inverse frequency (imbalanced data)."):
        params["class_weight"] = "balanced"
    tokenizer = c.selectbox("Tokenizer", TOKENIZER_OPTIONS, format_func=TOKENIZER_LABELS.get, key="train-tokenizer",
                            help="Automatic picks jieba words for Chinese data and the tweet tokenizer otherwise.")
    if tokenizer != "auto":
        params["tokenizer"] = tokenizer
if params.get("pretrained_embeddings"):
    params.pop("embedding_dim", None)
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
        render_metrics(output.get("metrics") or {}, key=f"train-{run}")
        if st.button("Use this model on Classify", key="train-use", type="primary"):
            set_active_model(run)
            flash(f"Classify now uses **{run}**.")
            st.switch_page("pages/classify.py")
