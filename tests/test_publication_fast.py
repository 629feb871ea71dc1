"""The publication layer's column-wise reading gives what reading it cell by cell gives.

:class:`iro_analysis.publication.Publication` works out row labels, hidden masks, texts, HTML and
Excel sheets a column at a time, from lists and arrays, and keeps each table's mask once the
publication is final. These tests hold it to the plain formulation: each value read from the
frame with ``iloc``/``at``, each mask cell set with ``at`` (and read back as a frame), the HTML
built from ``iterrows``.
"""

import html

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from pandas.testing import assert_frame_equal

from iro_analysis.disclosure import SUPPRESSED
from iro_analysis.export import write_publication_excel
from iro_analysis.publication import Publication, _row_labels


# --- the plain formulation -------------------------------------------------------------------------

def _plain_row_label(table, position):
    return " / ".join(str(table.frame.iloc[position][c]) for c in table.labels)


def _plain_hidden_mask(pub, name):
    table = pub.tables[name]
    mask = pd.DataFrame(False, index=table.frame.index, columns=table.frame.columns)
    for (position, column), key in table.keys.items():
        mask.at[position, column] = key in pub.hidden
    for column, sources in table.derived.items():
        for position in range(len(table.frame)):
            mask.at[position, column] = any(pub._cell_hidden(table, position, s) for s in sources)
    return mask


def _plain_published(pub, name):
    table = pub.tables[name]
    mask = _plain_hidden_mask(pub, name)
    out = pd.DataFrame(index=table.frame.index)
    for column in table.frame.columns:
        values = [pub._format(table, column, v, i) for i, v in enumerate(table.frame[column])]
        out[column] = [SUPPRESSED if mask.at[i, column] else v for i, v in enumerate(values)]
    return out


def _plain_numeric(pub, name):
    table = pub.tables[name]
    mask = _plain_hidden_mask(pub, name)
    out = table.frame.copy()
    for column in table.counts + list(table.derived):
        if pd.api.types.is_numeric_dtype(out[column]):
            out[column] = out[column].astype(float).where(~mask[column], np.nan)
        else:
            out[column] = out[column].astype(object).where(~mask[column], None)
    return out


