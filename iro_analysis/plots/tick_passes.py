"""Ticks worked out once per axis in each pass over a chart, not once per artist that asks.

In one pass over a chart (fitting the margins, finding the crop box, drawing), matplotlib asks
each axis for its ticks four or five times: for the axis itself, for each of its two spines and
for the axis labels of the axes that share it. Each time it calls the locator and the formatter
again and puts every tick and label in place (``Axis._update_ticks``, about half a millisecond),
and each time the answer is the same, as nothing moves during a pass.

Inside :func:`one_pass` an axis works its ticks out on the first request and hands the same
ticks to the later ones, as long as its view limits, the axes' place on the figure and the dpi
are those of the first request (a pass that moves an axes, such as savefig cropping the figure,
has the ticks worked out again). Outside the block, matplotlib's own method runs.
"""

from __future__ import annotations

import contextlib

import matplotlib.axis as maxis

__all__ = ["one_pass"]


@contextlib.contextmanager
def one_pass():
    """Within the block, each axis works out its ticks once for a given geometry.

    Use it around a single pass over a figure that changes nothing between the requests
    (``Figure.tight_layout``, ``Figure.get_tightbbox``, ``Figure.savefig``). Re-entrant: an
    inner block is part of the outer pass. matplotlib's method is restored when the outermost
    block ends, also on an error.

    Examples
    --------
    >>> import matplotlib.axis as maxis
    >>> before = maxis.Axis._update_ticks
    >>> with one_pass():
    ...     maxis.Axis._update_ticks is before
    False
    >>> maxis.Axis._update_ticks is before
    True
    """
    update_ticks = maxis.Axis._update_ticks
    if getattr(update_ticks, "_one_pass", False):
        yield
        return
    worked_out: dict = {}  # lives for this pass only: axes and their ticks are not kept beyond it

    def once(axis):
        axes = axis.axes
        key = (id(axis), tuple(axis.get_view_interval()), axes.bbox.bounds, axes.get_figure(root=True).dpi)
        found = worked_out.get(key)
        if found is None or found[0] is not axis:
            found = worked_out[key] = (axis, update_ticks(axis))
        return list(found[1])

    once._one_pass = True
    maxis.Axis._update_ticks = once
    try:
        yield
    finally:
        maxis.Axis._update_ticks = update_ticks
