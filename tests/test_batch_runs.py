"""Trustworthy batch runs, on a tiny notebook: all-or-nothing report folders, a manifest and index
that merge across runs, refused parameters, timeouts, progress, synthetic marking and Ctrl-C."""

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from iro_analysis.batch import run_batch, run_report
from iro_analysis.cli import main
from iro_analysis.errors import ParameterError

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]

@pytest.fixture(scope="module")
def returns(tmp_path_factory, synthetic_rutland):
    """One small return per authority code (the tiny notebook does not read it)."""
    root = tmp_path_factory.mktemp("returns")
    for code in ("872", "857", "213"):
        (root / code).symlink_to(synthetic_rutland, target_is_directory=True)
    return root


def _batch(returns, out, las, notebook, **options):
    return run_batch(2023, las, data_root=returns, output_root=out, jobs=1, notebook=notebook, **options)


def _leftovers(folder):
    return [p.name for p in Path(folder).iterdir() if p.name.startswith((".staging", ".old"))]


def test_a_failed_run_keeps_the_previous_complete_report(tmp_path, returns, tiny_notebook):
    first = _batch(returns, tmp_path, ["872"], tiny_notebook, parameters={"tag": "first"})
    assert first["status"].tolist() == ["ok"]
    folder = tmp_path / "2023" / "872"
    before = {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}

    second = _batch(returns, tmp_path, ["872"], tiny_notebook, parameters={"tag": "second", "fail": "boom"})
    assert second["status"].tolist() == ["failed"] and second["report"].tolist() == ["previous kept"]
    after = {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    assert after == before  # not one file of the failed run: no new tables, no half-run notebook
    assert _leftovers(tmp_path / "2023") == []
    written = pd.read_csv(tmp_path / "2023" / "manifest.csv", dtype={"la_code": str})
    assert written.loc[0, "status"] == "failed" and written.loc[0, "report"] == "previous kept"
    index = (tmp_path / "2023" / "index.html").read_text()
    assert "failed: RuntimeError; previous" in index and 'href="872/report.html"' in index


def test_a_failed_first_run_publishes_nothing(tmp_path, returns, tiny_notebook):
    manifest = _batch(returns, tmp_path, ["872"], tiny_notebook, parameters={"fail": "boom"})
    assert manifest["report"].tolist() == ["none"] and manifest["html"].tolist() == [""]
    assert not (tmp_path / "2023" / "872").exists()
    assert _leftovers(tmp_path / "2023") == []


def test_the_manifest_and_index_keep_earlier_authorities(tmp_path, returns, tiny_notebook):
    _batch(returns, tmp_path, ["872"], tiny_notebook)
    _batch(returns, tmp_path, ["857"], tiny_notebook)
    written = pd.read_csv(tmp_path / "2023" / "manifest.csv", dtype={"la_code": str})
    assert sorted(written["la_code"]) == ["857", "872"]
    index = (tmp_path / "2023" / "index.html").read_text()
    assert 'href="872/report.html"' in index and 'href="857/report.html"' in index


def test_restricted_lists_are_owner_only_and_outputs_are_marked_synthetic(tmp_path, returns, tiny_notebook):
    manifest = _batch(returns, tmp_path, ["872"], tiny_notebook)
    folder = tmp_path / "2023" / "872"
    assert stat.S_IMODE((folder / "restricted").stat().st_mode) == 0o700
    assert manifest["synthetic"].tolist() == [True]
    html = (folder / "report.html").read_text()
    assert "<title>SYNTHETIC DATA - Wokingham IRO report 2022-23</title>" in html
    assert "(synthetic data)" in (tmp_path / "2023" / "index.html").read_text()


@pytest.mark.parametrize("name", ["la", "year", "data_dir", "output_dir"])
def test_param_may_not_override_what_the_runner_sets(tmp_path, returns, tiny_notebook, name):
    with pytest.raises(ParameterError, match=f"--param may not set '{name}'"):
        _batch(returns, tmp_path, ["872"], tiny_notebook, parameters={name: "330"})
    with pytest.raises(ParameterError, match=f"--param may not set '{name}'"):
        run_report("872", 2023, output_root=tmp_path, notebook=tiny_notebook, parameters={name: "330"})
    assert not (tmp_path / "2023").exists()


def test_a_batch_without_returns_is_refused_before_any_work(tmp_path, returns, tiny_notebook):
    with pytest.raises(ParameterError, match="a batch needs --data-root"):
        run_batch(2023, ["872"], output_root=tmp_path, notebook=tiny_notebook)
    with pytest.raises(ParameterError, match=r"no return for 1 of 2 authorities.*330 \(Birmingham\)"):
        _batch(returns, tmp_path, ["872", "330"], tiny_notebook)
    assert list(tmp_path.iterdir()) == []


def test_an_output_folder_that_cannot_be_written_is_named(tmp_path, returns, tiny_notebook):
    blocker = tmp_path / "outputs"
    blocker.write_text("a file where the output folder should be")
    with pytest.raises(ParameterError, match=r"cannot write reports to .*outputs/2023: Not a directory"):
        _batch(returns, blocker, ["872"], tiny_notebook)


def test_a_read_only_output_folder_is_named(tmp_path, returns, tiny_notebook):
    out = tmp_path / "outputs"
    out.mkdir(mode=0o500)
    mounted = os.geteuid() == 0
    if mounted:
        # root ignores permission bits: a read-only file system stops root too
        subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(out)], check=True)
    try:
        with pytest.raises(ParameterError, match="cannot write reports to"):
            _batch(returns, out, ["872"], tiny_notebook)
    finally:
        if mounted:
            subprocess.run(["umount", str(out)], check=True)


