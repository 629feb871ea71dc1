"""Writing outputs: atomically, and shareable ones only after the disclosure checks.

* :func:`atomic_write_text` / :func:`atomic_write_bytes`: write to a temporary file in the same
  folder, then rename, so a reader never sees a half-written file.
* :func:`write_tables_excel`: the shareable workbook of aggregate tables (every sheet checked).
* :func:`write_restricted_csv`: child-level lists, only under a folder named ``restricted`` and
  marked as such in the file itself and in a README beside it.
* :func:`notebook_to_html`: executed notebook to self-contained HTML (no code, no CDN scripts,
  alt text kept), refused if a child identifier appears in it.
"""

from __future__ import annotations

import datetime
import io
import json
import os
import re
import threading
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd

from .disclosure import IdentifierGuard, assert_shareable, scan_text_for_identifiers
from .errors import DisclosureError, ParameterError
# re-exported: export was their home before the ground-floor files module
from .files import _default_mode, _probed_umask, atomic_write_bytes, atomic_write_text, process_umask  # noqa: F401

__all__ = [
    "atomic_write_text",
    "atomic_write_bytes",
    "write_tables_excel",
    "write_restricted_csv",
    "notebook_to_html",
    "RESTRICTED_MARKING",
    "CONTENT_SECURITY_POLICY",
    "write_publication_excel",
    "safe_cell_text",
    "scan_shareable_file",
    "scan_shareable_folder",
]

#: The exported page may load nothing and run nothing: styles inline, images only as data: URIs.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; "
    "script-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'"
)

#: A spreadsheet cell starting with one of these is read as a formula (or DDE) by Excel/LibreOffice.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")

RESTRICTED_MARKING = (
    "RESTRICTED - contains child-level information. Do not circulate. "
    "Keep within the children's services secure area."
)

_TEMPLATES = Path(__file__).resolve().parent / "templates"


def _sheet_name(name: str) -> str:
    cleaned = "".join(ch for ch in str(name) if ch not in '[]:*?/\\')
    return cleaned[:31] or "Sheet"


def safe_cell_text(value):
    """A value for a spreadsheet cell that can never be a formula.

    Text starting with ``= + - @`` or a tab, carriage return or newline gets a leading
    apostrophe and is stored as a string (OWASP "CSV injection" advice); numbers stay numbers.

    >>> safe_cell_text("=1+1")
    "'=1+1"
    >>> safe_cell_text(12)
    12
    """
    if isinstance(value, str) and value.startswith(_FORMULA_PREFIXES):
        return "'" + value
    return value


