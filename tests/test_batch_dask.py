"""Batches on a Dask cluster: reports run on workers, a report Dask gives up on becomes a failed row,
and a cluster without workers is a clear error rather than a silent wait."""

import concurrent.futures
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

import iro_analysis.batch as batch
from iro_analysis.errors import IroAnalysisError

distributed = pytest.importorskip("distributed")

pytestmark = pytest.mark.slow

real_run_report = batch.run_report


def _dask_gives_up_on_872(la, year, **options):
    if str(la) == "872":
        raise distributed.KilledWorker("run_report-872", SimpleNamespace(address="tcp://127.0.0.1:1"), 3)
    return real_run_report(la, year, **options)


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0") as c:
        with distributed.Client(c) as client:
            yield client


@pytest.fixture(scope="module")
def returns(tmp_path_factory, synthetic_rutland):
    root = tmp_path_factory.mktemp("returns")
    for code in ("872", "857"):
        (root / code).symlink_to(synthetic_rutland, target_is_directory=True)
    return root


def test_reports_run_on_a_local_cluster(tmp_path, cluster, returns, tiny_notebook):
    manifest = batch.run_batch(2023, ["872", "857"], data_root=returns, output_root=tmp_path / "out",
                               executor=cluster.get_executor(), notebook=tiny_notebook)
    assert manifest["status"].tolist() == ["ok", "ok"], manifest[["la_code", "error", "message"]]
    assert (tmp_path / "out" / "2023" / "857" / "report.html").is_file()


def test_a_report_dask_gives_up_on_is_a_failed_row_not_an_exception(tmp_path, cluster, returns, monkeypatch,
                                                                     tiny_notebook):
    monkeypatch.setattr(batch, "run_report", _dask_gives_up_on_872)
    manifest = batch.run_batch(2023, ["872", "857"], data_root=returns, output_root=tmp_path / "out",
                               executor=cluster.get_executor(), notebook=tiny_notebook)
    rows = manifest.set_index("la_code")
    assert rows.loc["872", "status"] == "infra" and rows.loc["872", "error"] == "KilledWorker"
    assert "gave up" in rows.loc["872", "message"]
    assert rows.loc["857", "status"] == "ok"
    written = pd.read_csv(tmp_path / "out" / "2023" / "manifest.csv", dtype={"la_code": str})
    assert sorted(written["la_code"]) == ["857", "872"]
    assert (tmp_path / "out" / "2023" / "index.html").is_file()


def test_a_cluster_without_workers_is_a_clear_error(tmp_path, returns, tiny_notebook):
    with distributed.LocalCluster(n_workers=0, processes=False, dashboard_address=":0") as empty:
        with distributed.Client(empty) as client:
            with pytest.raises(IroAnalysisError, match="has no workers"):
                batch.run_batch(2023, ["872"], data_root=returns, output_root=tmp_path / "out",
                                executor=client.get_executor(), notebook=tiny_notebook, worker_wait=1)


class _WorkersGone:
    """An executor whose cluster lost every worker: tasks never finish, no worker is left."""

    class _client:
        @staticmethod
        def nthreads():
            return {}

    def submit(self, *args, **kwargs):
        return concurrent.futures.Future()


def test_when_every_worker_has_gone_the_remaining_reports_are_recorded(tmp_path, returns, monkeypatch, tiny_notebook):
    # checked before the first submission would refuse; let the batch start, then lose the workers
    monkeypatch.setattr(batch, "_wait_for_workers", lambda pool, seconds: None)
    manifest = batch.run_batch(2023, ["872", "857"], data_root=returns, output_root=tmp_path / "out",
                               executor=_WorkersGone(), notebook=tiny_notebook, worker_wait=1)
    assert manifest["status"].tolist() == ["infra", "infra"]
    assert set(manifest["error"]) == {"NoWorkers"}
    assert Path(tmp_path / "out" / "2023" / "manifest.csv").is_file()
