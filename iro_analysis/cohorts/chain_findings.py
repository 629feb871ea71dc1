"""Faults in each child's chain of episodes, as findings: each repair the periods of care make, visible."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..findings import make_findings
from ..ssda903.model import as_return
from .normalise import _as_dates, _child, _table
from .periods import _source, prepare


def _make_findings(df: pd.DataFrame) -> pd.DataFrame:
    """Findings in the standard shape (:func:`iro_analysis.findings.make_findings`)."""
    return make_findings(df)


def _source_lines(data, table: str):
    """1-based source-file line of each input row, when the loader recorded them."""
    return as_return(data).source_lines(table)


def _iso(values) -> np.ndarray:
    """Dates as ``YYYY-MM-DD`` text, ``"blank"`` where missing."""
    s = pd.Series(pd.to_datetime(pd.Series(values)))
    return s.dt.strftime("%Y-%m-%d").fillna("blank").to_numpy(dtype=object)


def episode_chain_findings(data) -> pd.DataFrame:
    """Gaps, overlaps and other faults in each child's chain of episodes.

    Parameters
    ----------
    data : SSDA903 or object with an ``episodes`` DataFrame

    Returns
    -------
    DataFrame
        The findings shape (``check, severity, table, row, CHILD, column, value, message``),
        table ``"episodes"``, ``row`` NA (rows are identified by CHILD and the dates in the
        message). Child-level, restricted output. Checks:

        - ``episode_no_start`` (error): DECOM blank; the episode is ignored.
        - ``episode_duplicate`` (warning): the same CHILD and DECOM twice in one return.
        - ``episode_ends_before_start`` (error): DEC before DECOM.
        - ``episode_x1_gap`` (warning): REC X1 but the next episode starts later; treated
          as continuous.
        - ``episode_x1_last`` (warning): REC X1 but no next episode; the period is taken to
          end on DEC.
        - ``episode_x1_then_new_period`` (warning): REC X1 followed by RNE S; a new period
          is started.
        - ``episode_overlap`` (error): DEC after the next episode's DECOM.
        - ``episode_open_not_last`` (error): DEC blank but a later episode exists; treated
          as ending on the next DECOM.
        - ``episode_open_stale`` (warning): open in an earlier return of a multi-year stack,
          child absent from later returns; closed on 31 March of that return's year.
        - ``episode_new_period_without_s`` (warning): the previous episode ended the
          period (REC not X1) but this one's RNE is not S; a new period is started.

    Notes
    -----
    These mirror the repairs applied by :func:`periods_of_care` and :func:`in_care_on`
    (module Notes) so that each repair is visible to the analyst. Related DfE validation
    rules cover part of this (e.g. overlapping episodes); LIIA's multi-year episode fix
    rules 1, 1A, 2 and 5 make the same repairs.
    """
    prep = prepare(data)
    out = _FindingBlocks(data, prep)
    _unplaced_episodes(data, prep, out)
    _chain_faults(prep, out)
    return out.frame()


class _FindingBlocks:
    """Findings gathered one block per check, in order, on the episodes table."""

    def __init__(self, data, prep):
        self.parts = []
        self.lines = _source_lines(_source(data), "episodes")
        self.chain = prep.chain
        self.pos = prep.chain["_pos"].to_numpy()

    def block(self, src_pos, children, check, severity, column, value, message):
        """One block of findings on the episodes at positions ``src_pos`` of the source table."""
        self.parts.append(
            pd.DataFrame(
                {
                    "check": check,
                    "severity": severity,
                    "table": "episodes",
                    "row": self.lines[src_pos] if self.lines is not None else pd.NA,
                    "CHILD": children,
                    "column": column,
                    "value": value,
                    "message": message,
                }
            )
        )

    def add(self, mask, check, severity, column, value, message):
        """One block of findings on chain rows; value/message are functions of the selected row
        positions, so text is only built for the rows that fire."""
        idx = np.flatnonzero(mask)
        if not len(idx):
            return
        self.block(self.pos[idx], self.chain["CHILD"].to_numpy(dtype=object)[idx], check, severity, column,
                   np.broadcast_to(np.asarray(value(idx), dtype=object), idx.shape),
                   np.asarray(message(idx), dtype=object))

    def frame(self) -> pd.DataFrame:
        """Every block found, in the findings shape."""
        if not self.parts:
            return _make_findings(pd.DataFrame(columns=["check", "severity"]))
        return _make_findings(pd.concat(self.parts, ignore_index=True))


def _unplaced_episodes(data, prep, out: _FindingBlocks) -> None:
    """Episodes left out of the chain: no start date, or a second episode with the same start in one return."""
    if len(prep.dropped):
        dr = prep.dropped
        out.block(dr["_pos"].to_numpy(), _child(dr["CHILD"]).to_numpy(dtype=object), "episode_no_start", "error",
                  "DECOM", "blank",
                  "Episode has no start date (DECOM); it is left out of periods of care and "
                  "counts. Correct DECOM in the case management system.")

    # Duplicates within one return (different returns repeating an episode is normal).
    ep = _table(_source(data), "episodes")
    keys = ["CHILD", "DECOM"] + (["collection_year"] if "collection_year" in ep.columns else [])
    e2 = _as_dates(ep[keys], "episodes", ("DECOM",)).assign(_pos=np.arange(len(ep)))
    e2 = e2.loc[e2["DECOM"].notna()]
    key_arrays = [pd.factorize(_child(e2["CHILD"]))[0], e2["DECOM"].to_numpy(dtype="datetime64[ns]").view("int64")]
    if "collection_year" in keys:
        key_arrays.append(pd.factorize(e2["collection_year"])[0])
    dup = pd.DataFrame({f"k{i}": a for i, a in enumerate(key_arrays)}).duplicated(keep="first").to_numpy()
    if dup.any():
        d = e2.loc[dup]
        out.block(d["_pos"].to_numpy(), _child(d["CHILD"]).to_numpy(dtype=object), "episode_duplicate", "warning",
                  "DECOM", _iso(d["DECOM"]),
                  "More than one episode with this child and start date in one return; "
                  "the last one in the file is used.")


def _chain_faults(prep, out: _FindingBlocks) -> None:
    """The faults between neighbouring episodes of a child, each with the repair the chain made."""
    ch = prep.chain
    n = len(ch)
    cid = ch["_cid"].to_numpy(dtype="int64")
    decom = ch["DECOM"].to_numpy(dtype="datetime64[ns]")
    dec = ch["DEC"].to_numpy(dtype="datetime64[ns]")
    nxt = ch["next_DECOM"].to_numpy(dtype="datetime64[ns]")
    rec = ch["REC"].to_numpy(dtype=object)
    rne = ch["RNE"].to_numpy(dtype=object)
    next_rne = ch["next_RNE"].to_numpy(dtype=object)
    has_next = ~np.isnat(nxt)
    is_open = np.isnat(dec)
    is_x1 = rec == "X1"
    txt, add = _iso, out.add
    add(~is_open & (dec < decom), "episode_ends_before_start", "error", "DEC",
        lambda i: txt(dec[i]),
        lambda i: "Episode starting " + txt(decom[i]) + " ends " + txt(dec[i])
        + ", before it starts. Correct DECOM or DEC.")
    add(is_x1 & has_next & ~is_open & (dec < nxt) & (next_rne != "S"), "episode_x1_gap", "warning", "DEC",
        lambda i: txt(dec[i]),
        lambda i: "Episode ends " + txt(dec[i]) + " with REC X1 but the next episode starts " + txt(nxt[i]) + " ("
        + ((nxt[i] - dec[i]) // np.timedelta64(1, "D")).astype(str).astype(object)
        + " days later); treated as continuous care. Check DEC of this episode or DECOM of the next.")
    add(is_x1 & ~has_next & ~is_open, "episode_x1_last", "warning", "REC",
        lambda i: "X1",
        lambda i: "Episode ends " + txt(dec[i]) + " with REC X1 (a new episode begins the same day) but there is "
        "no later episode; the period of care is taken to end on " + txt(dec[i])
        + ". Add the missing episode or correct REC.")
    add(is_x1 & has_next & (next_rne == "S"), "episode_x1_then_new_period", "warning", "REC",
        lambda i: "X1",
        lambda i: "Episode ends " + txt(dec[i]) + " with REC X1 but the next episode (" + txt(nxt[i])
        + ") has RNE S (started to be looked after); a new period of care is started. Correct REC or the next RNE.")
    add(~is_open & has_next & (dec > nxt), "episode_overlap", "error", "DEC",
        lambda i: txt(dec[i]),
        lambda i: "Episode starting " + txt(decom[i]) + " ends " + txt(dec[i]) + ", after the next episode starts ("
        + txt(nxt[i]) + "); the child is counted in the later episode from " + txt(nxt[i]) + ". Correct the dates.")
    add(is_open & has_next, "episode_open_not_last", "error", "DEC",
        lambda i: "blank",
        lambda i: "Episode starting " + txt(decom[i]) + " has no end date but a later episode starts " + txt(nxt[i])
        + "; treated as ending " + txt(nxt[i]) + ". Record DEC and REC.")
    if "collection_year" in ch.columns:
        cy = ch["collection_year"].to_numpy()
        add(ch["stale_open"].to_numpy(dtype=bool), "episode_open_stale", "warning", "DEC",
            lambda i: "blank",
            lambda i: "Episode starting " + txt(decom[i]) + " is open in the " + cy[i].astype(str).astype(object)
            + " return but the child has no episode in later returns; treated as ending on 31 March "
            + cy[i].astype(str).astype(object) + ".")
    prev_real_end = np.zeros(n, dtype=bool)
    if n > 1:
        prev_real_end[1:] = (cid[1:] == cid[:-1]) & ~is_open[:-1] & ~is_x1[:-1]
    add(prev_real_end & (rne != "S"), "episode_new_period_without_s", "warning", "RNE",
        lambda i: rne[i],
        lambda i: "Episode starting " + txt(decom[i]) + " follows an episode that ended the period of care "
        "(REC not X1) but its RNE is not S; a new period of care is started. Correct RNE or the previous REC.")
