"""Figures, built with matplotlib's object API (a ``Figure``, never pyplot).

Every function takes data (arrays or the dataclasses of
:mod:`tracker.report.data`) and an optional ``ax``; it draws on ``ax`` when
given, else on a new figure, and returns the figure. Nothing is shown or
saved here: :func:`save` (or ``fig.savefig``) writes a file, with the format
taken from the file name (png, svg or pdf).

The artists that carry data have a ``gid`` (``"binned"``, ``"corp"``,
``"corp-band"``, ``"histogram"``, ``"forecast:<analyst>"``, ``"deadline"``,
``"resolution"``, ``"trend:<group>"``, ``"band"``, ``"frequency"``,
``"brier"``, ``"relative"``...) so that tests and notebooks can find them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Optional, Sequence

import numpy as np

from . import style
from .data import AnalystRow, CalibrationData, PhraseRow, QuestionHistory, TrendRow

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

FORMATS = ("png", "svg", "pdf")


def _new_figure(width: float, height: float) -> "Figure":
    """A figure with no layout engine: margins are set by hand and saving crops to the drawn content
    (``savefig.bbox: tight``), which costs one layout pass instead of constrained layout's several."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height))


def _percent_axis(axis) -> None:
    from matplotlib.ticker import FuncFormatter, MultipleLocator

    axis.set_major_locator(MultipleLocator(0.2))
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v * 100:.0f}%"))


def _message(ax: "Axes", text: str, *, fontsize: float = 12) -> None:
    import textwrap

    wrapped = "\n".join(textwrap.wrap(style.plain_text(text, 200), 44))
    t = ax.text(0.5, 0.5, wrapped, transform=ax.transAxes, ha="center", va="center", fontsize=fontsize,
                color=style.BLACK, gid="message", zorder=10,
                bbox={"boxstyle": "round,pad=0.6", "facecolor": "white", "edgecolor": style.GREY})
    t.set_in_layout(False)


def _legend(ax: "Axes", own: bool, **kw) -> None:
    """A legend outside the data, to the right of the axes, when the figure is ours; else inside ``ax``."""
    if own:
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0, **kw)
    else:
        ax.legend(loc="best", fontsize=8)


def _spread(value, low, high) -> np.ndarray:
    """``errorbar``'s ``yerr``/``xerr`` for intervals [low, high] around ``value``: never negative (a
    zero-width interval, or a bound one rounding step past its estimate, draws no bar rather than failing);
    NaN stays NaN (nothing drawn)."""
    value = np.asarray(value, dtype=float)
    low = np.asarray(low, dtype=float)
    high = np.asarray(high, dtype=float)
    return np.vstack((np.maximum(value - low, 0.0), np.maximum(high - value, 0.0)))


def _note(fig: "Figure", note: Optional[str]) -> None:
    """A note under the figure (for example: how many analysts were left out)."""
    if note:
        fig.text(0.5, 0.0, style.plain_text(note, 160), ha="center", va="top", fontsize=9, color=style.BLACK,
                 gid="note")


def _short_count(n: int) -> str:
    if n >= 10_000:
        return f"{n / 1000:.0f}k"
    if n >= 1000:
        return f"{n / 1000:.1f}k"
    return str(n)


# ------------------------------------------------------------------ calibration


def calibration_figure(p=None, y=None, *, data: Optional[CalibrationData] = None, bins: int = 10, label: str = "team",
                       brier_scale: str = "0-1", ax: Optional["Axes"] = None, title: Optional[str] = None) -> "Figure":
    """Reliability diagram: diagonal, binned points with Wilson 95% intervals labelled by count,
    the CORP isotonic curve with its 90% consistency band, and the histogram of forecasts (sharpness).

    Give the forecasts ``p`` and outcomes ``y`` (the statistics are computed
    with :func:`tracker.report.build.calibration_data`), or ``data`` already
    computed. Without ``ax`` the histogram gets its own panel underneath; on a
    given ``ax`` it is drawn along the bottom of the diagram, on its own
    hidden count axis.
    """
    if data is None:
        from .build import calibration_data

        data = calibration_data(np.asarray([] if p is None else p), np.asarray([] if y is None else y),
                                bins=bins, label=label, brier_scale=brier_scale)
    with style.styled():
        if ax is None:
            fig = _new_figure(6.4, 8.0)
            grid = fig.add_gridspec(2, 1, height_ratios=(4, 1), hspace=0.28, left=0.14, right=0.97, top=0.9,
                                    bottom=0.08)
            ax = fig.add_subplot(grid[0])
            hist_ax = fig.add_subplot(grid[1], sharex=ax)
            _draw_calibration(data, ax, hist_ax, title=title, legend="outside")
        else:
            fig = ax.get_figure()
            _draw_calibration(data, ax, None, title=title, small=True, legend="inside")
    return fig


