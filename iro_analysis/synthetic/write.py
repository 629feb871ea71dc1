"""Writing a synthetic return to a folder: the yearly DfE CSVs, the truth tables, a manifest.

:func:`write_synthetic_returns` writes everything into a temporary folder beside the
destination and renames it into place, so a failure never leaves a half-written output.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

from ..errors import ParameterError
from .generate import SyntheticReturn, _ssda903, generate_return

__all__ = ["write_synthetic_returns"]

_README = """SYNTHETIC DATA - NOT REAL CHILDREN

These files are a synthetic SSDA903 (children looked after) return made by iro_analysis.synthetic.
Every identifier (CHILD "SYN" + 7 digits, UPN "SYN" + 10 digits) is invented. The population is
calibrated to published DfE figures for {la_name} ({la_code}) ({source}), collection years {years},
seed {seed}.

  <year>/            one folder per collection year (year ending 31 March), DfE CSV layout
  ground_truth.csv   the data-quality defects injected on purpose, with file line numbers
  review_truth.csv   every review generated, with its statutory due date, and reviews due but
                     deliberately not held (review_date blank)
  manifest.json      seed, authority, targets and counts
  iro_records/       example IRO service records for the last year (caseloads, escalations,
                     midway reviews, consultation, CP plans, social-work reports; no child IDs)
  commentary/        example commentary, one Markdown file per report section, labelled synthetic
"""


def _iro_records_example():
    from ..iro_records import example

    return example


def _jsonable(obj):
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (np.floating, float)):
        return None if np.isnan(obj) else round(float(obj), 6)
    return obj


def write_synthetic_returns(la, year, *, years: int = 1, out, seed: int = 0, defects: bool = True,
                            calibration: dict | None = None) -> Path:
    """Generate and write synthetic returns: one DfE-format folder per collection year.

    Parameters
    ----------
    la, year, years, seed, defects, calibration
        As :func:`generate_return`.
    out : str or Path
        Destination folder. Created; if it already holds a synthetic output (a
        ``manifest.json`` written by this function) it is replaced; any other non-empty folder
        is refused.

    Returns
    -------
    Path
        ``out``, containing ``<year>/*.csv`` (written by :func:`iro_analysis.ssda903.write_return`),
        ``ground_truth.csv``, ``review_truth.csv``, ``manifest.json``, ``README.txt``, and an
        example of the IRO service records (``iro_records/*.csv``) and of the commentary
        (``commentary/<section>.md``) for the last year (:mod:`iro_analysis.iro_records`).

    Raises
    ------
    ParameterError
        If ``out`` exists, is not empty and is not a previous synthetic output.

    Notes
    -----
    Files are written to a temporary folder beside ``out`` and renamed into place, so a
    failure never leaves a half-written output. The same arguments give byte-identical files.
    """
    out = Path(out)
    _check_out(out)
    syn = generate_return(la, year, years=years, seed=seed, defects=defects, calibration=calibration)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        _write_files(tmp, syn, seed, defects)
        _move_into_place(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def _check_out(out: Path) -> None:
    """Refuse an ``out`` that is a file, or a non-empty folder that is not a synthetic output."""
    if out.exists():
        if not out.is_dir():
            raise ParameterError(f"--out {out} exists and is not a folder; choose a new folder name.")
        if any(out.iterdir()) and not _is_synthetic_output(out):
            raise ParameterError(
                f"Output folder {out} is not empty and does not hold a previous synthetic return; "
                "choose an empty or new folder."
            )


def _write_files(tmp: Path, syn: SyntheticReturn, seed: int, defects: bool) -> None:
    """Every file of the output, into the empty folder ``tmp``."""
    ssda = _ssda903()
    counts = {}
    for cy, data in syn.data.items():
        folder = tmp / str(cy)
        folder.mkdir()
        ssda.write_return(data, folder, collection_year=cy)
        counts[str(cy)] = {t: int(len(data.table(t))) for t in data.tables}
    # IRO service records and commentary for the report year, beside the year folders
    last = max(syn.data)
    examples = _iro_records_example().write_example(tmp, syn.data[last], last, seed=seed)
    gt = syn.ground_truth
    gt.to_csv(tmp / "ground_truth.csv", index=False, lineterminator="\n")
    rt = syn.review_truth.copy()
    for c in ("period_start", "review_date", "due_date"):
        rt[c] = rt[c].dt.strftime("%Y-%m-%d")
    rt.to_csv(tmp / "review_truth.csv", index=False, lineterminator="\n")
    cal = syn.calibration
    manifest = {
        "synthetic": True,
        "description": "Synthetic SSDA903 return generated by iro_analysis.synthetic; no real children.",
        "generator": "iro_analysis.synthetic.write_synthetic_returns",
        "seed": int(seed),
        "la_code": cal["la_code"],
        "la_name": cal["la_name"],
        "year": cal["year"],
        "collection_years": cal["collection_years"],
        "defects": bool(defects),
        "targets": {k: cal[k] for k in ("source", "cla_31_march", "opening_stock", "starting", "ceasing",
                                        "uasc_share", "ethnicity", "uasc_ethnicity", "legal_status")},
        "model": cal["model"],
        "rows": counts,
        "injected_defects": {k: int(v) for k, v in gt["defect"].value_counts().sort_index().items()},
        "missed_reviews": int((syn.review_truth["injected_defect"] == "missed_review").sum()),
        "iro_records": sorted(str(f.relative_to(tmp)) for f in examples),
    }
    (tmp / "manifest.json").write_text(json.dumps(_jsonable(manifest), indent=2, sort_keys=True) + "\n",
                                       encoding="utf-8")
    (tmp / "README.txt").write_text(
        _README.format(la_name=cal["la_name"], la_code=cal["la_code"], source=cal["source"].replace("_", " "),
                       years=", ".join(str(y) for y in cal["collection_years"]), seed=seed),
        encoding="utf-8",
    )


def _move_into_place(tmp: Path, out: Path) -> None:
    """Rename the finished folder ``tmp`` to ``out``, replacing a previous output."""
    if out.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
        os.replace(out, old / "x")
        os.replace(tmp, out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp, out)


def _is_synthetic_output(folder: Path) -> bool:
    try:
        return bool(json.loads((folder / "manifest.json").read_text(encoding="utf-8")).get("synthetic"))
    except (OSError, ValueError):
        return False
