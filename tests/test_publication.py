"""The publication layer: every shared number suppressed jointly, escaped, and guarded."""

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iro_analysis import authority_report
from iro_analysis.disclosure import IdentifierGuard
from iro_analysis.errors import DisclosureError, ParameterError
from iro_analysis.export import scan_shareable_file, write_publication_excel
from iro_analysis.publication import Publication, check_threshold, escape_markdown
from iro_analysis.report import validate_parameters
from iro_analysis.ssda903 import load_ssda903


def _sex_table(male=7, female=2):
    return pd.DataFrame({"sex": ["Male", "Female"], "count": [male, female],
                         "percent": [100 * male / (male + female), 100 * female / (male + female)]})


def test_percent_and_count_cannot_give_away_the_other_row():
    # "Male 7, 77.8%" would give a total of 9 and so Female = 2: both rows and both percents go.
    pub = Publication()
    pub.add_table("E", _sex_table(), labels=["sex"], counts=["count"], add_total=True,
                  derived={"percent": ["count", "@total"]})
    pub.finalise()
    shown = pub.published("E")
    assert shown["count"].tolist() == ["c", "c", "9"]
    assert shown["percent"].tolist()[:2] == ["c", "c"]
    assert np.isnan(pub.numeric("E")["count"].iloc[0])


def test_a_count_hidden_in_one_table_is_hidden_in_every_table_and_chart_that_uses_it():
    pub = Publication()
    groups = pd.DataFrame({"group": ["White", "Asian", "Black"], "cic": [65, 11, 4]})
    pub.add_table("ratios", groups.assign(ratio=[0.83, 1.19, 2.59]), labels=["group"], counts=["cic"],
                  derived={"ratio": ["cic", "@total"]}, add_total=True,
                  key=lambda label, _: "known" if label == "Total" else f"cic:{label}")
    # a second table of ratios against another population, with no counts of its own
    other = pd.DataFrame({"group": ["White", "Asian", "Black"], "school_census": [0.99, 0.63, 1.20]})
    pub.add_table("denominators", other, labels=["group"],
                  derived={"school_census": [lambda label: f"cic:{label}", lambda _l: "known"]},
                  decimals={"school_census": 2})
    pub.finalise()
    # Black (4) is primary; Asian (11) secondary, else 80 - 65 - 11 = 4
    assert pub.published("ratios")["cic"].tolist() == ["65", "c", "c", "80"]
    assert pub.published("denominators")["school_census"].tolist() == ["0.99", "c", "c"]
    assert pub.numeric("denominators")["school_census"].isna().tolist() == [False, True, True]


def test_tables_escape_markup_from_the_data():
    pub = Publication()
    hostile = '<IMG SRC=X ONERROR="alert(1)">'
    pub.add_table("N", pd.DataFrame({"code": [hostile, "PN1"], "count": [12, 30]}), labels=["code"], counts=["count"],
                  caption="codes <b>bold</b>")
    pub.finalise()
    page = pub.html("N")
    assert "<IMG" not in page and "&lt;IMG SRC=X ONERROR=&quot;alert(1)&quot;&gt;" in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page
    assert escape_markdown("<script>x</script>") == "&lt;script&gt;x&lt;/script&gt;"


def test_undeclared_columns_are_refused_so_nothing_is_published_by_accident():
    pub = Publication()
    with pytest.raises(ParameterError, match="not declared"):
        pub.add_table("t", pd.DataFrame({"g": ["a"], "count": [5], "CHILD": ["X1"]}), labels=["g"], counts=["count"])


def test_a_child_identifier_as_a_label_is_refused_naming_the_cell():
    pub = Publication(identifiers=["AB/12345"])
    pub.add_table("N Participation", pd.DataFrame({"code": ["PN1", "AB/12345"], "count": [9, 6]}),
                  labels=["code"], counts=["count"])
    with pytest.raises(DisclosureError, match=r"table 'N Participation', row 2, column 'code'"):
        pub.finalise()
    pub = Publication(identifiers=["AB/12345"])
    with pytest.raises(DisclosureError, match="child identifier"):
        pub.text("code {value}", value="AB/12345")



