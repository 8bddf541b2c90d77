"""Classify: type a text, get the label, per-class probabilities and which words drove it."""

import streamlit as st

from rnnclf.batch import predictions_frame
from rnnclf.data.csv_import import read_table_bytes
from rnnclf.errors import DatasetError, RnnclfError
from rnnclf.interpret.analysis import METHOD_LABELS, analyze_text
from rnnclf.store import RunError, route_bundled_model
from rnnclf.ui import plots
from rnnclf.ui.models import load_active_classifier, load_classifier
from rnnclf.ui.state import keep_widget_values, leave_legacy_page_mode, show_flash
from rnnclf.ui.text_views import EXPANDER_LABEL, show_inside_the_rnn, show_what_if

leave_legacy_page_mode()  # a page URL opened first on a fresh server still runs through app.py

# Written for this app: everyday sentences that show off attribution, in both languages the
# bundled models read (a Chinese one switches to the Chinese model when it is installed).
EXAMPLES = [
    "The waiter was friendly and the pasta was delicious.",
    "My new phone keeps freezing and support never answered my emails.",
    "What a beautiful morning for a walk by the river!",
    "The film started well, but the ending was a boring mess.",
    "The hotel was not bad at all, and the staff were really helpful.",
    "快递很快，包装也很用心，下次还会再来买。",
    "用了两天就坏了，客服一直不回消息，太失望了。",
]

st.title("Classify")
show_flash()
keep_widget_values("classify_text", "classify-method", "classify-target", "classify-example")
try:
    model_name, classifier = load_active_classifier()
except RunError as error:
    st.error(f"The model cannot be loaded: {error}  \nPick another model in the sidebar or on the **Models** page.")
    st.stop()

single_tab, batch_tab = st.tabs(["One text", "Many texts (CSV)"])

with single_tab:
    st.caption("Pick an example or type your own text.")
    example = st.pills("Examples", EXAMPLES, key="classify-example", label_visibility="collapsed")
    if example and st.session_state.get("classify-last-example") != example:
        st.session_state["classify_text"] = example
        st.session_state["classify-last-example"] = example
    text = st.text_area("Text", key="classify_text", height=110, placeholder="e.g. The staff were lovely but the room was cold.")
    # The answer follows the text box (Ctrl+Enter or leaving it); the button is there for people who look for one.
    st.button("Classify", type="primary", key="classify-go")
    left, right = st.columns(2)
    method = left.selectbox("Explain with", list(METHOD_LABELS), format_func=METHOD_LABELS.get, key="classify-method")
    target_choice = right.selectbox("Class to explain", ["predicted class", *classifier.class_names], key="classify-target")
    target = None if target_choice == "predicted class" else classifier.classes_[classifier.class_names.index(target_choice)]

    if not text.strip():
        st.info("The text is empty: type a sentence above or pick an example.")
    else:
        answering, routed = route_bundled_model(model_name, text)
        if routed:
            try:
                classifier = load_classifier(answering)
                st.info(routed)
            except RunError as error:
                st.warning(f"{routed} — but it cannot be loaded ({error}); the active model answers instead.")
        if target is not None and target not in classifier.classes_:
            target = None
        try:
            analysis = analyze_text(classifier, text, method=method, target=target)
        except RnnclfError as error:
            st.error(str(error))
        else:
            explanation = analysis.explanation
            coverage = explanation.coverage
            guess = coverage["total_tokens"] > 0 and coverage["known_tokens"] == 0
            for warning in explanation.warnings:
                (st.error if guess and warning == explanation.warnings[0] else st.warning)(warning)
            for note in analysis.notes:
                st.warning(note)
            probabilities = explanation.probabilities
            label = str(explanation.predicted)
            top, chart = st.columns([1, 2])
            if guess:
                top.metric("A guess, not a prediction", label, f"knows 0 of {coverage['total_tokens']} words", delta_color="off")
            else:
                top.metric("Prediction", label, f"{probabilities[label]:.1%} confident", delta_color="off")
            unknown = coverage["unknown_tokens"]
            top.caption(
                f"Known words: {coverage['known_tokens']} of {coverage['total_tokens']} ({coverage['coverage']:.0%})"
                + (f" · unknown ⁽?⁾: {', '.join(unknown[:8])}{' …' if len(unknown) > 8 else ''}" if unknown else "")
                + f"  \n{METHOD_LABELS[method]} · {analysis.seconds * 1000:.0f} ms"
            )
            chart.plotly_chart(plots.probability_bars(probabilities, highlight=label), key="classify-probabilities")

            st.markdown(f"**Which words pushed towards _{explanation.target}_** (blue = towards, red = against)")
            completeness = explanation.completeness or {}
            if completeness and not completeness.get("converged", True):
                st.warning(
                    f"Integrated gradients did not converge on this text: its scores add up to "
                    f"{completeness['attribution_sum']:+.3f}, but the prediction moved {completeness['prediction_difference']:+.3f} "
                    f"from the baseline (error {completeness['relative_error']:.0%}). Read these scores with care; "
                    "occlusion measures each word directly."
                )
                st.button("Explain with occlusion instead", key="classify-use-occlusion",
                          on_click=lambda: st.session_state.update({"classify-method": "occlusion"}))
            unknown_flags = [token_id == 1 for token_id in explanation.token_ids]  # 1 = <unk>
            st.plotly_chart(plots.token_heatmap(explanation.tokens, explanation.scores, unknown=unknown_flags), key="classify-heatmap")
            if any(unknown_flags):
                st.caption("⁽?⁾ marks words the model does not know: it reads them all as the same unknown word.")
            bars, trajectory = st.columns(2)
            bars.plotly_chart(plots.score_bars(explanation.tokens, explanation.scores, top_k=15, unknown=unknown_flags),
                              key="classify-bars")
            trajectory.plotly_chart(plots.trajectory_figure(analysis.trajectory), key="classify-trajectory")
            trajectory.caption("The prediction after reading each word: how the RNN's opinion forms as it reads.")

            with st.expander("What if… remove or replace one word"):
                show_what_if(classifier, text, explanation.tokens, explanation.scores)
            with st.expander(EXPANDER_LABEL):
                show_inside_the_rnn(classifier, text, analysis.trajectory)

            with st.expander("Can this explanation be trusted? (completeness and faithfulness)"):
                if explanation.completeness:
                    c = explanation.completeness
                    st.markdown(
                        f"**Completeness** (integrated gradients): the scores add up to {c['attribution_sum']:+.4f}; "
                        f"the model's output moved {c['prediction_difference']:+.4f} from the baseline — "
                        f"relative error {c['relative_error']:.1%}."
                    )
                if analysis.deletion is not None:
                    curve = analysis.deletion
                    st.markdown(
                        f"**Deletion test**: removing words in the explanation's order lowers the probability of "
                        f"_{curve.target}_ faster than random order when the explanation is faithful. "
                        f"AOPC {curve.aopc:.3f} vs random {curve.random_aopc:.3f} (higher is better)."
                    )
                    st.plotly_chart(plots.deletion_figure(curve), key="classify-deletion")

