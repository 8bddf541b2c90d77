"""BENCHMARKS.md section 13 from small fake results: slopes, extrapolations and verdicts are the results'."""

from __future__ import annotations

import pytest

from tests.bench import load_bench_script


@pytest.fixture(scope="module")
def summarize():
    return load_bench_script("summarize")


def measured(rss: float, rows_per_second: float, **more) -> dict:
    return {"peak_rss_mb": rss, "rows_per_second": rows_per_second, "seconds": 1.0, **more}


def fake_results(stream_rss=(700.0, 800.0), memory_rss=(900.0, 1300.0), train_speed=(900.0, 1000.0)) -> dict:
    rows = []
    for index, size in enumerate((100_000, 300_000)):
        rows.append({"rows": size, "input_mb": size / 10_000,
                     "train_streaming": measured(stream_rss[index], train_speed[index], epoch_rows_per_second=2000.0),
                     "train_in_memory": measured(memory_rss[index], 1000.0, epoch_rows_per_second=2100.0),
                     "predict_streaming": measured(650.0, 3000.0),
                     "predict_in_memory": measured(700.0 + index * 200, 3100.0)})
    return {"recipe": {"preset": "quick", "epochs": 1}, "rows": rows,
            "machine": {"date": "2026-12-02 10:00", "python": "3.11.7", "cpus": 2}}


def test_slopes_and_extrapolations_are_least_squares_over_the_sizes(summarize):
    analysis = summarize.scale_analysis(fake_results())
    stream = analysis["fits"]["train_streaming"]
    # 100 MB more over 200,000 rows: 0.5 KB per row; the line through (100k, 700) reaches 1,150 MB at 1M, 5,650 at 10M.
    assert stream["kb_per_row"] == pytest.approx(100 * 1024 / 200_000)
    assert stream["at_1m_mb"] == pytest.approx(1150.0) and stream["at_10m_mb"] == pytest.approx(5650.0)
    assert analysis["verdicts"]["train_rss_1m"] == {"value": pytest.approx(1150.0), "basis": "by slope", "met": True}
    assert analysis["verdicts"]["train_rss_10m"]["met"] is False
    assert analysis["verdicts"]["train_speed"] == {"value": pytest.approx(0.9), "basis": "lowest of 2 size(s), at 100,000 rows",
                                                   "met": True}
    assert analysis["fits"]["predict_streaming"]["kb_per_row"] == 0


def test_flat_streaming_meets_every_verdict_and_a_slow_one_misses_speed(summarize):
    flat = summarize.scale_analysis(fake_results(stream_rss=(700.0, 700.5)))
    assert all(entry["met"] for entry in flat["verdicts"].values())
    slow = summarize.scale_analysis(fake_results(train_speed=(790.0, 1000.0)))
    assert slow["verdicts"]["train_speed"]["met"] is False
    assert "Streaming training rows/s ≥ 80% of in-memory: 79% (lowest of 2 size(s), at 100,000 rows) — **not met**." in slow["lines"]


def test_a_measured_million_beats_the_slope_and_a_refused_in_memory_run_is_shown(summarize):
    results = fake_results()
    results["rows"].append({"rows": 1_000_000, "input_mb": 100.0, "train_streaming": measured(760.0, 950.0),
                            "train_in_memory": {"refused": "over the in-memory limit"},
                            "predict_streaming": measured(660.0, 3000.0), "predict_in_memory": measured(2000.0, 3000.0)})
    analysis = summarize.scale_analysis(results)
    assert analysis["verdicts"]["train_rss_1m"] == {"value": 760.0, "basis": "measured", "met": True}
    assert analysis["verdicts"]["train_speed"]["basis"] == "lowest of 2 size(s), at 100,000 rows"  # the 1M row had no pair
    text = summarize.scale_section(results)
    assert "| 1,000,000 | 100.0 | 760 | 950 | refused | - | - | - | 660 | 3,000 | 2,000 | 3,000 |" in text
    assert text.splitlines()[0] == "## 13. Streaming training: memory and speed as a labelled CSV grows"
    assert text.splitlines()[-1].startswith("_2026-12-02 10:00 · Python 3.11.7")


def test_section_13_without_results_gives_the_command(summarize):
    assert summarize.scale_section(None).endswith("Not run yet: `.venv/bin/python bench/bench_scale.py`.")
    assert "## 13. Streaming training" in summarize.render()


def test_the_generated_csv_resamples_the_pool_with_word_dropout(tmp_path):
    import csv

    bench_scale = load_bench_script("bench_scale")
    pool = [("alpha beta gamma delta epsilon zeta eta theta", "pos"), ("one two three four five six seven", "neg")]
    path = tmp_path / "generated.csv"
    bench_scale.write_labelled_csv(path, 400, pool, seed=1)
    with open(path, encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert len(rows) == 400 and {row["label"] for row in rows} == {"pos", "neg"}
    originals = dict((label, text.split()) for text, label in pool)
    kept = [len(row["text"].split()) / len(originals[row["label"]]) for row in rows]
    assert all(set(row["text"].split()) <= set(originals[row["label"]]) for row in rows)
    assert 0.80 < sum(kept) / len(kept) < 0.90  # 15 % of words dropped on average
