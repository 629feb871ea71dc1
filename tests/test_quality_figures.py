"""Published-figure checks (``iro-analysis check-figures``): FIGURES.yml parsing, every check
with one consistent and one inconsistent case, the two seed reports, exit codes and formats.

Expected values are worked by hand in the comments. Reference figures (DfE rates, statistical
neighbours) come from the reference mirror found through the package's search path; if a file
is missing the DfE checks report ``not_checked`` and these tests fail (they never skip).
"""

from __future__ import annotations

import io
import json
import textwrap
from fractions import Fraction
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iro_analysis.quality import FINDING_COLUMNS
from iro_analysis.quality.figures import (
    EXTRA_COLUMNS,
    FiguresFileError,
    Printed,
    check_figures,
    format_figures_text,
    load_figures,
    run_check_figures,
)

EXAMPLES = Path(__file__).resolve().parents[1] / "docs" / "examples"
T = pd.Timestamp


def write(tmp_path, text, name="FIGURES.yml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def bad(findings):
    """The inconsistent findings only."""
    return findings[findings["severity"].isin(["error", "warning"])].reset_index(drop=True)


def run(path, **kw):
    out = io.StringIO()
    rc = run_check_figures(path, stream=out, **kw)
    return rc, out.getvalue()


# ---------------------------------------------------------------------------------------------
# printed numbers and the rounding rule
# ---------------------------------------------------------------------------------------------


def test_printed_keeps_decimals_as_written(tmp_path):
    # YAML 47.10 is the float 47.1, but the report printed two decimals: the loader keeps the text.
    path = write(tmp_path, """
        authority: Wokingham
        neighbour_averages:
          - {id: sn, value: 47.10}
    """)
    spec = load_figures(path)
    assert spec.neighbour_averages[0].value.decimals == 2
    assert spec.neighbour_averages[0].value.text == "47.10"
    assert Printed.parse("94%").decimals == 0
    assert Printed.parse("1,753").value == 1753


def test_rounding_rule_half_up_tie_truncation():
    p94 = Printed.parse("94")
    assert p94.judge(Fraction(41000, 435)) == "ok"  # 410/435 = 94.2529 -> 94
    p954 = Printed.parse("95.4")
    assert p954.judge(Fraction(41000, 435)) == "mismatch"  # 94.25 is not 95.35..95.45
    # 1/8 = 12.5% exactly: half up gives 13; 12 (half down / banker's) is accepted as a tie.
    assert Printed.parse("13").judge(Fraction(25, 2)) == "ok"
    assert Printed.parse("12").judge(Fraction(25, 2)) == "tie"
    # 15.6 printed as 15 is truncation (15 <= 15.6 < 16), not rounding.
    assert Printed.parse("15").judge(Fraction(156, 10)) == "truncated"
    # The upper bound is exclusive: 94.5 rounds half up to 95, not 94 (a tie for 94).
    assert Printed.parse("95").judge(Fraction(189, 2)) == "ok"
    assert Printed.parse("93").judge(Fraction(189, 2)) == "mismatch"


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 5000), st.integers(0, 5000), st.integers(0, 2))
def test_rounded_value_always_fits_and_next_unit_never(den, num, decimals):
    num = num % (den + 1)
    exact = Fraction(100 * num, den)
    scale = 10**decimals
    rounded = Fraction(int(exact * scale + Fraction(1, 2)), scale)  # half up
    text = f"{float(rounded):.{decimals}f}"
    assert Printed.parse(text).judge(exact) == "ok"
    above = f"{float(rounded + Fraction(1, scale)):.{decimals}f}"
    assert Printed.parse(above).judge(exact) == "mismatch"


# ---------------------------------------------------------------------------------------------
# percent against count and denominator
# ---------------------------------------------------------------------------------------------

TABLE_M = """
    tables:
      - name: Table M
        rows:
          - {label: held, count: 435}
          - {label: on_time, count: 410, percent: PCT, of: held}
"""


def test_percent_count_consistent(tmp_path):
    f = check_figures(write(tmp_path, TABLE_M.replace("PCT", "94")), reference=False)
    assert bad(f).empty
    row = f[f["check"] == "percent_count"].iloc[0]
    # 410 / 435 = 0.942529 -> 94.25%, rounds to 94.
    assert row["message"] == "Table M / on_time: 410 / 435 = 94.25%, printed 94 (OK)"
    assert row["status"] == "ok" and row["severity"] == "info"


def test_percent_count_inconsistent(tmp_path):
    f = bad(check_figures(write(tmp_path, TABLE_M.replace("PCT", "95.4")), reference=False))
    assert f["check"].tolist() == ["percent_count"]
    # 410 / 435 = 94.2529% rounds to 94.3 at one decimal; 95.4% of 435 needs 415 (415/435 = 95.40%).
    assert "410 / 435 = 94.253%, rounds to 94.3, printed 95.4" in f.loc[0, "message"]
    assert "would need a count of 415" in f.loc[0, "message"]
    assert f.loc[0, "expected"] == "94.3" and f.loc[0, "reported"] == "95.4"
    assert f.loc[0, "row"] == 6  # line of the on_time row in the YAML


