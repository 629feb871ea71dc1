"""How long a reading of the reference files' surroundings is taken as current.

One constant, below both :mod:`~iro_analysis.reference.search` (which keeps the search path it
resolved) and :mod:`~iro_analysis.reference.cache` (which keeps the files' sizes and times), so
that neither has to import the other for it.
"""

from __future__ import annotations

__all__ = ["STATE_SECONDS"]

#: Seconds for which a reading (the resolved search path, the files' sizes and times) stands.
STATE_SECONDS = 1.0
