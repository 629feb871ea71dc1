"""Old import path of :mod:`iro_analysis.figure_check.releases`, kept for one release:
which DfE releases a report could have used.
"""

from .._alias import alias_module

alias_module(__name__, "iro_analysis.figure_check.releases")