def test_percent_truncated_is_a_warning(tmp_path):
    # 7 / 45 = 15.56%: rounds to 16; 15 is the truncated value. (percent_sum: false keeps this test to
    # the single percentage; 15 + 84 = 99 is within the ±1 two rounded figures allow.)
    path = write(tmp_path, """
        tables:
          - name: T
            total: all
            percent_sum: false
            rows:
              - {label: all, count: 45}
              - {label: a, count: 7, percent: 15}
              - {label: b, count: 38, percent: 84}
    """)
    f = bad(check_figures(path, reference=False))
    assert f["severity"].tolist() == ["warning"]
    assert "truncated" in f.loc[0, "message"]


# ---------------------------------------------------------------------------------------------
# percentages on the wrong rows
# ---------------------------------------------------------------------------------------------

SWAP = """
    tables:
      - name: Reports
        percent_of: sum
        rows:
          - {label: early,    count: 333, percent: 'P1'}
          - {label: prior,    count: 346, percent: 'P2'}
          - {label: same day, count: 440, percent: 'P3'}
          - {label: after,    count: 567, percent: 'P4'}
"""


def test_percent_rows_in_right_order(tmp_path):
    # Sum 1686: 333/1686 = 19.75, 346/1686 = 20.52, 440/1686 = 26.10, 567/1686 = 33.63.
    text = SWAP.replace("P1", "19.8").replace("P2", "20.5").replace("P3", "26.1").replace("P4", "33.6")
    f = check_figures(write(tmp_path, text), reference=False)
    assert bad(f).empty
    assert (f["check"] == "percent_count").sum() == 4


def test_percent_rows_swapped(tmp_path):
    # Rotherham's printing: 26.1 / 33.6 / 19.8 / 20.5 (two pairs swapped).
    text = SWAP.replace("P1", "26.1").replace("P2", "33.6").replace("P3", "19.8").replace("P4", "20.5")
    f = bad(check_figures(write(tmp_path, text), reference=False))
    swap = f[f["check"] == "percent_rows_swapped"]
    assert len(swap) == 1
    msg = swap.iloc[0]["message"]
    assert "'early' (333 / 1686 = 19.75%) fits 19.8 printed on 'same day'" in msg
    assert "'same day' (440 / 1686 = 26.10%) fits 26.1 printed on 'early'" in msg
    assert "'prior' (346 / 1686 = 20.52%) fits 20.5 printed on 'after'" in msg
    assert (f["check"] == "percent_count").sum() == 4


def test_no_swap_reported_when_no_permutation_fits(tmp_path):
    text = SWAP.replace("P1", "25.0").replace("P2", "20.5").replace("P3", "26.1").replace("P4", "33.6")
    f = bad(check_figures(write(tmp_path, text), reference=False))
    # 333/1686 = 19.75 fits none of the printed values: a wrong figure, not a swap (and the
    # percentages now add up to 25.0 + 20.5 + 26.1 + 33.6 = 105.2).
    assert "percent_rows_swapped" not in set(f["check"])
    assert f["check"].tolist() == ["percent_count", "percent_sum"]


# ---------------------------------------------------------------------------------------------
# rows against totals, percentages against 100
# ---------------------------------------------------------------------------------------------

SUMS = """
    tables:
      - name: Table N
        columns: [Q1, Q2]
        total: codes
        rows:
          - {label: codes, count: [92, TOTAL2]}
          - {label: PN0, count: [15, 17], percent: [16, 18]}
          - {label: PN1, count: [30, 41], percent: [33, 44]}
          - {label: PN2, count: [47, 30], percent: [51, 32]}
"""


def test_rows_add_up(tmp_path):
    # Q1: 15 + 30 + 47 = 92; 15/92 = 16.30 -> 16, 30/92 = 32.61 -> 33, 47/92 = 51.09 -> 51; sum 100.
    # Q2: 17 + 41 + 30 = 88; 17/88 = 19.32 -> 19, 41/88 = 46.59 -> 47, 30/88 = 34.09 -> 34; sum 100.
    text = (SUMS.replace("TOTAL2", "88").replace("[16, 18]", "[16, 19]")
            .replace("[33, 44]", "[33, 47]").replace("[51, 32]", "[51, 34]"))
    f = check_figures(write(tmp_path, text), reference=False)
    assert bad(f).empty
    msgs = f.loc[f["check"] == "row_sum", "message"].tolist()
    assert msgs == ["Table N / Q1: rows 15 + 30 + 47 = 92, printed total 92 (OK)",
                    "Table N / Q2: rows 17 + 41 + 30 = 88, printed total 88 (OK)"]


