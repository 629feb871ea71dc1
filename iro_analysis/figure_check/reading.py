"""Reading a FIGURES.yml file: YAML with line numbers kept, and the readers of single fields.

Every reader names the file, line and entry when a value cannot be used (:class:`_Ctx`), so
that the analyst can find and fix it; the entries themselves are parsed in
:mod:`~iro_analysis.figure_check.parsing` and :mod:`~iro_analysis.figure_check.claims`.
"""

from __future__ import annotations

import difflib
import re

from .numbers import Printed, _Num
from .spec import FiguresFileError, Ref


class _Map(dict):
    """A YAML mapping remembering its line and the line of each value."""

    line: int | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines: dict = {}


def _yaml_loader():
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    def mapping(loader, node):
        loader.flatten_mapping(node)
        out = _Map()
        out.line = node.start_mark.line + 1
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, (str, int, float, bool)) or key is None:
                raise yaml.constructor.ConstructorError(
                    None, None, f"unusable key {key!r}", key_node.start_mark
                )
            if key in out:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key!r} appears twice in the same entry", key_node.start_mark
                )
            out[key] = loader.construct_object(value_node, deep=True)
            out.lines[key] = value_node.start_mark.line + 1
        return out

    def floating(loader, node):
        num = _Num(loader.construct_yaml_float(node))
        num.text = str(node.value)
        return num

    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    Loader.add_constructor("tag:yaml.org,2002:float", floating)
    return Loader


class _Ctx:
    """Where we are while parsing, for error messages."""

    def __init__(self, file):
        self.file = file

    def fail(self, message, *, line=None, entry=None):
        raise FiguresFileError(message, file=self.file, line=line, entry=entry)


def _line(obj, key=None):
    if isinstance(obj, _Map):
        if key is not None and key in obj.lines:
            return obj.lines[key]
        return obj.line
    return None


def _check_keys(ctx, obj, allowed, entry):
    for key in obj:
        if key not in allowed:
            near = difflib.get_close_matches(str(key), allowed, n=1)
            hint = f" Did you mean '{near[0]}'?" if near else f" Allowed keys: {', '.join(allowed)}."
            ctx.fail(f"unknown key '{key}'.{hint}", line=_line(obj, key), entry=entry)


def _as_map(ctx, obj, entry, line=None):
    if not isinstance(obj, dict):
        ctx.fail(
            f"expected a mapping (key: value lines), got {type(obj).__name__} {obj!r}.",
            line=line,
            entry=entry,
        )
    return obj


