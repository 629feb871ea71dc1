"""Old import path of :mod:`iro_analysis.figure_check`, kept for one release:
the published-figure checker.

The checker became its own package above the analyses it recomputes figures with. Every name
of the old module (private ones too) reads as the same object in the new modules, and
assigning one here assigns it where the checker looks it up, so a test patching
``iro_analysis.quality.figures._dfe_rows`` still changes what the checker reads.
``iro.figures`` is this module.
"""

from .._alias import alias_module

alias_module(
    __name__,
    "iro_analysis.figure_check",
    *(f"iro_analysis.figure_check.{m}" for m in (
        "numbers", "spec", "reading", "parsing", "releases", "refs", "results", "tables", "splits", "claims",
        "comparisons", "dfe", "recompute", "checker", "formatting", "command",
    )),
)
