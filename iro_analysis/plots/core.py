"""Shared chart helpers: one house style, titles that state the finding, alt text.

Every plot function in ``iro_analysis.plots`` takes ``ax=None`` and returns the Axes, and has a
companion ``*_alt_text`` function. In notebooks, :func:`show` displays a figure with its alt text
attached so that the exported HTML carries it (nbconvert's offline template reads
``metadata["image/png"]["alt"]``).
"""

from __future__ import annotations

import matplotlib.pyplot as plt

__all__ = ["get_ax", "show", "set_style", "format_count", "PALETTE"]

#: Colour-blind-safe palette (Okabe-Ito), so no chart relies on colour alone being distinguishable.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]


def set_style() -> None:
    """Apply the package's chart style (seaborn whitegrid, larger labels, the Okabe-Ito palette)."""
    import seaborn as sns

    sns.set_theme(style="whitegrid", palette=PALETTE, rc={"figure.dpi": 100, "savefig.dpi": 150,
                                                          "axes.titlesize": 12, "axes.titleweight": "bold"})


def get_ax(ax=None, *, figsize=(8, 4.5)):
    """Return ``ax`` or a new Axes on a new figure of the given size."""
    if ax is not None:
        return ax
    _, new_ax = plt.subplots(figsize=figsize)
    return new_ax


def format_count(value) -> str:
    """Format a count with thousands separators (``1234`` -> ``'1,234'``); missing -> ``'-'``."""
    try:
        return f"{int(round(float(value))):,}"
    except (TypeError, ValueError):
        return "-"


def show(ax_or_fig, alt: str) -> None:
    """Display a chart in a notebook with alt text, then close it.

    Parameters
    ----------
    ax_or_fig : matplotlib Axes or Figure
    alt : str
        Text alternative: chart type, main message and the key numbers.

    Notes
    -----
    ``IPython.display.display(fig, metadata={"image/png": {"alt": alt}})`` attaches the text to
    the PNG output; the package's HTML template writes it into the ``<img alt=…>`` attribute.
    The same sentence is also printed under the chart in the notebook, so readers of the
    notebook itself (not only of the HTML) get it.
    """
    from IPython.display import Markdown, display

    from ..publication import escape_markdown

    figure = ax_or_fig.figure if hasattr(ax_or_fig, "figure") and not hasattr(ax_or_fig, "savefig") else ax_or_fig
    figure.tight_layout()
    display(figure, metadata={"image/png": {"alt": alt}})
    # the description carries labels from the data: escaped, so a code full of markup stays text
    display(Markdown(f"*Chart description: {escape_markdown(alt)}*"))
    plt.close(figure)