def _write_workbook(sheets: dict[str, pd.DataFrame], path, *, cover: list[str] | None = None) -> Path:
    """Write sheets with openpyxl directly: strings stored as strings (never formulas), numbers as numbers."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    bold = Font(bold=True)  # one style object for every heading: openpyxl stores each style once anyway
    first = workbook.active
    if cover:
        first.title = "About"
        for row, line in enumerate(cover, start=1):
            cell = first.cell(row=row, column=1, value=safe_cell_text(line))
            cell.data_type = "s"
            if row == 1:
                cell.font = Font(bold=True, size=14)
    else:
        workbook.remove(first)
    used = set()
    for name, table in sheets.items():
        title = _sheet_name(name)
        while title in used:
            title = (title[:28] + f"_{len(used)}")[:31]
        used.add(title)
        sheet = workbook.create_sheet(title)
        for column, heading in enumerate(table.columns, start=1):
            cell = sheet.cell(row=1, column=column, value=safe_cell_text(str(heading)))
            cell.data_type, cell.font = "s", bold
        # column by column, each value as iterating its column gives it (as itertuples gives it)
        for column, (_, values) in enumerate(table.items(), start=1):
            for row, value in enumerate(values, start=2):
                if value is None or (isinstance(value, float) and np.isnan(value)):
                    continue
                if isinstance(value, (np.integer, np.floating)):
                    value = value.item()
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    sheet.cell(row=row, column=column, value=value)
                else:
                    cell = sheet.cell(row=row, column=column, value=safe_cell_text(str(value)))
                    cell.data_type = "s"
    return atomic_write_bytes(path, _workbook_bytes(workbook))


def _workbook_bytes(workbook) -> bytes:
    """The ``.xlsx`` file of an openpyxl workbook, each worksheet's XML written in memory.

    ``Workbook.save`` writes every worksheet to a temporary file, adds it to the archive and
    deletes it: about 40 files per report, more than a third of the time of saving. This is the
    same writer (the same XML, the same archive members) with each worksheet kept in memory; an
    openpyxl whose writer has a different shape is saved the ordinary way.
    """
    buffer = io.BytesIO()
    try:
        from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
        from openpyxl.worksheet._writer import WorksheetWriter
        from openpyxl.writer.excel import ExcelWriter
    except ImportError:  # pragma: no cover - a future openpyxl
        workbook.save(buffer)
        return buffer.getvalue()

    class InMemoryWriter(ExcelWriter):
        def write_worksheet(self, ws):  # ExcelWriter.write_worksheet, without the temporary file
            ws._drawing = SpreadsheetDrawing()
            ws._drawing.charts = ws._charts
            ws._drawing.images = ws._images
            writer = WorksheetWriter(ws, out=io.BytesIO())
            writer.write()
            ws._rels = writer._rels
            self._archive.writestr(ws.path[1:], writer.read())
            self.manifest.append(ws)

    # what openpyxl.writer.excel.save_workbook does, with the writer above
    archive = zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    workbook.properties.modified = datetime.datetime.now(tz=datetime.timezone.utc).replace(tzinfo=None)
    InMemoryWriter(workbook, archive).save()
    return buffer.getvalue()


def write_publication_excel(publication, path, *, column_label=str, title: str = "", notes=()) -> Path:
    """Write a finalised :class:`iro_analysis.publication.Publication` to a workbook.

    A cover sheet carries the title, the suppression note (with the threshold used) and any
    notes (for example that the data are synthetic); one sheet per table follows, with counts
    as numbers and "c" where hidden. Labels are checked for identifiers first.
    """
    sheets = publication.excel_sheets(column_label=column_label)
    cover = [title or "IRO report tables", *notes,
             f"Suppression threshold used: counts from 1 to {publication.threshold - 1} are shown as c."]
    guard = IdentifierGuard(publication.identifiers)
    for name, table in sheets.items():
        for column in table.columns:
            for position, value in table[column].items():
                if isinstance(value, str) and guard.in_value(value):
                    raise DisclosureError(f"sheet {name!r}, row {position + 2}, column {column!r} holds a child "
                                          "identifier; the workbook was not written.")
    return _write_workbook(sheets, path, cover=cover)


def write_tables_excel(tables: dict[str, pd.DataFrame], path, *, count_columns: dict | None = None) -> Path:
    """Write aggregate tables to one workbook for circulation.

    Parameters
    ----------
    tables : dict of str to DataFrame
        Sheet name to table; tables must already be suppressed.
    path : path
        The ``.xlsx`` file.
    count_columns : dict, optional
        Sheet name to the count columns to re-check for small numbers.

    Raises
    ------
    DisclosureError
        If any table carries a child identifier or an unsuppressed small count; nothing is
        written in that case.
    """
    count_columns = count_columns or {}
    for name, table in tables.items():
        assert_shareable(table, name=f"sheet {name!r}", count_columns=count_columns.get(name, ()))
    return _write_workbook(tables, path)


def write_restricted_csv(table: pd.DataFrame, folder, name: str) -> Path:
    """Write a child-level list to ``folder`` (which must be named ``restricted``).

    The first line of the file is a comment carrying :data:`RESTRICTED_MARKING`; read it back
    with ``pd.read_csv(path, comment="#")``. A README in the folder says what it holds.
    """
    folder = Path(folder)
    if folder.name != "restricted":
        raise ParameterError(
            f"child-level lists go only to a folder named 'restricted', not {str(folder)!r}."
        )
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)  # only the owner may list or open child-level files
    body = table.to_csv(index=False, date_format="%Y-%m-%d")
    path = atomic_write_text(folder / name, f"# {RESTRICTED_MARKING}\n{body}", private=True)
    readme = folder / "README.txt"
    if not readme.exists():
        atomic_write_text(
            readme,
            RESTRICTED_MARKING + "\n\nThe files here list individual children's records (for example "
            "late or missing reviews) so that they can be checked and corrected in the case "
            "management system. They are not part of the shareable report.\n",
            private=True,
        )
    return path


def notebook_to_html(notebook, html_path, *, identifiers=(), title: str | None = None) -> Path:
    """Export an executed notebook to self-contained HTML for sharing.

    Parameters
    ----------
    notebook : nbformat.NotebookNode or path
        The executed notebook.
    html_path : path
        Where to write the HTML.
    identifiers : iterable of str
        Child identifiers (CHILD, UPN values) that must not appear in the output.
    title : str, optional
        The HTML page title.

    Returns
    -------
    Path

    Raises
    ------
    DisclosureError
        When an identifier, a full postcode or a UPN-shaped string is found; the HTML is not
        written.

    Notes
    -----
    The package's ``offline_lab`` template writes the page around JupyterLab's cell markup
    itself: a small stylesheet (``report.css``, with print rules for A4) instead of the
    JupyterLab theme, and none of the require.js/MathJax/mermaid scripts the stock template
    loads from a CDN, so the file opens without network access. Charts keep their alt text
    (``<img alt>`` for PNG, ``<figure role="img" aria-label>`` around inline SVG); code cells
    and prompts are excluded.
    """
    return _write_html(notebook, html_path, identifiers=identifiers, title=title)[0]


def _write_html(notebook, html_path, *, identifiers=(), title: str | None = None) -> tuple[Path, str]:
    """:func:`notebook_to_html`, also returning the SHA-256 of the page it scanned and wrote."""
    import hashlib

    import nbformat

    if not hasattr(notebook, "cells"):
        notebook = nbformat.read(str(notebook), as_version=4)
    resources = {"metadata": {"name": title}} if title else None
    html, _ = _html_exporter().from_notebook_node(notebook, resources=resources)
    html = _SCRIPT_BLOCK.sub("", html)
    html = html.replace("<head>", f'<head>\n<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">', 1)
    problems = _html_problems(html, IdentifierGuard(identifiers))
    if problems:
        raise DisclosureError(
            f"the report for {Path(html_path).parent} was not written: {problems[0]} "
            f"({len(problems)} place(s) in all). Remove child-level output from the notebook."
        )
    return atomic_write_text(html_path, html), hashlib.sha256(html.encode("utf-8")).hexdigest()


_SCRIPT_BLOCK = re.compile(r"<script\b[^>]*>.*?</script\s*>", re.DOTALL | re.IGNORECASE)

_EXPORTERS = threading.local()


def _html_exporter():
    """This thread's HTML exporter, made once: its templates are compiled once, not per report.

    ``optimistic_validation`` checks the notebook against the format once, after the last
    preprocessor, instead of after each of a dozen (the same check, on the same final notebook).
    """
    exporter = getattr(_EXPORTERS, "html", None)
    if exporter is None:
        exporter = _EXPORTERS.html = _report_exporter_class()(
            template_name="offline_lab",
            extra_template_basedirs=[str(_TEMPLATES)],
            exclude_input=True,
            exclude_input_prompt=True,
            exclude_output_prompt=True,
            optimistic_validation=True,
        )
    return exporter


def _report_exporter_class():
    """nbconvert's HTML exporter without its final pass through BeautifulSoup.

    That pass parses and re-serialises the whole page (about three quarters of the export's
    time) only to give an ``<img>`` without ``alt`` a placeholder and every output ``<div>`` a
    ``tabindex="0"``. The ``offline_lab`` template writes the alt text (and the same placeholder
    when an image has none) itself, and the ``tabindex`` is added to the output (and markdown
    cell) ``<div>`` tags the template wrote (a wide table scrolls sideways in its output: keyboard users must be
    able to focus it), so the page is nbconvert's, element for element.
    """
    from jinja2 import pass_context
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class ReportHTMLExporter(HTMLExporter):
        @pass_context
        def markdown2html(self, context, source):
            # the report's prose cells are the same for every authority: each text is rendered once
            key = _markdown_key(self, context, source) if not self.embed_images else None
            if key is None:  # embedded images are read from files: never from memory
                return HTMLExporter.markdown2html(self, context, source)
            cache = self.__dict__.setdefault("_iro_markdown", _MarkdownCache())
            html = cache.get(key)
            if html is None:
                html = cache[key] = HTMLExporter.markdown2html(self, context, source)
            return html

        def from_notebook_node(self, nb, resources=None, **kw):
            # HTMLExporter.from_notebook_node up to its BeautifulSoup pass (nbconvert 7)
            language = nb.metadata.get("language_info", {})
            lexer = language.get("pygments_lexer", language.get("name", None))
            self.register_filter("highlight_code", self.filters.get(
                "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
            resources = self._init_resources(resources)
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            page, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            return _FOCUSABLE_OUTPUT.sub(r'\1 tabindex="0"', page), resources

    return ReportHTMLExporter


class _MarkdownCache(dict):
    """Markdown text (with what else the HTML of it depends on) to its HTML, the latest entries kept.

    The HTML nbconvert makes of a Markdown text depends only on that text, the cell's attachments,
    the notebook's folder and the exporter's settings (one exporter per cache, its settings in the
    key as well), so an entry made for one authority is exactly what any other gets for the same key.
    """

    SIZE = 512

    def __setitem__(self, key, value):
        if len(self) >= self.SIZE:
            del self[next(iter(self))]  # the oldest entry
        super().__setitem__(key, value)


def _markdown_key(exporter, context, source):
    """All the HTML of a Markdown text depends on, or None when some of it is not plain data."""
    cell = context.get("cell", {})
    try:
        attachments = json.dumps(cell.get("attachments", {}), sort_keys=True)
        path = context.get("resources", {}).get("metadata", {}).get("path", "")
        settings = json.dumps([exporter.anchor_link_text, exporter.exclude_anchor_links, exporter.lexer_options],
                              sort_keys=True)
    except (TypeError, ValueError, AttributeError):
        return None
    if not isinstance(source, str) or not isinstance(path, str):
        return None
    return source, attachments, path, settings


# The opening tag of a cell's input wrapper or an output <div> as the lab templates write them
# (class attribute first): nbconvert makes those focusable. What the cells hold sits inside such
# a tag, never in it, so no text of the report is matched.
_FOCUSABLE_OUTPUT = re.compile(
    r'(<div class="[^"<>]*\b(?:jp-OutputArea-output|jp-Cell-inputWrapper)\b[^"<>]*")(?=[\s>])')


class _TextCollector(HTMLParser):
    """Text nodes, attribute values and row labels (``<th>``) of an HTML page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.labels: list[str] = []
        self.scripts = 0
        self._skip = 0
        self._in_th = False

    def updatepos(self, i, j):
        # The parser counts lines up to every token for getpos(), which nothing here reads
        # (a tenth of the time of a page): where each token ends is all it needs back.
        return j

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script"):
            self._skip += 1
            self.scripts += tag == "script"
        if tag == "th":
            self._in_th = True
            self.labels.append("")
        for name, value in attrs:
            if value and not value.startswith("data:") and name not in ("class", "style", "id", "src"):
                self.texts.append(value)
            if name.startswith("on"):
                self.scripts += 1

    def handle_endtag(self, tag):
        if tag in ("style", "script") and self._skip:
            self._skip -= 1
        if tag == "th":
            self._in_th = False

    def handle_data(self, data):
        if self._skip:
            return
        self.texts.append(data)
        if self._in_th:
            self.labels[-1] += data


