"""The reference package imports one way: no module of ``iro_analysis.reference`` imports, even
inside a function, a module that imports it back, and every submodule imports first in a fresh
interpreter.

Before, ``_dfe`` imported ``authorities`` (to harmonise region names), ``authorities`` imported
``dfe_cla`` (to build the lookup from the rates files) and ``dfe_cla`` imported ``_dfe``; and
``iro_analysis.cache`` imported ``reference.search``/``reference.checksums`` while four reference
loaders imported ``cache``. Region names now live in ``reference.regions`` (below both) and the
caches in ``reference.cache`` (``iro_analysis.cache`` is an alias of it).
"""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import iro_analysis.reference as reference

PACKAGE = Path(reference.__file__).parent
ROOT = PACKAGE.parents[1]  # the folder holding iro_analysis/
SUBMODULES = sorted(m.name for m in pkgutil.iter_modules([str(PACKAGE)]))

# What reference modules may import from the rest of iro_analysis: the ground floor only.
ALLOWED_OUTSIDE = {"iro_analysis", "iro_analysis.errors", "iro_analysis.codes", "iro_analysis.calendar",
                   "iro_analysis._alias", "iro_analysis.files", "iro_analysis.log"}


def _is_module(full: str) -> bool:
    """Whether ``iro_analysis.a.b`` names a module or package of the source tree."""
    path = ROOT.joinpath(*full.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _imports(path: Path, module: str) -> set[str]:
    """Full names of the iro_analysis modules ``path`` imports, at module level or in functions."""
    package = module.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("iro_analysis")}
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
            target = (f"{base}.{node.module}" if node.module else base) if node.level else (node.module or "")
            if target.startswith("iro_analysis"):
                # "from . import regions" imports the module regions, not the package's __init__
                names = {f"{target}.{a.name}" for a in node.names}
                modules = {n for n in names if _is_module(n)}
                found |= modules if modules == names else {target} | modules
    return found


def _graph() -> dict[str, set[str]]:
    graph = {}
    for name in SUBMODULES:
        full = f"iro_analysis.reference.{name}"
        graph[full] = _imports(PACKAGE / f"{name}.py", full)
    return graph


def test_the_import_reader_sees_relative_and_function_level_imports(tmp_path):
    # A made-up module of the package: "from .search import x" inside a function and
    # "from ..errors import y" at the top are both read.
    sample = tmp_path / "sample.py"
    sample.write_text("from ..errors import y\nfrom .. import codes\n\ndef f():\n    from .search import x\n"
                      "    from . import regions\n")
    assert _imports(sample, "iro_analysis.reference.sample") == {
        "iro_analysis.errors", "iro_analysis.codes", "iro_analysis.reference.search", "iro_analysis.reference.regions",
    }


def test_reference_modules_form_no_import_loop():
    graph = _graph()
    inside = {m: {t for t in targets if t in graph} for m, targets in graph.items()}
    # Depth-first search for a cycle; report it as a path.
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m):
        state[m] = 1
        stack.append(m)
        for t in sorted(inside[m]):
            if state.get(t) == 1:
                loop = stack[stack.index(t):] + [t]
                pytest.fail("import loop: " + " -> ".join(x.rsplit(".", 1)[1] for x in loop))
            if t not in state:
                visit(t)
        stack.pop()
        state[m] = 2

    for m in sorted(inside):
        if m not in state:
            visit(m)
    # The two loops of before are open: the names moved below.
    assert "iro_analysis.reference.authorities" not in graph["iro_analysis.reference._dfe"]
    assert "iro_analysis.reference.regions" in graph["iro_analysis.reference._dfe"]
    assert "iro_analysis.cache" not in set().union(*graph.values())


def test_reference_modules_import_only_the_ground_floor_outside_the_package():
    for module, targets in _graph().items():
        outside = {t for t in targets if not t.startswith("iro_analysis.reference.")}
        # (nor the package's own __init__, which imports every submodule)
        assert outside <= ALLOWED_OUTSIDE, (module, outside - ALLOWED_OUTSIDE)


@pytest.mark.parametrize("first", SUBMODULES)
def test_each_submodule_imports_first_in_a_fresh_interpreter(first):
    # The chosen module first, then every other in name order and again in reverse order,
    # then the old path of the caches.
    rest = [m for m in SUBMODULES if m != first]
    names = [first, *rest, *reversed(rest)]
    code = "import importlib\n" + "".join(
        f"importlib.import_module('iro_analysis.reference.{m}')\n" for m in names
    ) + (
        "import iro_analysis.cache as old, iro_analysis.reference.cache as new\n"
        "assert old.disk_cached is new.disk_cached and old.CACHE_ENV == new.CACHE_ENV\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_the_old_cache_path_reads_and_assigns_the_moved_module(monkeypatch):
    import iro_analysis.cache as old
    import iro_analysis.reference.cache as new

    assert old.national is new.national and old.__name__ == "iro_analysis.cache"
    monkeypatch.setattr(old, "CACHE_ENV", "SOME_OTHER_VARIABLE")  # a patch of the old path ...
    assert new.CACHE_ENV == "SOME_OTHER_VARIABLE"  # ... is seen by the moved code
    monkeypatch.undo()
    assert new.CACHE_ENV == "IRO_ANALYSIS_CACHE"
