"""Finding published reference files on disk.

The package ships no published data. Users download the DfE, ONS and gov.uk files they need
(see ``data/reference/README.md`` in the project, or ``iro-analysis reference``) and put them in
any folder on the *reference search path*, searched in this order:

0. the folder set for this process with :func:`use_reference_folder` (what a notebook's
   ``reference_dir`` parameter does, through ``report.validate_parameters``);
1. every folder in the environment variable ``IRO_REFERENCE_DIR`` (several folders separated by
   ``os.pathsep``: ``:`` on Linux/macOS, ``;`` on Windows);
2. ``<project>/data/reference/`` (``<project>`` = the folder holding the ``iro_analysis`` package
   source; for an installed package, also ``<current working directory>/data/reference/``);
3. ``<project>/../shared/external/`` (a shared mirror beside the checkout; also looked for beside
   the current working directory).

Each folder is searched recursively and files are matched by exact file name, so users may keep
any sub-folder layout (for example ``dfe_cla/``, ``population/``). The first folder on the path
that holds the file wins; within one folder the shallowest match wins (then alphabetical order).

:data:`REFERENCE_FILES` is the registry of the files the package knows about: what each holds,
who publishes it, where to download it and under which licence. Error messages and the
``iro-analysis reference`` inventory are built from it.
"""

from __future__ import annotations

import functools
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import ReferenceDataError
from ..log import logger
from .checksums import verify_reference_file

__all__ = [
    "ENV_VAR",
    "OGL_ATTRIBUTION",
    "ReferenceFile",
    "REFERENCE_FILES",
    "reference_file_info",
    "reference_search_path",
    "use_reference_folder",
    "reference_folder_in_use",
    "find_reference_file",
    "find_reference_files",
    "clear_reference_index",
    "SUPPRESSION_SYMBOLS",
    "read_dfe_csv",
    "split_suppressed",
]

#: Environment variable naming extra folders to search first.
ENV_VAR = "IRO_REFERENCE_DIR"

#: Attribution required by the Open Government Licence for every published file used.
OGL_ATTRIBUTION = (
    "Contains public sector information licensed under the Open Government Licence v3.0."
)

OGL = "Open Government Licence v3.0"
_OGL_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"

# Publication pages (the stable entry points users download from).
_EES = "https://explore-education-statistics.service.gov.uk/find-statistics/"
URL_CLA = _EES + "children-looked-after-in-england-including-adoptions"
URL_CIN = _EES + "characteristics-of-children-in-need"
URL_SCHOOL_CENSUS = _EES + "school-pupils-and-their-characteristics"
URL_LAIT = "https://www.gov.uk/government/publications/local-authority-interactive-tool-lait"
URL_ONS_MYE = (
    "https://www.ons.gov.uk/peoplepopulationandcommunity/populationandmigration/"
    "populationestimates/datasets/"
    "populationestimatesforukenglandandwalesscotlandandnorthernireland"
)
URL_DFE_CSC_DASHBOARD = "https://github.com/dfe-analytical-services/CSC_outcomes_and_enablers"
URL_ONS_TS021 = "https://www.ons.gov.uk/datasets/TS021/editions/2021/versions/3"
URL_NOMIS_DC2101EW = "https://www.nomisweb.co.uk/census/2011/dc2101ew"
URL_ONS_GEOPORTAL = "https://geoportal.statistics.gov.uk/"

_DFE = "Department for Education"
_ONS = "Office for National Statistics"


@dataclass(frozen=True)
class ReferenceFile:
    """One published file the package can use.

    Attributes
    ----------
    name : str
        Exact file name looked for on the search path.
    description : str
        What the file holds (years, geography).
    publisher : str
        Who publishes it.
    url : str
        Where a user downloads it (the publication page).
    licence : str
        Licence of the data.
    folder : str
        Suggested sub-folder (only a convention: any folder on the search path works).
    how_to_get : str
        Extra download or renaming instructions.
    """

    name: str
    description: str
    publisher: str
    url: str
    licence: str = OGL
    folder: str = ""
    how_to_get: str = ""