def _html_problems(page: str, guard: IdentifierGuard) -> list[str]:
    collector = _TextCollector()
    collector.feed(page)
    problems = []
    if collector.scripts:
        problems.append(f"it would contain {collector.scripts} script element(s) or event handler(s)")
    text = "\n".join(collector.texts)
    for found in guard.in_text(text) if guard else []:
        problems.append(f"a child identifier ({found[:2]}…) appears in its text")
    for label in collector.labels:
        if guard and label.strip() in guard.all:
            problems.append(f"a table row label is a child identifier ({label.strip()[:2]}…)")
    for found in scan_text_for_identifiers(text, (), check_postcodes=True):
        problems.append(f"a postcode or UPN-shaped value ({found[:3]}…) appears in its text")
    return problems


def scan_shareable_file(path, identifiers=()) -> list[str]:
    """Problems that make one shareable file unsafe (empty when it is safe).

    Looks for child identifiers (whole values, any characters; see
    :class:`iro_analysis.disclosure.IdentifierGuard`), full postcodes, UPN-shaped values,
    scripts in HTML and formulas in workbooks. Handles ``.html``, ``.xlsx``, ``.ipynb``,
    ``.csv`` and other text files; a file that is not what its name says is scanned as text.
    """
    path = Path(path)
    guard = IdentifierGuard(identifiers)
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm"):
        return [f"{path.name}: {p}" for p in _html_problems(path.read_text(encoding="utf-8"), guard)]
    if suffix == ".xlsx" and zipfile.is_zipfile(path):
        return [f"{path.name}: {p}" for p in _workbook_problems(path, guard)]
    if suffix == ".ipynb":
        return [f"{path.name}: {p}" for p in _notebook_problems(path, guard)]
    text = path.read_text(encoding="utf-8", errors="replace")
    found = (guard.in_text(text) if guard else []) + scan_text_for_identifiers(text, ())
    return [f"{path.name}: child identifier or postcode ({f[:2]}…) in its text" for f in found]


