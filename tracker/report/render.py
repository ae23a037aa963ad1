"""Render the report data as one self-contained HTML file, as Markdown or as JSON.

The HTML and Markdown come from the Jinja2 templates shipped in
``tracker/report/templates/`` (read with :mod:`importlib.resources`, so they
work from an installed wheel). HTML is autoescaped: question texts, analyst
names and evidence are user input and render inert. Figures are embedded as
``data:`` URIs in ``<img>`` tags (SVG by default, PNG on request): the file
makes no network request and needs no JavaScript.
"""

from __future__ import annotations

import base64
import json
import math
from dataclasses import asdict
from datetime import date, datetime
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Optional

from ..jsonable import jsonable as _plain  # the one JSON encoder
from .data import MIN_FOR_CURVE, SURPRISE_THRESHOLD, Report

FORMATS = ("html", "json", "md")
IMAGE_FORMATS = ("svg", "png")
JSON_FORMAT_VERSION = 1
#: The report draws the analysts figure up to this many analysts; beyond, the table says it all.
MAX_ANALYSTS_IN_FIGURE = 30


# ------------------------------------------------------------------ filters


def _num(x: Any, digits: int = 3) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "-"
    return f"{x:.{digits}f}"


def _signed(x: Any, digits: int = 3) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "-"
    return f"{x:+.{digits}f}"


def _pct(x: Any, digits: int = 0) -> str:
    if x is None:
        return "-"
    return f"{100 * x:.{digits}f}%"


def _ci(ci: Any, digits: int = 3) -> str:
    if not ci or ci[0] is None or ci[1] is None:
        return "-"
    return f"[{ci[0]:.{digits}f}, {ci[1]:.{digits}f}]"


def _pct_ci(lo: Any, hi: Any) -> str:
    if lo is None or hi is None:
        return "-"
    return f"{100 * lo:.0f}\u2013{100 * hi:.0f}%"


def _md(text: Any) -> str:
    """User text made safe for a Markdown table cell: one line, no raw HTML, no table breaks."""
    if text is None:
        return "-"
    s = " ".join(str(text).split())
    for a, b in (("\\", "\\\\"), ("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("|", "\\|"), ("`", "\\`"),
                 ("*", "\\*"), ("_", "\\_"), ("[", "\\["), ("]", "\\]")):
        s = s.replace(a, b)
    return s


def _shown(value: Any) -> Any:
    from ..safetext import shown

    return shown(value) if isinstance(value, str) else value


def _is_link(text: Any) -> bool:
    s = str(text).strip().lower()
    return (s.startswith("https://") or s.startswith("http://")) and " " not in s


def _isodate(value: Any) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M UTC")
    if isinstance(value, date):
        return value.isoformat()
    return "-" if value is None else str(value)


def _bytecode_cache():
    """Compiled templates kept between runs (like ``.pyc`` files), in ``$TRACKER_HOME/cache`` or the
    platform's user cache directory; keyed by the template's source and the Python version, so an edited
    template or another interpreter recompiles. None (compile every time) where that folder cannot be made."""
    import os

    import jinja2

    try:
        home = os.environ.get("TRACKER_HOME")
        if home:
            folder = Path(home).expanduser() / "cache" / "templates"
        else:
            from platformdirs import user_cache_dir

            folder = Path(user_cache_dir("forecast-tracker", appauthor=False)) / "templates"
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None

    class Cache(jinja2.FileSystemBytecodeCache):
        """A cache that never fails a report: a file it cannot read or write is compiled again."""

        def load_bytecode(self, bucket) -> None:
            try:
                super().load_bytecode(bucket)
            except (OSError, EOFError, ValueError):
                bucket.reset()

        def dump_bytecode(self, bucket) -> None:
            try:
                super().dump_bytecode(bucket)
            except OSError:
                pass

    return Cache(str(folder))


@lru_cache(maxsize=2)
def _environment(kind: str):
    import jinja2

    def load(name: str):
        source = resources.files(__package__).joinpath("templates", name).read_text(encoding="utf-8")
        return source, None, lambda: True  # (source, no file name, always up to date: package data)

    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(load),
        bytecode_cache=_bytecode_cache(),
        autoescape=(kind == "html"),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # Markdown is read in terminals and editors: control characters in user text are shown as escapes
        finalize=_shown if kind == "md" else None,
    )
    env.filters.update(num=_num, signed=_signed, pct=_pct, ci=_ci, pct_ci=_pct_ci, md=_md, isodate=_isodate)
    env.tests["link"] = _is_link
    env.globals.update(min_for_curve=MIN_FOR_CURVE, surprise_threshold=SURPRISE_THRESHOLD)
    return env


