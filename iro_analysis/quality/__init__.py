"""Quality checks on SSDA903 records and on published figures, with one result shape.

Every check returns a findings DataFrame with the columns in :data:`FINDING_COLUMNS`
(``check, severity, table, row, CHILD, column, value, message``); build them with
:func:`make_findings`. Findings naming a CHILD are restricted, child-level output.

Submodules (imported on first use): ``records`` (record-level load checks:
:func:`load_findings`; they run when a return is loaded, so they live beside the loader in
:mod:`iro_analysis.ssda903.records`, and this name is an alias), ``reviews`` (review-record
checks). The checks of published figures (:func:`check_figures`, the ``iro-analysis
check-figures`` command) are :mod:`iro_analysis.figure_check`, above the analyses; ``figures``
and the names below taken from it are its old path, kept for one release (nothing in this
package imports it). The findings shape itself is :mod:`iro_analysis.findings`.
"""

from __future__ import annotations

import importlib

from ..findings import FINDING_COLUMNS, SEVERITIES, concat_findings, make_findings

__all__ = [
    "FINDING_COLUMNS",
    "SEVERITIES",
    "make_findings",
    "concat_findings",
    "load_findings",
    "check_figures",
    "load_figures",
    "run_check_figures",
    "FiguresFileError",
    "records",
    "reviews",
    "figures",
]

_SUBMODULES = {"records", "reviews", "figures"}
_LAZY = {
    "load_findings": ("records", "load_findings"),
    "check_figures": ("figures", "check_figures"),
    "load_figures": ("figures", "load_figures"),
    "run_check_figures": ("figures", "run_check_figures"),
    "FiguresFileError": ("figures", "FiguresFileError"),
}


def __getattr__(name: str):
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name in _LAZY:
        module, attr = _LAZY[name]
        return getattr(importlib.import_module(f"{__name__}.{module}"), attr)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
