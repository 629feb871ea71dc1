"""Benchmark the report's charts, its whole-distribution test and its kernel set-up: old against new.

Usage::

    python benchmarks/bench_render.py [--la 872] [--year 2023] [--seed 1] [--repeat 3] [--data FOLDER]

Writes a synthetic return (as ``iro-analysis synth --la 872 --year 2023 --years 2 --seed 1``)
unless ``--data`` is given, builds the authority report
(:func:`iro_analysis.authority_report.build`) and then, in the same run:

* draws each of the report's charts and renders it the old way (``Figure.tight_layout``, then
  the PNG IPython makes to display a figure: ``bbox_inches="tight"``, 32-bit) and the new way
  (:func:`iro_analysis.plots.render`: 8-bit palette PNG; SVG shown too), counting
  ``Figure.draw`` calls; prints seconds and bytes per chart and the ratios (a PNG takes 4/3 of
  its bytes in the HTML, as base64);
* times the report's whole-distribution test (:func:`iro_analysis.stats.exact_multinomial_test`
  on the report's own counts) listing every outcome (old) and by halves of the categories
  (new), and checks that the p-values agree;
* times, in fresh interpreters, setting the chart style the old way (pyplot and
  ``seaborn.set_theme``) and the new way (``plots.set_style``), alone and with everything else
  the report notebook imports by the end of its run (scipy.stats and pyplot included), with
  one BLAS thread so that idle threads do not count.

Times are CPU seconds of this process (of the child interpreter for the set-up), which vary
less than wall time when other processes share the machine. Not a test.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

OLD_STYLE = ("import matplotlib.pyplot, seaborn as sns, iro_analysis, iro_analysis.plots; "
             "sns.set_theme(style='whitegrid', palette=iro_analysis.plots.PALETTE, rc={'figure.dpi': 100, "
             "'savefig.dpi': 150, 'axes.titlesize': 12, 'axes.titleweight': 'bold'})")
NEW_STYLE = "import iro_analysis, iro_analysis.plots; iro_analysis.plots.set_style()"
# what the report notebook imports by the end of its run besides the style: its modules,
# scipy.stats (through the statistics) and pyplot (for the first chart)
REPORT_MODULES = ("; import iro_analysis.report, iro_analysis.authority_report, iro_analysis.disproportionality, "
                  "iro_analysis.stats, iro_analysis.plots.cohorts, iro_analysis.plots.timeliness, "
                  "iro_analysis.plots.benchmarks, iro_analysis.plots.disproportionality, matplotlib.pyplot")


class DrawCounter:
    """Counts ``Figure.draw`` calls (each is one full drawing of a figure)."""

    def __init__(self):
        self.calls = 0
        self._draw = Figure.draw

    def __enter__(self):
        counter, draw = self, self._draw

        def counting(figure, renderer):
            counter.calls += 1
            return draw(figure, renderer)

        Figure.draw = counting
        return self

    def __exit__(self, *exc):
        Figure.draw = self._draw


def old_png(figure) -> bytes:
    """The chart as the previous ``plots.show`` produced it (IPython's inline display)."""
    from IPython.core.pylabtools import print_figure

    figure.tight_layout()
    return print_figure(figure, fmt="png", bbox_inches="tight")


def build_report(la: str, year: int, data_dir: Path, out: Path):
    """Build the authority report; also return the counts its whole-distribution test used."""
    import iro_analysis as iro
    from iro_analysis.stats import tests

    seen = []
    original = tests.goodness_of_fit_test

    def recording(observed, probabilities, **options):
        seen.append((observed, probabilities))
        return original(observed, probabilities, **options)

    tests.goodness_of_fit_test = recording
    try:
        params = iro.report.validate_parameters(la, year, data_dir=str(data_dir), output_dir=str(out))
        data = iro.report.load_return(params)
        iro.plots.set_style()
        report = iro.authority_report.build(params, data, identifiers=iro.report.child_identifiers(data),
                                            synthetic=True)
    finally:
        tests.goodness_of_fit_test = original
    return report, seen


def _timed(fn, repeat):
    """Median CPU seconds of ``repeat`` calls of ``fn(i)``, and the last result."""
    times, result = [], None
    for i in range(repeat):
        start = time.process_time()
        result = fn(i)
        times.append(time.process_time() - start)
    return statistics.median(times), result


def bench_charts(report, repeat: int) -> None:
    from iro_analysis import plots

    print(f"\nCharts (CPU seconds, median of {repeat}; rendering only: the chart is drawn into its Axes first)")
    print(f"{'chart':18s} {'old s':>7s} {'new s':>7s} {'x':>5s} {'draws':>7s} {'old KB':>7s} {'new KB':>7s} "
          f"{'ratio':>6s} {'svg s':>7s} {'svg KB':>7s}")
    totals = {"old_s": 0.0, "new_s": 0.0, "svg_s": 0.0, "old_b": 0, "new_b": 0, "svg_b": 0}
    n = 0
    for name, (draw, describe) in report.charts.items():
        if describe() is None:
            continue

        def once(render):
            def run(_):
                figure = draw().figure
                start = time.process_time()
                with DrawCounter() as counter:
                    out = render(figure)
                seconds = time.process_time() - start
                plt.close(figure)
                return seconds, out, counter.calls
            results = [run(i) for i in range(repeat)]
            return statistics.median(r[0] for r in results), results[-1][1], results[-1][2]

        old_s, old, old_draws = once(old_png)
        new_s, new, new_draws = once(plots.render)
        svg_s, svg, _ = once(lambda figure: plots.render(figure, format="svg"))
        svg_bytes = len(svg.encode("utf-8"))
        print(f"{name:18s} {old_s:7.3f} {new_s:7.3f} {old_s / new_s:5.1f} {old_draws:>3d}->{new_draws:<2d} "
              f"{len(old) / 1e3:7.1f} {len(new) / 1e3:7.1f} {len(old) / len(new):6.2f} {svg_s:7.3f} "
              f"{svg_bytes / 1e3:7.1f}")
        for key, value in (("old_s", old_s), ("new_s", new_s), ("svg_s", svg_s), ("old_b", len(old)),
                           ("new_b", len(new)), ("svg_b", svg_bytes)):
            totals[key] += value
        n += 1
    print(f"{f'all {n}':18s} {totals['old_s']:7.3f} {totals['new_s']:7.3f} "
          f"{totals['old_s'] / totals['new_s']:5.1f} {'':7s} {totals['old_b'] / 1e3:7.1f} {totals['new_b'] / 1e3:7.1f} "
          f"{totals['old_b'] / totals['new_b']:6.2f} {totals['svg_s']:7.3f} {totals['svg_b'] / 1e3:7.1f}")
    print(f"per chart: old {totals['old_s'] / n:.3f} s, {totals['old_b'] / n / 1e3:.1f} KB; "
          f"new {totals['new_s'] / n:.3f} s, {totals['new_b'] / n / 1e3:.1f} KB "
          f"(in the HTML as base64: {4 / 3 * totals['old_b'] / 1e3:.0f} KB -> {4 / 3 * totals['new_b'] / 1e3:.0f} KB "
          "for all charts)")


def bench_multinomial(seen, repeat: int) -> None:
    from iro_analysis.stats import tests

    print(f"\nWhole-distribution test (CPU seconds, median of {repeat})")
    for observed, probabilities in seen:
        new_s, new = _timed(lambda _: tests.exact_multinomial_test(observed, probabilities), repeat)
        split = tests._split_enumeration_p_value
        tests._split_enumeration_p_value = tests._full_enumeration_p_value  # the previous implementation
        try:
            old_s, old = _timed(lambda _: tests.exact_multinomial_test(observed, probabilities), repeat)
        finally:
            tests._split_enumeration_p_value = split
        agree = abs(old.p_value - new.p_value) <= 1e-9 * old.p_value
        print(f"observed {[int(v) for v in observed]}, {new.method}, {new.n_outcomes:,} outcomes: "
              f"old {old_s:.3f} s, new {new_s:.4f} s ({old_s / new_s:.0f}x); "
              f"p {old.p_value:.10g} vs {new.p_value:.10g} ({'same' if agree else 'DIFFERENT'})")


def bench_imports(repeat: int) -> None:
    print(f"\nKernel set-up in a fresh interpreter (CPU seconds, median of {repeat}, start-up subtracted)")

    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")

    def cpu(code):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run([sys.executable, "-c", code], check=True, env=env)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)

    baseline = statistics.median(cpu("pass") for _ in range(repeat))
    for label, old, new in (("style only", OLD_STYLE, NEW_STYLE),
                            ("report kernel", OLD_STYLE + REPORT_MODULES, NEW_STYLE + REPORT_MODULES)):
        old_s = statistics.median(cpu(old) for _ in range(repeat)) - baseline
        new_s = statistics.median(cpu(new) for _ in range(repeat)) - baseline
        print(f"{label:14s} old {old_s:.2f} s, new {new_s:.2f} s (saves {old_s - new_s:.2f} s)")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--la", default="872")
    ap.add_argument("--year", type=int, default=2023)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--data", type=Path, help="an SSDA903 return (default: a synthetic one)")
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        data_dir = args.data
        if data_dir is None:
            from iro_analysis.synthetic import write_synthetic_returns

            data_dir = write_synthetic_returns(args.la, args.year, years=2, out=Path(tmp) / args.la, seed=args.seed)
        start = time.perf_counter()
        report, seen = build_report(args.la, args.year, data_dir, Path(tmp) / "outputs")
        print(f"authority {args.la}, year {args.year}: report built in {time.perf_counter() - start:.1f} s")
        bench_charts(report, args.repeat)
        bench_multinomial(seen, args.repeat)
    bench_imports(max(args.repeat, 5))
    return 0


if __name__ == "__main__":
    sys.exit(main())
