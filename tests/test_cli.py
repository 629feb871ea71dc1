"""The iro-analysis command: clear one-line errors, exit codes, and each sub-command's contract."""

import subprocess
import sys

import pytest

from iro_analysis.cli import build_parser, main


def test_help_lists_every_command(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for command in ("synth", "report", "batch", "demo", "reference"):
        assert command in out


def test_synth_writes_year_folders_and_ground_truth(tmp_path, capsys):
    out = tmp_path / "rutland"
    assert main(["synth", "--la", "857", "--year", "2022-23", "--years", "2", "--out", str(out), "--seed", "3"]) == 0
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ["2022", "2023", "commentary", "iro_records"]
    assert (out / "ground_truth.csv").is_file() and (out / "review_truth.csv").is_file()
    assert str(out) in capsys.readouterr().out


def test_user_errors_are_one_line_with_exit_status_2(tmp_path, capsys):
    assert main(["synth", "--la", "Atlantis", "--year", "2023", "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Atlantis" in err and "Traceback" not in err
    # a report whose data folder does not exist fails inside the notebook: exit 1, message on stderr
    assert main(["report", "--la", "872", "--year", "2023", "--data", str(tmp_path / "missing"),
                 "--output", str(tmp_path / "out")]) == 1
    assert "does not exist" in capsys.readouterr().err


def test_reference_lists_files_and_the_licence(capsys):
    assert main(["reference"]) == 0
    out = capsys.readouterr().out
    assert "cla_number_and_rate_per_10k_children_2025pub.csv" in out
    assert "Open Government Licence v3.0" in out


def test_param_values_are_typed():
    args = build_parser().parse_args(["report", "--la", "872", "--year", "2023", "--param", "published_timeliness_percent=95.4",
                                      "--param", "published_reviews_held=435"])
    assert dict(args.param) == {"published_timeliness_percent": 95.4, "published_reviews_held": 435}


def test_console_script_runs_as_a_module():
    result = subprocess.run([sys.executable, "-m", "iro_analysis.cli", "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "iro-analysis" in result.stdout


def test_check_figures_exit_codes(tmp_path, capsys):
    from pathlib import Path

    examples = Path(__file__).resolve().parents[1] / "docs" / "examples"
    # Wokingham 2022-23 has inconsistencies (95.4% in the text against 410 of 435 = 94.25%): exit 1
    assert main(["check-figures", str(examples / "wokingham_2022-23.yml")]) == 1
    assert "410 / 435 = 94.25%" in capsys.readouterr().out
    consistent = tmp_path / "ok.yml"
    consistent.write_text(
        "authority: '872'\nyear: 2023\ntables:\n  - name: Table M\n    total: {label: All, count: 435}\n"
        "    rows:\n      - {label: In timescale, count: 410, percent: 94}\n      - {label: Late, count: 25, percent: 6}\n"
    )
    assert main(["check-figures", str(consistent), "--format", "csv"]) == 0
    broken = tmp_path / "broken.yml"
    broken.write_text("tables: [unclosed\n")
    assert main(["check-figures", str(broken)]) == 2
    assert "broken.yml" in capsys.readouterr().err


def test_verbose_logs_what_was_done_on_stderr_under_the_package_logger(capsys):
    # --debug adds a handler to the package's one logger ("iro_analysis") for the command's run:
    # `reference` reads the authority lookup, so the reference file found is logged at DEBUG.
    import logging

    from iro_analysis.cli import main
    from iro_analysis.log import LOGGER_NAME, logger

    handlers_before = list(logger.handlers)
    assert main(["--debug", "reference"]) == 0
    assert " DEBUG reference file la_lookup_dfe.csv: " in capsys.readouterr().err
    assert main(["--verbose", "reference"]) == 0
    assert "DEBUG" not in capsys.readouterr().err  # --verbose is INFO
    # called from Python, the command leaves the logger as it found it
    assert logger.handlers == handlers_before and logger.level == logging.NOTSET
    assert logging.getLogger(LOGGER_NAME) is logger
    assert main(["reference"]) == 0
    assert "DEBUG" not in capsys.readouterr().err  # silent without --verbose/--debug


def test_the_command_starts_without_jsonschemas_iri_grammars_and_notebooks_still_validate():
    # In a fresh interpreter, as the iro-analysis command starts: nbformat (for papermill and
    # nbconvert) still validates a notebook, and no IRI grammar was compiled (no lark loaded).
    from pathlib import Path

    notebook = Path(__file__).resolve().parents[1] / "notebooks" / "authority_report.ipynb"
    code = (
        "import sys\n"
        "from iro_analysis.cli import skip_iri_grammars\n"
        "skip_iri_grammars()\n"
        "import nbformat, papermill, nbconvert\n"
        f"nbformat.validate(nbformat.read({str(notebook)!r}, as_version=4))\n"
        "bad = nbformat.from_dict({'nbformat': 4, 'nbformat_minor': 5, 'metadata': {}, 'cells': [{'cell_type': 'nope'}]})\n"
        "try:\n"
        "    nbformat.validate(bad)\n"
        "except nbformat.ValidationError:\n"
        "    pass\n"
        "else:\n"
        "    raise SystemExit('an invalid notebook was accepted')\n"
        "print('lark' in sys.modules, 'rfc3987_syntax' in sys.modules and sys.modules['rfc3987_syntax'] is not None)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False"]
