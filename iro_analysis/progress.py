"""Progress of a batch on the terminal: one bar with an ETA, and one line per finished authority.

Written to standard error, so standard output keeps only the summary. ``enabled=False`` (the
command's ``--quiet``, for CI logs) prints nothing.
"""

from __future__ import annotations

import sys

__all__ = ["BatchProgress"]


class BatchProgress:
    """A tqdm bar over a batch's reports.

    Parameters
    ----------
    total : int
        Reports in the batch.
    enabled : bool, default True
    stream : file, optional
        Default ``sys.stderr``.
    """

    def __init__(self, total: int, *, enabled: bool = True, stream=None):
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.counts: dict[str, int] = {}
        self._bar = None
        if enabled:
            from tqdm import tqdm

            self._bar = tqdm(total=total, unit="report", file=self.stream, dynamic_ncols=True,
                             desc="IRO reports", bar_format="{desc}: {n}/{total} |{bar}| {elapsed}<{remaining}{postfix}")

    def update(self, record) -> None:
        """Count one finished report and print its line (authority, status, time, reason)."""
        self.counts[record.status] = self.counts.get(record.status, 0) + 1
        if self._bar is None:
            return
        reason = "" if record.status == "ok" else f": {record.error}: {record.message}"
        self._bar.write(f"  {record.la_code} {record.la_name}: {record.status} ({record.seconds:.1f} s){reason}",
                        file=self.stream)
        self._bar.set_postfix_str(", ".join(f"{n} {status}" for status, n in sorted(self.counts.items())))
        self._bar.update(1)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
