"""Charts are drawn once, written small (palette PNG or SVG with text as text), and keep their
alt text through the notebook output into the exported HTML, whose stylesheet prints on A4."""

from __future__ import annotations

import base64
import io
import json
import re
import subprocess
import sys
from html.parser import HTMLParser

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import nbformat  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output  # noqa: E402
from PIL import Image  # noqa: E402

from iro_analysis import DisclosureError, plots  # noqa: E402
from iro_analysis.export import CONTENT_SECURITY_POLICY, notebook_to_html  # noqa: E402

ALT = 'Bar chart of children by legal status: "C2" 40 & <V2> 12.'


def _chart(label="Care order"):
    _, ax = plt.subplots(figsize=(6, 3))
    ax.bar([label, "Other"], [40, 12])
    ax.set_title("Most children were on a care order")
    ax.set_ylabel("Children")
    return ax


@pytest.fixture
def draws(monkeypatch):
    """Count Figure.draw and Figure.savefig calls (each Figure.draw is one full rendering)."""
    counts = {"draw": 0, "savefig": 0}
    draw, savefig = Figure.draw, Figure.savefig

    def counting_draw(self, renderer):
        counts["draw"] += 1
        return draw(self, renderer)

    def counting_savefig(self, *args, **kwargs):
        counts["savefig"] += 1
        return savefig(self, *args, **kwargs)

    monkeypatch.setattr(Figure, "draw", counting_draw)
    monkeypatch.setattr(Figure, "savefig", counting_savefig)
    return counts


@pytest.fixture
def displayed(monkeypatch):
    """What plots.show passes to IPython's display, as notebook outputs."""
    import IPython.display

    outputs = []

    def display(obj, raw=False, metadata=None):
        if raw:
            outputs.append(new_output("display_data", data=obj, metadata=metadata or {}))
        else:
            outputs.append(new_output("display_data", data={"text/markdown": obj.data}))

    monkeypatch.setattr(IPython.display, "display", display)
    return outputs


def test_png_is_drawn_once_as_a_palette_image(draws):
    png = plots.render(_chart())
    assert draws == {"draw": 1, "savefig": 1}
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.mode == "P" and len(image.getcolors()) <= 256
    assert image.convert("RGB").getpixel((0, 0)) == (255, 255, 255)  # the background stays white


def test_palette_png_looks_like_what_ipython_showed():
    import numpy as np
    from IPython.core.pylabtools import print_figure

    old = _chart().figure
    old.tight_layout()  # the previous plots.show, then IPython's inline display
    shown = Image.open(io.BytesIO(print_figure(old, fmt="png", bbox_inches="tight")))
    rendered = Image.open(io.BytesIO(plots.render(_chart())))
    assert rendered.size == shown.size  # the same crop: what is drawn plus 0.1 inch
    difference = np.abs(np.asarray(rendered.convert("RGB"), dtype=int) - np.asarray(shown.convert("RGB"), dtype=int))
    assert difference.max() <= 8
    plt.close("all")


@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_a_label_wider_than_the_figure_is_kept_whole(fmt):
    ax = _chart()
    ax.set_xlabel("Representation ratio (share of children in care / share of all children) " * 2)
    out = plots.render(ax, format=fmt)
    if fmt == "png":
        width = Image.open(io.BytesIO(out)).size[0]
    else:
        width = float(re.search(r'width="([0-9.]+)pt"', out).group(1)) / 72 * 100
    assert width > 600  # wider than the 6-inch figure at 100 dpi
    plt.close("all")


def test_svg_is_drawn_once_keeps_text_as_text_and_is_deterministic(draws):
    svg = plots.render(_chart(), format="svg")
    assert draws == {"draw": 1, "savefig": 1}
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert ">Most children were on a care order</text>" in svg and "Care order" in svg
    assert "<?xml" not in svg and "<metadata>" not in svg and "DOCTYPE" not in svg
    assert "<script" not in svg.lower() and not re.search(r"\son\w+\s*=", svg)  # no event handler
    assert plots.render(_chart(), format="svg") == svg
    plt.close("all")


def test_svg_ids_differ_between_charts_so_they_can_share_a_page():
    first = plots.render(_chart("Care order"), format="svg")
    second = plots.render(_chart("Placement order"), format="svg")
    ids = [set(re.findall(r'id="([^"]+)"', svg)) for svg in (first, second)]
    assert ids[0] and ids[1] and not ids[0] & ids[1]
    plt.close("all")


