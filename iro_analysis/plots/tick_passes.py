"""Ticks worked out, and their labels measured, once per axis in each pass over a chart, not once
per artist that asks.

In one pass over a chart (fitting the margins, finding the crop box, drawing), matplotlib asks
each axis for its ticks four or five times: for the axis itself, for each of its two spines and
for the axis labels of the axes that share it. Each time it calls the locator and the formatter
again and puts every tick and label in place (``Axis._update_ticks``, about half a millisecond),
and each time the answer is the same, as nothing moves during a pass.

Inside :func:`one_pass` an axis works its ticks out on the first request and hands the same
ticks to the later ones, as long as its view limits, the axes' place on the figure and the dpi
are those of the first request (a pass that moves an axes, such as savefig cropping the figure,
has the ticks worked out again). The boxes of the tick labels, which the axis measures for
itself and again to place the axis label (``Axis._get_ticklabel_bboxes``), are measured once
for the same ticks, renderer and geometry; each caller gets its own copies. Outside the block,
matplotlib's own methods run.
"""

from __future__ import annotations

import contextlib

import matplotlib.axis as maxis

__all__ = ["one_pass"]


@contextlib.contextmanager
def one_pass():
    """Within the block, each axis works out its ticks and measures their labels once for a
    given geometry.

    Use it around a single pass over a figure that changes nothing between the requests
    (``Figure.tight_layout``, ``Figure.get_tightbbox``, ``Figure.savefig``). Re-entrant: an
    inner block is part of the outer pass. matplotlib's methods are restored when the outermost
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
    update_ticks, label_boxes = maxis.Axis._update_ticks, maxis.Axis._get_ticklabel_bboxes
    if getattr(update_ticks, "_one_pass", False):
        yield
        return
    # lives for this pass only: axes, ticks and renderers are not kept beyond it
    worked_out: dict = {}
    measured: dict = {}

    def where(axis) -> tuple:
        axes = axis.axes
        return (id(axis), tuple(axis.get_view_interval()), axes.bbox.bounds, axes.get_figure(root=True).dpi)

    def once(axis):
        key = where(axis)
        found = worked_out.get(key)
        if found is None or found[0] is not axis:
            found = worked_out[key] = (axis, update_ticks(axis))
        return list(found[1])

    def boxes_once(axis, ticks, renderer):
        # the labels sit where the pass's ticks put them: measured once for the axis itself and
        # again for the label placement of the axes sharing it
        ticks = list(ticks)
        key = (where(axis), tuple(map(id, ticks)), id(renderer))
        found = measured.get(key)
        if found is None or found[0] is not axis or found[1] != ticks or found[2] is not renderer:
            found = measured[key] = (axis, ticks, renderer, label_boxes(axis, ticks, renderer))
        first, second = found[3]
        return [box.frozen() for box in first], [box.frozen() for box in second]  # each caller's own

    once._one_pass = True
    maxis.Axis._update_ticks = once
    maxis.Axis._get_ticklabel_bboxes = boxes_once
    try:
        yield
    finally:
        maxis.Axis._update_ticks = update_ticks
        maxis.Axis._get_ticklabel_bboxes = label_boxes
