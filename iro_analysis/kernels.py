"""Kernels for report runs: quiet, and stoppable from outside the thread that runs them.

papermill starts one Jupyter kernel per report inside the worker that runs it, and nothing outside
that worker can reach it. :class:`ReportKernelManager` (passed to papermill as
``kernel_manager_class``) records every kernel it starts under the current run's token, so that
:func:`kill_kernels` can end them: on Ctrl-C or SIGTERM, and when a report runs past its time
limit. The worker then sees its kernel die and returns at once.

On Linux and macOS the kernel talks over Unix sockets (the IPC transport) rather than TCP: no
ports to race for when several kernels start together, and no "Kernel is running over TCP
without encryption" warning on every report.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import tempfile
import threading
import uuid

from jupyter_client import AsyncKernelManager
from jupyter_core.paths import jupyter_runtime_dir

__all__ = ["ReportKernelManager", "kernel_scope", "serving", "kill_kernels", "forget_kills", "running_kernels"]

_TOKEN: contextvars.ContextVar[str | None] = contextvars.ContextVar("iro_report_token", default=None)
_RUNNING: dict[str, set] = {}
# Token prefixes whose kernels must die, including kernels that start after the kill was asked.
_KILLED: set[str] = set()
_LOCK = threading.Lock()
# Unix socket paths are limited to about 104 bytes; the kernel adds "-ipc-<n>" to this prefix.
_MAX_SOCKET_PREFIX = 80


def _ipc_folder() -> str:
    folder = jupyter_runtime_dir()
    if len(os.path.join(folder, "kernel-" + "x" * 36)) > _MAX_SOCKET_PREFIX:
        folder = tempfile.gettempdir()
    os.makedirs(folder, exist_ok=True)
    return folder


class ReportKernelManager(AsyncKernelManager):
    """An ``AsyncKernelManager`` that uses the IPC transport where it can and can be killed
    from another thread (see :func:`kill_kernels`)."""

    def __init__(self, *args, **kwargs):
        if os.name == "posix" and "transport" not in kwargs:
            kernel_id = str(uuid.uuid4())
            kwargs.update(transport="ipc", kernel_id=kernel_id,
                          connection_file=os.path.join(_ipc_folder(), f"kernel-{kernel_id}.json"))
        super().__init__(*args, **kwargs)
        self._iro_token = _TOKEN.get()

    async def start_kernel(self, **kwargs):
        # The kernel's own log only says harmless things at shutdown ("KeyboardInterrupt caught in
        # kernel."), once per report; cell errors reach the runner through messages, not this log.
        # No input history: nobody recalls a report's cells, and writing each one to IPython's
        # SQLite file took a few per cent of a report (and kept the authorities' data paths there).
        kwargs["extra_arguments"] = [*kwargs.get("extra_arguments", []), "--IPKernelApp.log_level=CRITICAL",
                                     "--HistoryManager.enabled=False"]
        await super().start_kernel(**kwargs)
        token = self._iro_token or ""
        with _LOCK:
            _RUNNING.setdefault(token, set()).add(self)
            doomed = any(token.startswith(prefix) for prefix in _KILLED)
        if doomed:  # the run was stopped while this kernel was starting
            self.kill_now()

    async def cleanup_resources(self, restart: bool = False):
        with _LOCK:
            _RUNNING.get(self._iro_token or "", set()).discard(self)
        await super().cleanup_resources(restart=restart)

    def kill_now(self) -> None:
        """Kill the kernel process (SIGKILL); safe from any thread, and if it already ended."""
        process = getattr(getattr(self, "provisioner", None), "process", None)
        if process is not None:
            with contextlib.suppress(OSError):
                process.kill()


@contextlib.contextmanager
def kernel_scope(token: str):
    """Record kernels started in this block (in this thread) under ``token``."""
    reset = _TOKEN.set(token)
    try:
        yield token
    finally:
        _TOKEN.reset(reset)
        with _LOCK:
            _RUNNING.pop(token, None)
            _KILLED.discard(token)


@contextlib.contextmanager
def serving(km: ReportKernelManager, token: str):
    """Record an already running (warm) kernel under ``token`` while it runs that token's report.

    A kernel that serves many reports is killed by :func:`kill_kernels` for the report it is
    running, as a kernel started for that report would be; it is killed at once if the run was
    stopped before the report began.
    """
    with _LOCK:
        _RUNNING.setdefault(token, set()).add(km)
        doomed = any(token.startswith(prefix) for prefix in _KILLED)
    if doomed:
        km.kill_now()
    try:
        yield km
    finally:
        with _LOCK:
            managers = _RUNNING.get(token)
            if managers is not None:
                managers.discard(km)
                if not managers:
                    del _RUNNING[token]


def running_kernels(prefix: str = "") -> list[ReportKernelManager]:
    """Kernels started by :class:`ReportKernelManager` under tokens starting with ``prefix``."""
    with _LOCK:
        return [km for token, managers in _RUNNING.items() if token.startswith(prefix) for km in managers]


def kill_kernels(prefix: str) -> int:
    """Kill the kernels of every run whose token starts with ``prefix``, now and as they start.

    Call :func:`forget_kills` with the same prefix once those runs have ended.

    Returns
    -------
    int
        How many running kernels were killed.
    """
    with _LOCK:
        _KILLED.add(prefix)
    managers = running_kernels(prefix)
    for km in managers:
        km.kill_now()
    return len(managers)


def forget_kills(prefix: str) -> None:
    """Let kernels under ``prefix`` start again (after :func:`kill_kernels`)."""
    with _LOCK:
        _KILLED.discard(prefix)
