"""rnnclf dashboard: `streamlit run app.py` (or `make app`).

Page config, navigation over pages/, and the sidebar showing the active model.
"""

import streamlit as st

from rnnclf.ui.sidebar import render_sidebar
from rnnclf.ui.state import init_state, read_url, write_url
from rnnclf.ui.training import drop_form_from_url

st.set_page_config(page_title="rnnclf — RNN text classification", page_icon="🔁", layout="wide")
init_state()
read_url()  # ?model=…&dataset=… from a bookmark, a shared link or a reload

page = st.navigation(
    [
        st.Page("pages/classify.py", title="Classify", icon=":material/text_fields:", default=True),
        st.Page("pages/train.py", title="Train", icon=":material/model_training:"),
        st.Page("pages/compare.py", title="Compare", icon=":material/compare_arrows:"),
        st.Page("pages/datasets.py", title="Datasets", icon=":material/dataset:"),
        st.Page("pages/models.py", title="Models", icon=":material/inventory_2:"),
    ]
)
render_sidebar()
write_url()
if page.url_path != "train":
    drop_form_from_url()  # the Train form's parameters belong to the Train page's URL only
page.run()