def test_rows_do_not_add_up(tmp_path):
    # Q2 printed total 93 (as Wokingham's Table N), rows 17 + 41 + 30 = 88; the percentages were
    # worked on 93: 17/93 = 18.28 -> 18, 41/93 = 44.09 -> 44, 30/93 = 32.26 -> 32; 18 + 44 + 32 = 94,
    # and three figures' rounding explains at most 3 × 0.5 = 1.5 points, not 6.
    f = bad(check_figures(write(tmp_path, SUMS.replace("TOTAL2", "93")), reference=False))
    assert f["check"].tolist() == ["row_sum", "percent_sum"]
    assert f.loc[0, "column"] == "Q2"
    assert f.loc[0, "message"] == ("Table N / Q2: rows 17 + 41 + 30 = 88, but the printed total is 93 (-5). "
                                   "The percentages were worked out on the printed total 93, not on 88.")
    assert "18 + 44 + 32 = 94" in f.loc[1, "message"] and "±1.5" in f.loc[1, "message"]


def test_blank_cells_make_a_short_sum_a_warning(tmp_path):
    path = write(tmp_path, """
        tables:
          - name: C
            columns: [a, b]
            total: Total
            rows:
              - {label: Total, count: [10, 10]}
              - {label: x, count: [null, 4]}
              - {label: y, count: [9, 6]}
    """)
    f = bad(check_figures(path, reference=False))
    # a: 9 of 10 with x blank -> warning (the blank may hold the 1); b: 4 + 6 = 10 OK.
    assert f["severity"].tolist() == ["warning"] and f.loc[0, "column"] == "a"


def test_percent_only_table_sums(tmp_path):
    # Wokingham Table F: 82.4 + 6.25 + 9.73 + 1.63 = 100.01 (slack 0.05 + 3 × 0.005 = 0.065) and
    # 49 + 22 + 17 + 11 = 99 (slack 2.0) are fine; 49 + 22 + 17 + 7 = 95 is not.
    path = write(tmp_path, """
        tables:
          - name: F
            columns: [all, cic, wrong]
            rows:
              - {label: White, percent: ['82.4', 49, 49]}
              - {label: Mixed, percent: ['6.25', 22, 22]}
              - {label: Asian, percent: ['9.73', 17, 17]}
              - {label: Black, percent: ['1.63', 11, 7]}
    """)
    f = check_figures(path, reference=False)
    sums = f[f["check"] == "percent_sum"]
    assert sums["status"].tolist() == ["ok", "ok", "inconsistent"]
    assert "82.4 + 6.25 + 9.73 + 1.63 = 100.01" in sums.iloc[0]["message"]


# ---------------------------------------------------------------------------------------------
# the same figure stated twice
# ---------------------------------------------------------------------------------------------

CLAIMS = TABLE_M.replace("PCT", "94") + """
    claims:
      - {id: pct_text, value: VALUE, unit: percent, refers_to: Table M / on_time}
      - {id: held_text, value: HELD, unit: count, refers_to: Table M / held}
      - {id: a, value: 122, unit: count}
      - {id: b, value: OTHER, unit: count, refers_to: a}
"""


def test_claims_consistent(tmp_path):
    text = CLAIMS.replace("VALUE", "94.3").replace("HELD", "435").replace("OTHER", "122")
    f = check_figures(write(tmp_path, text), reference=False)
    assert bad(f).empty
    assert (f["check"] == "figure_mismatch").sum() == 3


def test_claims_inconsistent(tmp_path):
    text = CLAIMS.replace("VALUE", "95.4").replace("HELD", "436").replace("OTHER", "316")
    f = bad(check_figures(write(tmp_path, text), reference=False))
    assert f["figure_id"].tolist() == ["pct_text", "held_text", "b"]
    assert f.loc[0, "message"] == (
        "'pct_text' says 95.4%; Table M / on_time: 410 / 435 = 94.25% (printed 94), which rounds to 94.3: "
        "the same measure stated twice, differing by 1.15 points. 95.4% of 435 would need 415."
    )
    assert "1 more in the text" in f.loc[1, "message"]
    assert "'a' is 122" in f.loc[2, "message"]


def test_claim_truncating_a_table_figure_is_a_warning(tmp_path):
    path = write(tmp_path, """
        tables:
          - name: Adoption
            additive: false
            rows:
              - {label: within 12 months, percent: '15.6'}
        claims:
          - {id: text, value: 15, unit: percent, refers_to: Adoption / within 12 months}
          - {id: text2, value: 16, unit: percent, refers_to: Adoption / within 12 months}
    """)
    f = check_figures(path, reference=False)
    assert f.set_index("figure_id").loc["text", "severity"] == "warning"
    assert f.set_index("figure_id").loc["text2", "status"] == "ok"


