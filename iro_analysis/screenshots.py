"""Pictures of the shared reports as a reader's browser shows them (headless Chromium).

``make screenshots`` (or ``python -m iro_analysis.screenshots outputs/2023``) writes one PNG per
report to ``outputs/<year>/screenshots/<DfE code>.png``, so a reviewer can look at a whole year's
reports without opening each (the report folders themselves are left as published). The browser runs with no network and a fresh profile; because the pages carry a
Content-Security-Policy and no script, what is pictured is exactly what a reader sees.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from .errors import ParameterError

__all__ = ["find_browser", "screenshot", "page_dom", "main"]

_BROWSERS = ("chromium", "chromium-browser", "google-chrome", "chrome")
# No network, no background services: the page must render from the file alone.
_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
          "--disable-background-networking", "--disable-component-update", "--disable-sync",
          "--hide-scrollbars"]


def find_browser() -> str:
    """The path of a Chromium-family browser, or a clear error saying how to install one."""
    for name in _BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    raise ParameterError("no Chromium browser was found for screenshots. Install one "
                         "(Debian/Ubuntu: `apt-get install chromium`) and run again.")


def _run(arguments: list[str], timeout: int) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run([find_browser(), *_FLAGS, f"--user-data-dir={profile}", *arguments],
                              capture_output=True, text=True, timeout=timeout, check=False)


def screenshot(html, png, *, width: int = 1000, height: int = 6000, timeout: int = 120) -> Path:
    """Render ``html`` in headless Chromium and save the top ``width`` x ``height`` pixels to ``png``."""
    html, png = Path(html).resolve(), Path(png).resolve()
    png.parent.mkdir(parents=True, exist_ok=True)
    if not html.is_file():
        raise ParameterError(f"{html} does not exist: run `make report` first.")
    result = _run([f"--window-size={width},{height}", f"--screenshot={png}", html.as_uri()], timeout)
    if not png.is_file():
        raise ParameterError(f"Chromium did not write {png.name}: {result.stderr.strip()[-300:]}")
    return png


def page_dom(html, *, timeout: int = 120) -> str:
    """The page's DOM after Chromium has loaded it (shows whether anything ran or changed it)."""
    return _run(["--dump-dom", Path(html).resolve().as_uri()], timeout).stdout


def main(argv=None) -> int:
    """``python -m iro_analysis.screenshots YEAR_FOLDER``: ``screenshots/<code>.png`` for every report."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    if len(arguments) != 1:
        print("usage: python -m iro_analysis.screenshots outputs/<year>", file=sys.stderr)
        return 2
    reports = sorted(Path(arguments[0]).glob("*/report.html"))
    if not reports:
        print(f"error: no reports under {arguments[0]}: run `make report` first.", file=sys.stderr)
        return 2
    try:
        for report in reports:
            print(screenshot(report, Path(arguments[0]) / "screenshots" / f"{report.parent.name}.png"))
    except ParameterError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
