"""The team's combined forecast in figures and in the report: the team
forecast over time over each analyst's step line, the recalibration curve
("when you say 70%, it happened ..."), and the report section comparing the
team's aggregates with its members (data only: no session here).

Artists carrying data have a ``gid``: ``"team"`` (the team's line),
``"forecast:<analyst>"`` (from the history figure), ``"recalibration"``,
``"recalibration-band"``, ``"diagonal"``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Optional

import numpy as np

from . import style
from .data import QuestionHistory

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


def aggregate_figure(h: QuestionHistory, path: dict, ax: Optional["Axes"] = None) -> "Figure":
    """The question's history (one step line per analyst, as ``tracker plot
    history``) with the team's forecast (``path`` from
    ``services.aggregate.question_aggregate``) drawn over it as a thick black
    step line, on every panel: binary questions the probability of yes,
    resolved categorical ones the probability of what happened, unresolved
    categorical ones one panel per outcome."""
    from .figures import _deadline_end, history_figure

    fig = history_figure(h, ax=ax)
    if h.kind == "binary":
        outcomes = ["yes"]
    elif h.status == "resolved" and h.outcome:
        outcomes = [h.outcome]
    else:
        outcomes = list(h.outcomes)
    axes = [ax] if ax is not None else fig.axes[: len(outcomes)]
    points = [pt for pt in path["points"] if pt["value"] is not None]
    if not points:
        return fig
    deadline = _deadline_end(h)
    close = min(deadline, h.known_at) if h.known_at else deadline
    method, factor = path["method"], path.get("factor")
    label = f"team ({method}{f', a = {factor:.2f}' if method == 'extremized' and factor else ''})"
    with style.styled():
        for target, outcome in zip(axes, outcomes):
            xs = [datetime.fromisoformat(pt["at"]) for pt in points]
            ys = [float(pt["value"]) if h.kind == "binary" else float(pt["value"].get(outcome, 0.0)) for pt in points]
            xs.append(max(close, xs[-1]))
            ys.append(ys[-1])
            target.step(xs, ys, where="post", color=style.BLACK, linewidth=3.0, alpha=0.85, label=label, gid="team",
                        zorder=5)
        first = axes[0]
        handles, labels = first.get_legend_handles_labels()
        if first.get_legend() is not None:
            first.get_legend().remove()
        first.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0, fontsize=10)
    return fig


def recalibration_figure(recal: dict, ax: Optional["Axes"] = None) -> "Figure":
    """Stated probability (x) against how often it happened after the
    logistic recalibration (y), with its interval band; the diagonal is
    perfect calibration."""
    from .figures import _message, _new_figure, _percent_axis

    with style.styled():
        if ax is None:
            fig = _new_figure(5.6, 5.0)
            ax = fig.add_subplot()
        else:
            fig = ax.get_figure()
        ax.plot([0, 1], [0, 1], color=style.GREY, linestyle="--", linewidth=1.2, label="as stated", gid="diagonal")
        curve = recal.get("curve") or []
        if curve:
            xs = [c["stated"] for c in curve]
            ax.fill_between(xs, [c["low"] for c in curve], [c["high"] for c in curve], color=style.BLUE, alpha=0.2,
                            linewidth=0, label=f"{recal['level'] * 100:.0f}% interval", gid="recalibration-band")
            ax.plot(xs, [c["happened"] for c in curve], color=style.BLUE, marker="o", linewidth=2.0,
                    label=f"recalibrated (slope {recal['slope']:.2f})", gid="recalibration")
        else:
            _message(ax, "; ".join(recal.get("notes") or ["nothing to recalibrate"]))
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        _percent_axis(ax.xaxis)
        _percent_axis(ax.yaxis)
        ax.set_xlabel("when the stated probability was")
        ax.set_ylabel("it happened (recalibrated)")
        oos = recal.get("brier_oos")
        sub = f"Brier {recal['brier']:.3f} as stated" + (f", {oos:.3f} recalibrated out of sample" if oos is not None else "")
        ax.set_title(f"{style.plain_text(recal.get('who', ''), 40)}: {sub}", fontsize=10)
        ax.legend(loc="upper left", fontsize=9)
    return fig


@dataclass
class TeamRow:
    """One forecaster in the team comparison: the individuals (all analysts'
    pairs pooled), or one aggregate."""

    name: str
    n: int
    brier: Optional[float]
    ci: Optional[tuple]
    diff_vs_mean: Optional[float] = None  # this row minus the plain mean, same questions
    diff_ci: Optional[tuple] = None


@dataclass
class TeamSection:
    """The report's "The team's combined forecast" section."""

    n_questions: int
    rows: list = field(default_factory=list)
    best_individual: Optional[str] = None
    best_individual_brier: Optional[float] = None
    factor: Optional[float] = None
    factor_ci: Optional[tuple] = None
    factor_cv: Optional[str] = None
    notes: list = field(default_factory=list)


