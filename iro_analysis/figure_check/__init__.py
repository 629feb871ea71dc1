"""Checks on the figures printed in a published report (``iro-analysis check-figures``).

An analyst transcribes a report's tables and figures into a small YAML file (the format is
described in ``docs/figures.md`` in the project); :func:`check_figures` then checks that the
report agrees with itself, with the published DfE tables and, optionally, with the authority's
own SSDA903 return:

- ``percent_count``: each printed percentage against its count and denominator, at the
  rounding implied by the decimals printed;
- ``percent_rows_swapped``: percentages that fit the counts only after moving them between
  rows;
- ``row_sum`` and ``percent_sum``: rows against their printed total, percentages against 100;
- ``figure_mismatch``: the same figure stated twice with different values (text and table);
- ``rate_population``, ``rate_series``, ``rate_dfe``: rates per 10,000 against their count and
  population, against each other, and against DfE's published figures;
- ``neighbour_average``: statistical-neighbour averages recomputed from DfE's tables for every
  year, release and neighbour model available;
- ``recomputed``: figures recomputed from the return (``data=``);
- ``percent_split`` (:mod:`.splits`): percentages printed without counts against the
  printed total;
- ``change``, ``change_direction``, ``identity`` and ranges (:mod:`.claims`);
- ``nothing_to_check``: every entry no other check covered, with the reason.

DfE comparisons use only the releases available when the report was ``published``
(:mod:`.releases`), and a year none of them covers is not checked.

Every result is a row of the findings table (:data:`~iro_analysis.quality.FINDING_COLUMNS`)
plus the columns in :data:`EXTRA_COLUMNS`. Passed checks are kept as ``info`` rows with status
``"ok"`` so that the output shows the working; only ``error`` and ``warning`` rows (status
``"inconsistent"``) make :func:`run_check_figures` exit with status 1. The rounding rule is in
:mod:`.numbers`.

The checker sits above the analyses: it recomputes figures with :mod:`iro_analysis.cohorts`
and :mod:`iro_analysis.timeliness` and reads :mod:`iro_analysis.reference`; nothing below it
imports it (``iro_analysis.quality.figures`` and ``quality.figure_claims``, ``figure_splits``,
``figure_releases`` are the old paths, kept as aliases for one release). Its modules, from the
bottom up:

- reading the YAML spec: :mod:`.numbers` (printed numbers, the rounding rule), :mod:`.spec` (the
  parsed file), :mod:`.reading` (YAML with lines, single fields), :mod:`.parsing` (entries);
- the checks: :mod:`.refs` (what a reference stands for), :mod:`.results` (the rows),
  :mod:`.tables`, :mod:`.splits`, :mod:`.claims` and :mod:`.comparisons` (the report against
  itself), :mod:`.releases` and :mod:`.dfe` (against DfE), :mod:`.recompute` (against the return);
- :mod:`.checker` (:func:`check_figures`), :mod:`.formatting` (the text report) and
  :mod:`.command` (the ``check-figures`` command).
"""

from __future__ import annotations

from .checker import check_figures
from .command import run_check_figures
from .formatting import format_figures_text
from .numbers import Printed
from .parsing import load_figures, parse_figures
from .results import EXTRA_COLUMNS
from .spec import RECOMPUTABLE, FigureSpec, FiguresFileError

__all__ = [
    "EXTRA_COLUMNS",
    "RECOMPUTABLE",
    "FiguresFileError",
    "Printed",
    "FigureSpec",
    "load_figures",
    "parse_figures",
    "check_figures",
    "format_figures_text",
    "run_check_figures",
]