def test_a_report_that_hangs_is_stopped_at_its_time_limit(tmp_path, returns, tiny_notebook):
    started = time.monotonic()
    manifest = _batch(returns, tmp_path, ["872", "857"], tiny_notebook, parameters={"slow_la": "872"},
                      report_timeout=5)
    assert time.monotonic() - started < 60
    statuses = dict(zip(manifest["la_code"], manifest["status"]))
    assert statuses == {"872": "infra", "857": "ok"}
    assert manifest.set_index("la_code").loc["872", "error"] == "Timeout"


def test_progress_shows_each_authority_and_quiet_shows_nothing(tmp_path, returns, tiny_notebook, capfd):
    _batch(returns, tmp_path, ["872", "857"], tiny_notebook, progress=True)
    err = capfd.readouterr().err
    assert "872 Wokingham: ok" in err and "857 Rutland: ok" in err and "2/2" in err
    assert "Kernel is running over TCP" not in err
    _batch(returns, tmp_path, ["872"], tiny_notebook, progress=False)
    assert capfd.readouterr().err == ""


def _status(argv) -> int:
    try:
        return main(argv)
    except SystemExit as exc:  # usage errors exit from argparse
        return exc.code


def test_cli_errors_are_one_line_without_traceback(tmp_path, capsys):
    cases = [
        ["report", "--la", "872", "--year", "2023", "--output", str(tmp_path), "--param", "la=330"],
        ["report", "--la", "872", "--year", "2023", "--output", str(tmp_path), "--param", "x=[1,"],
        ["batch", "--year", "2023", "--la", "872", "--output", str(tmp_path)],
        ["report", "--la", "872", "--year", "2030", "--output", str(tmp_path)],
    ]
    for argv in cases:
        status = _status(argv)
        err = capsys.readouterr().err
        assert status == 2, (argv, err)
        assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err, err
    assert list(tmp_path.iterdir()) == []


def test_debug_shows_the_traceback(tmp_path, capsys):
    assert main(["--debug", "batch", "--year", "2023", "--la", "872", "--output", str(tmp_path)]) == 2
    assert "Traceback" in capsys.readouterr().err


SCRIPT = """
import sys
from pathlib import Path
import iro_analysis.batch as batch
batch.notebook_path = lambda name=None: Path({notebook!r})
from iro_analysis.cli import main
sys.exit(main(["batch", "--year", "2023", "--la", "857", "872", "213", "--data-root", {returns!r},
               "--output", {out!r}, "--jobs", "1", "--quiet", "--param", "slow_la='872'", "--param", "tag=new"]))
"""


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupt_stops_the_batch_and_records_what_finished(tmp_path, returns, tiny_notebook, signum):
    # An earlier complete report of the authority that will be running when the interrupt comes
    _batch(returns, tmp_path, ["872"], tiny_notebook, parameters={"tag": "old"})
    year = tmp_path / "2023"
    old_tables = (year / "872" / "tables.xlsx").read_text()
    script = SCRIPT.format(notebook=str(tiny_notebook), returns=str(returns), out=str(tmp_path))
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, cwd=ROOT)
    deadline = time.monotonic() + 120
    while not (year / "857" / "report.html").exists():  # 857 done; 872 is now in its 120 s cell
        assert process.poll() is None and time.monotonic() < deadline, process.communicate()
        time.sleep(0.2)
    time.sleep(3)
    sent = time.monotonic()
    process.send_signal(signum)
    out, err = process.communicate(timeout=60)
    assert time.monotonic() - sent < 30  # the 120 s kernel was killed, not waited for
    assert process.returncode == 130, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("interrupted: 1 report(s) finished"), err
    assert "2 cancelled (872 213)" in lines[0]
    written = pd.read_csv(year / "manifest.csv", dtype={"la_code": str}).set_index("la_code")
    assert sorted(written.index) == ["857", "872"]  # 857 from this run, 872 from the earlier one
    assert written.loc["872", "status"] == "ok" and written.loc["857", "status"] == "ok"
    assert (year / "872" / "tables.xlsx").read_text() == old_tables == "tables old"
    assert not (year / "213").exists()
    assert _leftovers(year) == []


