"""Work shared by every report, done once: a disk cache of tidied reference tables and an
in-memory cache of national tables.

Every authority report reads the same published files and derives the same national tables
from them (indicator values for every authority, funnel limits). Two layers make that work
happen once per batch rather than once per report:

- :func:`disk_cached` keeps a tidied reference table on disk, keyed by the SHA-256 of the file
  it was made from (see :mod:`~iro_analysis.reference.checksums`), the function and its
  arguments, and the package version. A changed file, or a new version of the package, misses
  the cache; nothing needs deleting by hand.
- :func:`national` keeps a national table in memory for the life of the process (a warm report
  kernel serves many authorities), keyed by its arguments and the state of the reference files
  on the search path, and returns a copy so that no report can change what the next one reads.

The cache folder is outside the project: ``$IRO_ANALYSIS_CACHE`` if set (``off`` turns the disk
cache off), else ``$XDG_CACHE_HOME/iro_analysis``, else ``~/.cache/iro_analysis``. Only
published reference data are cached there, never a child's record.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import threading
from pathlib import Path

from ..files import atomic_write_bytes
from ..log import logger
from .checksums import _digest, verify_reference_file
from .freshness import STATE_SECONDS
from .search import _root_index, _forget_search_path, reference_search_path

__all__ = ["CACHE_ENV", "cache_dir", "disk_cached", "national", "reference_state", "clear_memory"]

#: Environment variable naming the cache folder ("off" turns the disk cache off).
CACHE_ENV = "IRO_ANALYSIS_CACHE"

_MEMORY: dict = {}
_LOCK = threading.Lock()


def cache_dir() -> Path | None:
    """The folder of the disk cache, or None when ``$IRO_ANALYSIS_CACHE`` is ``off``."""
    configured = os.environ.get(CACHE_ENV, "").strip()
    if configured.lower() in {"off", "0", "false", "no"}:
        return None
    if configured:
        return Path(configured).expanduser()
    base = os.environ.get("XDG_CACHE_HOME", "").strip() or Path.home() / ".cache"
    return Path(base) / "iro_analysis"


def _version() -> str:
    # Read at each call, not imported once: the version keys every entry.
    from .. import __version__

    return __version__


def _file_digest(path) -> str:
    st = os.stat(path)
    return _digest(str(Path(path).resolve()), st.st_mtime_ns, st.st_size)


def _load(path: Path):
    try:
        with open(path, "rb") as stream:
            return pickle.load(stream)
    except FileNotFoundError:
        return None
    except Exception:  # a damaged or foreign entry: recompute it (and overwrite it)
        return None


def _store(path: Path, value) -> None:
    try:
        # written whole or not at all: readers see an entry or none; owner-only, like a temp file
        atomic_write_bytes(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), private=True)
    except OSError:  # a read-only or full cache folder only costs time
        pass


def disk_cached(path_arg: int):
    """Cache a reference tidy function's result on disk, keyed by its source file's SHA-256.

    Parameters
    ----------
    path_arg : int
        Position of the argument holding the source file's path. The other arguments (the
        file's modification time and size, which only serve the in-memory cache, excepted) go
        into the key as their ``repr``.

    Notes
    -----
    The file is still checked against its ``SHA256SUMS`` on a cache hit, so a listing that
    changed since the entry was written refuses the file as before.
    """

    def decorate(func):
        @functools.wraps(func)
        def wrapper(*args):
            folder = cache_dir()
            if folder is None:
                return func(*args)
            path = args[path_arg]
            verify_reference_file(path)
            rest = [repr(a) for a in (*args[:path_arg], *args[path_arg + 3:])]
            key = hashlib.sha256("\0".join([_version(), func.__module__, func.__qualname__, _file_digest(path),
                                            *rest]).encode()).hexdigest()
            entry = folder / _version() / "reference" / f"{key}.pkl"
            value = _load(entry)
            if value is None:
                logger.debug("reference cache miss: %s(%s)", func.__qualname__, Path(path).name)
                value = func(*args)
                _store(entry, value)
            else:
                logger.debug("reference cache hit: %s(%s)", func.__qualname__, Path(path).name)
            return value

        return wrapper

    return decorate


# STATE_SECONDS (from .freshness): seconds for which the files' sizes and times are taken as read.
_STATE: list = []  # [(the search folders' indexes, when read, state)]: the last state read


def reference_state() -> tuple:
    """Which reference files the search path holds now: (path, size, modification time) of each.

    It keys every national table, so a report asks for it dozens of times: the files are
    stat-ed again only when a search folder changed (a file added, removed or renamed, seen
    at once from the folders' times) or the last reading is older than :data:`STATE_SECONDS`
    (a file rewritten in place is noticed within that time).
    """
    import time

    indexes = [(root, _root_index(root)) for root in reference_search_path()]
    now = time.monotonic()
    with _LOCK:
        last = _STATE[0] if _STATE else None
    if (last is not None and now - last[1] < STATE_SECONDS and len(last[0]) == len(indexes)
            and all(a[0] == b[0] and a[1] is b[1] for a, b in zip(last[0], indexes))):
        return last[2]
    state = []
    for _root, index in indexes:
        for name, paths in sorted(index.items()):
            for path in paths:
                try:
                    st = path.stat()
                except OSError:
                    continue
                state.append((str(path), st.st_size, st.st_mtime_ns))
    state = tuple(state)
    with _LOCK:
        _STATE[:] = [(indexes, now, state)]
    return state


def _copy(value):
    copy = getattr(value, "copy", None)
    return copy() if callable(copy) else value


def national(func):
    """Keep a national table in memory for the process, keyed by arguments and :func:`reference_state`.

    For functions whose result is the same for every authority. Each call returns a copy, so a
    report that changes its table cannot change the next report's.
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        key = (func.__module__, func.__qualname__, args, tuple(sorted(kwargs.items())), reference_state())
        try:
            hash(key)
        except TypeError:  # unhashable arguments: no caching
            return func(*args, **kwargs)
        with _LOCK:
            found = _MEMORY.get(key)
        if found is None:
            found = func(*args, **kwargs)
            with _LOCK:
                if len(_MEMORY) > 256:  # reference files changed many times in one process
                    _MEMORY.clear()
                _MEMORY[key] = found
        return _copy(found)

    wrapper.uncached = func
    return wrapper


def clear_memory() -> None:
    """Forget every national table kept in memory (and the last reading of the files' state)."""
    with _LOCK:
        _MEMORY.clear()
        _STATE.clear()
    _forget_search_path()
