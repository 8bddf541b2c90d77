"""The Compare page's memory probe: started as a background job, followed live, its result drawn from the job's output."""

from __future__ import annotations

from rnnclf.experiments.probe_tables import first_cue_summary, first_cue_table
from tests.app.conftest import make_app, texts_of
from tests.app.test_other_pages import wait_for_job


def test_the_memory_probe_runs_as_a_job_shows_its_progress_and_then_its_result():
    app = make_app("pages/compare.py")
    assert "Memory probe" in [element.value for element in app.subheader]
    # Small defaults, held in the session.
    assert app.multiselect(key="probe-cells").value == ["rnn", "lstm", "gru"]
    assert (app.number_input(key="probe-length").value, app.number_input(key="probe-seeds").value,
            app.number_input(key="probe-epochs").value, app.number_input(key="probe-train-size").value) == (40, 2, 12, 2000)
    app.multiselect(key="probe-cells").set_value(["rnn", "gru"]).run()
    app.number_input(key="probe-length").set_value(10).run()
    app.number_input(key="probe-epochs").set_value(1).run()
    app.number_input(key="probe-train-size").set_value(200).run()
    assert "4 training runs" in texts_of(app.caption)
    app.button(key="probe-start").click().run()
    assert not app.exception

    # The job started at once (TensorFlow alone takes seconds to load): the page follows it and locks the button.
    from rnnclf.cli.jobs import list_jobs

    job = list_jobs("probe")[0]
    assert job.spec["arguments"] == ["probe", "--json", "--cells", "rnn,gru", "--length", "10", "--seeds", "2",
                                     "--epochs", "1", "--train-size", "200", "--distractors", "3"]
    if job.status == "running":
        progress = app.get("progress")
        assert progress and progress[0].proto.text.startswith("Memory probe of SimpleRNN, GRU: ")
        assert app.button(key="probe-start").disabled

    job = wait_for_job("probe", job_id=job.id)
    assert job.status == "succeeded", job.log_tail()
    app.run()
    assert not app.exception
    result = job.result["output"]
    assert result["seeds"] == [0, 1] and list(result["cells"]) == ["rnn", "gru"] and result["length"] == 10
    assert "Memory probe of SimpleRNN, GRU: finished." in texts_of(app.success)
    # Every model's accuracy was shown as it came in, and the outcome in words is the one computed from the result.
    assert first_cue_summary(result) in texts_of(app.markdown)
    assert "SimpleRNN seed 1 — mean accuracy" in texts_of(app.caption)
    header, rows = first_cue_table(result)
    table = app.dataframe[-1].value
    assert list(table.columns) == header[1:] and list(table.index) == [row[0] for row in rows]
    assert table.iloc[0].tolist() == rows[0][1:]
    assert len(app.get("plotly_chart")) >= 1