def _cla_rates(release: int) -> ReferenceFile:
    first = release - 4  # each release revises the five latest years
    return ReferenceFile(
        name=f"cla_number_and_rate_per_10k_children_{release}pub.csv",
        description=(
            f"Children looked after on 31 March, starting and ceasing: number and rate per 10,000 "
            f"children aged 0-17, England/regions/LAs, {first}-{release} "
            f"({release - 1}-{str(release)[2:]} release, November {release})"
        ),
        publisher=_DFE + " (Children looked after in England including adoptions)",
        url=URL_CLA,
        folder="dfe_cla",
        how_to_get=(
            f"Download the release for the year ending 31 March {release} ('Download all data' zip), "
            f"take cla_number_and_rate_per_10k_children.csv and save it as "
            f"cla_number_and_rate_per_10k_children_{release}pub.csv"
        ),
    )


#: Registry of known reference files (name -> :class:`ReferenceFile`).
REFERENCE_FILES: dict[str, ReferenceFile] = {
    f.name: f
    for f in [
        _cla_rates(2025),
        _cla_rates(2024),
        _cla_rates(2023),
        ReferenceFile(
            "la_cla_on_31_march_by_characteristics_2025pub_extract.csv",
            "Children looked after on 31 March by characteristic (ethnicity, UASC, sex, age, legal "
            "status, category of need, placement ...), England/regions/LAs, 2021-2025 "
            "(2025 release; extract of la_cla_on_31_march_by_characteristics.csv)",
            _DFE + " (Children looked after in England including adoptions)",
            URL_CLA,
            folder="dfe_cla",
            how_to_get=(
                "Download the 2025 release data zip and save la_cla_on_31_march_by_characteristics.csv "
                "under this name (columns number/percentage or children_count/children_percent both work)"
            ),
        ),
        ReferenceFile(
            "la_cla_on_31_march_ethnicity_uasc_sex_age_2024pub_extract.csv",
            "Children looked after on 31 March by ethnicity, UASC, gender and age group, "
            "England/regions/LAs, 2020-2024 (2024 release; extract)",
            _DFE + " (Children looked after in England including adoptions)",
            URL_CLA,
            folder="dfe_cla",
            how_to_get=(
                "Download the 2024 release data zip and save la_cla_on_31_march_by_characteristics.csv "
                "under this name"
            ),
        ),
        ReferenceFile(
            "national_cla_on_31_march_by_characteristics_2024pub.csv",
            "England: children looked after on 31 March by characteristic, with detailed ethnic "
            "groups, 2020-2024 (2024 release)",
            _DFE + " (Children looked after in England including adoptions)",
            URL_CLA,
            folder="dfe_cla",
        ),
        ReferenceFile(
            "national_cla_on_31_march_who_were_unaccompanied_asylum_seeking_children_2024pub.csv",
            "England: unaccompanied asylum-seeking children looked after on 31 March by age, "
            "gender and ethnicity, 2020-2024 (2024 release)",
            _DFE + " (Children looked after in England including adoptions)",
            URL_CLA,
            folder="dfe_cla",
        ),
        ReferenceFile(
            "cla_time_series_1994_2024.csv",
            "England: children looked after on 31 March, started and ceased, 1994-2024",
            _DFE + " (Children looked after in England including adoptions)",
            URL_CLA,
            folder="dfe_cla",
        ),
        ReferenceFile(
            "la_cla_placement_stability_2025pub.csv",
            "Placement stability (3+ placements; same placement 2+ years), England/regions/LAs, "
            "2021-2025",
            _DFE + " (Children looked after in England including adoptions)",
            URL_CLA,
            folder="dfe_cla",
        ),
        ReferenceFile(
            "la_conviction_health_outcome_cla_2025pub.csv",
            "Children looked after 12+ months: health assessments, dental checks, immunisations, "
            "SDQ, convictions, England/regions/LAs, 2021-2025",
            _DFE + " (Children looked after in England including adoptions)",
            URL_CLA,
            folder="dfe_cla",
        ),
        ReferenceFile(
            "la_cla_swcount.csv",
            "Children looked after on 31 March with 3 or more social workers in the year, 2024",
            _DFE + " (Children looked after in England including adoptions)",
            URL_CLA,
            folder="dfe_cla",
        ),
        ReferenceFile(
            "ons_mid-year_population_estimates_0_17_2012_to_2024.csv",
            "ONS mid-year estimates of children aged 0-17, England/regions/LAs, mid-2012 to "
            "mid-2024 (DfE compilation used as CLA rate denominators)",
            _ONS + " (compiled by " + _DFE + ")",
            URL_ONS_MYE,
            folder="population",
            how_to_get=(
                "DfE's compilation is data-raw/ons_mid-year_population_estimates_2012_to_2024.csv in "
                + URL_DFE_CSC_DASHBOARD
                + "; save it under this name"
            ),
        ),
        ReferenceFile(
            "census2021_ts021_ethnic_group_all_ages_la.csv",
            "Census 2021 TS021 ethnic group (20 categories), ALL AGES, upper-tier LAs",
            _ONS,
            URL_ONS_TS021,
            folder="population",
        ),
        ReferenceFile(
            "census2021_ts021_ethnic_group_all_ages_reg.csv",
            "Census 2021 TS021 ethnic group (20 categories), ALL AGES, regions",
            _ONS,
            URL_ONS_TS021,
            folder="population",
        ),
        ReferenceFile(
            "census2021_ts021_ethnic_group_all_ages_nat.csv",
            "Census 2021 TS021 ethnic group (20 categories), ALL AGES, England and Wales",
            _ONS,
            URL_ONS_TS021,
            folder="population",
        ),
        ReferenceFile(
            "census2011_dc2101ew_ethnic_group_by_sex_by_age_lad.csv",
            "Census 2011 DC2101EW ethnic group by sex by age, local authority districts (Nomis CSV)",
            _ONS,
            URL_NOMIS_DC2101EW,
            folder="population",
        ),
        ReferenceFile(
            "census2011_dc2101ew_ethnic_group_age0_17_utla23.csv",
            "Census 2011 ethnic group of children aged 0-17 by upper-tier LA (2023 boundaries), "
            "derived from DC2101EW",
            _ONS,
            URL_NOMIS_DC2101EW,
            folder="population",
        ),
        ReferenceFile(
            "spc_pupils_ethnicity_and_language_2016_to_2022_extract.csv",
            "School census: pupils by ethnicity, England/regions/LAs, January 2016-2022 (extract)",
            _DFE + " (Schools, pupils and their characteristics)",
            URL_SCHOOL_CENSUS,
            folder="school_census",
        ),
        ReferenceFile(
            "a7_cin_by_age_gender_ethnicity_2015_to_2022.csv",
            "England: children in need on 31 March by age, gender and ethnicity, 2015-2022",
            _DFE + " (Characteristics of children in need)",
            URL_CIN,
            folder="cin",
        ),
        ReferenceFile(
            "a4_cin_by_ethnicity_and_age_gender_2018_to_2022.csv",
            "England: children in need on 31 March by ethnicity, age and gender, 2018-2022",
            _DFE + " (Characteristics of children in need)",
            URL_CIN,
            folder="cin",
        ),
        ReferenceFile(
            "a5_cpp_initial_category_of_abuse_by_gender_age_ethnicity_2018_to_2022.csv",
            "England: children on a child protection plan by category of abuse, gender, age and "
            "ethnicity, 2018-2022",
            _DFE + " (Characteristics of children in need)",
            URL_CIN,
            folder="cin",
        ),
        ReferenceFile(
            "New_Statistical_Neighbour_Groupings_April_2021.csv",
            "Statistical neighbours (10 per LA, closest first), CSSNBT April 2021 LGR version",
            _DFE + " (Children's services statistical neighbour benchmarking tool)",
            URL_LAIT,
            folder="statistical_neighbours",
            how_to_get=(
                "Save the SN sheet of 'Childrens_services_statistical_neighbour_benchmarking_tool_-_"
                "LGR_Version__April_2021_.xlsx' as CSV (columns LA num, LA Name, ..., SN1, SNP, ..., SN10, SNP)"
            ),
        ),
        ReferenceFile(
            "sn_model_2025_wide.csv",
            "Statistical neighbours (10 per LA, closest first), 2025 model",
            _DFE + " (Children's services statistical neighbour benchmarking tool)",
            URL_LAIT,
            folder="statistical_neighbours",
            how_to_get="Also in data-raw/ of " + URL_DFE_CSC_DASHBOARD,
        ),
        ReferenceFile(
            "la_lookup_dfe.csv",
            "Local authority lookup: DfE 3-digit code, ONS code, name, region (built from the LA "
            "rows of the DfE CLA rates files)",
            _DFE,
            URL_CLA,
            folder="lookups",
            how_to_get=(
                "Optional: without it the package builds the same lookup from the "
                "cla_number_and_rate_per_10k_children_*pub.csv files"
            ),
        ),
        ReferenceFile(
            "LTLA-UTLA_Apr23_Lookup_England-Wales.csv",
            "ONS lower-tier to upper-tier local authority lookup, April 2023, England and Wales",
            _ONS + " (Open Geography portal)",
            URL_ONS_GEOPORTAL,
            folder="lookups",
        ),
    ]
}


