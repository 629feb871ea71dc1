"""Report parameters are checked before any work, with errors that say what to fix."""

import os
from pathlib import Path

import pandas as pd
import pytest

from iro_analysis import DisclosureError, ParameterError
from iro_analysis.report import child_population, report_paths, shareable_table, validate_parameters


def test_authority_in_any_form_resolves_to_the_same_report(tmp_path):
    by_code = validate_parameters("872", 2023, output_dir=tmp_path)
    by_ons = validate_parameters("E06000041", "2022-23", output_dir=tmp_path)
    by_name = validate_parameters("Wokingham", "2022/23", output_dir=tmp_path)
    assert by_code.la_code == by_ons.la_code == by_name.la_code == "872"
    assert by_code.label == "2022-23"
    assert by_code.output_dir == Path(tmp_path) / "2023" / "872"
    assert by_code.restricted_dir.name == "restricted"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"la": "Nowhereshire", "year": 2023}, "Nowhereshire"),
        ({"la": "872", "year": "2023-25"}, "year"),
        ({"la": "872", "year": 2023, "data_dir": "no/such/folder"}, "does not exist"),
        ({"la": "872", "year": 2023, "suppression_threshold": 0}, "suppression_threshold"),
        ({"la": "872", "year": 2023, "reference_dir": "no/such/reference"}, "reference_dir"),
    ],
)
def test_bad_parameters_are_named(kwargs, message):
    with pytest.raises(ParameterError, match=message):
        validate_parameters(**kwargs)


def test_reference_dir_goes_first_on_the_search_path(tmp_path, monkeypatch):
    # Issue 13: the override is explicit (reference.use_reference_folder), not written into
    # os.environ, where it leaked into every later test and every child process.
    from iro_analysis.reference import reference_search_path, use_reference_folder

    monkeypatch.delenv("IRO_REFERENCE_DIR", raising=False)
    try:
        validate_parameters("872", 2023, reference_dir=tmp_path)
        assert reference_search_path()[0] == tmp_path.resolve()
        assert "IRO_REFERENCE_DIR" not in os.environ
        # a second report's folder replaces the first: folders never stack up in one kernel
        other = tmp_path / "other"
        other.mkdir()
        validate_parameters("872", 2023, reference_dir=other)
        assert reference_search_path()[0] == other.resolve()
        assert tmp_path.resolve() not in reference_search_path()[:1]
    finally:
        use_reference_folder(None)
    assert reference_search_path()[0] != other.resolve()


def test_report_paths_layout(tmp_path):
    paths = report_paths(tmp_path, "2022-23", "872")
    assert paths["html"] == tmp_path / "2023" / "872" / "report.html"
    assert paths["restricted"] == tmp_path / "2023" / "872" / "restricted"


def test_shareable_table_suppresses_counts_and_their_percentages():
    table = pd.DataFrame({"sex": ["Female", "Male", "Unknown"], "count": [35, 99, 2], "percent": [25.7, 72.8, 1.5]})
    out = shareable_table(table)
    assert out["count"].tolist() == ["c", "99", "c"]  # 2 primary, 35 secondary
    assert out["percent"].tolist() == ["c", "72.8", "c"]
    with pytest.raises(DisclosureError):
        shareable_table(pd.DataFrame({"CHILD": ["A"], "count": [10]}))


def test_child_population_is_the_dfe_denominator_or_none():
    # DfE's 31 March 2022 rate for Wokingham uses the mid-2021 estimate, 41,129 (136 / 41,129 = 33.07 per 10,000)
    assert child_population(validate_parameters("872", 2022)) == 41_129
    # Cumberland was created in April 2023: no mid-2022 estimate exists, so no rate (not an error)
    assert child_population(validate_parameters("942", 2023)) is None


def _params_with_threshold(threshold):
    from pathlib import Path as _Path

    from iro_analysis.report import ReportParameters

    return ReportParameters(la_code="872", ons_code="E06000041", la_name="Wokingham", region_name="South East",
                            year=2023, label="2022-23", data_dir=None, output_dir=_Path("out"),
                            restricted_dir=_Path("out/restricted"), suppression_threshold=threshold)


def test_notebook_report_applies_its_threshold_to_every_table_and_keeps_them():
    import pandas as pd

    from iro_analysis.errors import ParameterError
    from iro_analysis.report import Report

    table = pd.DataFrame({"code": ["A", "B", "C"], "count": [6, 9, 30]})
    # threshold 10 (set once): 6 and 9 are below it, so both are hidden; 30 stays (no total row,
    # so no secondary suppression is needed: nothing adds up to a published figure).
    report = Report(_params_with_threshold(10))
    shown = report.shareable(table, caption="Codes")
    assert shown["count"].tolist() == ["c", "c", "30"]
    # the same table under the default threshold 5 shows every count
    default = Report(_params_with_threshold(5)).shareable(table, caption="Codes")
    assert default["count"].tolist() == ["6", "9", "30"]
    assert list(report.tables) == ["Codes"]
    with pytest.raises(ParameterError, match="already in this report"):
        report.shareable(table, caption="Codes")


def test_column_labels_have_one_heading_per_name():
    # A repeated key in the COLUMN_LABELS literal silently replaces the first heading: "band" was
    # both the benchmark table's LAIT band ("Band") and the adoption tables' time taken, so
    # "How we compare" was headed "Time taken". Read the literal itself to catch any repeat.
    import ast

    import iro_analysis.report as report_module
    from iro_analysis.report import column_label

    tree = ast.parse(Path(report_module.__file__).read_text(encoding="utf-8"))
    literal = next(node.value for node in ast.walk(tree) if isinstance(node, ast.Assign)
                   and any(getattr(t, "id", "") == "COLUMN_LABELS" for t in node.targets))
    keys = [k.value for k in literal.keys]
    assert sorted({k for k in keys if keys.count(k) > 1}) == []
    assert column_label("band") == "Band"
    assert column_label("time_taken") == "Time taken"
