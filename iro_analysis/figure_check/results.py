"""The rows the checks add: one per check made, in the findings shape plus :data:`EXTRA_COLUMNS`."""

from __future__ import annotations

__all__ = ["EXTRA_COLUMNS"]


#: Columns added to the findings table by :func:`check_figures`, after the core ones.
EXTRA_COLUMNS = ("status", "figure_id", "row_label", "expected", "reported")


class _Out:
    """The rows of one check run.

    :meth:`add` turns a status (``ok``, ``note``, ``not_checked``, ``warning``, ``error``) into the
    ``severity`` and ``status`` columns.
    """

    def __init__(self):
        self.records: list[dict] = []

    def add(self, check, status, *, table="", line=None, column="", value="", message="", figure_id="", row_label="", expected="", reported=""):
        if status in ("error", "warning"):
            severity = status
        elif status in ("ok", "note", "not_checked"):
            severity = "info"
        else:
            raise ValueError(f"unknown status {status!r}")
        self.records.append(
            {
                "check": check,
                "severity": severity,
                "table": table,
                "row": line,
                "CHILD": None,
                "column": column,
                "value": "" if value is None else str(value),
                "message": message,
                "status": "inconsistent" if severity in ("error", "warning") else status,
                "figure_id": figure_id,
                "row_label": row_label,
                "expected": "" if expected is None else str(expected),
                "reported": "" if reported is None else str(reported),
            }
        )