def test_claim_with_numerator_and_denominator(tmp_path):
    # Rotherham: 94.4% "equating to 1687" of 1753 reviews: 1687 / 1753 = 96.235% -> 96.2.
    path = write(tmp_path, """
        claims:
          - {id: timeliness, value: 94.4, unit: percent, numerator: 1687, denominator: 1753}
          - {id: visits, value: 68, unit: percent, numerator: 79, denominator: 116}
    """)
    f = check_figures(path, reference=False)
    by = f.set_index("figure_id")
    assert by.loc["timeliness", "severity"] == "error"
    assert "1687 / 1753 = 96.235%, rounds to 96.2, printed 94.4%" in by.loc["timeliness", "message"]
    assert "would need 1654, 1655" in by.loc["timeliness", "message"]  # 1654/1753 = 94.35, 1655/1753 = 94.41
    assert by.loc["visits", "status"] == "ok"  # 79 / 116 = 68.10


def test_claim_summing_cells(tmp_path):
    path = write(tmp_path, """
        tables:
          - name: J
            columns: [q1, q2]
            additive: false
            rows:
              - {label: adopted, count: [1, 2]}
              - {label: sgo, count: [3, 4]}
        claims:
          - id: perm
            value: 10
            unit: count
            refers_to: {table: J, rows: [adopted, sgo], columns: [q1, q2]}
          - {id: perm_wrong, value: 9, unit: count, refers_to: {table: J, rows: [adopted, sgo], columns: [q1, q2]}}
    """)
    f = check_figures(path, reference=False).set_index("figure_id")
    assert f.loc["perm", "status"] == "ok" and "(1 + 2 + 3 + 4 = 10)" in f.loc["perm", "message"]
    assert f.loc["perm_wrong", "severity"] == "error"


# ---------------------------------------------------------------------------------------------
# rates per 10,000
# ---------------------------------------------------------------------------------------------


def test_rate_with_population(tmp_path):
    # 136 / 41,129 × 10,000 = 33.067 -> 33 (OK); 34 is wrong.
    path = write(tmp_path, """
        rates:
          - {id: ok, count: 136, rate: 33, population: 41129}
          - {id: wrong, count: 136, rate: 34, population: 41129}
    """)
    f = check_figures(path, reference=False).set_index("figure_id")
    assert f.loc["ok", "message"] == "'ok': 136 / 41129 × 10,000 = 33.07, printed 33 (OK)"
    assert f.loc["wrong", "severity"] == "error"


def test_rate_series_needs_one_population(tmp_path):
    # 135 at 32.7 -> population in (135e4/32.75, 135e4/32.65] = (41221.4, 41347.6];
    # 130 at 31.5 -> (41204.4, 41335.45]: they overlap. 130 at 33.5 -> (38749.6, 38865.5]: no overlap.
    path = write(tmp_path, """
        rates:
          - {id: fine, columns: [Apr, May], count: [135, 130], rate: ['32.7', '31.5']}
          - {id: clash, columns: [Apr, May], count: [135, 130], rate: ['32.7', '33.5']}
    """)
    f = check_figures(path, reference=False)
    s = f[f["check"] == "rate_series"].set_index("figure_id")
    assert s.loc["fine", "status"] == "ok" and "between 41221 and 41335" in s.loc["fine", "message"]
    assert s.loc["clash", "severity"] == "error"


def test_rate_against_dfe_stated_year(tmp_path):
    # DfE: Wokingham 31 March 2022 = 136, rate 33 in the 2023-2025 releases (population 41,129).
    path = write(tmp_path, """
        authority: "872"
        rates:
          - {id: r, count: 136, rate: 33, year: 2022}
    """)
    f = check_figures(path)
    row = f[f["check"] == "rate_dfe"].iloc[0]
    assert row["status"] == "ok", row["message"]
    assert "31 March 2022: 136 / 33 (releases 2023, 2024, 2025)" in row["message"]


# ---------------------------------------------------------------------------------------------
# statistical-neighbour averages
# ---------------------------------------------------------------------------------------------


def test_neighbour_average_reproduced(tmp_path):
    # Mean of Wokingham's 10 April-2021 neighbours' rates at 31 March 2022 = 46.9 (public-data.md §6).
    path = write(tmp_path, """
        authority: Wokingham
        neighbour_averages:
          - {id: sn, value: '46.9', year: 2022, models: ['2021']}
    """)
    f = check_figures(path)
    assert bad(f).empty
    msg = f.iloc[0]["message"]
    assert "46.9 for 31 March 2022 on the April 2021 model (releases 2023, 2024, 2025, 10 neighbours)" in msg


def test_neighbour_average_not_reproduced(tmp_path):
    path = write(tmp_path, """
        authority: Wokingham
        neighbour_averages:
          - {id: sn, value: '46.5', year: 2022, models: ['2021']}
    """)
    f = bad(check_figures(path))
    assert f["check"].tolist() == ["neighbour_average"] and f.loc[0, "severity"] == "warning"
    assert "For the year(s) 2022: 46.9 for 31 March 2022 on the April 2021 model" in f.loc[0, "message"]