def test_a_report_for_a_year_that_has_not_started_never_starts_a_kernel(tmp_path, returns, tiny_notebook):
    with pytest.raises(ParameterError, match="has not started"):
        run_batch(2100, ["872"], data_root=returns, output_root=tmp_path, notebook=tiny_notebook)
    with pytest.raises(ParameterError, match="has not started"):
        run_report("872", 2100, data_dir=returns / "872", output_root=tmp_path, notebook=tiny_notebook)
    assert list(tmp_path.iterdir()) == []


def test_the_report_notebook_refuses_another_authoritys_return_in_its_validation_cell(tmp_path, synthetic_wokingham):
    # Rotherham (372) on Wokingham's return used to exit 0 with Wokingham's figures under Rotherham's name
    record = run_report("372", 2023, data_dir=synthetic_wokingham, output_root=tmp_path)
    assert (record.status, record.error, record.report) == ("failed", "ParameterError", "none")
    assert "synthetic return made for Wokingham (872), not Rotherham (372)" in record.message
    assert not (tmp_path / "2023" / "372").exists()


def test_an_identifier_in_any_shareable_file_discards_every_file_of_the_run(tmp_path, returns, tiny_notebook,
                                                                            synthetic_rutland):
    """The tiny notebook writes its tag into tables.xlsx: a child ID there stops the whole report."""
    from iro_analysis.ssda903 import load_ssda903

    child = str(load_ssda903(synthetic_rutland).header["CHILD"].iloc[0])
    manifest = _batch(returns, tmp_path, ["872"], tiny_notebook, parameters={"tag": f"{child}"})
    assert manifest["status"].tolist() == ["failed"] and manifest["error"].tolist() == ["DisclosureError"]
    assert "child identifier" in manifest["message"].iloc[0]  # the HTML (printed tag) is refused first
    folder = tmp_path / "2023" / "872"
    assert not folder.exists() or not {"report.html", "tables.xlsx", "report.ipynb"} & {p.name for p in folder.iterdir()}
    assert _leftovers(tmp_path / "2023") == []
    shared = (tmp_path / "2023" / "manifest.csv").read_text() + (tmp_path / "2023" / "index.html").read_text()
    assert child not in shared


def test_the_last_check_covers_the_workbook_and_the_executed_notebook(tmp_path):
    import nbformat

    from iro_analysis.batch import _verify_staged
    from iro_analysis.errors import DisclosureError

    (tmp_path / "report.html").write_text("<html><body><p>clean</p></body></html>")
    pd.DataFrame({"label": ["PN1"], "count": [7]}).to_excel(tmp_path / "tables.xlsx", index=False)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x", outputs=[nbformat.v4.new_output("stream", text="all fine")])]
    nbformat.write(nb, str(tmp_path / "report.ipynb"))
    _verify_staged(tmp_path, ["AB/12345"])  # nothing to find
    pd.DataFrame({"label": ["AB/12345"], "count": [7]}).to_excel(tmp_path / "tables.xlsx", index=False)
    with pytest.raises(DisclosureError, match="tables.xlsx"):
        _verify_staged(tmp_path, ["AB/12345"])
    pd.DataFrame({"label": ["PN1"], "count": [7]}).to_excel(tmp_path / "tables.xlsx", index=False)
    nb.cells[0].outputs = [nbformat.v4.new_output("error", ename="KeyError", evalue="'AB/12345'", traceback=[])]
    nbformat.write(nb, str(tmp_path / "report.ipynb"))
    with pytest.raises(DisclosureError, match="report.ipynb"):
        _verify_staged(tmp_path, ["AB/12345"])


def test_the_notebook_scan_reads_svg_chart_text_and_alt_text(tmp_path):
    import nbformat

    from iro_analysis.export import scan_shareable_file

    nb = nbformat.v4.new_notebook()
    svg = '<svg xmlns="http://www.w3.org/2000/svg"><text>AB/12345</text></svg>'
    nb.cells = [nbformat.v4.new_code_cell("x", outputs=[nbformat.v4.new_output(
        "display_data", data={"image/svg+xml": svg, "text/plain": "chart"},
        metadata={"image/svg+xml": {"alt": "clean"}})])]
    nbformat.write(nb, str(tmp_path / "report.ipynb"))
    assert any("identifier" in p for p in scan_shareable_file(tmp_path / "report.ipynb", ["AB/12345"]))
    nb.cells[0].outputs[0]["data"]["image/svg+xml"] = '<svg xmlns="http://www.w3.org/2000/svg"></svg>'
    nb.cells[0].outputs[0]["metadata"]["image/svg+xml"]["alt"] = "bar for AB/12345"
    nbformat.write(nb, str(tmp_path / "report.ipynb"))
    assert any("identifier" in p for p in scan_shareable_file(tmp_path / "report.ipynb", ["AB/12345"]))
