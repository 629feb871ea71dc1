"""Old import paths kept working after a module moved: a module that is an alias of others.

When a module moves (``iro_analysis.cache`` to ``iro_analysis.reference.cache``), its old
path stays importable for one release, as ``docs/api.md`` promises. The old file calls
:func:`alias_module`, which makes the old module show the names of the new ones: reading a
name gives the new module's object, and assigning one (``monkeypatch.setattr(old, "name",
value)`` in a test) assigns it in every new module that holds the name, which is where the
moved code looks it up. So patching the old path still changes what the code does.

Replacing ``sys.modules[old]`` by the new module would do the first half, but the old file
would then not be the module its path names, and ``pytest --doctest-modules`` refuses such a
file ("import file mismatch").
"""

from __future__ import annotations

import importlib
import sys
import types

__all__ = ["alias_module"]


class _Forward:
    """One name of an alias module: read from, assigned in and deleted from the modules holding it.

    A data descriptor, so that ``monkeypatch.setattr`` restores the name by assigning the old
    value back (rather than deleting an entry of the alias's own namespace).
    """

    def __init__(self, name: str, owners: tuple):
        self.name, self.owners = name, owners

    def __get__(self, alias, owner=None):
        if alias is None:
            return self
        for module in self.owners:
            if self.name in module.__dict__:
                return module.__dict__[self.name]
        raise AttributeError(f"module {alias.__name__!r} has no attribute {self.name!r}")

    def __set__(self, alias, value):
        for module in self.owners:
            setattr(module, self.name, value)

    def __delete__(self, alias):
        for module in self.owners:
            module.__dict__.pop(self.name, None)


class _AliasModule(types.ModuleType):
    """A module showing the names of the modules in its ``__alias_of__`` (see :func:`alias_module`)."""

    def __getattr__(self, name):
        # Names the targets gained after the alias was made, and ``__all__``; not the other
        # dunders, which say what the alias itself is (a ``__path__`` would make it a package).
        if name.startswith("__") and name != "__all__":
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")
        for target in self.__dict__.get("__alias_of__", ()):
            if name in target.__dict__:
                return target.__dict__[name]
        raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")

    def __dir__(self):
        forwarded = {n for n, v in vars(type(self)).items() if isinstance(v, _Forward)}
        return sorted(set(self.__dict__) | forwarded)


def alias_module(name: str, *targets: str) -> None:
    """Make the module ``name`` an alias of the modules ``targets`` (first holder wins on reads).

    Parameters
    ----------
    name : str
        The old module's name (its ``__name__``), already being imported.
    *targets : str
        Full names of the modules whose names it shows, in the order names are looked up. A
        name several of them hold (one defines it, others import it) is assigned in all of
        them, as it was in the one namespace of the old module.

    Examples
    --------
    >>> import sys, types
    >>> new = sys.modules["_example_new"] = types.ModuleType("_example_new")
    >>> new.answer = 42
    >>> old = sys.modules["_example_old"] = types.ModuleType("_example_old")
    >>> alias_module("_example_old", "_example_new")
    >>> old.answer
    42
    >>> old.answer = 43  # assigns the name where the moved code reads it
    >>> new.answer
    43
    >>> for n in ("_example_old", "_example_new"):
    ...     del sys.modules[n]
    """
    module = sys.modules[name]
    modules = tuple(importlib.import_module(t) for t in targets)
    owners: dict[str, list] = {}
    for target in modules:
        for key in target.__dict__:
            if not key.startswith("__"):
                owners.setdefault(key, []).append(target)
    names = {key: _Forward(key, tuple(held)) for key, held in owners.items()}
    module.__dict__["__alias_of__"] = modules
    module.__class__ = type(f"_Alias_{name.replace('.', '_')}", (_AliasModule,), names)