def test_missing_reference_data_is_not_checked(tmp_path, monkeypatch):
    from iro_analysis.errors import ReferenceDataError
    from iro_analysis.quality import figures

    def missing(*a, **k):
        raise ReferenceDataError("cla_number_and_rate_per_10k_children_2025pub.csv not found")

    monkeypatch.setattr(figures, "_dfe_rows", missing)
    path = write(tmp_path, """
        authority: "872"
        rates:
          - {id: r, count: 136, rate: 33, year: 2022}
    """)
    rc, out = run(path)
    assert rc == 0
    assert "[NOT CHECKED] 'r': not compared with DfE: cla_number_and_rate" in out


# ---------------------------------------------------------------------------------------------
# the two seed reports
# ---------------------------------------------------------------------------------------------


def inconsistent_keys(f):
    b = bad(f)
    key = b["figure_id"].where(b["figure_id"] != "", b["table"])
    return sorted(zip(b["check"], key, b["column"], b["severity"]))


def test_wokingham_seed_findings():
    f = check_figures(EXAMPLES / "wokingham_2022-23.yml")
    # Reference data present: no DfE comparison is "not checked". The only not_checked rows are the
    # tables with nothing to check of their own (month-end or quarterly series printing neither a
    # total nor percentages; their cells are compared by claims).
    nc = f[f["status"] == "not_checked"]
    assert sorted(zip(nc["check"], nc["table"])) == [("nothing_to_check", "Table G"), ("nothing_to_check", "Table I"),
                                                     ("nothing_to_check", "Table L")], nc["message"].tolist()
    assert inconsistent_keys(f) == sorted([
        # Table N, Apr-Jun 22: 17 + 41 + 2 + 0 + 0 + 16 + 12 + 0 = 88, printed 93; percentages
        # (worked on 93) 18 + 44 + 2 + 0 + 0 + 17 + 13 + 0 = 94, more than 8 × 0.5 = 4 points from 100.
        ("row_sum", "Table N", "Apr-Jun 22", "error"),
        ("percent_sum", "Table N", "Apr-Jun 22", "error"),
        # Oct-Dec 22: 15 + 49 + 3 + 0 + 0 + 14 + 13 + 0 = 94, printed 96* (percentages 99: within 4).
        ("row_sum", "Table N", "Oct-Dec 22", "error"),
        # Executive summary: UASC 40 (71% of 56) + 15 not UASC = 55, but section 20 = 56 (Table D).
        ("row_sum", "Section 20 at 31 March 2023 (text)", "", "error"),
        # 95.4% in the text against 410 / 435 = 94.25% in Table M.
        ("figure_mismatch", "timeliness_text", "", "error"),
        # 114 came into care; Table B 2022-23: 13 + 20 + 14 + 18 = 65.
        ("figure_mismatch", "starters_text", "", "error"),
        # Table C Jan-Mar 23 total 20; Table B 18.
        ("figure_mismatch", "table_c_total_jan_mar_23", "", "error"),
        # 55 section 20 starts last year; Table C: 11 + 8 + 17 + 26 = 62.
        ("figure_mismatch", "s20_starts_last_year_text", "", "error"),
        # 21 reached 18; Table J: 6 + 6 + 7 + 13 = 32.
        ("figure_mismatch", "leavers_18_second_text", "", "error"),
        # 28 achieved permanence; Table J adopted 4 + planned return 11 + SGO 6 = 21.
        ("figure_mismatch", "permanence_text", "", "error"),
        # 40% under section 20 at March 2023; Table D 56 / 136 = 41.18%.
        ("figure_mismatch", "s20_percent_march_2023_text", "", "error"),
        # 13% placement orders March 2022: 15 / 136 = 11.03%.
        ("percent_count", "placement_orders_percent_2022_text", "", "error"),
        # 7% Black and 13% Asian in care (the March 2022 chart) against Table F's 11% and 17%.
        ("figure_mismatch", "black_in_care_text", "", "error"),
        ("figure_mismatch", "asian_in_care_text", "", "error"),
        # Six on dual plans at March 2022; Table I Jan-Mar 22 = 22.
        ("figure_mismatch", "dual_plans_march_2022_text", "", "error"),
        # 136 / 33 is DfE's 31 March 2022 figure; 31 March 2023 is 135 / 32 (137 / 32 in 2023 release).
        ("rate_dfe", "cla_rate_end_of_year", "", "warning"),
        # Table A's rates imply a population of 41,256-41,308: not DfE's 41,129 (2022) or 42,371-42,555 (2023).
        ("rate_series", "table_a", "", "warning"),
        # 47.10: no year/model reproduces it; 46.9 for 2022 (April 2021 model), nearest 47.2 (2021).
        ("neighbour_average", "sn_cla_rate", "", "warning"),
    ])
    by = f.set_index("figure_id")
    assert "is DfE's published figure for 31 March 2022: 136 / 33 (releases 2023, 2024, 2025), not for the year stated " \
           "(31 March 2023: 135 / 32 (releases 2024, 2025); 137 / 32 (release 2023))" in by.loc["cla_rate_end_of_year", "message"]
    sn = by.loc["sn_cla_rate", "message"]
    assert "Nearest: 47.20 for 31 March 2021 on the April 2021 model" in sn
    assert "46.90 for 31 March 2022 on the April 2021 model (releases 2023, 2024, 2025, 10 neighbours)" in sn
    ok = f[(f["check"] == "percent_count") & (f["table"] == "Table M")].iloc[0]
    assert ok["message"] == "Table M / In timescale: 410 / 435 = 94.25%, printed 94 (OK)"
    # Table D percentages all fit their counts: 38/136 = 27.94 -> 28, 32/136 = 23.53 -> 24, 10/136 = 7.35 -> 7,
    # 56/136 = 41.18 -> 41.
    d = f[(f["table"] == "Table D") & (f["check"] == "percent_count")]
    assert len(d) == 6 and (d["status"] == "ok").all()