with batch_tab:
    upload = st.file_uploader("A CSV/TSV with a column of texts (or a plain text file, one text per line)",
                              type=["csv", "tsv", "txt"], key="classify-upload")
    if upload is not None:
        try:
            table = read_table_bytes(upload.getvalue(), upload.name, require_labels=False)
            column = st.selectbox("Text column", table.columns, index=table.columns.index(table.text_column), key="classify-column")
            table = read_table_bytes(upload.getvalue(), upload.name, text_column=column, require_labels=False)
        except DatasetError as error:
            st.error(str(error))
        else:
            texts = table.dataframe["text"].tolist()
            if table.dropped_empty_texts > table.rows_read / 2:
                st.warning(f"Column {column!r} is empty in {table.dropped_empty_texts:,} of {table.rows_read:,} rows: "
                           "is it the column with the texts?")
            bar = st.progress(0.0, text=f"Classifying {len(texts):,} texts…")
            source = table.rows.drop(columns=[table.text_column])
            frame = predictions_frame(classifier, texts, source=source, digits=4,
                                      progress=lambda done: bar.progress(done, text=f"Classifying {len(texts):,} texts… {done:.0%}"))
            bar.empty()
            counts = frame["label"].value_counts()
            st.success(f"Classified {counts.sum():,} texts with **{model_name}**: "
                       + ", ".join(f"{label} {count:,}" for label, count in counts.items()))
            guesses = int(frame["warnings"].fillna("").str.contains("this answer is a guess").sum())
            if guesses:
                st.warning(f"{guesses:,} answers are guesses: the model knows none of their words (see 'warnings').")
            if table.dropped_empty_texts:
                st.caption(f"{table.dropped_empty_texts} empty rows were skipped.")
            st.dataframe(frame, hide_index=True, key="classify-batch-table")
            st.download_button("Download predictions (CSV)", frame.to_csv(index=False).encode("utf-8"),
                               file_name="predictions.csv", mime="text/csv", key="classify-download")
