"""Realistic synthetic SSDA903 returns, calibrated to an authority, with known defects.

The generator simulates a population of children entering and leaving care over an 18-year
burn-in and the requested collection years, then writes what an authority would have returned
for each year. It exists so that every analysis in the package can be tested end to end
against data whose truth is known: which reviews were late, which records were deliberately
damaged, and how many children were in care on each 31 March.

Model (event based, vectorised with numpy)
------------------------------------------
* **Entries** form a Poisson process whose yearly rate is the authority's published number of
  children starting to be looked after (DfE "Children looked after in England", table of
  numbers and rates per 10,000); years before the first published year use the first one.
  Unaccompanied asylum-seeking children (UASC) are a separate stream: aged 14-17 (mostly 16),
  95% male, accommodated under section 20 (V2), category of need N8.
* **Periods of care** follow one of four pathways chosen by age at entry: *short* (lognormal,
  median 30 days), *medium* (median 9 months), *adoption* (under-5s: interim care order ->
  placement order (E1) -> adoptive placement A5/A6 -> adoption order E11/E12) and *long*
  (to the 18th birthday, with early exits by special guardianship, child arrangements order or
  return home). The short/long balance is solved for each authority so that the expected
  stock matches published stock / starts (Little's law). About 12% of children who return
  home come back into care (a second period).
* **Calibration** is then forced year by year. The 31 March before the first collection year
  is set to the published figure (the opening stock); then, for each collection year in
  order, the number of children starting care (counted once each, short breaks excluded, as
  DfE counts them) is set to the published figure by adding or removing entrants of that
  year, and the number in care on 31 March (excluding short breaks) to the published figure,
  split into UASC and other children by the published UASC share, by truncating periods
  inside the year, extending them past 31 March or, last, adding entrants. Children ceasing
  then follow from the flow identity between the two calibrated stocks. Changes for one
  year never move an earlier 31 March. Ethnicity (DfE main groups) is assigned so that the
  children in care on 31 March of the final year match the published mix exactly, and
  earlier years as closely as the already-assigned children allow: UASC take England's UASC
  mix (national UASC characteristics, mostly Other, Black African and other Asian), capped
  by the authority's own count of each group, and other children the remainder. The
  legal-status mix on the final 31 March is matched by choosing section 20 versus court
  routes and by solving the interim-care-order duration.
* **Episodes** arise from legal-status events (L1/L2 -> C1, C1 -> C2, C1 -> E1, adoptive
  placement) and placement moves (a Poisson process, more frequent for teenagers), giving RNE
  S/L/P/T/B and REC X1 between episodes. Placements depend on age (foster care U1-U6 for most;
  children's homes K2, semi-independent H5 (K3 from 2025-26, with a status-change episode on
  1 April 2025) for older children; R3 for babies; P1 placed with parents; A5/A6 adoption).
* **Reviews** follow reg 33 of the Care Planning, Placement and Case Review (England)
  Regulations 2010 exactly as :mod:`iro_analysis.calendar` defines it: first review due
  ``add_working_days(period_start, 20)``, second ``add_calendar_months(first_review, 3)``,
  then ``add_calendar_months(previous_review, 6)``; each restarts from the actual date. Most
  are held in the fortnight before the due date, about 6% are naturally late by a few days to
  a few weeks, about 5% are held early (restarting the clock). Reviews are also brought
  forward (reg 33(3)) after 80% of placement moves and of final care or placement orders:
  held 1-4 weeks after the event, and for 80% of those the next about three months later,
  then six-monthly (the "1, 3 and 9 months" restart one seed report describes). Brought-
  forward reviews are early, so on time, and restart the clock. Participation codes follow
  age (PN0 under 4). Short-breaks-only children (V3/V4) have no reviews.
* **Missing episodes** (M/A) are far more frequent for teenagers (a heavy-tailed minority).

Injected defects (``defects=True``) are listed in ``ground_truth`` with the line of the written
CSV they sit on: duplicate reviews, reviews outside any period of care, PN0 given at 4+ and
PN1-PN7 under 4, gaps between an episode ending X1 and the next, deliberately late reviews,
reviews of children missing from the header. Deliberately missed reviews (due, never held)
appear in ``review_truth`` only, since they have no row.

Identifiers are ``SYN`` plus seven digits (CHILD) and ``SYN`` plus ten digits (UPN), which no
real Unique Pupil Number can match (real UPNs are one letter and twelve characters).
Not generated: OC2, OC3, AD1, placed-for-adoption, previous permanence and social-worker
tables; postcodes and URNs are left blank.

Submodules, in the order the generator uses them: ``calibration`` (the published targets),
``days`` (day-number helpers), ``population`` (periods of care, forced to the targets),
``ethnicity``, ``episodes`` (legal routes, placements, missing episodes), ``reviews`` (the
review schedule), ``defects`` (injected defects and the ground truth), ``generate``
(:func:`generate_return`, the tables of each year) and ``write``
(:func:`write_synthetic_returns`).
"""

from __future__ import annotations

from .calibration import ENGLAND_DEFAULTS, _ref, calibration_targets
from .defects import DEFECT_KINDS, GROUND_TRUTH_COLUMNS
from .generate import REVIEW_TRUTH_COLUMNS, SyntheticReturn, generate_return
from .write import write_synthetic_returns

__all__ = [
    "SyntheticReturn",
    "ENGLAND_DEFAULTS",
    "DEFECT_KINDS",
    "calibration_targets",
    "generate_return",
    "write_synthetic_returns",
]
