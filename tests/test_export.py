"""Exports: offline HTML with alt text and no code, refusal of identifiers, atomic writes."""

import base64
import re

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from iro_analysis import DisclosureError, ParameterError
from iro_analysis.export import (
    RESTRICTED_MARKING,
    atomic_write_text,
    notebook_to_html,
    write_restricted_csv,
    write_tables_excel,
)

# A 1x1 transparent PNG.
PNG = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
    )
).decode()


def _notebook(text_output="136 children in care"):
    chart = new_output(
        "display_data",
        data={"image/png": PNG},
        metadata={"image/png": {"alt": "Line chart: children in care rose from 130 to 136."}},
    )
    return new_notebook(
        cells=[
            new_markdown_cell("# Report\n\n## Children in care"),
            new_code_cell("secret_code_marker = 1", outputs=[new_output("stream", name="stdout", text=text_output)]),
            new_code_cell("show()", outputs=[chart]),
        ],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    )


def test_html_is_offline_has_alt_text_toc_and_no_code(tmp_path):
    path = notebook_to_html(_notebook(), tmp_path / "report.html", title="Test")
    html = path.read_text()
    external = re.findall(r"""(?:src|href)=["']https?://""", html)
    assert external == []
    assert 'alt="Line chart: children in care rose from 130 to 136."' in html
    assert "secret_code_marker" not in html
    assert 'href="#Children-in-care"' in html
    assert "136 children in care" in html


def test_every_image_has_alt_text_even_one_shown_without_it(tmp_path):
    # The export skips nbconvert's BeautifulSoup pass, which gave an <img> without alt a
    # placeholder: the template must do it, for PNG and JPEG alike, and keep given alt text.
    bare = [new_output("display_data", data={"image/png": PNG}),
            new_output("display_data", data={"image/jpeg": PNG}),
            new_output("display_data", data={"image/jpeg": PNG}, metadata={"image/jpeg": {"alt": "A <b>photo</b>"}})]
    notebook = _notebook()
    notebook.cells.append(new_code_cell("display()", outputs=bare))
    html = notebook_to_html(notebook, tmp_path / "report.html").read_text()
    images = re.findall(r"<img\b[^>]*>", html)
    assert len(images) == 4
    assert all(re.search(r'\balt="[^"]+"', img) for img in images)
    assert html.count('alt="No description has been provided for this image"') == 2
    assert 'alt="A &lt;b&gt;photo&lt;/b&gt;"' in html


def test_export_leaves_the_markup_as_the_template_writes_it(tmp_path, monkeypatch):
    # nbconvert's final BeautifulSoup pass re-serialised the whole page (three quarters of the
    # export's time); the report's exporter never runs it.
    import bs4

    def refuse(*args, **kwargs):
        raise AssertionError("BeautifulSoup was called by the export")

    monkeypatch.setattr(bs4, "BeautifulSoup", refuse)
    monkeypatch.setattr("nbconvert.exporters.html.BeautifulSoup", refuse)
    html = notebook_to_html(_notebook(), tmp_path / "report.html", title="Test").read_text()
    assert "136 children in care" in html
    # outputs stay focusable (a wide table scrolls sideways): every output div and markdown cell, only those
    focusable = re.findall(r'<div class="[^"]*(?:jp-OutputArea-output|jp-Cell-inputWrapper)', html)
    assert html.count('tabindex="0"') == len(focusable) == 3


def test_html_with_a_child_identifier_is_refused_and_not_written(tmp_path):
    target = tmp_path / "report.html"
    with pytest.raises(DisclosureError, match="not written"):
        notebook_to_html(_notebook("late review: SYN000042"), target, identifiers=["SYN000042"])
    assert not target.exists()
    with pytest.raises(DisclosureError):
        notebook_to_html(_notebook("placed at RG40 1AA"), target)


def test_excel_refuses_identifiers_and_small_counts(tmp_path):
    good = {"Legal status": pd.DataFrame({"legal_status": ["C2", "V2"], "count": ["c", "40"]})}
    path = write_tables_excel(good, tmp_path / "tables.xlsx", count_columns={"Legal status": ["count"]})
    assert pd.read_excel(path, sheet_name="Legal status")["count"].astype(str).tolist() == ["c", "40"]
    with pytest.raises(DisclosureError, match="CHILD"):
        write_tables_excel({"x": pd.DataFrame({"CHILD": ["1"]})}, tmp_path / "bad.xlsx")
    with pytest.raises(DisclosureError, match="below 5"):
        write_tables_excel({"x": pd.DataFrame({"count": [2, 30]})}, tmp_path / "bad.xlsx", count_columns={"x": ["count"]})
    assert not (tmp_path / "bad.xlsx").exists()


