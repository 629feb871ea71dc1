"""A chart's titles are placed once, when its box is measured, and drawn where matplotlib puts them."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib as mpl  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from iro_analysis import plots  # noqa: E402
from iro_analysis.plots import core  # noqa: E402


def _bars():
    _, ax = plt.subplots(figsize=(6, 3))
    ax.bar(["Care order", "Other"], [40, 12])
    ax.set_title("Most children were on a care order")
    return ax


def _ticks_on_top_with_a_twin():
    # x tick labels above the axes and a right-hand axis: here matplotlib lifts the title above
    # the tick labels, so leaving it where the measurement put it must keep it lifted
    _, ax = plt.subplots(figsize=(6, 3))
    ax.plot([2019, 2020, 2021, 2022], [10, 30, 20, 40])
    ax.xaxis.tick_top()
    ax.set_title("Rising", loc="left")
    ax.set_title("Children in care")
    twin = ax.twinx()
    twin.plot([2019, 2022], [1e6, 3e6])
    return ax


def _as_matplotlib_places_titles(ax, fmt):
    """What render wrote before titles were left in place: the same steps, titles placed on drawing."""
    figure = ax.figure
    figure.tight_layout()
    figure.set_layout_engine(None)
    box = figure.get_tightbbox().padded(mpl.rcParams["savefig.pad_inches"])
    return core._svg(figure, box) if fmt == "svg" else core._palette_png(figure, box)


@pytest.mark.parametrize("make", [_bars, _ticks_on_top_with_a_twin])
@pytest.mark.parametrize("fmt", ["svg", "png"])
def test_titles_left_in_place_give_the_same_chart(make, fmt):
    plots.set_style()
    expected = _as_matplotlib_places_titles(make(), fmt)
    ax = make()
    assert plots.render(ax, format=fmt) == expected
    if make is _ticks_on_top_with_a_twin:
        assert ax.title.get_position()[1] > 1.0  # lifted above the tick labels (1.0: the axes' top)
    plt.close("all")


def _top_axis_label():
    ax = _bars()
    ax.set_xlabel("Legal status")
    ax.xaxis.set_label_position("top")
    return ax


def _offset_text():
    _, ax = plt.subplots(figsize=(6, 3))
    ax.plot([0, 1, 2], [1_000_000.1, 1_000_000.4, 1_000_000.2])  # y labelled with an offset ("+1e6")
    ax.set_title("Nearly flat")
    return ax


def _twin_with_ticks_on_top():
    ax = _bars()
    ax.twiny().set_xlim(0, 10)  # the twin's tick labels sit above the title's axes
    return ax


def _left_title_only():
    _, ax = plt.subplots(figsize=(6, 3))
    ax.bar(["Care order", "Other"], [40, 12])
    ax.set_title("Left", loc="left")
    return ax


def _placed_when_measured(ax, fmt):
    """What render wrote before titles started on the top edge: matplotlib placed them at every
    layout pass and they were then left where measuring the crop box put them."""
    figure = ax.figure
    figure.tight_layout()
    figure.set_layout_engine(None)
    box = figure.get_tightbbox().padded(mpl.rcParams["savefig.pad_inches"])
    for each in figure.axes:
        each._autotitlepos = False
    return core._svg(figure, box) if fmt == "svg" else core._palette_png(figure, box)


@pytest.mark.parametrize("make", [_bars, _ticks_on_top_with_a_twin, _top_axis_label, _offset_text,
                                  _twin_with_ticks_on_top, _left_title_only])
@pytest.mark.parametrize("fmt", ["svg", "png"])
def test_titles_are_measured_only_when_something_may_be_in_their_way(make, fmt):
    # render starts every title on the top edge of its axes and lets matplotlib place it only
    # when tick labels, an axis label or an offset text may sit there; either way the chart must
    # be the one the full placement gave
    plots.set_style()
    expected = _placed_when_measured(make(), fmt)
    assert plots.render(make(), format=fmt) == expected
    plt.close("all")


def test_a_title_is_lifted_above_tick_labels_on_top():
    plots.set_style()
    ax = _bars()
    ax.xaxis.tick_top()
    plots.render(ax, format="svg")
    renderer = ax.figure.canvas.get_renderer()
    assert ax.title.get_position()[1] > 1.0
    assert ax.title.get_window_extent(renderer).y0 >= ax.xaxis.get_tightbbox(renderer).y1 - 1e-6
    plt.close("all")
