"""Parameters of the national overview notebook (``notebooks/national_overview.ipynb``)."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import ParameterError
from .comparisons import _model_key, _resolve
from .indicators import latest_year

__all__ = ["OverviewParameters", "overview_parameters"]


@dataclass(frozen=True)
class OverviewParameters:
    """Checked parameters of the national overview notebook (see :func:`overview_parameters`)."""

    year: int | None
    release: int | None
    model: str
    la_code: str | None
    la_name: str | None
    output_dir: str

    def year_for(self, indicator) -> int:
        """The year to show for an indicator: ``year``, or the latest published up to it."""
        return latest_year(indicator, release=self.release, up_to=self.year)


def overview_parameters(*, year=None, release=None, model="2021", highlight_la=None,
                        output_dir="outputs/national") -> OverviewParameters:
    """Check the parameters of ``notebooks/national_overview.ipynb``.

    Parameters
    ----------
    year : int or str, optional
        Year ending 31 March (``2025`` or ``"2024-25"``); None or 0 = the latest published.
    release : int, optional
        DfE release (publication year); None or 0 = the latest found.
    model : {"2021", "2025"}
        Statistical-neighbour model used to highlight neighbours.
    highlight_la : str or int, optional
        Authority to highlight (code, ONS code or name; papermill may pass ``872`` as an int);
        None or "" for none.
    output_dir : str
        Folder for the notebook's summary table.

    Returns
    -------
    OverviewParameters

    Raises
    ------
    ParameterError
        For a bad year, model or authority; ReferenceDataError if the release is not found.
    """
    from ..calendar import parse_year
    from ..reference import dfe_cla

    # 0 and "" mean "not set" (papermill parameters cannot be None-typed and annotated).
    y = None if year in (None, "", 0, "0") else parse_year(year)
    rel = None if release in (None, "", 0, "0") else int(release)
    if rel is not None and rel not in dfe_cla.available_cla_releases():
        have = ", ".join(str(r) for r in dfe_cla.available_cla_releases())
        raise ParameterError(f"release {rel} was not found on the reference search path (releases found: {have}).")
    key = _model_key(model)
    la_code = la_name = None
    if highlight_la not in (None, ""):
        auth = _resolve(highlight_la)
        la_code, la_name = auth.la_code, auth.la_name
    if y is not None:
        latest_year("cla_rate", release=rel, up_to=y)
    return OverviewParameters(year=y, release=rel, model=key, la_code=la_code, la_name=la_name,
                              output_dir=str(output_dir))
