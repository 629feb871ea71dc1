"""Shared fixtures: small synthetic returns written once per test session; hypothesis profiles."""

import os

import pytest
from hypothesis import settings

# No per-example deadline: CI machines are shared and timing is not what these tests prove.
# CI runs a derandomised profile so a landing never depends on the luck of the draw; developers
# get fresh random examples on every run (set IRO_HYPOTHESIS_PROFILE=ci to reproduce CI).
settings.register_profile("dev", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
settings.load_profile(os.environ.get("IRO_HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(scope="session")
def synthetic_wokingham(tmp_path_factory):
    """Synthetic Wokingham (872) return: collection years 2022 and 2023, seed 872."""
    from iro_analysis.synthetic import write_synthetic_returns

    out = tmp_path_factory.mktemp("synthetic") / "872"
    return write_synthetic_returns("872", 2023, years=2, out=out, seed=872)


@pytest.fixture(scope="session")
def synthetic_rutland(tmp_path_factory):
    """Synthetic Rutland (857) return, the smallest English authority: one collection year."""
    from iro_analysis.synthetic import write_synthetic_returns

    out = tmp_path_factory.mktemp("synthetic") / "857"
    return write_synthetic_returns("857", 2023, years=1, out=out, seed=857)
