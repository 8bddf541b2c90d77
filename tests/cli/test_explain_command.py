"""`rnnclf explain` on a tiny saved run."""

import argparse
import json

import pytest

from rnnclf.cli.explain import register


@pytest.fixture(scope="module")
def run_directory(trained_gru, tmp_path_factory):
    return trained_gru.save(tmp_path_factory.mktemp("explain") / "run")


@pytest.fixture
def cli(run_directory, tmp_path, monkeypatch, capsys):
    """Parse like the real CLI, call the handler, return (exit status, stdout)."""
    monkeypatch.setenv("RNNCLF_HOME", str(tmp_path))
    parser = argparse.ArgumentParser(prog="rnnclf")
    register(parser.add_subparsers(dest="command", required=True))

    def run(*arguments):
        args = parser.parse_args(["explain", "--model", str(run_directory), *arguments])
        status = args.handler(args)
        return status, capsys.readouterr().out

    return run


def test_json_output_for_integrated_gradients(cli):
    status, out = cli("--text", "the zing movie", "--method", "ig", "--steps", "40", "--json")
    payload = json.loads(out)
    assert status == 0
    assert payload["tokens"] == ["the", "zing", "movie"] and len(payload["scores"]) == 3
    assert payload["target"] == "positive" and set(payload["probabilities"]) == {"negative", "positive"}
    assert set(payload["completeness"]) >= {"attribution_sum", "prediction_difference", "relative_error"}
    assert payload["completeness"]["attribution_sum"] == pytest.approx(sum(payload["scores"]))
    assert payload["options"]["steps"] == 40 and payload["method"] == "integrated_gradients"


@pytest.mark.parametrize("method", ["gradxinput", "occlusion", "lime"])
def test_other_methods_have_no_completeness(cli, method):
    status, out = cli("--text", "a blorp day", "--method", method, "--target", "negative", "--json")
    payload = json.loads(out)
    assert status == 0 and "completeness" not in payload
    assert payload["target"] == "negative" and payload["tokens"] == ["a", "blorp", "day"]


def test_readable_table(cli):
    status, out = cli("--text", "the zing movie", "--method", "occlusion")
    lines = out.splitlines()
    assert status == 0
    assert lines[0].startswith("target: positive (predicted: positive")
    assert [line.split()[1] for line in lines[2:5]] == ["the", "zing", "movie"]
    assert "+" * 24 in lines[3]  # the strongest token gets the full bar


def test_table_warns_when_integrated_gradients_did_not_converge(cli):
    status, out = cli("--text", "a film blorp day", "--steps", "1")
    assert status == 0 and "completeness: sum of scores" in out
    # --steps 1 is adaptive but still one trapezoid over the jump: far from complete.
    assert "warning: integrated gradients did not converge" in out


def test_user_errors_are_value_errors(cli):
    with pytest.raises(ValueError, match="text is empty"):
        cli("--text", "   ")
    with pytest.raises(ValueError, match="method='shap'"):
        cli("--text", "zing", "--method", "shap")
    with pytest.raises(ValueError, match="Unknown target class 'neutral'"):
        cli("--text", "zing", "--target", "neutral")
    with pytest.raises(ValueError, match="takes no option.*steps"):
        cli("--text", "zing", "--method", "occlusion", "--steps", "5")


def test_wired_into_the_main_cli(run_directory, tmp_path, monkeypatch, capsys):
    from rnnclf.cli import main

    monkeypatch.setenv("RNNCLF_HOME", str(tmp_path))
    assert main(["explain", "--model", str(run_directory), "--text", "zing", "--method", "occlusion", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["tokens"] == ["zing"]
    assert main(["explain", "--model", str(run_directory), "--text", ""]) == 2
    assert "text is empty" in capsys.readouterr().err
