"""iro_analysis: figures for Independent Reviewing Officer annual reports, from the SSDA903 return.

Import as ``import iro_analysis as iro``. Submodules (``iro.cohorts``, ``iro.timeliness`` …)
are imported on first use so that ``import iro_analysis`` stays fast in every notebook kernel.
"""

from __future__ import annotations

import importlib

from .errors import (
    DisclosureError,
    IroAnalysisError,
    IroRecordsError,
    ParameterError,
    ReferenceDataError,
    SSDA903FormatError,
)

__version__ = "0.1.0"

_SUBMODULES = {
    "authority_report",
    "batch",
    "benchmarks",
    "calendar",
    "care_history",
    "cli",
    "codes",
    "cohorts",
    "disclosure",
    "disclosure_audit",
    "disproportionality",
    "export",
    "figure_check",
    "files",
    "findings",
    "iro_records",
    "labels",
    "log",
    "outcomes_tables",
    "plots",
    "publication",
    "quality",
    "reference",
    "report",
    "ssda903",
    "stats",
    "synthetic",
    "timeliness",
}

# Names re-exported from submodules, resolved lazily.
_LAZY = {
    # ``iro.figures`` (the short name API.md uses) is the published-figure checker
    # (iro_analysis.figure_check) under its old path, iro_analysis.quality.figures
    "figures": ("quality", "figures"),
    "load_ssda903": ("ssda903", "load_ssda903"),
    "SSDA903": ("ssda903", "SSDA903"),
    "load_iro_records": ("iro_records", "load_iro_records"),
}

__all__ = [
    "IroAnalysisError",
    "SSDA903FormatError",
    "IroRecordsError",
    "ReferenceDataError",
    "ParameterError",
    "DisclosureError",
    "load_ssda903",
    "SSDA903",
    "figures",
    "load_iro_records",
    *sorted(_SUBMODULES),
]


def __getattr__(name: str):
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name in _LAZY:
        module, attr = _LAZY[name]
        parent = importlib.import_module(f"{__name__}.{module}")
        return getattr(parent, attr, None) or importlib.import_module(f"{parent.__name__}.{attr}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
