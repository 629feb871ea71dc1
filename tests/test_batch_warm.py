"""Warm kernels: one kernel serves authority after authority, and nothing of one report reaches
the next (variables, figures, matplotlib settings, environment, working directory)."""

import json

import nbformat
import pytest

from iro_analysis import warm
from iro_analysis.batch import run_batch

pytestmark = pytest.mark.slow

@pytest.fixture(scope="module")
def returns(tmp_path_factory, synthetic_rutland, link_returns):
    return link_returns(tmp_path_factory.mktemp("returns"), synthetic_rutland, ("872", "857", "213"))


def _seen(out, code):
    return json.loads((out / "2023" / code / "restricted" / "seen.json").read_text())


def test_one_kernel_serves_every_authority_and_nothing_carries_over(tmp_path, returns, leaky_notebook):
    import os

    manifest = run_batch(2023, ["872", "857", "213"], data_root=returns, output_root=tmp_path, jobs=1,
                         notebook=leaky_notebook)
    assert manifest["status"].tolist() == ["ok", "ok", "ok"], manifest[["la_code", "error", "message"]]
    first, second, third = (_seen(tmp_path, code) for code in ("872", "857", "213"))
    assert first["pid"] == second["pid"] == third["pid"]  # the same warm kernel
    assert first["pid"] != os.getpid()  # a kernel, not the batch's own process
    for later in (second, third):
        assert later["leftover_variable"] is False
        assert later["figures"] == []
        assert later["linewidth"] == first["linewidth"] != 9.5
        assert later["reference_dir"] == first["reference_dir"]
        assert later["cwd"] == first["cwd"]
        assert later["execution_count"] == first["execution_count"]  # a new session each time
    assert warm._POOLS == {}  # the batch stopped its kernels


def test_report_kernels_keep_no_input_history(tmp_path, returns, leaky_notebook):
    # warm and one-off (papermill) kernels alike: no cell is written to IPython's history file
    run_batch(2023, ["857"], data_root=returns, output_root=tmp_path / "warm", jobs=1, notebook=leaky_notebook)
    assert _seen(tmp_path / "warm", "857")["history"] is False
    from iro_analysis.batch import run_report

    record = run_report("872", 2023, data_dir=returns / "872", output_root=tmp_path / "cold", notebook=leaky_notebook)
    assert record.status == "ok", record.message
    assert _seen(tmp_path / "cold", "872")["history"] is False


def test_the_executed_notebook_is_an_ordinary_papermill_notebook(tmp_path, returns, leaky_notebook):
    run_batch(2023, ["857"], data_root=returns, output_root=tmp_path, jobs=1, notebook=leaky_notebook)
    nb = nbformat.read(str(tmp_path / "2023" / "857" / "report.ipynb"), as_version=4)
    nbformat.validate(nb)
    injected = [cell for cell in nb.cells if "injected-parameters" in cell.metadata.get("tags", [])]
    assert len(injected) == 1 and 'la = "857"' in injected[0].source
    assert nb.metadata["papermill"]["parameters"]["la"] == "857"
    outputs = "".join(output.get("text", "") for cell in nb.cells for output in cell.get("outputs", []))
    assert "Report body for Rutland" in outputs


def test_a_failed_report_leaves_a_usable_kernel_for_the_next(tmp_path, returns, tiny_notebook):
    manifest = run_batch(2023, ["872", "857"], data_root=returns, output_root=tmp_path, jobs=1,
                         notebook=tiny_notebook, parameters={"fail": "boom"})
    assert manifest["status"].tolist() == ["failed", "failed"]
    assert manifest["error"].tolist() == ["RuntimeError", "RuntimeError"]  # not a dead-kernel "infra"


def test_a_kernel_that_died_between_reports_is_replaced(tmp_path, leaky_notebook):
    params = {"year": 2023, "output_dir": str(tmp_path)}
    try:
        warm.execute_notebook(leaky_notebook, tmp_path / "first.ipynb", {**params, "la": "872"},
                              batch_id="died", token="died/872")
        (kernel,) = warm.pool("died").kernels
        first_pid = _seen(tmp_path, "872")["pid"]
        kernel.km.kill_now()  # as an interrupt, or the system running out of memory, would
        warm.execute_notebook(leaky_notebook, tmp_path / "second.ipynb", {**params, "la": "857"},
                              batch_id="died", token="died/857")
        assert _seen(tmp_path, "857")["pid"] != first_pid
        assert warm.pool("died").kernels == [kernel]  # the same slot, with a new kernel
    finally:
        warm.close_pool("died")

