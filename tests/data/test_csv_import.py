"""Reading a user's CSV/TSV: sniffing, encodings, column guesses, drops and errors."""

from __future__ import annotations

import io

import pytest

from rnnclf.data.csv_import import read_table, read_table_bytes
from rnnclf.errors import DatasetError


def _write(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("data", "delimiter", "first_text"),
    [
        (b"text,label\n\"Nice, really\",pos\nAwful,neg\n", ",", "Nice, really"),
        (b"text;label\nNice, really;pos\nAwful;neg\n", ";", "Nice, really"),
        (b"text\tlabel\nNice, really\tpos\nAwful\tneg\n", "\t", "Nice, really"),
        (b"text|label\nNice; really|pos\nAwful|neg\n", "|", "Nice; really"),
    ],
)
def test_delimiters_are_sniffed(tmp_path, data, delimiter, first_text):
    table = read_table(_write(tmp_path, "reviews.csv", data))
    assert table.delimiter == delimiter
    assert table.dataframe.values.tolist() == [[first_text, "pos"], ["Awful", "neg"]]


def test_encoding_fallbacks_are_reported(tmp_path):
    utf8 = read_table(_write(tmp_path, "a.csv", "text,label\ncafé,a\nthé,b\n".encode("utf-8")))
    bom = read_table(_write(tmp_path, "b.csv", "text,label\ncafé,a\nthé,b\n".encode("utf-8-sig")))
    latin = read_table(_write(tmp_path, "c.csv", "text,label\ncafé,a\nthé,b\n".encode("latin-1")))
    assert (utf8.encoding, bom.encoding, latin.encoding) == ("utf-8", "utf-8-sig", "latin-1")
    for table in (utf8, bom, latin):
        assert table.columns == ["text", "label"]  # no BOM glued to the first column name
        assert table.dataframe["text"].tolist() == ["café", "thé"]


def test_columns_are_suggested_and_can_be_overridden():
    data = (
        b"id,title,review,stars,source\n"
        b"1,Good,A long and lovely review of the film,5,web\n"
        b"2,Bad,A long and rather dreadful review text,1,web\n"
        b"3,Fine,Another fairly long review about it,5,app\n"
    )
    table = read_table_bytes(data, "reviews.csv")
    assert (table.suggested_text_column, table.suggested_label_column) == ("review", "stars")
    assert table.dataframe["label"].tolist() == [5, 1, 5]
    assert table.dataframe["label"].dtype == "int64"
    chosen = read_table_bytes(data, "reviews.csv", text_column="title", label_column="source")
    assert chosen.dataframe.values.tolist() == [["Good", "web"], ["Bad", "web"], ["Fine", "app"]]
    assert chosen.suggested_text_column == "review"


def test_a_column_named_label_is_preferred():
    data = b"text,group,label\nfirst text here,x,a\nsecond text here,y,b\nthird text,x,c\n"
    assert read_table_bytes(data, "f.csv").label_column == "label"


def test_string_labels_stay_strings():
    table = read_table_bytes(b"text,label\nhi,1.5\nho,2\n", "f.csv")
    assert table.dataframe["label"].tolist() == ["1.5", "2"]


def test_empty_texts_and_missing_labels_are_dropped_and_counted():
    data = b"text,label\nkeep me,a\n,b\n   ,a\nno label,\nalso none,NA\nkeep too,b\n"
    table = read_table_bytes(data, "f.csv")
    assert table.dataframe.values.tolist() == [["keep me", "a"], ["keep too", "b"]]
    assert (table.dropped_empty_texts, table.dropped_missing_labels, table.rows_read) == (2, 2, 6)
    assert table.summary()["class_counts"] == {"a": 1, "b": 1}


def test_file_like_objects_are_accepted():
    upload = io.BytesIO(b"text\tlabel\nyes\tp\nno\tn\n")
    table = read_table(upload, name="upload.tsv")
    assert table.delimiter == "\t" and len(table.dataframe) == 2


def test_texts_only_for_prediction():
    table = read_table_bytes(b"text\nfirst, with comma\nsecond\n", "t.csv", text_column="text", require_labels=False)
    assert table.dataframe.columns.tolist() == ["text"]
    assert table.dataframe["text"].tolist() == ["first, with comma", "second"]
    assert table.label_column is None


def test_missing_file(tmp_path):
    with pytest.raises(DatasetError, match="File not found"):
        read_table(tmp_path / "nope.csv")


def test_binary_file_is_not_a_table(tmp_path):
    with pytest.raises(DatasetError, match="binary data"):
        read_table(_write(tmp_path, "sheet.xlsx", b"PK\x03\x04\x14\x00\x00\x00\x08\x00binary"))


def test_one_column_is_not_a_table():
    with pytest.raises(DatasetError, match="at least two columns"):
        read_table_bytes(b"text\nhello\nworld\n", "one.csv")


def test_missing_column_lists_existing_columns():
    with pytest.raises(DatasetError) as error:
        read_table_bytes(b"sentence,label\nhi,a\nho,b\n", "f.csv", text_column="text")
    assert "'text'" in str(error.value) and "'sentence', 'label'" in str(error.value)


def test_fewer_than_two_classes():
    with pytest.raises(DatasetError, match=r"only 'pos'.*at least 2 classes"):
        read_table_bytes(b"text,label\nhi,pos\nho,pos\nhu,\n", "f.csv", label_column="label")


def test_size_limit(tmp_path):
    path = _write(tmp_path, "big.csv", b"text,label\n" + b"some text,a\n" * 100)
    with pytest.raises(DatasetError, match="over the .* limit"):
        read_table(path, max_bytes=500)
    with pytest.raises(DatasetError, match="over the .* limit"):
        read_table(io.BytesIO(path.read_bytes()), max_bytes=500)


def test_empty_file():
    with pytest.raises(DatasetError, match="empty"):
        read_table_bytes(b"  \n", "blank.csv")
