"""Text sizes and layouts shared between charts: the same charts, fewer measurements, settings respected."""

from __future__ import annotations

import contextlib

import matplotlib

matplotlib.use("Agg")

import matplotlib as mpl  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.text as mtext  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from matplotlib.backends.backend_agg import RendererAgg  # noqa: E402
from matplotlib.font_manager import FontProperties  # noqa: E402

from iro_analysis import plots  # noqa: E402
from iro_analysis.plots import core, text_metrics  # noqa: E402


@pytest.fixture(autouse=True)
def _fresh_sizes():
    text_metrics.clear()
    with mpl.rc_context():
        plots.set_style()
        yield
    text_metrics.clear()
    plt.close("all")


def _chart(title, categories, values, *, note="Lines: 95% intervals.\nSecond line"):
    # tick labels, a bold title, a legend, mathtext and a two-line note: every kind of text
    _, ax = plt.subplots(figsize=(6, 3))
    ax.bar(categories, values, label="This year")
    ax.plot(categories, [v / 2 for v in values], label=r"Rate $\times 10^4$")
    ax.set_title(title)
    ax.set_ylabel("Children")
    ax.legend()
    ax.text(0.5, -0.3, note, transform=ax.transAxes, fontsize=8)
    return ax


def _charts():
    return [lambda: _chart("Care orders", ["Care order", "Other", "2022-23"], [40, 12, 7]),
            lambda: _chart("Placed for adoption", ["Care order", "Placement order", "Other"], [40, 12, 7]),
            lambda: _chart("Care orders", ["Care order", "Other", "2022-23"], [40, 12, 7])]


@pytest.mark.parametrize("fmt", ["svg", "png"])
def test_charts_drawn_with_shared_sizes_are_the_same_to_the_byte(monkeypatch, fmt):
    shared = [plots.render(draw(), format=fmt) for draw in _charts()]
    assert len(text_metrics._sizes) > 0  # sizes were kept and reused by the later charts
    monkeypatch.setattr(core, "shared_text_metrics", contextlib.nullcontext)
    alone = [plots.render(draw(), format=fmt) for draw in _charts()]
    assert shared == alone
    assert shared[0] == shared[2]  # a repeated chart, measured entirely from kept sizes


@pytest.mark.parametrize("fmt", ["svg", "png"])
def test_a_text_is_measured_once_for_every_chart(monkeypatch, fmt):
    from matplotlib.textpath import TextToPath

    measured = []
    for owner in (RendererAgg, TextToPath):  # the raster renderer; the SVG renderer's measurer
        measure = owner.get_text_width_height_descent

        def counting(self, s, prop, ismath, _measure=measure, _owner=owner.__name__):
            measured.append((_owner, s))
            return _measure(self, s, prop, ismath)

        monkeypatch.setattr(owner, "get_text_width_height_descent", counting)
    for draw in _charts()[:1] * 3:
        plots.render(draw(), format=fmt)
    assert measured.count(("RendererAgg", "Care order")) == 1
    assert measured.count(("RendererAgg", "Care orders")) == 1
    assert measured.count(("TextToPath", "Care orders")) == (1 if fmt == "svg" else 0)

    measured.clear()
    monkeypatch.setattr(core, "shared_text_metrics", contextlib.nullcontext)
    for draw in _charts()[:1] * 3:
        plots.render(draw(), format=fmt)
    # without sharing, each chart measures them again (or more often)
    assert measured.count(("RendererAgg", "Care order")) >= 3
    assert measured.count(("TextToPath", "Care orders")) == (3 if fmt == "svg" else 0)


def _size(text, family="sans-serif"):
    return mtext._get_text_metrics_with_cache(RendererAgg(200, 100, 100), text,
                                              FontProperties(family=family, size=12), False, 100)


def test_changed_font_settings_are_measured_again():
    with text_metrics.shared_text_metrics():
        before = _size("Wide wording")
    mpl.rcParams["font.sans-serif"] = ["DejaVu Sans Mono"]
    with text_metrics.shared_text_metrics():
        after = _size("Wide wording")
    assert after == _size("Wide wording")  # as measured without sharing, in the new settings
    assert after != before  # a monospaced font: the old size would have been wrong


def test_other_renderers_and_tex_are_measured_as_usual():
    calls = []

    class OtherRenderer:
        dpi = 72

        def get_text_width_height_descent(self, s, prop, ismath):
            calls.append((s, ismath))
            return (len(s), 1.0, 0.0)

    with text_metrics.shared_text_metrics():
        for _ in range(2):
            mtext._get_text_metrics_with_cache(OtherRenderer(), "abc", FontProperties(), False, 72)
        renderer = RendererAgg(10, 10, 72)
        with pytest.raises(Exception):  # no TeX here; the point is that it is not answered from the store
            mtext._get_text_metrics_with_cache(renderer, "abc", FontProperties(), "TeX", 72)
    assert calls == [("abc", False), ("abc", False)]  # matplotlib's own cache is per renderer
    assert not any(key[0] is OtherRenderer for key in text_metrics._sizes)


