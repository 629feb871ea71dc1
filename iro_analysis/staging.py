"""All-or-nothing report folders.

A report is several files (executed notebook, HTML, ``tables.xlsx``, ``restricted/``). Written in
place, a run that fails half-way leaves the old HTML beside new tables and a half-executed
notebook. Instead each run writes into a private staging folder inside the year folder, and
:func:`swap_in` replaces the authority's folder with it only when every file was written and
checked. A failed or interrupted run deletes its staging folder; the previous complete report (or
none) stays.

Layout while a report runs (the notebook writes to ``<output_dir>/<year>/<la_code>/``, so the
staging folder is passed to it as ``output_dir``)::

    <output_root>/<year>/.staging-<la_code>-<pid>-<random>/<year>/<la_code>/...
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

from .errors import ParameterError

__all__ = ["StagedReport", "prepare_year_folder", "remove_stale_staging", "swap_in"]

_STAGING = re.compile(r"\.(?:staging|old)-[^-]+-(\d+)-")


def prepare_year_folder(folder) -> Path:
    """Create the year folder and make sure reports can be written there.

    Raises
    ------
    ParameterError
        When the folder cannot be created or written (read-only, a file in the way, no space),
        naming it and what to do.
    """
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ParameterError(
            f"cannot write reports to {folder}: {reason}. Choose another output folder (--output) or "
            "ask for write access to this one."
        ) from exc
    return folder


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def remove_stale_staging(folder) -> list[Path]:
    """Delete staging folders left by runs that were killed (their process no longer exists).

    Folders of runs still going (this process or another live one) are left alone.
    """
    removed = []
    for path in Path(folder).glob(".*-*-*-*"):
        match = _STAGING.match(path.name)
        if match and path.is_dir() and not _alive(int(match.group(1))):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


class StagedReport:
    """A private folder one report is written into before it replaces the published one.

    Parameters
    ----------
    year_folder : path
        ``<output_root>/<year>``, already created (see :func:`prepare_year_folder`).
    year : int
    la_code : str

    Attributes
    ----------
    root : Path
        The staging folder (owner-only permissions); give it to the notebook as ``output_dir``.
    folder : Path
        Where the notebook writes this report: ``root/<year>/<la_code>``.
    final : Path
        The published folder ``<year_folder>/<la_code>`` it replaces.
    """

    def __init__(self, year_folder, year: int, la_code: str):
        year_folder = Path(year_folder)
        self.final = year_folder / str(la_code)
        self.root = Path(tempfile.mkdtemp(prefix=f".staging-{la_code}-{os.getpid()}-", dir=year_folder))
        self.folder = self.root / str(year) / str(la_code)
        self.folder.mkdir(parents=True)
        # Child-level lists must never be readable by others, even while the run is going.
        (self.folder / "restricted").mkdir(mode=0o700)

    def swap_in(self) -> Path:
        """Replace the published folder with the staged one; see :func:`swap_in`."""
        restricted = self.folder / "restricted"
        if restricted.is_dir():
            os.chmod(restricted, 0o700)
        # mkdtemp made every level owner-only; the published report keeps ordinary permissions.
        os.chmod(self.folder, 0o777 & ~_umask())
        swap_in(self.folder, self.final)
        self.discard()
        return self.final

    def discard(self) -> None:
        """Delete the staging folder (after a failure, or what is left after :meth:`swap_in`)."""
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.discard()


def _umask() -> int:
    from .files import process_umask

    return process_umask()


def swap_in(staged, final) -> Path:
    """Move ``staged`` to ``final``, replacing any previous folder there.

    Each rename is atomic; the previous folder is moved aside first and put back if the second
    rename fails, so ``final`` always holds one complete report (or none, as before).
    """
    staged, final = Path(staged), Path(final)
    old = None
    if final.exists():
        old = Path(tempfile.mkdtemp(prefix=f".old-{final.name}-{os.getpid()}-", dir=final.parent)) / final.name
        os.replace(final, old)
    try:
        os.replace(staged, final)
    except BaseException:
        if old is not None:
            os.replace(old, final)
        raise
    finally:
        if old is not None:
            shutil.rmtree(old.parent, ignore_errors=True)
    return final
