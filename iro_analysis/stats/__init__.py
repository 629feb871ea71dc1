"""Statistics for iro_analysis: intervals, tests, funnel limits and SPC.

Pure functions on numbers and numpy arrays; no domain DataFrames. Intervals are on the
0–1 scale for proportions and return ``(low, high)``; tests return p-values or a
:class:`GoodnessOfFitResult`.
"""

from .intervals import (
    PROPORTION_METHODS,
    RATE_RATIO_METHODS,
    RISK_DIFFERENCE_METHODS,
    byars_interval,
    clopper_pearson_interval,
    exact_poisson_interval,
    jeffreys_interval,
    midp_interval,
    poisson_interval,
    proportion_interval,
    rate_interval,
    rate_ratio_interval,
    risk_difference_interval,
    wilson_interval,
)
from .tests import (
    DEFAULT_SEED,
    GoodnessOfFitResult,
    binomial_test,
    chisquare_gof,
    cochran_conditions,
    exact_multinomial_test,
    goodness_of_fit_test,
    rate_ratio_test,
)

__all__ = [
    "wilson_interval",
    "clopper_pearson_interval",
    "jeffreys_interval",
    "midp_interval",
    "proportion_interval",
    "rate_ratio_interval",
    "risk_difference_interval",
    "exact_poisson_interval",
    "byars_interval",
    "poisson_interval",
    "rate_interval",
    "PROPORTION_METHODS",
    "RATE_RATIO_METHODS",
    "RISK_DIFFERENCE_METHODS",
    "binomial_test",
    "rate_ratio_test",
    "cochran_conditions",
    "chisquare_gof",
    "exact_multinomial_test",
    "goodness_of_fit_test",
    "GoodnessOfFitResult",
    "DEFAULT_SEED",
]

# Funnel limits (stats/funnel.py) and SPC charts (stats/spc.py): their own modules, re-exported.
from . import funnel, spc  # noqa: E402
from .funnel import (  # noqa: E402
    binomial_limits,
    funnel_limits,
    funnel_z_scores,
    overdispersion,
    poisson_limits,
    random_effects_limits,
)
from .spc import PCHART_COLUMNS, pchart, pchart_summary, xmr, xmr_summary  # noqa: E402

__all__ += [
    "funnel",
    "spc",
    "binomial_limits",
    "poisson_limits",
    "funnel_limits",
    "funnel_z_scores",
    "overdispersion",
    "random_effects_limits",
    "xmr",
    "xmr_summary",
    "pchart",
    "pchart_summary",
    "PCHART_COLUMNS",
]
