"""Reference files are checked against the SHA256SUMS beside them: a truncated copy is refused by name."""

import hashlib

import pytest

from iro_analysis.errors import ReferenceDataError
from iro_analysis.reference import checksums, format_inventory, read_dfe_csv, reference_inventory

NAME = "la_cla_swcount.csv"  # a registered file, so the inventory lists it
CONTENT = "time_period,la_code,number\n2024,872,12\n2024,373,40\n"


@pytest.fixture
def mirror(isolated_search_path):
    """A search folder holding a registered file and its SHA256SUMS."""
    folder = isolated_search_path / "dfe_cla"
    folder.mkdir()
    (folder / NAME).write_text(CONTENT)
    digest = hashlib.sha256(CONTENT.encode()).hexdigest()
    (folder / "SHA256SUMS").write_text(f"{digest}  {NAME}\n")
    return folder


def _truncate(path):
    path.write_text(CONTENT[: len(CONTENT) // 2])


def test_a_matching_file_is_read(mirror):
    assert read_dfe_csv(NAME, numeric=["number"])["number"].tolist() == [12.0, 40.0]
    assert checksums.checksum_status(mirror / NAME) == "ok"


def test_a_truncated_file_is_refused_by_name_with_what_to_do(mirror):
    _truncate(mirror / NAME)
    with pytest.raises(ReferenceDataError) as info:
        read_dfe_csv(NAME)
    message = str(info.value)
    assert NAME in message and "SHA256SUMS" in message and "Download it again from https://" in message


def test_the_inventory_says_corrupt_rather_than_found(mirror):
    _truncate(mirror / NAME)
    row = reference_inventory().set_index("file").loc[NAME]
    assert row["status"] == "corrupt (checksum mismatch)"
    text = format_inventory()
    assert f"[corrupt (checksum mismatch)] {NAME}" in text
    assert f"corrupt (checksum mismatch): download again: {NAME}" in text


def test_a_file_without_sums_is_read_unchecked(mirror):
    (mirror / "SHA256SUMS").unlink()
    _truncate(mirror / NAME)
    assert checksums.checksum_status(mirror / NAME) == "unchecked"
    assert "time_period" in read_dfe_csv(NAME).columns  # read as it is: nothing to check it against


def test_sums_in_a_parent_folder_with_sub_folder_paths_are_used(mirror):
    digest = hashlib.sha256(b"other").hexdigest()
    (mirror / "SHA256SUMS").unlink()
    (mirror.parent / "SHA256SUMS").write_text(f"{digest}  ./dfe_cla/{NAME}\n")
    assert checksums.checksum_status(mirror / NAME) == "corrupt"


def test_each_file_is_hashed_once_until_it_changes(mirror):
    checksums._digest.cache_clear()
    for _ in range(5):
        read_dfe_csv(NAME)
    assert checksums._digest.cache_info().misses == 1
    _truncate(mirror / NAME)
    with pytest.raises(ReferenceDataError):
        read_dfe_csv(NAME)
    assert checksums._digest.cache_info().misses == 2
