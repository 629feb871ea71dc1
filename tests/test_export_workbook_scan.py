"""The workbook scan reads the stored XML first and gives exactly openpyxl's cell-by-cell findings."""

import re
import zipfile

import pandas as pd
import pytest
from openpyxl import Workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

from iro_analysis import export
from iro_analysis.disclosure import IdentifierGuard
from iro_analysis.export import scan_shareable_file, write_publication_excel
from iro_analysis.publication import Publication

CHILD = "SYN000042"
GUARD = IdentifierGuard([CHILD, "A12"])


def _publication_workbook(path):
    pub = Publication()
    pub.add_table("N", pd.DataFrame({"code": ["PN1", "PN2", "PN3"], "count": [12, 2, 30]}),
                  labels=["code"], counts=["count"])
    pub.finalise()
    return write_publication_excel(pub, path, title="Test")


def _openpyxl_workbook(path, *values):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Code", "Count"])
    for value in values:
        sheet.append([value, 3])
    workbook.save(path)
    return path


def _rewritten(path, member, replace):
    """A copy of the workbook with one part's XML changed by ``replace``."""
    out = path.with_name("changed_" + path.name)
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            target.writestr(info, replace(content) if info.filename == member else content)
    return out


def _as_shared_strings(path):
    """The same workbook with its strings in a shared-string table, as Excel writes them
    (openpyxl writes each string in its cell)."""
    strings = []

    def shared(match):
        strings.append(match.group(2))
        return b'<c r="%s" t="s"><v>%d</v></c>' % (match.group(1), len(strings) - 1)

    out = path.with_name("shared_" + path.name)
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = re.sub(rb'<c r="(\w+)" t="inlineStr"><is>(.*?)</is></c>', shared, content)
            elif info.filename == "[Content_Types].xml":
                content = content.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType='
                                          b'"application/vnd.openxmlformats-officedocument.spreadsheetml.'
                                          b'sharedStrings+xml"/></Types>')
            elif info.filename == "xl/_rels/workbook.xml.rels":
                content = content.replace(b"</Relationships>", b'<Relationship Id="rIdS" Type="http://schemas.'
                                          b'openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
                                          b'Target="sharedStrings.xml"/></Relationships>')
            target.writestr(info, content)
        table = b"".join(b"<si>" + piece + b"</si>" for piece in strings)
        target.writestr("xl/sharedStrings.xml", b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
                        b'2006/main" count="%d" uniqueCount="%d">' % (len(strings), len(strings)) + table + b"</sst>")
    return out


def _check(path, *, clean):
    """The fast answer is the cell-by-cell answer; ``clean``: whether the XML alone settled it."""
    found = export._workbook_problems(path, GUARD)
    assert found == export._workbook_cell_problems(path, GUARD)
    assert export._workbook_is_clean(path, GUARD) is clean
    return found


def test_the_reports_own_workbook_is_settled_from_its_xml(tmp_path):
    path = _publication_workbook(tmp_path / "tables.xlsx")
    assert b'"inlineStr"' in zipfile.ZipFile(path).read("xl/worksheets/sheet2.xml")  # strings in the sheet
    assert _check(path, clean=True) == []


def test_an_identifier_written_in_a_sheet_is_found_where_it_is(tmp_path):
    path = _publication_workbook(tmp_path / "tables.xlsx")
    changed = _rewritten(path, "xl/worksheets/sheet2.xml", lambda xml: xml.replace(b">PN2<", f">{CHILD}<".encode()))
    found = _check(changed, clean=False)
    assert len(found) == 1 and "holds a child identifier" in found[0]