def _calibration_title(data: CalibrationData) -> str:
    head = f"Calibration: {style.plain_text(data.label, 40)}, n = {data.n:,} forecast{'s' if data.n != 1 else ''}"
    if data.brier is not None:
        head += f"\nBrier {data.brier:.3f} ({data.brier_scale} scale, lower is better)"
    return head


def _draw_calibration(data: CalibrationData, ax: "Axes", hist_ax: Optional["Axes"], *, title: Optional[str] = None,
                      small: bool = False, legend: Optional[str] = None) -> None:
    ax.set_gid("reliability")
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.02)
    _percent_axis(ax.xaxis)
    _percent_axis(ax.yaxis)
    ax.plot([0, 1], [0, 1], color=style.DIAGONAL, linestyle="--", linewidth=1.2, label="perfect calibration",
            gid="diagonal")
    ax.set_ylabel("observed frequency")
    if hist_ax is None:
        ax.set_xlabel("forecast probability")
    ax.set_title(title or _calibration_title(data), fontsize=11 if small else None)
    if data.enough and data.corp_x:
        x = np.asarray(data.corp_x)
        band = ax.fill_between(x, data.corp_lower, data.corp_upper, facecolor=style.BAND, alpha=0.3,
                               edgecolor=style.CORP, hatch=style.BAND_HATCH, linewidth=0.0,
                               label=f"{data.corp_level:.0%} consistency band", gid="corp-band")
        band.set_gid("corp-band")
        ax.plot(x, data.corp_fitted, color=style.CORP, linestyle="-", linewidth=2.2, label="CORP isotonic curve",
                gid="corp")
    filled = [b for b in data.bins if b.count]
    if filled:
        mx = np.array([b.mean_forecast for b in filled])
        my = np.array([b.observed_frequency for b in filled])
        lo = np.array([b.wilson_low for b in filled])
        hi = np.array([b.wilson_high for b in filled])
        container = ax.errorbar(mx, my, yerr=_spread(my, lo, hi), fmt="o", color=style.BINNED,
                                markerfacecolor="white", markeredgewidth=1.8, capsize=3, elinewidth=1.2,
                                markersize=6 if small else 8, label=f"binned, Wilson {data.level:.0%} (n per bin)",
                                zorder=5)
        container.lines[0].set_gid("binned")
        for col in container.lines[2]:
            col.set_gid("wilson")
        if not small or len(filled) <= 6:
            for b in filled:
                ax.annotate(_short_count(b.count), (b.mean_forecast, b.observed_frequency), xytext=(6, -12),
                            textcoords="offset points", fontsize=8 if small else 9, color=style.BLACK, gid="count")
    if data.message and small and data.n:
        ax.text(0.97, 0.03, "too few for a curve", transform=ax.transAxes, ha="right", va="bottom", fontsize=9,
                color=style.BLACK, gid="message")
    elif data.message:
        _message(ax, data.message, fontsize=10 if small else 12)
    if data.n and legend == "outside":
        _legend(ax, True)
    elif data.n and legend == "inside":
        ax.legend(loc="upper left", fontsize=8)
    caption = []
    if data.corp_rounded_to:
        caption.append(f"CORP curve on forecasts rounded to {data.corp_rounded_to} decimals")
    counts = np.asarray(data.hist_counts, dtype=float)
    edges = np.asarray(data.hist_edges, dtype=float)
    if hist_ax is not None:
        hist_ax.set_gid("histogram")
        bars = hist_ax.bar(edges[:-1], counts, width=np.diff(edges), align="edge", color=style.HIST,
                           edgecolor="white", linewidth=0.6, label="forecasts")
        for patch in bars:
            patch.set_gid("histogram")
        hist_ax.set_xlabel("forecast probability")
        hist_ax.set_ylabel("forecasts")
        hist_ax.set_ylim(0, max(1.0, counts.max(initial=0) * 1.1))
        hist_ax.yaxis.get_major_locator().set_params(integer=True, nbins=3)
        _percent_axis(hist_ax.xaxis)
        if caption:
            hist_ax.set_title("; ".join(caption), fontsize=9, loc="right")
    elif counts.sum() > 0:
        twin = ax.twinx()
        twin.set_gid("histogram")
        bars = twin.bar(edges[:-1], counts, width=np.diff(edges), align="edge", color=style.HIST, alpha=0.35,
                        linewidth=0, label="forecasts")
        for patch in bars:
            patch.set_gid("histogram")
        twin.set_ylim(0, counts.max() / 0.2)
        twin.set_yticks([])
        twin.grid(False)
        for side in ("top", "right", "left", "bottom"):
            twin.spines[side].set_visible(False)
        twin.set_zorder(ax.get_zorder() - 1)
        ax.patch.set_visible(False)