def reference_file_info(name: str) -> ReferenceFile | None:
    """Return the registry entry for a file name, or None if the package does not know it.

    Rates files of releases not listed explicitly (``..._2026pub.csv``) get an entry built from
    the same template.
    """
    name = Path(name).name
    if name in REFERENCE_FILES:
        return REFERENCE_FILES[name]
    m = re.fullmatch(r"cla_number_and_rate_per_10k_children_(\d{4})pub\.csv", name)
    if m:
        return _cla_rates(int(m.group(1)))
    return None


# --------------------------------------------------------------------------------------------
# Search path


def _project_root() -> Path:
    # .../<project>/iro_analysis/reference/search.py -> <project>
    return Path(__file__).resolve().parents[2]


#: The folder given by :func:`use_reference_folder` (searched before everything else), or None.
_FOLDER_IN_USE: list[Path] = []


def use_reference_folder(folder) -> None:
    """Search ``folder`` first for every reference file this process reads, or stop (``None``).

    The explicit form of a notebook's ``reference_dir`` parameter: it replaces any folder set
    before (so running report after report in one kernel never stacks folders up) and leaves the
    environment alone (``IRO_REFERENCE_DIR`` is the user's setting, read but never written).

    Parameters
    ----------
    folder : path or None
        A folder of published reference files; ``None`` or ``""`` removes the override.

    Examples
    --------
    >>> use_reference_folder("/data/published")
    >>> reference_folder_in_use()
    PosixPath('/data/published')
    >>> reference_search_path()[0]
    PosixPath('/data/published')
    >>> use_reference_folder(None)
    >>> reference_folder_in_use() is None
    True
    """
    _FOLDER_IN_USE[:] = [] if folder in (None, "") else [Path(folder).expanduser()]


