"""Import paths after the split of the figure checker, benchmarks and disproportionality.

``from iro_analysis import *`` resolves every name; the checker is its own package above the
analyses (``iro_analysis.figure_check``), which ``quality`` does not import, while the old paths
(``iro_analysis.quality.figures`` and ``quality.figure_*``, ``iro_analysis.cache``) read the same
objects and, when patched, patch the moved code.
"""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import iro_analysis

PACKAGE = Path(iro_analysis.__file__).parent

OLD_PATHS = {
    "iro_analysis.quality.figures": "iro_analysis.figure_check",
    "iro_analysis.quality.figure_claims": "iro_analysis.figure_check.claims",
    "iro_analysis.quality.figure_splits": "iro_analysis.figure_check.splits",
    "iro_analysis.quality.figure_releases": "iro_analysis.figure_check.releases",
    "iro_analysis.cache": "iro_analysis.reference.cache",
}


def test_star_import_resolves_every_name_in_a_fresh_interpreter():
    # A fresh interpreter: in this one other tests have imported the submodules already.
    code = (
        "ns = {}\n"
        "exec('from iro_analysis import *', ns)\n"
        "import iro_analysis, iro_analysis.figure_check as fc\n"
        "missing = [n for n in iro_analysis.__all__ if n not in ns]\n"
        "assert not missing, missing\n"
        "assert ns['figures'].check_figures is fc.check_figures\n"
        "assert ns['figure_check'] is fc\n"
        "print(len(iro_analysis.__all__))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) == len(iro_analysis.__all__)


@pytest.mark.parametrize("name", sorted(iro_analysis._SUBMODULES))
def test_every_listed_submodule_exists(name):
    assert importlib.import_module(f"iro_analysis.{name}").__name__ == f"iro_analysis.{name}"


@pytest.mark.parametrize("old, new", sorted(OLD_PATHS.items()))
def test_old_paths_read_the_moved_objects(old, new):
    old_module, new_module = importlib.import_module(old), importlib.import_module(new)
    assert old_module.__name__ == old  # the old file is itself (pytest --doctest-modules needs that)
    assert old_module.__all__ == new_module.__all__
    for name in new_module.__all__:
        assert getattr(old_module, name) is getattr(new_module, name), name


def test_every_name_of_the_old_checker_module_still_reads():
    # Names of the module before the split, private ones included (tests and notebooks may use them).
    from iro_analysis.figure_check import claims, dfe, parsing, reading, tables
    from iro_analysis.quality import figures

    assert figures._dfe_rows is dfe._dfe_rows
    assert figures._parse_table is parsing._parse_table
    assert figures._check_sums is tables._check_sums
    assert figures._Map is reading._Map
    from iro_analysis.quality import figure_claims

    assert figure_claims.Span is claims.Span and figure_claims.parse_bound("over 90").lo == 90


def test_a_patch_through_the_old_path_reaches_the_checker_and_is_undone(monkeypatch):
    from iro_analysis.figure_check import dfe
    from iro_analysis.quality import figures

    original = dfe._dfe_rows
    calls = []

    def fake(*args, **kwargs):
        calls.append(args)
        raise iro_analysis.ReferenceDataError("no file")

    monkeypatch.setattr(figures, "_dfe_rows", fake)
    assert dfe._dfe_rows is fake  # where the checker looks it up
    f = figures.check_figures({"authority": "872", "rates": [{"id": "r", "count": 136, "rate": 33, "year": 2022}]})
    assert len(calls) == 1
    assert f.loc[f["check"] == "rate_dfe", "message"].tolist() == ["'r': not compared with DfE: no file"]
    monkeypatch.undo()
    assert dfe._dfe_rows is original and figures._dfe_rows is original


def _imports(path: Path) -> set[str]:
    """Absolute names of the modules a file imports (relative imports resolved), anywhere in it."""
    module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    package = package.removesuffix(".__init__")
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
            target = (f"{base}.{node.module}" if node.module else base) if node.level else (node.module or "")
            found.add(target)
            found |= {f"{target}.{a.name}" for a in node.names}
    return found


def test_the_checker_sits_above_quality_and_the_analyses():
    # quality imports the checker only in the old-path aliases (and its lazy names for them).
    aliases = {"figures.py", "figure_claims.py", "figure_splits.py", "figure_releases.py", "__init__.py"}
    for path in sorted((PACKAGE / "quality").glob("*.py")):
        upward = {m for m in _imports(path) if m.startswith("iro_analysis.figure_check")}
        assert not upward or path.name in aliases, (path.name, upward)
    # Analyses the checker recomputes figures with never import it.
    for name in ("cohorts.py", "timeliness.py", "ssda903.py", "calendar.py", "codes.py"):
        path = PACKAGE / name
        if path.exists():
            assert not {m for m in _imports(path) if "figure_check" in m or m.endswith("quality.figures")}, name
    for path in sorted((PACKAGE / "reference").glob("*.py")):
        assert not {m for m in _imports(path) if "figure_check" in m}, path.name


def test_moved_packages_keep_their_public_names():
    from iro_analysis import benchmarks, disproportionality

    assert benchmarks.__all__[:3] == ["Indicator", "INDICATORS", "VALUE_COLUMNS"] and len(benchmarks.__all__) == 23
    assert all(hasattr(benchmarks, n) for n in benchmarks.__all__)
    assert benchmarks.POLARITIES == ("high", "low", "none")
    # the eleven names it had when it moved, and ratios_by_denominator added since
    assert len(disproportionality.__all__) == 12
    assert {"DISPROPORTIONALITY_COLUMNS", "EXCLUDED_LABELS", "disproportionality", "distribution_test",
            "compare_denominators", "ethnic_counts", "cic_ethnicity", "starters_ethnicity",
            "ethnicity_mix_benchmark", "shareable_table", "shareable_comparison",
            "ratios_by_denominator"} == set(disproportionality.__all__)
    assert all(hasattr(disproportionality, n) for n in disproportionality.__all__)
    # The function keeps its name beside the package of the same name.
    assert callable(disproportionality.disproportionality)
