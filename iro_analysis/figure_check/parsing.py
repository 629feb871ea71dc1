"""Parsing a FIGURES.yml document into a :class:`~iro_analysis.figure_check.spec.FigureSpec`.

:func:`load_figures` reads the file, :func:`parse_figures` checks every entry (tables, claims,
rates, neighbour averages, identities) and every reference between them; the first problem
raises :class:`~iro_analysis.figure_check.spec.FiguresFileError` naming the line, the entry and
the fix.
"""

from __future__ import annotations

from pathlib import Path

from . import claims as fc
from .numbers import Printed
from .reading import (
    _as_map,
    _check_keys,
    _count,
    _Ctx,
    _line,
    _Map,
    _open_entry,
    _parse_ref,
    _per_column,
    _printed,
    _ref_or_count,
    _validate_ref,
    _where,
    _yaml_loader,
    _year,
)
from .releases import parse_published
from .spec import RECOMPUTABLE, Cell, Claim, FigureSpec, FiguresFileError, NeighbourAverage, Rate, Ref, Table

__all__ = ["parse_figures", "load_figures"]


_TOP_KEYS = ("report", "authority", "year", "published", "tables", "claims", "rates", "neighbour_averages", "identities")


_TABLE_KEYS = ("name", "title", "columns", "total", "percent_of", "additive", "percent_sum", "decimals", "rows", "note")


_ROW_KEYS = ("label", "count", "percent", "decimals", "of", "denominator", "in_total", "recompute", "note")


_CLAIM_KEYS = ("id", "text", "where", "value", "unit", "decimals", "refers_to", "numerator", "denominator", "recompute",
               "change", "from", "to", "direction", "note")


_RATE_KEYS = ("id", "text", "where", "rate", "count", "population", "measure", "year", "area", "columns", "decimals", "note")


_SN_KEYS = ("id", "text", "where", "value", "measure", "year", "models", "decimals", "note")


_UNITS = ("percent", "count", "rate_per_10k", "number")


_MEASURES = ("cla_31_march", "starting", "ceasing")


def _parse_table(ctx, raw, index, seen) -> Table:
    """One entry of ``tables:``: its name and columns, then each row's cells, then the table-wide keys.

    Parameters
    ----------
    ctx : _Ctx
        Where we are, for error messages.
    raw : mapping
        The entry as read from the YAML file.
    index : int
        Its 0-based position in ``tables:``.
    seen : set of str
        Names of the tables parsed before it (each name is used once).

    Returns
    -------
    Table

    Raises
    ------
    FiguresFileError
        At the first problem, in the order the phases meet them.
    """
    raw, name, entry, columns, rows_in, total_label = _table_head(ctx, raw, index, seen)
    cells: dict = {}
    labels: list[str] = []
    for j, row in enumerate(rows_in):
        label, row_cells = _parse_row(ctx, raw, row, j, name, entry, columns, total_label, labels)
        labels.append(label)
        cells.update(row_cells)
    percent_of, additive, psum = _table_options(ctx, raw, entry, columns, labels, cells, total_label)
    return Table(
        name=name,
        line=_line(raw),
        columns=columns,
        rows=labels,
        cells=cells,
        total=total_label,
        percent_of=None if percent_of is None else str(percent_of),
        additive=additive,
        percent_sum=psum,
    )