def reference_folder_in_use() -> Path | None:
    """The folder set by :func:`use_reference_folder`, or None."""
    return _FOLDER_IN_USE[0] if _FOLDER_IN_USE else None


def reference_search_path() -> list[Path]:
    """The folders searched for reference files, in order.

    Returns
    -------
    list of pathlib.Path
        The folder of :func:`use_reference_folder`, then ``$IRO_REFERENCE_DIR`` entries (in
        the order given), then ``<project>/data/reference``,
        then ``<project>/../shared/external``; for an installed package the same two folders
        relative to the current working directory are added. Folders that do not exist are
        included (so error messages can show them); duplicates are removed.

    Examples
    --------
    >>> paths = reference_search_path()
    >>> all(isinstance(p, Path) for p in paths)
    True
    """
    out: list[Path] = list(_FOLDER_IN_USE)
    env = os.environ.get(ENV_VAR, "")
    for part in env.split(os.pathsep):
        part = part.strip()
        if part:
            out.append(Path(part).expanduser())
    project = _project_root()
    cwd = Path.cwd()
    out += [
        project / "data" / "reference",
        cwd / "data" / "reference",
        project.parent / "shared" / "external",
        cwd.parent / "shared" / "external",
    ]
    seen: set[str] = set()
    unique: list[Path] = []
    for p in out:
        try:
            key = str(p.resolve())
        except OSError:
            key = str(p.absolute())
        if key not in seen:
            seen.add(key)
            unique.append(Path(key))
    return unique


