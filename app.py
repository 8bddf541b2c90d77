"""rnnclf dashboard entry point: `streamlit run app.py`."""

import streamlit as st

st.set_page_config(page_title="rnnclf", page_icon="🔁", layout="wide")
st.title("rnnclf — text classification with recurrent networks")
st.write(
    "Train SimpleRNN, LSTM and GRU classifiers on your own CSV or a built-in corpus, "
    "compare the cell types, and see which words drive each prediction."
)
st.subheader("From the command line")
st.code(
    "rnnclf train --csv data/examples/reviews.csv --cell gru --epochs 3 --name my-run\n"
    'rnnclf predict --model my-run --text "The staff were lovely" --json',
    language="bash",
)