def _table_head(ctx, raw, index, seen):
    """Phase 1 of :func:`_parse_table`: the table's name, keys, columns and list of rows.

    Parameters
    ----------
    ctx, raw, index, seen
        As :func:`_parse_table`.

    Returns
    -------
    raw : mapping
        The entry, checked to be a mapping.
    name : str
    entry : str
        How messages name the table (``tables[2] 'Table N'``).
    columns : list of str
        The column headings (``[""]`` for a table of one unnamed column).
    rows_in : list
        The rows, the total first when ``total:`` is a row of its own (a mapping, whose label
        defaults to ``Total``).
    total_label : str or None
        The label of the total row.
    """
    entry = f"tables[{index + 1}]"
    raw = _as_map(ctx, raw, entry)
    if raw.get("name") in (None, ""):
        ctx.fail("every table needs a name, e.g. 'name: Table M'.", line=_line(raw), entry=entry)
    name = str(raw["name"])
    entry = f"tables[{index + 1}] '{name}'"
    _check_keys(ctx, raw, _TABLE_KEYS, entry)
    if name in seen:
        ctx.fail(f"a table named '{name}' is already defined; give each table a distinct name.", line=_line(raw, "name"), entry=entry)
    cols_raw = raw.get("columns")
    if cols_raw is None:
        columns = [""]
    elif isinstance(cols_raw, list) and cols_raw:
        columns = [str(c) for c in cols_raw]
        if len(set(columns)) != len(columns):
            ctx.fail("column names must be distinct.", line=_line(raw, "columns"), entry=entry)
    else:
        ctx.fail("columns must be a non-empty list of column headings.", line=_line(raw, "columns"), entry=entry)
    rows_raw = raw.get("rows")
    if not isinstance(rows_raw, list) or not rows_raw:
        ctx.fail("rows must be a non-empty list of rows, each with a label.", line=_line(raw, "rows") or _line(raw), entry=entry)
    total = raw.get("total")
    rows_in = list(rows_raw)
    total_label = None
    if isinstance(total, dict):
        total = _Map(total) if not isinstance(total, _Map) else total
        if total.get("label") is None:
            total["label"] = "Total"
        rows_in = [total, *rows_in]
        total_label = str(total["label"])
    elif total is not None:
        total_label = str(total)
    return raw, name, entry, columns, rows_in, total_label


def _parse_row(ctx, table_raw, row, j, name, entry, columns, total_label, labels) -> tuple[str, dict]:
    """Phase 2 of :func:`_parse_table`: one row's label and its cell in each column.

    Parameters
    ----------
    ctx : _Ctx
    table_raw : mapping
        The table's entry (its ``decimals`` is the rows' default; its ``total`` says whether row
        0 is the total row).
    row : mapping
        The row as read.
    j : int
        0-based position of the row in ``rows_in`` (see :func:`_table_head`).
    name, entry, columns, total_label
        From :func:`_table_head`.
    labels : list of str
        Labels of the rows before it (a label is used once).

    Returns
    -------
    label : str
    cells : dict
        ``(label, column) -> Cell`` for every column.
    """
    rentry = f"{entry} rows[{j + 1}]" if not (total_label and isinstance(table_raw.get("total"), dict) and j == 0) else f"{entry} total"
    row = _as_map(ctx, row, rentry, _line(table_raw, "rows"))
    if row.get("label") in (None, ""):
        ctx.fail("every row needs a label, e.g. 'label: PN1'.", line=_line(row), entry=rentry)
    label = str(row["label"])
    rentry = f"{rentry} '{label}'"
    _check_keys(ctx, row, _ROW_KEYS, rentry)
    if label in labels:
        ctx.fail(f"row label '{label}' is used twice in this table; make labels distinct.", line=_line(row), entry=rentry)
    counts, cline = _per_column(ctx, row, "count", len(columns), rentry)
    pcts, pline = _per_column(ctx, row, "percent", len(columns), rentry)
    dec_raw = row.get("decimals", table_raw.get("decimals"))
    if isinstance(dec_raw, list):
        decs, _ = _per_column(ctx, row, "decimals", len(columns), rentry)
    else:
        decs = [dec_raw] * len(columns)
    for d in decs:
        if d is not None and (isinstance(d, bool) or not isinstance(d, int) or d < 0 or d > 6):
            ctx.fail(f"decimals {d!r} must be a whole number 0-6.", line=_line(row, "decimals"), entry=rentry)
    dens, dline = _per_column(ctx, row, "denominator", len(columns), rentry)
    of = row.get("of")
    in_total = row.get("in_total", True)
    if not isinstance(in_total, bool):
        ctx.fail("in_total must be true or false.", line=_line(row, "in_total"), entry=rentry)
    rec = row.get("recompute")
    if rec is not None:
        if rec not in RECOMPUTABLE:
            ctx.fail(f"recompute '{rec}' is not known; use one of {', '.join(RECOMPUTABLE)}.", line=_line(row, "recompute"), entry=rentry)
        if len(columns) != 1:
            ctx.fail("recompute on a row needs a one-column table; use a claim with refers_to for one cell.", line=_line(row, "recompute"), entry=rentry)
    cells = {}
    for k, col in enumerate(columns):
        centry = rentry + (f" column '{col}'" if col else "")
        cells[(label, col)] = Cell(
            table=name,
            row=label,
            column=col,
            line=_line(row, "count") or _line(row, "percent") or _line(row),
            count=_count(ctx, counts[k], centry, cline),
            percent=_printed(ctx, pcts[k], centry, pline, decs[k], "percent"),
            of=None if of is None else str(of),
            denominator=_count(ctx, dens[k], centry, dline, "denominator"),
            in_total=in_total,
            is_total=(label == total_label),
            recompute=rec,
        )
    return label, cells