def test_the_identifier_guard_is_built_once_and_follows_the_identifiers():
    # text() checks every sentence with one guard; a changed set of identifiers gets a new one
    from iro_analysis.disclosure import IdentifierGuard

    pub = Publication(identifiers=["AB/12345", "XY99"])
    guard = pub.identifier_guard()
    assert pub.identifier_guard() is guard and guard.all == IdentifierGuard(["AB/12345", "XY99"]).all
    assert pub.text("{a} and {b}", a="shown", b="12") == "shown and 12"
    with pytest.raises(DisclosureError, match="child identifier"):
        pub.text("code {value}", value="see XY99.")
    pub.identifiers.add("CD777")
    assert pub.identifier_guard() is not guard and "CD777" in pub.identifier_guard().all
    with pytest.raises(DisclosureError, match="child identifier"):
        pub.text("code {value}", value="CD777")
    assert not Publication().identifier_guard()  # no identifiers: nothing to look for

def test_threshold_below_five_needs_an_explicit_unsafe_flag_and_is_stated():
    with pytest.raises(ParameterError, match="under the DfE/ONS minimum"):
        check_threshold(1)
    pub = Publication(threshold=1, allow_below_minimum=True)
    assert "Do not circulate" in pub.hidden_note()
    assert "count from 1 to 9" in Publication(threshold=10).hidden_note()


def test_workbook_stores_numbers_as_numbers_and_no_formula(tmp_path):
    from openpyxl import load_workbook

    pub = Publication()
    table = pd.DataFrame({"code": ['=HYPERLINK("http://example.invalid","x")', "@SUM(A1)", "PN1"],
                          "count": [12, 2, 30]})
    pub.add_table("N", table, labels=["code"], counts=["count"])
    pub.finalise()
    path = write_publication_excel(pub, tmp_path / "tables.xlsx", title="Test")
    workbook = load_workbook(path)
    sheet = workbook["N"]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert sheet["A2"].value.startswith("'=HYPERLINK") and sheet["B2"].value == 12
    assert sheet["B3"].value == "c"  # 2 is hidden; 12 and 30 are numbers
    assert "1 to 4" in " ".join(str(c.value) for c in workbook["About"]["A"])
    assert scan_shareable_file(path) == []


def test_scanner_finds_formulas_and_identifiers_of_any_characters(tmp_path):
    pd.DataFrame({"a": ["=1+1"]}).to_excel(tmp_path / "old.xlsx", index=False)
    assert any("formula" in p for p in scan_shareable_file(tmp_path / "old.xlsx"))
    page = tmp_path / "r.html"
    page.write_text("<html><body><p>In care on 31 March 2023.</p><p>code AB/12345.</p></body></html>")
    problems = scan_shareable_file(page, ["AB/12345", "2023"])
    # the slash-bearing ID is found; the numeric ID "2023" in running text is not an identifier
    assert len(problems) == 1 and "AB" in problems[0]
    page.write_text("<html><body><table><tr><th>2023</th><td>5</td></tr></table></body></html>")
    assert any("row label" in p for p in scan_shareable_file(page, ["2023"]))
    page.write_text('<html><body><img src="data:image/png;base64,AA" onerror="x()"></body></html>')
    assert any("script" in p for p in scan_shareable_file(page))


def test_identifier_guard_matches_whole_values_not_parts():
    guard = IdentifierGuard(["A1234", "77"])
    assert guard.in_text("child A1234, and A12345") == ["A1234"]
    assert guard.in_text("B-A1234-C") == ["A1234"]
    assert guard.in_text("XA1234") == []
    assert guard.in_value("77") == ["77"] and guard.in_text("77 children") == []


# --- the whole authority report on tiny returns ------------------------------------------------


def _subset_return(source: Path, out: Path, children: list[str]) -> Path:
    """Copy a synthetic return keeping only some children (every table, every year folder)."""
    for csv in source.rglob("*.csv"):
        relative = csv.relative_to(source)
        if relative.parts[0] in ("ground_truth.csv", "review_truth.csv"):
            continue
        frame = pd.read_csv(csv, dtype=str, keep_default_na=False)
        if "CHILD" in frame.columns:
            frame = frame[frame["CHILD"].isin(children)]
        target = out / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        frame.to_csv(target, index=False)
    return out


def _all_children(folder: Path) -> list[str]:
    return sorted(load_ssda903(folder).header["CHILD"].astype(str).unique())