def _year(ctx, raw, entry, line):
    """A year ending 31 March from 2023, "2022-23", "2022/23" or a date."""
    if raw is None:
        return None
    if hasattr(raw, "year") and hasattr(raw, "month"):
        return raw.year if raw.month <= 3 else raw.year + 1
    text = str(raw).strip()
    m = re.fullmatch(r"(\d{4})", text)
    if m:
        return int(m.group(1))
    m = re.fullmatch(r"(\d{4})\s*[-/–]\s*(\d{2}|\d{4})", text)
    if m:
        start = int(m.group(1))
        end = m.group(2)
        end_year = int(end) if len(end) == 4 else (start // 100) * 100 + int(end)
        if end_year == start + 1:
            return end_year
    ctx.fail(
        f"year {raw!r} is not understood; write the year ending 31 March (2023) or a label such as 2022-23.",
        line=line,
        entry=entry,
    )


def _count(ctx, raw, entry, line, what="count"):
    if raw is None:
        return None
    if isinstance(raw, bool):
        ctx.fail(f"{what} {raw!r} is not a whole number.", line=line, entry=entry)
    if isinstance(raw, int):
        value = raw
    else:
        try:
            p = Printed.parse(raw)
        except ValueError:
            ctx.fail(f"{what} {raw!r} is not a number; write it as printed, e.g. 435 (or null if blank).", line=line, entry=entry)
        if p.value.denominator != 1:
            ctx.fail(f"{what} {raw!r} is not a whole number.", line=line, entry=entry)
        value = int(p.value)
    if value < 0:
        ctx.fail(f"{what} {raw!r} is negative.", line=line, entry=entry)
    return value


def _printed(ctx, raw, entry, line, decimals=None, what="value"):
    if raw is None:
        return None
    try:
        return Printed.parse(raw, decimals)
    except ValueError:
        ctx.fail(f"{what} {raw!r} is not a number; copy it as printed, e.g. 94 or 95.4 or '47.10'.", line=line, entry=entry)


def _per_column(ctx, obj, key, ncols, entry):
    """A row value: a scalar for one column, or a list with one value per column."""
    raw = obj.get(key)
    line = _line(obj, key)
    if isinstance(raw, list):
        if len(raw) != ncols:
            ctx.fail(
                f"{key} has {len(raw)} value(s) but the table has {ncols} column(s); give one value per "
                "column (null for a blank cell).",
                line=line,
                entry=entry,
            )
        return list(raw), line
    if ncols != 1 and raw is not None:
        ctx.fail(
            f"{key} is a single value but the table has {ncols} columns; give a list with one value per column.",
            line=line,
            entry=entry,
        )
    return [raw] * ncols, line


def _parse_ref(ctx, raw, entry, line) -> Ref:
    if isinstance(raw, dict):
        _check_keys(ctx, raw, ("table", "row", "rows", "column", "columns", "figure"), entry + " refers_to")
        if raw.get("figure") is not None:
            return Ref(text=str(raw["figure"]), figure=str(raw["figure"]))
        if raw.get("table") is None:
            ctx.fail("refers_to needs 'table' (with 'row' or 'rows') or 'figure'.", line=line, entry=entry)
        rows = raw.get("rows", [raw.get("row")] if raw.get("row") is not None else [])
        cols = raw.get("columns", [raw.get("column")] if raw.get("column") is not None else [])
        if not isinstance(rows, list) or not isinstance(cols, list):
            ctx.fail("refers_to rows/columns must be lists.", line=line, entry=entry)
        rows = [str(r) for r in rows]
        cols = [str(c) for c in cols]
        text = f"{raw['table']} / {' + '.join(rows)}" + (f" / {' + '.join(cols)}" if cols else "")
        return Ref(text=text, table=str(raw["table"]), rows=rows, columns=cols)
    if isinstance(raw, (str, int)):
        text = str(raw).strip()
        parts = [p.strip() for p in text.split(" / ")]
        if len(parts) == 1:
            return Ref(text=text, figure=text)
        if len(parts) in (2, 3):
            return Ref(text=text, table=parts[0], rows=[parts[1]], columns=parts[2:3])
    ctx.fail(
        f"refers_to {raw!r} is not understood; write 'TABLE / ROW' or 'TABLE / ROW / COLUMN' (spaces "
        "around each /), another figure's id, or a mapping {table:, row:|rows:, column:|columns:}.",
        line=line,
        entry=entry,
    )


def _ref_or_count(ctx, raw, entry, line, what, decimals_ok=False):
    if raw is None:
        return None
    if isinstance(raw, (dict,)) or (isinstance(raw, str) and " / " in raw):
        return _parse_ref(ctx, raw, entry, line)
    if decimals_ok and not isinstance(raw, (bool, int)):
        # "12.5 FTE of 40": a decimal is kept as printed and taken at its rounding.
        p = _printed(ctx, raw, entry, line, what=what)
        if p.value < 0:
            ctx.fail(f"{what} {raw!r} is negative.", line=line, entry=entry)
        return int(p.value) if p.decimals == 0 and p.value.denominator == 1 else p
    return _count(ctx, raw, entry, line, what)


def _where(obj) -> str:
    parts = [str(obj[k]) for k in ("where", "text") if obj.get(k)]
    return " ".join(parts[:1])


def _open_entry(ctx, raw, section, index, keys, ids, what, example, unique=""):
    """Check one id-keyed entry (claim, rate, neighbour average); return (raw, id, entry).

    The id must be present and unused across ``ids`` (which gains it); ``entry`` names the entry
    in later messages, with its id once known.
    """
    entry = f"{section}[{index + 1}]"
    raw = _as_map(ctx, raw, entry)
    eid = raw.get("id")
    if eid in (None, ""):
        ctx.fail(f"every {what} needs an id, e.g. '{example}'.", line=_line(raw), entry=entry)
    entry = f"{section}[{index + 1}] '{eid}'"
    _check_keys(ctx, raw, keys, entry)
    if str(eid) in ids:
        ctx.fail(f"id '{eid}' is already used; ids must be unique{unique}.", line=_line(raw, "id"), entry=entry)
    ids.add(str(eid))
    return raw, eid, entry


def _validate_ref(ctx, spec, ref: Ref, claim_ids, entry, line):
    if ref.figure is not None:
        if ref.figure not in claim_ids:
            ctx.fail(
                f"refers_to '{ref.figure}' is not a claim id (nor 'TABLE / ROW': put spaces around each /).",
                line=line,
                entry=entry,
            )
        return
    table = spec.table(ref.table)
    if table is None:
        near = difflib.get_close_matches(ref.table, [t.name for t in spec.tables], n=1)
        ctx.fail(
            f"refers_to table '{ref.table}' is not defined." + (f" Did you mean '{near[0]}'?" if near else ""),
            line=line,
            entry=entry,
        )
    for row in ref.rows:
        if row not in table.rows:
            ctx.fail(f"refers_to row '{row}' is not in {table.name} (rows: {', '.join(table.rows)}).", line=line, entry=entry)
    if not ref.rows:
        ctx.fail("refers_to needs a row.", line=line, entry=entry)
    if not ref.columns:
        if len(table.columns) != 1:
            ctx.fail(
                f"{table.name} has several columns; name one: '{table.name} / {ref.rows[0]} / COLUMN' "
                f"(columns: {', '.join(table.columns)}).",
                line=line,
                entry=entry,
            )
        ref.columns = list(table.columns)
    for col in ref.columns:
        if col not in table.columns:
            ctx.fail(f"refers_to column '{col}' is not in {table.name} (columns: {', '.join(table.columns)}).", line=line, entry=entry)
