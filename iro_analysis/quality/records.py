"""Old path of :mod:`iro_analysis.ssda903.records`, the record-level checks made when a return
is loaded (they moved beside the loader, which runs them). Kept for one release: every name of
that module is reachable here, and setting one here sets it there."""

from .._alias import alias_module

alias_module(__name__, "iro_analysis.ssda903.records")
