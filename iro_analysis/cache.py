"""Old import path of :mod:`iro_analysis.reference.cache` (the reference-table caches), kept for one release.

The caches moved into :mod:`iro_analysis.reference`, whose loaders use them, so that the
reference package no longer imports a module that imports it back.
"""

from ._alias import alias_module

alias_module(__name__, "iro_analysis.reference.cache")
