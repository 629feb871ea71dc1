"""The package's exception family.

Every error a user can provoke with bad input is one of these, and every message says
what is wrong, where (file, row, column where they apply) and what to do about it.
"""

from __future__ import annotations

__all__ = [
    "IroAnalysisError",
    "SSDA903FormatError",
    "IroRecordsError",
    "ReferenceDataError",
    "ParameterError",
    "DisclosureError",
]


class IroAnalysisError(Exception):
    """Base class for every error raised deliberately by ``iro_analysis``."""


class _LocatedError(IroAnalysisError):
    """An input file is unusable: the message is prefixed with where (file, row, column).

    Parameters
    ----------
    message : str
        What is wrong and what to do about it.
    file : str, optional
        The file (or folder) concerned.
    row : int, optional
        The 1-based line number in the file (the header is line 1).
    column : str, optional
        The column concerned.
    """

    def __init__(self, message: str, *, file=None, row=None, column=None):
        self.file = None if file is None else str(file)
        self.row = row
        self.column = column
        where = []
        if self.file is not None:
            where.append(f"file {self.file}")
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column}")
        prefix = f"{', '.join(where)}: " if where else ""
        super().__init__(prefix + message)


class SSDA903FormatError(_LocatedError, ValueError):
    """A return cannot be read: the structure of a file is wrong.

    Takes ``message`` and the keywords ``file``, ``row`` (1-based line, header = line 1) and
    ``column``; the message starts with where the problem is.
    """


class IroRecordsError(_LocatedError, ValueError):
    """IRO service records (``iro_records/`` or a workbook) or commentary files cannot be read.

    Same arguments as :class:`SSDA903FormatError`: ``message`` and ``file``, ``row``, ``column``.

    Examples
    --------
    >>> str(IroRecordsError("bad header.", file="caseloads.csv", row=1, column="month"))
    'file caseloads.csv, row 1, column month: bad header.'
    """


class ReferenceDataError(IroAnalysisError, FileNotFoundError):
    """A published reference file is missing or cannot be used."""


class ParameterError(IroAnalysisError, ValueError):
    """A parameter given by the user (authority, year, option) is not valid."""


class DisclosureError(IroAnalysisError):
    """A shareable output would reveal a child identifier or an unsuppressed small count."""
