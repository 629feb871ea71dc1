"""Shared chart helpers: one house style, titles that state the finding, alt text.

Every plot function in ``iro_analysis.plots`` takes ``ax=None`` and returns the Axes, and has a
companion ``*_alt_text`` function. In notebooks, :func:`show` displays a figure with its alt text
attached so that the exported HTML carries it (the package's offline template reads
``metadata["image/png"]["alt"]`` or ``metadata["image/svg+xml"]["alt"]``).

matplotlib's pyplot is imported only when a figure is made, and seaborn not at all: the house
style is a fixed set of rcParams, so a notebook kernel that sets the style does not pay for
seaborn and the scipy.stats it pulls in.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re

import matplotlib as mpl
import pandas as pd

from .text_metrics import shared_text_metrics
from .tick_passes import one_pass

__all__ = ["get_ax", "show", "render", "set_style", "format_count", "require_columns", "PALETTE", "STYLE", "FORMATS"]

#: Colour-blind-safe palette (Okabe-Ito), so no chart relies on colour alone being distinguishable.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]

#: The house style: what ``seaborn.set_theme(style="whitegrid", palette=PALETTE)`` sets
#: (whitegrid style, notebook context), written out so that seaborn need not be imported, plus
#: the package's own title, dpi and colour-cycle settings. seaborn's ``image.cmap="rocket"`` is
#: left out: it names a colour map only seaborn registers, and no chart here uses one.
STYLE = {
    # seaborn axes_style("whitegrid")
    "figure.facecolor": "white", "axes.facecolor": "white", "axes.edgecolor": ".8", "axes.grid": True,
    "axes.axisbelow": True, "axes.labelcolor": ".15", "text.color": ".15", "grid.color": ".8",
    "grid.linestyle": "-", "xtick.direction": "out", "ytick.direction": "out", "xtick.color": ".15",
    "ytick.color": ".15", "xtick.top": False, "ytick.right": False, "xtick.bottom": False,
    "ytick.left": False, "axes.spines.left": True, "axes.spines.bottom": True,
    "axes.spines.right": True, "axes.spines.top": True, "font.family": ["sans-serif"],
    "font.sans-serif": ["Arial", "DejaVu Sans", "Liberation Sans", "Bitstream Vera Sans", "sans-serif"],
    "lines.solid_capstyle": "round", "patch.edgecolor": "w", "patch.force_edgecolor": True,
    # seaborn plotting_context("notebook")
    "axes.linewidth": 1.25, "grid.linewidth": 1, "lines.linewidth": 1.5, "lines.markersize": 6,
    "patch.linewidth": 1, "xtick.major.width": 1.25, "ytick.major.width": 1.25, "xtick.minor.width": 1,
    "ytick.minor.width": 1, "xtick.major.size": 6, "ytick.major.size": 6, "xtick.minor.size": 4,
    "ytick.minor.size": 4, "font.size": 12, "axes.labelsize": 12, "xtick.labelsize": 11,
    "ytick.labelsize": 11, "legend.fontsize": 11, "legend.title_fontsize": 12,
    # the package's settings
    "axes.titlesize": 12, "axes.titleweight": "bold", "figure.dpi": 100, "savefig.dpi": 150,
}

#: Chart formats :func:`render` writes: a palette PNG (the default) or SVG with text kept as text.
FORMATS = ("png", "svg")

# Fixed salt for the ids matplotlib writes into SVG (clip paths), so the same chart gives the
# same bytes; without it the ids are random.
_SVG_RC = {"svg.fonttype": "none", "svg.hashsalt": "iro-analysis"}
_SVG_PROLOGUE = re.compile(r"\A.*?(?=<svg\b)", re.DOTALL)
_SVG_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.DOTALL)
_SVG_ID = re.compile(r'(\bid="|url\(#|href="#)')



def require_columns(table, columns, what: str, *, made_by: str, allow_empty: bool = True) -> None:
    """Refuse, in one sentence, a table a chart cannot be drawn from.

    Parameters
    ----------
    table : DataFrame
        The table to draw.
    columns : iterable of str
        Columns the chart reads.
    what : str
        The chart, for the message.
    made_by : str
        Where such a table comes from, for the message (``"iro_analysis.cohorts"``).
    allow_empty : bool, default True
        False refuses a table without rows as well.

    Raises
    ------
    ParameterError

    Examples
    --------
    >>> require_columns(pd.DataFrame({"a": [1]}), ["a", "b"], "the chart", made_by="Publication.numeric")
    Traceback (most recent call last):
    ...
    iro_analysis.errors.ParameterError: the chart needs columns b (a table from Publication.numeric has them); the table has a.
    """
    from ..errors import ParameterError

    if not isinstance(table, pd.DataFrame):
        raise ParameterError(f"{what} needs a DataFrame from {made_by}, got {type(table).__name__}.")
    missing = [str(c) for c in columns if c not in table.columns]
    if missing:
        raise ParameterError(f"{what} needs columns {', '.join(missing)} (a table from {made_by} has them); "
                             f"the table has {', '.join(map(str, table.columns))}.")
    if not allow_empty and table.empty:
        raise ParameterError(f"{what}: the table is empty, nothing to draw.")


def set_style() -> None:
    """Apply the package's chart style (:data:`STYLE`: seaborn's whitegrid look, larger labels,
    the Okabe-Ito palette)."""
    from cycler import cycler

    mpl.rcParams.update(STYLE)
    mpl.rcParams["axes.prop_cycle"] = cycler(color=[mpl.colors.to_rgb(c) for c in PALETTE])


def get_ax(ax=None, *, figsize=(8, 4.5)):
    """Return ``ax`` or a new Axes on a new figure of the given size."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, new_ax = plt.subplots(figsize=figsize)
    return new_ax


