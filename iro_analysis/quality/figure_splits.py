"""Old import path of :mod:`iro_analysis.figure_check.splits`, kept for one release:
percentages printed without counts.
"""

from .._alias import alias_module

alias_module(__name__, "iro_analysis.figure_check.splits")
