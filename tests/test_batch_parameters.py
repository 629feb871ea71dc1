"""The batch reads a notebook's declared parameters once per version of the file."""

import os

import nbformat
import pytest

from iro_analysis.batch import check_parameters, notebook_parameters
from iro_analysis.errors import ParameterError


def _notebook(path, source):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell, nbformat.v4.new_code_cell("pass")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, str(path))
    return path


def test_the_parameters_are_the_ones_declared(tmp_path):
    path = _notebook(tmp_path / "a.ipynb", 'la: str = "872"\nyear: int = 2023')
    assert notebook_parameters(path) == {"la": '"872"', "year": "2023"}


def test_an_edited_notebook_is_read_again_even_within_the_same_second(tmp_path):
    path = _notebook(tmp_path / "a.ipynb", 'la: str = "872"')
    stamp = os.stat(path).st_mtime_ns
    assert set(notebook_parameters(path)) == {"la"}
    _notebook(path, 'la: str = "872"\nnew_option: int = 1')
    os.utime(path, ns=(stamp, stamp))  # same time: the size tells it changed
    assert set(notebook_parameters(path)) == {"la", "new_option"}
    check_parameters(path, {"new_option": 2})
    # a file of the same size and time written in its place is a new file (another inode)
    replacement = _notebook(tmp_path / "b.ipynb", 'la: str = "872"\nnew_optioX: int = 1')
    os.utime(replacement, ns=(stamp, stamp))
    os.replace(replacement, path)
    assert set(notebook_parameters(path)) == {"la", "new_optioX"}
    with pytest.raises(ParameterError, match="no parameter"):
        check_parameters(path, {"new_option": 2})


def test_a_caller_changing_the_answer_does_not_change_the_next_one(tmp_path):
    path = _notebook(tmp_path / "a.ipynb", 'la: str = "872"')
    notebook_parameters(path)["la"] = "changed"
    notebook_parameters(path).clear()
    assert notebook_parameters(path) == {"la": '"872"'}


def test_a_missing_notebook_is_an_error_each_time(tmp_path):
    for _ in range(2):
        with pytest.raises(Exception, match="missing.ipynb"):
            notebook_parameters(tmp_path / "missing.ipynb")
