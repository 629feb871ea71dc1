"""Files written whole or not at all, with the permissions a plain ``open`` would give.

The ground floor's one atomic-write implementation: :func:`atomic_write_bytes` writes to a
temporary file in the target's folder and renames it over the target, so a reader (or a report
interrupted half-way) never sees a half-written file. ``export`` (reports, workbooks, restricted
lists), the SSDA903 writer and the manifest all write through it.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["atomic_write_bytes", "atomic_write_text", "process_umask"]


def process_umask() -> int:
    """The process's umask, read without changing it.

    ``os.umask`` can only be read by setting it, which would briefly change the permissions of
    files other report threads are creating. On Linux the value is read from
    ``/proc/self/status``; elsewhere a probe file is created with mode 0o666 and the bits the
    system took away are the umask (the process setting is never touched).

    Examples
    --------
    >>> 0 <= process_umask() <= 0o777
    True
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except OSError:
        pass
    return _probed_umask()


def _probed_umask() -> int:
    with tempfile.TemporaryDirectory(prefix="iro-umask-") as folder:
        probe = os.path.join(folder, "probe")
        os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        return 0o666 & ~os.stat(probe).st_mode & 0o777


def _default_mode() -> int:
    """File permissions a plain ``open(..., "w")`` would give (0o666 less the umask)."""
    return 0o666 & ~process_umask()


def atomic_write_bytes(path, data: bytes, *, private: bool = False) -> Path:
    """Write bytes to ``path`` via a temporary file and an atomic rename.

    ``private=True`` keeps the temporary file's owner-only permissions (used for restricted,
    child-level files); otherwise the file gets the usual permissions, so a shareable report on a
    team drive can be opened by colleagues.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, 0o600 if private else _default_mode())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def atomic_write_text(path, text: str, *, private: bool = False) -> Path:
    """Write UTF-8 text to ``path`` via a temporary file and an atomic rename."""
    return atomic_write_bytes(path, text.encode("utf-8"), private=private)