def test_rotherham_seed_findings():
    f = check_figures(EXAMPLES / "rotherham_2021-22.yml")
    # Reference data present: the only not_checked rows are two tables with nothing to check of their
    # own (additive: false, no counts for their percentages).
    nc = f[f["status"] == "not_checked"]
    assert sorted(zip(nc["check"], nc["table"])) == [("nothing_to_check", "Adoption performance"),
                                                     ("nothing_to_check", "Placement ending reasons")], nc["message"].tolist()
    assert inconsistent_keys(f) == sorted([
        # Reasons ceased 2021/22: the rows add up to 218, the printed total is 216.
        ("row_sum", "Reasons ceased", "2021/22", "error"),
        # 110 + 108 = 218 ceased by half-year, against 216.
        ("row_sum", "Ceased by half-year (text)", "", "error"),
        # Report timeliness 2021-22: 333 + 346 + 440 + 567 = 1686; 333/1686 = 19.75 printed 26.1 etc.
        ("percent_count", "Pre-meeting report timeliness", "2021-22", "error"),
        ("percent_count", "Pre-meeting report timeliness", "2021-22", "error"),
        ("percent_count", "Pre-meeting report timeliness", "2021-22", "error"),
        ("percent_count", "Pre-meeting report timeliness", "2021-22", "error"),
        ("percent_rows_swapped", "Pre-meeting report timeliness", "2021-22", "error"),
        # Over 20 miles: 26 + 6 + 6 + 1 + 1 + 2 + 71 + 2 = 115, text says 114.
        ("row_sum", "Placed over 20 miles", "", "error"),
        # 26.1% of reports in time; the counts give 333/1686 = 19.75%.
        ("figure_mismatch", "reports_in_time_text", "", "error"),
        # 94.4% of reviews = 1687 of 1753; 1687/1753 = 96.2% (last year's figure).
        ("percent_count", "timeliness_text", "", "error"),
        # 122 (section 5) vs 316 (section 25) children placed out of area at 31 March 2022.
        ("figure_mismatch", "out_of_area_section_25", "", "error"),
        # 15% adopted within 12 months vs 15.6% in the table (truncated).
        ("figure_mismatch", "adopted_within_12_months_text", "", "warning"),
        # 596 / 106.1: DfE has 595 / 105 at 31 March 2021; 551 at 31 March 2022: DfE 556 (557 in 2022 release).
        ("rate_dfe", "cla_rate_april_2021", "", "warning"),
        ("rate_dfe", "cla_31_march_2022", "", "warning"),
        # England 65.0 for 2021: DfE 69 (shipped releases).
        ("rate_dfe", "england_rate", "", "warning"),
        # SN average 92.0: nothing reproduces it (nearest 93.1 for 2019).
        ("neighbour_average", "sn_cla_rate", "", "warning"),
    ])
    by = f.set_index("figure_id")
    assert "596 at 106.1 per 10,000 implies a 0-17 population of 56147 to 56200; DfE used 56555" in by.loc["cla_rate_april_2021", "message"]
    assert "Nearest: 93.1 for 31 March 2019 on the April 2021 model (release 2023, 10 neighbours)" in by.loc["sn_cla_rate", "message"]
    # The 2020-21 column is right: 414/1753 = 23.62 -> 23.6 ... 373/1753 = 21.28 -> 21.3.
    col = f[(f["table"] == "Pre-meeting report timeliness") & (f["column"] == "2020-21") & (f["check"] == "percent_count")]
    assert len(col) == 4 and (col["status"] == "ok").all()
    # Children admitted need not add up (a child can be in two rows): only episodes are summed.
    adm = f[(f["table"] == "Placement type on admission") & (f["check"] == "row_sum")]
    assert adm["column"].tolist() == ["Episodes"] and adm["status"].tolist() == ["ok"]


# ---------------------------------------------------------------------------------------------
# the command: exit codes, formats and messages for unusable input
# ---------------------------------------------------------------------------------------------