# Per-root index: resolved root -> (directory signature, {file name: [paths]}). The signature is
# the mtimes of every directory scanned, so adding or removing a file anywhere below the root
# (which changes its folder's mtime) triggers a re-scan; stat-ing a few dozen folders is cheap.
_INDEX: dict[str, tuple[tuple, list[Path], dict[str, list[Path]]]] = {}
_LOCK = threading.Lock()
_SKIP_DIRS = {".git", ".venv", "venv", "node_modules", "__pycache__", ".ipynb_checkpoints"}


def clear_reference_index() -> None:
    """Forget the cached file index of every search folder (the next lookup re-scans)."""
    with _LOCK:
        _INDEX.clear()


def _signature(dirs: list[Path]) -> tuple:
    sig = []
    for d in dirs:
        try:
            sig.append(d.stat().st_mtime_ns)
        except OSError:
            sig.append(None)
    return tuple(sig)


def _scan(root: Path) -> tuple[list[Path], dict[str, list[Path]]]:
    index: dict[str, list[Path]] = {}
    dirs: list[Path] = []
    seen: set[str] = set()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        real = os.path.realpath(dirpath)
        if real in seen:  # a symbolic-link loop: do not descend again
            dirnames[:] = []
            continue
        seen.add(real)
        dirs.append(Path(dirpath))
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS and not d.startswith("."))
        for fn in filenames:
            index.setdefault(fn, []).append(Path(dirpath) / fn)
    for paths in index.values():
        paths.sort(key=lambda p: (len(p.relative_to(root).parts), str(p)))
    return dirs, index


def _root_index(root: Path) -> dict[str, list[Path]]:
    key = str(root)
    with _LOCK:
        cached = _INDEX.get(key)
    if cached is not None and _signature(cached[1]) == cached[0]:
        return cached[2]
    dirs, index = _scan(root)
    with _LOCK:
        _INDEX[key] = (_signature(dirs), dirs, index)
    return index


def _has_parts(parts: tuple[str, ...], want: tuple[str, ...]) -> bool:
    n = len(want)
    return any(parts[i : i + n] == want for i in range(len(parts) - n + 1))


def _find_in_root(root: Path, name: str, subdir: str | None) -> Path | None:
    found = _root_index(root).get(name, [])
    if subdir:
        want = Path(subdir).parts
        found = [p for p in found if _has_parts(p.parent.relative_to(root).parts, want)]
    for p in found:
        if p.is_file():
            return p
    return None


def find_reference_file(name: str, *, subdir: str | None = None) -> Path:
    """Find a published reference file on the search path.

    Parameters
    ----------
    name : str
        Exact file name, for example ``"cla_number_and_rate_per_10k_children_2025pub.csv"``.
        A name with folders (``"dfe_cla/x.csv"``) is read as ``subdir="dfe_cla"``.
    subdir : str, optional
        Only accept a file that sits inside a folder with this name (or relative path) below a
        search folder; use it for names that are not unique (``PROVENANCE.md``).

    Returns
    -------
    pathlib.Path
        Absolute path of the first match (search folders in :func:`reference_search_path`
        order; within a folder the shallowest match, then alphabetical).

    Raises
    ------
    ReferenceDataError
        If no search folder holds the file. The message names the file, every folder
        searched, the publisher and the download page (from :data:`REFERENCE_FILES`).

    Notes
    -----
    Each folder's file index is cached and re-built when any folder below it changes
    (checked by folder modification times), so files added while Python is running are found.

    Examples
    --------
    >>> find_reference_file("la_lookup_dfe.csv").name
    'la_lookup_dfe.csv'
    """
    if not isinstance(name, (str, os.PathLike)) or not str(name).strip():
        raise ReferenceDataError(f"A reference file name must be a non-empty string, got {name!r}.")
    p = Path(name)
    if len(p.parts) > 1:
        extra = str(p.parent)
        subdir = str(Path(subdir) / extra) if subdir else extra
    fname = p.name
    roots = reference_search_path()
    for root in roots:
        if root.is_dir():
            hit = _find_in_root(root, fname, subdir)
            if hit is not None:
                logger.debug("reference file %s: %s", fname, hit)
                return hit
    raise ReferenceDataError(_missing_message(fname, subdir, roots))


