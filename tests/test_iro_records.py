"""Tests for iro_analysis.iro_records: the IRO service records template, its checks, the summary
tables (against hand-worked figures), the commentary renderers and the synthetic example."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import iro_analysis as iro
from iro_analysis import iro_records as ir
from iro_analysis.errors import IroAnalysisError, IroRecordsError
from iro_analysis.publication import Publication
from iro_analysis.quality import FINDING_COLUMNS

YEAR = 2023  # 1 April 2022 to 31 March 2023

ESCALATIONS = """escalation_id,date_raised,stage,reason,outcome,date_resolved
A,04/04/2022,informal,drift_delay,escalated,11/04/2022
A,11/04/2022,stage_1,drift_delay,resolved,02/05/2022
B,01/06/2022,informal,documentation,resolved,03/06/2022
C,01/07/2022,Informal,health,resolved,16/07/2022
D,01/08/2022,informal,other,withdrawn,05/08/2022
E,01/09/2022,Stage 1,placement,escalated,01/10/2022
E,2022-10-01,formal stage 2,placement,escalated,2022-12-01
E,01/12/2022,stage_3,placement,resolved,15/02/2023
F,01/03/2023,informal,drift_delay,open,
"""


def _folder(tmp_path: Path, **tables: str) -> Path:
    folder = tmp_path / "iro_records"
    folder.mkdir(exist_ok=True)
    for name, text in tables.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _load(tmp_path, **tables):
    return ir.load_iro_records(_folder(tmp_path, **tables), year=YEAR)


def _raises(path, message: str, *, call=None):
    """Assert that loading ``path`` (or ``call()``) raises IroRecordsError with exactly ``message``."""
    with pytest.raises(IroRecordsError) as info:
        call() if call else ir.load_iro_records(path, year=YEAR)
    assert str(info.value) == message
    return info.value


# --- structural errors: exact messages ------------------------------------------------------------


def test_error_is_a_located_value_error():
    assert issubclass(IroRecordsError, IroAnalysisError) and issubclass(IroRecordsError, ValueError)
    assert iro.IroRecordsError is IroRecordsError


def test_missing_path(tmp_path):
    path = tmp_path / "nowhere"
    err = _raises(path, f"file {path}: does not exist. Check the path (relative paths start from the "
                        "notebook's folder).")
    assert err.file == str(path)


def test_unknown_table_file(tmp_path):
    folder = _folder(tmp_path, **{"caseload.csv": "month,iro_fte,children_allocated\n"})
    _raises(folder, f"file {folder / 'caseload.csv'}: is not a table of the IRO service records. Name each CSV "
                    "file after its table (caseloads.csv, escalations.csv, midway_reviews.csv, consultation.csv, "
                    "cp_plans.csv, sw_reports.csv) or move other files out of the folder.")


def test_same_table_twice(tmp_path):
    folder = _folder(tmp_path, **{"cp_plans.csv": "month,children_in_care_also_on_cp_plan\n",
                                  "CP plans.csv": "month,children_in_care_also_on_cp_plan\n"})
    _raises(folder, f"file {folder}: holds the cp_plans table twice (CP plans.csv and cp_plans.csv). Keep one.")


def test_missing_required_column(tmp_path):
    folder = _folder(tmp_path, **{"midway_reviews.csv": "month,reviews_due\n2022-04,3\n"})
    err = _raises(folder, f"file {folder / 'midway_reviews.csv'}, row 1, column midway_checks_done: the "
                          "midway_reviews table needs the column(s) midway_checks_done. Its columns are: month, "
                          "reviews_due, midway_checks_done. Add the missing column(s) to the header row.")
    assert (err.row, err.column) == (1, "midway_checks_done")


def test_unknown_column(tmp_path):
    folder = _folder(tmp_path, **{"cp_plans.csv": "\nmonth,children_in_care_also_on_cp_plan,team\n"})
    # the header is the first non-blank line: line 2
    _raises(folder, f"file {folder / 'cp_plans.csv'}, row 2, column team: the cp_plans table has no column "
                    "'team'. Its columns are: month, children_in_care_also_on_cp_plan (see docs/iro_records.md). "
                    "Rename or delete the column.")


@pytest.mark.parametrize("header", ["CHILD", "UPN", "Name", "child_name", "Date of birth", "IRO name", "comments"])
def test_child_level_column_refused(tmp_path, header):
    folder = _folder(tmp_path, **{"cp_plans.csv": f"month,{header},children_in_care_also_on_cp_plan\n"})
    _raises(folder, f"file {folder / 'cp_plans.csv'}, row 1, column {header}: the column {header!r} could hold "
                    "a child's identity or personal details. IRO service records hold counts and escalation "
                    "codes only: no child identifier, name, date of birth or free text (an IRO is named by a "
                    "code such as IRO01). Delete the column.")


def test_template_itself_has_no_child_level_column():
    for columns in ir.TABLES.values():
        for column in columns:
            assert column.name.replace("_", "") not in ir.template.CHILD_LEVEL_COLUMNS, column.name


def test_duplicate_column(tmp_path):
    folder = _folder(tmp_path, **{"cp_plans.csv": "month,Month,children_in_care_also_on_cp_plan\n"})
    _raises(folder, f"file {folder / 'cp_plans.csv'}, row 1, column month: the header has the column month "
                    "more than once. Keep one.")


def test_blank_column_name(tmp_path):
    folder = _folder(tmp_path, **{"cp_plans.csv": "month,,children_in_care_also_on_cp_plan\n"})
    _raises(folder, f"file {folder / 'cp_plans.csv'}, row 1: the header has a blank name in column position 2. "
                    "Give the column one of the names month, children_in_care_also_on_cp_plan, or delete it.")


def test_empty_file(tmp_path):
    folder = _folder(tmp_path, **{"sw_reports.csv": "\n,,\n"})
    _raises(folder, f"file {folder / 'sw_reports.csv'}: is empty. Give it the header row of the sw_reports "
                    "table (month, reports_due, reports_on_time_before_review), or delete the file if you do "
                    "not keep this table.")


def test_semicolons(tmp_path):
    folder = _folder(tmp_path, **{"cp_plans.csv": "month;children_in_care_also_on_cp_plan\n2022-04;3\n"})
    _raises(folder, f"file {folder / 'cp_plans.csv'}, row 1: separates values with semicolons (;); the "
                    "template uses commas. Save the file as 'CSV (Comma delimited)'.")


def test_row_too_long_and_too_short(tmp_path):
    folder = _folder(tmp_path, **{"cp_plans.csv": "month,children_in_care_also_on_cp_plan\n2022-04,3\n"
                                                  "2022-05,1,234\n"})
    _raises(folder, f"file {folder / 'cp_plans.csv'}, row 3: this row has 3 or more values but the header has "
                    "2 columns (extra value '234'). Remove the extra value, or quote a value that contains a "
                    "comma.")
    (folder / "cp_plans.csv").write_text("month,children_in_care_also_on_cp_plan\n2022-04,3\n2022-05\n")
    _raises(folder, f"file {folder / 'cp_plans.csv'}, row 3: this row has 1 values but the header has 2 "
                    "columns (month, children_in_care_also_on_cp_plan). Fill in the row or leave empty cells "
                    "between the commas.")


def test_trailing_empty_cells_are_not_extra_values(tmp_path):
    records = _load(tmp_path, **{"cp_plans.csv": "month,children_in_care_also_on_cp_plan,,\n2022-04,3,,\n"})
    assert records.cp_plans["children_in_care_also_on_cp_plan"].tolist() == [3]


def test_workbook_named_csv(tmp_path):
    folder = _folder(tmp_path)
    _workbook(folder / "cp_plans.csv", {"cp_plans": [["month", "children_in_care_also_on_cp_plan"]]})
    _raises(folder, f"file {folder / 'cp_plans.csv'}: is an Excel workbook, not a CSV file, although its name "
                    "says otherwise. Save the sheet as 'CSV (Comma delimited)', or pass the workbook itself (one "
                    "sheet per table).")


def test_unknown_sheet_and_missing_column_in_workbook(tmp_path):
    book = tmp_path / "records.xlsx"
    _workbook(book, {"Caseloads": [["month", "iro_fte", "children_allocated"]], "Sheet2": [["x"]]})
    _raises(book, f"file {book}, sheet Sheet2: is not a table of the IRO service records. Name each sheet after "
                  "its table (caseloads, escalations, midway_reviews, consultation, cp_plans, sw_reports; sheets "
                  "named codes, guidance, notes, readme are skipped) or delete the sheet.")
    _workbook(book, {"notes": [["anything"]], "escalations": [[None], ["escalation_id", "date_raised", "stage"]]})
    _raises(book, f"file {book}, sheet escalations, row 2, column reason: the escalations table needs the "
                  "column(s) reason, outcome, date_resolved. Its columns are: escalation_id, date_raised, stage, "
                  "reason, outcome, date_resolved. Add the missing column(s) to the header row.")


def test_not_a_workbook(tmp_path):
    path = tmp_path / "records.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0old excel")
    _raises(path, f"file {path}: is not a workbook the package reads: give a folder of CSV files (iro_records/) "
                  "or an .xlsx workbook.")
    path = tmp_path / "records.xlsx"
    path.write_text("not a zip")
    _raises(path, f"file {path}: cannot be opened as an Excel workbook (.xlsx) (BadZipFile). Save it from Excel "
                  "as 'Excel Workbook (*.xlsx)', or keep the tables as CSV files in a folder.")


def test_summary_of_an_absent_table(tmp_path):
    records = _load(tmp_path, **{"cp_plans.csv": "month,children_in_care_also_on_cp_plan\n"})
    _raises(None, f"file {records.source}: the IRO service records hold no midway_reviews table, so this "
                  "summary cannot be made. Add midway_reviews.csv (or a midway_reviews sheet), or check "
                  "`'midway_reviews' in records.tables` before asking for it.",
            call=lambda: ir.midway_review_rate(records))


def test_input_files_are_not_changed(tmp_path):
    folder = _folder(tmp_path, **{"escalations.csv": ESCALATIONS + "G,31/02/2023,informal,bogus,open,\n"})
    before = (folder / "escalations.csv").read_bytes()
    ir.load_iro_records(folder, year=YEAR)
    assert (folder / "escalations.csv").read_bytes() == before


# --- record-level findings ------------------------------------------------------------------------


def _only(findings: pd.DataFrame, check: str) -> dict:
    rows = findings[findings["check"] == check]
    assert len(rows) == 1, findings[["check", "row", "column", "value"]]
    return rows.iloc[0].to_dict()


def test_findings_have_the_package_shape_and_no_child(tmp_path):
    records = _load(tmp_path, **{"escalations.csv": ESCALATIONS + "G,31/02/2023,informal,bogus,open,\n"})
    assert tuple(records.findings.columns) == FINDING_COLUMNS
    assert records.findings["CHILD"].isna().all()
    assert str(records.findings["row"].dtype) == "Int64"


def test_cell_findings(tmp_path):
    text = ("month,iro_code,iro_fte,children_allocated\n"
            "2022-04,IRO01,1,55\n"          # line 2: fine
            "2022-13,IRO01,1,60\n"          # line 3: not a month
            "2022-05,IRO01,-1,60\n"         # line 4: negative FTE
            "2022-06,IRO01,1,6.5\n"         # line 5: not a whole number
            "2022-07,Jane Smith,1,40\n"     # line 6: a name, not a code
            "2022-08,IRO01,1,\n")           # line 7: blank count
    found = _load(tmp_path, **{"caseloads.csv": text}).findings
    assert _only(found, "date_unparseable") == {
        "check": "date_unparseable", "severity": "error", "table": "caseloads", "row": 3, "CHILD": None,
        "column": "month", "value": "2022-13",
        "message": "month '2022-13' is not a month. Write it as 2022-04, 04/2022, Apr 2022, April 2022 or a date "
                   "in the month. (caseloads.csv line 3)"}
    negative = _only(found, "negative_value")
    assert (negative["row"], negative["column"], negative["value"]) == (4, "iro_fte", "-1")
    assert negative["message"] == "iro_fte '-1' is negative. Enter 0 or more. (caseloads.csv line 4)"
    fraction = _only(found, "not_a_number")
    assert (fraction["row"], fraction["column"], fraction["value"]) == (5, "children_allocated", "6.5")
    assert fraction["message"] == ("children_allocated '6.5' is not a whole number. Enter a whole number "
                                   "(0 or more). (caseloads.csv line 5)")
    name = _only(found, "iro_code_not_a_code")
    assert (name["row"], name["column"], name["severity"]) == (6, "iro_code", "error")
    # the name itself is not repeated in the finding
    assert pd.isna(name["value"]) and "Jane" not in name["message"]
    blank = _only(found, "blank_value")
    assert (blank["row"], blank["column"]) == (7, "children_allocated")
    assert blank["message"] == "children_allocated is blank. Fill it in (0 for none). (caseloads.csv line 7)"
    missing = _only(found, "months_missing")
    # Apr, May, Jun, Jul and Aug have rows (even bad ones with a valid month); Sep 2022 to Mar 2023 do not,
    # and 2022-13 is no month at all
    assert missing["severity"] == "warning" and pd.isna(missing["row"])
    assert missing["value"] == "Sep 2022, Oct 2022, Nov 2022, Dec 2022, Jan 2023, Feb 2023, Mar 2023"


def test_month_outside_year_and_duplicate(tmp_path):
    text = ("month,children_in_care_also_on_cp_plan\n"
            "Mar 2022,4\n"      # line 2: before the year
            "2022-04,5\n"       # line 3
            "04/2022,6\n")      # line 4: April 2022 again
    records = _load(tmp_path, **{"cp_plans.csv": text})
    outside = _only(records.findings, "date_outside_year")
    assert (outside["row"], outside["column"], outside["value"], outside["severity"]) == (2, "month", "Mar 2022",
                                                                                          "error")
    assert outside["message"] == ("month March 2022 is outside the reporting year 2022-23 (April 2022 to March "
                                  "2023). Correct the month or move the row to that year's records; the row is "
                                  "left out of the figures. (cp_plans.csv line 2)")
    duplicate = _only(records.findings, "duplicate_row")
    assert duplicate["row"] == 4 and duplicate["message"] == (
        "month 2022-04 is already on line 3. Keep one row (add the figures together if both are part of the "
        "total); this row is left out of the figures. (cp_plans.csv line 4)")
    # the duplicate is dropped, the out-of-year row stays with no month and is left out of the figures
    assert records.cp_plans["row"].tolist() == [2, 3]
    assert ir.cp_plans_by_month(records).to_dict("list") == {"month": ["2022-04"],
                                                             "children_in_care_also_on_cp_plan": [5]}


def test_part_exceeding_whole(tmp_path):
    records = _load(tmp_path, **{"sw_reports.csv": "month,reports_due,reports_on_time_before_review\n"
                                                   "2022-04,10,11\n2022-05,10,4\n"})
    over = _only(records.findings, "exceeds_total")
    assert (over["row"], over["column"], over["value"]) == (2, "reports_on_time_before_review", "11")
    assert over["message"] == ("reports_on_time_before_review (11) is more than reports_due (10). Correct one of "
                               "them; the row is left out of the reports_on_time_before_review figures. "
                               "(sw_reports.csv line 2)")
    # April is left out whole: 10 due, 4 on time in May only
    table = ir.sw_report_timeliness(records)
    assert table["month"].tolist() == ["2022-05", "Total"] and table["reports_due"].tolist() == [10, 10]


def test_escalation_findings(tmp_path):
    text = ("escalation_id,date_raised,stage,reason,outcome,date_resolved\n"
            "A,15/03/2022,informal,drift_delay,resolved,20/04/2022\n"    # 2: raised before the year
            "B,01/05/2022,informal,bogus,resolved,03/05/2022\n"          # 3: unknown reason
            "C,01/06/2022,informal,health,resolved,01/05/2022\n"         # 4: resolved before raised
            "D,01/07/2022,informal,health,resolved,\n"                   # 5: closed without a date
            "E,01/08/2022,stage_1,visits,open,10/08/2022\n"              # 6: open with a date
            "F,01/09/2022,stage_1,visits,escalated,10/09/2022\n"         # 7: no next stage
            "G,01/03/2023,stage_2,other,resolved,02/04/2023\n"           # 8: resolved after the year
            "H,31/02/2023,informal,other,open,\n"                        # 9: no such date
            "I,01/10/2022,stage 9,other,open,\n")                        # 10: unknown stage
    found = _load(tmp_path, **{"escalations.csv": text}).findings
    by_check = {c: f for c, f in found.groupby("check")}
    assert sorted(by_check) == ["date_outside_year", "date_unparseable", "escalated_without_next_stage",
                                "open_with_resolution_date", "resolution_date_missing", "resolved_before_raised",
                                "unknown_code"]
    outside = by_check["date_outside_year"].set_index("row")
    assert outside.loc[2, ["column", "severity"]].tolist() == ["date_raised", "error"]
    assert outside.loc[8, ["column", "severity"]].tolist() == ["date_resolved", "warning"]
    assert outside.loc[8, "message"] == ("date_resolved 02/04/2023 is after 31 March 2023: at the end of the year "
                                         "this stage was open. Check the date; the outcome is counted as recorded. "
                                         "(escalations.csv line 8)")
    unknown = by_check["unknown_code"].set_index("row")
    assert unknown.loc[3, ["column", "value"]].tolist() == ["reason", "bogus"]
    assert unknown.loc[10, ["column", "value"]].tolist() == ["stage", "stage 9"]
    assert unknown.loc[10, "message"] == ("stage 'stage 9' is not a stage code. Use one of informal, stage_1, "
                                          "stage_2, stage_3, cafcass (see docs/iro_records.md). "
                                          "(escalations.csv line 10)")
    before = _only(found, "resolved_before_raised")
    assert (before["row"], before["column"], before["value"]) == (4, "date_resolved", "01/05/2022")
    assert before["message"] == ("date_resolved 01/05/2022 is before date_raised 01/06/2022. Correct one of the "
                                 "dates; the row is left out of the days-to-resolve figures. (escalations.csv "
                                 "line 4)")
    assert _only(found, "resolution_date_missing")["row"] == 5
    assert _only(found, "open_with_resolution_date")["row"] == 6
    assert _only(found, "escalated_without_next_stage")["message"] == (
        "escalation F was escalated from stage_1 but has no row for a later stage. Add the next stage's row with "
        "the same escalation_id. (escalations.csv line 7)")
    assert _only(found, "date_unparseable")["row"] == 9
    assert set(found.loc[found["severity"] == "warning", "check"]) == {
        "date_outside_year", "resolution_date_missing", "open_with_resolution_date", "escalated_without_next_stage"}


def test_spreadsheet_in_folder_is_reported(tmp_path):
    folder = _folder(tmp_path, **{"cp_plans.csv": "month,children_in_care_also_on_cp_plan\n", "README.md": "x"})
    (folder / "caseloads.xlsx").write_bytes(b"PK\x03\x04")
    found = ir.load_iro_records(folder, year=YEAR).findings
    not_read = _only(found, "file_not_read")
    assert not_read["value"] == "caseloads.xlsx" and not_read["severity"] == "warning"


# --- summaries against hand-worked figures --------------------------------------------------------


def test_escalations_by_stage_and_outcome(tmp_path):
    table = ir.escalations_by_stage_and_outcome(_load(tmp_path, **{"escalations.csv": ESCALATIONS}))
    # informal: A escalated, B resolved, C resolved, D withdrawn, F open            -> 5 = 2+1+1+1
    # stage 1:  A resolved, E escalated ("Stage 1")                                  -> 2
    # stage 2:  E escalated ("formal stage 2")                                       -> 1
    # stage 3:  E resolved                                                           -> 1
    assert table.to_dict("list") == {
        "stage": ["Informal", "Formal stage 1", "Formal stage 2", "Formal stage 3", "Referred to Cafcass", "Total"],
        "raised": [5, 2, 1, 1, 0, 9],
        "resolved": [2, 1, 0, 1, 0, 4],
        "escalated": [1, 1, 1, 0, 0, 3],
        "withdrawn": [1, 0, 0, 0, 0, 1],
        "open": [1, 0, 0, 0, 0, 1],
    }


def test_escalations_by_reason(tmp_path):
    records = _load(tmp_path, **{"escalations.csv": ESCALATIONS})
    table = ir.escalations_by_reason(records).set_index("reason")
    # escalations, not stages: A drift, B documentation, C health, D other, E placement, F drift -> 6
    assert table.loc["Total", "escalations"] == 6
    labels = ir.REASONS
    assert table.loc[labels["drift_delay"], "escalations"] == 2
    assert table.loc[labels["drift_delay"], "percent"] == pytest.approx(100 * 2 / 6)
    assert table.loc[labels["visits"], "escalations"] == 0
    assert table["escalations"].iloc[:-1].sum() == 6 and list(table.index[:-1]) == list(labels.values())
    formal = ir.escalations_by_reason(records, formal_only=True).set_index("reason")
    # reached a formal stage: A (stage 1, drift) and E (stage 1, placement)
    assert formal.loc["Total", "escalations"] == 2
    assert formal.loc[labels["placement"], "percent"] == 50.0


def test_days_to_resolve(tmp_path):
    records = _load(tmp_path, **{"escalations.csv": ESCALATIONS})
    days = ir.resolution_days(records).set_index("escalation_id")
    # A: raised 04/04/2022 (informal), resolved at stage 1 on 02/05/2022: 26 days of April + 2 = 28
    # B: 01/06 -> 03/06 = 2; C: 01/07 -> 16/07 = 15
    # E: raised 01/09/2022 (stage 1), resolved at stage 3 on 15/02/2023: 30+31+30+31+31+14 = 167
    # D was withdrawn and F is open: not resolved
    assert days["days"].to_dict() == {"A": 28, "B": 2, "C": 15, "E": 167}
    assert days["stage"].to_dict() == {"A": "stage_1", "B": "informal", "C": "informal", "E": "stage_3"}
    table = ir.days_to_resolve(records).set_index("stage")
    assert table.loc["Informal", ["resolved", "days_0_7", "days_8_14", "days_15_28"]].tolist() == [2, 1, 0, 1]
    assert table.loc["Informal", "median_days"] == 8.5            # (2 + 15) / 2
    assert table.loc["Formal stage 1", ["resolved", "days_15_28"]].tolist() == [1, 1]
    assert table.loc["Formal stage 3", ["resolved", "days_over_56"]].tolist() == [1, 1]
    assert math.isnan(table.loc["Formal stage 2", "median_days"])
    total = table.loc["Total"]
    assert total[["resolved", "days_0_7", "days_8_14", "days_15_28", "days_29_56", "days_over_56"]].tolist() == [
        4, 1, 0, 2, 0, 1]
    assert total["median_days"] == 21.5                            # median of 2, 15, 28, 167


def test_midway_review_rate_and_caseloads(tmp_path):
    records = _load(tmp_path, **{
        "midway_reviews.csv": "month,reviews_due,midway_checks_done\n2022-04,10,7\n2022-05,0,0\n2022-06,8,8\n",
        "caseloads.csv": "month,iro_code,iro_fte,children_allocated\n2022-04,IRO01,1,55\n2022-04,IRO02,0.5,30\n"
                         "2022-05,IRO01,1,60\n2022-05,IRO02,0.5,\n"})
    midway = ir.midway_review_rate(records)
    assert midway[["month", "reviews_due", "midway_checks_done"]].to_dict("list") == {
        "month": ["2022-04", "2022-05", "2022-06", "Total"], "reviews_due": [10, 0, 8, 18],
        "midway_checks_done": [7, 0, 8, 15]}
    # 7/10, none due, 8/8, 15/18
    assert midway["percent"].tolist()[0] == 70.0 and math.isnan(midway["percent"].tolist()[1])
    assert midway["percent"].tolist()[2:] == [100.0, pytest.approx(100 * 15 / 18)]
    caseloads = ir.caseload_by_month(records)
    # April: 55 + 30 children for 1.5 FTE = 56.67 per FTE; May has a blank count, so it is left out whole
    assert caseloads[["month", "iro_fte", "children_allocated"]].to_dict("list") == {
        "month": ["2022-04"], "iro_fte": [1.5], "children_allocated": [85]}
    assert caseloads["children_per_fte"].tolist() == [pytest.approx(85 / 1.5)]


def test_consultation_return_rate(tmp_path):
    records = _load(tmp_path, **{"consultation.csv": (
        "month,child_forms_sent,child_forms_returned,parent_carer_forms_sent,parent_carer_forms_returned\n"
        "2022-04,10,4,10,2\n2022-05,6,3,6,\n")})
    table = ir.consultation_return_rate(records)
    # children: 10 + 6 sent, 4 + 3 returned; parents: May has a blank, so April only (10 sent, 2 returned)
    assert table[["respondent", "forms_sent", "forms_returned"]].to_dict("list") == {
        "respondent": ["Children and young people", "Parents and carers", "Total"],
        "forms_sent": [16, 10, 26], "forms_returned": [7, 2, 9]}
    assert table["percent"].tolist() == [pytest.approx(43.75), 20.0, pytest.approx(100 * 9 / 26)]


def test_xlsx_matches_csv(tmp_path):
    rows = [line.split(",") for line in ESCALATIONS.strip().split("\n")]
    for row in rows[1:]:   # Excel gives real dates and numbers
        for j in (1, 5):
            if "/" in row[j]:
                d, m, y = map(int, row[j].split("/"))
                row[j] = dt.datetime(y, m, d)
            elif row[j]:
                row[j] = dt.datetime.fromisoformat(row[j])
            else:
                row[j] = None
    book = tmp_path / "iro_records.xlsx"
    _workbook(book, {"README": [["Guidance, not a table"]], "Escalations": rows,
                     "midway_reviews": [["Month", "Reviews due", "Midway checks done"],
                                        [dt.datetime(2022, 4, 1), 10, 7.0], [dt.datetime(2022, 5, 1), 4, 4]]})
    from_book = ir.load_iro_records(book, year=YEAR)
    from_csv = _load(tmp_path, **{"escalations.csv": ESCALATIONS})
    assert from_book.tables == ["escalations", "midway_reviews"]
    pd.testing.assert_frame_equal(ir.escalations_by_stage_and_outcome(from_book),
                                  ir.escalations_by_stage_and_outcome(from_csv))
    pd.testing.assert_frame_equal(ir.days_to_resolve(from_book), ir.days_to_resolve(from_csv))
    # Excel row numbers: the header is row 1 of the sheet
    assert from_book.escalations["row"].tolist() == list(range(2, 11))
    assert ir.midway_review_rate(from_book)["midway_checks_done"].tolist() == [7, 4, 11]
    bad = tmp_path / "bad.xlsx"
    _workbook(bad, {"cp_plans": [["month", "children_in_care_also_on_cp_plan"], [dt.datetime(2022, 4, 1), -2]]})
    negative = _only(ir.load_iro_records(bad, year=YEAR).findings, "negative_value")
    assert negative["row"] == 2 and negative["message"].endswith("(bad.xlsx, sheet cp_plans line 2)")


def test_summaries_fit_the_publication_layer(synthetic_rutland):
    records = ir.load_iro_records(synthetic_rutland / "iro_records", year=YEAR)
    pub = Publication()
    frames = {}
    for name in ir.TABLE_ROLES:
        frames[name] = getattr(ir, name)(records)
        pub.add_table(name, frames[name], **ir.publication_roles(name))
    pub.finalise()
    for name, frame in frames.items():
        shown = pub.published(name)
        assert list(shown.columns) == list(frame.columns)
        counts = ir.TABLE_ROLES[name]["counts"]
        # a count shown is the true count; anything hidden is "c"
        for column in counts:
            for value, text in zip(frame[column], shown[column]):
                assert text == "c" or text == f"{int(value):,}"
        # a derived value is hidden wherever one of its counts is
        mask = pub.hidden_mask(name)
        for column, sources in ir.TABLE_ROLES[name].get("derived", {}).items():
            for position in range(len(frame)):
                if any(mask.at[position, s] for s in sources if s != "@total"):
                    assert shown.at[position, column] == "c"


def test_publication_roles_declares_every_column(tmp_path):
    records = _load(tmp_path, **{"escalations.csv": ESCALATIONS})
    for name in ("escalations_by_stage_and_outcome", "escalations_by_reason", "days_to_resolve"):
        roles = ir.publication_roles(name)
        declared = set(roles["labels"]) | set(roles["counts"]) | set(roles.get("derived", {})) | set(
            roles.get("public", []))
        assert declared == set(getattr(ir, name)(records).columns)
    with pytest.raises(KeyError):
        ir.publication_roles("nonsense")


# --- commentary -----------------------------------------------------------------------------------


def test_commentary_is_inert_html():
    text = "Most reviews were **on time**.\nThe rest were *late*.\n\n<script>alert('x')</script>\n\n- one\n* two"
    assert ir.commentary_html(text) == (
        "<p>Most reviews were <strong>on time</strong>. The rest were <em>late</em>.</p>\n"
        "<p>&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;</p>\n"
        "<ul><li>one</li><li>two</li></ul>")
    hostile = ir.commentary_html('**<img src=x onerror="alert(1)">** [a](javascript:alert(1))')
    assert "<img" not in hostile and "onerror=\"" not in hostile and "<a" not in hostile
    assert hostile.startswith("<p><strong>&lt;img src=x onerror=&quot;alert(1)&quot;&gt;</strong>")


def test_commentary_markdown_keeps_emphasis_and_escapes_the_rest():
    text = "A **bold** claim, an *aside* and <script>alert(1)</script> [link](http://x) # not a heading _u_"
    out = ir.commentary_markdown(text)
    assert out == ("A **bold** claim, an *aside* and &lt;script&gt;alert\\(1\\)&lt;/script&gt; "
                   "\\[link\\]\\(http://x\\) \\# not a heading \\_u\\_")
    assert "<script" not in out
    assert ir.commentary_markdown("Para one\nsame para\n\n\n- a\n- **b**") == "Para one same para\n\n- a\n- **b**"
    # a lone asterisk is text, not the start of emphasis
    assert ir.commentary_markdown("5 * 3 and 2*") == "5 \\* 3 and 2\\*"


def test_load_commentary(tmp_path):
    folder = tmp_path / "commentary"
    folder.mkdir()
    (folder / "timeliness.md").write_text("Reviews.\r\nOn time.", encoding="utf-8")
    (folder / "in_care.md").write_text("In care.", encoding="utf-8")
    (folder / "missing.md").write_text("  \n", encoding="utf-8")   # blank: no commentary
    (folder / "README.txt").write_text("not commentary", encoding="utf-8")
    texts = ir.load_commentary(folder)
    assert texts == {"in_care": "In care.", "timeliness": "Reviews.\nOn time."}
    assert list(texts) == ["in_care", "timeliness"]   # report order, not file order
    (folder / "timelines.md").write_text("typo", encoding="utf-8")
    _raises(None, f"file {folder / 'timelines.md'}: is not named after a report section. Rename it to one of: "
                  "about_the_data.md, in_care.md, starting_care.md, in_care_31_march.md, leaving_care.md, "
                  "missing.md, timeliness.md, participation.md, ethnicity.md, comparison.md, iro_service.md.",
            call=lambda: ir.load_commentary(folder))
    with pytest.raises(IroRecordsError, match="does not exist or is not a folder"):
        ir.load_commentary(tmp_path / "none")


# --- the synthetic example ------------------------------------------------------------------------


def test_synthetic_example_loads_cleanly(synthetic_wokingham):
    assert ir.find_iro_records(synthetic_wokingham) == synthetic_wokingham / "iro_records"
    records = ir.load_iro_records(ir.find_iro_records(synthetic_wokingham), year=YEAR)
    assert records.tables == list(ir.TABLES)
    assert records.findings.empty, records.findings
    # caseloads follow the return: children in care at each month end (short breaks excluded)
    data = iro.load_ssda903(synthetic_wokingham)
    monthly = iro.cohorts.monthly_in_care(data, YEAR)
    assert ir.caseload_by_month(records)["children_allocated"].tolist() == monthly["children"].tolist()
    texts = ir.load_commentary(synthetic_wokingham / "commentary")
    assert list(texts) == list(ir.SECTIONS)
    assert all(t.startswith("**Synthetic example.**") for t in texts.values())
    assert not any(marker in t for t in texts.values() for marker in ("TODO", "TBC", "Lorem", "XXX", "{"))
    # the return still loads with the extra folders beside its year folders, and reads no more files
    assert not data.findings["message"].str.contains("iro_records|commentary").any()


def test_find_iro_records(tmp_path):
    assert ir.find_iro_records(tmp_path) is None
    (tmp_path / "return.xml").write_text("<x/>")
    (tmp_path / "iro_records.xlsx").write_bytes(b"")
    assert ir.find_iro_records(tmp_path / "return.xml") == tmp_path / "iro_records.xlsx"
    (tmp_path / "iro_records").mkdir()
    with pytest.raises(IroRecordsError, match="holds both iro_records/ and iro_records.xlsx"):
        ir.find_iro_records(tmp_path)


# --- helpers --------------------------------------------------------------------------------------


def _workbook(path: Path, sheets: dict) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
    book.save(path)


def test_parsers_reject_impossible_values():
    assert ir.parse_date("29/02/2023") is None and ir.parse_date("29/02/2024") == pd.Timestamp(2024, 2, 29)
    assert ir.parse_month("Smarch 2022") is None and ir.parse_month("2022-04-31") is None


def test_documentation_covers_the_template():
    doc = (Path(__file__).parents[1] / "docs" / "iro_records.md").read_text(encoding="utf-8")
    names = [c.name for columns in ir.TABLES.values() for c in columns]
    codes = [*ir.STAGES, *ir.REASONS, *ir.OUTCOMES, *ir.SECTIONS, *ir.TABLE_ROLES]
    checks = ["blank_value", "date_unparseable", "not_a_number", "negative_value", "unknown_code",
              "iro_code_not_a_code", "date_outside_year", "resolved_before_raised", "resolution_date_missing",
              "open_with_resolution_date", "escalated_without_next_stage", "exceeds_total", "duplicate_row",
              "months_missing", "file_not_read"]
    undocumented = [n for n in [*ir.TABLES, *names, *codes, *checks] if f"`{n}" not in doc]
    assert not undocumented
    for label in ir.REASONS.values():
        assert label in doc


def test_numbers_with_thousands_separators(tmp_path):
    records = _load(tmp_path, **{"cp_plans.csv": 'month,children_in_care_also_on_cp_plan\n2022-04,"1,234"\n'
                                                 '2022-05,"1,5"\n'})
    # "1,234" is one thousand two hundred and thirty-four; "1,5" could be 1.5 or 15, so it is refused
    assert records.cp_plans["children_in_care_also_on_cp_plan"].tolist()[0] == 1234
    assert _only(records.findings, "not_a_number")["value"] == "1,5"


def test_tables_with_only_a_header_give_zero_tables(tmp_path):
    records = _load(tmp_path, **{f"{t}.csv": ",".join(c.name for c in cols) + "\n" for t, cols in ir.TABLES.items()})
    assert set(records.findings["check"]) == {"months_missing"}
    assert ir.caseload_by_month(records).empty and ir.cp_plans_by_month(records).empty
    assert ir.midway_review_rate(records).to_dict("list") == {
        "month": ["Total"], "reviews_due": [0], "midway_checks_done": [0], "percent": [pytest.approx(float("nan"),
                                                                                                  nan_ok=True)]}
    assert ir.escalations_by_stage_and_outcome(records)["raised"].tolist() == [0] * 6
    days = ir.days_to_resolve(records)
    assert days["resolved"].tolist() == [0] * 6 and days["median_days"].isna().all()
    assert ir.escalations_by_reason(records)["escalations"].iloc[-1] == 0


def test_workbook_dates_with_a_time_of_day(tmp_path):
    book = tmp_path / "records.xlsx"
    _workbook(book, {"escalations": [["escalation_id", "date_raised", "stage", "reason", "outcome", "date_resolved"],
                                     ["X1", dt.datetime(2022, 5, 3, 14, 30), "informal", "health", "resolved",
                                      dt.date(2022, 5, 9)]]})
    records = ir.load_iro_records(book, year=YEAR)
    assert records.findings.empty
    assert ir.resolution_days(records).to_dict("list") == {"escalation_id": ["X1"], "stage": ["informal"],
                                                           "days": [6]}


# --- escalation outcome checks: all rows at once, the same findings as row by row -----------------


def _escalation_outcomes_row_by_row(raw, frame, found):
    """The outcome checks as first written, one row at a time (the reference for the vectorised checks)."""
    from iro_analysis.iro_records.checks import _finding
    from iro_analysis.iro_records.template import CLOSING_OUTCOMES, STAGES

    j = raw.header.index("date_resolved")
    outcome, resolved = frame["outcome"], frame["date_resolved"]
    rank = frame["stage"].map({s: k for k, s in enumerate(STAGES)})
    for i in range(len(frame)):
        if outcome.iloc[i] in CLOSING_OUTCOMES and raw.rows[i][j] == "":
            found.append(_finding(raw, i, "date_resolved", "", "resolution_date_missing", "warning",
                                  f"outcome is {outcome.iloc[i]} but date_resolved is blank. Enter the date the "
                                  "stage closed; the row is left out of the days-to-resolve figures."))
        elif outcome.iloc[i] == "open" and pd.notna(resolved.iloc[i]):
            found.append(_finding(raw, i, "date_resolved", f"{resolved.iloc[i]:%d/%m/%Y}", "open_with_resolution_date",
                                  "warning", "outcome is open but date_resolved is filled in. Record the outcome "
                                  "(resolved, escalated or withdrawn) or clear the date."))
        if outcome.iloc[i] == "escalated" and pd.notna(rank.iloc[i]):
            same = frame["escalation_id"] == frame["escalation_id"].iloc[i]
            if not (rank[same] > rank.iloc[i]).any():
                found.append(_finding(raw, i, "outcome", "escalated", "escalated_without_next_stage", "warning",
                                      f"escalation {frame['escalation_id'].iloc[i]} was escalated from "
                                      f"{frame['stage'].iloc[i]} but has no row for a later stage. Add the next "
                                      "stage's row with the same escalation_id."))


_ESCALATION_ROW = st.tuples(
    st.sampled_from(["A", "B", "C", "e1", ""]),  # escalation_id ("" is blank)
    st.sampled_from(["informal", "stage_1", "Stage 2", "stage_3", "cafcass", "stage 9", ""]),
    st.sampled_from(["resolved", "escalated", "withdrawn", "open", "Escalated", "bogus", ""]),
    st.sampled_from(["", "10/08/2022", "01/02/2023", "31/02/2023", "02/04/2023"]),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_ESCALATION_ROW, max_size=25))
def test_escalation_outcome_checks_equal_row_by_row(rows):
    from iro_analysis.iro_records import checks
    from iro_analysis.iro_records.reading import RawTable

    header = ["escalation_id", "date_raised", "stage", "reason", "outcome", "date_resolved"]
    cells = [[e, "01/07/2022", s, "health", o, d] for e, s, o, d in rows]
    raw = RawTable("escalations", "escalations.csv", "escalations.csv", header, cells, list(range(2, len(cells) + 2)))
    spec = {c.name: c for c in ir.TABLES["escalations"]}
    frame = checks._frame(raw, {name: checks._type_column(raw, spec[name], j, []) for j, name in enumerate(header)})
    got, want = [], []
    checks._escalation_outcomes(raw, frame, got)
    _escalation_outcomes_row_by_row(raw, frame, want)
    assert got == want


# --- typing a column: each distinct text parsed once, the same values and findings ----------------


def _type_column_cell_by_cell(raw, column, j, found):
    """Typing as first written, every cell parsed on its own (the reference for the parse-once column)."""
    from iro_analysis.iro_records.checks import _finding, _parse_cell

    values = []
    for i, cells in enumerate(raw.rows):
        text = cells[j]
        if not text:
            if not column.blank_ok:
                found.append(_finding(raw, i, column.name, text, "blank_value", "error",
                                      f"{column.name} is blank. Fill it in (0 for none)."
                                      if column.kind == "count" else f"{column.name} is blank. Fill it in."))
            values.append(None)
            continue
        value, problem = _parse_cell(column, text)
        if problem:
            check, message = problem
            shown = "(not shown)" if check == "iro_code_not_a_code" else repr(text)
            found.append(_finding(raw, i, column.name, None if check == "iro_code_not_a_code" else text,
                                  check, "error", f"{column.name} {shown} {message}"))
        values.append(value)
    return values


_CELL_TEXTS = ["", "2022-04", "Apr 2022", "04/2022", "13/2022", "01/05/2022", "2022-05-01", "31/02/2023", "0", "7",
               "1,234", "1,5", "-2", "2.5", "x", "informal", "Stage 1", "stage 9", "resolved", "IRO01", "Jane Smith",
               "health", "drift_delay"]


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(sorted(ir.TABLES)), st.data())
def test_typing_a_column_equals_parsing_every_cell(table, draw):
    from iro_analysis.iro_records import checks
    from iro_analysis.iro_records.reading import RawTable

    columns = list(ir.TABLES[table])
    n = draw.draw(st.integers(0, 30))
    cells = [[draw.draw(st.sampled_from(_CELL_TEXTS)) for _ in columns] for _ in range(n)]
    raw = RawTable(table, f"{table}.csv", f"{table}.csv", [c.name for c in columns], cells, list(range(2, n + 2)))
    for j, column in enumerate(columns):
        got_found, want_found = [], []
        got = checks._type_column(raw, column, j, got_found)
        want = _type_column_cell_by_cell(raw, column, j, want_found)
        assert [type(v) for v in got] == [type(v) for v in want] and got == want
        assert got_found == want_found


# --- monthly sums by position against the group-bys ----------------------------------------------

_MONTHS = pd.to_datetime(["2022-04-01", "2022-05-01", "2022-06-01", "2023-03-01"])


@st.composite
def _monthly_frames(draw):
    n = draw(st.integers(0, 12))
    months = [draw(st.one_of(st.sampled_from(list(_MONTHS)), st.just(pd.NaT))) for _ in range(n)]
    count = st.one_of(st.integers(0, 500), st.none())
    frame = pd.DataFrame({"month": pd.Series(months, dtype="datetime64[ns]"),
                          "a": pd.array([draw(count) for _ in range(n)], dtype="Int64"),
                          "b": pd.array([draw(count) for _ in range(n)], dtype="Int64")})
    if draw(st.booleans()):  # plain integers too, as a template may give them
        frame["b"] = frame["b"].fillna(0).astype("int64")
    return frame


@settings(max_examples=200, deadline=None)
@given(_monthly_frames(), st.sampled_from([["a"], ["b"], ["a", "b"], ["b", "a"]]))
def test_monthly_by_position_equals_the_group_bys(frame, columns):
    from iro_analysis.iro_records import summaries

    expected = summaries._monthly_grouped(frame, columns)
    pd.testing.assert_frame_equal(summaries._monthly(frame, columns), expected)
    fast = summaries._monthly_by_position(frame, columns)
    if fast is not None:  # None only when no month is complete
        pd.testing.assert_frame_equal(fast, expected)
    else:
        assert expected.empty


def test_monthly_of_the_synthetic_records_by_position(synthetic_rutland):
    from iro_analysis.iro_records import summaries

    records = ir.load_iro_records(synthetic_rutland / "iro_records", year=YEAR)
    checked = 0
    for table, columns in [("caseloads", ["children_allocated"]), ("cp_plans", ["children_in_care_also_on_cp_plan"]),
                           ("consultation", ["child_forms_sent", "child_forms_returned"])]:
        frame = getattr(records, table, None)
        if frame is None:
            continue
        assert summaries._whole_number_months(frame, columns)
        pd.testing.assert_frame_equal(summaries._monthly_by_position(frame, columns),
                                      summaries._monthly_grouped(frame, columns))
        checked += 1
    assert checked
    fte = records.caseloads  # FTE is not a whole number: the group-bys sum it
    assert not summaries._whole_number_months(fte, ["iro_fte", "children_allocated"])
