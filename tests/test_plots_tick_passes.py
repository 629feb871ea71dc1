"""Ticks worked out and their labels measured once per axis in each pass: the same charts, to the
byte, with fewer tick updates."""

from __future__ import annotations

import contextlib

import matplotlib

matplotlib.use("Agg")

import matplotlib as mpl  # noqa: E402
import matplotlib.axis as maxis  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from iro_analysis import plots  # noqa: E402
from iro_analysis.plots import core, text_metrics, tick_passes  # noqa: E402


@pytest.fixture(autouse=True)
def _style():
    with mpl.rc_context():
        plots.set_style()
        yield
    plt.close("all")


def _bars():
    _, ax = plt.subplots(figsize=(6, 3))
    ax.barh(["Care order", "Placement order", "Other"], [40, 12, 7])
    ax.set_title("Most children were on a care order")
    ax.set_xlabel("Children")
    return ax


def _log_scatter():  # minor tick labels on a log axis spanning less than a decade
    _, ax = plt.subplots(figsize=(6, 3))
    ax.scatter([0.6, 0.8, 1.1, 1.4], [3, 1, 4, 1], label="Ratio")
    ax.set_xscale("log")
    ax.legend(loc="best")
    ax.set_title("Ratios")
    return ax


def _twins_and_dates():  # a twin axis with top tick labels, dates, an offset text ("1e6")
    _, ax = plt.subplots(figsize=(6, 3))
    days = pd.date_range("2022-04-01", periods=12, freq="MS")
    ax.plot(days, np.arange(12) * 1e6)
    top = ax.twiny()
    top.set_xlim(0, 11)
    ax.set_title("Twinned")
    return ax


def _shared_grid():  # shared axes, an equal aspect (the axes move while drawn), a colour bar
    figure, axes = plt.subplots(2, 2, figsize=(6, 5), sharex=True, sharey="row")
    for i, ax in enumerate(axes.flat):
        ax.plot([0, 1, 2], [i, i * 2, 1])
        ax.set_ylabel(f"Axes {i}")
    axes[1, 1].set_aspect("equal")
    image = axes[0, 0].imshow(np.arange(6).reshape(2, 3), extent=(0, 2, 0, 2))
    figure.colorbar(image, ax=axes[0, 0])
    figure.suptitle("Several axes")
    return figure


CHARTS = [_bars, _log_scatter, _twins_and_dates, _shared_grid]


@pytest.mark.parametrize("fmt", ["svg", "png"])
@pytest.mark.parametrize("chart", CHARTS, ids=lambda chart: chart.__name__)
def test_charts_are_the_same_to_the_byte(monkeypatch, chart, fmt):
    once = plots.render(chart(), format=fmt)
    monkeypatch.setattr(core, "one_pass", contextlib.nullcontext)
    text_metrics.clear()
    every_time = plots.render(chart(), format=fmt)
    assert once == every_time


def _calls_per_render(monkeypatch, method: str) -> tuple[int, int]:
    """How often a chart's render calls ``Axis.<method>``: with the per-pass reuse, then without."""
    calls = []
    original = getattr(maxis.Axis, method)

    def counting(axis, *args):
        calls.append(axis)
        return original(axis, *args)

    monkeypatch.setattr(maxis.Axis, method, counting)
    plots.render(_bars(), format="svg")
    once = len(calls)
    calls.clear()
    monkeypatch.setattr(core, "one_pass", contextlib.nullcontext)
    plots.render(_bars(), format="svg")
    return once, len(calls)


def test_ticks_are_worked_out_fewer_times(monkeypatch):
    once, every_time = _calls_per_render(monkeypatch, "_update_ticks")
    assert 0 < once <= 2 * 3  # two axes, three passes
    assert every_time > 2 * once


def test_an_axis_that_moves_within_the_block_is_worked_out_again():
    ax = _bars()
    ax.figure.canvas.draw()
    with tick_passes.one_pass():
        before = [tick.get_loc() for tick in ax.xaxis._update_ticks()]
        ax.set_xlim(0, 400)
        after = [tick.get_loc() for tick in ax.xaxis._update_ticks()]
        ax.set_position([0.3, 0.3, 0.2, 0.2])  # a smaller axes: fewer ticks fit
        smaller = [tick.get_loc() for tick in ax.xaxis._update_ticks()]
    assert max(before) < 100 and max(after) >= 100
    assert smaller == [tick.get_loc() for tick in ax.xaxis._update_ticks()]  # as matplotlib's own
    assert smaller != after


def test_a_worked_out_list_is_the_callers_own():
    ax = _bars()
    with tick_passes.one_pass():
        first = ax.xaxis._update_ticks()
        expected = list(first)
        first.clear()
        assert ax.xaxis._update_ticks() == expected


def test_matplotlib_is_restored_after_an_error_and_blocks_nest():
    original, original_boxes = maxis.Axis._update_ticks, maxis.Axis._get_ticklabel_bboxes
    with pytest.raises(RuntimeError):
        with tick_passes.one_pass():
            inner = maxis.Axis._update_ticks
            with tick_passes.one_pass():
                assert maxis.Axis._update_ticks is inner
            raise RuntimeError("a chart failed")
    assert maxis.Axis._update_ticks is original
    assert maxis.Axis._get_ticklabel_bboxes is original_boxes


def test_tick_labels_are_measured_fewer_times(monkeypatch):
    once, every_time = _calls_per_render(monkeypatch, "_get_ticklabel_bboxes")
    assert 0 < once <= 2 * 3  # two axes, three passes
    assert every_time >= 2 * once


def test_tick_label_boxes_are_the_callers_own():
    ax = _bars()
    renderer = ax.figure.canvas.get_renderer()
    with tick_passes.one_pass():
        ticks = ax.yaxis._update_ticks()
        first, _ = ax.yaxis._get_ticklabel_bboxes(ticks, renderer)
        bounds = [box.bounds for box in first]
        first[0].x0 -= 100  # as Axis.get_tightbbox does to the axis label's box
        again, _ = ax.yaxis._get_ticklabel_bboxes(ticks, renderer)
    assert [box.bounds for box in again] == bounds
    assert bounds == [box.bounds for box in ax.yaxis._get_ticklabel_bboxes(ticks, renderer)[0]]  # matplotlib's own


def test_tick_labels_of_a_moved_axes_are_measured_again():
    ax = _bars()
    renderer = ax.figure.canvas.get_renderer()
    with tick_passes.one_pass():
        ticks = ax.yaxis._update_ticks()
        before = [box.bounds for box in ax.yaxis._get_ticklabel_bboxes(ticks, renderer)[0]]
        ax.set_position([0.4, 0.4, 0.5, 0.5])
        ticks = ax.yaxis._update_ticks()
        after = [box.bounds for box in ax.yaxis._get_ticklabel_bboxes(ticks, renderer)[0]]
    assert after != before
    assert after == [box.bounds for box in ax.yaxis._get_ticklabel_bboxes(ax.yaxis._update_ticks(), renderer)[0]]
