"""Markdown rendered once per text by the report exporter: every page is what rendering each text anew writes."""

import base64

from hypothesis import given, settings
from hypothesis import strategies as st
from nbconvert import HTMLExporter
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from iro_analysis import export

OPTIONS = dict(template_name="offline_lab", extra_template_basedirs=[str(export._TEMPLATES)], exclude_input=True,
               exclude_input_prompt=True, exclude_output_prompt=True)


def _exporters():
    cls = export._report_exporter_class()

    class Uncached(cls):  # the same exporter, rendering every Markdown text anew (nbconvert's filter)
        markdown2html = HTMLExporter.markdown2html

    return cls(**OPTIONS), Uncached(**OPTIONS)


def _png(colour: int) -> dict:
    return {"image/png": base64.b64encode(bytes([137, 80, 78, 71, colour])).decode()}


def _notebook(name: str, attachment: int = 1):
    prose = new_markdown_cell("## How to read this\n\nThe *ratio* compares two rates; see ![dot](attachment:dot.png).")
    prose.attachments = {"dot.png": _png(attachment)}
    cell = new_code_cell("show()", outputs=[
        new_output("display_data", data={"text/markdown": f"**{name}**: 12 children, $x^2$ <b>bold</b>",
                                         "text/plain": name}),
        new_output("display_data", data={"text/markdown": "*Chart description: the same for everyone.*"}),
    ])
    return new_notebook(cells=[new_markdown_cell(f"# Report for {name}"), prose, cell,
                               new_markdown_cell("## How to read this\n\nThe *ratio* compares two rates.")])


def test_pages_are_those_of_an_exporter_rendering_every_text_anew():
    cached, uncached = _exporters()
    for nb in (_notebook("Wokingham"), _notebook("Rutland"), _notebook("Wokingham", attachment=2),
               _notebook("Wokingham")):
        assert cached.from_notebook_node(nb)[0] == uncached.from_notebook_node(nb)[0]
    assert "Wokingham" not in cached.from_notebook_node(_notebook("Rutland"))[0]


def test_the_same_text_with_other_attachments_is_rendered_again():
    cached, _ = _exporters()
    first = cached.from_notebook_node(_notebook("A", attachment=1))[0]
    second = cached.from_notebook_node(_notebook("A", attachment=2))[0]
    assert first != second  # the attachment is inlined as a data: URI, so the pages differ
    assert _png(2)["image/png"] in second and _png(2)["image/png"] not in first


def test_embedded_images_are_never_taken_from_memory(tmp_path, monkeypatch):
    cached, _ = _exporters()
    cached.embed_images = True
    calls = []
    original = HTMLExporter.markdown2html

    def counting(self, context, source):
        calls.append(source)
        return original(self, context, source)

    monkeypatch.setattr(HTMLExporter, "markdown2html", counting)
    nb = new_notebook(cells=[new_markdown_cell("text")])
    cached.from_notebook_node(nb)
    cached.from_notebook_node(nb)
    assert calls == ["text", "text"]


def test_a_changed_setting_of_the_exporter_renders_again():
    cached, uncached = _exporters()
    nb = new_notebook(cells=[new_markdown_cell("## Heading")])
    first = cached.from_notebook_node(nb)[0]
    cached.anchor_link_text = uncached.anchor_link_text = "#link"
    assert cached.from_notebook_node(nb)[0] == uncached.from_notebook_node(nb)[0] != first


def test_the_cache_keeps_only_the_latest_entries():
    cache = export._MarkdownCache()
    for number in range(cache.SIZE + 10):
        cache[(str(number), "{}", "")] = str(number)
    assert len(cache) == cache.SIZE
    assert ("0", "{}", "") not in cache and (str(cache.SIZE + 9), "{}", "") in cache


markdown = st.text(alphabet=st.sampled_from(list("ab1 *_#`$\\<>&[]()!|-\n")), max_size=40)


@settings(deadline=None)
@given(st.lists(markdown, min_size=1, max_size=4))
def test_any_markdown_is_rendered_as_nbconvert_renders_it(texts):
    cached, uncached = _exporters()
    nb = new_notebook(cells=[new_markdown_cell(text) for text in texts + texts])
    assert cached.from_notebook_node(nb)[0] == uncached.from_notebook_node(nb)[0]