def _plain_html(pub, name, column_label=str):
    table = pub.tables[name]
    shown = _plain_published(pub, name)
    head = "".join(f'<th scope="col">{html.escape(str(column_label(c)))}</th>' for c in shown.columns)
    rows = []
    numeric_columns = set(table.counts) | set(table.derived) | {
        c for c in table.public if pd.api.types.is_numeric_dtype(table.frame[c])}
    for position, row in shown.iterrows():
        cells = []
        for column in shown.columns:
            tag = "th" if column == table.labels[0] else "td"
            scope = ' scope="row"' if tag == "th" else ""
            align = ' class="num"' if column in numeric_columns else ""
            cells.append(f"<{tag}{scope}{align}>{html.escape(row[column])}</{tag}>")
        klass = ' class="total"' if position == table.total_row else ""
        rows.append(f"<tr{klass}>{''.join(cells)}</tr>")
    caption = f"<caption>{html.escape(table.caption)}</caption>" if table.caption else ""
    note = f'<p class="iro-note">{html.escape(table.note)}</p>' if table.note else ""
    return (f'<table class="iro-table">{caption}<thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>{note}")


def _plain_excel_sheets(pub, column_label=str):
    sheets = {}
    for name, table in pub.tables.items():
        mask = _plain_hidden_mask(pub, name)
        out = table.frame.copy().astype(object)
        for column in table.counts + list(table.derived):
            for position in range(len(out)):
                value = out.at[position, column]
                if mask.at[position, column]:
                    out.at[position, column] = SUPPRESSED
                elif column in table.counts:
                    out.at[position, column] = int(round(float(value)))
                elif isinstance(value, (float, np.floating)):
                    out.at[position, column] = round(float(value), pub._places(table, column, position))
        sheets[name] = out.rename(columns=column_label)
    return sheets


# --- publications to read ---------------------------------------------------------------------------

_LABELS = st.sampled_from(["Male", "Female", "Total", "<b>x</b>", "A & B", "White", "Asian", "", "=SUM(A1)"])


@st.composite
def publications(draw):
    """One to three tables like a report's: counts, a derived percent and ratio, a public column."""
    pub = Publication()
    for t in range(draw(st.integers(1, 3))):
        rows = draw(st.integers(1, 6))
        labels = draw(st.lists(_LABELS, min_size=rows, max_size=rows, unique=True))
        counts = [draw(st.integers(0, 40)) for _ in range(rows)]
        if "Total" in labels:  # a total row of the table's own: it adds up the others
            counts[labels.index("Total")] = sum(c for c, label in zip(counts, labels) if label != "Total")
        frame = pd.DataFrame({"group": labels, "count": counts})
        derived = {"percent": ["count", "@total"]}
        frame["percent"] = [draw(st.one_of(st.floats(0, 100), st.just(np.nan))) for _ in range(rows)]
        if draw(st.booleans()):
            frame["verdict"] = [draw(st.sampled_from(["higher", "lower", None])) for _ in range(rows)]
            derived["verdict"] = ["count"]
        public = []
        if draw(st.booleans()):
            frame["england"] = [draw(st.floats(0, 1e5)) for _ in range(rows)]
            public.append("england")
        if draw(st.booleans()):  # a second label column
            frame.insert(1, "year", [draw(st.sampled_from([2022, 2023])) for _ in range(rows)])
            labels_used = ["group", "year"]
        else:
            labels_used = ["group"]
        decimals = {"percent": {labels[0]: 0, labels[-1]: 2}} if draw(st.booleans()) else {"percent": 2}
        pub.add_table(f"T{t}", frame, labels=labels_used, counts=["count"], derived=derived, public=public,
                      add_total="Total" not in labels, decimals=decimals, caption=draw(st.sampled_from(["", "A <caption>"])),
                      note=draw(st.sampled_from(["", "note & more"])), cost=draw(st.sampled_from([1.0, 10.0])),
                      key=(lambda label, _c: f"shared:{label}") if draw(st.booleans()) else None)
    pub.finalise()
    return pub


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(publications())
def test_every_reading_matches_the_cell_by_cell_one(pub):
    label = lambda c: f"<{c}>"  # noqa: E731  (a heading that needs escaping)
    sheets = pub.excel_sheets(column_label=label)
    plain_sheets = _plain_excel_sheets(pub, column_label=label)
    for name, table in pub.tables.items():
        assert table.row_labels() == [_plain_row_label(table, p) for p in range(len(table.frame))]
        assert_frame_equal(pub.hidden_mask(name), _plain_hidden_mask(pub, name), check_exact=True)
        assert_frame_equal(pub.published(name), _plain_published(pub, name), check_exact=True)
        assert_frame_equal(pub.numeric(name), _plain_numeric(pub, name), check_exact=True)
        assert pub.html(name) == _plain_html(pub, name)
        assert pub.html(name, column_label=label) == _plain_html(pub, name, column_label=label)
        assert_frame_equal(sheets[name], plain_sheets[name], check_exact=True)
        for column in sheets[name].columns:  # the same Python objects, not only equal values
            assert [type(v) for v in sheets[name][column]] == [type(v) for v in plain_sheets[name][column]]


@pytest.mark.parametrize("frame", [
    pd.DataFrame({"year": [2022, 2023], "count": [5.0, 7.0]}),  # numbers only: a row is all floats
    pd.DataFrame({"year": [2022, 2023], "count": [5, 7]}),  # integers only
    pd.DataFrame({"group": ["a", None], "year": [2022, 2023], "count": [5.0, np.nan]}),
    pd.DataFrame({"group": pd.Categorical(["a", "b"]), "day": pd.to_datetime(["2023-03-31", None]),
                  "n": pd.array([1, None], dtype="Int64"), "flag": [True, False]}),
])
def test_row_labels_read_as_iloc_reads_them(frame):
    # "2022.0" for a table of numbers only (its rows are cast to float), "2022" beside text
    labels = [c for c in frame.columns if c != "count"]
    expected = [" / ".join(str(frame.iloc[p][c]) for c in labels) for p in range(len(frame))]
    assert _row_labels(frame, labels) == expected
    assert _row_labels(frame, []) == ["", ""]
    assert _row_labels(frame.iloc[:0], labels) == []


def test_the_mask_is_worked_out_once_and_handed_out_as_a_copy():
    pub = Publication()
    pub.add_table("E", pd.DataFrame({"sex": ["Male", "Female"], "count": [7, 2]}), labels=["sex"],
                  counts=["count"], add_total=True)
    pub.finalise()
    first = pub.hidden_mask("E")
    first.loc[:, "count"] = False  # a caller changing its copy changes nothing published
    assert pub.hidden_mask("E")["count"].tolist() == [True, True, False]
    assert pub.published("E")["count"].tolist() == ["c", "c", "9"]


def test_numeric_is_made_once_and_handed_out_as_a_copy():
    pub = Publication()
    pub.add_table("E", pd.DataFrame({"sex": ["Male", "Female"], "count": [7, 2], "percent": [77.8, 22.2]}),
                  labels=["sex"], counts=["count"], derived={"percent": ["count"]}, add_total=True)
    pub.finalise()
    first = pub.numeric("E")
    assert_frame_equal(first, _plain_numeric(pub, "E"), check_exact=True)
    first.loc[0, "count"] = 99.0  # a caller changing its copy changes nothing published
    first["sex"] = "changed"
    first.attrs["note"] = "changed"
    second = pub.numeric("E")
    assert second is not first and second is not pub._numeric["E"]
    assert_frame_equal(second, _plain_numeric(pub, "E"), check_exact=True)
    assert np.isnan(second["count"].tolist()[1]) and second["count"].tolist()[2] == 9.0
    assert "note" not in second.attrs


def test_the_workbook_holds_the_sheets_cell_by_cell(tmp_path):
    # headings bold, labels as text (an error code and a formula too), numbers as numbers, gaps empty
    pub = Publication()
    frame = pd.DataFrame({"code": ["#N/A", "=1+1", "PN1", "PN2"], "count": [12, 2, 30, 0],
                          "percent": [27.27, 4.55, 68.18, np.nan]})
    pub.add_table("N", frame, labels=["code"], counts=["count"], derived={"percent": ["count"]}, add_total=True)
    pub.finalise()
    sheet = load_workbook(write_publication_excel(pub, tmp_path / "t.xlsx", title="T"))["N"]
    cells = [[(c.value, c.data_type, bool(c.font.b)) for c in row] for row in sheet.iter_rows()]
    assert cells == [
        [("code", "s", True), ("count", "s", True), ("percent", "s", True)],
        [("#N/A", "s", False), ("c", "s", False), ("c", "s", False)],
        [("'=1+1", "s", False), ("c", "s", False), ("c", "s", False)],
        [("PN1", "s", False), (30, "n", False), (68.2, "n", False)],
        [("PN2", "s", False), (0, "n", False), (None, "n", False)],
        [("Total", "s", False), (44, "n", False), (None, "n", False)],
    ]


def test_the_workbook_written_in_memory_holds_what_openpyxl_save_writes():
    import io
    import zipfile

    from openpyxl import Workbook
    from openpyxl.styles import Font

    from iro_analysis.export import _workbook_bytes

    def workbook():
        book = Workbook()
        book.active.title = "About"
        book.active["A1"] = "Title"
        book.active["A1"].font = Font(bold=True, size=14)
        for s in range(3):
            sheet = book.create_sheet(f"S{s}")
            for r in range(1, 5):
                for c in range(1, 4):
                    cell = sheet.cell(row=r, column=c, value=f"x{r}" if c == 1 else r * c * 1.5)
                    cell.font = Font(bold=r == 1)
        return book

    saved = io.BytesIO()
    workbook().save(saved)
    ordinary, in_memory = zipfile.ZipFile(saved), zipfile.ZipFile(io.BytesIO(_workbook_bytes(workbook())))
    assert ordinary.namelist() == in_memory.namelist()
    for name in ordinary.namelist():
        if name != "docProps/core.xml":  # the time it was saved
            assert ordinary.read(name) == in_memory.read(name), name


@pytest.mark.parametrize("values", [
    [1, 2, 3], [1.0, 2.5], [0.0, 1e9 + 0.00001], [np.inf, 1], [-1, 2], ["3", "4"], ["a", 1], [True, False],
    pd.array([1, None], dtype="Int64"), pd.array([1, 2], dtype="Int64"), [1e-9, 2], [2.000001, 3], [],
    [np.nan, 1.0], np.array([1, 2], dtype=np.uint8), np.array([1.5, 2], dtype=np.float32),
])
def test_count_columns_are_checked_as_allclose_checks_them(values):
    from iro_analysis.publication import _whole_counts

    column = pd.Series(values)
    numbers = pd.to_numeric(column, errors="coerce")
    whole = not (numbers.isna().any() or (numbers < 0).any() or not np.allclose(numbers, numbers.round()))
    found = _whole_counts(column)
    assert (found is not None) == whole
    if whole:
        assert found.dtype == float and np.array_equal(found, numbers.astype(float).to_numpy())