def _assert_publication_safe(report):
    pub = report.publication
    assert pub.audit()["safe"].all()
    for name, table in pub.tables.items():
        numeric = pub.numeric(name)
        for column in table.counts:
            values = numeric[column].dropna()
            assert not ((values > 0) & (values < pub.threshold)).any(), (name, column)
    for key, cell in pub.system.cells.items():
        if cell.displayed and 0 < cell.value < pub.threshold:
            assert pub.count_text(key) == "c"


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(size=st.integers(8, 30), seed=st.integers(0, 10_000))
def test_tiny_returns_publish_no_small_count_and_nothing_recoverable(synthetic_wokingham, tmp_path_factory, size, seed):
    children = _all_children(synthetic_wokingham)
    chosen = list(np.random.default_rng(seed).choice(children, size=size, replace=False))
    folder = _subset_return(synthetic_wokingham, tmp_path_factory.mktemp("tiny"), chosen)
    params = validate_parameters("872", 2023, data_dir=folder, output_dir=tmp_path_factory.mktemp("out"))
    data = load_ssda903(folder)
    try:
        report = authority_report.build(params, data, identifiers=chosen)
    except DisclosureError as error:
        # refusing to publish is acceptable; publishing something recoverable is not
        assert "could be worked out" in str(error)
        return
    _assert_publication_safe(report)
    _assert_descriptions_follow_tables(report)


def _assert_descriptions_follow_tables(report):
    """Each hidden bar of a chart reads "c" in its description, never a number."""
    pub = report.publication
    legal = pub.numeric("D Legal status")
    text = report.charts["legal_status"][1]()
    for label, count in zip(legal["legal_status"], legal["count"]):
        if label != "Total":
            assert (f"{label}: c" in text) == pd.isna(count), (label, count, text)
    starters = pub.numeric("B Starters by age").set_index("age_band")["Year"]
    text = report.charts["starters_by_age"][1]()
    for band, count in starters.drop("Total").items():
        expected = "c" if pd.isna(count) else f"{int(count):,}"
        assert f"{band}: {expected}" in text, (band, text)
    _assert_charts_only_with_something_to_show(report)


# What each chart draws from its published table, and how its description names a chart.
_CHART_VALUES = {
    "monthly_in_care": (lambda pub: pub.numeric("A In care by month")["children"], "Line chart"),
    # the quarter columns ("Q1 (Apr–Jun 2022)", ...), totals included: a quarter whose bands are
    # all hidden is drawn as one hatched bar up to its published total
    "starters_by_age": (lambda pub: pub.numeric("B Starters by age").filter(like="(").stack(), "Stacked bar chart"),
    "legal_status": (lambda pub: pub.numeric("D Legal status").query("legal_status != 'Total'")["count"],
                     "Bar chart"),
    "ethnicity_ratios": (lambda pub: pub.numeric("Ethnicity ratios").query("ethnic_group != 'Total'")
                         .pipe(lambda t: t["representation_ratio"].where(t["cic"] >= pub.threshold)),
                         "Dot-and-whisker chart"),
}


