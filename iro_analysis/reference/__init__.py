"""Published reference data: finding, reading and harmonising DfE, ONS and gov.uk files.

The package ships none of these files; see ``data/reference/README.md`` in the project or run
``iro-analysis reference`` for what to download and where to put it.

Finding and reading (for every module that uses published files):

- :func:`find_reference_file` / :func:`find_reference_files` / :func:`reference_search_path`;
- :func:`read_dfe_csv` (DfE CSV as published; numeric columns parsed, suppression symbols kept
  in ``<column>_flag``) and :func:`split_suppressed`.

Tidy tables: :func:`list_authorities`, :func:`resolve_authority`, :func:`cla_rates`,
:func:`cla_characteristics`, :func:`population_0_17`, :func:`population_for`,
:func:`statistical_neighbours`, :func:`neighbours_of`; inventory: :func:`reference_inventory`,
:func:`format_inventory`.

Imports run one way (``tests/test_reference_imports.py``): ``regions`` and ``checksums`` at the
bottom; ``search`` and ``inventory``; ``cache`` (disk and in-memory caches of tidied tables);
``_dfe`` (steps shared by the DfE loaders); ``dfe_cla`` and ``outcomes``; ``authorities`` (which
may build its lookup from ``dfe_cla``); then the loaders that resolve authorities
(``population``, ``neighbours``, ``ethnicity_population``).
"""

from __future__ import annotations

from .authorities import Authority, list_authorities, resolve_authority
from .dfe_cla import (
    CHARACTERISTICS_COLUMNS,
    RATES_COLUMNS,
    available_cla_releases,
    cla_characteristics,
    cla_rates,
    cla_rates_files,
    national_cla_characteristics,
    national_uasc_characteristics,
)
from .ethnicity_population import (
    DETAILED_ETHNIC_GROUPS,
    available_ethnicity_sources,
    detailed_ethnic_group,
    ethnicity_population,
    ethnicity_populations,
)
from .inventory import INVENTORY_COLUMNS, format_inventory, reference_inventory
from .neighbours import NEIGHBOUR_COLUMNS, SN_MODELS, neighbours_of, statistical_neighbours
from .outcomes import (
    health_outcomes,
    outcome_indicators,
    placement_stability,
    social_worker_changes,
)
from .population import POPULATION_FILE, population_0_17, population_for
from .regions import REGIONS, harmonise_region_name
from .search import (
    ENV_VAR,
    OGL_ATTRIBUTION,
    REFERENCE_FILES,
    SUPPRESSION_SYMBOLS,
    ReferenceFile,
    clear_reference_index,
    find_reference_file,
    find_reference_files,
    read_dfe_csv,
    reference_file_info,
    reference_folder_in_use,
    reference_search_path,
    split_suppressed,
    use_reference_folder,
)

__all__ = [
    "health_outcomes",
    "outcome_indicators",
    "placement_stability",
    "social_worker_changes",
    "DETAILED_ETHNIC_GROUPS",
    "available_ethnicity_sources",
    "detailed_ethnic_group",
    "ethnicity_population",
    "ethnicity_populations",
    "CHARACTERISTICS_COLUMNS",
    "ENV_VAR",
    "INVENTORY_COLUMNS",
    "NEIGHBOUR_COLUMNS",
    "OGL_ATTRIBUTION",
    "POPULATION_FILE",
    "RATES_COLUMNS",
    "REFERENCE_FILES",
    "REGIONS",
    "SN_MODELS",
    "SUPPRESSION_SYMBOLS",
    "Authority",
    "ReferenceFile",
    "available_cla_releases",
    "cla_characteristics",
    "cla_rates",
    "cla_rates_files",
    "clear_reference_index",
    "find_reference_file",
    "find_reference_files",
    "format_inventory",
    "harmonise_region_name",
    "list_authorities",
    "national_cla_characteristics",
    "national_uasc_characteristics",
    "neighbours_of",
    "population_0_17",
    "population_for",
    "read_dfe_csv",
    "reference_file_info",
    "reference_inventory",
    "reference_search_path",
    "use_reference_folder",
    "reference_folder_in_use",
    "resolve_authority",
    "split_suppressed",
    "statistical_neighbours",
]