def find_reference_files(pattern: str) -> dict[str, Path]:
    r"""Find every reference file whose name matches a regular expression.

    Parameters
    ----------
    pattern : str
        Regular expression matched against the whole file name (``re.fullmatch``).

    Returns
    -------
    dict
        File name -> path of the first match on the search path (same precedence as
        :func:`find_reference_file`), in name order. Empty if nothing matches.

    Examples
    --------
    >>> sorted(find_reference_files(r"cla_number_and_rate_per_10k_children_\d{4}pub\.csv"))[:1]
    ['cla_number_and_rate_per_10k_children_2023pub.csv']
    """
    rx = re.compile(pattern)
    out: dict[str, Path] = {}
    for root in reference_search_path():
        if not root.is_dir():
            continue
        for name, paths in _root_index(root).items():
            if name not in out and rx.fullmatch(name):
                hit = next((p for p in paths if p.is_file()), None)
                if hit is not None:
                    out[name] = hit
    return dict(sorted(out.items()))


def _missing_message(name: str, subdir: str | None, roots: list[Path]) -> str:
    where = f" in a folder named '{subdir}'" if subdir else ""
    lines = [f"Reference file '{name}' was not found{where} on the reference search path."]
    lines.append("Folders searched (in order, each recursively):")
    for r in roots:
        note = "" if r.is_dir() else "  (does not exist)"
        lines.append(f"  - {r}{note}")
    info = reference_file_info(name)
    if info is not None:
        lines.append(f"It holds: {info.description}.")
        lines.append(f"Publisher: {info.publisher}. Licence: {info.licence}.")
        lines.append(f"Download it from: {info.url}")
        if info.how_to_get:
            lines.append(f"How: {info.how_to_get}.")
    else:
        lines.append(
            "This file is not in the package's registry of known reference files; check the name "
            "(run `iro-analysis reference` to list the expected files)."
        )
    lines.append(
        f"Then put it in <project>/data/reference/ (any sub-folder), or in a folder named in the "
        f"environment variable {ENV_VAR} (several folders separated by '{os.pathsep}')."
    )
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Reading DfE explore-education-statistics CSV files

#: Symbols DfE (and ONS) put in numeric cells instead of a number, lower-cased.
#: c = confidential (suppressed), x = not available, z = not applicable,
#: k = rounds to 0 but is not 0, low / u = low reliability or small, ":" = not available
#: (older ONS tables), "" = blank.
SUPPRESSION_SYMBOLS = frozenset({"c", "x", "z", "k", "low", "u", ":", ""})


def split_suppressed(
    values: pd.Series, *, file: str | os.PathLike | None = None, column: str | None = None
) -> tuple[pd.Series, pd.Series]:
    """Split DfE string values into numbers and suppression flags.

    Parameters
    ----------
    values : pandas.Series
        Strings as published (``"1,234"``, ``"57"``, ``"0.5"``, ``"c"``, ``"z"`` ...).
    file, column : optional
        Only used to say where a bad value is in the error message.

    Returns
    -------
    (numbers, flags) : tuple of pandas.Series
        ``numbers`` is float64 with NaN where a symbol (or blank) was published; ``flags`` holds
        the lower-cased symbol (``"c"``, ``"x"``, ``"z"``, ``"k"``, ``"low"``, ``"u"``, ``":"``) and
        ``""`` where a number was published (a blank cell is flagged ``""`` too, as nothing was
        published). Thousands separators are removed before parsing.

    Raises
    ------
    ReferenceDataError
        If a cell is neither a number nor a known symbol (names the file, row and column).

    Examples
    --------
    >>> n, f = split_suppressed(pd.Series(["1,234", "c", "7", "z", ""]))
    >>> n.tolist()[0], n.isna().tolist(), f.tolist()
    (1234.0, [False, True, False, True, True], ['', 'c', '', 'z', ''])
    """
    s = pd.Series(values, copy=False).astype(object)
    s = s.where(s.notna(), "")
    text = s.astype(str).str.strip()
    lower = text.str.lower()
    is_symbol = lower.isin(SUPPRESSION_SYMBOLS)
    cleaned = text.str.replace(",", "", regex=False).where(~is_symbol, None)
    numbers = pd.to_numeric(cleaned, errors="coerce").astype("float64")
    bad = ~is_symbol & numbers.isna()
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        where = []
        if file is not None:
            where.append(f"file {file}")
        where.append(f"row {i + 2}")  # 1-based, header is line 1
        if column is not None:
            where.append(f"column {column}")
        raise ReferenceDataError(
            f"{', '.join(where)}: value {text.iloc[i]!r} is neither a number nor a DfE "
            f"suppression symbol ({', '.join(sorted(x for x in SUPPRESSION_SYMBOLS if x))}). "
            "Check that the file is the unmodified published CSV."
        )
    flags = lower.where(is_symbol, "").astype(str)
    return numbers.set_axis(s.index), flags.set_axis(s.index)


