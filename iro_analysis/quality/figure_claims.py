"""Old import path of :mod:`iro_analysis.figure_check.claims`, kept for one release:
ranges, changes, identities and decimal ratios.
"""

from .._alias import alias_module

alias_module(__name__, "iro_analysis.figure_check.claims")