# ------------------------------------------------------------------ figures


def report_figures(report: Report, *, image_format: str = "svg", progress=None) -> dict[str, dict]:
    """The report's figures as ``{key: {"uri", "alt", "caption"}}`` (only those with something to show).
    ``progress(phase, done, total)``, if given, hears each figure drawn."""
    from . import figures

    if image_format not in IMAGE_FORMATS:
        raise ValueError(f"unknown image format {image_format!r} (svg or png)")
    mime = "image/svg+xml" if image_format == "svg" else "image/png"
    out: dict[str, dict] = {}
    scale = report.meta.brier_scale

    def add(key: str, fig, alt: str, caption: str) -> None:
        if progress is not None:
            progress("drawing figures", len(out), None)
        data = figures.to_bytes(fig, image_format, dpi=110 if image_format == "png" else None)
        out[key] = {"uri": f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}", "alt": alt,
                    "caption": caption}

    cal = report.calibration
    if cal.enough:
        add("calibration", figures.calibration_figure(data=cal),
            f"Reliability diagram of {cal.n} forecasts with a histogram of the forecasts underneath",
            f"Reliability diagram, n = {cal.n} binary forecasts, probabilities on 0-1. Open circles: forecasts in "
            f"10 equal bins, mean forecast against how often the events happened, with Wilson {cal.level:.0%} "
            f"intervals and the count per bin. Line: CORP isotonic recalibration curve; shaded: its "
            f"{cal.corp_level:.0%} consistency band (where a calibrated forecaster's curve would fall). "
            f"Underneath: how many forecasts fell at each probability (sharpness).")
    scored = [a for a in report.analysts if a.n]
    if 0 < len(scored) <= MAX_ANALYSTS_IN_FIGURE:
        add("analysts", figures.analysts_figure(scored, brier_scale=scale),
            "Each analyst's Brier score and relative Brier score with intervals",
            f"Brier score ({scale} scale) and relative Brier (difference from the other analysts' mean score on the same "
            f"questions; below 0 is better than them), best first. 95% intervals: "
            f"{report.meta.group_intervals}.")
    if report.phrases:
        add("phrases", figures.wep_figure(report.phrases),
            "Realized frequency of each estimative phrase against its band",
            "For each estimative phrase: the band its scale assigns (hatched), how often its questions "
            "happened (with a Wilson 95% interval) and the mean forecast the analysts gave.")
    if report.has_trend:
        who = report.meta.analyst or "team"
        team = [r for r in report.trend if r.group == who]
        add("trend", figures.trend_figure(team, brier_scale=scale),
            "Team Brier score per quarter with intervals" if who == "team" else f"Brier score of {who} per quarter",
            f"Brier score ({scale} scale) of the {'team' if who == 'team' else 'analyst'} per quarter of "
            f"deadlines. 95% intervals: {report.meta.trend_intervals}.")
    return out


# ------------------------------------------------------------------- output


def to_dict(report: Report) -> dict:
    """The report as JSON-ready data (stable snake_case keys; dates in ISO 8601; no figures)."""
    data = _plain(asdict(report))
    return {"format_version": JSON_FORMAT_VERSION, **data}


def render_json(report: Report) -> str:
    return json.dumps(to_dict(report), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def render_html(report: Report, *, image_format: str = "svg", figures: Optional[dict] = None, progress=None) -> str:
    """One self-contained HTML page (figures inline as data URIs, print CSS, no script)."""
    figs = report_figures(report, image_format=image_format, progress=progress) if figures is None else figures
    if progress is not None:
        progress("writing", len(figs), None)
    return _environment("html").get_template("report.html.j2").render(r=report, figures=figs)


def render_markdown(report: Report) -> str:
    """The same report as Markdown (tables; no figures: see ``tracker plot`` or the HTML report)."""
    return _environment("md").get_template("report.md.j2").render(r=report)


def render(report: Report, fmt: str = "html", **kwargs: Any) -> str:
    if fmt == "html":
        return render_html(report, **kwargs)
    if fmt == "json":
        return render_json(report)
    if fmt == "md":
        return render_markdown(report)
    raise ValueError(f"unknown report format {fmt!r} (one of {', '.join(FORMATS)})")