def team_section(pairs, idx: np.ndarray, *, scale: str = "0-1", min_best: int = 5):
    """The report's "The team's combined forecast" section, from the scored
    binary pairs ``idx``: each question's forecasts as scored (in the final
    mode: every analyst's final forecast) combined by each method, the
    extremized one with its factor fitted leaving the question out; the
    individuals pooled; each with the interval ``tracker score`` gives the same
    scores (:func:`tracker.scoring.mean_interval`: resampling questions, none below
    10 questions), and its difference from the plain mean on the same questions."""
    from ..scoring import mean_interval
    from ..scoring.aggregate import aggregate_groups, clipped_logit, fit_extremizing

    def interval(values, questions) -> Optional[tuple]:
        ci, _ = mean_interval(values, questions)
        return None if ci is None else tuple(ci)

    factor2 = 2.0 if scale == "0-2" else 1.0
    if idx.size == 0:
        return TeamSection(n_questions=0, notes=["no resolved binary forecasts yet"])
    q = pairs.question[idx].astype(str)
    names, g = np.unique(q, return_inverse=True)
    p = pairs.p[idx]
    yq = np.zeros(names.size)
    yq[g] = pairs.y[idx]
    counts = np.bincount(g, minlength=names.size).astype(np.float64)
    section = TeamSection(n_questions=int(names.size))
    per_q: dict = {}
    for method in ("mean", "median", "logodds"):
        vals, _, _ = aggregate_groups(g, p, method=method)
        per_q[method] = (vals - yq) ** 2
    lx, clipped = clipped_logit(p)
    m = np.bincount(g, weights=lx, minlength=names.size) / counts
    fit = fit_extremizing(m, yq.astype(np.int64))
    per_q["extremized"] = (fit.oos_p - yq) ** 2
    pair_scores = (p - yq[g]) ** 2
    indiv = np.bincount(g, weights=pair_scores, minlength=names.size)
    rows = [TeamRow("individuals (every analyst's forecast)", int(idx.size), float(indiv.sum() / counts.sum()) * factor2,
                    interval(pair_scores * factor2, q))]
    base = per_q["mean"]
    for method, label in (("mean", "mean"), ("median", "median"), ("logodds", "mean of log-odds"),
                          ("extremized", "extremized mean of log-odds (out of sample)")):
        s = per_q[method]
        row = TeamRow(f"team: {label}", int(names.size), float(s.mean()) * factor2, interval(s * factor2, names))
        if method != "mean":
            d = s - base
            row.diff_vs_mean = float(d.mean()) * factor2
            row.diff_ci = interval(d * factor2, names)
        rows.append(row)
    d = indiv / counts - base
    rows[0].diff_vs_mean = float(d.mean()) * factor2
    rows[0].diff_ci = interval(d * factor2, names)
    section.rows = rows
    # the best individual, on questions they forecast, beside the team on the same questions
    who = pairs.analyst[idx].astype(str)
    best = None
    for name in np.unique(who):
        mine = who == name
        if mine.sum() < min_best:
            continue
        b = float(((p[mine] - yq[g[mine]]) ** 2).mean())
        if best is None or b < best[1]:
            best = (name, b, np.unique(g[mine]))
    if best is not None:
        section.best_individual = str(best[0])
        section.best_individual_brier = best[1] * factor2
        team_same = float(per_q["extremized"][best[2]].mean()) * factor2
        section.notes.append(f"the best individual ({best[0]}, {best[2].size} questions) scored {best[1] * factor2:.3f};"
                             f" the team's extremized forecast on the same questions {team_same:.3f}")
    section.factor = fit.factor
    section.factor_ci = None if fit.low is None else (fit.low, fit.high)
    section.factor_cv = "leave-one-question-out"
    section.notes.extend(fit.notes)
    if clipped:
        section.notes.append(f"{clipped} forecast(s) at or beyond 0.01 / 0.99 clipped before the log-odds")
    return section
