"""Finding published reference files on disk.

The package ships no published data. Users download the DfE, ONS and gov.uk files they need
(see ``data/reference/README.md`` in the project, or ``iro-analysis reference``) and put them in
any folder on the *reference search path*, searched in this order:

0. the folder set for this process with :func:`use_reference_folder` (what a notebook's
   ``reference_dir`` parameter does, through ``report.validate_parameters``);
1. every folder in the environment variable ``IRO_REFERENCE_DIR`` (several folders separated by
   ``os.pathsep``: ``:`` on Linux/macOS, ``;`` on Windows);
2. ``<project>/data/reference/`` (``<project>`` = the folder holding the ``iro_analysis`` package
   source; for an installed package, also ``<current working directory>/data/reference/``);
3. ``<project>/../shared/external/`` (a shared mirror beside the checkout; also looked for beside
   the current working directory).

Each folder is searched recursively and files are matched by exact file name, so users may keep
any sub-folder layout (for example ``dfe_cla/``, ``population/``). The first folder on the path
that holds the file wins; within one folder the shallowest match wins (then alphabetical order).

:data:`REFERENCE_FILES` (in :mod:`iro_analysis.reference.catalogue`) is the registry of the
files the package knows about: what each holds, who publishes it, where to download it and under
which licence. Error messages and the ``iro-analysis reference`` inventory are built from it.
"""

from __future__ import annotations

import functools
import os
import re
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import ReferenceDataError
from ..log import logger
from .catalogue import (  # the registry lived here: its names stay importable from this module
    _DFE,
    _ONS,
    _OGL_URL,
    OGL,
    OGL_ATTRIBUTION,
    REFERENCE_FILES,
    URL_CIN,
    URL_CLA,
    URL_DFE_CSC_DASHBOARD,
    URL_LAIT,
    URL_NOMIS_DC2101EW,
    URL_ONS_GEOPORTAL,
    URL_ONS_MYE,
    URL_ONS_TS021,
    URL_SCHOOL_CENSUS,
    ReferenceFile,
    _cla_rates,
    reference_file_info,
)
from . import freshness
from .checksums import verify_reference_file

__all__ = [
    "ENV_VAR",
    "OGL_ATTRIBUTION",
    "ReferenceFile",
    "REFERENCE_FILES",
    "reference_file_info",
    "reference_search_path",
    "use_reference_folder",
    "reference_folder_in_use",
    "find_reference_file",
    "find_reference_files",
    "clear_reference_index",
    "SUPPRESSION_SYMBOLS",
    "read_dfe_csv",
    "split_suppressed",
]

#: Environment variable naming extra folders to search first.
ENV_VAR = "IRO_REFERENCE_DIR"


# --------------------------------------------------------------------------------------------
# Search path


# .../<project>/iro_analysis/reference/search.py -> <project>, resolved once: the module's file
# does not move under a running process.
_PROJECT = Path(__file__).resolve().parents[2]


def _project_root() -> Path:
    return _PROJECT


#: The folder given by :func:`use_reference_folder` (searched before everything else), or None.
_FOLDER_IN_USE: list[Path] = []


def use_reference_folder(folder) -> None:
    """Search ``folder`` first for every reference file this process reads, or stop (``None``).

    The explicit form of a notebook's ``reference_dir`` parameter: it replaces any folder set
    before (so running report after report in one kernel never stacks folders up) and leaves the
    environment alone (``IRO_REFERENCE_DIR`` is the user's setting, read but never written).

    Parameters
    ----------
    folder : path or None
        A folder of published reference files; ``None`` or ``""`` removes the override.

    Examples
    --------
    >>> use_reference_folder("/data/published")
    >>> reference_folder_in_use()
    PosixPath('/data/published')
    >>> reference_search_path()[0]
    PosixPath('/data/published')
    >>> use_reference_folder(None)
    >>> reference_folder_in_use() is None
    True
    """
    _FOLDER_IN_USE[:] = [] if folder in (None, "") else [Path(folder).expanduser()]


def reference_folder_in_use() -> Path | None:
    """The folder set by :func:`use_reference_folder`, or None."""
    return _FOLDER_IN_USE[0] if _FOLDER_IN_USE else None


