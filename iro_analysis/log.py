"""The package's one logger, ``logging.getLogger("iro_analysis")``.

Library code reports what it did (which reference file it read, a cache hit, a report started,
finished or failed) through :data:`logger` and never configures logging itself: a
:class:`logging.NullHandler` keeps it silent until the application adds a handler. The
``iro-analysis`` command does that with ``--verbose`` (INFO) or ``--debug`` (DEBUG); in a
notebook, ``logging.basicConfig(level="INFO")`` shows the same lines.

Messages name authorities, files and counts, never a child: a log is not a restricted output.
"""

from __future__ import annotations

import logging

__all__ = ["logger", "LOGGER_NAME", "log_to_stderr"]

#: The name every message of the package is logged under.
LOGGER_NAME = "iro_analysis"

logger = logging.getLogger(LOGGER_NAME)
logger.addHandler(logging.NullHandler())


def log_to_stderr(level: int | str = logging.INFO) -> logging.Handler:
    """Show the package's messages on standard error at ``level`` (for the command line).

    Adding it twice does not print lines twice: an earlier handler added here is replaced.

    Parameters
    ----------
    level : int or str, default INFO

    Returns
    -------
    logging.Handler
        The handler added (remove it with ``logger.removeHandler``).

    Examples
    --------
    >>> handler = log_to_stderr("DEBUG")
    >>> logger.level == logging.DEBUG
    True
    >>> logger.removeHandler(handler); logger.setLevel(logging.NOTSET)
    """
    for old in [h for h in logger.handlers if getattr(h, "_iro_stderr", False)]:
        logger.removeHandler(old)
    handler = logging.StreamHandler()
    handler._iro_stderr = True
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%H:%M:%S"))
    logger.addHandler(handler)
    logger.setLevel(level)
    return handler
