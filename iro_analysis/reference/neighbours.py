"""DfE statistical neighbours: each English local authority's 10 most similar authorities.

Two lists are supported, both from DfE's Children's Services Statistical Neighbour Benchmarking
Tool (CSSNBT):

- ``model="2021"``: the April 2021 LGR version (``New_Statistical_Neighbour_Groupings_April_2021.csv``),
  which IRO reports for 2021-22 to 2024-25 would have used. Cumbria (909) is still one authority;
  four pre-reorganisation authorities (835, 836, 837, 928) follow an "Old SNs:" marker in the file
  and are returned with ``superseded=True``.
- ``model="2025"``: the 2025 model (``sn_model_2025_wide.csv``), with Cumberland (942) and
  Westmorland and Furness (943).
"""

from __future__ import annotations

import functools

import pandas as pd

from .cache import disk_cached
from ..errors import ParameterError, ReferenceDataError
from ._dfe import file_stamp
from .authorities import list_authorities, resolve_authority
from .search import find_reference_file, read_dfe_csv

__all__ = ["SN_MODELS", "NEIGHBOUR_COLUMNS", "statistical_neighbours", "neighbours_of"]

#: Model name -> file name.
SN_MODELS = {
    "2021": "New_Statistical_Neighbour_Groupings_April_2021.csv",
    "2025": "sn_model_2025_wide.csv",
}

NEIGHBOUR_COLUMNS = [
    "la_code",
    "la_name",
    "neighbour_rank",
    "neighbour_la_code",
    "neighbour_la_name",
    "closeness",
    "model",
    "superseded",
]


def _model_key(model) -> str:
    text = str(model).strip().lower()
    for key in SN_MODELS:
        if key in text:
            return key
    raise ParameterError(
        f"Unknown statistical-neighbour model {model!r}: use '2021' (DfE CSSNBT April 2021 LGR "
        "version) or '2025' (the 2025 model)."
    )


def _code(value: str) -> str:
    v = str(value).strip()
    if v.endswith(".0"):  # spreadsheet exports sometimes write codes as floats
        v = v[:-2]
    return v.zfill(3) if v.isdigit() else v


def _parse_2021(raw: pd.DataFrame, path) -> pd.DataFrame:
    # Columns: LA num, LA Name, LA number, GOInd, GOReg, SN1, SNP, SN2, SNP.1, ... SN10, SNP.9
    cols = list(raw.columns)
    if "LA num" not in cols or "SN1" not in cols:
        raise ReferenceDataError(
            f"file {path}: expected columns 'LA num' and SN1..SN10 (DfE CSSNBT April 2021 layout); "
            f"found {', '.join(cols[:8])} ..."
        )
    superseded = False
    records = []
    for i, row in enumerate(raw.itertuples(index=False)):
        values = dict(zip(cols, row))
        code = _code(values["LA num"])
        if not code.isdigit():
            if "old" in str(values.get("LA Name", "")).lower():
                superseded = True
            continue
        for rank in range(1, 11):
            sn_col = f"SN{rank}"
            pos = cols.index(sn_col)
            closeness = str(row[pos + 1]).strip() if pos + 1 < len(cols) else ""
            records.append(
                (code, str(values["LA Name"]).strip(), rank, _code(values[sn_col]), closeness, superseded)
            )
    return pd.DataFrame(
        records,
        columns=["la_code", "file_la_name", "neighbour_rank", "neighbour_la_code", "closeness", "superseded"],
    )


