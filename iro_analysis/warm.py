"""Warm report kernels: one long-lived kernel per worker, reset between authorities.

Starting a Jupyter kernel, importing pandas, matplotlib and the package in it, and tidying the
published reference tables cost several seconds per report, the same for every authority. A
batch therefore keeps a small pool of kernels (one per report running at once) and runs one
authority after another in each, with nbclient and no per-cell saves. The notebook is
unchanged and stays the single source of the report: papermill's own code injects the
parameters cell, so the executed notebook is the one an analyst gets from papermill.

Isolation between authorities (:func:`reset_kernel_state`, run in the kernel before every
report): a fresh user namespace and execution count, every figure closed, matplotlib settings,
environment variables, the reference folder a report's ``reference_dir`` set, working directory, ``sys.path``
and warning filters put back as they were when the kernel was new, then a garbage collection,
after which what is left is frozen out of later ones (it is shared by every report and was
walked again many times in each); young collections run less often (:data:`GC_THRESHOLD`).
Modules stay imported, and
national tables (the same for every authority; see :mod:`iro_analysis.reference.cache`) stay cached;
nothing derived from a return is kept by the package between calls. A kernel that died, timed
out or was killed is thrown away and a new one started for the next authority.

A pool belongs to one batch (:func:`pool`, :func:`close_pool`) in whichever process runs the
reports: the batch's own process for local threads, each Dask worker on a cluster.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import itertools
import sys
import threading
from pathlib import Path

__all__ = ["WarmKernel", "WarmPool", "pool", "close_pool", "execute_notebook", "prepare_kernel",
           "reset_kernel_state"]

#: Modules a report imports; importing them when the kernel starts takes them out of every report.
WARM_IMPORTS = ("pandas", "matplotlib.pyplot", "scipy.optimize", "highspy", "IPython.display", "iro_analysis.authority_report",
                "iro_analysis.report", "iro_analysis.plots", "iro_analysis.export", "iro_analysis.timeliness",
                "iro_analysis.disproportionality", "iro_analysis.benchmarks")

#: Allocations between young-generation garbage collections in a report kernel (Python's is 700).
GC_THRESHOLD = 10_000

_PREPARE = "import iro_analysis.warm as _iro_warm; _iro_warm.prepare_kernel(); del _iro_warm"
_RESET = "import iro_analysis.warm as _iro_warm; _iro_warm.reset_kernel_state()"


# --- in the kernel ------------------------------------------------------------------------------

_BASELINE: dict = {}


def prepare_kernel() -> None:
    """Import what reports use and record the state every report must start from (in the kernel)."""
    import gc
    import importlib
    import os
    import warnings

    import matplotlib

    for name in WARM_IMPORTS:
        importlib.import_module(name)
    # A report makes and drops many small containers (pandas, matplotlib): young collections
    # every 700 of them ran about 150 times per report; every 10,000 is still a few MB at most.
    gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])
    _BASELINE.update(environ=dict(os.environ), cwd=os.getcwd(), path=list(sys.path),
                     rc=dict(matplotlib.rcParams), warnings=list(warnings.filters))


def reset_kernel_state() -> None:
    """Put the kernel back as :func:`prepare_kernel` left it (in the kernel, before each report)."""
    import gc
    import os
    import warnings

    import matplotlib
    import matplotlib.pyplot as plt
    from IPython import get_ipython

    from .reference.search import use_reference_folder

    if not _BASELINE:
        prepare_kernel()
    shell = get_ipython()
    if shell is not None:
        shell.reset(new_session=True)  # user variables, Out, history; execution count back to 1
    plt.close("all")
    dict.update(matplotlib.rcParams, _BASELINE["rc"])  # as rc_context does: no validation warnings
    os.environ.clear()
    os.environ.update(_BASELINE["environ"])
    use_reference_folder(None)  # a report's reference_dir is its own
    os.chdir(_BASELINE["cwd"])
    sys.path[:] = _BASELINE["path"]
    warnings.filters[:] = _BASELINE["warnings"]
    gc.collect()
    # What is left is what every report shares (modules, national tables): kept out of later
    # collections, each of which walked all of it again (about a tenth of a report's time).
    # What a report leaves behind is collected here before the next freeze; only a shared
    # object that later becomes part of unreachable cycle stays until the kernel ends.
    gc.freeze()


# --- in the batch's process ---------------------------------------------------------------------


class KernelGone(RuntimeError):
    """The kernel process ended while it was being reset or prepared."""


class WarmKernel:
    """One kernel, its client and the event loop (in its own thread) that drives them.

    Parameters
    ----------
    kernel_name : str
    token : str
        Names the kernel for :func:`iro_analysis.kernels.kill_kernels` while it waits for work.
    """

    def __init__(self, kernel_name: str, token: str):
        self.kernel_name, self.token = kernel_name, token
        self.km = self.kc = None
        self.reports = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name=f"iro-warm-{token}", daemon=True)
        self._thread.start()

    def _call(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result()

    @property
    def alive(self) -> bool:
        """Whether the kernel process is running."""
        return self.km is not None and self._call(self.km.is_alive())

    def start(self) -> None:
        """Start the kernel and import what reports use in it."""
        self._call(self._start())

    async def _start(self) -> None:
        from .kernels import ReportKernelManager

        km = ReportKernelManager(kernel_name=self.kernel_name)
        km._iro_token = self.token
        self.km = km
        await km.start_kernel()
        self.kc = km.client()
        self.kc.start_channels()
        await self.kc.wait_for_ready(timeout=120)
        await self._run_code(_PREPARE)

    async def _run_code(self, code: str, timeout: float = 300) -> None:
        """Run code silently (no output, no history) and raise if it fails or the kernel dies."""
        import queue

        msg_id = self.kc.execute(code, silent=True, store_history=False, allow_stdin=False)
        deadline = self._loop.time() + timeout
        while True:
            try:
                reply = await self.kc.get_shell_msg(timeout=1)
            except queue.Empty:
                if not await self.km.is_alive():
                    raise KernelGone("the report kernel died") from None
                if self._loop.time() > deadline:
                    raise TimeoutError(f"the report kernel did not answer within {timeout:g} s") from None
                continue
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        content = reply["content"]
        if content.get("status") != "ok":
            raise RuntimeError(f"report kernel could not be reset: {content.get('ename')}: {content.get('evalue')}")

    async def _execute(self, nb, timeout):
        from nbclient import NotebookClient

        client = NotebookClient(nb, km=self.km, kernel_name=self.kernel_name, timeout=timeout, allow_errors=False)
        client.kc = self.kc
        return await client.async_execute()

    def execute(self, nb, *, token: str, timeout: int):
        """Run a parameterised notebook for one report; ``token`` lets the report's kill reach it.

        Raises
        ------
        nbclient.exceptions.CellExecutionError
            From a cell (the kernel stays usable).
        Exception
            Anything else (a dead or timed-out kernel); the kernel is then closed.
        """
        from nbclient.exceptions import CellExecutionError

        from .kernels import serving

        for attempt in (1, 2):  # a kernel that died while waiting (killed, out of memory) is replaced
            if self.km is not None and not self.alive:
                self.close(restartable=True)
            if self.km is None:
                self.start()
            try:
                self._call(self._run_code(_RESET))
                break
            except KernelGone:
                self.close(restartable=True)
                if attempt == 2:
                    raise
        try:
            with serving(self.km, token):
                executed = self._call(self._execute(nb, timeout))
        except CellExecutionError:
            raise
        except BaseException:
            self.close(restartable=True)  # busy, dead or killed: a new kernel for the next report
            raise
        self.reports += 1
        return executed

    async def _shutdown(self) -> None:
        with contextlib.suppress(Exception):
            self.kc.stop_channels()
        with contextlib.suppress(Exception):
            await self.km.shutdown_kernel(now=True)

    def close(self, restartable: bool = False) -> None:
        """Stop the kernel; with ``restartable``, the next :meth:`execute` starts another."""
        if self.km is not None:
            with contextlib.suppress(Exception):
                asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(timeout=30)
            self.km = self.kc = None
        if not restartable and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)


class WarmPool:
    """The warm kernels of one batch in this process; a kernel serves one report at a time."""

    def __init__(self, batch_id: str, kernel_name: str = "python3"):
        self.batch_id, self.kernel_name = batch_id, kernel_name
        self._idle: list[WarmKernel] = []
        self._all: list[WarmKernel] = []
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()
        self.closed = False

    @contextlib.contextmanager
    def kernel(self):
        """Borrow an idle kernel (or a new one) for one report."""
        with self._lock:
            if self.closed:
                raise RuntimeError("the batch's kernels were closed")
            if self._idle:
                kernel = self._idle.pop()
            else:
                kernel = WarmKernel(self.kernel_name, f"{self.batch_id}/warm-{next(self._numbers)}")
                self._all.append(kernel)
        try:
            yield kernel
        finally:
            with self._lock:
                if self.closed:
                    kernel.close()
                else:
                    self._idle.append(kernel)

    @property
    def kernels(self) -> list[WarmKernel]:
        return list(self._all)

    def close(self) -> None:
        """Stop every kernel of the pool."""
        with self._lock:
            self.closed = True
            idle = list(self._idle)
            self._idle.clear()
        for kernel in idle:
            kernel.close()


_POOLS: dict[tuple[str, str], WarmPool] = {}
_POOLS_LOCK = threading.Lock()


def pool(batch_id: str, kernel_name: str = "python3") -> WarmPool:
    """The warm pool of a batch in this process (made on first use)."""
    with _POOLS_LOCK:
        found = _POOLS.get((batch_id, kernel_name))
        if found is None:
            found = _POOLS[(batch_id, kernel_name)] = WarmPool(batch_id, kernel_name)
        return found


def close_pool(batch_id: str) -> int:
    """Stop the warm kernels of a batch in this process; returns how many reports they ran."""
    with _POOLS_LOCK:
        pools = [_POOLS.pop(key) for key in list(_POOLS) if key[0] == batch_id]
    reports = 0
    for found in pools:
        reports += sum(kernel.reports for kernel in found.kernels)
        found.close()
    return reports


@atexit.register
def _close_all() -> None:
    for batch_id in {key[0] for key in list(_POOLS)}:
        close_pool(batch_id)


def execute_notebook(template: Path, output: Path, parameters: dict, *, batch_id: str, token: str,
                     kernel_name: str = "python3", timeout: int = 900):
    """Parameterise a notebook as papermill does, run it on a warm kernel and save it once.

    Parameters
    ----------
    template : Path
        The report notebook.
    output : Path
        Where the executed notebook is written (also when a cell failed, as papermill does).
    parameters : dict
    batch_id : str
        The batch whose pool to use (see :func:`pool`).
    token : str
        The report's kill token (:mod:`iro_analysis.kernels`).
    kernel_name : str, default "python3"
    timeout : int
        Seconds allowed per cell.

    Returns
    -------
    nbformat.NotebookNode
        The executed notebook.
    """
    import nbformat
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    nb = load_notebook_node(str(template))  # as papermill reads it (every cell gets a tags list)
    nb = parameterize_notebook(nb, parameters, kernel_name=kernel_name, language="python")
    try:
        with pool(batch_id, kernel_name).kernel() as kernel:
            return kernel.execute(nb, token=token, timeout=timeout)
    finally:
        nbformat.write(nb, str(output))