def test_render_refuses_an_unknown_format():
    with pytest.raises(ValueError, match="format"):
        plots.render(_chart(), format="gif")
    plt.close("all")


@pytest.mark.parametrize("fmt, mime", [("png", "image/png"), ("svg", "image/svg+xml")])
def test_show_draws_once_keeps_alt_text_and_closes_the_figure(fmt, mime, draws, displayed):
    ax = _chart()
    plots.show(ax, ALT, format=fmt)
    assert draws["draw"] == 1
    chart, description = displayed
    assert chart.metadata[mime]["alt"] == ALT and chart.data["text/plain"] == ALT
    if fmt == "png":
        assert Image.open(io.BytesIO(base64.b64decode(chart.data[mime]))).mode == "P"
    assert "Chart description" in description.data["text/markdown"]
    assert not plt.fignum_exists(ax.figure.number)


def _elements(html, tag):
    """The attributes of every ``tag`` element of a page (values unescaped)."""

    class Collector(HTMLParser):
        found = []

        def handle_starttag(self, name, attrs):
            if name == tag:
                self.found.append(dict(attrs))

    collector = Collector()
    collector.found = []
    collector.feed(html)
    return collector.found


def _report(outputs):
    return new_notebook(
        cells=[new_markdown_cell("# Report\n\n## Children in care"), new_code_cell("show()", outputs=outputs)],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    )


def test_exported_png_chart_keeps_its_alt_text(tmp_path, displayed):
    plots.show(_chart(), ALT)
    html = notebook_to_html(_report(displayed), tmp_path / "report.html").read_text()
    (image,) = _elements(html, "img")
    assert image["alt"] == ALT and image["src"].startswith("data:image/png;base64,")
    assert "&lt;V2&gt;" in html and "<V2>" not in html  # escaped, not markup


def test_exported_svg_chart_is_inline_with_alt_text_and_passes_the_page_guard(tmp_path, displayed):
    plots.show(_chart(), ALT, format="svg")
    # the executed notebook stores the output as JSON; read it back as papermill would
    notebook = nbformat.reads(json.dumps(_report(displayed)), as_version=4)
    html = notebook_to_html(notebook, tmp_path / "report.html").read_text()
    (figure,) = _elements(html, "figure")
    assert figure["role"] == "img" and figure["aria-label"] == ALT
    assert "&lt;V2&gt;" in html and "<V2>" not in html  # escaped, not markup
    inside = html[html.index("<figure"):html.index("</figure>")]
    assert "<svg" in inside and "Most children were on a care order</text>" in inside
    assert not _elements(html, "img") and "base64" not in html


def test_a_child_identifier_in_an_svg_label_is_refused(tmp_path, displayed):
    # with text kept as text, chart labels are read by the page guard like any other text
    plots.show(_chart("SYN000042"), "Bar chart.", format="svg")
    with pytest.raises(DisclosureError, match="not written"):
        notebook_to_html(_report(displayed), tmp_path / "report.html", identifiers=["SYN000042"])
    assert not (tmp_path / "report.html").exists()


def test_page_is_small_prints_on_a4_and_keeps_the_security_policy_and_contents(tmp_path):
    html = notebook_to_html(_report([]), tmp_path / "report.html", title="Test").read_text()
    assert len(html.encode()) < 15_000  # no JupyterLab theme (about 250 KB)
    assert f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">' in html
    assert "@page { size: A4; margin: 15mm; }" in html and "@media print" in html
    assert "break-inside: avoid" in html
    assert 'href="#Children-in-care"' in html and "<script" not in html
    assert "<title>Test</title>" in html


def test_style_needs_neither_seaborn_nor_pyplot_nor_scipy():
    code = ("import sys, iro_analysis, iro_analysis.plots; iro_analysis.plots.set_style(); "
            "print(sorted(m for m in ('seaborn', 'scipy.stats', 'matplotlib.pyplot') if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"


def test_style_is_seaborn_whitegrid_with_the_package_settings():
    import matplotlib as mpl

    sns = pytest.importorskip("seaborn")
    with mpl.rc_context():
        mpl.rcdefaults()
        sns.set_theme(style="whitegrid", palette=plots.PALETTE,
                      rc={"figure.dpi": 100, "savefig.dpi": 150, "axes.titlesize": 12, "axes.titleweight": "bold"})
        expected = dict(mpl.rcParams)
        mpl.rcdefaults()
        plots.set_style()
        actual = dict(mpl.rcParams)
    different = {key for key in expected if expected[key] != actual[key]}
    assert different == {"image.cmap"}  # seaborn's own colour map, which no chart uses
