"""Codes and labels the cohort counts share: short breaks, age bands, placement groups."""

from __future__ import annotations

from .. import codes

#: Legal statuses of an agreed series of short-term breaks (excluded from DfE counts).
SHORT_BREAK_LS = ("V3", "V4")
_REMAND_LS = ("J1",)
_ADOPTION_PLACE = ("A3", "A4", "A5", "A6")

#: DfE age bands (labels as in the DfE characteristics tables) as (label, lowest age).
AGE_BANDS = (
    ("Under 1 year", 0),
    ("1 to 4 years", 1),
    ("5 to 9 years", 5),
    ("10 to 15 years", 10),
    ("16 years and over", 16),
)
_AGE_NOT_KNOWN = "Not known"
_NOT_RECORDED = "Not recorded"

#: PLACE -> DfE placement group (labels of the DfE characteristics table "Placement",
#: 2025 publication). H5, P2 and K3 are "Independent and semi-independent living
#: arrangements/supported accommodation"; T0-T4, Z1 and Z11-Z14 are "Other placements".
PLACEMENT_GROUPS = {
    **{c: "Foster placements" for c in ("U1", "U2", "U3", "U4", "U5", "U6")},
    **{c: "Placed for adoption" for c in _ADOPTION_PLACE},
    "P1": "Placed with parents or other person with parental responsibility",
    **{c: "Independent and semi-independent living arrangements/supported accommodation" for c in ("H5", "P2", "K3")},
    **{c: "Secure homes and children's homes" for c in ("K1", "K2")},
    **{c: "Other residential settings" for c in ("R1", "R2", "R3", "R5", "P3")},
    "S1": "Residential schools",
    **{c: "Other placements" for c in ("T0", "T1", "T2", "T3", "T4", "Z1", "Z11", "Z12", "Z13", "Z14")},
}
#: Display order of the placement groups.
PLACEMENT_GROUP_ORDER = (
    "Foster placements",
    "Placed for adoption",
    "Placed with parents or other person with parental responsibility",
    "Independent and semi-independent living arrangements/supported accommodation",
    "Secure homes and children's homes",
    "Other residential settings",
    "Residential schools",
    "Other placements",
)

_SEX_LABELS = {"M": "Male", "F": "Female", "U": "Unknown", "1": "Male", "2": "Female"}
_LS_GROUP_ORDER = tuple(dict.fromkeys(codes.LS_GROUPS.values()))
_REC_GROUP_ORDER = tuple(dict.fromkeys(codes.REC_GROUPS.values()))
_PN_CODES = ("PN0", "PN1", "PN2", "PN3", "PN4", "PN5", "PN6", "PN7")
_MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

_EPISODE_COLUMNS = ("CHILD", "DECOM", "RNE", "LS", "PLACE", "DEC", "REC")