@pytest.mark.parametrize("form", ["inline", "shared"])
def test_strings_plain_and_rich_text(tmp_path, form):
    as_stored = _as_shared_strings if form == "shared" else (lambda path: path)
    assert _check(as_stored(_openpyxl_workbook(tmp_path / "a.xlsx", "PN1", "PN2")), clean=True) == []
    assert len(_check(as_stored(_openpyxl_workbook(tmp_path / "b.xlsx", "PN1", CHILD)), clean=False)) == 1
    # the identifier split over two runs of rich text: openpyxl joins them, and so must the scan
    split = CellRichText(TextBlock(InlineFont(b=True), CHILD[:4]), CHILD[4:])
    path = as_stored(_openpyxl_workbook(tmp_path / "c.xlsx", split))
    assert b"<r>" in zipfile.ZipFile(path).read("xl/sharedStrings.xml" if form == "shared"
                                                else "xl/worksheets/sheet1.xml")
    assert len(_check(path, clean=False)) == 1


def test_the_shared_form_is_read_by_openpyxl_as_the_inline_form(tmp_path):
    from openpyxl import load_workbook

    path = _openpyxl_workbook(tmp_path / "a.xlsx", "PN1", CHILD)
    cells = [[(c.value, c.data_type) for c in row] for row in load_workbook(path).active.iter_rows()]
    assert [[(c.value, c.data_type) for c in row]
            for row in load_workbook(_as_shared_strings(path)).active.iter_rows()] == cells


def test_a_postcode_shaped_value_is_found(tmp_path):
    assert len(_check(_openpyxl_workbook(tmp_path / "p.xlsx", "RG40 1AB"), clean=False)) == 1


def test_openpyxls_escape_is_undone_in_shared_strings_only(tmp_path):
    # openpyxl drops "x005F_" from shared strings, which turns this into the child's id; in a
    # cell's own string it stays
    path = _openpyxl_workbook(tmp_path / "x.xlsx", "PLACEHOLDER")
    escaped = _rewritten(path, "xl/worksheets/sheet1.xml", lambda xml: xml.replace(b"PLACEHOLDER", b"SYN000x005F_042"))
    assert _check(escaped, clean=True) == []
    assert len(_check(_as_shared_strings(escaped), clean=False)) == 1


def test_a_flagged_string_no_cell_uses_leaves_the_answer_to_the_cells(tmp_path):
    path = _as_shared_strings(_openpyxl_workbook(tmp_path / "u.xlsx", "PLACEHOLDER"))
    changed = _rewritten(path, "xl/sharedStrings.xml",
                         lambda xml: xml.replace(b"</sst>", f"<si><t>{CHILD}</t></si></sst>".encode()))
    assert _check(changed, clean=False) == []


@pytest.mark.parametrize("cell", ['<c r="C2"><f>SUM(B2:B3)</f><v>6</v></c>',
                                  '<c r="C2" t="str"><v>SYN000042</v></c>',
                                  '<c r="C2" t="e"><v>#N/A</v></c>'])
def test_formulas_and_cells_of_other_types_go_cell_by_cell(tmp_path, cell):
    path = _openpyxl_workbook(tmp_path / "f.xlsx", "PN1")
    changed = _rewritten(path, "xl/worksheets/sheet1.xml",
                         lambda xml: xml.replace(b'<c r="B2"', cell.encode() + b'<c r="B2"', 1))
    found = _check(changed, clean=False)
    assert len(found) == (0 if 't="e"' in cell else 1)  # a formula, the identifier; #N/A is neither


def test_an_identifier_that_looks_like_an_error_value_is_not_settled_from_the_xml(tmp_path):
    # a number styled as a date that no date can hold reads as "#VALUE!"
    path = _publication_workbook(tmp_path / "tables.xlsx")
    assert not export._workbook_is_clean(path, IdentifierGuard(["#VALUE!"]))


def test_a_broken_workbook_is_left_to_openpyxl(tmp_path):
    path = _publication_workbook(tmp_path / "tables.xlsx")
    changed = _rewritten(path, "xl/worksheets/sheet2.xml", lambda xml: xml[: len(xml) // 2])
    assert not export._workbook_is_clean(changed, GUARD)
    with pytest.raises(Exception) as fast:
        export._workbook_problems(changed, GUARD)
    with pytest.raises(Exception) as cell_by_cell:
        export._workbook_cell_problems(changed, GUARD)
    assert type(fast.value) is type(cell_by_cell.value)