def reference_search_path() -> list[Path]:
    """The folders searched for reference files, in order.

    Returns
    -------
    list of pathlib.Path
        The folder of :func:`use_reference_folder`, then ``$IRO_REFERENCE_DIR`` entries (in
        the order given), then ``<project>/data/reference``,
        then ``<project>/../shared/external``; for an installed package the same two folders
        relative to the current working directory are added. Folders that do not exist are
        included (so error messages can show them); duplicates are removed.

    Examples
    --------
    >>> paths = reference_search_path()
    >>> all(isinstance(p, Path) for p in paths)
    True

    Notes
    -----
    Every reference look-up asks for the path (a report, about 140 times), and resolving its
    folders touches the disk: the last answer is kept for
    :data:`~iro_analysis.reference.freshness.STATE_SECONDS`, and only while the folder in use,
    ``$IRO_REFERENCE_DIR``, the project folder and the working directory are what they were.
    """
    env = os.environ.get(ENV_VAR, "")
    key = (tuple(_FOLDER_IN_USE), env, _project_root(), os.getcwd())
    now = time.monotonic()
    with _LOCK:
        last = _PATH[0] if _PATH else None
    if last is not None and last[0] == key and now - last[1] < freshness.STATE_SECONDS:
        return list(last[2])
    unique = _resolve_search_path(key[0], env, key[2])
    with _LOCK:
        _PATH[:] = [(key, now, tuple(unique))]
    return unique


#: The last search path resolved: [(what it was resolved from, when, the folders)].
_PATH: list = []


def _forget_search_path() -> None:
    """Forget the search path resolved last (the next call resolves it again)."""
    with _LOCK:
        _PATH.clear()


def _resolve_search_path(folders: tuple, env: str, project: Path) -> list[Path]:
    out: list[Path] = list(folders)
    for part in env.split(os.pathsep):
        part = part.strip()
        if part:
            out.append(Path(part).expanduser())
    cwd = Path.cwd()
    out += [
        project / "data" / "reference",
        cwd / "data" / "reference",
        project.parent / "shared" / "external",
        cwd.parent / "shared" / "external",
    ]
    seen: set[str] = set()
    unique: list[Path] = []
    for p in out:
        try:
            key = str(p.resolve())
        except OSError:
            key = str(p.absolute())
        if key not in seen:
            seen.add(key)
            unique.append(Path(key))
    return unique


# Per-root index: resolved root -> (directory signature, {file name: [paths]}). The signature is
# the mtimes of every directory scanned, so adding or removing a file anywhere below the root
# (which changes its folder's mtime) triggers a re-scan; stat-ing a few dozen folders is cheap.
_INDEX: dict[str, tuple[tuple, list[Path], dict[str, list[Path]]]] = {}
_LOCK = threading.Lock()
_SKIP_DIRS = {".git", ".venv", "venv", "node_modules", "__pycache__", ".ipynb_checkpoints"}


def clear_reference_index() -> None:
    """Forget the cached file index of every search folder (the next lookup re-scans)."""
    with _LOCK:
        _INDEX.clear()
        _PATH.clear()


def _signature(dirs: list[Path]) -> tuple:
    sig = []
    for d in dirs:
        try:
            sig.append(d.stat().st_mtime_ns)
        except OSError:
            sig.append(None)
    return tuple(sig)


def _scan(root: Path) -> tuple[list[Path], dict[str, list[Path]]]:
    index: dict[str, list[Path]] = {}
    dirs: list[Path] = []
    seen: set[str] = set()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        real = os.path.realpath(dirpath)
        if real in seen:  # a symbolic-link loop: do not descend again
            dirnames[:] = []
            continue
        seen.add(real)
        dirs.append(Path(dirpath))
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS and not d.startswith("."))
        for fn in filenames:
            index.setdefault(fn, []).append(Path(dirpath) / fn)
    for paths in index.values():
        paths.sort(key=lambda p: (len(p.relative_to(root).parts), str(p)))
    return dirs, index


def _root_index(root: Path) -> dict[str, list[Path]]:
    key = str(root)
    with _LOCK:
        cached = _INDEX.get(key)
    if cached is not None and _signature(cached[1]) == cached[0]:
        return cached[2]
    dirs, index = _scan(root)
    with _LOCK:
        _INDEX[key] = (_signature(dirs), dirs, index)
    return index


def _has_parts(parts: tuple[str, ...], want: tuple[str, ...]) -> bool:
    n = len(want)
    return any(parts[i : i + n] == want for i in range(len(parts) - n + 1))


def _find_in_root(root: Path, name: str, subdir: str | None) -> Path | None:
    found = _root_index(root).get(name, [])
    if subdir:
        want = Path(subdir).parts
        found = [p for p in found if _has_parts(p.parent.relative_to(root).parts, want)]
    for p in found:
        if p.is_file():
            return p
    return None


