"""check-figures, issue 9: percentage-only rows against a printed total, the percentage-sum rule,
DfE years and releases a report could use, every entry accounted for, change claims, identities,
ranges, decimal numerators, long lists of counts and the CSV output.

Every expected value is worked by hand in the comments.
"""

from __future__ import annotations

import io
import textwrap

import pandas as pd

from iro_analysis.quality.figures import check_figures, run_check_figures


def write(tmp_path, text, name="FIGURES.yml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def run(path, **kw):
    out = io.StringIO()
    rc = run_check_figures(path, stream=out, **kw)
    return rc, out.getvalue()


def by_id(f):
    return f.set_index("figure_id")


# ---------------------------------------------------------------------------------------------
# percentage-only rows against a printed total
# ---------------------------------------------------------------------------------------------

SEX = """
    tables:
      - name: Sex
        total: {label: Children, count: 146}
        rows:
          - {label: Female, percent: PF}
          - {label: Male, percent: PM}
"""


def test_no_split_of_the_total_gives_the_percentages(tmp_path):
    # 46% of 146: 100k/146 in [45.5, 46.5] -> k in [66.43, 67.89] -> 67 only (67/146 = 45.89%).
    # 55% of 146: [54.5, 55.5] -> k in [79.57, 81.03] -> 80 or 81 (54.79%, 55.48%).
    # Smallest total 67 + 80 = 147 > 146: no split. Truncated: 46 -> k in [67.16, 68.62) = 68,
    # 55 -> [80.3, 81.76) = 81; 68 + 81 = 149 > 146 either. (46 + 55 = 101 is within the ±1 of the sum check.)
    f = check_figures(write(tmp_path, SEX.replace("PF", "46").replace("PM", "55")), reference=False)
    split = f[f["check"] == "percent_split"]
    assert split["severity"].tolist() == ["error"]
    msg = split.iloc[0]["message"]
    assert "no split of 146 (Children) into whole counts gives 46% Female and 55% Male" in msg
    assert "46% needs 67 (67 / 146 = 45.89%); 55% needs 80 to 81 (54.79% to 55.48%); together 147 to 148, more than 146" in msg
    assert "Truncated: 46% needs 68 (68 / 146 = 46.58%); 55% needs 81 (81 / 146 = 55.48%); together 149, more than 146" in msg
    assert f.loc[f["check"] == "percent_sum", "status"].tolist() == ["ok"]


def test_a_split_of_the_total_exists(tmp_path):
    # 46% -> 67; 54% of 146: [53.5, 54.5] -> k in [78.11, 79.57] -> 79 (54.11%). 67 + 79 = 146.
    f = check_figures(write(tmp_path, SEX.replace("PF", "46").replace("PM", "54")), reference=False)
    split = f[f["check"] == "percent_split"].iloc[0]
    assert split["status"] == "ok"
    assert "e.g. 67 + 79 = 146" in split["message"]


def test_split_only_under_truncation_is_a_warning(tmp_path):
    # Total 3 printed 33% and 66%. Rounded: 33% -> k in [0.975, 1.005] = 1; 66% -> [1.965, 1.995]: no
    # whole count (2/3 = 66.67% rounds to 67). Truncated: 33% -> [0.99, 1.02) = 1, 66% -> [1.98, 2.01) = 2,
    # and 1 + 2 = 3.
    text = SEX.replace("146", "3").replace("PF", "33").replace("PM", "66")
    f = check_figures(write(tmp_path, text), reference=False)
    split = f[f["check"] == "percent_split"].iloc[0]
    assert split["severity"] == "warning"
    assert "66% fits no whole count of 3 (1 / 3 = 33.33%, 2 / 3 = 66.67%)" in split["message"]
    assert "e.g. 1 + 2 = 3: the percentages fit only if truncated" in split["message"]


def test_single_percentage_of_a_row_count(tmp_path):
    # 33% of 2: 100k/2 is 0, 50 or 100: no whole count (33% needs k in [0.65, 0.67]).
    path = write(tmp_path, """
        tables:
          - name: T
            additive: false
            rows:
              - {label: all, count: 2}
              - {label: x, percent: 33, of: all}
    """)
    f = check_figures(path, reference=False)
    split = f[f["check"] == "percent_split"].iloc[0]
    assert split["severity"] == "error"
    assert "33% fits no whole count of 2 (0 / 2 = 0.00%, 1 / 2 = 50.00%)" in split["message"]


# ---------------------------------------------------------------------------------------------
# percentages against 100
# ---------------------------------------------------------------------------------------------


def test_percent_sum_is_symmetric_and_considers_truncation(tmp_path):
    # Two whole-number figures: each within 0.5 of its share (an exact half either way), so the sum
    # is 99 to 101 inclusive: 49.5% printed 49 (half down) and 50.5% printed 50 give 99.
    # Three truncated figures are each up to 1 point low: 33 + 33 + 32 = 98 is below the rounding
    # range 98.5-101.5 but above 100 - 3 = 97: a warning.
    path = write(tmp_path, """
        tables:
          - {name: A, rows: [{label: x, percent: 50}, {label: y, percent: 49}]}
          - {name: B, rows: [{label: x, percent: 50}, {label: y, percent: 51}]}
          - {name: C, rows: [{label: x, percent: 50}, {label: y, percent: 52}]}
          - {name: D, rows: [{label: x, percent: 33}, {label: y, percent: 33}, {label: z, percent: 32}]}
    """)
    f = check_figures(path, reference=False).set_index("table")
    assert f.loc["A", "status"] == "ok" and f.loc["B", "status"] == "ok"
    assert f.loc["C", "severity"] == "error"
    assert f.loc["C", "message"] == ("C: percentages 50 + 52 = 102, 2 point(s) over 100: rounding of 2 figures allows a sum "
                                     "of 99.0 to 101.0 (±1.0) and truncation one above 98.0 up to 100.")
    assert f.loc["D", "severity"] == "warning" and "look truncated" in f.loc["D", "message"]


# ---------------------------------------------------------------------------------------------
# DfE years and releases
# ---------------------------------------------------------------------------------------------


def test_year_no_release_covers_is_not_checked(tmp_path):
    # The releases found (2023-2025) cover 31 March 2019-2025; 2016 is in none of them.
    path = write(tmp_path, """
        authority: Wokingham
        year: 2015-16
        rates:
          - {id: cla_2016, count: 192, year: 2016}
          - {id: cla_2022, count: 192, year: 2022}
        neighbour_averages:
          - {id: sn, value: '45.0', year: 2016}
    """)
    rc, out = run(path)
    f = by_id(check_figures(path))
    assert f.loc["cla_2016", "status"] == "not_checked"
    assert "no release found covers 31 March 2016 (releases 2023, 2024, 2025 cover 31 March 2019-2025)" in f.loc["cla_2016", "message"]
    assert f.loc["sn", "status"] == "not_checked" and "covers 31 March 2016" in f.loc["sn", "message"]
    # A count-only figure for a covered year is compared; DfE's 136 / 33 is shown whole, never "192 / ".
    assert f.loc["cla_2022", "severity"] == "warning"
    assert "31 March 2022: 136 / 33 (releases 2023, 2024, 2025)" in f.loc["cla_2022", "message"]
    assert "192 / " not in out
    assert "0 error(s), 1 warning(s), 0 check(s) passed, 2 not checked." in out


PUBLISHED = """
    authority: Wokingham
    published: PUBLISHED
    neighbour_averages:
      - {id: sn, value: '46.9', year: 2022, models: ['2021']}
    rates:
      - {id: r, count: 136, rate: 33, year: 2022}
"""


def test_published_date_excludes_later_releases(tmp_path):
    # 46.9 (mean of the April 2021 neighbours at 31 March 2022) and 136 / 33 are in the 2023-2025
    # releases, each taken as available from 1 December of its year: none existed in February 2022.
    f = by_id(check_figures(write(tmp_path, PUBLISHED.replace("PUBLISHED", "February 2022"))))
    for fid in ("sn", "r"):
        assert f.loc[fid, "status"] == "not_checked"
        assert "releases 2023, 2024, 2025 (taken as available from 1 December of their year) came after the report " \
               "(28 February 2022)" in f.loc[fid, "message"]
    # Published 1 March 2024: only the 2023 release (1 December 2023) was out.
    f = by_id(check_figures(write(tmp_path, PUBLISHED.replace("PUBLISHED", "2024-03-01"))))
    assert f.loc["r", "status"] == "ok" and "31 March 2022: 136 / 33 (release 2023)" in f.loc["r", "message"]
    assert "(release 2023, 10 neighbours)" in f.loc["sn", "message"] and "Not used: releases 2024, 2025" in f.loc["sn", "message"]


def test_published_must_have_a_month(tmp_path, capsys):
    rc, _ = run(write(tmp_path, PUBLISHED.replace("PUBLISHED", "2022")))
    err = capsys.readouterr().err
    assert rc == 2 and "published" in err and "2022-02-15" in err and "line 3" in err


# ---------------------------------------------------------------------------------------------
# every entry accounted for
# ---------------------------------------------------------------------------------------------


def test_every_entry_appears_with_a_status(tmp_path):
    path = write(tmp_path, """
        year: 2023
        tables:
          - name: T
            rows:
              - {label: a, count: 5}
              - {label: b, count: 7}
        claims:
          - {id: lone, value: 12, unit: count}
          - {id: needs_data, value: 3, unit: count, recompute: cla_31_march}
          - {id: other, value: 12, unit: count, refers_to: lone}
        rates:
          - {id: bare, count: 136}
    """)
    rc, out = run(path)
    assert rc == 0
    f = check_figures(path)
    assert "[NOT CHECKED] T: nothing to check within the table: no total row, no percentages." in out
    assert "[NOT CHECKED] 'lone': nothing to compare it with" not in out  # 'other' compares it
    assert "[note] 'lone': compared by other (see there)." in out
    assert "[NOT CHECKED] 'needs_data': recompute: cla_31_march needs the return (--data)." in out
    assert "[NOT CHECKED] 'bare': nothing to compare it with: no population, no series of rates, no authority" in out
    assert out.rstrip().endswith("0 error(s), 0 warning(s), 1 check(s) passed, 3 not checked.")
    # Each entry (1 table, 3 claims, 1 rate) has at least one row.
    assert set(f["table"]) == {"T", "claims", "rates"}
    assert set(f["figure_id"]) - {""} == {"lone", "needs_data", "other", "bare"}


def test_csv_has_one_header_and_one_line_per_row(tmp_path):
    path = write(tmp_path, SEX.replace("PF", "46").replace("PM", "55"))
    rc, text = run(path, output_format="csv")
    assert rc == 1
    assert sum(line.startswith("check,severity,") for line in text.splitlines()) == 1
    table = pd.read_csv(io.StringIO(text), keep_default_na=False)
    assert table["check"].tolist() == ["percent_split", "percent_sum"]


# ---------------------------------------------------------------------------------------------
# changes, direction words, ranges, identities, decimal numerators
# ---------------------------------------------------------------------------------------------


def test_change_claims(tmp_path):
    path = write(tmp_path, """
        rates:
          - {id: rate_2022, rate: 33}
        claims:
          # (114 - 93) / 93 = 22.58%: rounds to 23.
          - {id: up23, value: 23, change: percent, from: 93, to: 114, direction: increase}
          - {id: up17, value: 17, change: percent, from: 93, to: 114, direction: increase}
          - {id: down23, value: 23, change: percent, from: 93, to: 114, direction: decrease}
          - {id: over20, value: over 20, change: percent, from: 93, to: 114, direction: rise}
          # 114 -> 95: (95 - 114) / 114 = -16.67%: "an increase of 17%" has the size but the wrong word.
          - {id: fall_as_rise, value: 17, change: percent, from: 114, to: 95, direction: increase}
          # 13% -> 7% as printed: the change is in [6.5 - 13.5, 7.5 - 12.5] = [-7, -5] points.
          - {id: pts6, value: 6, change: points, from: 13, to: 7, direction: fall}
          - {id: pts8, value: 8, change: points, from: 13, to: 7, direction: fall}
          # Rate 33 -> 32 per 10,000: difference in [31.5 - 33.5, 32.5 - 32.5] = [-2, 0];
          # percentage change in [31.5 / 33.5 - 1, 32.5 / 32.5 - 1] = [-5.97%, 0%].
          - {id: rate_down1, value: 1, unit: rate_per_10k, change: difference, from: rate_2022, to: 32, direction: down}
          - {id: rate_down3, value: 3, unit: rate_per_10k, change: difference, from: rate_2022, to: 32, direction: down}
          - {id: rate_pct3, value: 3, unit: rate_per_10k, change: percent, from: 33, to: 32, direction: reduction}
          - {id: rate_pct10, value: 10, unit: rate_per_10k, change: percent, from: 33, to: 32, direction: reduction}
          # No direction word: the sign is as written; 29 -> 40 is +11.
          - {id: diff, value: 11, change: difference, from: 29, to: 40}
    """)
    f = by_id(check_figures(path, reference=False))
    ok = ["up23", "over20", "pts6", "rate_down1", "rate_pct3", "diff"]
    assert (f.loc[ok, "status"] == "ok").all(), f.loc[ok, "message"].tolist()
    assert f.loc["up23", "message"] == "'up23' says an increase of 23%; from 93 to 114: (114 - 93) / 93 = +22.58% (OK)"
    assert f.loc["up17", "check"] == "change" and f.loc["up17", "severity"] == "error"
    assert f.loc["down23", "check"] == "change_direction"
    assert f.loc["fall_as_rise", "check"] == "change_direction"
    assert f.loc["fall_as_rise", "message"] == ("'fall_as_rise' says an increase of 17%; from 114 to 95: (95 - 114) / 114 = "
                                                "-16.67%, which is a decrease: the direction word 'increase' is wrong (the size fits).")
    assert "a change of -7.00 to -5.00 points" in f.loc["pts6", "message"]
    assert f.loc["pts8", "severity"] == "error"
    assert "from 33 ('rate_2022') to 32: a difference of -2.00 to 0.00" in f.loc["rate_down1", "message"]
    assert f.loc["rate_down3", "severity"] == "error"
    assert "a change of -5.97 to 0.00%" in f.loc["rate_pct3", "message"]
    assert f.loc["rate_pct10", "severity"] == "error"


def test_ranges_and_inequalities(tmp_path):
    path = write(tmp_path, """
        tables:
          - name: Table M
            rows:
              - {label: Reviews, count: 435}
              - {label: In timescale, count: 410, percent: 94, of: Reviews}
        claims:
          # 410 / 435 = 94.25%
          - {id: over90, value: over 90%, unit: percent, refers_to: Table M / In timescale}
          - {id: over95, value: over 95%, unit: percent, refers_to: Table M / In timescale}
          - {id: under500, value: fewer than 500, unit: count, refers_to: Table M / Reviews}
          # 56 / 136 = 41.18%
          - {id: range, value: 40-50%, unit: percent, numerator: 56, denominator: 136}
          - {id: atmost40, value: at most 40, unit: percent, numerator: 56, denominator: 136}
    """)
    f = by_id(check_figures(path, reference=False))
    assert f.loc["over90", "message"] == "'over90' says over 90%; 94.25 (Table M / In timescale: 410 / 435 = 94.25%) (OK)"
    assert f.loc["over95", "severity"] == "error" and "which is not over 95%" in f.loc["over95", "message"]
    assert f.loc["under500", "status"] == "ok"
    assert f.loc["range", "status"] == "ok" and f.loc["atmost40", "severity"] == "error"


def test_identity_opening_plus_starters_minus_leavers(tmp_path):
    path = write(tmp_path, """
        tables:
          - name: Flows
            additive: false
            rows:
              - {label: Starters, count: 65}
              - {label: Leavers, count: 64}
        claims:
          - {id: opening, value: 135, unit: count}
        identities:
          # 135 + 65 - 64 = 136
          - {id: flow, plus: [opening, Flows / Starters], minus: [Flows / Leavers], equals: 136}
          - {id: flow_wrong, plus: [opening, Flows / Starters], minus: [Flows / Leavers], equals: 140}
    """)
    f = by_id(check_figures(path, reference=False))
    assert f.loc["flow", "message"] == ("'flow': 135 ('opening') + 65 (Flows / Starters) - 64 (Flows / Leavers) = 136, "
                                        "printed 136 (OK)")
    assert f.loc["flow_wrong", "severity"] == "error"
    assert "= 136, but 140 is printed (4 more than the terms give)." in f.loc["flow_wrong", "message"]
    assert f.loc["opening", "status"] == "note"  # compared through the identities, not on its own line


def test_decimal_numerator(tmp_path):
    # 12.5 printed with one decimal is 12.45 to 12.55: / 40 = 31.125% to 31.375%, which rounds to 31
    # but never to 32 (truncation of 32 needs 32 to 33).
    path = write(tmp_path, """
        claims:
          - {id: fte, value: 31, unit: percent, numerator: 12.5, denominator: 40}
          - {id: fte_wrong, value: 32, unit: percent, numerator: 12.5, denominator: 40}
    """)
    rc, out = run(path)
    assert rc == 1
    f = by_id(check_figures(path, reference=False))
    assert f.loc["fte", "message"] == "'fte': 12.5 / 40 = 31.12 to 31.38%, printed 31% (OK)"
    assert f.loc["fte_wrong", "severity"] == "error"


def test_long_lists_of_counts_are_a_range(tmp_path):
    # 1% of 7000 is any count from 35 (0.5% exactly) to 105 (1.5% exactly, an exact half): 71 values.
    path = write(tmp_path, """
        tables:
          - name: T
            rows:
              - {label: all, count: 7000}
              - {label: x, count: 10, percent: 1, of: all}
    """)
    f = check_figures(path, reference=False)
    assert "1% of 7000 would need a count of 35 to 105 (71 values)." in f.iloc[0]["message"]


def test_bad_new_keys_exit_2(tmp_path, capsys):
    cases = {
        "direction.yml": ("claims:\n  - {id: c, value: 5, change: percent, from: 1, to: 2, direction: sideways}\n",
                          ["claims[1] 'c'", "direction 'sideways' is not known"]),
        "no_from.yml": ("claims:\n  - {id: c, value: 5, change: percent, to: 2}\n", ["claims[1] 'c'", "a change needs 'from:'"]),
        "kind.yml": ("claims:\n  - {id: c, value: 5, change: ratio, from: 1, to: 2}\n", ["change must be one of percent, points, difference"]),
        "about.yml": ("claims:\n  - {id: c, value: about 90, unit: percent}\n", ["'about 90' is not a number", "'over 90'"]),
        "identity.yml": ("identities:\n  - {id: i, plus: [1, 2]}\n", ["identities[1] 'i'", "needs 'equals:'"]),
        "term.yml": ("identities:\n  - {id: i, plus: [1, nothing_here], equals: 3}\n",
                     ["identities 'i'", "'nothing_here' is not the id of a claim"]),
    }
    for name, (text, expected) in cases.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        rc, out = run(path)
        err = capsys.readouterr().err
        assert rc == 2 and out == "", (name, err)
        assert len(err.strip().splitlines()) == 1, err
        for piece in expected:
            assert piece in err, (name, piece, err)


def test_additions_example_in_docs(tmp_path):
    # The "An example of the additions" block of docs/figures.md must give the output shown there.
    from pathlib import Path

    from test_quality_figures import assert_doc_example

    doc = (Path(__file__).resolve().parents[1] / "docs" / "figures.md").read_text(encoding="utf-8")
    assert_doc_example(tmp_path, doc, "## An example of the additions", expected_rc=1)
