"""What reference files the package knows about, and which of them this machine has.

Used by the command ``iro-analysis reference``.
"""

from __future__ import annotations

import textwrap

import pandas as pd

from ..errors import ReferenceDataError
from .checksums import checksum_status
from .search import (
    ENV_VAR,
    OGL_ATTRIBUTION,
    REFERENCE_FILES,
    find_reference_file,
    reference_search_path,
)

__all__ = ["INVENTORY_COLUMNS", "reference_inventory", "format_inventory"]

INVENTORY_COLUMNS = ["file", "description", "publisher", "licence", "url", "found", "path", "status"]

#: What ``status`` says for each case (a corrupt file is found but cannot be used).
STATUS_LABELS = {"ok": "found", "unchecked": "found", "corrupt": "corrupt (checksum mismatch)", "": "MISSING"}


def reference_inventory() -> pd.DataFrame:
    """List every registered reference file and where (if anywhere) it was found.

    Returns
    -------
    pandas.DataFrame
        One row per file in :data:`~iro_analysis.reference.REFERENCE_FILES`, columns ``file``,
        ``description``, ``publisher``, ``licence``, ``url`` (download page), ``found`` (bool) and
        ``path`` (str, ``""`` if not found) and ``status`` (``"found"``, ``"MISSING"`` or
        ``"corrupt (checksum mismatch)"`` when the ``SHA256SUMS`` beside the file lists another
        digest), in registry order.

    Examples
    --------
    >>> inv = reference_inventory()
    >>> list(inv.columns)
    ['file', 'description', 'publisher', 'licence', 'url', 'found', 'path', 'status']
    """
    rows = []
    for info in REFERENCE_FILES.values():
        try:
            path = str(find_reference_file(info.name))
        except ReferenceDataError:
            path = ""
        rows.append(
            {
                "file": info.name,
                "description": info.description,
                "publisher": info.publisher,
                "licence": info.licence,
                "url": info.url,
                "found": bool(path),
                "path": path,
                "status": STATUS_LABELS[checksum_status(path) if path else ""],
            }
        )
    return pd.DataFrame(rows, columns=INVENTORY_COLUMNS)


def format_inventory(df: pd.DataFrame | None = None, *, width: int = 100) -> str:
    """Render :func:`reference_inventory` as plain text for the terminal.

    Parameters
    ----------
    df : pandas.DataFrame, optional
        An inventory; default: :func:`reference_inventory` now.
    width : int, default 100
        Wrap descriptions to this many characters.

    Returns
    -------
    str
        The search path, then one block per file (``[found]`` or ``[MISSING]``, description,
        publisher, licence, download page, path), then a count and the Open Government Licence
        attribution sentence.
    """
    if df is None:
        df = reference_inventory()
    lines = ["Reference data search path (first match wins):"]
    for p in reference_search_path():
        lines.append(f"  {p}{'' if p.is_dir() else '  (does not exist)'}")
    lines.append(f"  (add folders with the environment variable {ENV_VAR})")
    lines.append("")
    indent = " " * 6
    for r in df.itertuples(index=False):
        status = getattr(r, "status", "") or ("found" if r.found else "MISSING")
        lines.append(f"[{status:<7}] {r.file}")
        lines.extend(textwrap.wrap(r.description, width=width, initial_indent=indent, subsequent_indent=indent))
        lines.append(f"{indent}Publisher: {r.publisher}. Licence: {r.licence}.")
        lines.append(f"{indent}Download: {r.url}")
        if r.found:
            lines.append(f"{indent}Path: {r.path}")
    n_found = int(df["found"].sum()) if len(df) else 0
    lines.append("")
    lines.append(f"{n_found} of {len(df)} reference files found.")
    corrupt = [r.file for r in df.itertuples(index=False) if str(getattr(r, "status", "")).startswith("corrupt")]
    if corrupt:
        lines.append(f"{len(corrupt)} corrupt (checksum mismatch): download again: {', '.join(corrupt)}.")
    lines.append(OGL_ATTRIBUTION)
    return "\n".join(lines)