# In a workbook part: a formula element (any prefix), or a cell whose value is a formula's
# result, an error or an ISO date rather than a string or a number.
_CELL_OF_OTHER_TYPE = re.compile(rb"""<(?:[\w.-]+:)?f[\s/>]|\bt\s*=\s*["'](?:str|e|d)["']""")


def _workbook_problems(path: Path, guard: IdentifierGuard) -> list[str]:
    if _workbook_is_clean(path, guard):
        return []
    return _workbook_cell_problems(path, guard)


def _workbook_is_clean(path: Path, guard: IdentifierGuard) -> bool:
    """Whether a workbook certainly has no formula and no identifier in any cell, read from its XML.

    Building every cell with openpyxl is most of the final scan's time. Here every part of the
    package is read as stored: no formula element and no cell of another type anywhere, and no
    string (a shared string or a cell's own, joined as openpyxl joins them) that the checks flag.
    Anything else, including a flagged string no cell uses, goes to the cell-by-cell scan for its
    exact findings.
    """
    from xml.etree.ElementTree import ParseError, iterparse

    # a number styled as a date that no date can hold is read as this error text
    if _flagged("#VALUE!", guard):
        return False
    strings = set()  # labels repeat from sheet to sheet: each is checked once
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                content = archive.read(info)
                if _CELL_OF_OTHER_TYPE.search(content):
                    return False
                if b"si" not in content and b"is" not in content:  # no string element in this part
                    continue
                for _, node in iterparse(io.BytesIO(content)):
                    name = _local_name(node)
                    if name in ("si", "is"):
                        strings.add(_rich_text(node, shared=name == "si"))
    except (zipfile.BadZipFile, ParseError, OSError, RuntimeError, ValueError):
        return False
    return not any(_flagged(value, guard) for value in strings)


