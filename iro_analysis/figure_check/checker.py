""":func:`check_figures`: every check on a parsed specification, in one findings table."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..quality.findings import FINDING_COLUMNS, make_findings
from .claims import check_identities
from .comparisons import _check_claims
from .dfe import _check_neighbours, _check_rates
from .parsing import load_figures, parse_figures
from .recompute import _check_recomputed
from .results import EXTRA_COLUMNS, _Out
from .spec import FigureSpec, Ref
from .splits import check_percent_splits
from .tables import _check_percent_cells, _check_sums

__all__ = ["check_figures"]


def _account_for_entries(spec: FigureSpec, out: _Out, *, with_data: bool, reference: bool):
    """Give every table, claim, rate and neighbour average without a row a ``not_checked`` one.

    The reason says what the entry lacks; rows are then ordered as the file's sections, so a
    table with nothing to check appears in its place.
    """
    tables_seen = {r["table"] for r in out.records}
    ids_seen = {r["figure_id"] for r in out.records}
    for t in spec.tables:
        if t.name in tables_seen:
            continue
        why = ["rows not meant to add up (additive: false)" if t.additive is False else "no total row" if t.total is None else ""]
        has_pct = any(c.percent is not None for c in t.cells.values())
        why.append("percentages without counts or a denominator" if has_pct else "no percentages")
        users = [c.id for c in spec.claims if any(ref.table == t.name for ref in c.refers_to)]
        out.add("nothing_to_check", "not_checked", table=t.name, line=t.line,
                message=f"{t.name}: nothing to check within the table: {', '.join(w for w in why if w)}"
                + (f"; its figures are compared by {', '.join(users)}" if users else "") + ".")
    for c in spec.claims:
        if c.id in ids_seen:
            continue
        common = dict(table="claims", line=c.line, figure_id=c.id, value=c.value, reported=c.value.text)
        label = f"'{c.id}'" + (f" ({c.where})" if c.where else "")
        users = [x.id for x in spec.claims if any(ref.figure == c.id for ref in x.refers_to)
                 or (x.change is not None and c.id in (t.ref.figure for t in (x.change.base, x.change.new) if t.ref))]
        users += [x.id for x in spec.identities if c.id in (t.ref.figure for t in [*x.plus, *x.minus, x.equals] if t.ref)]
        users += [r.id for r in spec.rates if any(isinstance(x, Ref) and x.figure == c.id for x in r.counts)]
        if users:
            # Checked, but from the other side: the result is on the claims that refer to it.
            out.add("nothing_to_check", "note", message=f"{label}: compared by {', '.join(users)} (see there).", **common)
            continue
        why = (f"recompute: {c.recompute} needs the return (--data)" if c.recompute and not with_data else
               "nothing to compare it with: give refers_to, numerator and denominator, change with from and to, or recompute")
        out.add("nothing_to_check", "not_checked", message=f"{label}: {why}.", **common)
    for r in spec.rates:
        if r.id not in ids_seen:
            dfe = ("DfE comparison not requested" if not reference else
                   "no authority or area to compare with DfE (add 'authority:')")
            out.add("nothing_to_check", "not_checked", table="rates", line=r.line, figure_id=r.id,
                    message=f"'{r.id}'" + (f" ({r.where})" if r.where else "") + f": nothing to compare it with: no population, "
                    f"no series of rates, {dfe}.")
    for sn in spec.neighbour_averages:
        if sn.id not in ids_seen:
            out.add("nothing_to_check", "not_checked", table="neighbour averages", line=sn.line, figure_id=sn.id,
                    value=sn.value, message=f"'{sn.id}': not recomputed (DfE comparison not requested).")
    order = {name: i for i, name in enumerate(t.name for t in spec.tables)}
    n = len(order)
    sections = {"claims": n, "identities": n + 1, "rates": n + 2, "neighbour averages": n + 3}
    out.records.sort(key=lambda rec: order.get(rec["table"], sections.get(rec["table"], n + 4)))


def check_figures(spec, *, data=None, reference: bool = True) -> pd.DataFrame:
    """Check the figures transcribed from a published report.

    Parameters
    ----------
    spec : FigureSpec, dict, str or Path
        A parsed specification, a FIGURES document as a dict, or the path of a FIGURES.yml
        file (read with :func:`load_figures`).
    data : SSDA903, optional
        The authority's return; figures marked ``recompute:`` are recomputed from it.
    reference : bool, default True
        Compare rates and neighbour averages with the DfE tables on the reference search
        path. Missing reference files give ``not_checked`` rows, not errors.

    Returns
    -------
    DataFrame
        The findings columns ``check, severity, table, row, CHILD, column, value, message``
        (``table`` is the report's table name, or ``claims``/``rates``/``neighbour
        averages``/``return``; ``row`` is the line in the YAML file; ``CHILD`` is empty) and
        ``status`` (``ok``, ``inconsistent``, ``not_checked`` or ``note``), ``figure_id``,
        ``row_label``, ``expected`` and ``reported``. One row per check made: passed checks are
        ``info`` rows with status ``ok`` and the arithmetic in ``message``.

    Raises
    ------
    FiguresFileError
        If the specification is unusable (for example an unknown authority).

    Notes
    -----
    Percentages and rates are judged with exact rational arithmetic against the rounding
    implied by the decimals printed (half up; an exact half rounded down is accepted;
    truncation is a warning). Statistical-neighbour averages are the mean of the neighbours'
    published whole-number rates (the LAIT convention). See the module docstring.

    Examples
    --------
    Wokingham's 2022-23 report: Table M prints 410 of 435 reviews on time as 94%, the text
    says 95.4% (410 / 435 = 94.25%).

    >>> f = check_figures({"tables": [{"name": "Table M", "rows": [
    ...     {"label": "held", "count": 435},
    ...     {"label": "on_time", "count": 410, "percent": 94, "of": "held"}]}],
    ...     "claims": [{"id": "text", "value": "95.4", "unit": "percent",
    ...                 "refers_to": "Table M / on_time"}]}, reference=False)
    >>> f[["check", "severity"]].values.tolist()
    [['percent_count', 'info'], ['figure_mismatch', 'error']]
    """
    if isinstance(spec, (str, Path)):
        spec = load_figures(spec)
    elif isinstance(spec, dict):
        spec = parse_figures(spec, source="<figures>")
    out = _Out()
    for table in spec.tables:
        _check_percent_cells(table, out)
        check_percent_splits(table, out)
        _check_sums(table, out)
    _check_claims(spec, out)
    check_identities(spec, out)
    if reference:
        _check_rates(spec, out)
        _check_neighbours(spec, out)
    else:
        saved = spec.authority
        spec.authority = None
        try:
            _check_rates(spec, out)
        finally:
            spec.authority = saved
    if data is not None:
        _check_recomputed(spec, data, out)
    _account_for_entries(spec, out, with_data=data is not None, reference=reference)
    recs = out.records
    core = make_findings([{k: r[k] for k in FINDING_COLUMNS} for r in recs])
    for col in EXTRA_COLUMNS:
        core[col] = pd.Series([r[col] for r in recs], dtype=object)
    return core
