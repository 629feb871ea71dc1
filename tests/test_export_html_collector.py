"""The page scan's collector, which keeps no line numbers, reads every page as the stock parser does."""

from hypothesis import given, settings
from hypothesis import strategies as st

from iro_analysis import export


class Counting(export._TextCollector):
    updatepos = export.HTMLParser.updatepos  # the stock parser's, with line numbers


def collected(collector, page):
    collector.feed(page)
    return collector.texts, collector.labels, collector.scripts


pieces = st.sampled_from([
    "<th>", "</th>", "<td>", "</td>", "<b>", "</b>", "<style>", "</style>", "<script>", "</script>", "<svg>",
    "<text x='1'>", "</text>", '<img alt="A&amp;B" src="data:x">', "<div onclick=x>", "<p title=AB12>", "<!-- c -->",
    "<!DOCTYPE html>", "<![CDATA[x]]>", "&#65;", "&lt;", "&amp", "AB12", "SW1A 1AA", " ", "\n", "\r\n", "<", ">", "&",
    "'", '"', "=", "</", "<a href='#'\n title='x\ny'>", "<?pi?>", "</ th>", "<TH>",
])


@settings(deadline=None)
@given(st.lists(pieces, max_size=40).map("".join))
def test_texts_labels_and_scripts_are_the_stock_parsers(page):
    assert collected(export._TextCollector(), page) == collected(Counting(), page)


def test_a_report_page_is_read_as_the_stock_parser_reads_it():
    page = ("<html><head><style>p {color: red}</style></head><body>\n<table><tr><th>AB<b>12</b></th><td>3</td></tr>"
            "</table>\n<figure role='img' aria-label='Chart of\nAB12'><svg><text>W1 1AB</text></svg></figure>"
            "<img alt=\"x &amp; y\" onerror=alert(1)></body></html>")
    texts, labels, scripts = collected(export._TextCollector(), page)
    assert (texts, labels, scripts) == collected(Counting(), page)
    assert labels == ["AB12"] and scripts == 1 and "Chart of\nAB12" in texts and "W1 1AB" in texts