def _table_options(ctx, raw, entry, columns, labels, cells, total_label):
    """Phase 3 of :func:`_parse_table`: the table-wide keys, checked against the rows read.

    Parameters
    ----------
    ctx, raw, entry, columns, total_label
        From :func:`_table_head`.
    labels : list of str
        Every row's label, in order.
    cells : dict
        Every cell (each row's ``of:`` must name a row).

    Returns
    -------
    percent_of : str or None
        The row percentages are of (default the total; ``"sum"`` for the sum of the rows).
    additive : bool or list of str
        Whether the rows add up to the total, or the columns in which they do.
    percent_sum : bool
        Whether the percentages should add up to 100.
    """
    if total_label is not None and total_label not in labels:
        ctx.fail(f"total '{total_label}' is not one of the row labels ({', '.join(labels)}).", line=_line(raw, "total"), entry=entry)
    percent_of = raw.get("percent_of", total_label)
    if percent_of is not None and str(percent_of) not in labels and str(percent_of) != "sum":
        ctx.fail(
            f"percent_of '{percent_of}' is not one of the row labels; name a row, or write 'sum' for the "
            "sum of the rows in each column.",
            line=_line(raw, "percent_of"),
            entry=entry,
        )
    for cell in cells.values():
        if cell.of is not None and cell.of not in labels:
            ctx.fail(f"of: '{cell.of}' is not one of the row labels ({', '.join(labels)}).", line=cell.line, entry=f"{entry} row '{cell.row}'")
    additive = raw.get("additive", True)
    if isinstance(additive, list):
        # Only some columns add up (e.g. episodes do, distinct children need not).
        bad = [str(c) for c in additive if str(c) not in columns]
        if bad:
            ctx.fail(f"additive names unknown column(s) {', '.join(bad)}; columns: {', '.join(columns)}.", line=_line(raw, "additive"), entry=entry)
        additive = [str(c) for c in additive]
    elif not isinstance(additive, bool):
        ctx.fail("additive must be true, false or a list of the columns whose rows add up.", line=_line(raw, "additive"), entry=entry)
    psum = raw.get("percent_sum", additive is not False)
    if not isinstance(psum, bool):
        ctx.fail("percent_sum must be true or false.", line=_line(raw, "percent_sum"), entry=entry)
    return percent_of, additive, psum


def _parse_claim(ctx, raw, index, ids) -> Claim:
    raw, cid, entry = _open_entry(ctx, raw, "claims", index, _CLAIM_KEYS, ids, "claim", "id: timeliness_text",
                                  " across claims, rates and neighbour_averages")
    if raw.get("value") is None:
        ctx.fail("a claim needs the value as printed, e.g. 'value: 95.4'.", line=_line(raw), entry=entry)
    change = None
    unit = raw.get("unit")
    if any(k in raw for k in ("change", "from", "to", "direction")):
        change, unit = fc.parse_change(ctx, raw, entry)
    if unit is None and isinstance(raw["value"], str) and raw["value"].strip().endswith("%"):
        unit = "percent"
    if unit not in _UNITS:
        ctx.fail(f"unit must be one of {', '.join(_UNITS)} (got {unit!r}).", line=_line(raw, "unit") or _line(raw), entry=entry)
    bound = fc.parse_bound(raw["value"])
    if bound is not None:
        # The printed number of a range ("over 90") is kept for the value column and messages.
        value = Printed(bound.lo if bound.lo is not None else bound.hi, 0, bound.text)
    else:
        try:
            value = Printed.parse(raw["value"], raw.get("decimals"))
        except ValueError:
            ctx.fail(f"value {raw['value']!r} is not a number; copy it as printed, e.g. 94 or 95.4 or '47.10', "
                     f"{fc.bound_hint()}.", line=_line(raw, "value"), entry=entry)
    refs = raw.get("refers_to")
    refs = [] if refs is None else (refs if isinstance(refs, list) else [refs])
    rec = raw.get("recompute")
    if rec is not None and rec not in RECOMPUTABLE:
        ctx.fail(f"recompute '{rec}' is not known; use one of {', '.join(RECOMPUTABLE)}.", line=_line(raw, "recompute"), entry=entry)
    num = _ref_or_count(ctx, raw.get("numerator"), entry, _line(raw, "numerator"), "numerator", decimals_ok=True)
    den = _ref_or_count(ctx, raw.get("denominator"), entry, _line(raw, "denominator"), "denominator", decimals_ok=True)
    if (num is None) != (den is None):
        ctx.fail("give both numerator and denominator, or neither.", line=_line(raw), entry=entry)
    if num is not None and unit != "percent":
        ctx.fail("numerator/denominator are for percentages: set unit: percent.", line=_line(raw, "unit"), entry=entry)
    return Claim(
        id=str(cid),
        line=_line(raw),
        value=value,
        unit=unit,
        where=_where(raw),
        refers_to=[_parse_ref(ctx, r, entry, _line(raw, "refers_to")) for r in refs],
        numerator=num,
        denominator=den,
        recompute=rec,
        bound=bound,
        change=change,
    )


