"""Smoke test of notebooks/timeliness_validation.ipynb: stored clean, parameters documented, runs, and
keeps child-level records out of the notebook (they go to the restricted folder only)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import papermill as pm
import pandas as pd
import pytest

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "timeliness_validation.ipynb"
PARAMETERS = {"la", "year", "data_dir", "reference_dir", "output_dir", "reported_percent", "reported_held",
              "reported_on_time"}


def test_notebook_is_stored_without_outputs_and_has_a_tagged_parameters_cell():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    assert nb.metadata.get("kernelspec", {}).get("name")
    # thin: after the parameters and validation cells, every code cell is at most 5 lines
    for cell in code[2:]:
        assert len(cell.source.strip().splitlines()) <= 5, cell.source
    assert not any("def " in c.source for c in code)


def test_parameters_are_annotated_and_commented():
    params = pm.inspect_notebook(str(NOTEBOOK))
    assert set(params) == PARAMETERS
    for name, info in params.items():
        assert info["inferred_type_name"] in {"int", "str"}, name
        assert info["help"], f"parameter {name} has no comment"


@pytest.fixture(scope="module")
def synthetic_return(tmp_path_factory):
    """Two collection years of a synthetic return, as a folder of year folders."""
    from iro_analysis.synthetic import write_synthetic_returns

    root = tmp_path_factory.mktemp("timeliness_nb")
    written = write_synthetic_returns("872", 2023, years=2, out=root / "synthetic", seed=5)
    data_dir = root / "data"
    for year in (2022, 2023):
        shutil.copytree(written / str(year), data_dir / str(year))
    children = set()
    for path in data_dir.glob("*/*.csv"):
        frame = pd.read_csv(path, dtype=str)
        if "CHILD" in frame.columns:
            children |= set(frame["CHILD"].dropna())
    return root, data_dir, children


@pytest.mark.slow
def test_notebook_runs_and_writes_child_level_lists_only_to_restricted(synthetic_return):
    root, data_dir, children = synthetic_return
    out_dir = root / "out"
    executed = root / "executed.ipynb"
    pm.execute_notebook(
        str(NOTEBOOK),
        str(executed),
        parameters={"la": "872", "year": 2023, "data_dir": str(data_dir), "output_dir": str(out_dir),
                    "reported_percent": "95.4", "reported_held": 435, "reported_on_time": 410},
        kernel_name="python3",
        progress_bar=False,
        cwd=str(root),
    )
    restricted = out_dir / "restricted"
    exceptions = restricted / "review_exceptions_2023.csv"
    assert exceptions.exists() and (restricted / "README.txt").exists()
    assert exceptions.read_text().startswith("# ") and "RESTRICTED" in exceptions.read_text().splitlines()[0].upper()
    listed = pd.read_csv(exceptions, comment="#", dtype={"CHILD": str})
    assert len(listed) > 0 and set(listed["status"]) >= {"late"}
    # nothing child-level reaches the notebook's outputs
    nb = json.loads(executed.read_text())
    text = json.dumps([c.get("outputs", []) for c in nb["cells"] if c["cell_type"] == "code"])
    leaked = [child for child in children if child in text]
    assert not leaked, leaked[:5]
    # three charts (bars, XmR, Laney p'), each with alt text
    alts = [o.get("metadata", {}).get("image/png", {}).get("alt", "")
            for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])
            if "image/png" in o.get("data", {})]
    assert len(alts) == 3
    assert alts[0].startswith("Bar chart of review timeliness") and alts[1].startswith("Statistical process control")
    assert alts[2].startswith("Statistical process control chart (") and "fewer cases" in alts[2]
    # the reconciliation found that 410 of 435 is 94.25%, not 95.4%
    assert "94.2529%" in text and "NOT consistent" in text


def test_bad_published_figures_fail_in_the_validation_cell(synthetic_return, tmp_path):
    _, data_dir, _ = synthetic_return
    with pytest.raises(pm.PapermillExecutionError) as err:
        pm.execute_notebook(
            str(NOTEBOOK),
            str(tmp_path / "bad.ipynb"),
            parameters={"data_dir": str(data_dir), "output_dir": str(tmp_path / "out"),
                        "reported_held": 10, "reported_on_time": 20},
            kernel_name="python3",
            progress_bar=False,
            cwd=str(tmp_path),
        )
    assert err.value.ename == "ParameterError"
    assert "reported_on_time" in err.value.evalue
