"""Old module paths kept working after a module moved.

When a module moves (``iro_analysis.ssda903_csv`` became ``iro_analysis.ssda903.read_csv``),
a small module is left at the old path that calls :func:`alias_module`. Every attribute of
the old module is then the new module's: reading one reads the new module, and setting or
deleting one (a test's ``monkeypatch.setattr``) changes the new module, so the code that
moved sees the change, and ``vars()`` of the old module is the new module's namespace. The
old module keeps its own ``__file__``, so tools that import a package file by file and check
that each module came from its file (pytest's doctest collection) accept it.
"""

from __future__ import annotations

import importlib
import sys
import types

__all__ = ["alias_module"]

# Attributes the import system sets on each module object: they stay the alias module's own.
_OWN = frozenset({"__name__", "__file__", "__spec__", "__loader__", "__package__", "__path__",
                  "__cached__", "__builtins__", "__doc__", "__dict__", "__class__", "_alias_target"})


class _AliasModule(types.ModuleType):
    """A module whose attributes are another module's (see the module notes)."""

    def __getattr__(self, name):
        return getattr(object.__getattribute__(self, "_alias_target"), name)

    def __setattr__(self, name, value):
        if name in _OWN:
            object.__setattr__(self, name, value)
        else:
            setattr(object.__getattribute__(self, "_alias_target"), name, value)

    def __delattr__(self, name):
        if name in _OWN:
            object.__delattr__(self, name)
        else:
            delattr(object.__getattribute__(self, "_alias_target"), name)

    def __dir__(self):
        return dir(object.__getattribute__(self, "_alias_target"))

    @property
    def __dict__(self):
        # The target's namespace: tools that read a module's __dict__ (pytest's monkeypatch
        # records the value it replaces from it) see the names that attribute access sees.
        return vars(object.__getattribute__(self, "_alias_target"))


def alias_module(name: str, target: str) -> None:
    """Make the module ``name`` (already executing) an alias of the module ``target``.

    Parameters
    ----------
    name : str
        The old module's full name (pass ``__name__``).
    target : str
        Full name of the module that replaced it.

    Examples
    --------
    >>> import iro_analysis.ssda903_csv as old, iro_analysis.ssda903.read_csv as new
    >>> old.read_cells is new.read_cells
    True
    """
    module = sys.modules[name]
    real = importlib.import_module(target)
    # Names the old module's own code bound while running (the import of this function) go,
    # so that every lookup reaches the target.
    for attr in [a for a in vars(module) if a not in _OWN]:
        delattr(module, attr)
    module._alias_target = real
    module.__class__ = _AliasModule
