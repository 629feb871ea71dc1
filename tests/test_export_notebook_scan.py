"""The executed notebook is scanned as stored, with the same findings as through nbformat's reader."""

import json

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from iro_analysis import export
from iro_analysis.disclosure import IdentifierGuard
from iro_analysis.export import scan_shareable_file

CHILD = "SYN000042"


def _through_nbformat(path, guard):
    """The reference: the same scan over the notebook as nbformat reads (and rejoins) it."""
    cells = export._notebook_cells
    try:
        export._notebook_cells = lambda p: nbformat.read(str(p), as_version=4).cells
        return export._notebook_problems(path, guard)
    finally:
        export._notebook_cells = cells


def _notebook(outputs):
    nb = new_notebook()
    nb.cells = [new_markdown_cell("# Report"), new_code_cell("x", outputs=outputs), new_code_cell("y")]
    return nb


CASES = {
    "clean": [new_output("stream", name="stdout", text="136 children\nin care\n")],
    # nbformat writes multi-line text as a list of lines; the child's id is split over two of them
    # in no case, but sits on the second line here
    "stream, second line": [new_output("stream", name="stdout", text=f"136 children\nchild {CHILD}\n")],
    "html": [new_output("display_data", data={"text/html": f"<table>\n<tr><td>{CHILD}</td></tr>\n</table>",
                                              "text/plain": "table"})],
    "svg label": [new_output("display_data", data={"image/svg+xml": f"<svg>\n<text>{CHILD}</text>\n</svg>"})],
    "png ignored, alt read": [new_output("display_data", data={"image/png": "iVBORw0KGgo="},
                                         metadata={"image/png": {"alt": f"bar chart naming {CHILD}"}})],
    "error": [new_output("error", ename="ValueError", evalue=f"bad {CHILD}", traceback=["line 1", f"{CHILD}"])],
    "json data": [new_output("display_data", data={"application/json": {"child": CHILD}})],
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("with_guard", [True, False])
def test_same_findings_as_through_nbformat(tmp_path, case, with_guard):
    path = tmp_path / "report.ipynb"
    nbformat.write(_notebook(CASES[case]), str(path))
    stored = json.loads(path.read_text())
    assert any(isinstance(o.get("text", o.get("data", {}).get("text/html")), list)
               for c in stored["cells"] for o in c.get("outputs", [])) or case not in ("stream, second line", "html")
    guard = IdentifierGuard([CHILD]) if with_guard else None
    found = export._notebook_problems(path, guard)
    assert found == _through_nbformat(path, guard)
    assert bool(found) == (case != "clean" and with_guard)


def test_an_identifier_in_the_executed_notebook_is_refused(tmp_path):
    path = tmp_path / "report.ipynb"
    nbformat.write(_notebook(CASES["stream, second line"]), str(path))
    problems = scan_shareable_file(path, [CHILD])
    assert problems and all(p.startswith("report.ipynb") for p in problems)


def test_an_older_notebook_format_is_read_by_nbformat(tmp_path):
    path = tmp_path / "old.ipynb"
    nbformat.write(nbformat.v3.new_notebook(worksheets=[nbformat.v3.new_worksheet(cells=[
        nbformat.v3.new_code_cell(input="x", outputs=[nbformat.v3.new_output("stream", output_text=CHILD)])])]),
        str(path), version=3)
    assert json.loads(path.read_text())["nbformat"] == 3
    assert export._notebook_problems(path, IdentifierGuard([CHILD]))


@pytest.mark.parametrize("content", ['{"nbformat": 4, "cells": [1, 2]}',
                                     '{"nbformat": 4, "cells": [{"outputs": {"text": "x"}}]}'])
def test_a_malformed_notebook_goes_to_nbformats_reader(tmp_path, content):
    path = tmp_path / "odd.ipynb"
    path.write_text(content)
    with pytest.raises(Exception) as fast:
        export._notebook_problems(path, None)
    with pytest.raises(Exception) as reference:
        nbformat.reads(content, as_version=4)
        raise AssertionError("nbformat read it")  # pragma: no cover
    assert type(fast.value) is type(reference.value)


def test_a_file_that_is_not_json_is_an_error_as_before(tmp_path):
    path = tmp_path / "broken.ipynb"
    path.write_text('{"cells": [')
    with pytest.raises(nbformat.reader.NotJSONError):
        export._notebook_problems(path, None)
