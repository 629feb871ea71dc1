"""Writing outputs: atomically, and shareable ones only after the disclosure checks.

* :func:`atomic_write_text` / :func:`atomic_write_bytes`: write to a temporary file in the same
  folder, then rename, so a reader never sees a half-written file.
* :func:`write_tables_excel`: the shareable workbook of aggregate tables (every sheet checked).
* :func:`write_restricted_csv`: child-level lists, only under a folder named ``restricted`` and
  marked as such in the file itself and in a README beside it.
* :func:`notebook_to_html`: executed notebook to self-contained HTML (no code, no CDN scripts,
  alt text kept), refused if a child identifier appears in it.
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

import pandas as pd

from .disclosure import assert_shareable, scan_text_for_identifiers
from .errors import DisclosureError, ParameterError

__all__ = [
    "atomic_write_text",
    "atomic_write_bytes",
    "write_tables_excel",
    "write_restricted_csv",
    "notebook_to_html",
    "RESTRICTED_MARKING",
]

RESTRICTED_MARKING = (
    "RESTRICTED - contains child-level information. Do not circulate. "
    "Keep within the children's services secure area."
)

_TEMPLATES = Path(__file__).resolve().parent / "templates"


def _default_mode() -> int:
    """File permissions a plain ``open(..., "w")`` would give (0o666 less the umask)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


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


def _sheet_name(name: str) -> str:
    cleaned = "".join(ch for ch in str(name) if ch not in '[]:*?/\\')
    return cleaned[:31] or "Sheet"


def write_tables_excel(tables: dict[str, pd.DataFrame], path, *, count_columns: dict | None = None) -> Path:
    """Write aggregate tables to one workbook for circulation.

    Parameters
    ----------
    tables : dict of str to DataFrame
        Sheet name to table; tables must already be suppressed.
    path : path
        The ``.xlsx`` file.
    count_columns : dict, optional
        Sheet name to the count columns to re-check for small numbers.

    Raises
    ------
    DisclosureError
        If any table carries a child identifier or an unsuppressed small count; nothing is
        written in that case.
    """
    count_columns = count_columns or {}
    for name, table in tables.items():
        assert_shareable(table, name=f"sheet {name!r}", count_columns=count_columns.get(name, ()))
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, table in tables.items():
            table.to_excel(writer, sheet_name=_sheet_name(name), index=False)
    return atomic_write_bytes(path, buffer.getvalue())


def write_restricted_csv(table: pd.DataFrame, folder, name: str) -> Path:
    """Write a child-level list to ``folder`` (which must be named ``restricted``).

    The first line of the file is a comment carrying :data:`RESTRICTED_MARKING`; read it back
    with ``pd.read_csv(path, comment="#")``. A README in the folder says what it holds.
    """
    folder = Path(folder)
    if folder.name != "restricted":
        raise ParameterError(
            f"child-level lists go only to a folder named 'restricted', not {str(folder)!r}."
        )
    body = table.to_csv(index=False, date_format="%Y-%m-%d")
    path = atomic_write_text(folder / name, f"# {RESTRICTED_MARKING}\n{body}", private=True)
    readme = folder / "README.txt"
    if not readme.exists():
        atomic_write_text(
            readme,
            RESTRICTED_MARKING + "\n\nThe files here list individual children's records (for example "
            "late or missing reviews) so that they can be checked and corrected in the case "
            "management system. They are not part of the shareable report.\n",
            private=True,
        )
    return path


def notebook_to_html(notebook, html_path, *, identifiers=(), title: str | None = None) -> Path:
    """Export an executed notebook to self-contained HTML for sharing.

    Parameters
    ----------
    notebook : nbformat.NotebookNode or path
        The executed notebook.
    html_path : path
        Where to write the HTML.
    identifiers : iterable of str
        Child identifiers (CHILD, UPN values) that must not appear in the output.
    title : str, optional
        The HTML page title.

    Returns
    -------
    Path

    Raises
    ------
    DisclosureError
        When an identifier, a full postcode or a UPN-shaped string is found; the HTML is not
        written.

    Notes
    -----
    The package's ``offline_lab`` template drops the require.js/MathJax/mermaid scripts that the
    stock template loads from a CDN, so the file opens without network access; code cells and
    prompts are excluded.
    """
    import nbformat
    from nbconvert import HTMLExporter

    if not hasattr(notebook, "cells"):
        notebook = nbformat.read(str(notebook), as_version=4)
    exporter = HTMLExporter(
        template_name="offline_lab",
        extra_template_basedirs=[str(_TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    resources = {"metadata": {"name": title}} if title else None
    html, _ = exporter.from_notebook_node(notebook, resources=resources)
    found = scan_text_for_identifiers(html, identifiers)
    if found:
        raise DisclosureError(
            f"the report for {Path(html_path).parent} would contain {len(found)} child identifier(s) "
            f"(e.g. {found[0][:3]}…); it was not written. Remove child-level output from the notebook."
        )
    return atomic_write_text(html_path, html)