def test_restricted_csv_is_marked_and_only_in_a_restricted_folder(tmp_path):
    table = pd.DataFrame({"CHILD": ["SYN1"], "review_date": pd.to_datetime(["2023-01-05"])})
    path = write_restricted_csv(table, tmp_path / "restricted", "late_reviews.csv")
    assert path.read_text().splitlines()[0] == f"# {RESTRICTED_MARKING}"
    assert pd.read_csv(path, comment="#")["CHILD"].tolist() == ["SYN1"]
    assert (tmp_path / "restricted" / "README.txt").read_text().startswith("RESTRICTED")
    with pytest.raises(ParameterError, match="restricted"):
        write_restricted_csv(table, tmp_path / "shared", "late_reviews.csv")


def test_atomic_write_leaves_no_temporary_files(tmp_path):
    atomic_write_text(tmp_path / "a" / "out.txt", "done")
    assert [p.name for p in (tmp_path / "a").iterdir()] == ["out.txt"]


def test_shareable_files_get_usual_permissions_restricted_ones_owner_only(tmp_path):
    import os
    import stat

    shared = atomic_write_text(tmp_path / "report.html", "<p>ok</p>")
    restricted = write_restricted_csv(pd.DataFrame({"CHILD": ["SYN1"]}), tmp_path / "restricted", "x.csv")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(shared.stat().st_mode) == 0o666 & ~umask
    assert stat.S_IMODE(restricted.stat().st_mode) == 0o600


def test_reading_the_umask_never_changes_it(monkeypatch):
    """Report threads write files concurrently: a temporary umask of 0 would leak into their files."""
    import os

    from iro_analysis import export

    calls = []
    monkeypatch.setattr(os, "umask", lambda value: calls.append(value) or 0o022)
    assert export.process_umask() in (0o022, 0o002, 0o027, 0o077, 0o007, 0)
    export._default_mode()
    assert calls == []


def test_the_umask_probe_agrees_with_the_process_umask():
    # Where /proc is not available the umask is found by creating a file with mode 0o666 and
    # seeing which bits the system removed; on Linux both ways must give the same answer.
    from iro_analysis import files

    assert files._probed_umask() == files.process_umask() & 0o666


def test_contents_follow_the_title_block(tmp_path):
    # A reader meets the title first: the contents list goes just before the first section
    # (level-2 heading), after the title and introduction; every section is listed once, escaped.
    import nbformat

    from iro_analysis.export import notebook_to_html

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# The title\n\nIntroduction."),
                nbformat.v4.new_markdown_cell("Sources and date."),
                nbformat.v4.new_markdown_cell("## First section\n\nText."),
                nbformat.v4.new_markdown_cell("## Second <b>section</b>")]
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, str(path))
    page = notebook_to_html(path, tmp_path / "nb.html").read_text(encoding="utf-8")
    nav = page.index('class="iro-contents"')
    assert page.index("<h1") < page.index("Sources and date.") < nav < page.index('<h2 id="First-section"')
    assert page.count('class="iro-contents"') == 1
    assert "Second &lt;b&gt;section&lt;/b&gt;" in page[nav:page.index("</nav>")]


def test_the_final_scan_parses_again_any_page_that_is_not_the_one_scanned(tmp_path):
    import hashlib

    from iro_analysis.export import scan_shareable_folder

    page = tmp_path / "report.html"
    clean = "<html><body><p>136 children</p></body></html>"
    page.write_text(clean)
    digest = hashlib.sha256(clean.encode()).hexdigest()
    assert scan_shareable_folder(tmp_path, ["SYN000042"], scanned={"report.html": digest}) == []
    # changed after it was scanned (one more line): parsed again, and refused
    page.write_text(clean.replace("</p>", "</p><p>SYN000042</p>"))
    problems = scan_shareable_folder(tmp_path, ["SYN000042"], scanned={"report.html": digest})
    assert len(problems) == 1 and problems[0].startswith("report.html: a child identifier")
    # a digest given for another file name does not cover this one
    assert scan_shareable_folder(tmp_path, ["SYN000042"], scanned={"other.html": digest}) == problems
