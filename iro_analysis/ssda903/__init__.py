"""The DfE SSDA903 (children looked after) return: reading and writing.

:func:`load_ssda903` reads a return in any of the layouts local authorities hold:

* a folder of DfE-format CSV files (tables recognised by their exact column sets, never by
  file name; header matching ignores case and surrounding spaces);
* an SSDA903 XML file (root ``EXPSSDA903``; DfE XSD "Expanded SSDA903 Return", v3.3.0);
* a folder of year folders (``2022/``, ``2023/`` or ``2022-23/`` …, each one return), or a
  flat folder / list of files whose names carry distinct years (``2019-episodes.csv``),
  stacked with a ``collection_year`` column;
* a single CSV file or a list of CSV files;
* the London LIIA "tidy" layout (ISO dates ``yyyy-mm-dd``, extra ``LA`` and ``YEAR``
  columns; ``YEAR`` becomes ``collection_year``).

Structural problems (a file that is not a CSV, a missing column, two files for one table,
a row of the wrong width, a cut-off file, month-first dates) raise
:class:`~iro_analysis.errors.SSDA903FormatError` naming the file, row and column.
Record-level problems (an unparseable date, an unknown code, a child missing from the
header) become rows of ``SSDA903.findings`` (see :mod:`iro_analysis.quality`). Input files
are only ever read.

:func:`write_return` writes the DfE CSV layout back out, so that data built or cleaned
here can be run through the DfE validator unchanged.

Submodules, bottom to top: ``model`` (the tables, their columns, :class:`SSDA903`,
:func:`as_return`, :func:`child_ids`, :func:`child_keys`); ``recognise`` (which table a
header is); ``raw`` (a table as read, cells factorised); ``read_csv`` (a CSV file: pyarrow for
plain files, pandas for the rest) and ``read_xml``; ``dates`` and ``types`` (typing a table);
``checks`` (whole-file checks: month-first dates, files not read) and ``records``
(record-level checks); ``write`` (:func:`write_return`); ``load`` (:func:`load_ssda903`).
"""

from __future__ import annotations

from .load import load_ssda903
from .model import (
    DATE_COLUMNS,
    DFE_TABLE_NAMES,
    SSDA903,
    TABLE_COLUMNS,
    TABLES,
    as_return,
    child_ids,
    child_keys,
)
from .recognise import identify_table
from .write import write_return

__all__ = [
    "SSDA903",
    "TABLE_COLUMNS",
    "TABLES",
    "DFE_TABLE_NAMES",
    "DATE_COLUMNS",
    "load_ssda903",
    "write_return",
    "identify_table",
    "as_return",
    "child_ids",
    "child_keys",
]
