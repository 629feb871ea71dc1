"""Reading an SSDA903 XML return (root ``EXPSSDA903``; DfE XSD "Expanded SSDA903 Return", v3.3.0).

Each ``<CHILD>`` element is read as it ends (the file is never held whole) and spread into
the tables of the CSV layout: its ``<HEADER>`` gives the header row and, when filled, the
UASC, AD1 and OC3 rows; its reviews, missing episodes, permanence, OC2 and adoption
placements give rows of those tables; each ``<EPISODE>`` an episodes row.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd

from ..errors import SSDA903FormatError
from .model import TABLE_COLUMNS, TABLES
from .raw import _Raw, _raw_from_frame


_XML_HEADER_SCALARS = (
    "CHILDID", "UPN", "SEX", "DOB", "ETHNIC", "UASC", "DUC", "DATE_INT", "DATE_MATCH",
    "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR", "IN_TOUCH", "ACTIV", "ACCOM",
    "MOTHER", "MC_DOB",
)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].upper()


def _children_text(elem) -> dict[str, str]:
    return {_local(c.tag): (c.text or "").strip() for c in elem if len(c) == 0}


def _read_xml(path: Path) -> list[_Raw]:
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise SSDA903FormatError(f"cannot be read ({exc.strerror or exc}).", file=path) from None
    if not head.strip():
        raise SSDA903FormatError("is empty. Export the XML return again.", file=path)
    rows: dict[str, list[dict]] = {t: [] for t in TABLES}
    root_tag = None
    try:
        for event, elem in ET.iterparse(str(path), events=("start", "end")):
            if event == "start":
                if root_tag is None:
                    root_tag = _local(elem.tag)
                    if root_tag != "EXPSSDA903":
                        raise SSDA903FormatError(
                            f"is XML but its root element is <{root_tag}>, not <EXPSSDA903>: it is not an "
                            "SSDA903 return. Export the children looked after return as XML or CSV.",
                            file=path,
                        )
                continue
            if _local(elem.tag) != "CHILD" or elem.find("HEADER") is None and elem.find("EPISODE") is None:
                continue
            _xml_child(elem, rows)
            elem.clear()
    except ET.ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        raise SSDA903FormatError(
            f"is not well-formed XML ({exc}). Export the return again; do not edit XML by hand.",
            file=path,
            row=line,
        ) from None
    out = []
    for table, recs in rows.items():
        if table == "dolo" or (not recs and table not in ("header", "episodes", "reviews")):
            continue
        cols = TABLE_COLUMNS[table]
        frame = pd.DataFrame.from_records(recs, columns=list(cols)) if recs else pd.DataFrame(columns=list(cols))
        out.append(_raw_from_frame(table, frame, None, str(path)))
    return out


def _xml_child(child, rows) -> None:
    header = child.find("HEADER")
    h = _children_text(header) if header is not None else {}
    cid = h.get("CHILDID", "")
    dob = h.get("DOB", "")
    base = {"CHILD": cid, "DOB": dob}
    rows["header"].append(
        {"CHILD": cid, "SEX": h.get("SEX", ""), "DOB": dob, "ETHNIC": h.get("ETHNIC", ""),
         "UPN": h.get("UPN", ""), "MOTHER": h.get("MOTHER", ""), "MC_DOB": h.get("MC_DOB", "")}
    )
    if h.get("UASC", "") == "1" or h.get("DUC", ""):
        rows["uasc"].append({"CHILD": cid, "SEX": h.get("SEX", ""), "DOB": dob, "DUC": h.get("DUC", "")})
    if any(h.get(k, "") for k in TABLE_COLUMNS["ad1"][2:]):
        rows["ad1"].append({**base, **{k: h.get(k, "") for k in TABLE_COLUMNS["ad1"][2:]}})
    if any(h.get(k, "") for k in ("IN_TOUCH", "ACTIV", "ACCOM")):
        rows["oc3"].append({**base, **{k: h.get(k, "") for k in ("IN_TOUCH", "ACTIV", "ACCOM")}})
    if header is not None:
        for sub in header:
            tag = _local(sub.tag)
            if tag == "AREVIEW":
                rows["reviews"].append({**base, **_children_text(sub)})
            elif tag == "AMISSING":
                rows["missing"].append({**base, **_children_text(sub)})
            elif tag == "PERMANENCE":
                rows["previous_permanence"].append({**base, **_children_text(sub)})
            elif tag == "OC2":
                rows["oc2"].append({**base, **_children_text(sub)})
            elif tag == "AD_PLACED":
                rows["placed_for_adoption"].append({**base, **_children_text(sub)})
    for ep in child.findall("EPISODE"):
        e = _children_text(ep)
        if "PL" in e and "PLACE" not in e:
            e["PLACE"] = e.pop("PL")
        rows["episodes"].append({"CHILD": cid, **e})

