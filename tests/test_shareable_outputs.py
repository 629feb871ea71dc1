"""End to end on hostile and careless returns: what reaches the shareable files."""

import shutil

import pandas as pd
import pytest
from openpyxl import load_workbook

from iro_analysis.batch import run_report
from iro_analysis.export import CONTENT_SECURITY_POLICY, scan_shareable_folder
from iro_analysis.report import child_identifiers
from iro_analysis.ssda903 import load_ssda903

pytestmark = pytest.mark.slow

MARKUP = "<IMG SRC=X ONERROR=&#100;ocument.title=1>"
FORMULA = '=HYPERLINK("http://example.invalid/x","open")'


def _copy_with_review_codes(source, target, codes):
    shutil.copytree(source, target)
    path = target / "2023" / "reviews.csv"
    reviews = pd.read_csv(path, dtype=str, keep_default_na=False)
    for position, code in enumerate(codes):
        reviews.loc[position * 7:position * 7 + 5, "REVIEW_CODE"] = code  # six rows each: shown, not hidden
    reviews.to_csv(path, index=False)
    return target


def test_markup_and_formulas_in_code_fields_are_inert(synthetic_wokingham, tmp_path):
    data_dir = _copy_with_review_codes(synthetic_wokingham, tmp_path / "872", [MARKUP, FORMULA])
    # a legal status full of markup reaches a chart description too (the legal-status bar chart)
    episodes = pd.read_csv(data_dir / "2023" / "episodes.csv", dtype=str, keep_default_na=False)
    episodes.loc[0:8, "LS"] = "<B ONMOUSEOVER=ALERT(1)>X</B>"
    episodes.to_csv(data_dir / "2023" / "episodes.csv", index=False)
    record = run_report("872", 2023, data_dir=data_dir, output_root=tmp_path / "out")
    assert record.status == "ok", record.message
    folder = tmp_path / "out" / "2023" / "872"
    page = (folder / "report.html").read_text()
    # the loader upper-cases codes; the markup arrives as text, never as an element
    assert "<IMG SRC=X" not in page and "&lt;IMG SRC=X ONERROR=&amp;#100;OCUMENT.TITLE=1&gt;" in page
    assert f'content="{CONTENT_SECURITY_POLICY}"' in page
    assert "<script" not in page.lower() and "<B ONMOUSEOVER" not in page
    assert "&lt;B ONMOUSEOVER=ALERT(1)&gt;X&lt;/B&gt;: c" in page  # escaped in the chart description
    workbook = load_workbook(folder / "tables.xlsx")
    cells = [c for sheet in workbook.worksheets for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert any(c.value == "'" + FORMULA.upper() for c in cells)
    # counts are numbers in the workbook, not text
    summary = workbook["Summary"]
    assert isinstance(summary["B2"].value, int)
    assert scan_shareable_folder(folder, child_identifiers(load_ssda903(data_dir))) == []
    # in a real browser: nothing ran (the title is the report's own) and the markup is text on the page
    from iro_analysis.screenshots import page_dom, screenshot

    dom = page_dom(folder / "report.html")
    assert "<title>SYNTHETIC DATA - Wokingham IRO report 2022-23</title>" in dom
    assert "&lt;IMG SRC=X ONERROR=&amp;#100;OCUMENT.TITLE=1&gt;" in dom and "<img src=\"x\"" not in dom.lower()
    png = screenshot(folder / "report.html", tmp_path / "shots" / "872.png", height=1200)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000


def test_an_identifier_typed_into_a_code_field_stops_every_shareable_file(synthetic_wokingham, tmp_path):
    data_dir = _copy_with_review_codes(synthetic_wokingham, tmp_path / "872", [])
    header = pd.read_csv(data_dir / "2023" / "header.csv", dtype=str, keep_default_na=False)
    header.loc[0, "CHILD"] = "AB/12345"  # an ID of any characters
    header.to_csv(data_dir / "2023" / "header.csv", index=False)
    _copy = pd.read_csv(data_dir / "2023" / "reviews.csv", dtype=str, keep_default_na=False)
    _copy.loc[0:5, "REVIEW_CODE"] = "AB/12345"
    _copy.to_csv(data_dir / "2023" / "reviews.csv", index=False)
    record = run_report("872", 2023, data_dir=data_dir, output_root=tmp_path / "out")
    assert record.status == "failed"
    assert "table 'N Participation'" in record.message and "column 'REVIEW_CODE'" in record.message
    folder = tmp_path / "out" / "2023" / "872"
    assert not (folder / "report.html").exists() and not (folder / "tables.xlsx").exists()


def test_numeric_child_ids_equal_to_printed_numbers_do_not_block_reports(synthetic_rutland, tmp_path):
    # every child ID is a number that the report also prints (years, counts)
    data_dir = tmp_path / "857"
    shutil.copytree(synthetic_rutland, data_dir)
    ids = sorted(load_ssda903(data_dir).header["CHILD"].astype(str).unique())
    mapping = {old: str(2000 + i) for i, old in enumerate(ids)}  # 2000, 2001, ... 2023 ...
    for path in data_dir.rglob("*.csv"):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        if "CHILD" in frame.columns:
            frame["CHILD"] = frame["CHILD"].map(lambda v: mapping.get(v, v))
            frame.to_csv(path, index=False)
    record = run_report("857", 2023, data_dir=data_dir, output_root=tmp_path / "out")
    assert record.status == "ok", record.message
    assert "2023" in mapping.values()
