"""Disclosure control: small counts and child identifiers never reach a shareable output."""

import pandas as pd
import pytest
from hypothesis import given, strategies as st

from iro_analysis import DisclosureError, ParameterError
from iro_analysis.disclosure import assert_shareable, scan_text_for_identifiers, suppress_small_counts


def test_primary_and_secondary_suppression_with_dependent_percent():
    table = pd.DataFrame(
        {
            "legal_status": ["Care order", "Placement order", "s20", "Total"],
            "count": [100, 2, 30, 132],
            "percent": [75.8, 1.5, 22.7, 100.0],
        }
    )
    out = suppress_small_counts(table, ["count"], dependent={"percent": "count"})
    # 2 is primary; it alone could be recovered as 132 - 100 - 30, so the next smallest (30) goes too.
    assert out["count"].tolist() == ["100", "c", "c", "132"]
    assert out["percent"].tolist() == ["75.8", "c", "c", "100"]
    # the input is not changed
    assert table["count"].tolist() == [100, 2, 30, 132]


def test_zero_is_not_suppressed_and_two_small_cells_need_no_secondary():
    table = pd.DataFrame({"group": ["A", "B", "C", "D"], "count": [0, 1, 4, 50]})
    assert suppress_small_counts(table, ["count"])["count"].tolist() == ["0", "c", "c", "50"]


@given(st.lists(st.integers(min_value=0, max_value=40), min_size=3, max_size=12))
def test_no_small_count_survives_suppression(counts):
    table = pd.DataFrame({"group": [f"g{i}" for i in range(len(counts))], "count": counts})
    out = suppress_small_counts(table, ["count"])
    shown = pd.to_numeric(out["count"], errors="coerce")
    assert not ((shown > 0) & (shown < 5)).any()
    # a single suppressed cell is never left alone when another non-zero cell could reveal it
    n_suppressed = (out["count"] == "c").sum()
    nonzero = sum(1 for c in counts if c > 0)
    if any(0 < c < 5 for c in counts) and nonzero > 1:
        assert n_suppressed >= 2


def test_assert_shareable_refuses_identifiers_and_small_counts():
    with pytest.raises(DisclosureError, match="CHILD"):
        assert_shareable(pd.DataFrame({"CHILD": ["SYN1"], "n": [10]}), name="late reviews")
    with pytest.raises(DisclosureError, match="dob"):
        assert_shareable(pd.DataFrame({"dob": ["2010-01-01"]}))
    with pytest.raises(DisclosureError, match="below 5"):
        assert_shareable(pd.DataFrame({"group": ["A"], "count": [3]}), count_columns=["count"])
    assert_shareable(pd.DataFrame({"group": ["A", "B"], "count": ["c", 12]}), count_columns=["count"])


def test_unknown_column_is_a_parameter_error():
    with pytest.raises(ParameterError, match="not in the table"):
        suppress_small_counts(pd.DataFrame({"count": [1]}), ["n"])


def test_scan_text_finds_ids_postcodes_and_upns_but_not_numbers():
    html = "<td>SYN000123</td><p>RG40 1XX</p><p>A123456789012</p><td>12</td>"
    found = scan_text_for_identifiers(html, ["SYN000123", "SYN999999", "12"])
    assert found == ["SYN000123", "RG40 1XX", "A123456789012"]
    assert scan_text_for_identifiers("<p>136 children, rate 33</p>", ["SYN000001"]) == []


def test_scan_ignores_embedded_images_and_styles_but_not_visible_text():
    # base64 of a chart can spell a postcode-like run by chance (seen: 'OF198ES')
    html = '<img src="data:image/png;base64,AAOF198ESxT09JRzz=="><style>.x{content:"RG40 1XX"}</style><p>ok</p>'
    assert scan_text_for_identifiers(html, []) == []
    assert scan_text_for_identifiers(html + "<p>RG40 1XX</p>", []) == ["RG40 1XX"]


def test_quarterly_tables_are_protected_along_rows_as_well():
    # Published layout: a row per participation code, a column per quarter, "Year" = row total.
    table = pd.DataFrame(
        {
            "code": ["PN1", "PN7", "Total"],
            "Q1": [41, 3, 44],
            "Q2": [22, 6, 28],
            "Q3": [24, 9, 33],
            "Q4": [16, 9, 25],
            "Year": [103, 27, 130],
        }
    )
    out = suppress_small_counts(table, ["Q1", "Q2", "Q3", "Q4", "Year"], row_total="Year")
    # Pass 1, columns: Q1 has one hidden cell (3, primary), so the next smallest, 41, is hidden too.
    # Pass 1, rows (Year shown): PN1 has one hidden cell (41): its smallest other, 16 (Q4), goes;
    #   PN7 has one hidden cell (3; 27 - 6 - 9 - 9 = 3 would reveal it): its smallest other, 6 (Q2), goes.
    # Pass 2, columns: Q2 now has one hidden cell (6) -> PN1's 22 goes; Q4 has one (16) -> PN7's 9 goes.
    # Pass 2, rows: PN1 hides 41, 22, 16; PN7 hides 3, 6, 9: no row has a lone hidden cell. Stable.
    assert out.set_index("code").loc[["PN1", "PN7"], ["Q1", "Q2", "Q3", "Q4", "Year"]].values.tolist() == [
        ["c", "c", "24", "c", "103"],
        ["c", "c", "9", "c", "27"],
    ]
    assert out["Year"].tolist() == ["103", "27", "130"]


@given(st.lists(st.lists(st.integers(0, 30), min_size=4, max_size=4), min_size=2, max_size=6))
def test_no_single_hidden_cell_in_a_row_or_column_with_a_shown_total(rows):
    quarters = ["Q1", "Q2", "Q3", "Q4"]
    body = pd.DataFrame(rows, columns=quarters)
    body["Year"] = body[quarters].sum(axis=1)
    table = pd.concat([body, body.sum().to_frame().T], ignore_index=True)
    table.insert(0, "label", [f"r{i}" for i in range(len(body))] + ["Total"])
    out = suppress_small_counts(table, quarters + ["Year"], row_total="Year")
    hidden = out[quarters + ["Year"]] == "c"
    numbers = table[quarters + ["Year"]]
    for i in range(len(body)):  # rows whose total is shown
        others = (numbers.loc[i, quarters] > 0) & ~hidden.loc[i, quarters]
        if not hidden.loc[i, "Year"] and hidden.loc[i, quarters].sum() == 1:
            assert not others.any()
    for q in quarters:  # columns (the Total row is shown)
        others = (numbers.loc[: len(body) - 1, q] > 0) & ~hidden.loc[: len(body) - 1, q]
        if hidden.loc[: len(body) - 1, q].sum() == 1:
            assert not others.any()