def _local_name(node) -> str:
    return node.tag.rpartition("}")[2]


def _rich_text(node, *, shared: bool) -> str:
    """A string element's value as openpyxl reads it: its text, then its runs' (not phonetic) text."""
    pieces = []
    for child in node:
        name = _local_name(child)
        if name == "t":
            pieces.append(child.text or "")
        elif name == "r":
            pieces.extend(t.text or "" for t in child if _local_name(t) == "t")
    text = "".join(pieces)
    return text.replace("x005F_", "") if shared else text


def _flagged(value: str, guard: IdentifierGuard) -> bool:
    return bool(guard.in_value(value) or scan_text_for_identifiers(value, ()))


def _workbook_cell_problems(path: Path, guard: IdentifierGuard) -> list[str]:
    from openpyxl import load_workbook

    problems = []
    workbook = load_workbook(path, read_only=False)
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    problems.append(f"sheet {sheet.title!r} cell {cell.coordinate} holds a formula")
                elif isinstance(cell.value, str) and _flagged(cell.value, guard):
                    problems.append(f"sheet {sheet.title!r} cell {cell.coordinate} holds a child identifier")
    return problems


def _notebook_cells(path: Path) -> list:
    """The cells of a notebook file, as nbformat 4 reads them (multi-line strings may be lists)."""
    text = Path(path).read_text(encoding="utf-8")
    try:
        notebook = json.loads(text)
    except ValueError:
        notebook = None
    # A version 4 notebook is scanned as stored: nbformat's reader would also check it against
    # the schema (most of the time of this scan) and only warn if it did not conform.
    if (isinstance(notebook, dict) and notebook.get("nbformat") == 4 and isinstance(notebook.get("cells"), list)
            and all(_well_formed(cell) for cell in notebook["cells"])):
        return notebook["cells"]
    import nbformat

    return nbformat.reads(text, as_version=4).cells


