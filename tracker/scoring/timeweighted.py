"""Time-weighted score of one analyst's revisions on one question."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import _validation as v
from ._results import Result
from .scores import _brier_scores, _categorical_brier_scores


@dataclass(frozen=True)
class TimeWeightedScore(Result):
    """Time-weighted Brier score of one analyst on one question.

    ``score``: the mean score over the covered part of the window (None when
    undefined, with ``reason``); ``coverage``: covered length / window length
    (0..1); ``n_forecasts_used``: forecasts that were in force for part of the
    window; ``scale``: "0-1" or "0-2" for binary questions, "0-2" for
    categorical ones (categorical Brier).
    """

    score: float | None
    coverage: float
    n_forecasts_used: int
    scale: str
    reason: str | None = None


def time_weighted_score(times, probs, *, opened, closed, outcome, scale: str = "0-1") -> TimeWeightedScore:
    """Mean Brier score over a question's open window, carrying the latest forecast forward.

    Let the forecasts, sorted by time, be made at ``t_1 <= ... <= t_m`` with
    scores ``S_j`` (Brier against ``outcome``). Forecast j is in force from
    ``s_j = max(t_j, opened)`` until the next forecast's ``s_{j+1}`` (or
    ``closed``), so with ``d_j = s_{j+1} - s_j``::

        score    = sum_j d_j S_j / sum_j d_j
        coverage = (closed - s_1) / (closed - opened)

    Rules, as in the DESIGN "Scoring conventions":

    * the window is ``[opened, closed]``; the caller computes ``closed`` as
      the earlier of the end of the deadline and the moment the outcome became
      known;
    * time before the analyst's first forecast is excluded (the score averages
      over the covered part only) and reported as ``coverage``;
    * forecasts made before ``opened`` count as in force from ``opened`` (so
      only the last of them matters); forecasts made after ``closed`` are
      ignored;
    * times need not be sorted; they are sorted stably, so for equal times the
      forecast that comes later in the input wins;
    * the cost is O(m log m) in the number of revisions m; nothing is expanded
      into days.

    Undefined cases return ``score=None`` with a ``reason``: no forecast at or
    before ``closed``; or, in a window of positive length, forecasts made only
    at ``closed`` itself (nothing in force for any positive time; coverage 0).
    A degenerate window (``closed <= opened``) scores the last forecast made at
    or before ``closed``, with coverage 1.0.

    ``probs`` of shape (m,) with ``outcome`` 0/1 gives the binary Brier score
    on ``scale`` ("0-1" or "0-2"); ``probs`` of shape (m, K) with ``outcome``
    the index of the realized category gives the categorical Brier score
    (0-2; ``scale`` is not used and the result says "0-2").

    Reference: the time-averaged ("mean daily") Brier score of the Good
    Judgment Project: Mellers, B. et al. (2014), Psychological strategies for
    winning a geopolitical forecasting tournament, Psychological Science
    25(5):1106-1115; here computed exactly in continuous time.

    Parameters
    ----------
    times : 1-D array of forecast times (finite floats, e.g. epoch seconds).
    probs : array of shape (m,) (binary) or (m, K) (categorical).
    opened, closed : window bounds, same unit as ``times``.
    outcome : 0/1 (binary) or the realized category index (categorical).
    scale : "0-1" (default) or "0-2", binary only.
    """
    times = v.as_float_array(times, "times")
    try:
        probs_arr = np.asarray(probs, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"probs: expected numbers ({exc})") from None
    if probs_arr.ndim == 2:
        P = v.probability_matrix(probs_arr, "probs")
        k = v.outcome_indices([outcome], P.shape[1], "outcome")
        v.same_length(("times", times), ("probs", P))
        scores = _categorical_brier_scores(P, np.repeat(k, P.shape[0]))
        scale = "0-2"
    else:
        p = v.probabilities(probs_arr, "probs")
        y = v.outcomes([outcome], "outcome")
        v.same_length(("times", times), ("probs", p))
        scale = v.scale(scale)
        scores = _brier_scores(p, np.repeat(y, p.size), scale)
    opened = v.finite_number(opened, "opened")
    closed = v.finite_number(closed, "closed")
    return _time_weighted(times, scores, opened, closed, scale)


def _time_weighted(
    times: np.ndarray, scores: np.ndarray, opened: float, closed: float, scale: str
) -> TimeWeightedScore:
    order = np.argsort(times, kind="stable")
    t = times[order]
    s = scores[order]
    in_time = int(np.searchsorted(t, closed, side="right"))  # forecasts at or before `closed`
    if in_time == 0:
        return TimeWeightedScore(None, 0.0, 0, scale, "no forecast made at or before the close of the window")
    t = t[:in_time]
    s = s[:in_time]
    if closed <= opened:
        return TimeWeightedScore(float(s[-1]), 1.0, 1, scale)
    start = np.maximum(t, opened)
    duration = np.append(start[1:], closed) - start
    covered = float(duration.sum())
    if covered <= 0.0:
        return TimeWeightedScore(
            None, 0.0, 0, scale, "forecasts made only at the close of the window cover no time"
        )
    used = duration > 0.0
    return TimeWeightedScore(
        score=float(duration[used] @ s[used] / covered),
        coverage=min(1.0, (closed - start[0]) / (closed - opened)),
        n_forecasts_used=int(np.count_nonzero(used)),
        scale=scale,
    )


def time_weighted_many(times, scores, starts, ends, opened, closed) -> tuple[np.ndarray, np.ndarray]:
    """:func:`time_weighted_score` of many (analyst, question) runs at once.

    ``times`` and ``scores`` (per forecast, already Brier scores) hold the
    runs one after another, each sorted by time (ties in the order the
    scalar function would leave them); run g is ``[starts[g], ends[g])``
    with window ``opened[g]``..``closed[g]``. Returns (score, coverage) per
    run, NaN where the scalar function gives None. The same rules and the
    same arithmetic per run (up to the order of the floating-point sums),
    in O(total forecasts) numpy operations instead of a Python call per run.
    """
    times = np.asarray(times, dtype=np.float64)
    scores = np.asarray(scores, dtype=np.float64)
    starts = np.asarray(starts, dtype=np.int64)
    ends = np.asarray(ends, dtype=np.int64)
    opened = np.asarray(opened, dtype=np.float64)
    closed = np.asarray(closed, dtype=np.float64)
    n_runs = starts.size
    score = np.full(n_runs, np.nan)
    coverage = np.full(n_runs, np.nan)
    if n_runs == 0:
        return score, coverage
    run = np.repeat(np.arange(n_runs), ends - starts)  # the run of each forecast
    close_f = closed[run]
    in_time = times <= close_f
    n_in = np.bincount(run, weights=in_time, minlength=n_runs).astype(np.int64)  # a prefix of each run
    last = starts + n_in - 1  # the last forecast at or before the close (when n_in > 0)
    any_in = n_in > 0
    degenerate = any_in & (closed <= opened)
    score[degenerate] = scores[last[degenerate]]
    coverage[degenerate] = 1.0
    start = np.maximum(times, opened[run])
    nxt = np.empty_like(start)
    nxt[:-1] = start[1:]
    is_last = np.zeros(times.size, dtype=bool)
    is_last[last[any_in]] = True
    nxt[is_last] = close_f[is_last]
    duration = np.where(in_time, nxt - start, 0.0)
    covered = np.bincount(run, weights=duration, minlength=n_runs)
    weighted = np.bincount(run, weights=duration * scores, minlength=n_runs)
    ok = any_in & ~degenerate & (covered > 0.0)
    score[ok] = weighted[ok] / covered[ok]
    first = start[starts[ok]]
    coverage[ok] = np.minimum(1.0, (closed[ok] - first) / (closed[ok] - opened[ok]))
    return score, coverage
