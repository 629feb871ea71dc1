"""The findings of :func:`~iro_analysis.figure_check.check_figures` as text for a reader."""

from __future__ import annotations

import pandas as pd

__all__ = ["format_figures_text"]


_MARK = {"error": "ERROR", "warning": "WARNING"}


def format_figures_text(findings: pd.DataFrame, *, source: str = "") -> str:
    """Human-readable report: grouped by table, one line per finding with its arithmetic."""
    lines = []
    if source:
        lines.append(f"Figures checked: {source}")
    order = list(dict.fromkeys(findings["table"].tolist()))
    for table in order:
        g = findings[findings["table"] == table]
        lines.append("")
        lines.append(str(table).capitalize() if table in ("claims", "identities", "rates", "neighbour averages", "return") else str(table))
        for r in g.itertuples(index=False):
            if r.severity in _MARK:
                mark = _MARK[r.severity]
            else:
                mark = {"ok": "ok", "not_checked": "NOT CHECKED", "note": "note"}.get(r.status, "info")
            loc = f" (line {int(r.row)})" if pd.notna(r.row) else ""
            lines.append(f"  [{mark}] {r.message}{loc if r.severity in _MARK else ''}")
    n_err = int((findings["severity"] == "error").sum())
    n_warn = int((findings["severity"] == "warning").sum())
    n_ok = int((findings["status"] == "ok").sum())
    n_nc = int((findings["status"] == "not_checked").sum())
    lines.append("")
    lines.append(f"{n_err} error(s), {n_warn} warning(s), {n_ok} check(s) passed, {n_nc} not checked.")
    return "\n".join(lines) + "\n"