def calibration_grid(groups: Sequence[CalibrationData], *, ncols: Optional[int] = None,
                     title: Optional[str] = None, note: Optional[str] = None) -> "Figure":
    """Small multiples: one calibration diagram per group (e.g. per analyst), same axes."""
    groups = list(groups)
    with style.styled():
        if not groups:
            return message_figure("No resolved binary forecasts yet: there is no calibration to show.",
                                  title="Calibration by analyst")
        ncols = ncols or min(3, len(groups))
        nrows = -(-len(groups) // ncols)
        fig = _new_figure(4.2 * ncols, 4.6 * nrows)
        axes = fig.subplots(nrows, ncols, squeeze=False, sharex=True, sharey=True,
                            gridspec_kw={"wspace": 0.12, "hspace": 0.45, "top": 1 - 1.0 / (4.6 * nrows)})
        for ax, data in zip(axes.flat, groups):
            _draw_calibration(data, ax, None, small=True,
                              title=f"{style.plain_text(data.label, 30)} (n = {data.n:,})"
                                    + (f"\nBrier {data.brier:.3f}, {data.brier_scale} scale" if data.brier is not None else ""))
            ax.set_xlabel("forecast probability", fontsize=10)
            if not ax.get_subplotspec().is_first_col():
                ax.set_ylabel("")
        for ax in list(axes.flat)[len(groups):]:
            ax.set_visible(False)
        handles: dict = {}
        for ax in axes.flat:
            for h, lab in zip(*ax.get_legend_handles_labels()):
                handles.setdefault(lab, h)
        if handles:
            fig.legend(list(handles.values()), list(handles.keys()), loc="upper center", bbox_to_anchor=(0.5, 0.02),
                       ncol=2)
        fig.suptitle(title or "Calibration by analyst (binned with Wilson 95%; CORP curve with 90% band)",
                     y=1 - 0.15 / (4.6 * nrows), va="top")
        _note(fig, note)
    return fig


# --------------------------------------------------------------------- history


def _deadline_end(h: QuestionHistory) -> datetime:
    """The moment a question's deadline passes: the end of that day in the
    team's zone as the service found it, else UTC midnight (as ``tracker.models.deadline_end``)."""
    from datetime import time, timezone

    if h.deadline_ends_at is not None:
        return h.deadline_ends_at
    return datetime.combine(h.deadline + timedelta(days=1), time(0), tzinfo=timezone.utc)


def history_figure(h: QuestionHistory, ax: Optional["Axes"] = None) -> "Figure":
    """A question's forecasts over time, one step line per analyst, with the deadline and the resolution.

    Binary questions plot the probability of yes. Resolved categorical
    questions plot the probability each analyst gave to the realized outcome
    (the title says so); unresolved or annulled categorical questions get one
    panel per outcome (a new figure: ``ax`` cannot hold several panels).
    """
    deadline = _deadline_end(h)
    close = min(deadline, h.known_at) if h.known_at else (min(deadline, h.as_of) if h.as_of else deadline)
    if h.kind == "binary":
        panels = [("yes", "probability of yes")]
    elif h.status == "resolved" and h.outcome:
        panels = [(h.outcome, f"probability of '{style.plain_text(h.outcome, 30)}' (what happened)")]
    else:
        panels = [(o, f"P({style.plain_text(o, 20)})") for o in h.outcomes]
        if ax is not None and len(panels) > 1:
            raise ValueError("an unresolved categorical question needs one panel per outcome: call without ax")
    with style.styled():
        if ax is None:
            fig = _new_figure(8.0, 4.4 if len(panels) == 1 else 2.3 * len(panels) + 1.0)
            axes = list(fig.subplots(len(panels), 1, sharex=True, squeeze=False, gridspec_kw={"hspace": 0.15})[:, 0])
        else:
            fig, axes = ax.get_figure(), [ax]
        for k, (ax_k, (outcome, ylabel)) in enumerate(zip(axes, panels)):
            _draw_history_panel(h, ax_k, outcome, ylabel, deadline, close, legend=(k == 0 and ax is not None))
        head = style.plain_text(h.text, 70)
        if h.status == "resolved":
            when = h.known_at.date().isoformat() if h.known_at else "?"
            sub = f"resolved {style.plain_text(h.outcome, 30)}, known {when}"
            if h.kind != "binary":
                sub += "; lines: probability of what happened"
        elif h.status == "annulled":
            sub = "annulled (not scored)"
        else:
            sub = "not resolved yet"
            if h.kind != "binary":
                sub += "; one panel per outcome"
        axes[0].set_title(f"{head}\n{h.id}: {sub}", fontsize=11)
        if ax is None:
            handles: dict = {}
            for a in axes:
                for hd, lab in zip(*a.get_legend_handles_labels()):
                    handles.setdefault(lab, hd)
            axes[0].legend(list(handles.values()), list(handles.keys()), loc="upper left", bbox_to_anchor=(1.02, 1.0),
                           borderaxespad=0.0, fontsize=10)
        axes[-1].set_xlabel("date (UTC)")
    return fig


def _draw_history_panel(h: QuestionHistory, ax: "Axes", outcome: str, ylabel: str, deadline: datetime,
                        close: datetime, *, legend: bool) -> None:
    import matplotlib.dates as mdates

    ax.set_ylim(-0.03, 1.03)
    _percent_axis(ax.yaxis)
    ax.set_ylabel(ylabel)
    start = h.opened_at
    for i, s in enumerate(h.series):
        times = [t for t in s.times if t < close] or list(s.times[:1])
        if not times:
            continue
        values = []
        for v in s.values[: len(times)]:
            values.append(float(v) if h.kind == "binary" else float((v or {}).get(outcome, 0.0)))
        xs = list(times) + [max(close, times[-1])]
        ys = values + [values[-1]]
        st = style.series_style(i)
        ax.step(xs, ys, where="post", color=st["color"], linestyle=st["linestyle"], marker=st["marker"],
                markevery=list(range(len(values))), label=style.plain_text(s.analyst, 30),
                gid=f"forecast:{s.analyst}")
        start = min(start, times[0])
    ax.axvline(deadline, color=style.GREY, linestyle="--", linewidth=1.4, label="deadline (end of day)", gid="deadline")
    if h.status == "resolved" and h.known_at is not None:
        happened = 1.0 if (h.kind != "binary" or h.outcome == "yes") else 0.0
        if h.kind == "binary" or outcome == h.outcome:
            ax.axvline(h.known_at, color=style.VERMILLION, linestyle=":", linewidth=1.6, gid="known")
            ax.plot([h.known_at], [happened], linestyle="none", marker="*", markersize=18, color=style.VERMILLION,
                    markeredgecolor=style.BLACK, label=f"resolved {style.plain_text(h.outcome, 20)}", gid="resolution")
    elif h.status == "annulled" and h.known_at is not None:
        ax.axvline(h.known_at, color=style.GREY, linestyle=":", linewidth=1.4, label="annulled", gid="annulled")
    right = max(deadline, h.known_at or deadline)
    pad = max((right - start) * 0.04, timedelta(hours=12))
    # a far deadline (the calendar's last years) leaves no room for the pad past it
    last = datetime(9999, 12, 31, tzinfo=right.tzinfo)
    first = datetime(1, 1, 2, tzinfo=start.tzinfo)
    ax.set_xlim(start - min(pad, start - first), right + min(pad, last - right))
    locator = mdates.AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    if legend:
        ax.legend(loc="best", fontsize=9)


# ----------------------------------------------------------------------- trend


def trend_figure(rows: Sequence[TrendRow], ax: Optional["Axes"] = None, *, brier_scale: str = "0-1",
                 title: Optional[str] = None, note: Optional[str] = None) -> "Figure":
    """Brier score per quarter with 95% bootstrap intervals, one series per group (team and/or analysts)."""
    rows = list(rows)
    with style.styled():
        own = ax is None
        fig = _new_figure(7.5, 4.6) if own else ax.get_figure()
        ax = ax or fig.add_subplot()
        ax.set_title(title or "Brier score per quarter (95% intervals)")
        if not rows:
            _message(ax, "No resolved quarters yet.")
            return fig
        quarters = sorted({r.quarter for r in rows})
        pos = {q: i for i, q in enumerate(quarters)}
        groups = ["team"] if any(r.group == "team" for r in rows) else []
        groups += sorted({r.group for r in rows} - {"team"})
        width = 0.25 if len(groups) > 1 else 0.0
        for k, g in enumerate(groups):
            mine = [r for r in rows if r.group == g and r.brier is not None]
            if not mine:
                continue
            offset = (k - (len(groups) - 1) / 2) * (width / max(len(groups) - 1, 1))
            x = np.array([pos[r.quarter] for r in mine], dtype=float) + offset
            yv = np.array([r.brier for r in mine])
            lo = np.array([r.brier_ci[0] if r.brier_ci else r.brier for r in mine])
            hi = np.array([r.brier_ci[1] if r.brier_ci else r.brier for r in mine])
            st = {"color": style.TEAM, "marker": "o", "linestyle": "-"} if g == "team" else style.series_style(k - 1 if groups[0] == "team" else k)
            c = ax.errorbar(x, yv, yerr=_spread(yv, lo, hi), color=st["color"], marker=st["marker"],
                            linestyle=st["linestyle"], capsize=3, label=style.plain_text(g, 30),
                            linewidth=2.6 if g == "team" else 1.6)
            c.lines[0].set_gid(f"trend:{g}")
        step = -(-len(quarters) // 12)  # at most about a dozen ticks (each tick is several artists to draw)
        ax.set_xticks(range(0, len(quarters), step), quarters[::step])
        ax.set_xlim(-0.5, len(quarters) - 0.5)
        ax.set_ylabel(f"Brier ({brier_scale} scale), lower is better")
        ax.set_ylim(bottom=0)
        if len(groups) > 1:
            _legend(ax, own, fontsize=10)
        _note(fig, note)
    return fig


# ------------------------------------------------------------------------- WEP


def wep_figure(rows: Sequence[PhraseRow], ax: Optional["Axes"] = None, *, title: Optional[str] = None) -> "Figure":
    """For each estimative phrase: the band its scale assigns, and the realized frequency of its questions (Wilson 95%)."""
    rows = list(rows)
    with style.styled():
        own = ax is None
        fig = _new_figure(7.5, 1.6 + 0.65 * max(len(rows), 2)) if own else ax.get_figure()
        ax = ax or fig.add_subplot()
        ax.set_title(title or "What our words meant: how often each phrase's questions happened")
        if not rows:
            _message(ax, "No resolved questions with an estimative phrase yet.")
            return fig
        ypos = np.arange(len(rows))[::-1].astype(float)
        banded = [(yv, r) for yv, r in zip(ypos, rows) if r.band_low is not None]
        if banded:
            bars = ax.barh([yv for yv, _ in banded], [r.band_high - r.band_low for _, r in banded],
                           left=[r.band_low for _, r in banded], height=0.6, color=style.BAND_BOX,
                           edgecolor=style.GREY, hatch="//", linewidth=0.8, label="band of the phrase on its scale")
            for patch in bars:
                patch.set_gid("band")
        freq = np.array([r.frequency for r in rows])
        lo = np.array([r.ci_low for r in rows])
        hi = np.array([r.ci_high for r in rows])
        c = ax.errorbar(freq, ypos, xerr=_spread(freq, lo, hi), fmt="o", color=style.BLACK,
                        markersize=8, capsize=4, label="how often it happened (Wilson 95%)", zorder=5)
        c.lines[0].set_gid("frequency")
        with_mean = [(yv, r.mean_forecast) for yv, r in zip(ypos, rows) if r.mean_forecast is not None]
        if with_mean:
            ax.plot([m for _, m in with_mean], [yv for yv, _ in with_mean], linestyle="none", marker="D",
                    color=style.ORANGE, markeredgecolor=style.BLACK, markersize=7, label="mean forecast given",
                    gid="mean-forecast", zorder=6)
        labels = []
        for r in rows:
            scale = f"{r.scale}" if r.scale else "no scale"
            labels.append(f"'{style.plain_text(r.phrase, 28)}'\n{scale}, n = {r.n_questions}")
        ax.set_yticks(ypos, labels)
        ax.set_xlim(-0.02, 1.02)
        ax.set_ylim(-0.7, len(rows) - 0.3)
        _percent_axis(ax.xaxis)
        ax.set_xlabel("probability / frequency")
        ax.grid(axis="y", visible=False)
        _legend(ax, own, fontsize=10)
    return fig


# -------------------------------------------------------------------- analysts


def analysts_figure(rows: Sequence[AnalystRow], ax: Optional["Axes"] = None, *, brier_scale: str = "0-1",
                    title: Optional[str] = None, note: Optional[str] = None) -> "Figure":
    """Each analyst's Brier (95% bootstrap interval) and relative Brier (difference from the other analysts' mean score
    on the same questions, 95% interval), in the order given (best first), with the number of questions."""
    rows = [r for r in rows if r.n]
    with style.styled():
        own = ax is None
        fig = _new_figure(7.5, 2.0 + 0.6 * max(len(rows), 2)) if own else ax.get_figure()
        ax = ax or fig.add_subplot()
        ax.set_title(title or "Analysts, best Brier first (95% intervals)")
        if not rows:
            _message(ax, "No analyst has a resolved binary forecast yet.")
            return fig
        ypos = np.arange(len(rows))[::-1].astype(float)

        def draw(values, cis, shift, gid, **kw):
            v = np.array([np.nan if x is None else x for x in values], dtype=float)
            lo = np.array([c[0] if c else x for c, x in zip(cis, v)], dtype=float)
            hi = np.array([c[1] if c else x for c, x in zip(cis, v)], dtype=float)
            c = ax.errorbar(v, ypos + shift, xerr=_spread(v, lo, hi), capsize=3, linestyle="none", **kw)
            c.lines[0].set_gid(gid)

        draw([r.brier for r in rows], [r.brier_ci for r in rows], 0.12, "brier", marker="o", color=style.BLUE,
             markersize=8, label=f"Brier ({brier_scale})")
        draw([r.relative_brier for r in rows], [r.relative_ci for r in rows], -0.12, "relative", marker="D",
             color=style.VERMILLION, markerfacecolor="white", markeredgewidth=1.8, markersize=7,
             label="relative Brier (vs the other analysts)")
        ax.axvline(0, color=style.GREY, linewidth=1.0, gid="zero")
        ax.set_yticks(ypos, [f"{style.plain_text(r.name, 24)}\nn = {r.n}" for r in rows])
        ax.set_ylim(-0.7, len(rows) - 0.3)
        ax.set_xlabel(f"Brier score ({brier_scale} scale), lower is better; relative: below 0 beats the median")
        ax.grid(axis="y", visible=False)
        _legend(ax, own, fontsize=10)
        _note(fig, note)
    return fig


# ------------------------------------------------------------------------ misc


def message_figure(text: str, *, title: Optional[str] = None) -> "Figure":
    """A small figure that says why there is nothing to plot (instead of an empty plot)."""
    with style.styled():
        fig = _new_figure(6.4, 3.0)
        ax = fig.add_subplot()
        ax.set_axis_off()
        if title:
            ax.set_title(title)
        _message(ax, text)
    return fig


def save(fig: "Figure", path, *, format: Optional[str] = None) -> str:
    """Write ``fig`` to ``path`` (png, svg or pdf, from the suffix unless ``format`` is given); returns the format."""
    fmt = (format or str(path).rsplit(".", 1)[-1]).lower()
    if fmt not in FORMATS:
        raise ValueError(f"unknown figure format {fmt!r} (png, svg or pdf)")
    with style.styled():
        metadata = {"Date": None} if fmt in ("svg", "pdf") else None
        fig.savefig(path, format=fmt, metadata=metadata)
    return fmt


def to_bytes(fig: "Figure", fmt: str = "svg", *, dpi: Optional[int] = None) -> bytes:
    """The figure encoded as ``fmt`` (svg or png), for embedding."""
    import io

    buf = io.BytesIO()
    with style.styled():
        kwargs = {"metadata": {"Date": None}} if fmt == "svg" else {}
        if dpi:
            kwargs["dpi"] = dpi
        fig.savefig(buf, format=fmt, **kwargs)
    return buf.getvalue()
