"""The two install routes (pip via pyproject.toml, conda via environment.yml) stay in step."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]

# conda-forge spells a few packages differently from PyPI.
CONDA_NAMES = {"pyyaml": "pyyaml", "python-dateutil": "python-dateutil"}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_lists_the_same_packages_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pip_names = {_name(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]}
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda_names = {_name(d) for d in env["dependencies"] if isinstance(d, str)} - {"python", "pip"}
    assert {CONDA_NAMES.get(n, n) for n in pip_names} == conda_names


def test_minimum_versions_agree():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = {_name(r): r.split(">=")[1] for r in project["dependencies"] if ">=" in r}
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    for dep in env["dependencies"]:
        if isinstance(dep, str) and ">=" in dep and _name(dep) in pins:
            assert dep.split(">=")[1] == pins[_name(dep)], dep


def test_console_script_and_notebooks_are_declared():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["scripts"]["iro-analysis"] == "iro_analysis.cli:main"
    assert (ROOT / "notebooks" / "authority_report.ipynb").is_file()