def _well_formed(cell) -> bool:
    outputs = cell.get("outputs", []) if isinstance(cell, dict) else None
    return isinstance(outputs, list) and all(isinstance(output, dict) for output in outputs)


def _joined(value) -> str:
    return value if isinstance(value, str) else "".join(map(str, value)) if isinstance(value, list) else str(value)


def _notebook_problems(path: Path, guard: IdentifierGuard) -> list[str]:
    problems = []
    for number, cell in enumerate(_notebook_cells(path), start=1):
        for output in cell.get("outputs", []):
            pieces = []
            if "text" in output:
                pieces.append(_joined(output["text"]))
            for mime, value in (output.get("data") or {}).items():
                if mime.startswith("image/") and mime != "image/svg+xml":
                    continue  # base64 pixels hold no text; an SVG's labels are text and are read
                pieces.append(_joined(value))
            pieces.extend([str(output.get("evalue", ""))] + [str(t) for t in output.get("traceback", [])])
            for mime, meta in (output.get("metadata") or {}).items():
                if mime.startswith("image/") and isinstance(meta, dict):
                    pieces.extend(str(value) for value in meta.values())  # alt text of any image type
            text = "\n".join(pieces)
            for found in (guard.in_text(text) if guard else []) + scan_text_for_identifiers(text, ()):
                problems.append(f"cell {number} output holds a child identifier or postcode ({found[:2]}…)")
    return problems


def scan_shareable_folder(folder, identifiers=(), *, scanned: dict | None = None) -> list[str]:
    """:func:`scan_shareable_file` for every shareable file of a report folder (not ``restricted/``).

    ``scanned`` maps a file name to the SHA-256 of content already scanned with the same
    identifiers (the page :func:`notebook_to_html` checked before writing it): a file whose
    bytes have exactly that digest is not parsed again; any other is.
    """
    import hashlib

    folder = Path(folder)
    scanned = scanned or {}
    problems = []
    for path in sorted(folder.iterdir()):
        if path.is_file() and path.suffix.lower() in (".html", ".htm", ".xlsx", ".ipynb", ".csv", ".txt", ".md"):
            if path.name in scanned and hashlib.sha256(path.read_bytes()).hexdigest() == scanned[path.name]:
                continue
            problems.extend(scan_shareable_file(path, identifiers))
    return problems
