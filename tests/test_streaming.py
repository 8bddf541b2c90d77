"""Streaming prediction: chunks in input order, one chunk in memory at a time, outputs complete or clearly partial."""

from __future__ import annotations

import json

import pytest

from rnnclf.batch import predict_records
from rnnclf.cli import main
from rnnclf.streaming import (
    PredictionWriter,
    TextChunk,
    read_csv_chunks,
    read_text_chunks,
    stream_predictions,
)
from tests.conftest import marker_texts


def _texts(chunks):
    return [text for chunk in chunks for text in chunk.texts]


def test_text_lines_in_chunks_keep_order_and_number_bad_lines_over_the_whole_file(tmp_path):
    path = tmp_path / "texts.txt"
    path.write_bytes(b"\xef\xbb\xbfone\r\ntwo\nthree\nfo\xffur\nfive\n\nseven")
    chunks = list(read_text_chunks(path, chunk_rows=3))
    assert [(chunk.start, len(chunk.texts)) for chunk in chunks] == [(0, 3), (3, 3), (6, 1)]
    assert _texts(chunks) == ["one", "two", "three", "fo\ufffdur", "five", "", "seven"]
    assert chunks[1].problems == {0: "line 4 is not valid UTF-8 (byte 0xff at position 3): not classified; save the file as UTF-8"}
    assert chunks[-1].bytes_read == path.stat().st_size


def test_utf16_text_files_are_chunked_too(tmp_path):
    path = tmp_path / "texts.txt"
    path.write_bytes("zing café\nblorp\n".encode("utf-16"))
    assert _texts(read_text_chunks(path, chunk_rows=1)) == ["zing café", "blorp"]


def test_a_csv_bigger_than_the_sample_is_read_whole_with_quotes_and_empty_cells(tmp_path):
    rows = [f'"{index}, with a comma",{index % 2}' if index % 7 else f",{index % 2}" for index in range(4000)]
    path = tmp_path / "big.csv"
    path.write_text("text,label\n" + "\n".join(rows) + "\n", encoding="utf-8")
    assert path.stat().st_size > 65536
    texts = _texts(read_csv_chunks(path, "text", chunk_rows=1000))
    assert len(texts) == 4000
    assert texts[1] == "1, with a comma" and texts[7] == "" and texts[3999] == "3999, with a comma"


def test_streamed_rows_equal_one_batch_and_each_chunk_is_written_before_the_next_is_read(trained_gru):
    texts, _ = marker_texts(23, seed=5)
    texts[4] = "   "
    events = []

    def chunks():
        for start in range(0, len(texts), 5):
            events.append(("read", start))
            yield TextChunk(start, texts[start:start + 5], {1: "unreadable"} if start == 10 else {})
    rows = []

    def write(batch):
        events.append(("write", len(batch)))
        rows.extend(batch)

    summary = stream_predictions(trained_gru, chunks(), write)
    expected = predict_records(trained_gru, texts, problems={11: "unreadable"})
    assert [row.get("label") for row in rows] == [row.get("label") for row in expected]
    assert [row.get("error") for row in rows] == [row.get("error") for row in expected]
    assert [kind for kind, _ in events] == ["read", "write"] * 5  # never two chunks held at once
    assert (summary.rows, summary.classified, summary.empty, summary.undecodable) == (23, 21, 1, [11])
    assert summary.skipped_note() == ("note: 2 of 23 lines were not classified (1 empty, 1 not valid UTF-8: line 12); "
                                      "see the 'error' field")


def test_writer_renames_only_a_finished_output_and_keeps_complete_rows_of_an_interrupted_one(tmp_path):
    output = tmp_path / "out.jsonl"
    output.write_text("previous results\n", encoding="utf-8")
    row = {"text": "zing", "label": "positive", "probabilities": {"negative": 0.1, "positive": 0.9}}
    with pytest.raises(KeyboardInterrupt):
        with PredictionWriter(["negative", "positive"], as_json=True, path=output) as writer:
            writer.write([row, row])
            raise KeyboardInterrupt
    assert output.read_text(encoding="utf-8") == "previous results\n"
    partial = tmp_path / "out.jsonl.partial"
    assert [json.loads(line)["label"] for line in partial.read_text(encoding="utf-8").splitlines()] == ["positive"] * 2
    with pytest.raises(RuntimeError):
        with PredictionWriter(["negative", "positive"], as_json=False, path=tmp_path / "none.csv"):
            raise RuntimeError("failed before any row")
    assert not (tmp_path / "none.csv.partial").exists() and not (tmp_path / "none.csv").exists()
    with PredictionWriter(["negative", "positive"], as_json=False, path=output) as writer:
        writer.write([row])
    assert output.read_text(encoding="utf-8").splitlines()[0].startswith("text,label,p_negative,p_positive,")
    assert not partial.exists()  # a finished run replaces an interrupted run's leftovers


def test_cli_interrupted_mid_file_says_where_the_rows_are(trained_gru, tmp_path, monkeypatch, capsys):
    import rnnclf.streaming as streaming

    run = trained_gru.save(tmp_path / "run")
    texts = tmp_path / "texts.txt"
    texts.write_text("\n".join(["zing day"] * 5000) + "\n", encoding="utf-8")
    calls = []
    original = streaming.predict_records

    def interrupted(classifier, chunk, problems=None):
        calls.append(len(chunk))
        if len(calls) == 2:
            raise KeyboardInterrupt
        return original(classifier, chunk, problems=problems)

    monkeypatch.setattr(streaming, "predict_records", interrupted)
    output = tmp_path / "out.csv"
    code = main(["predict", "--model", str(run), "--input", str(texts), "--output", str(output)])
    err = capsys.readouterr().err
    assert code == 130 and not output.exists()
    assert f"interrupted: the {output}.partial file holds the rows classified so far (every row complete); {output} was not written." in err
    lines = (tmp_path / "out.csv.partial").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 + calls[0] and all(line.startswith("zing day,positive,") for line in lines[1:])
