"""SSDA903 code lists and groupings, as data versioned by collection year.

A collection year is named by the year in which it ends (31 March): ``2025`` is the
2024-25 return. Every list here states where it comes from; where the DfE validator
(``csc-validator-be-903``) and the London LIIA schema disagree about the year a code
arrived or left, the list for that year is the **union** of the two, so that a code
accepted by either tool is not reported as unknown (noted per list below).

Sources
-------
* DfE validator ``csc-validator-be-903`` 0.1.17, rules 101 (SEX, 2024/25), 103 (ETHNIC),
  143 (RNE), 144 (LS), 145 (CIN), 146 (PLACE, by year), 149 (REC), 167 (REVIEW_CODE),
  1009 (REASON_PLACE_CHANGE).
* LIIA ``SSDA903_schema_2024.yml`` (liia-tools) and the 2025/2026 diffs (liia-tools-pipeline).
* Descriptions: DfE children looked after return guide, as transcribed in D2I PATCh
  (``903_drilldown.py``) and the Standard Safeguarding Dataset (PN codes).
* Ethnic main groups: the DfE "Children looked after in England" characteristics tables
  (``national_cla_on_31_march_by_characteristics``), which list "3d. Chinese" under
  "3. Total Asian or Asian British" (2011/2021 Census classification). ``CHNE`` therefore
  maps to ``"Asian"`` by default. Older tables (before the 2021 Census alignment) put
  Chinese under "Other ethnic groups"; pass ``mapping={"CHNE": "Other"}`` to
  :func:`ethnic_group` to reproduce those.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import pandas as pd

from .errors import ParameterError

__all__ = [
    "CODE_COLUMNS",
    "ETHNIC_GROUPS",
    "ETHNIC_GROUP_ORDER",
    "DFE_ETHNIC_GROUP_LABELS",
    "LS_GROUPS",
    "REC_GROUPS",
    "SEX_NORMALISE",
    "valid_codes",
    "describe",
    "descriptions",
    "ethnic_group",
    "legal_status_group",
    "reason_ceased_group",
]


@dataclass(frozen=True)
class _Code:
    code: str
    description: str
    first_year: int | None = None  # first collection year in which the code is valid
    last_year: int | None = None  # last collection year in which the code is valid

    def valid_in(self, year: int | None) -> bool:
        if year is None:
            return True
        if self.first_year is not None and year < self.first_year:
            return False
        if self.last_year is not None and year > self.last_year:
            return False
        return True


def _codes(pairs, first_year=None, last_year=None):
    return [_Code(c, d, first_year, last_year) for c, d in pairs]


_ETHNIC = _codes(
    [
        ("WBRI", "White British"),
        ("WIRI", "White Irish"),
        ("WOTH", "Any other White background"),
        ("WIRT", "Traveller of Irish heritage"),
        ("WROM", "Gypsy/Roma"),
        ("MWBC", "White and Black Caribbean"),
        ("MWBA", "White and Black African"),
        ("MWAS", "White and Asian"),
        ("MOTH", "Any other Mixed background"),
        ("AIND", "Indian"),
        ("APKN", "Pakistani"),
        ("ABAN", "Bangladeshi"),
        ("AOTH", "Any other Asian background"),
        ("BCRB", "Caribbean"),
        ("BAFR", "African"),
        ("BOTH", "Any other Black background"),
        ("CHNE", "Chinese"),
        ("OOTH", "Any other ethnic group"),
        ("REFU", "Refused"),
        ("NOBT", "Information not yet obtained"),
    ]
)

# SEX: 1/2 up to the 2023-24 return; M/F/U from the 2024-25 return (validator lac2024_25
# rule 101; LIIA 2025 diff).
_SEX = _codes([("1", "Male"), ("2", "Female")], last_year=2024) + _codes(
    [("M", "Male"), ("F", "Female"), ("U", "Unknown")], first_year=2025
)

#: Map every SEX code ever used to the normalised M/F/U.
SEX_NORMALISE = MappingProxyType({"1": "M", "2": "F", "M": "M", "F": "F", "U": "U"})

_LS = _codes(
    [
        ("C1", "Interim care order"),
        ("C2", "Full care order"),
        ("D1", "Freeing order granted"),
        ("E1", "Placement order granted"),
        ("V2", "Single period of accommodation under section 20 (Children Act 1989)"),
        ("V3", "Accommodated under an agreed series of short-term breaks, when individual episodes of care are recorded"),
        ("V4", "Accommodated under an agreed series of short-term breaks, when agreements are recorded (not individual episodes)"),
        ("L1", "Under police protection and in local authority accommodation"),
        ("L2", "Emergency protection order (EPO)"),
        ("L3", "Under child assessment order and in local authority accommodation"),
        ("J1", "Remanded to local authority accommodation or to youth detention accommodation"),
        ("J2", "Placed in local authority accommodation under the Police and Criminal Evidence Act 1984"),
        ("J3", "Sentenced to a Youth Rehabilitation Order with residence or intensive fostering requirement"),
    ]
)

#: Legal-status groups used in IRO and DfE reporting.
LS_GROUPS = MappingProxyType(
    {
        "C1": "Care order",
        "C2": "Care order",
        "E1": "Placement order",
        "D1": "Placement order",
        "V2": "Section 20",
        "V3": "Short breaks",
        "V4": "Short breaks",
        "L1": "Emergency order",
        "L2": "Emergency order",
        "L3": "Emergency order",
        "J1": "Youth justice",
        "J2": "Youth justice",
        "J3": "Youth justice",
    }
)

_RNE = _codes(
    [
        ("S", "Started to be looked after"),
        ("L", "Change of legal status only"),
        ("P", "Change of placement and carer(s) only"),
        ("T", "Change of placement (but same carer(s)) only"),
        ("B", "Change of legal status and placement and carer(s) at the same time"),
        ("U", "Change of legal status and change of placement (but same carer(s)) at the same time"),
    ]
)

_CIN = _codes(
    [
        ("N1", "Abuse or neglect"),
        ("N2", "Child's disability"),
        ("N3", "Parental illness or disability"),
        ("N4", "Family in acute stress"),
        ("N5", "Family dysfunction"),
        ("N6", "Socially unacceptable behaviour"),
        ("N7", "Low income"),
        ("N8", "Absent parenting"),
    ]
)

# PLACE by year. Validator rule 146: the same list 2022-23 to 2024-25; 2025-26 drops H5,
# P2, Z1 and adds K3, Z11-Z14. LIIA adds K3 (drops H5/P2) already for 2024-25 and keeps Z1
# in 2025-26. Union of the two: K3 valid from 2025, H5/P2 until 2025, Z1 throughout,
# Z11-Z14 from 2026. Years before 2022-23 use the 2022-23 list (no earlier list in sources).
_PLACE = (
    _codes(
        [
            ("A3", "Placed for adoption with parental/guardian consent with current foster carer(s)"),
            ("A4", "Placed for adoption with parental/guardian consent not with current foster carer(s)"),
            ("A5", "Placed for adoption with placement order with current foster carer(s)"),
            ("A6", "Placed for adoption with placement order not with current foster carer(s)"),
            ("K1", "Secure children's home"),
            ("K2", "Children's home"),
            ("P1", "Placed with own parent(s) or other person(s) with parental responsibility"),
            ("P3", "Residential employment"),
            ("R1", "Residential care home"),
            ("R2", "NHS/health trust or other establishment providing medical or nursing care"),
            ("R3", "Family centre or mother and baby unit"),
            ("R5", "Young offender institution (YOI)"),
            ("S1", "Residential school"),
            ("T0", "Temporary placement: all types of temporary move"),
            ("T1", "Temporary periods in hospital"),
            ("T2", "Temporary absences of the child on holiday"),
            ("T3", "Temporary accommodation whilst normal foster carer(s) is/are on holiday"),
            ("T4", "Temporary accommodation of seven days or less"),
            ("U1", "Foster placement with relative or friend: long term fostering"),
            ("U2", "Foster placement with relative or friend who is also an approved adopter: fostering for adoption / concurrent planning"),
            ("U3", "Foster placement with relative or friend: not long term or fostering for adoption / concurrent planning"),
            ("U4", "Foster placement with other foster carer: long term fostering"),
            ("U5", "Foster placement with other foster carer who is also an approved adopter: fostering for adoption / concurrent planning"),
            ("U6", "Foster placement with other foster carer: not long term or fostering for adoption / concurrent planning"),
            ("Z1", "Other placements"),
        ]
    )
    + _codes(
        [
            ("H5", "Semi-independent living accommodation not subject to children's homes regulations"),
            ("P2", "Independent living, for example in a flat, lodgings, bedsit, B&B or with friends, with or without formal support"),
        ],
        last_year=2025,
    )
    + _codes([("K3", "Registered supported accommodation")], first_year=2025)
    + _codes(
        [
            ("Z11", "Other placements (2025-26 sub-category 1; see the DfE 2025-26 guide)"),
            ("Z12", "Other placements (2025-26 sub-category 2; see the DfE 2025-26 guide)"),
            ("Z13", "Other placements (2025-26 sub-category 3; see the DfE 2025-26 guide)"),
            ("Z14", "Other placements (2025-26 sub-category 4; see the DfE 2025-26 guide)"),
        ],
        first_year=2026,
    )
)

_PLACE_PROVIDER = _codes(
    [
        ("PR0", "Parent(s) or other person(s) with parental responsibility"),
        ("PR1", "Own provision (by the local authority)"),
        ("PR2", "Other local authority provision"),
        ("PR3", "Other public provision (for example a primary care trust)"),
        ("PR4", "Private provision"),
        ("PR5", "Voluntary/third sector provision"),
    ]
)

_REC = _codes(
    [
        ("X1", "Episode ceases, and new episode begins on same day, for any reason"),
        ("E11", "Adopted: application for an adoption order unopposed"),
        ("E12", "Adopted: consent dispensed with by the court"),
        ("E2", "Died"),
        ("E3", "Care taken over by another local authority in the UK"),
        ("E4A", "Returned home to live with parent(s), relative(s) or other person(s) with parental responsibility as part of the care planning process"),
        ("E4B", "Returned home to live with parent(s), relative(s) or other person(s) with parental responsibility which was not part of the current care planning process"),
        ("E13", "Left care to live with parent(s), relative(s) or other person(s) with no parental responsibility"),
        ("E41", "Residence order (or, from 22 April 2014, a child arrangement order which sets out with whom the child is to live) granted"),
        ("E45", "Special guardianship order made to former foster carer(s), who was/are a relative(s) or friend(s)"),
        ("E46", "Special guardianship order made to former foster carer(s), other than relative(s) or friend(s)"),
        ("E47", "Special guardianship order made to carer(s), other than former foster carer(s), who was/are a relative(s) or friend(s)"),
        ("E48", "Special guardianship order made to carer(s), other than former foster carer(s), other than relative(s) or friend(s)"),
        ("E5", "Moved into independent living arrangement and no longer looked-after: supportive accommodation providing formalised advice/support arrangements"),
        ("E6", "Moved into independent living arrangement and no longer looked-after: accommodation providing no formalised advice/support arrangements"),
        ("E7", "Transferred to residential care funded by adult social care services"),
        ("E8", "Period of being looked-after ceased for any other reason"),
        ("E9", "Sentenced to custody"),
        ("E14", "Accommodation on remand ended"),
        ("E15", "Age assessment determined child is aged 18 or over"),
        ("E16", "Child moved abroad"),
        ("E17", "Aged 18 (or over) and remained with current carers (staying put)"),
    ]
)

#: Groupings of REC used in IRO reports (why children left care). X1 (a new episode
#: begins the same day) is not a leaving reason and maps to NA.
REC_GROUPS = MappingProxyType(
    {
        "E11": "Adopted",
        "E12": "Adopted",
        "E4A": "Returned home",
        "E4B": "Returned home",
        "E45": "Special guardianship order",
        "E46": "Special guardianship order",
        "E47": "Special guardianship order",
        "E48": "Special guardianship order",
        "E41": "Residence or child arrangements order",
        "E5": "Independent living",
        "E6": "Independent living",
        "E3": "Transferred",
        "E7": "Transferred",
        "E2": "Other",
        "E13": "Other",
        "E8": "Other",
        "E9": "Other",
        "E14": "Other",
        "E15": "Other",
        "E16": "Other",
        "E17": "Other",  # staying put: not independent living
    }
)

_REASON_PLACE_CHANGE = _codes(
    [
        ("CARPL", "Change to/implementation of care plan"),
        ("CLOSE", "Resignation/closure of provision"),
        ("ALLEG", "Allegation (s47)"),
        ("STAND", "Standards of care concern"),
        ("APPRR", "Approval removed"),
        ("CREQB", "Carer requests placement end due to child's behaviour"),
        ("CREQO", "Carer requests placement end, other than due to child's behaviour"),
        ("CHILD", "Child requests placement end"),
        ("LAREQ", "Responsible/area authority requests placement end"),
        ("PLACE", "Change in the status of placement only"),
        ("CUSTOD", "Custody arrangement"),
        ("OTHER", "Other"),
    ]
)

_REVIEW_CODE = _codes(
    [
        ("PN0", "Child aged under 4 at the time of the review"),
        ("PN1", "Child physically attends and speaks for him or herself"),
        ("PN2", "Child physically attends and an advocate speaks on his or her behalf"),
        ("PN3", "Child attends and conveys his or her view symbolically (non-verbally)"),
        ("PN4", "Child physically attends but does not speak for him or herself, does not convey his or her view symbolically (non-verbally) and does not ask an advocate to speak for him or her"),
        ("PN5", "Child does not attend physically but briefs an advocate to speak for him or her (through text, written format, phone, audio/video, viewpoint)"),
        ("PN6", "Child does not attend but conveys his or her feelings to the review by a facilitative medium"),
        ("PN7", "Child does not attend nor are his or her views conveyed to the review"),
    ]
)

_MISSING = _codes([("M", "Missing"), ("A", "Away from placement without authorisation")])

_MOTHER = _codes([("0", "Not a mother"), ("1", "Is a mother")])

_REASON_PLACED_CEASED = _codes(
    [
        ("RD1", "Decision changed: child no longer to be placed for adoption"),
        ("RD2", "Child adopted or placed with adopters"),
        ("RD3", "Child's needs changed"),
        ("RD4", "Other reason"),
    ]
)

_PREV_PERM = _codes(
    [
        ("P1", "Adoption"),
        ("P2", "Special guardianship order"),
        ("P3", "Residence order or child arrangements order"),
        ("P4", "Unknown"),
        ("Z1", "Child has not previously had a permanence option"),
    ]
)

_SW_REASON = _codes(
    [
        ("MANAGE", "Management decision"),
        ("FCONTA", "Family contact"),
        ("LEFTRL", "Social worker left role"),
        ("ORGRST", "Organisational restructure"),
        ("TSPROC", "Transition of service or process"),
        ("ABSENC", "Social worker absence"),
        ("CHCHAN", "Child's circumstances changed"),
        ("PCCHAN", "Placement or care changed"),
        ("SWDIED", "Social worker died"),
        ("OTHERS", "Other reason"),
    ]
)

_SEX_ADOPTR = _codes(
    [
        ("M1", "Single male adopter"),
        ("F1", "Single female adopter"),
        ("MM", "Male couple"),
        ("FF", "Female couple"),
        ("MF", "Mixed-sex couple"),
    ]
)

_LS_ADOPTR = _codes(
    [
        ("L0", "Single adopter"),
        ("L11", "Married couple"),
        ("L12", "Civil partners"),
        ("L2", "Unmarried couple"),
        ("L3", "Couple, one of whom is the child's parent"),
        ("L4", "Other"),
    ]
)

_IN_TOUCH = _codes(
    [
        ("YES", "In touch"),
        ("NO", "Not in touch"),
        ("DIED", "Died"),
        ("REFU", "Young person refuses contact"),
        ("NREQ", "Local authority not required to be in touch"),
        ("RHOM", "Returned home to live for a continuous period of 6 months or more"),
    ]
)

_UASC = _codes([("0", "Not an unaccompanied asylum-seeking child"), ("1", "Unaccompanied asylum-seeking child")])

_LISTS: dict[str, list[_Code]] = {
    "ETHNIC": _ETHNIC,
    "SEX": _SEX,
    "LS": _LS,
    "RNE": _RNE,
    "CIN": _CIN,
    "PLACE": _PLACE,
    "PLACE_PROVIDER": _PLACE_PROVIDER,
    "REC": _REC,
    "REASON_PLACE_CHANGE": _REASON_PLACE_CHANGE,
    "REVIEW_CODE": _REVIEW_CODE,
    "MISSING": _MISSING,
    "MOTHER": _MOTHER,
    "REASON_PLACED_CEASED": _REASON_PLACED_CEASED,
    "PREV_PERM": _PREV_PERM,
    "SW_REASON": _SW_REASON,
    "SEX_ADOPTR": _SEX_ADOPTR,
    "LS_ADOPTR": _LS_ADOPTR,
    "IN_TOUCH": _IN_TOUCH,
    "UASC": _UASC,
}

#: Columns with a code list (the keys accepted by :func:`valid_codes`).
CODE_COLUMNS = tuple(_LISTS)

#: Default ETHNIC -> main group (DfE characteristics-table convention, see module Notes).
ETHNIC_GROUPS = MappingProxyType(
    {
        "WBRI": "White",
        "WIRI": "White",
        "WOTH": "White",
        "WIRT": "White",
        "WROM": "White",
        "MWBC": "Mixed",
        "MWBA": "Mixed",
        "MWAS": "Mixed",
        "MOTH": "Mixed",
        "AIND": "Asian",
        "APKN": "Asian",
        "ABAN": "Asian",
        "AOTH": "Asian",
        "CHNE": "Asian",
        "BCRB": "Black",
        "BAFR": "Black",
        "BOTH": "Black",
        "OOTH": "Other",
        "REFU": "Refused or not obtained",
        "NOBT": "Refused or not obtained",
    }
)

#: Display order of the main groups.
ETHNIC_GROUP_ORDER = ("White", "Mixed", "Asian", "Black", "Other", "Refused or not obtained")

#: Our short group labels -> the labels DfE uses in its LA characteristics tables.
DFE_ETHNIC_GROUP_LABELS = MappingProxyType(
    {
        "White": "White",
        "Mixed": "Mixed or Multiple ethnic groups",
        "Asian": "Asian or Asian British",
        "Black": "Black, African, Caribbean or Black British",
        "Other": "Other ethnic group",
        "Refused or not obtained": "Refused or information not yet available",
    }
)


def _column_list(column: str) -> list[_Code]:
    key = str(column).strip().upper()
    if key not in _LISTS:
        raise ParameterError(
            f"No code list for column {column!r}. Columns with code lists: {', '.join(CODE_COLUMNS)}."
        )
    return _LISTS[key]


def valid_codes(column: str, year: int | None = None) -> frozenset:
    """The codes valid in a column for a collection year.

    Parameters
    ----------
    column : str
        DfE column name, e.g. ``"PLACE"``, ``"SEX"``, ``"REVIEW_CODE"`` (case-insensitive).
    year : int, optional
        Collection year (year ending 31 March, ``2025`` = 2024-25). ``None`` gives the
        union over all years.

    Returns
    -------
    frozenset of str

    Raises
    ------
    ParameterError
        If the column has no code list.

    Examples
    --------
    >>> sorted(valid_codes("SEX", 2024))
    ['1', '2']
    >>> sorted(valid_codes("SEX", 2025))
    ['F', 'M', 'U']
    >>> "K3" in valid_codes("PLACE", 2024), "K3" in valid_codes("PLACE", 2025)
    (False, True)
    """
    y = None if year is None else int(year)
    return frozenset(c.code for c in _column_list(column) if c.valid_in(y))


def descriptions(column: str, year: int | None = None) -> dict:
    """Mapping code -> description for a column (all years if ``year`` is None)."""
    y = None if year is None else int(year)
    return {c.code: c.description for c in _column_list(column) if c.valid_in(y)}


def describe(column: str, code) -> str:
    """Description of one code.

    Parameters
    ----------
    column : str
        DfE column name.
    code : str
        The code (case and surrounding spaces ignored).

    Returns
    -------
    str
        The DfE description; ``"Not recorded"`` for a blank/missing code and
        ``"Unknown code 'X'"`` for a code not in the list in any year.

    Examples
    --------
    >>> describe("REVIEW_CODE", "pn0")
    'Child aged under 4 at the time of the review'
    >>> describe("LS", "ZZ")
    "Unknown code 'ZZ'"
    """
    entries = _column_list(column)
    if code is None or (not isinstance(code, str) and pd.isna(code)):
        return "Not recorded"
    key = str(code).strip().upper()
    if key == "":
        return "Not recorded"
    for c in entries:
        if c.code == key:
            return c.description
    return f"Unknown code {key!r}"


def _map_codes(codes, mapping) -> pd.Series:
    s = codes if isinstance(codes, pd.Series) else pd.Series(codes)
    keys = s.astype(object).where(s.notna(), None)
    keys = keys.map(lambda v: v.strip().upper() if isinstance(v, str) else v)
    out = keys.map(lambda v: mapping.get(v, np.nan) if v is not None else np.nan)
    return out.astype(object).rename(s.name)


def ethnic_group(codes, mapping=None) -> pd.Series:
    """Map ETHNIC codes to main ethnic groups.

    Parameters
    ----------
    codes : Series or sequence of str
        ETHNIC codes (case-insensitive).
    mapping : dict, optional
        Overrides merged onto :data:`ETHNIC_GROUPS`, e.g. ``{"CHNE": "Other"}`` for the
        pre-2021 DfE convention, or ``{"REFU": None, "NOBT": None}`` to treat them as missing.

    Returns
    -------
    Series
        Group labels (object dtype), same index as ``codes``; NaN for blank or unknown codes.

    Notes
    -----
    Default groups follow the DfE characteristics tables (White, Mixed, Asian, Black,
    Other, Refused or not obtained), with Chinese under Asian.

    Examples
    --------
    >>> ethnic_group(["WBRI", "chne", "REFU", "XXXX"]).tolist()
    ['White', 'Asian', 'Refused or not obtained', nan]
    >>> ethnic_group(["CHNE"], mapping={"CHNE": "Other"}).tolist()
    ['Other']
    """
    full = dict(ETHNIC_GROUPS)
    if mapping is not None:
        full.update({str(k).strip().upper(): v for k, v in dict(mapping).items()})
    full = {k: (np.nan if v is None else v) for k, v in full.items()}
    return _map_codes(codes, full)


def legal_status_group(codes) -> pd.Series:
    """Map LS codes to groups (Care order, Placement order, Section 20, Short breaks,
    Emergency order, Youth justice); NaN for blank/unknown.

    Examples
    --------
    >>> legal_status_group(["C2", "E1", "V2", "V4", "L1", "J1"]).tolist()
    ['Care order', 'Placement order', 'Section 20', 'Short breaks', 'Emergency order', 'Youth justice']
    """
    return _map_codes(codes, dict(LS_GROUPS))


def reason_ceased_group(codes) -> pd.Series:
    """Map REC codes to leaving-care groups used in IRO reports (Adopted, Returned home,
    Special guardianship order, Residence or child arrangements order, Independent living,
    Transferred, Other); NaN for X1, blank or unknown.

    Examples
    --------
    >>> reason_ceased_group(["E11", "E4A", "E45", "E41", "E5", "E3", "E8", "X1"]).tolist()
    ['Adopted', 'Returned home', 'Special guardianship order', 'Residence or child arrangements order', 'Independent living', 'Transferred', 'Other', nan]
    """
    return _map_codes(codes, dict(REC_GROUPS))
