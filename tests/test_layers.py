"""The one-way flow of docs/architecture.md, checked: no module imports from a layer above it.

The layer order is written once, here. Every ``import`` and ``from ... import`` in the package
counts, including those inside functions (a lazy import is still a dependency), and so does a
module named in a string (``importlib.import_module("iro_analysis.report")``). Modules in the
same layer may import each other; a module may import any layer below its own.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "iro_analysis"

#: Bottom to top. A name is the first part of a module's path inside the package.
LAYERS = [
    # ground floor: the exception family, logging, dates, code lists, the findings shape, and
    # pure functions on numbers and text (statistics, suppression, the disclosure audit)
    {"errors", "_alias", "_asof", "log", "files", "calendar", "codes", "findings", "stats", "disclosure",
     "disclosure_audit"},
    # load: the return, the published reference files (and their cache), the IRO service records
    {"ssda903", "ssda903_csv", "ssda903_checks", "reference", "cache", "iro_records"},
    # derive: periods of care and the standard counts
    {"cohorts", "_count_tables"},
    # analyse
    {"timeliness", "disproportionality", "benchmarks", "care_history", "outcomes_tables", "quality"},
    # check and generate: the published-figures checker, input checks, synthetic returns
    {"figure_check", "inputs", "synthetic"},
    # present
    {"publication", "plots", "export"},
    # the report notebooks' layer
    {"report", "labels", "authority_last_year", "authority_sections", "authority_timeliness", "authority_report", "screenshots"},
    # run
    {"batch", "warm", "kernels", "staging", "manifest", "progress", "cli"},
]

#: Old import paths kept for one release (docs/api.md): each is only an alias of the new module
#: (``_alias.alias_module``), so it names the module above it on purpose.
ALIASES = {
    "quality.figures", "quality.figure_claims", "quality.figure_splits", "quality.figure_releases",
}

#: Names kept where they used to live after moving up a layer (for one release, docs/api.md),
#: resolved on first use: (module, the module it names) -> why.
MOVED_UP = {
    ("timeliness", "report"): "timeliness.published_figures now lives with the notebook helpers",
}

LAYER_OF = {name: index for index, names in enumerate(LAYERS) for name in names}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, imported module inside the package) for every import statement of a file."""
    return _imports_of_file(path, _module_name(path))


def _imports_of_file(path: Path, module: str) -> list[tuple[int, str]]:
    """As :func:`_imports`, for a file read as the package's module ``module``."""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    found = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr)}
    for node in ast.walk(tree):
        if (isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
                and re.fullmatch(r"iro_analysis(\.[A-Za-z_][A-Za-z0-9_]*)+", node.value)):
            found.append((node.lineno, node.value[len("iro_analysis."):]))
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
                names = [a.name for a in node.names] if not node.module and not base else []
                found += [(node.lineno, n) for n in names] or [(node.lineno, target)]
            elif (node.module or "").startswith("iro_analysis"):
                target = node.module[len("iro_analysis"):].lstrip(".")
                names = [a.name for a in node.names] if not target else []
                found += [(node.lineno, n) for n in names] or [(node.lineno, target)]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name[len("iro_analysis"):].lstrip("."))
                      for a in node.names if a.name.startswith("iro_analysis.")]
    return [(line, target) for line, target in found if target]


def _layer(module: str) -> int | None:
    return LAYER_OF.get(module.split(".")[0])


SOURCES = sorted(p for p in PACKAGE.rglob("*.py") if p.name != "__init__.py" or p.parent != PACKAGE)


def test_every_module_has_a_layer():
    unplaced = sorted({_module_name(p).split(".")[0] for p in SOURCES} - set(LAYER_OF) - {""})
    assert unplaced == [], f"place these modules in LAYERS: {unplaced}"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: _module_name(p))
def test_no_upward_import(path):
    module = _module_name(path)
    if module in ALIASES:
        return
    own = _layer(module)
    allowed = {up for (where, up) in MOVED_UP if module.split(".")[0] == where}
    upward = [f"line {line}: {target} (layer {_layer(target)})" for line, target in _imports(path)
              if _layer(target) is not None and _layer(target) > own and target.split(".")[0] not in allowed]
    assert upward == [], f"{module} (layer {own}) imports from above: {upward}"


def test_the_check_sees_an_upward_import(tmp_path):
    # The test must be able to fail: a function-level import and a module named in a string, in
    # a ground-floor module, are both found and placed in their layers.
    source = tmp_path / "calendar.py"
    source.write_text(
        "def f():\n"
        "    from .report import validate_parameters\n"
        "    import importlib\n"
        "    return importlib.import_module('iro_analysis.batch')\n"
    )
    found = _imports_of_file(source, "calendar")
    assert [(t, _layer(t)) for _, t in found] == [("report", LAYER_OF["report"]), ("batch", LAYER_OF["batch"])]
    assert all(_layer(t) > _layer("calendar") for _, t in found)
