"""The IRO manager's commentary: one Markdown file per report section, shown beside the figures.

Commentary is text written by people, so it is treated as untrusted: it is rendered with a
deliberately small subset of Markdown and everything else is shown literally.

Kept: paragraphs (separated by a blank line; single line breaks inside a paragraph are joined
with a space, as in Markdown), bullet lists (a paragraph whose every line starts with ``- `` or
``* ``), ``**bold**`` and ``*italic*``. Everything else (headings, links, images, tables, code,
``_underscore_`` emphasis and any HTML such as ``<script>``) appears as the characters typed.
Markup never becomes a live HTML element.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from ..errors import IroRecordsError
from ..disclosure import escape_markdown

__all__ = ["SECTIONS", "load_commentary", "commentary_html", "commentary_markdown"]

#: Report sections that can carry commentary, in report order (file ``commentary/<section>.md``).
SECTIONS = (
    "about_the_data",
    "in_care",
    "starting_care",
    "in_care_31_march",
    "leaving_care",
    "missing",
    "timeliness",
    "participation",
    "ethnicity",
    "comparison",
    "iro_service",
)

_BULLET = re.compile(r"[-*] +")
_INLINE = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*|\*(?=[^\s*])([^*]+?)(?<=\S)\*")


def _read(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise IroRecordsError(f"cannot be read ({exc.strerror or exc}). Check the permissions.", file=path) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")  # Word/Notepad on Windows


def load_commentary(folder) -> dict[str, str]:
    """Read the commentary files of a report.

    Parameters
    ----------
    folder : str or Path
        The ``commentary/`` folder, holding ``<section>.md`` files named after :data:`SECTIONS`
        (other file types, such as a README.txt, are ignored).

    Returns
    -------
    dict
        ``{section: text}`` in report order, for each file that holds more than white space. The
        text is as written (line endings normalised); render it with :func:`commentary_markdown`
        or :func:`commentary_html`, never as it is.

    Raises
    ------
    IroRecordsError
        If the folder does not exist, or a ``.md`` file is not named after a section (a mistyped
        name would otherwise lose the text silently).
    """
    root = Path(folder)
    if not root.is_dir():
        raise IroRecordsError("does not exist or is not a folder. Give the commentary folder (commentary/).",
                              file=root)
    texts = {}
    for path in sorted(root.iterdir()):
        if path.name.startswith((".", "~$")) or path.suffix.lower() != ".md" or not path.is_file():
            continue
        section = path.stem.strip().lower()
        if section not in SECTIONS:
            raise IroRecordsError(
                f"is not named after a report section. Rename it to one of: "
                f"{', '.join(s + '.md' for s in SECTIONS)}.", file=path)
        text = _read(path).replace("\r\n", "\n").replace("\r", "\n")
        if text.strip():
            texts[section] = text
    return {s: texts[s] for s in SECTIONS if s in texts}


def _blocks(text: str) -> list[tuple[str, list[str]]]:
    """``("p", [paragraph])`` and ``("ul", [items])`` blocks of the text."""
    blocks = []
    for chunk in re.split(r"\n[ \t]*\n", text.strip()):
        lines = [line.strip() for line in chunk.split("\n") if line.strip()]
        if not lines:
            continue
        if all(_BULLET.match(line) for line in lines):
            blocks.append(("ul", [_BULLET.sub("", line, count=1) for line in lines]))
        else:
            blocks.append(("p", [" ".join(lines)]))
    return blocks


def _inline(text: str, escape, strong: tuple[str, str], em: tuple[str, str]) -> str:
    """Escape ``text`` with ``escape`` except for the bold and italic markers, rewritten as given."""
    out, at = [], 0
    for m in _INLINE.finditer(text):
        out.append(escape(text[at:m.start()]))
        before, after = strong if m.group(1) is not None else em
        out.append(before + escape(m.group(1) if m.group(1) is not None else m.group(2)) + after)
        at = m.end()
    out.append(escape(text[at:]))
    return "".join(out)


def commentary_html(text: str) -> str:
    """Commentary as inert HTML: ``<p>``, ``<ul><li>``, ``<strong>``, ``<em>`` and escaped text.

    Examples
    --------
    >>> commentary_html("Reviews were **on time**.\\n\\n<script>alert(1)</script>")
    '<p>Reviews were <strong>on time</strong>.</p>\\n<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>'
    """
    def escape(s):
        return html.escape(s, quote=True)

    parts = []
    for kind, items in _blocks(text):
        rendered = [_inline(item, escape, ("<strong>", "</strong>"), ("<em>", "</em>")) for item in items]
        if kind == "ul":
            parts.append("<ul>" + "".join(f"<li>{r}</li>" for r in rendered) + "</ul>")
        else:
            parts.append(f"<p>{rendered[0]}</p>")
    return "\n".join(parts)


def commentary_markdown(text: str) -> str:
    """Commentary as Markdown that renders only paragraphs, bullets, bold and italic.

    Every other character that Markdown or HTML would act on is escaped with
    :func:`iro_analysis.publication.escape_markdown` (``<`` becomes ``&lt;``, ``[`` becomes ``\\[``).

    Examples
    --------
    >>> print(commentary_markdown("- *Most* children took part\\n- see [link](x) <b>"))
    - *Most* children took part
    - see \\[link\\]\\(x\\) &lt;b&gt;
    """
    parts = []
    for kind, items in _blocks(text):
        rendered = [_inline(item, escape_markdown, ("**", "**"), ("*", "*")) for item in items]
        parts.append("\n".join(f"- {r}" for r in rendered) if kind == "ul" else rendered[0])
    return "\n\n".join(parts)
