"""A synthetic example of the IRO service records and commentary, matching a synthetic return.

Used by :func:`iro_analysis.synthetic.write_synthetic_returns`. The counts follow the return's
children in care at each month end and its reviews held each month, with rates in the range the
seed IRO reports describe; the same seed gives the same files.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..calendar import year_bounds
from .commentary import SECTIONS
from .template import STAGES

__all__ = ["example_records", "write_example"]

#: Reason weights, roughly the mix of the seed reports' challenge tables.
_REASON_WEIGHTS = {
    "drift_delay": 25, "documentation": 20, "not_notified": 10, "placement": 8, "management_oversight": 8,
    "family_time": 5, "education": 5, "health": 4, "visits": 4, "attendance": 4,
    "decisions_not_actioned": 3, "safeguarding": 2, "other": 2,
}
#: Per stage: chance of moving on to the next stage, chance of withdrawal, mean days to close.
_STAGE_FLOW = {"informal": (0.2, 0.05, 7), "stage_1": (0.2, 0.05, 14), "stage_2": (0.1, 0.05, 21),
               "stage_3": (0.05, 0.0, 28), "cafcass": (0.0, 0.0, 42)}


def _month_counts(data, year: int) -> pd.DataFrame:
    """Children in care at each month end (no short breaks) and reviews held in each month."""
    start, _ = year_bounds(year)
    months = pd.date_range(start, periods=12, freq="MS")
    ep = data.episodes
    ep = ep[~ep["LS"].isin(["V3", "V4"]) & ep["DECOM"].notna()]
    in_care = []
    for month in months:
        end = month + pd.offsets.MonthEnd(0)
        on = (ep["DECOM"] <= end) & (ep["DEC"].isna() | (ep["DEC"] > end))
        in_care.append(ep.loc[on, "CHILD"].nunique())
    reviews = data.reviews["REVIEW"].dropna().dt.to_period("M").value_counts()
    held = [int(reviews.get(m.to_period("M"), 0)) for m in months]
    return pd.DataFrame({"month": months, "in_care": in_care, "reviews": held})


def _caseloads(rng, base: pd.DataFrame) -> pd.DataFrame:
    n_iro = max(1, int(np.ceil(base["in_care"].max() / 60)))
    fte = rng.choice([1.0, 1.0, 1.0, 0.8, 0.5], size=n_iro)
    rows = []
    for month, children in zip(base["month"], base["in_care"]):
        split = rng.multinomial(int(children), fte / fte.sum())
        for k in range(n_iro):
            rows.append({"month": f"{month:%Y-%m}", "iro_code": f"IRO{k + 1:02d}", "iro_fte": f"{fte[k]:.1f}",
                         "children_allocated": int(split[k])})
    return pd.DataFrame(rows)


def _escalations(rng, base: pd.DataFrame, year: int) -> pd.DataFrame:
    start, end = year_bounds(year)
    n = int(rng.poisson(0.15 * base["in_care"].mean()))
    raised = np.sort(rng.integers(0, (end - start).days + 1, size=n))
    reasons, weights = list(_REASON_WEIGHTS), np.array(list(_REASON_WEIGHTS.values()), dtype=float)
    rows = []
    for k, day in enumerate(raised, start=1):
        reason = str(rng.choice(reasons, p=weights / weights.sum()))
        date = start + pd.Timedelta(days=int(day))
        for stage in STAGES:
            onward, withdraw, mean_days = _STAGE_FLOW[stage]
            closed = date + pd.Timedelta(days=int(rng.geometric(1 / mean_days)))
            u = rng.random()
            outcome = "escalated" if u < onward else ("withdrawn" if u < onward + withdraw else "resolved")
            if closed > end:
                outcome = "open"
            rows.append({"escalation_id": f"E{year % 100:02d}-{k:03d}", "date_raised": f"{date:%d/%m/%Y}",
                         "stage": stage, "reason": reason, "outcome": outcome,
                         "date_resolved": "" if outcome == "open" else f"{closed:%d/%m/%Y}"})
            if outcome != "escalated":
                break
            date = closed
    columns = ["escalation_id", "date_raised", "stage", "reason", "outcome", "date_resolved"]
    return pd.DataFrame(rows, columns=columns)


def example_records(data, year: int, *, seed: int = 0) -> dict[str, pd.DataFrame]:
    """Synthetic IRO service records (as the text written to the CSV files) for a return.

    Parameters
    ----------
    data : SSDA903
        The synthetic return of the reporting year (episodes and reviews are used).
    year : int
        Reporting year ending 31 March.
    seed : int
        Random seed.

    Returns
    -------
    dict
        ``{table: DataFrame}`` for every table of the template.
    """
    rng = np.random.default_rng([int(seed), int(year), 12])
    base = _month_counts(data, year)
    month = base["month"].dt.strftime("%Y-%m")
    due = base["reviews"].to_numpy()
    in_care = base["in_care"].to_numpy()
    return {
        "caseloads": _caseloads(rng, base),
        "escalations": _escalations(rng, base, year),
        "midway_reviews": pd.DataFrame({"month": month, "reviews_due": due,
                                        "midway_checks_done": rng.binomial(due, 0.7)}),
        "consultation": pd.DataFrame({"month": month, "child_forms_sent": due,
                                      "child_forms_returned": rng.binomial(due, 0.45),
                                      "parent_carer_forms_sent": due,
                                      "parent_carer_forms_returned": rng.binomial(due, 0.3)}),
        "cp_plans": pd.DataFrame({"month": month, "children_in_care_also_on_cp_plan": rng.binomial(in_care, 0.06)}),
        "sw_reports": pd.DataFrame({"month": month, "reports_due": due,
                                    "reports_on_time_before_review": rng.binomial(due, 0.55)}),
    }


_LABEL = "**Synthetic example.** This commentary was written for the synthetic test data, not by an IRO service."

#: Example commentary per section: general text with no figures, so it is true of any synthetic run.
EXAMPLE_COMMENTARY = {
    "about_the_data": "The figures come from the SSDA903 return and the IRO service's own records of caseloads, "
                      "escalations and midway reviews.",
    "in_care": "The number of children in care changed little over the year.",
    "starting_care": "Most children who started to be looked after were placed in foster care.",
    "in_care_31_march": "Most children in care at 31 March were under a care order.",
    "leaving_care": "The most common reason for leaving care was a return home.",
    "missing": "Every child who went missing was offered a return home interview.",
    "timeliness": "Most reviews were held on time. Late reviews are checked each month by the IRO manager.",
    "participation": "Most children took part in their review, in person or by sharing their views.",
    "ethnicity": "The ethnic mix of children in care is compared with the local child population.",
    "comparison": "Figures are compared with statistical neighbours and England.",
    "iro_service": "Priorities for next year:\n\n- embed *midway reviews* for every child\n"
                   "- resolve more disputes **informally**, before a formal stage",
}


def write_example(folder, data, year: int, *, seed: int = 0) -> list[Path]:
    """Write ``iro_records/`` (CSV per table) and ``commentary/`` (one ``.md`` per section) into ``folder``.

    Returns
    -------
    list of Path
        The files written, in order.
    """
    folder = Path(folder)
    written = []
    records = folder / "iro_records"
    records.mkdir(parents=True, exist_ok=True)
    for table, frame in example_records(data, year, seed=seed).items():
        path = records / f"{table}.csv"
        frame.to_csv(path, index=False, lineterminator="\n")
        written.append(path)
    notes = folder / "commentary"
    notes.mkdir(parents=True, exist_ok=True)
    for section in SECTIONS:
        path = notes / f"{section}.md"
        path.write_text(f"{_LABEL}\n\n{EXAMPLE_COMMENTARY[section]}\n", encoding="utf-8")
        written.append(path)
    return written
