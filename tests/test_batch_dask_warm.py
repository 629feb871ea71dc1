"""The warm, compute-once batch on a Dask cluster of two worker processes: each worker keeps its own
warm kernel, and the batch stops them when it ends."""

import json

import pytest

import iro_analysis.batch as batch

distributed = pytest.importorskip("distributed")

pytestmark = pytest.mark.slow


def _pools():
    from iro_analysis import warm

    return len(warm._POOLS)


def test_a_local_cluster_with_two_worker_processes_runs_warm_reports(tmp_path, synthetic_rutland, leaky_notebook,
                                                                   link_returns):
    codes = ["872", "857", "213", "330"]
    returns = link_returns(tmp_path / "returns", synthetic_rutland, codes)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as c:
        with distributed.Client(c) as client:
            manifest = batch.run_batch(2023, codes, data_root=returns, output_root=tmp_path / "out",
                                       executor=client.get_executor(), notebook=leaky_notebook)
            assert manifest["status"].tolist() == ["ok"] * 4, manifest[["la_code", "error", "message"]]
            assert set(client.run(_pools).values()) == {0}  # every worker stopped its kernels
    seen = [json.loads((tmp_path / "out" / "2023" / code / "restricted" / "seen.json").read_text())
            for code in codes]
    assert not any(s["leftover_variable"] or s["figures"] for s in seen)
    # four reports on at most two kernels (one per worker): kernels were reused
    assert len({s["pid"] for s in seen}) <= 2