def format_count(value) -> str:
    """Format a count with thousands separators (``1234`` -> ``'1,234'``); missing -> ``'-'``."""
    try:
        return f"{int(round(float(value))):,}"
    except (TypeError, ValueError):
        return "-"


def _figure(ax_or_fig):
    return ax_or_fig.figure if hasattr(ax_or_fig, "figure") and not hasattr(ax_or_fig, "savefig") else ax_or_fig


def render(ax_or_fig, *, format: str = "png"):
    """Draw a chart exactly once and return it as a palette PNG or as SVG.

    Parameters
    ----------
    ax_or_fig : matplotlib Axes or Figure
    format : {"png", "svg"}, default "png"

    Returns
    -------
    bytes or str
        ``"png"``: PNG bytes, 8-bit palette (at most 256 colours, no dithering), at the figure's
        dpi. ``"svg"``: the ``<svg>`` element as text, fonts not embedded (labels stay text that
        can be searched, selected and read aloud), without the XML prologue, the date and the
        matplotlib version, ids prefixed per chart so that several charts can share a page.

    Notes
    -----
    As IPython shows a figure, the margins are fitted with ``Figure.tight_layout`` and the
    image is cropped to what is drawn plus 0.1 inch (so a label wider than the figure is kept
    whole); both measure the artists without drawing them. The figure is then drawn once.
    Titles start on the top edge of their axes; matplotlib's own title placement, which
    measures every y tick label again, runs only where tick labels, an axis label or an offset
    text may sit above the axes, and the chart is then the one it gives.
    Text sizes and layouts are measured once per kernel, not once per chart (:mod:`.text_metrics`),
    and each axis works out its ticks once per pass, not once per artist that asks
    (:mod:`.tick_passes`), with the same result to the byte.
    Displaying a figure the usual way in a notebook (``bbox_inches="tight"``) draws it twice,
    and writes a 32-bit PNG about two and a half times larger.
    """
    if format not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, got {format!r}.")
    with shared_text_metrics():  # tick labels and names recur across charts: measured once
        return _render(_figure(ax_or_fig), format)


def _render(figure, format: str):
    # matplotlib places a title above whatever sits on top of its axes, and to find out it
    # measures every y tick label again at each layout pass and at the final draw (about a
    # tenth of a chart). The titles start on the top edge, where the placement leaves them
    # unless top tick labels, a top axis label or an offset text ("1e6") are in the way.
    placed = [ax for ax in figure.axes if getattr(ax, "_autotitlepos", False)]
    for ax in placed:
        ax._autotitlepos = False
    margins = {name: getattr(figure.subplotpars, name) for name in ("left", "right", "bottom", "top",
                                                                    "wspace", "hspace")}
    box = _layout(figure)
    crowded = [ax for ax in placed if _title_may_collide(ax)]
    if crowded:  # the general placement from the same start, then the titles stay where it put them
        for ax in crowded:
            ax._autotitlepos = True
        figure.subplots_adjust(**margins)
        box = _layout(figure)
        for ax in crowded:
            ax._autotitlepos = False
    if format == "svg":
        return _svg(figure, box)
    return _palette_png(figure, box)


def _layout(figure):
    """Fit the margins and return the box to crop to (what is drawn plus the pad)."""
    with one_pass():  # each pass asks every axis for its ticks several times: worked out once
        figure.tight_layout()
    # tight_layout leaves a placeholder layout engine, with which savefig draws once more
    # (without output) before drawing; the layout is done, so no engine is needed
    figure.set_layout_engine(None)
    with one_pass():  # the margins have moved the axes: a pass of its own
        return figure.get_tightbbox().padded(mpl.rcParams["savefig.pad_inches"])