def find_reference_file(name: str, *, subdir: str | None = None) -> Path:
    """Find a published reference file on the search path.

    Parameters
    ----------
    name : str
        Exact file name, for example ``"cla_number_and_rate_per_10k_children_2025pub.csv"``.
        A name with folders (``"dfe_cla/x.csv"``) is read as ``subdir="dfe_cla"``.
    subdir : str, optional
        Only accept a file that sits inside a folder with this name (or relative path) below a
        search folder; use it for names that are not unique (``PROVENANCE.md``).

    Returns
    -------
    pathlib.Path
        Absolute path of the first match (search folders in :func:`reference_search_path`
        order; within a folder the shallowest match, then alphabetical).

    Raises
    ------
    ReferenceDataError
        If no search folder holds the file. The message names the file, every folder
        searched, the publisher and the download page (from :data:`REFERENCE_FILES`).

    Notes
    -----
    Each folder's file index is cached and re-built when any folder below it changes
    (checked by folder modification times), so files added while Python is running are found.

    Examples
    --------
    >>> find_reference_file("la_lookup_dfe.csv").name
    'la_lookup_dfe.csv'
    """
    if not isinstance(name, (str, os.PathLike)) or not str(name).strip():
        raise ReferenceDataError(f"A reference file name must be a non-empty string, got {name!r}.")
    p = Path(name)
    if len(p.parts) > 1:
        extra = str(p.parent)
        subdir = str(Path(subdir) / extra) if subdir else extra
    fname = p.name
    roots = reference_search_path()
    for root in roots:
        if root.is_dir():
            hit = _find_in_root(root, fname, subdir)
            if hit is not None:
                logger.debug("reference file %s: %s", fname, hit)
                return hit
    raise ReferenceDataError(_missing_message(fname, subdir, roots))


def find_reference_files(pattern: str) -> dict[str, Path]:
    r"""Find every reference file whose name matches a regular expression.

    Parameters
    ----------
    pattern : str
        Regular expression matched against the whole file name (``re.fullmatch``).

    Returns
    -------
    dict
        File name -> path of the first match on the search path (same precedence as
        :func:`find_reference_file`), in name order. Empty if nothing matches.

    Examples
    --------
    >>> sorted(find_reference_files(r"cla_number_and_rate_per_10k_children_\d{4}pub\.csv"))[:1]
    ['cla_number_and_rate_per_10k_children_2023pub.csv']
    """
    rx = re.compile(pattern)
    out: dict[str, Path] = {}
    for root in reference_search_path():
        if not root.is_dir():
            continue
        for name, paths in _root_index(root).items():
            if name not in out and rx.fullmatch(name):
                hit = next((p for p in paths if p.is_file()), None)
                if hit is not None:
                    out[name] = hit
    return dict(sorted(out.items()))


def _missing_message(name: str, subdir: str | None, roots: list[Path]) -> str:
    where = f" in a folder named '{subdir}'" if subdir else ""
    lines = [f"Reference file '{name}' was not found{where} on the reference search path."]
    lines.append("Folders searched (in order, each recursively):")
    for r in roots:
        note = "" if r.is_dir() else "  (does not exist)"
        lines.append(f"  - {r}{note}")
    info = reference_file_info(name)
    if info is not None:
        lines.append(f"It holds: {info.description}.")
        lines.append(f"Publisher: {info.publisher}. Licence: {info.licence}.")
        lines.append(f"Download it from: {info.url}")
        if info.how_to_get:
            lines.append(f"How: {info.how_to_get}.")
    else:
        lines.append(
            "This file is not in the package's registry of known reference files; check the name "
            "(run `iro-analysis reference` to list the expected files)."
        )
    lines.append(
        f"Then put it in <project>/data/reference/ (any sub-folder), or in a folder named in the "
        f"environment variable {ENV_VAR} (several folders separated by '{os.pathsep}')."
    )
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Reading DfE explore-education-statistics CSV files

#: Symbols DfE (and ONS) put in numeric cells instead of a number, lower-cased.
#: c = confidential (suppressed), x = not available, z = not applicable,
#: k = rounds to 0 but is not 0, low / u = low reliability or small, ":" = not available
#: (older ONS tables), "" = blank.
SUPPRESSION_SYMBOLS = frozenset({"c", "x", "z", "k", "low", "u", ":", ""})


