"""The HTML exporter is made once per thread and re-used: every page is what a new one writes."""

import threading

import nbformat
from nbconvert import HTMLExporter
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from iro_analysis import export


def _notebook(name: str, rows: int):
    cell = new_code_cell("show()")
    table = "".join(f"<tr><th>{name} {i}</th><td>{i * 7}</td></tr>" for i in range(rows))
    cell.outputs = [new_output("display_data", data={"text/html": f"<table>{table}</table>", "text/plain": name}),
                    new_output("stream", name="stdout", text=f"{name} done\n")]
    nb = new_notebook(cells=[new_markdown_cell(f"# Report for {name}"), cell])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def _fresh(nb, resources):
    # a new exporter of the kind the package uses (nbconvert's, without its BeautifulSoup pass)
    exporter = export._report_exporter_class()(
        template_name="offline_lab", extra_template_basedirs=[str(export._TEMPLATES)],
        exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    return exporter.from_notebook_node(nb, resources=resources)[0]


def test_the_package_exporter_writes_nbconverts_page_without_its_soup_pass():
    # The same elements and attributes (tabindex on every output div included) as nbconvert's own
    # HTMLExporter, which re-serialises its page through BeautifulSoup: parse both the same way.
    from bs4 import BeautifulSoup

    nb = _notebook("Wokingham", 3)
    nb.cells.append(new_code_cell("note()", outputs=[new_output("stream", name="stdout", text='<div class="x">\n')]))
    stock = HTMLExporter(template_name="offline_lab", extra_template_basedirs=[str(export._TEMPLATES)],
                         exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    theirs = BeautifulSoup(stock.from_notebook_node(nb)[0], "html.parser")
    ours = BeautifulSoup(export._html_exporter().from_notebook_node(nb)[0], "html.parser")
    assert str(ours) == str(theirs)
    assert len(ours.select("div.jp-OutputArea-output[tabindex='0']")) == 3
    assert len(ours.select("div.jp-Cell-inputWrapper[tabindex='0']")) == 1


def test_a_reused_exporter_writes_each_page_as_a_new_exporter_does():
    # two reports in turn, with and without a title, then the first again: nothing of one page
    # (its title, its tables) may reach the next
    cases = [(_notebook("Wokingham", 3), {"metadata": {"name": "Wokingham 2022-23"}}),
             (_notebook("Rutland", 5), None),
             (_notebook("Wokingham", 3), None)]
    for nb, resources in cases:
        page = export._html_exporter().from_notebook_node(nb, resources=resources)[0]
        assert page == _fresh(nb, resources)
    assert "Rutland" not in export._html_exporter().from_notebook_node(cases[0][0])[0]


def test_each_thread_has_its_own_exporter():
    here = export._html_exporter()
    assert export._html_exporter() is here
    other = []
    worker = threading.Thread(target=lambda: other.append(export._html_exporter()))
    worker.start()
    worker.join()
    assert other[0] is not here


def test_notebook_to_html_still_writes_the_page(tmp_path):
    path = tmp_path / "report.ipynb"
    nbformat.write(_notebook("Wokingham", 2), str(path))
    html = export.notebook_to_html(path, tmp_path / "report.html", title="Wokingham").read_text()
    assert "Content-Security-Policy" in html and "Wokingham 1" in html and "<script" not in html.lower()
