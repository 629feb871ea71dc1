"""Charts for IRO reports (seaborn/matplotlib).

Every function takes the table it draws and ``ax=None``, returns the Axes, puts the finding in the
title, and has a companion ``*_alt_text`` function giving a text alternative.
"""

from .core import PALETTE, format_count, get_ax, set_style, show

__all__ = ["PALETTE", "format_count", "get_ax", "set_style", "show"]
