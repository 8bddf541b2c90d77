"""`rnnclf runs mistakes`: the same mistakes, buckets and CSV as the library, and refusals as `error: …`."""

import json

from rnnclf.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_runs_mistakes_prints_and_writes_what_the_library_computes(mistake_runs, capsys, tmp_path):
    from rnnclf.classifier import load_run
    from rnnclf.mistakes import (
        accuracy_buckets,
        mistakes_csv,
        score_test_part,
        select_mistakes,
    )

    scores = score_test_part(load_run("mistakes-lstm"))
    expected = select_mistakes(scores, true_class="positive")
    output = tmp_path / "out.csv"
    code, out, err = run(capsys, "runs", "mistakes", "mistakes-lstm", "--true", "positive", "--limit", "2",
                         "--csv", str(output), "--json")
    assert code == 0, err
    answer = json.loads(out)
    assert (answer["texts"], answer["mistakes"]) == (len(scores), len(expected))
    assert answer["accuracy_by_length"] == accuracy_buckets(scores)["length"]
    assert answer["accuracy_by_coverage"] == accuracy_buckets(scores)["coverage"]
    assert [row["position"] for row in answer["top"]] == expected.index[:2].tolist()
    assert output.read_text(encoding="utf-8") == mistakes_csv(expected)


def test_runs_mistakes_refuses_a_run_whose_data_is_missing(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("RNNCLF_HOME", str(tmp_path))
    code, out, err = run(capsys, "runs", "mistakes", "default")
    assert code == 2 and out == ""
    assert err == ("error: Run 'default' was tested on the built-in dataset 'everyday-sentiment', which is not fetched here, "
                   "so its test texts cannot be rebuilt. Fetch it (`rnnclf datasets fetch everyday-sentiment`, or on the "
                   "Datasets page) and try again.\n")
    code, _, err = run(capsys, "runs", "mistakes", "default", "--csv", str(tmp_path))
    assert code == 2 and "is a directory: pass a file name such as mistakes.csv" in err
