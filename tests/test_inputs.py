"""A report refuses, before any figure, a return that cannot give this authority's figures for this year."""

import datetime as dt
import shutil

import pandas as pd
import pytest

from iro_analysis.errors import ParameterError
from iro_analysis.inputs import check_return, check_year_requested, is_synthetic, latest_reporting_year
from iro_analysis.report import load_return, validate_parameters
from iro_analysis.ssda903 import SSDA903, load_ssda903


@pytest.fixture()
def plain_copy(tmp_path, synthetic_wokingham):
    """Wokingham's 2023 return copied without the generator's manifest, as a council would hold it."""
    target = tmp_path / "return"
    shutil.copytree(synthetic_wokingham / "2023", target)
    return target


def _load(la, year, data_dir, **options):
    return load_return(validate_parameters(la, year, data_dir=data_dir, **options))


def test_another_authoritys_return_is_refused_by_its_size(plain_copy):
    # Rotherham run on Wokingham's return: 135 children in care against 542 published
    with pytest.raises(ParameterError, match=r"does not look like Rotherham's \(372\).*135 children.*542") as info:
        _load("372", 2023, plain_copy)
    assert "allow_other_authority" in str(info.value) and str(plain_copy) in str(info.value)


def test_the_override_lets_a_deliberate_mismatch_through(plain_copy):
    data = _load("372", 2023, plain_copy, allow_other_authority=True)
    assert len(data.header) > 100


def test_a_looser_tolerance_accepts_what_the_default_refuses(plain_copy):
    # Wokingham's own return passes the default; Rotherham's figure (542) is 75% away from 135
    assert _load("872", 2023, plain_copy).header is not None
    with pytest.raises(ParameterError, match="size_tolerance"):
        validate_parameters("872", 2023, data_dir=plain_copy, size_tolerance=0)
    assert _load("372", 2023, plain_copy, size_tolerance=0.8).header is not None


def test_a_synthetic_return_made_for_another_authority_is_refused(synthetic_wokingham):
    with pytest.raises(ParameterError, match=r"synthetic return made for Wokingham \(872\), not Rotherham"):
        _load("372", 2023, synthetic_wokingham)


def test_the_la_field_of_a_tidy_return_must_name_the_authority(synthetic_wokingham):
    data = load_ssda903(synthetic_wokingham / "2023")
    data.header["LA"] = "Rotherham"
    with pytest.raises(ParameterError, match=r"says it is 'Rotherham' \(LA column of the header table\)"):
        check_return(data, la_code="872", la_name="Wokingham", year=2023)
    data.header["LA"] = "Wokingham"
    check_return(data, la_code="872", la_name="Wokingham", year=2023)


def test_a_year_that_has_not_started_is_refused_in_the_parameter_check(synthetic_wokingham):
    assert latest_reporting_year(dt.date(2029, 3, 31)) == 2029
    with pytest.raises(ParameterError, match="2029-30.*has not started"):
        check_year_requested(2030, today=dt.date(2029, 3, 31))
    with pytest.raises(ParameterError, match="has not started"):
        validate_parameters("872", 2100, data_dir=synthetic_wokingham)


def test_a_year_missing_from_the_year_folders_is_refused_in_the_parameter_check(synthetic_wokingham):
    with pytest.raises(ParameterError, match=r"holds collection years 2021-22, 2022-23.*not 2019-20"):
        validate_parameters("872", 2020, data_dir=synthetic_wokingham)


def test_a_year_outside_a_single_return_is_refused_when_it_is_loaded(plain_copy):
    with pytest.raises(ParameterError, match=r"covers collection year\(s\) 2022-23, not 2021-22"):
        _load("872", 2022, plain_copy)


def test_a_return_without_a_header_table_is_refused_by_name(plain_copy):
    (plain_copy / "header.csv").unlink()
    with pytest.raises(ParameterError, match=r"has no header table \(the file with columns CHILD, SEX, DOB"):
        _load("872", 2023, plain_copy)


def test_an_empty_return_is_refused_before_any_figure():
    empty = SSDA903(
        header=pd.DataFrame(columns=["CHILD", "SEX", "DOB"]),
        episodes=pd.DataFrame(columns=["CHILD", "DECOM"]),
        reviews=pd.DataFrame(columns=["CHILD", "REVIEW"]),
    )
    with pytest.raises(ParameterError, match=r"empty header table \(0 rows\)"):
        check_return(empty, la_code="872", la_name="Wokingham", year=2023, source="x")


def test_no_data_dir_says_which_option_to_give():
    with pytest.raises(ParameterError, match="--data-root"):
        load_return(validate_parameters("872", 2023))


def test_synthetic_returns_are_recognised_even_without_their_manifest(synthetic_wokingham, plain_copy, tmp_path):
    assert is_synthetic(synthetic_wokingham)
    assert is_synthetic(synthetic_wokingham / "2023")  # a year folder inside the generator's output
    assert is_synthetic(plain_copy)  # copied away from manifest.json: recognised by its CHILD ids
    real = tmp_path / "real"
    real.mkdir()
    (real / "header.csv").write_text("CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n689661,1,01/02/2010,WBRI,,,\n")
    assert not is_synthetic(real)
    assert not is_synthetic(None) and not is_synthetic(tmp_path / "missing")
