"""The palette and the look of every figure: legible in grayscale, for
colour-blind readers, and at slide size.

Colours are the Okabe-Ito palette (Okabe and Ito, "Color Universal Design",
2008), ordered so that neighbouring series also differ in lightness; every
series also gets its own marker and line style, so nothing depends on colour
alone. Text is never parsed as mathtext (``$`` in a question text stays a
dollar sign) and SVG keeps text as text (smaller files, selectable labels).
"""

from __future__ import annotations

import contextlib
from typing import Iterator

# Okabe-Ito; series take them in the order of SERIES_COLORS, whose neighbours differ in
# lightness by at least 0.12 (luma: blue .34, orange .64, green .42, sky .62, vermillion .47,
# purple .59, black 0, yellow .84; yellow, faint on white, comes last)
BLUE = "#0072B2"
ORANGE = "#E69F00"
VERMILLION = "#D55E00"
SKY = "#56B4E9"
GREEN = "#009E73"
YELLOW = "#F0E442"
PURPLE = "#CC79A7"
BLACK = "#000000"
GREY = "#7F7F7F"
LIGHT = "#D9D9D9"

SERIES_COLORS = (BLUE, ORANGE, GREEN, SKY, VERMILLION, PURPLE, BLACK, YELLOW)
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
LINESTYLES = ("-", "--", ":", "-.", (0, (5, 1, 1, 1, 1, 1)), (0, (1, 2)), (0, (8, 2)), (0, (3, 1, 1, 1)))
HATCHES = ("//", "\\\\", "..", "xx", "--", "++", "oo", "||")

# what each element of the calibration figure uses
DIAGONAL = GREY
BINNED = BLACK
CORP = BLUE
BAND = SKY
BAND_HATCH = "////"
HIST = GREY
TEAM = BLACK
BAND_BOX = LIGHT

SLIDE = {
    "font.size": 12,
    "axes.titlesize": 13,
    "axes.labelsize": 12,
    "xtick.labelsize": 11,
    "ytick.labelsize": 11,
    "legend.fontsize": 10,
    "legend.frameon": False,
    "figure.titlesize": 14,
    "lines.linewidth": 2.0,
    "lines.markersize": 7,
    "axes.linewidth": 1.0,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#E5E5E5",
    "grid.linewidth": 0.8,
    "axes.axisbelow": True,
    "axes.titlelocation": "left",
    "hatch.linewidth": 0.6,
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
    "savefig.pad_inches": 0.15,
    "svg.fonttype": "none",
    "svg.hashsalt": "forecast-tracker",
    "text.parse_math": False,
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Arial", "Helvetica", "sans-serif"],
}


@contextlib.contextmanager
def styled() -> Iterator[None]:
    """The report's matplotlib settings, for the figures built inside the block."""
    import matplotlib as mpl

    with mpl.rc_context(SLIDE):
        yield


def series_style(i: int) -> dict:
    """Colour, marker and line style of the i-th series (cycling)."""
    return {
        "color": SERIES_COLORS[i % len(SERIES_COLORS)],
        "marker": MARKERS[i % len(MARKERS)],
        "linestyle": LINESTYLES[i % len(LINESTYLES)],
    }


def plain_text(text: object, limit: int = 80) -> str:
    """A user-supplied string made safe for a figure label: one line, at most ``limit`` characters.

    mathtext is off in :data:`SLIDE`, so ``$`` needs no escaping; control
    characters and newlines become spaces.
    """
    s = " ".join(str(text).split())
    return s if len(s) <= limit else s[: limit - 1] + "\u2026"
