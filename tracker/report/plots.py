"""The figures of ``tracker plot`` from loaded pairs (no database here): which analysts are drawn,
what each figure is given, and the plain message when there is nothing to draw."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from . import build, figures
from .assemble import analyst_rows, mask

#: the most analysts a plot draws (the figure grows with each; past these it is neither quick nor readable):
#: the ones with the most scored forecasts are drawn, and a note says how many were left out
MAX_PANELS = 24  # calibration --by analyst: one small diagram each
MAX_ANALYST_ROWS = 30  # analysts: one row each (as in the report)
MAX_TREND_LINES = 10  # trend --by analyst: one line each, beside the team


def _shown_note(shown: int, total: int, what: str) -> str:
    return (f"{shown:,} of {total:,} analysts drawn ({what} for those with the most scored forecasts; "
            f"--analyst NAME draws anyone)")


def most_active(analysts: np.ndarray, limit: int, what: str) -> tuple[list[str], Optional[str]]:
    """The analysts (sorted by name) with the most entries in ``analysts``, at most ``limit`` of them, and a
    note when some were left out."""
    names, counts = np.unique(analysts, return_counts=True)
    if names.size <= limit:
        return names.tolist(), None
    order = np.lexsort((names, -counts))[:limit]
    return sorted(names[order].tolist()), _shown_note(limit, int(names.size), what)


def figure(kind: str, pairs, scope, *, by: Optional[str], scale: str, bins: int,
           phrase_questions: Optional[list[dict]] = None) -> tuple[Any, Optional[str]]:
    """The figure of ``kind`` (calibration, trend, analysts, wep) over ``pairs`` (every analyst and quarter
    of the scope's scenario and tag) for ``scope``, and a plain message when there is little or nothing to
    draw. ``phrase_questions`` (wep): :func:`tracker.report.phrases.phrase_questions` of the scope."""
    label, analyst = scope.quarter, scope.analyst
    idx = np.flatnonzero(mask(pairs, quarter=label, analyst=analyst))
    factor = 2.0 if scale == "0-2" else 1.0
    empty = None if idx.size else "no resolved binary forecasts in this scope yet"
    if kind == "calibration":
        if by == "analyst":
            names, note = most_active(pairs.analyst[idx].astype(str), MAX_PANELS, "calibration diagrams")
            groups = []
            for name in names:
                m = idx[pairs.analyst[idx].astype(str) == name]
                d = build.calibration_data(pairs.p[m], pairs.y[m], label=name, bins=bins, brier_scale=scale)
                d.brier = float(pairs.brier[m].mean() * factor)
                groups.append(d)
            return figures.calibration_grid(groups, note=note), empty or note
        d = build.calibration_data(pairs.p[idx], pairs.y[idx], label=analyst or "team", bins=bins, brier_scale=scale)
        if idx.size:
            d.brier = float(pairs.brier[idx].mean() * factor)
        return figures.calibration_figure(data=d), empty or d.message
    if kind == "trend":
        tmask = mask(pairs, analyst=analyst, upto=label)
        note = None

        def rows_of(m, by_analyst: bool):
            return build.trend_rows(pairs.quarter[m], pairs.analyst[m], pairs.brier[m], by_analyst=by_analyst,
                                    scale_factor=factor, questions=pairs.question[m])

        if by == "analyst":
            names, note = most_active(pairs.analyst[tmask].astype(str), MAX_TREND_LINES, "lines")
            team = rows_of(tmask, False)
            tmask &= np.isin(pairs.analyst.astype(str), names)
            rows = team + [r for r in rows_of(tmask, True) if r.group != "team"]
        else:
            rows = rows_of(tmask, False)
        return figures.trend_figure(rows, brier_scale=scale, note=note), (note if rows else "no resolved quarters yet")
    if kind == "analysts":
        rows, _ = analyst_rows(pairs, quarter=label, analyst=analyst, bins=bins, scale=scale, mode=scope.mode)
        rows = [r for r in rows if r.n]
        note = None
        if len(rows) > MAX_ANALYST_ROWS:
            keep = {r.name for r in sorted(rows, key=lambda r: (-r.n, r.name))[:MAX_ANALYST_ROWS]}
            note = _shown_note(MAX_ANALYST_ROWS, len(rows), "rows")
            rows = [r for r in rows if r.name in keep]
        return figures.analysts_figure(rows, brier_scale=scale, note=note), empty or note
    rows = build.phrase_rows(phrase_questions or [])  # wep
    return figures.wep_figure(rows), (None if rows else "no resolved questions with an estimative phrase yet")
