"""Text sizes and layouts measured once per kernel rather than once per chart.

To lay out a chart, matplotlib measures every piece of text (tick labels, titles, legend
entries) with the font engine, about half a millisecond a string. It remembers the sizes only for
the renderer that measured them, and every chart gets new renderers, so the same tick labels
("0", "20", "2022-23", the category names) are measured again in every chart of every report:
about 600 measurements per report, most of them repeats.

:func:`shared_text_metrics` keeps the sizes for the charts drawn inside it, keyed by everything
the size depends on: the renderer's type and resolution, the text, the font's properties, whether
it is mathtext, the dpi and the font and text settings (``font.*``, ``text.*``, ``mathtext.*``
rcParams and the fonts matplotlib knows). A size is a pure function of those, so a chart drawn
inside it is the same, to the byte, as one drawn outside it. Only the raster (Agg) and SVG
renderers are served (an SVG's through the proxy that draws it); others, and TeX text, are
measured as usual.

A text's layout (its box, and where each line goes in it) is computed from its sizes by
``Text._get_layout`` three times per chart (fitting the margins, finding the crop box, drawing),
each time looking up the font and its height tables again. Inside the same block the layout is
kept too, keyed by the sizes' key plus everything else ``_get_layout`` reads from the text: the
lines as wrapped, whether dollar signs start mathtext, the line spacing, the alignments, the
rotation and the rotation mode. Each caller gets its own copy of the box.
"""

from __future__ import annotations

import contextlib

import matplotlib as mpl
import matplotlib.text as mtext

__all__ = ["shared_text_metrics", "clear"]

#: Sizes kept at most; past it the store starts again (a report measures about 600 strings).
MAX_SIZES = 50_000
_RC_PREFIXES = ("font.", "text.", "mathtext.")

_sizes: dict = {}
_layouts: dict = {}
_settings_seen: dict = {}
_rc_keys: dict = {}  # number of rcParams -> the keys that matter, in order  # settings -> a small number for the keys (hashing it whole per string costs)


def clear() -> None:
    """Forget every kept size."""
    _sizes.clear()
    _layouts.clear()
    _settings_seen.clear()


def _settings() -> int:
    from matplotlib import font_manager

    # findfont resolves a family through the font.* settings and the fonts registered with it
    params = mpl.rcParams
    # the stored values, read without matplotlib's per-key validation and deprecation checks
    settings = (tuple((key, repr(dict.__getitem__(params, key))) for key in _keys(params)),
                len(font_manager.fontManager.ttflist), id(font_manager.fontManager))
    return _settings_seen.setdefault(settings, len(_settings_seen))


def _keys(params) -> tuple:
    keys = _rc_keys.get(len(params))
    if keys is None:
        keys = _rc_keys[len(params)] = tuple(key for key in dict.keys(params) if key.startswith(_RC_PREFIXES))
    return keys


def _font_key(prop) -> tuple:
    return (tuple(prop.get_family()), prop.get_style(), prop.get_variant(), prop.get_weight(),
            prop.get_stretch(), prop.get_size_in_points(), str(prop.get_file()), prop.get_math_fontfamily())


def _served_renderers() -> tuple:
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.backends.backend_svg import RendererSVG

    return (RendererAgg, RendererSVG)


def _measuring(renderer):
    """The renderer that measures: an SVG is drawn through a proxy that hands each call to the
    vector renderer, or to a raster one while an artist is rasterised."""
    from matplotlib.backends.backend_mixed import MixedModeRenderer

    return renderer._renderer if type(renderer) is MixedModeRenderer else renderer


@contextlib.contextmanager
def shared_text_metrics():
    """Within the block, text sizes measured for one chart serve every later chart.

    Re-entrant: an inner block uses the outer one's sizes. matplotlib's own measuring function
    is restored when the outermost block ends, also on an error.

    Examples
    --------
    >>> import matplotlib.text as mtext
    >>> before = mtext._get_text_metrics_with_cache
    >>> with shared_text_metrics():
    ...     mtext._get_text_metrics_with_cache is before
    False
    >>> mtext._get_text_metrics_with_cache is before
    True
    """
    measure = mtext._get_text_metrics_with_cache
    if getattr(measure, "_shared_sizes", False):
        yield
        return
    served = _served_renderers()
    settings = _settings()
    lay_out = mtext.Text._get_layout

    def shared(renderer, text, fontprop, ismath, dpi):
        measuring = _measuring(renderer)
        if type(measuring) not in served or ismath not in (False, True):
            return measure(renderer, text, fontprop, ismath, dpi)
        key = (type(measuring), getattr(measuring, "dpi", None), text, _font_key(fontprop), ismath, dpi, settings)
        size = _sizes.get(key)
        if size is None:
            size = measure(renderer, text, fontprop, ismath, dpi)
            if len(_sizes) >= MAX_SIZES:
                _sizes.clear()
            _sizes[key] = size
        return size

    def shared_layout(text, renderer):
        measuring = _measuring(renderer)
        if type(measuring) not in served or text.get_usetex():
            return lay_out(text, renderer)
        key = (type(renderer), type(measuring), getattr(measuring, "dpi", None), text._get_wrapped_text(),
               _font_key(text._fontproperties), text.get_parse_math(), text._linespacing,
               text._get_multialignment(), text._horizontalalignment, text._verticalalignment,
               text.get_rotation(), text.get_rotation_mode(), text.get_figure(root=True).dpi, settings)
        layout = _layouts.get(key)
        if layout is None:
            layout = lay_out(text, renderer)
            if len(_layouts) >= MAX_SIZES:
                _layouts.clear()
            _layouts[key] = layout
        box, lines, corner = layout
        return box.frozen(), list(lines), corner  # callers may move their box

    shared._shared_sizes = True
    mtext._get_text_metrics_with_cache = shared
    mtext.Text._get_layout = shared_layout
    try:
        yield
    finally:
        mtext._get_text_metrics_with_cache = measure
        mtext.Text._get_layout = lay_out
