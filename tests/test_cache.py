"""The reference-data disk cache (keyed by file hash and package version, outside the project) and
the in-memory national tables (copies, refreshed when a reference file changes)."""

from pathlib import Path

import pandas as pd
import pytest

import iro_analysis
from iro_analysis import cache
from iro_analysis.errors import ReferenceDataError

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def cache_folder(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv(cache.CACHE_ENV, str(folder))
    return folder


def _counting_tidy(calls):
    @cache.disk_cached(path_arg=0)
    def tidy(path, mtime_ns, size, release):
        calls.append(path)
        return pd.read_csv(path).assign(release=release)

    return tidy


def _stamp(path):
    st = Path(path).stat()
    return str(path), st.st_mtime_ns, st.st_size


def test_the_cache_lives_outside_the_project_unless_told_otherwise(monkeypatch, tmp_path):
    monkeypatch.delenv(cache.CACHE_ENV, raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    default = cache.cache_dir()
    assert default == Path.home() / ".cache" / "iro_analysis"
    assert not default.resolve().is_relative_to(ROOT.resolve())
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_dir() == tmp_path / "xdg" / "iro_analysis"
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "mine"))
    assert cache.cache_dir() == tmp_path / "mine"
    monkeypatch.setenv(cache.CACHE_ENV, "off")
    assert cache.cache_dir() is None


def test_a_tidied_table_is_reused_until_its_file_changes(tmp_path, cache_folder):
    source = tmp_path / "table.csv"
    source.write_text("a,b\n1,2\n")
    calls = []
    tidy = _counting_tidy(calls)
    first = tidy(*_stamp(source), 2024)
    again = tidy(*_stamp(source), 2024)
    assert len(calls) == 1 and again.equals(first)
    entries = list(cache_folder.rglob("*.pkl"))
    assert len(entries) == 1 and entries[0].is_relative_to(cache_folder / iro_analysis.__version__)
    tidy(*_stamp(source), 2025)  # other arguments: another entry
    assert len(calls) == 2
    source.write_text("a,b\n1,3\n")  # same size, new content: a new hash
    changed = tidy(*_stamp(source), 2024)
    assert len(calls) == 3 and changed.loc[0, "b"] == 3


def test_a_new_package_version_does_not_read_old_entries(tmp_path, cache_folder, monkeypatch):
    source = tmp_path / "table.csv"
    source.write_text("a\n1\n")
    calls = []
    tidy = _counting_tidy(calls)
    tidy(*_stamp(source), 2024)
    monkeypatch.setattr(iro_analysis, "__version__", "999.0")
    tidy(*_stamp(source), 2024)
    assert len(calls) == 2


def test_a_cached_file_is_still_checked_against_its_checksums(tmp_path, cache_folder):
    source = tmp_path / "table.csv"
    source.write_text("a\n1\n")
    tidy = _counting_tidy([])
    tidy(*_stamp(source), 2024)
    (tmp_path / "SHA256SUMS").write_text(f"{'0' * 64}  table.csv\n")
    with pytest.raises(ReferenceDataError, match="corrupt"):
        tidy(*_stamp(source), 2024)


def test_off_and_an_unwritable_folder_only_cost_time(tmp_path, monkeypatch):
    source = tmp_path / "table.csv"
    source.write_text("a\n1\n")
    calls = []
    tidy = _counting_tidy(calls)
    monkeypatch.setenv(cache.CACHE_ENV, "off")
    tidy(*_stamp(source), 2024)
    tidy(*_stamp(source), 2024)
    assert len(calls) == 2
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv(cache.CACHE_ENV, str(blocker))
    assert tidy(*_stamp(source), 2024).loc[0, "a"] == 1


def test_national_tables_are_copies_and_follow_the_reference_files(isolated_search_path):
    calls = []

    @cache.national
    def table(name):
        calls.append(name)
        return pd.DataFrame({"value": [1.0, 2.0]})

    first = table("x")
    first.loc[0, "value"] = 99.0  # a report changing its copy
    assert table("x").loc[0, "value"] == 1.0 and calls == ["x"]
    (isolated_search_path / "new_release.csv").write_text("a\n1\n")  # the reference files changed
    table("x")
    assert calls == ["x", "x"]


def test_a_file_rewritten_in_place_is_noticed_once_the_state_is_old(isolated_search_path, monkeypatch):
    import os
    import time

    from iro_analysis.reference import cache as reference_cache

    calls = []

    @cache.national
    def table(name):
        calls.append(name)
        return pd.DataFrame({"value": [1.0]})

    release = isolated_search_path / "release.csv"
    release.write_text("a\n1\n")
    clock = [1000.0]
    monkeypatch.setattr(time, "monotonic", lambda: clock[0])
    table("x")
    # Rewritten in place (same folder entry, so the folder's time does not change), a minute later.
    stamp = os.stat(release).st_mtime_ns
    release.write_text("a\n22\n")
    os.utime(release, ns=(stamp + 60_000_000_000, stamp + 60_000_000_000))
    clock[0] += reference_cache.STATE_SECONDS / 2
    table("x")  # within the interval the last reading stands (the point: no stat of every file per call)
    assert calls == ["x"]
    clock[0] += reference_cache.STATE_SECONDS
    table("x")
    assert calls == ["x", "x"]
    (isolated_search_path / "another.csv").write_text("b\n2\n")  # a new file: seen at once
    table("x")
    assert calls == ["x", "x", "x"]
