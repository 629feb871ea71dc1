"""End to end: synthetic returns -> papermill -> HTML, in parallel, with nothing identifying leaking out."""

import re
from pathlib import Path

import pandas as pd
import pytest

from iro_analysis.batch import run_batch, run_report
from iro_analysis.errors import ParameterError
from iro_analysis.ssda903 import load_ssda903

pytestmark = pytest.mark.slow


def _identifiers(folder):
    data = load_ssda903(folder)
    values = set()
    for name in data.tables:
        table = getattr(data, name)
        for column in ("CHILD", "UPN"):
            if column in table.columns:
                values.update(table[column].dropna().astype(str))
    return values


@pytest.fixture(scope="module")
def batch_run(tmp_path_factory, synthetic_wokingham, synthetic_rutland):
    data_root = tmp_path_factory.mktemp("returns")
    (data_root / "872").symlink_to(synthetic_wokingham, target_is_directory=True)
    (data_root / "857").symlink_to(synthetic_rutland, target_is_directory=True)
    output_root = tmp_path_factory.mktemp("outputs")
    manifest = run_batch(2023, ["872", "Rutland"], data_root=data_root, output_root=output_root, jobs=2)
    return manifest, output_root


def test_every_authority_gets_a_report_manifest_and_index(batch_run):
    manifest, output_root = batch_run
    assert manifest["status"].tolist() == ["ok", "ok"], manifest[["la_code", "error", "message"]].to_string()
    assert set(manifest["la_code"]) == {"872", "857"}
    written = pd.read_csv(output_root / "2023" / "manifest.csv", dtype={"la_code": str})
    assert set(written["la_code"]) == {"872", "857"}
    index = (output_root / "2023" / "index.html").read_text()
    assert 'href="872/report.html"' in index and 'href="857/report.html"' in index
    for code in ("872", "857"):
        folder = output_root / "2023" / code
        assert (folder / "report.html").stat().st_size > 50_000
        assert (folder / "tables.xlsx").is_file()
        assert (folder / "restricted" / "record_findings.csv").is_file()


def test_shareable_outputs_hold_no_identifiers_and_fetch_nothing(batch_run, synthetic_wokingham, synthetic_rutland):
    _, output_root = batch_run
    for code, source in (("872", synthetic_wokingham), ("857", synthetic_rutland)):
        ids = _identifiers(source)
        assert len(ids) > 50
        html = (output_root / "2023" / code / "report.html").read_text()
        visible = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", html)
        tokens = set(re.findall(r"[A-Za-z0-9]+", visible))
        assert not ids & tokens
        assert re.findall(r"""<(?:script|link|img)[^>]+(?:src|href)=["']https?://""", html) == []
        assert "No description has been provided" not in html  # every chart carries alt text
        sheets = pd.read_excel(output_root / "2023" / code / "tables.xlsx", sheet_name=None)
        for name, sheet in sheets.items():
            cells = set(sheet.astype(str).to_numpy().ravel()) | set(map(str, sheet.columns))
            assert not ids & cells, name
            assert not {"CHILD", "UPN", "DOB"} & set(sheet.columns), name


def test_the_restricted_list_is_marked_and_holds_children(batch_run):
    _, output_root = batch_run
    text = (output_root / "2023" / "872" / "restricted" / "record_findings.csv").read_text()
    assert text.startswith("# RESTRICTED")
    assert "SYN" in text


def test_a_misspelt_notebook_parameter_is_refused(tmp_path):
    # papermill itself would only warn and run with the default value
    with pytest.raises(ParameterError, match="no parameter"):
        run_report("872", 2023, output_root=tmp_path, parameters={"yr": 2024})


def test_a_failing_report_is_recorded_not_raised(tmp_path):
    record = run_report("872", 2023, data_dir=None, output_root=tmp_path)
    assert record.status == "failed"
    assert record.error == "ParameterError"
    assert "data_dir" in record.message
    assert not (tmp_path / "2023" / "872" / "report.html").exists()


def test_relative_paths_work_in_parallel(tmp_path, monkeypatch, synthetic_wokingham, synthetic_rutland):
    # Reports run in threads of one process: no step may depend on, or change, the working
    # directory (papermill's cwd= option chdirs the whole process and broke a parallel run).
    (tmp_path / "returns").mkdir()
    (tmp_path / "returns" / "872").symlink_to(synthetic_wokingham, target_is_directory=True)
    (tmp_path / "returns" / "857").symlink_to(synthetic_rutland, target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    import os

    chdirs = []
    monkeypatch.setattr(os, "chdir", lambda path: chdirs.append(path))
    manifest = run_batch(2023, ["872", "857"], data_root="returns", output_root="out", jobs=2)
    assert manifest["status"].tolist() == ["ok", "ok"], manifest[["la_code", "error", "message"]].to_string()
    assert (tmp_path / "out" / "2023" / "857" / "report.html").is_file()
    # cwd= would move the whole process into notebooks/ for the length of a report. (papermill's
    # file handler also "restores" a process-wide directory around each read and write; harmless
    # now that every path is absolute, and not something the batch runner can switch off.)
    notebooks = (Path(__file__).resolve().parents[1] / "notebooks").resolve()
    assert all(Path(path).resolve() != notebooks for path in chdirs), chdirs


def test_every_shareable_file_passes_the_full_scan(batch_run, synthetic_wokingham, synthetic_rutland):
    """HTML, workbook and executed notebook: no identifier (any characters), script or formula."""
    from iro_analysis.export import scan_shareable_folder

    _, output_root = batch_run
    for code, source in (("872", synthetic_wokingham), ("857", synthetic_rutland)):
        folder = output_root / "2023" / code
        assert {p.name for p in folder.iterdir() if p.is_file()} >= {"report.html", "tables.xlsx", "report.ipynb"}
        assert scan_shareable_folder(folder, _identifiers(source)) == []


def test_an_abolished_authoritys_last_year_gets_its_report(tmp_path):
    # Cumbria (909) ran children's services to 31 March 2023. The census has it only as the two
    # areas that replaced it, and the DfE's latest tables no longer list its ethnic mix: the report
    # adds up the two areas (and says so) and leaves out the mix comparison with a sentence.
    from iro_analysis.synthetic import write_synthetic_returns

    source = write_synthetic_returns("909", 2023, years=1, out=tmp_path / "909", seed=909)
    record = run_report("909", 2023, data_dir=source, output_root=tmp_path / "out")
    assert record.status == "ok", record.message
    html = (tmp_path / "out" / "2023" / "909" / "report.html").read_text()
    assert "these are the counts of Cumberland and Westmorland and Furness added together" in html
    assert "published tables have no ethnic mix of children in care for Cumbria" in html