def split_suppressed(
    values: pd.Series, *, file: str | os.PathLike | None = None, column: str | None = None
) -> tuple[pd.Series, pd.Series]:
    """Split DfE string values into numbers and suppression flags.

    Parameters
    ----------
    values : pandas.Series
        Strings as published (``"1,234"``, ``"57"``, ``"0.5"``, ``"c"``, ``"z"`` ...).
    file, column : optional
        Only used to say where a bad value is in the error message.

    Returns
    -------
    (numbers, flags) : tuple of pandas.Series
        ``numbers`` is float64 with NaN where a symbol (or blank) was published; ``flags`` holds
        the lower-cased symbol (``"c"``, ``"x"``, ``"z"``, ``"k"``, ``"low"``, ``"u"``, ``":"``) and
        ``""`` where a number was published (a blank cell is flagged ``""`` too, as nothing was
        published). Thousands separators are removed before parsing.

    Raises
    ------
    ReferenceDataError
        If a cell is neither a number nor a known symbol (names the file, row and column).

    Examples
    --------
    >>> n, f = split_suppressed(pd.Series(["1,234", "c", "7", "z", ""]))
    >>> n.tolist()[0], n.isna().tolist(), f.tolist()
    (1234.0, [False, True, False, True, True], ['', 'c', '', 'z', ''])
    """
    s = pd.Series(values, copy=False).astype(object)
    s = s.where(s.notna(), "")
    text = s.astype(str).str.strip()
    lower = text.str.lower()
    is_symbol = lower.isin(SUPPRESSION_SYMBOLS)
    cleaned = text.str.replace(",", "", regex=False).where(~is_symbol, None)
    numbers = pd.to_numeric(cleaned, errors="coerce").astype("float64")
    bad = ~is_symbol & numbers.isna()
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        where = []
        if file is not None:
            where.append(f"file {file}")
        where.append(f"row {i + 2}")  # 1-based, header is line 1
        if column is not None:
            where.append(f"column {column}")
        raise ReferenceDataError(
            f"{', '.join(where)}: value {text.iloc[i]!r} is neither a number nor a DfE "
            f"suppression symbol ({', '.join(sorted(x for x in SUPPRESSION_SYMBOLS if x))}). "
            "Check that the file is the unmodified published CSV."
        )
    flags = lower.where(is_symbol, "").astype(str)
    return numbers.set_axis(s.index), flags.set_axis(s.index)


@functools.lru_cache(maxsize=32)
def _read_cached(path: str, mtime_ns: int, size: int) -> pd.DataFrame:
    try:
        df = pd.read_csv(
            path, dtype=str, encoding="utf-8-sig", keep_default_na=False, low_memory=False
        )
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ReferenceDataError(
            f"file {path}: cannot be read as a CSV file ({exc}). Download it again from the "
            "publisher (see `iro-analysis reference`)."
        ) from None
    df.columns = [str(c).strip() for c in df.columns]
    # Spreadsheet exports often carry an empty trailing column ("Unnamed: 25").
    drop = [c for c in df.columns if c.startswith("Unnamed:") and (df[c] == "").all()]
    return df.drop(columns=drop)


def read_dfe_csv(
    source: str | os.PathLike,
    *,
    numeric: list[str] | tuple[str, ...] | None = None,
    subdir: str | None = None,
) -> pd.DataFrame:
    """Read a published DfE/ONS CSV exactly as published, optionally parsing numeric columns.

    Parameters
    ----------
    source : str or path-like
        A path to a file, or a bare file name looked up with :func:`find_reference_file`.
    numeric : sequence of str, optional
        Columns to parse as numbers with :func:`split_suppressed`: each becomes float64 (NaN
        where suppressed) and gains a ``<column>_flag`` column holding the symbol (or ``""``).
    subdir : str, optional
        Passed to :func:`find_reference_file` when ``source`` is a bare name.

    Returns
    -------
    pandas.DataFrame
        Every column as strings (``dtype=str``, blanks kept as ``""``, UTF-8 byte-order mark
        removed, column names stripped), except the ``numeric`` columns. A fresh copy: callers
        may modify it.

    Raises
    ------
    ReferenceDataError
        If the file is missing, unreadable, does not match the ``SHA256SUMS`` beside it (see
        :mod:`iro_analysis.reference.checksums`), lacks a requested numeric column or holds a
        value that is neither a number nor a suppression symbol.

    Notes
    -----
    Parsed files are cached by (resolved path, modification time, size), so a file replaced on
    disk is read again. Reading with ``keep_default_na=False`` matters: DfE's ``"NA"``-like
    strings and blanks must not silently become missing before the symbols are recorded.

    Examples
    --------
    >>> df = read_dfe_csv("cla_number_and_rate_per_10k_children_2025pub.csv",
    ...                   numeric=["children_count"])
    >>> df["children_count"].dtype, "children_count_flag" in df
    (dtype('float64'), True)
    """
    path = Path(source)
    if not path.is_file():
        if len(path.parts) <= 1 or subdir is not None or not path.is_absolute():
            path = find_reference_file(str(source), subdir=subdir)
        else:
            raise ReferenceDataError(f"Reference file {path} does not exist.")
    path = path.resolve()
    info = reference_file_info(path.name)
    verify_reference_file(path, url=info.url if info else None)
    st = path.stat()
    df = _read_cached(str(path), st.st_mtime_ns, st.st_size).copy()
    for col in numeric or ():
        if col not in df.columns:
            raise ReferenceDataError(
                f"file {path}: column {col!r} not found (columns: {', '.join(df.columns)}). "
                "Check that this is the published file."
            )
        values, flags = split_suppressed(df[col], file=path, column=col)
        df[col] = values
        df[f"{col}_flag"] = flags
    return df