def _title_may_collide(ax) -> bool:
    """Whether something the layout has just placed may sit where the axes' titles are."""
    if not any(title.get_text() for title in (ax.title, ax._left_title, ax._right_title)):
        return False
    for other in ax._twinned_axes.get_siblings(ax) + ax.child_axes:  # what matplotlib looks at
        ticks = other.xaxis.majorTicks[:1] + other.xaxis.minorTicks[:1]
        if other.xaxis.get_label_position() == "top" or any(tick.label2.get_visible() for tick in ticks):
            return True
    return bool(ax.yaxis.offsetText.get_text())


def _palette_png(figure, box) -> bytes:
    import numpy as np
    from PIL import Image

    buffer = io.BytesIO()
    # raw RGBA pixels: no 32-bit PNG to encode and decode again before reducing the colours
    with one_pass():
        figure.savefig(buffer, format="rgba", dpi=figure.dpi, bbox_inches=box)
    pixels = np.frombuffer(buffer.getvalue(), dtype=np.uint8)
    # The canvas is the box at the figure's dpi cut to whole pixels; matplotlib rounds up a size
    # within 1e-8 of a whole pixel (since 3.9; earlier versions truncate), so both are tried.
    sizes = {(int(box.width * figure.dpi + e), int(box.height * figure.dpi + e)) for e in (1e-8, 0.0)}
    matching = [(w, h) for w, h in sizes if w * h * 4 == pixels.size]
    if not matching:
        raise RuntimeError(f"the chart came out as {pixels.size} bytes, not the RGBA of any of {sorted(sizes)}.")
    width, height = matching[0]
    image = Image.fromarray(pixels.reshape(height, width, 4))
    if image.getextrema()[3][0] < 255:  # a see-through background would turn black without alpha
        image = Image.alpha_composite(Image.new("RGBA", image.size, "white"), image)
    # Charts are a few flat colours plus anti-aliased edges: 256 colours lose nothing visible
    # (on the report's charts no pixel moves by more than 4 of 255). Maximum coverage keeps the
    # white background exact, which the faster octree does not, at half the time of median cut;
    # no dithering, so flat areas stay flat and compress well.
    palette = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MAXCOVERAGE,
                                            dither=Image.Dither.NONE)
    buffer = io.BytesIO()
    palette.save(buffer, format="PNG")
    return buffer.getvalue()


def _svg(figure, box) -> str:
    buffer = io.BytesIO()
    with mpl.rc_context(_SVG_RC), one_pass():
        figure.savefig(buffer, format="svg", dpi=figure.dpi, bbox_inches=box,
                       metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    text = _SVG_METADATA.sub("", _SVG_PROLOGUE.sub("", buffer.getvalue().decode("utf-8"), count=1), count=1)
    # matplotlib numbers its ids from 1 in every file (figure_1, axes_1, ...); inline on one page
    # they would clash, so each chart's ids get a prefix taken from its content.
    prefix = "c" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:8] + "-"
    return _SVG_ID.sub(lambda m: m.group(1) + prefix, text)


def show(ax_or_fig, alt: str, *, format: str = "png") -> None:
    """Display a chart in a notebook with alt text, then close it.

    Parameters
    ----------
    ax_or_fig : matplotlib Axes or Figure
    alt : str
        Text alternative: chart type, main message and the key numbers.
    format : {"png", "svg"}, default "png"
        Palette PNG or SVG (see :func:`render`); the chart is drawn once either way.

    Notes
    -----
    The output carries the alt text in its metadata (``{"image/png": {"alt": alt}}``, or
    ``"image/svg+xml"``); the package's HTML template writes it into ``<img alt=…>``, or as the
    ``aria-label`` of a ``<figure role="img">`` around an SVG. The same text is the output's
    ``text/plain`` form and is printed under the chart, so readers of the notebook itself (not
    only of the HTML) get it.
    """
    import matplotlib.pyplot as plt
    from IPython.display import Markdown, display

    from ..disclosure import escape_markdown

    figure = _figure(ax_or_fig)
    mime = "image/svg+xml" if format == "svg" else "image/png"
    try:
        chart = render(figure, format=format)
        if isinstance(chart, bytes):
            chart = base64.b64encode(chart).decode("ascii")  # notebooks store images as base64 text
        display({mime: chart, "text/plain": alt}, raw=True, metadata={mime: {"alt": alt}})
    finally:
        plt.close(figure)
    # the description carries labels from the data: escaped, so a code full of markup stays text
    display(Markdown(f"*Chart description: {escape_markdown(alt)}*"))