def _parse_rate(ctx, raw, index, ids) -> Rate:
    raw, rid, entry = _open_entry(ctx, raw, "rates", index, _RATE_KEYS, ids, "rate", "id: cla_rate_end_of_year")
    cols = raw.get("columns")
    if cols is not None and (not isinstance(cols, list) or not cols):
        ctx.fail("columns must be a non-empty list.", line=_line(raw, "columns"), entry=entry)
    n = 1 if cols is None else len(cols)
    columns = [""] if cols is None else [str(c) for c in cols]
    if raw.get("rate") is None and raw.get("count") is None:
        ctx.fail("a rate entry needs 'rate' (as printed) and/or 'count'.", line=_line(raw), entry=entry)
    rates, rline = _per_column(ctx, raw, "rate", n, entry)
    counts, cline = _per_column(ctx, raw, "count", n, entry)
    dec = raw.get("decimals")
    measure = raw.get("measure", "cla_31_march")
    if measure not in _MEASURES:
        ctx.fail(f"measure must be one of {', '.join(_MEASURES)} (got {measure!r}).", line=_line(raw, "measure"), entry=entry)
    pop = raw.get("population")
    population = None
    if pop is not None:
        p = _printed(ctx, pop, entry, _line(raw, "population"), what="population")
        if p.value <= 0:
            ctx.fail("population must be positive.", line=_line(raw, "population"), entry=entry)
        population = p.value
    return Rate(
        id=str(rid),
        line=_line(raw),
        rates=[_printed(ctx, r, entry, rline, dec, "rate") for r in rates],
        counts=[_ref_or_count(ctx, c, entry, cline, "count") for c in counts],
        columns=columns,
        population=population,
        measure=measure,
        year=_year(ctx, raw.get("year"), entry, _line(raw, "year")),
        area=None if raw.get("area") is None else str(raw["area"]),
        where=_where(raw),
    )


def _parse_sn(ctx, raw, index, ids) -> NeighbourAverage:
    raw, sid, entry = _open_entry(ctx, raw, "neighbour_averages", index, _SN_KEYS, ids, "neighbour average",
                                  "id: sn_cla_rate")
    if raw.get("value") is None:
        ctx.fail("a neighbour average needs the value as printed, e.g. value: 47.10.", line=_line(raw), entry=entry)
    measure = raw.get("measure", "cla_31_march")
    if measure not in _MEASURES:
        ctx.fail(f"measure must be one of {', '.join(_MEASURES)}.", line=_line(raw, "measure"), entry=entry)
    models = raw.get("models", ["2021", "2025"])
    models = models if isinstance(models, list) else [models]
    models = [str(m) for m in models]
    for m in models:
        if m not in ("2021", "2025"):
            ctx.fail(f"model {m!r} is not known; use 2021 (DfE April 2021 list) and/or 2025.", line=_line(raw, "models"), entry=entry)
    return NeighbourAverage(
        id=str(sid),
        line=_line(raw),
        value=_printed(ctx, raw["value"], entry, _line(raw, "value"), raw.get("decimals")),
        measure=measure,
        year=_year(ctx, raw.get("year"), entry, _line(raw, "year")),
        models=models,
        where=_where(raw),
    )