def test_exit_0_when_consistent(tmp_path):
    rc, out = run(write(tmp_path, TABLE_M.replace("PCT", "94")))
    assert rc == 0
    assert "Table M / on_time: 410 / 435 = 94.25%, printed 94 (OK)" in out
    assert out.rstrip().endswith("0 error(s), 0 warning(s), 1 check(s) passed, 0 not checked.")


def test_exit_1_when_inconsistent_and_formats(tmp_path):
    path = write(tmp_path, CLAIMS.replace("VALUE", "95.4").replace("HELD", "435").replace("OTHER", "122"))
    line = next(i for i, t in enumerate(path.read_text().splitlines(), 1) if "id: pct_text" in t)
    rc, text = run(path)
    assert rc == 1
    assert "[ERROR] 'pct_text' says 95.4%" in text and f"(line {line})" in text
    rc, csv_text = run(path, output_format="csv")
    assert rc == 1
    table = pd.read_csv(io.StringIO(csv_text), keep_default_na=False)
    assert list(table.columns) == [*FINDING_COLUMNS, *EXTRA_COLUMNS]
    assert table["severity"].tolist().count("error") == 1
    rc, js = run(path, output_format="json")
    recs = json.loads(js)
    assert rc == 1 and recs[1]["check"] == "figure_mismatch" and recs[1]["row"] == line
    assert all(r["CHILD"] is None for r in recs)


def test_exit_2_messages_name_file_entry_and_fix(tmp_path, capsys):
    cases = {
        # YAML syntax: an unclosed flow mapping
        "syntax.yml": ("tables:\n  - {name: T, rows: [\n", ["syntax.yml", "line", "not valid YAML"]),
        "unknown_key.yml": ("tables:\n  - name: T\n    rows:\n      - {label: a, cout: 3}\n",
                            ["unknown_key.yml", "line 4", "tables[1] 'T' rows[1] 'a'", "unknown key 'cout'", "Did you mean 'count'?"]),
        "length.yml": ("tables:\n  - name: T\n    columns: [a, b]\n    rows:\n      - {label: x, count: [1, 2, 3]}\n",
                       ["length.yml", "line 5", "count has 3 value(s) but the table has 2 column(s)", "null for a blank cell"]),
        "bad_ref.yml": ("tables:\n  - name: Table M\n    rows:\n      - {label: held, count: 4}\n"
                        "claims:\n  - {id: c, value: 4, unit: count, refers_to: Table X / held}\n",
                        ["bad_ref.yml", "claims 'c'", "table 'Table X' is not defined", "Did you mean 'Table M'?"]),
        "not_number.yml": ("claims:\n  - {id: c, value: lots, unit: count}\n", ["claims[1] 'c'", "'lots' is not a number"]),
        "no_unit.yml": ("claims:\n  - {id: c, value: 4}\n", ["unit must be one of percent, count, rate_per_10k, number"]),
        "bad_authority.yml": ("authority: Atlantis\nrates:\n  - {id: r, count: 1, rate: 1, year: 2022}\n",
                              ["bad_authority.yml", "rates 'r'", "Atlantis", "Fix the authority"]),
        "empty.yml": ("", ["empty.yml", "empty"]),
        "list.yml": ("- 1\n- 2\n", ["list.yml", "must be a YAML mapping"]),
    }
    for name, (text, expected) in cases.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        rc, out = run(path)
        err = capsys.readouterr().err
        assert rc == 2, (name, err)
        assert out == ""
        assert "Traceback" not in err
        for piece in expected:
            assert piece in err, (name, piece, err)
    rc, _ = run(tmp_path / "missing.yml")
    assert rc == 2 and "missing.yml" in capsys.readouterr().err
    rc, _ = run(tmp_path / "empty.yml", output_format="xml")
    assert rc == 2 and "--format must be text, csv or json" in capsys.readouterr().err


def test_load_error_is_a_figures_file_error(tmp_path):
    path = write(tmp_path, "tables:\n  - name: T\n    rows:\n      - {label: a, count: -3}\n")
    with pytest.raises(FiguresFileError) as exc:
        load_figures(path)
    assert exc.value.line == 4 and "negative" in str(exc.value)


def test_text_output_groups_by_table(tmp_path):
    path = write(tmp_path, SUMS.replace("TOTAL2", "93") + """
    claims:
      - {id: c, value: 92, unit: count, refers_to: Table N / codes / Q1}
    """)
    text = format_figures_text(check_figures(path, reference=False))
    lines = text.splitlines()
    assert lines.index("Table N") < lines.index("Claims")
    assert "  [ERROR] Table N / Q2: rows 17 + 41 + 30 = 88, but the printed total is 93 (-5)." in text


# ---------------------------------------------------------------------------------------------
# recomputation from a return (--data)
# ---------------------------------------------------------------------------------------------