def test_matplotlib_is_restored_after_an_error_and_blocks_nest():
    original = mtext._get_text_metrics_with_cache
    with pytest.raises(RuntimeError):
        with text_metrics.shared_text_metrics():
            inner = mtext._get_text_metrics_with_cache
            with text_metrics.shared_text_metrics():
                assert mtext._get_text_metrics_with_cache is inner
            raise RuntimeError("a chart failed")
    assert mtext._get_text_metrics_with_cache is original


def test_the_store_is_bounded(monkeypatch):
    monkeypatch.setattr(text_metrics, "MAX_SIZES", 5)
    with text_metrics.shared_text_metrics():
        sizes = [_size(f"label {i}") for i in range(12)]
    assert len(text_metrics._sizes) <= 5
    text_metrics.clear()
    assert sizes == [_size(f"label {i}") for i in range(12)]


# --- layouts kept between layout passes and charts -------------------------------------------

_TEXTS = st.sampled_from(["Care order", "Care order\nOther", "2022-23", r"Rate $\times 10^4$", "Wide wording",
                          "a\nlonger second line\nc", "", r"\$5 per child"])


_CHOICES = {"s": _TEXTS, "fontsize": st.sampled_from([8, 11, 12.5, "large"]),
            "fontweight": st.sampled_from(["normal", "bold"]),
            "horizontalalignment": st.sampled_from(["left", "center", "right"]),
            "verticalalignment": st.sampled_from(["top", "center", "bottom", "baseline", "center_baseline"]),
            "multialignment": st.sampled_from([None, "left", "center", "right"]),
            "rotation": st.sampled_from([0, 30, 45.5, 90, 200, 275]),
            "rotation_mode": st.sampled_from(["default", "anchor", "xtick", "ytick"]),
            "linespacing": st.sampled_from([None, 1.2, 2.0]), "parse_math": st.booleans(),
            "dpi": st.sampled_from([72, 100, 150])}


@st.composite
def _texts(draw):
    """A text, then texts that differ from the one before in one or two properties (a store
    keyed on too little would hand out the earlier layout)."""
    props = {name: draw(choice) for name, choice in _CHOICES.items()}
    texts = [dict(props)]
    for _ in range(draw(st.integers(1, 8))):
        for name in draw(st.lists(st.sampled_from(sorted(_CHOICES)), min_size=1, max_size=2)):
            props[name] = draw(_CHOICES[name])
        texts.append(dict(props))
    return texts


def _layouts_of(texts, renderer):
    figure = plt.figure(figsize=(4, 3))
    try:
        out = []
        for props in texts:
            props = dict(props)
            figure.dpi = props.pop("dpi")  # as savefig and get_window_extent set it
            text = figure.text(0.5, 0.5, **props)
            box, lines, corner = text._get_layout(renderer)
            out.append((tuple(box.bounds), lines, corner))
        return out
    finally:
        plt.close(figure)


@settings(max_examples=80)
@given(texts=_texts(), dpi=st.sampled_from([72, 100]))
def test_kept_layouts_are_the_ones_matplotlib_computes(texts, dpi):
    renderer = RendererAgg(400, 300, dpi)
    expected = _layouts_of(texts, renderer)  # matplotlib's own, nothing kept
    with text_metrics.shared_text_metrics():
        first = _layouts_of(texts, renderer)
        again = _layouts_of(texts, renderer)  # from the store, also across figures
    assert first == expected
    assert again == expected


def test_a_kept_layout_hands_out_its_own_box():
    renderer = RendererAgg(400, 300, 100)
    figure = plt.figure(figsize=(4, 3))
    text = figure.text(0.5, 0.5, "Care order")
    with text_metrics.shared_text_metrics():
        box, _, _ = text._get_layout(renderer)
        bounds = box.bounds
        box.set_points(box.get_points() + 50)  # a caller moving its box
        again, _, _ = text._get_layout(renderer)
    assert again.bounds == bounds
    assert len(text_metrics._layouts) == 1


def test_matplotlib_layout_is_restored_after_an_error():
    original = mtext.Text._get_layout
    with pytest.raises(RuntimeError):
        with text_metrics.shared_text_metrics():
            assert mtext.Text._get_layout is not original
            raise RuntimeError("a chart failed")
    assert mtext.Text._get_layout is original
