"""The registry of published files the package knows about: what each holds, who publishes it,
where to download it and under which licence.

Error messages for a missing file and the ``iro-analysis reference`` inventory are built from
:data:`REFERENCE_FILES`; finding the files on disk is :mod:`iro_analysis.reference.search`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["OGL_ATTRIBUTION", "ReferenceFile", "REFERENCE_FILES", "reference_file_info"]

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