def _assert_charts_only_with_something_to_show(report):
    """A chart is drawn exactly when some value it would plot is shown and above zero; otherwise its
    description stands alone and does not claim a chart."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    for name, (values, names_a_chart) in _CHART_VALUES.items():
        draw, describe = report.charts[name]
        shown = values(report.publication).dropna()
        expected = bool((shown > 0).any())
        try:
            drawn = draw() is not None
        finally:
            plt.close("all")
        text = describe()
        assert drawn == expected, (name, shown.tolist(), text)
        assert text.startswith(names_a_chart) == expected, (name, text)


def test_a_chart_with_every_value_hidden_is_not_drawn_and_says_so(synthetic_wokingham, tmp_path_factory):
    # Three children: every month-end count is 1 to 3, below the threshold of 5, so every month
    # reads "c" and a line chart would have no line and a meaningless scale.
    episodes = load_ssda903(synthetic_wokingham).episodes
    open_at_year_end = (episodes["DECOM"] <= "2023-03-31") & ~(episodes["DEC"] <= "2023-03-31")
    chosen = sorted(episodes.loc[open_at_year_end, "CHILD"].astype(str).unique())[:3]
    folder = _subset_return(synthetic_wokingham, tmp_path_factory.mktemp("three"), chosen)
    params = validate_parameters("872", 2023, data_dir=folder, output_dir=tmp_path_factory.mktemp("out"))
    report = authority_report.build(params, load_ssda903(folder), identifiers=chosen)
    months = report.publication.numeric("A In care by month")["children"]
    assert months.isna().all() or not (months.dropna() > 0).any()
    draw, describe = report.charts["monthly_in_care"]
    assert draw() is None
    text = describe()
    assert text.startswith("Children in care at each month end during 2022-23.")
    if months.isna().all():
        assert "Every month is marked c: not shown to protect children's privacy." in text
    _assert_charts_only_with_something_to_show(report)


def test_wokingham_report_hides_ratios_wherever_the_count_is_hidden(synthetic_wokingham, tmp_path):
    params = validate_parameters("872", 2023, data_dir=synthetic_wokingham, output_dir=tmp_path)
    data = load_ssda903(synthetic_wokingham)
    report = authority_report.build(params, data, identifiers=_all_children(synthetic_wokingham))
    _assert_publication_safe(report)
    _assert_descriptions_follow_tables(report)
    pub = report.publication
    ratios = pub.numeric("Ethnicity ratios").set_index("ethnic_group")
    denominators = pub.numeric("Ethnicity denominators").set_index("ethnic_group")
    hidden_groups = [g for g in denominators.index if pd.isna(ratios.loc[g, "cic"])]
    for group in hidden_groups:
        assert denominators.loc[group].isna().all()
        assert pd.isna(ratios.loc[group, "representation_ratio"])
    assert hidden_groups  # synthetic Wokingham has a Black count of 4 (primary) among non-UASC children
    alt = report.charts["ethnicity_ratios"][1]()
    shown = ratios.dropna(subset=["representation_ratio"])
    for group in hidden_groups:
        assert not re.search(rf"\b{group}\b[^.;]*\d", alt), alt  # no figure next to a hidden group
    assert all(group in alt for group in shown.index if shown.loc[group, "representation_ratio"] > 0)


def test_show_table_of_the_working_notebooks_escapes_labels_and_caption():
    from unittest import mock

    from iro_analysis.report import show_table

    shown = []
    with mock.patch("IPython.display.display", side_effect=lambda styler: shown.append(styler.to_html())):
        show_table(pd.DataFrame({"code": ["<img src=x onerror=alert(1)>"], "count": [7]}), caption="<b>x</b>")
    assert "&lt;img src=x onerror=alert(1)&gt;" in shown[0] and "<img" not in shown[0]
    assert "&lt;b&gt;x&lt;/b&gt;" in shown[0]


def test_restricted_folder_is_owner_only(tmp_path):
    from iro_analysis.export import write_restricted_csv

    write_restricted_csv(pd.DataFrame({"CHILD": ["A1"]}), tmp_path / "out" / "restricted", "list.csv")
    assert (tmp_path / "out" / "restricted").stat().st_mode & 0o777 == 0o700
    assert (tmp_path / "out" / "restricted" / "list.csv").stat().st_mode & 0o777 == 0o600


def test_star_import_works_and_figures_is_the_checker():
    namespace = {}
    exec("from iro_analysis import *", namespace)  # every name in __all__ must resolve
    assert namespace["figures"].__name__ == "iro_analysis.quality.figures"


def test_every_check_the_package_makes_has_a_plain_english_label(synthetic_wokingham):
    """Every finding raised on the broken-input corpus and a synthetic return has a reader's label."""
    from iro_analysis import cohorts, quality
    from iro_analysis.errors import IroAnalysisError
    from iro_analysis.labels import CHECK_LABELS

    corpus = Path(__file__).resolve().parent / "data" / "broken_returns"
    folders = [synthetic_wokingham] + sorted(p for p in corpus.iterdir() if p.is_dir())
    seen = set()
    for folder in folders:
        try:
            data = load_ssda903(folder, on_bad_rows="finding")
        except IroAnalysisError:
            continue  # structural errors are refusals, not findings
        parts = [data.findings]
        if getattr(data, "episodes", None) is not None:
            parts.append(cohorts.episode_chain_findings(data))
        if getattr(data, "reviews", None) is not None:
            parts.append(quality.reviews.review_findings(data))
        seen |= set(quality.concat_findings(parts)["check"])
    assert len(seen) >= 15  # the corpus exercises most checks
    assert not seen - set(CHECK_LABELS), sorted(seen - set(CHECK_LABELS))