@functools.lru_cache(maxsize=32)
def _read_cached(path: str, mtime_ns: int, size: int) -> pd.DataFrame:
    try:
        df = pd.read_csv(
            path, dtype=str, encoding="utf-8-sig", keep_default_na=False, low_memory=False
        )
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ReferenceDataError(
            f"file {path}: cannot be read as a CSV file ({exc}). Download it again from the "
            "publisher (see `iro-analysis reference`)."
        ) from None
    df.columns = [str(c).strip() for c in df.columns]
    # Spreadsheet exports often carry an empty trailing column ("Unnamed: 25").
    drop = [c for c in df.columns if c.startswith("Unnamed:") and (df[c] == "").all()]
    return df.drop(columns=drop)


def read_dfe_csv(
    source: str | os.PathLike,
    *,
    numeric: list[str] | tuple[str, ...] | None = None,
    subdir: str | None = None,
) -> pd.DataFrame:
    """Read a published DfE/ONS CSV exactly as published, optionally parsing numeric columns.

    Parameters
    ----------
    source : str or path-like
        A path to a file, or a bare file name looked up with :func:`find_reference_file`.
    numeric : sequence of str, optional
        Columns to parse as numbers with :func:`split_suppressed`: each becomes float64 (NaN
        where suppressed) and gains a ``<column>_flag`` column holding the symbol (or ``""``).
    subdir : str, optional
        Passed to :func:`find_reference_file` when ``source`` is a bare name.

    Returns
    -------
    pandas.DataFrame
        Every column as strings (``dtype=str``, blanks kept as ``""``, UTF-8 byte-order mark
        removed, column names stripped), except the ``numeric`` columns. A fresh copy: callers
        may modify it.

    Raises
    ------
    ReferenceDataError
        If the file is missing, unreadable, does not match the ``SHA256SUMS`` beside it (see
        :mod:`iro_analysis.reference.checksums`), lacks a requested numeric column or holds a
        value that is neither a number nor a suppression symbol.

    Notes
    -----
    Parsed files are cached by (resolved path, modification time, size), so a file replaced on
    disk is read again. Reading with ``keep_default_na=False`` matters: DfE's ``"NA"``-like
    strings and blanks must not silently become missing before the symbols are recorded.

    Examples
    --------
    >>> df = read_dfe_csv("cla_number_and_rate_per_10k_children_2025pub.csv",
    ...                   numeric=["children_count"])
    >>> df["children_count"].dtype, "children_count_flag" in df
    (dtype('float64'), True)
    """
    path = Path(source)
    if not path.is_file():
        if len(path.parts) <= 1 or subdir is not None or not path.is_absolute():
            path = find_reference_file(str(source), subdir=subdir)
        else:
            raise ReferenceDataError(f"Reference file {path} does not exist.")
    path = path.resolve()
    info = reference_file_info(path.name)
    verify_reference_file(path, url=info.url if info else None)
    st = path.stat()
    df = _read_cached(str(path), st.st_mtime_ns, st.st_size).copy()
    for col in numeric or ():
        if col not in df.columns:
            raise ReferenceDataError(
                f"file {path}: column {col!r} not found (columns: {', '.join(df.columns)}). "
                "Check that this is the published file."
            )
        values, flags = split_suppressed(df[col], file=path, column=col)
        df[col] = values
        df[f"{col}_flag"] = flags
    return df
