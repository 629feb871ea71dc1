"""Old path of :mod:`iro_analysis.findings`, which moved to the ground floor of the package
(the loader makes findings too, and must not depend on the quality checks). Kept for one
release: every name of :mod:`iro_analysis.findings` is reachable here."""

from .._alias import alias_module

alias_module(__name__, "iro_analysis.findings")
