"""Time estimates for running jobs: measured from the work's own progress, never from start-up."""

import pytest

from rnnclf.ui.jobs import format_duration, time_estimate


def test_start_up_time_does_not_count_towards_the_rate():
    # 60 s of start-up (TensorFlow, data), then 10 % of the work every 10 s.
    events = [{"time": 160.0, "fraction": 0.1}, {"time": 170.0, "fraction": 0.2}, {"time": 180.0, "fraction": 0.3}]
    assert time_estimate(100.0, events, now=180.0) == (80.0, pytest.approx(70.0))


def test_no_estimate_before_there_is_a_rate():
    assert time_estimate(0.0, [], now=5.0) == (5.0, None)
    assert time_estimate(0.0, [{"time": 1.0, "stage": "loading"}, {"time": 3.0, "fraction": 0.5}], now=4.0) == (4.0, None)
    assert time_estimate(0.0, [{"time": 1.0, "fraction": 0.10}, {"time": 9.0, "fraction": 0.11}], now=9.0)[1] is None


def test_overall_fraction_wins_and_a_finished_fraction_leaves_nothing():
    events = [{"time": 0.0, "fraction": 0.9, "overall_fraction": 0.2}, {"time": 10.0, "fraction": 0.1, "overall_fraction": 1.0}]
    assert time_estimate(0.0, events, now=10.0) == (10.0, 0.0)


@pytest.mark.parametrize(("seconds", "text"), [(-3, "0 s"), (59.4, "59 s"), (60, "1 min 00 s"), (3599, "59 min 59 s"), (7260, "2 h 01 min")])
def test_durations_read_like_a_person_would_say_them(seconds, text):
    assert format_duration(seconds) == text
