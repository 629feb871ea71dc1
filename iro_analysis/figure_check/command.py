"""The ``iro-analysis check-figures`` command: read, check, print, and say so in the exit status."""

from __future__ import annotations

import io
import json
import sys

import pandas as pd

from ..errors import IroAnalysisError
from .checker import check_figures
from .formatting import format_figures_text
from .parsing import load_figures

__all__ = ["run_check_figures"]


def run_check_figures(path, *, data_dir=None, output_format: str = "text", stream=None) -> int:
    """The ``iro-analysis check-figures`` command.

    Parameters
    ----------
    path : str or Path
        The FIGURES.yml file.
    data_dir : str or Path, optional
        An SSDA903 return (anything :func:`iro_analysis.load_ssda903` reads) to recompute the
        figures marked ``recompute:``.
    output_format : {"text", "csv", "json"}
    stream : file-like, default ``sys.stdout``

    Returns
    -------
    int
        0 when nothing is inconsistent, 1 when any error or warning was found, 2 when the
        input is unusable (message on stderr naming the file, the entry and the fix).
    """
    stream = sys.stdout if stream is None else stream
    err = sys.stderr
    if output_format not in ("text", "csv", "json"):
        print(f"iro-analysis check-figures: --format must be text, csv or json (got {output_format!r}).", file=err)
        return 2
    try:
        spec = load_figures(path)
        data = None
        if data_dir is not None:
            from ..ssda903 import load_ssda903

            data = load_ssda903(data_dir)
        findings = check_figures(spec, data=data)
    except IroAnalysisError as exc:
        print(f"iro-analysis check-figures: {exc}", file=err)
        return 2
    except Exception as exc:  # never a traceback for the user; say what to report
        print(
            f"iro-analysis check-figures: unexpected {type(exc).__name__} while checking {path}: {exc}. "
            "Please report this with the FIGURES file.",
            file=err,
        )
        return 2
    if output_format == "text":
        stream.write(format_figures_text(findings, source=str(path)))
    elif output_format == "csv":
        buf = io.StringIO()
        findings.to_csv(buf, index=False, lineterminator="\n")
        stream.write(buf.getvalue())
    else:
        recs = []
        for rec in findings.to_dict(orient="records"):
            recs.append({k: (None if (v is None or (not isinstance(v, str) and pd.isna(v))) else (int(v) if k == "row" else v)) for k, v in rec.items()})
        stream.write(json.dumps(recs, indent=2, ensure_ascii=False) + "\n")
    return 1 if findings["severity"].isin(["error", "warning"]).any() else 0