def test_last_year_beside_this_year_with_honest_verdicts(synthetic_wokingham, tmp_path):
    params = validate_parameters("872", 2023, data_dir=synthetic_wokingham, output_dir=tmp_path)
    report = authority_report.build(params, load_ssda903(synthetic_wokingham))
    pub = report.publication
    summary = pub.numeric("Summary").set_index("measure")
    # last year's "end" is this year's "start": one cell, so it is shown (or hidden) in both places
    assert summary.loc["Children in care at the end of the year", "last_year"] == \
        summary.loc["Children in care at the start of the year", "count"]
    shown = summary.dropna(subset=["change"])
    assert (shown["change"] == shown["count"] - shown["last_year"]).all()
    change = pub.numeric("M3 Timeliness against last year")
    for row in change.dropna(subset=["verdict"]).itertuples():
        assert row.percent == pytest.approx(100 * row.numerator / row.denominator)
        assert row.difference_points == pytest.approx(row.percent - row.percent_last_year)
        if row.difference_low > 0:
            assert row.verdict.startswith("Higher")
        elif row.difference_high < 0:
            assert row.verdict.startswith("Lower")
        else:
            assert row.verdict.startswith("No clear change")
    # profiles carry last year's column, whose total is last year's 31 March count
    legal = pub.numeric("D Legal status").set_index("legal_status")
    assert legal.loc["Total", "last_year"] == summary.loc["Children in care at the end of the year", "last_year"]


def test_iro_service_tables_and_commentary_go_through_the_publication_layer(synthetic_wokingham, tmp_path):
    import shutil

    data_dir = tmp_path / "872"
    shutil.copytree(synthetic_wokingham, data_dir)
    (data_dir / "commentary" / "timeliness.md").write_text("We met <script>alert(1)</script> **most** deadlines.")
    params = validate_parameters("872", 2023, data_dir=data_dir, output_dir=tmp_path / "out")
    report = authority_report.build(params, load_ssda903(data_dir), identifiers=_all_children(data_dir))
    pub = report.publication
    assert {"O1 IRO caseloads", "O2 Escalations by stage", "O5 Midway reviews", "O8 Social work reports"} <= set(pub.tables)
    _assert_publication_safe(report)
    # "due less done" follows from two shown counts: it is protected like a count
    midway = pub.numeric("O5 Midway reviews")
    for row in midway.dropna(subset=["reviews_due", "midway_checks_done"]).itertuples():
        rest = row.reviews_due - row.midway_checks_done
        assert rest == 0 or rest >= pub.threshold
    text = report.facts["commentary"]["timeliness"]
    assert "<script>" not in text and "&lt;script&gt;" in text
    child = _all_children(data_dir)[0]
    (data_dir / "commentary" / "ethnicity.md").write_text(f"A note about child {child}.")
    with pytest.raises(DisclosureError, match="commentary/ethnicity.md"):
        authority_report.build(params, load_ssda903(data_dir), identifiers=_all_children(data_dir))


def test_placement_tables_link_to_the_same_counts_elsewhere(synthetic_wokingham, tmp_path):
    params = validate_parameters("872", 2023, data_dir=synthetic_wokingham, output_dir=tmp_path)
    report = authority_report.build(params, load_ssda903(synthetic_wokingham))
    keys = report.publication.tables["P3 Placement moves"].keys
    total_row = report.publication.tables["P3 Placement moves"].total_row
    assert keys[(total_row, "count")] == "in_care:2023-03-31"  # one cell with Table A's March and the profiles
    entry = report.publication.tables["P1 Placement at entry"]
    assert entry.keys[(entry.total_row, "count")] == "starts:Year"


def test_decimal_places_can_differ_by_row():
    # An indicator table mixes counts of children (whole numbers) with rates and percentages:
    # "135" children, not "135.0"; a rate keeps its one decimal place; an unnamed row gets 1.
    from iro_analysis.publication import Publication

    frame = pd.DataFrame({"indicator": ["Children looked after", "Rate per 10,000", "Average score"],
                          "value": [135.0, 32.04, 15.66], "england": [83750.0, 70.0, 15.1]})
    pub = Publication(threshold=5)
    whole = {"Children looked after": 0}
    pub.add_table("Compare", frame, labels=["indicator"], public=["value", "england"],
                  decimals={"value": {**whole, "Average score": 2}, "england": whole})
    pub.finalise()
    shown = pub.published("Compare")
    assert shown["value"].tolist() == ["135", "32.0", "15.66"]
    assert shown["england"].tolist() == ["83,750", "70.0", "15.1"]
    # the workbook keeps public figures as the numbers they are (Excel formats them)
    sheet = pub.excel_sheets()["Compare"]
    assert sheet["value"].tolist() == [135.0, 32.04, 15.66]
