"""Scoring a dask.dataframe on a local cluster of two worker processes gives the single-process results."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rnnclf.batch import predictions_frame
from rnnclf.errors import InputError
from tests.conftest import marker_texts

pytestmark = pytest.mark.slow


def test_two_workers_score_every_partition_like_one_process(trained_gru, tmp_path):
    import dask.dataframe as dd
    from distributed import Client, LocalCluster

    from rnnclf.dask import predict_dataframe

    run = trained_gru.save(tmp_path / "run")
    texts, _ = marker_texts(90, seed=7)
    texts[5] = "   "
    frame = pd.DataFrame({"id": np.arange(90) * 10, "review": texts, "label": ["kept"] * 90})
    expected = predictions_frame(trained_gru, texts, source=frame.drop(columns=["review"]))
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, Client(cluster) as client:
        scored = predict_dataframe(dd.from_pandas(frame, npartitions=4), run, text_column="review")
        assert list(scored.columns) == list(expected.columns)
        result = scored.compute()
        loaded = client.run(lambda: sorted(__import__("rnnclf.dask", fromlist=["_LOADED"])._LOADED))
    # Two worker processes; each loaded the run at most once, however many partitions it scored.
    assert len(loaded) == 2 and all(len(runs) <= 1 for runs in loaded.values())
    assert {run_path for runs in loaded.values() for run_path in runs} == {str(run)}
    assert result.index.tolist() == frame.index.tolist()
    assert result["input_label"].tolist() == ["kept"] * 90 and result["id"].tolist() == frame["id"].tolist()
    assert result["label"].tolist() == expected["label"].tolist()
    assert result["error"].tolist() == expected["error"].tolist()
    np.testing.assert_allclose(result["p_positive"].astype(float).fillna(-1), expected["p_positive"].astype(float).fillna(-1), atol=1e-6)


def test_a_missing_text_column_is_named(trained_gru, tmp_path):
    import dask.dataframe as dd

    from rnnclf.dask import predict_dataframe

    run = trained_gru.save(tmp_path / "run")
    frame = dd.from_pandas(pd.DataFrame({"body": ["zing"]}), npartitions=1)
    with pytest.raises(InputError, match=r"^The frame has no column 'text'; its columns are \['body'\]\. Pass the one"):
        predict_dataframe(frame, run)
