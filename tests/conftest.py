"""Shared fixtures: small synthetic returns written once per test session; hypothesis profiles."""

import os

import pytest
from hypothesis import settings

# No per-example deadline: CI machines are shared and timing is not what these tests prove.
# CI runs a derandomised profile so a landing never depends on the luck of the draw; developers
# get fresh random examples on every run (set IRO_HYPOTHESIS_PROFILE=ci to reproduce CI).
settings.register_profile("dev", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
settings.load_profile(os.environ.get("IRO_HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture
def isolated_search_path(tmp_path, monkeypatch):
    """A search path holding only tmp folders: project root and cwd point at an empty tmp tree."""
    from iro_analysis.reference import search as search_mod

    fake_project = tmp_path / "project"
    fake_project.mkdir()
    monkeypatch.setattr(search_mod, "_project_root", lambda: fake_project)
    monkeypatch.chdir(fake_project)
    ref = tmp_path / "ref"
    ref.mkdir()
    monkeypatch.setenv("IRO_REFERENCE_DIR", str(ref))
    return ref


@pytest.fixture(scope="session")
def synthetic_wokingham(tmp_path_factory):
    """Synthetic Wokingham (872) return: collection years 2022 and 2023, seed 872."""
    from iro_analysis.synthetic import write_synthetic_returns

    out = tmp_path_factory.mktemp("synthetic") / "872"
    return write_synthetic_returns("872", 2023, years=2, out=out, seed=872)


@pytest.fixture(scope="session")
def synthetic_rutland(tmp_path_factory):
    """Synthetic Rutland (857) return, the smallest English authority: one collection year."""
    from iro_analysis.synthetic import write_synthetic_returns

    out = tmp_path_factory.mktemp("synthetic") / "857"
    return write_synthetic_returns("857", 2023, years=1, out=out, seed=857)


# What the real report notebook does with its folders, in a few lines: tables, a restricted list,
# a visible line of output; then, on request, a cell that hangs or a failure.
TINY_NOTEBOOK_CODE = """\
import time
from iro_analysis.report import validate_parameters
params = validate_parameters(la, year, output_dir=output_dir)
params.restricted_dir.mkdir(parents=True, exist_ok=True)
(params.output_dir / "tables.xlsx").write_text(f"tables {tag}")
(params.restricted_dir / "review_exceptions.csv").write_text("# RESTRICTED\\n")
if la == slow_la:
    time.sleep(120)
if fail:
    raise RuntimeError(fail)
print(f"Report body for {params.la_name}, run {tag}")
"""


_RUNNER_PARAMETERS = ('la: str = "872"  # authority\nyear: int = 2023  # year\ndata_dir: str = ""  # return\n'
                      'output_dir: str = "out"  # outputs')


def _two_cell_notebook(folder, name: str, parameters_source: str, code: str):
    """A report notebook: a parameters cell taking the batch runner's parameters, then ``code``."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    parameters = nbformat.v4.new_code_cell(parameters_source)
    parameters.metadata["tags"] = ["parameters"]
    nb.cells = [parameters, nbformat.v4.new_code_cell(code)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = folder / name
    nbformat.write(nb, str(path))
    return path


@pytest.fixture(scope="session")
def tiny_notebook(tmp_path_factory):
    """A two-cell report notebook taking the batch runner's parameters, for fast batch tests."""
    return _two_cell_notebook(
        tmp_path_factory.mktemp("notebook"), "tiny.ipynb",
        _RUNNER_PARAMETERS + '\ntag: str = "a"  # marks which run wrote a file\n'
        'fail: str = ""  # error to raise\nslow_la: str = ""  # authority whose report hangs',
        TINY_NOTEBOOK_CODE)


# Records what the kernel holds when the report starts, then leaves as much behind as it can.
LEAKY_CODE = """\
import json, os, tempfile
import matplotlib
import matplotlib.pyplot as plt
from iro_analysis.report import validate_parameters
params = validate_parameters(la, year, output_dir=output_dir)
params.restricted_dir.mkdir(parents=True, exist_ok=True)
seen = {
    "pid": os.getpid(),
    "leftover_variable": "secret_from_last_report" in globals(),
    "figures": plt.get_fignums(),
    "linewidth": matplotlib.rcParams["lines.linewidth"],
    "reference_dir": os.environ.get("IRO_REFERENCE_DIR"),
    "cwd": os.getcwd(),
    "execution_count": get_ipython().execution_count,
    "history": get_ipython().history_manager.enabled,
}
(params.restricted_dir / "seen.json").write_text(json.dumps(seen))
secret_from_last_report = la
plt.figure()
matplotlib.rcParams["lines.linewidth"] = 9.5
os.environ["IRO_REFERENCE_DIR"] = tempfile.gettempdir() + "/reference-of-" + la
os.chdir(tempfile.gettempdir())
print(f"Report body for {params.la_name}")
"""


@pytest.fixture(scope="session")
def leaky_notebook(tmp_path_factory):
    """A report notebook that records what the kernel holds when it starts, then leaves things behind."""
    return _two_cell_notebook(tmp_path_factory.mktemp("notebook"), "leaky.ipynb", _RUNNER_PARAMETERS, LEAKY_CODE)


@pytest.fixture(scope="session")
def link_returns():
    """``link_returns(root, source, codes)``: ``root/<code>`` for each code, all the same return."""

    def link(root, source, codes):
        root.mkdir(parents=True, exist_ok=True)
        for code in codes:
            (root / code).symlink_to(source, target_is_directory=True)
        return root

    return link