def small_return(folder):
    """Two children starting in 2022-23.

    B starts Tue 3 May 2022 (open): reviews 25 May (due 31 May: 20 working days), 20 Aug (due 25 Aug:
    3 months after the first), 1 Mar 2023 (due 20 Feb 2023: 6 months after the second) -> late.
    C starts Wed 1 Jun 2022, leaves 30 Sep 2022: reviews 20 Jun (due 1 Jul: 2 and 3 June 2022 are bank
    holidays) and 15 Sep (due 20 Sep). Reviews held 5, on time 4 (80%); in care at 31 March 2023: 1
    (B); starting 2; ceasing 1.
    """
    from iro_analysis.ssda903 import SSDA903, write_return

    hdr = pd.DataFrame({"CHILD": ["B", "C"], "SEX": ["M", "F"], "DOB": [T("2012-02-01"), T("2010-07-15")],
                        "ETHNIC": ["WBRI", "ABAN"]})
    eps = pd.DataFrame({"CHILD": ["B", "C"], "DECOM": [T("2022-05-03"), T("2022-06-01")], "RNE": ["S", "S"],
                        "LS": ["C2", "V2"], "CIN": ["N1", "N2"], "PLACE": ["U4", "U4"], "PLACE_PROVIDER": ["PR1", "PR1"],
                        "DEC": [pd.NaT, T("2022-09-30")], "REC": [None, "E4A"]})
    rv = pd.DataFrame({"CHILD": ["B", "B", "B", "C", "C"], "DOB": [T("2012-02-01")] * 3 + [T("2010-07-15")] * 2,
                       "REVIEW": [T("2022-05-25"), T("2022-08-20"), T("2023-03-01"), T("2022-06-20"), T("2022-09-15")],
                       "REVIEW_CODE": ["PN1"] * 5})
    write_return(SSDA903(header=hdr, episodes=eps, reviews=rv), folder, collection_year=2023)
    return folder


RECOMPUTE = """
    year: 2022-23
    tables:
      - name: Table M
        rows:
          - {label: held, count: HELD, recompute: reviews_held}
          - {label: on_time, count: 4, percent: 80, of: held, recompute: reviews_on_time}
    claims:
      - {id: pct, value: 80, unit: percent, recompute: reviews_on_time_percent}
      - {id: cic, value: 1, unit: count, recompute: cla_31_march}
      - {id: starters, value: 2, unit: count, recompute: starting}
      - {id: leavers, value: 1, unit: count, recompute: ceasing}
"""


def test_recompute_from_return_consistent(tmp_path):
    data_dir = small_return(tmp_path / "return")
    rc, out = run(write(tmp_path, RECOMPUTE.replace("HELD", "5")), data_dir=data_dir)
    assert rc == 0, out
    assert "'pct': from the return 4 / 5 = 80.00%, printed 80% (OK)" in out
    assert "Table M / held: reviews held in the year (statutory schedule) from the return = 5, printed 5 (OK)" in out
    assert out.count("from the return") == 6


def test_recompute_from_return_inconsistent(tmp_path):
    data_dir = small_return(tmp_path / "return")
    text = RECOMPUTE.replace("HELD", "6").replace("{id: cic, value: 1", "{id: cic, value: 2")
    rc, out = run(write(tmp_path, text), data_dir=data_dir, output_format="csv")
    f = pd.read_csv(io.StringIO(out), keep_default_na=False)
    rec = f[(f["check"] == "recomputed") & (f["severity"] == "warning")]
    assert rc == 1
    assert sorted(rec["row_label"].tolist() + rec["figure_id"].tolist()) == sorted(["held", "", "cic", ""])
    # The table itself is now inconsistent too: 4 / 6 = 66.67%, printed 80.
    assert ((f["check"] == "percent_count") & (f["severity"] == "error")).sum() == 1


def test_recompute_bad_data_dir_exits_2(tmp_path, capsys):
    empty = tmp_path / "nothing"
    empty.mkdir()
    rc, _ = run(write(tmp_path, RECOMPUTE.replace("HELD", "5")), data_dir=empty)
    err = capsys.readouterr().err
    assert rc == 2 and "Traceback" not in err and "nothing" in err


def assert_doc_example(tmp_path, doc: str, marker: str, expected_rc: int):
    """The first YAML block after ``marker`` in ``doc`` gives the first text block after it."""
    section = doc.split(marker, 1)[1]
    block = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "FIGURES.yml"
    path.write_text(block, encoding="utf-8")
    rc, out = run(path)
    assert rc == expected_rc
    shown = section.split("```text\n", 1)[1].split("```", 1)[0]
    assert " ".join(shown.split()) in " ".join(out.split()[3:])  # skip "Figures checked: <path>"


def test_worked_example_in_docs(tmp_path):
    # The first YAML block of docs/figures.md must give the output shown there.
    doc = (EXAMPLES.parent / "figures.md").read_text(encoding="utf-8")
    assert_doc_example(tmp_path, doc, "Transcribed:", expected_rc=1)