def _parse_2025(raw: pd.DataFrame, path) -> pd.DataFrame:
    cols = list(raw.columns)
    if "old_la_code" not in cols or "SN_1" not in cols:
        raise ReferenceDataError(
            f"file {path}: expected columns old_la_code and SN_1..SN_10 (2025 model layout); "
            f"found {', '.join(cols[:8])} ..."
        )
    raw = raw[raw["old_la_code"].str.strip().str.isdigit()]
    parts = []
    for rank in range(1, 11):
        parts.append(
            pd.DataFrame(
                {
                    "la_code": raw["old_la_code"].map(_code),
                    "file_la_name": raw["la_name"].str.strip(),
                    "neighbour_rank": rank,
                    "neighbour_la_code": raw[f"SN_{rank}"].map(_code),
                    "closeness": raw[f"SN_{rank}P"].str.strip() if f"SN_{rank}P" in cols else "",
                    "superseded": False,
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


@functools.lru_cache(maxsize=4)
@disk_cached(path_arg=0)
def _load(path: str, mtime_ns: int, size: int, key: str) -> pd.DataFrame:
    raw = read_dfe_csv(path)
    long = _parse_2021(raw, path) if key == "2021" else _parse_2025(raw, path)
    bad = long[~long["neighbour_la_code"].str.fullmatch(r"\d{3}")]
    if len(bad):
        r = bad.iloc[0]
        raise ReferenceDataError(
            f"file {path}: neighbour {r['neighbour_rank']} of LA {r['la_code']} is "
            f"{r['neighbour_la_code']!r}, not a DfE 3-digit code."
        )
    names = list_authorities(include_former=True).set_index("la_code")["la_name"]
    file_names = long.drop_duplicates("la_code").set_index("la_code")["file_la_name"]
    long["la_name"] = long["la_code"].map(names).fillna(long["file_la_name"])
    long["neighbour_la_name"] = (
        long["neighbour_la_code"].map(names).fillna(long["neighbour_la_code"].map(file_names))
    )
    # "Very Close" (2021) and "Very close " (2025): one spelling for both models.
    long["closeness"] = long["closeness"].str.strip().str.capitalize()
    long["model"] = key
    long = long.sort_values(["superseded", "la_code", "neighbour_rank"]).reset_index(drop=True)
    return long[NEIGHBOUR_COLUMNS]


def statistical_neighbours(model: str = "2021") -> pd.DataFrame:
    """Each local authority's 10 statistical neighbours, closest first.

    Parameters
    ----------
    model : {"2021", "2025"}
        ``"2021"``: DfE CSSNBT April 2021 (LGR version); ``"2025"``: the 2025 model. Any text
        containing the year (``"April 2021"``, ``2025``) is accepted.

    Returns
    -------
    pandas.DataFrame
        Ten rows per authority, columns ``la_code`` (DfE 3-digit), ``la_name`` (DfE spelling),
        ``neighbour_rank`` (1 = closest … 10), ``neighbour_la_code``, ``neighbour_la_name``,
        ``closeness`` (DfE's label in sentence case: "Extremely close", "Very close", "Close",
        "Somewhat close", "Not close"),
        ``model`` (``"2021"``/``"2025"``), ``superseded`` (True for the pre-reorganisation
        authorities listed after "Old SNs:" in the 2021 file).

    Raises
    ------
    ParameterError
        For an unknown model.
    ReferenceDataError
        If the model's file is not on the search path or its layout is not DfE's.

    Notes
    -----
    LAIT and IRO reports use the **mean** of the neighbours' published (rounded) values as the
    "statistical neighbour average"; DfE's CSC outcomes dashboard uses the median. Source: DfE,
    Children's services statistical neighbour benchmarking tool (Open Government Licence v3.0).

    Examples
    --------
    >>> sn = statistical_neighbours("2021")
    >>> sn[sn.la_code == "872"].neighbour_la_name.iloc[0]
    'Surrey'
    """
    key = _model_key(model)
    return _load(*file_stamp(find_reference_file(SN_MODELS[key])), key).copy()


def neighbours_of(la, *, model: str = "2021") -> pd.DataFrame:
    """The 10 statistical neighbours of one authority (rows of :func:`statistical_neighbours`).

    Parameters
    ----------
    la : str, int or Authority
        Any form accepted by :func:`~iro_analysis.reference.resolve_authority`.
    model : {"2021", "2025"}

    Raises
    ------
    ParameterError
        If the authority is not in that model (e.g. Cumberland in the 2021 list, Cumbria in 2025).

    Examples
    --------
    >>> neighbours_of("Rotherham").neighbour_la_name.tolist()[:2]
    ['Doncaster', 'Wigan']
    """
    auth = resolve_authority(la)
    sn = statistical_neighbours(model)
    rows = sn[sn["la_code"] == auth.la_code]
    if rows.empty:
        raise ParameterError(
            f"{auth} has no statistical neighbours in the {_model_key(model)} model "
            "(authorities created or abolished by reorganisation are only in one list); try the "
            "other model."
        )
    return rows.reset_index(drop=True)
