"""Charts for IRO reports (matplotlib).

Every function takes the table it draws and ``ax=None``, returns the Axes, puts the finding in the
title, and has a companion ``*_alt_text`` function giving a text alternative. :func:`show` draws a
chart once, as a palette PNG or SVG, and displays it with its alt text. Charts for each
analysis live in their own module (``iro.plots.cohorts``, ``iro.plots.timeliness``,
``iro.plots.disproportionality``, ``iro.plots.benchmarks``, ``iro.plots.categories``), imported on first use.
"""

import importlib

from .core import FORMATS, PALETTE, STYLE, format_count, get_ax, render, set_style, show

_SUBMODULES = {"benchmarks", "categories", "cohorts", "core", "disproportionality", "timeliness"}

__all__ = ["FORMATS", "PALETTE", "STYLE", "format_count", "get_ax", "render", "set_style", "show",
           *sorted(_SUBMODULES)]


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
