"""Smoke test of notebooks/national_overview.ipynb: stored clean, parameters documented, runs."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pandas as pd
import papermill as pm
import pytest

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "national_overview.ipynb"


def test_notebook_is_stored_without_outputs_and_has_a_tagged_parameters_cell():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    assert nb.metadata.get("kernelspec", {}).get("name")  # papermill needs it


def test_parameters_are_annotated_and_commented():
    params = pm.inspect_notebook(str(NOTEBOOK))
    assert set(params) == {"year", "release", "model", "highlight_la", "output_dir"}
    for name, info in params.items():
        assert info["inferred_type_name"] in {"int", "str"}, name
        assert info["help"], f"parameter {name} has no comment"


@pytest.mark.slow
def test_notebook_runs_with_highlighted_authority(tmp_path):
    out_dir = tmp_path / "national"
    executed = tmp_path / "executed.ipynb"
    pm.execute_notebook(
        str(NOTEBOOK),
        str(executed),
        parameters={"highlight_la": "Rotherham", "model": "2025", "year": 2025, "output_dir": str(out_dir)},
        kernel_name="python3",
        progress_bar=False,
        cwd=str(tmp_path),
    )
    summary = pd.read_csv(out_dir / "funnel_summary.csv")
    assert len(summary) == 11
    assert set(summary.la_name) == {"Rotherham"}
    # the social-worker table exists for 2024 only: the notebook falls back to it
    assert summary.set_index("indicator").loc["sw_changes_3plus", "year"] == 2024
    nb = json.loads(executed.read_text())
    alts = [
        o.get("metadata", {}).get("image/png", {}).get("alt", "")
        for c in nb["cells"] if c["cell_type"] == "code"
        for o in c.get("outputs", []) if "image/png" in o.get("data", {})
    ]
    assert len(alts) == 11 and all(a.startswith("Funnel plot of") for a in alts)
    assert all("Rotherham" in a for a in alts)


def test_bad_parameter_fails_in_the_validation_cell(tmp_path):
    with pytest.raises(pm.PapermillExecutionError, match="model"):
        pm.execute_notebook(
            str(NOTEBOOK),
            str(tmp_path / "bad.ipynb"),
            parameters={"model": "2019", "output_dir": str(tmp_path)},
            kernel_name="python3",
            progress_bar=False,
            cwd=str(tmp_path),
        )
