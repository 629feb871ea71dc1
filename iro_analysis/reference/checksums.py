"""Checking reference files against the ``SHA256SUMS`` published beside them.

A mirror of the published files may carry a ``SHA256SUMS`` file (``sha256sum`` format: the hex
digest, two spaces or `` *``, then the file name, optionally ``./``-prefixed or in a sub-folder).
A truncated download is otherwise read without complaint and gives blank benchmark rows, so every
loader checks the file it reads against the nearest ``SHA256SUMS`` that lists it (the file's own
folder, then up to two folders above).

Digests are cached by (path, size, modification time): a report reads each file many times and
hashes it once; a file replaced on disk is hashed again.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from ..errors import ReferenceDataError

__all__ = ["SUMS_FILE", "checksum_status", "verify_reference_file"]

SUMS_FILE = "SHA256SUMS"


@functools.lru_cache(maxsize=64)
def _read_sums(path: str, mtime_ns: int, size: int) -> dict[str, str]:
    sums: dict[str, str] = {}
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return sums
    for line in text.splitlines():
        parts = line.strip().split(None, 1)
        if len(parts) != 2 or len(parts[0]) != 64:
            continue
        name = parts[1].lstrip("*").strip()
        name = name[2:] if name.startswith("./") else name
        sums[name] = parts[0].lower()
    return sums


def _expected(path: Path) -> tuple[str, Path] | None:
    """The digest listed for ``path`` and the SHA256SUMS listing it, if any."""
    for folder in [path.parent, *list(path.parent.parents)[:2]]:
        sums_path = folder / SUMS_FILE
        try:
            st = sums_path.stat()
        except OSError:
            continue
        sums = _read_sums(str(sums_path), st.st_mtime_ns, st.st_size)
        digest = sums.get(path.relative_to(folder).as_posix())
        if digest is not None:
            return digest, sums_path
    return None


@functools.lru_cache(maxsize=256)
def _digest(path: str, mtime_ns: int, size: int) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def checksum_status(path) -> str:
    """Whether a reference file matches its ``SHA256SUMS`` entry.

    Parameters
    ----------
    path : path
        The file.

    Returns
    -------
    str
        ``"ok"`` (listed and matching), ``"unchecked"`` (no ``SHA256SUMS`` lists it) or
        ``"corrupt"`` (listed with another digest: truncated, edited or replaced).
    """
    path = Path(path).resolve()
    expected = _expected(path)
    if expected is None:
        return "unchecked"
    st = path.stat()
    return "ok" if _digest(str(path), st.st_mtime_ns, st.st_size) == expected[0] else "corrupt"


def verify_reference_file(path, *, url: str | None = None) -> Path:
    """Raise if a reference file does not match its ``SHA256SUMS`` entry.

    Parameters
    ----------
    path : path
        The file about to be read.
    url : str, optional
        Where to download it again (named in the message).

    Returns
    -------
    Path
        ``path``, for chaining.

    Raises
    ------
    ReferenceDataError
        Naming the file, the ``SHA256SUMS`` that lists it and what to do.
    """
    path = Path(path)
    if checksum_status(path) == "corrupt":
        _, sums_path = _expected(path.resolve())
        where = f" from {url}" if url else " from its publisher (see `iro-analysis reference`)"
        raise ReferenceDataError(
            f"Reference file {path} is corrupt: its SHA-256 does not match {sums_path} (probably a truncated or "
            f"edited copy). Download it again{where}, or restore it from the mirror it came from."
        )
    return path