def parse_figures(doc, *, source: str = "FIGURES.yml") -> FigureSpec:
    """Validate an already-loaded FIGURES document (a dict) and build a :class:`FigureSpec`.

    Raises
    ------
    FiguresFileError
        Naming ``source``, the line (when the document came from :func:`load_figures`), the
        entry and the fix.
    """
    ctx = _Ctx(source)
    if not isinstance(doc, dict):
        ctx.fail("the file must be a YAML mapping with keys such as authority, year, tables, claims.", line=1)
    _check_keys(ctx, doc, _TOP_KEYS, "top level")
    spec = FigureSpec(source=source, report=str(doc.get("report") or ""))
    if doc.get("authority") is not None:
        spec.authority = str(doc["authority"])
    spec.year = _year(ctx, doc.get("year"), "year", _line(doc, "year"))
    spec.published = parse_published(ctx, doc.get("published"), _line(doc, "published"))
    sections = {}
    for key in ("tables", "claims", "rates", "neighbour_averages", "identities"):
        val = doc.get(key)
        if val is None:
            sections[key] = []
        elif not isinstance(val, list):
            ctx.fail(f"{key} must be a list (each item starting with '- ').", line=_line(doc, key), entry=key)
        else:
            sections[key] = val
    if not any(sections.values()):
        ctx.fail("nothing to check: add tables, claims, rates, neighbour_averages or identities.", line=_line(doc) or 1)
    seen: set = set()
    for i, t in enumerate(sections["tables"]):
        table = _parse_table(ctx, t, i, seen)
        seen.add(table.name)
        spec.tables.append(table)
    ids: set = set()
    spec.claims = [_parse_claim(ctx, c, i, ids) for i, c in enumerate(sections["claims"])]
    spec.rates = [_parse_rate(ctx, r, i, ids) for i, r in enumerate(sections["rates"])]
    spec.neighbour_averages = [_parse_sn(ctx, s, i, ids) for i, s in enumerate(sections["neighbour_averages"])]
    spec.identities = [fc.parse_identity(ctx, x, i, ids) for i, x in enumerate(sections["identities"])]
    # References must point at something that exists.
    claim_ids = {c.id for c in spec.claims}
    for c in spec.claims:
        for ref in [*c.refers_to, *(x for x in (c.numerator, c.denominator) if isinstance(x, Ref))]:
            _validate_ref(ctx, spec, ref, claim_ids, f"claims '{c.id}'", c.line)
    for r in spec.rates:
        for x in r.counts:
            if isinstance(x, Ref):
                _validate_ref(ctx, spec, x, claim_ids, f"rates '{r.id}'", r.line)
    fc.validate_terms(ctx, spec)
    if spec.neighbour_averages and spec.authority is None:
        ctx.fail("neighbour_averages need the authority (add 'authority: <name or DfE code>').", line=1, entry="authority")
    return spec


def load_figures(path) -> FigureSpec:
    """Read and validate a FIGURES.yml file.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    FigureSpec

    Raises
    ------
    FiguresFileError
        If the file is missing, is not valid YAML or does not follow the format; the message
        names the file, line, entry and the fix.
    """
    import yaml

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise FiguresFileError("file not found; give the path of a FIGURES.yml file.", file=path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise FiguresFileError(f"cannot read the file ({exc}); save it as UTF-8 text.", file=path) from None
    try:
        doc = yaml.load(text, Loader=_yaml_loader())  # noqa: S506 - SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = None if mark is None else mark.line + 1
        problem = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        raise FiguresFileError(
            f"not valid YAML ({problem}). Check indentation (spaces, not tabs), the ':' after each "
            "key and quotes around text containing ': ' or '#'.",
            file=path,
            line=line,
        ) from None
    except yaml.YAMLError as exc:
        raise FiguresFileError(f"not valid YAML ({exc}).", file=path) from None
    if doc is None:
        raise FiguresFileError("the file is empty; see docs/figures.md for the format.", file=path)
    return parse_figures(doc, source=str(path))
