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

    ``score``: the mean score over the scheduled window (None when undefined,
    with ``reason``); ``coverage``: the share of the open part of the window
    (from ``opened`` to the close) in which the analyst had a forecast in
    force (0..1); ``n_forecasts_used``: forecasts in force for part of the
    window; ``scale``: "0-1" or "0-2" for binary questions, "0-2" for
    categorical ones (categorical Brier).
    """

    score: float | None
    coverage: float
    n_forecasts_used: int
    scale: str
    reason: str | None = None


def time_weighted_score(times, probs, *, opened, closed, outcome, scale: str = "0-1", known_at=None,
                        fill=None) -> TimeWeightedScore:
    """Mean Brier score over a question's scheduled window, carrying the latest forecast forward.

    The window is ``[opened, closed]`` with ``closed`` the *scheduled* end
    (the end of the deadline day), W = closed - opened. The question is open
    until ``stop = min(closed, known_at)`` (``known_at``: when the outcome
    became known; None: not before ``closed``). With S(t) the score of the
    forecast in force at t::

        score = (1/W) * integral_{opened}^{stop} S(t) dt

    Rules (a proper score, as in the DESIGN "Scoring conventions"):

    * **early resolution, truncation**: time after ``known_at`` contributes
      0 and the divisor stays W. The weight of every instant is then fixed
      in advance and the instant counts only while the question is still
      open, which the forecaster knows at that instant, so reporting one's
      true probability at each instant minimizes the expected score. (Dividing
      by the open length instead, as this function once did, lets the
      outcome set the weights: an honest 0.5 lost to 0.909 in a two-question
      example.) Early-resolving questions therefore score lower than late
      ones for everyone: compare analysts on the same questions (relative
      scores).
    * **before the analyst's first forecast** the instant is scored at
      ``fill``: the team's median forecast in force then, given as
      ``(fill_times, fill_probs)`` (a step path like ``times``/``probs``;
      before its first time, and where it is None, the uninformed forecast:
      0.5, or 1/K for each of K categories). Joining late near the answer
      therefore earns nothing over the team (it once did: the time was
      dropped). ``coverage`` still reports the share covered by the
      analyst's own forecasts.
    * forecasts made before ``opened`` count from ``opened`` (only the last
      of them matters); forecasts made after ``stop`` are ignored;
    * times need not be sorted; they are sorted stably, so for equal times the
      forecast that comes later in the input wins;
    * the cost is O(m log m) in the number of revisions m; nothing is expanded
      into days.

    Undefined cases return ``score=None`` with a ``reason``: no forecast at or
    before ``stop``; or, in a window of positive length, forecasts made only
    at ``stop`` itself (nothing in force for any positive time; coverage 0).
    A degenerate window (``stop <= opened``) scores the last forecast made at
    or before ``stop``, with coverage 1.0.

    ``probs`` of shape (m,) with ``outcome`` 0/1 gives the binary Brier score
    on ``scale`` ("0-1" or "0-2"); ``probs`` of shape (m, K) with ``outcome``
    the index of the realized category gives the categorical Brier score
    (0-2; ``scale`` is not used and the result says "0-2").

    Reference: the time-averaged ("mean daily") Brier score of the Good
    Judgment Project: Mellers, B. et al. (2014), Psychological strategies for
    winning a geopolitical forecasting tournament, Psychological Science
    25(5):1106-1115 (there days before a forecaster's first forecast take the
    median forecaster's score, as here); truncation at resolution as in
    Metaculus's time-averaged scores. Computed exactly in continuous time.

    Parameters
    ----------
    times : 1-D array of forecast times (finite floats, e.g. epoch seconds).
    probs : array of shape (m,) (binary) or (m, K) (categorical).
    opened, closed : the scheduled window, same unit as ``times``.
    outcome : 0/1 (binary) or the realized category index (categorical).
    scale : "0-1" (default) or "0-2", binary only.
    known_at : when the outcome became known (None: at or after ``closed``).
    fill : None, or (fill_times, fill_probs): the forecast in force before the analyst's first.
    """
    times = v.as_float_array(times, "times")
    try:
        probs_arr = np.asarray(probs, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"probs: expected numbers ({exc})") from None
    fill_times = np.zeros(0)
    fill_probs = None
    if fill is not None:
        try:
            fill_times, fill_probs = fill
        except (TypeError, ValueError):
            raise ValueError("fill: expected (fill_times, fill_probs)") from None
        fill_times = v.as_float_array(fill_times, "fill_times") if len(fill_times) else np.zeros(0)
    if probs_arr.ndim == 2:
        P = v.probability_matrix(probs_arr, "probs")
        k = v.outcome_indices([outcome], P.shape[1], "outcome")
        v.same_length(("times", times), ("probs", P))
        scores = _categorical_brier_scores(P, np.repeat(k, P.shape[0]))
        uniform = np.full((1, P.shape[1]), 1.0 / P.shape[1])
        default = float(_categorical_brier_scores(uniform, k)[0])
        fill_scores = np.zeros(0)
        if fill_times.size:
            F = v.probability_matrix(np.asarray(fill_probs, dtype=np.float64), "fill_probs")
            v.same_length(("fill_times", fill_times), ("fill_probs", F))
            fill_scores = _categorical_brier_scores(F, np.repeat(k, F.shape[0]))
        scale = "0-2"
    else:
        p = v.probabilities(probs_arr, "probs")
        y = v.outcomes([outcome], "outcome")
        v.same_length(("times", times), ("probs", p))
        scale = v.scale(scale)
        scores = _brier_scores(p, np.repeat(y, p.size), scale)
        default = float(_brier_scores(np.array([0.5]), y, scale)[0])
        fill_scores = np.zeros(0)
        if fill_times.size:
            f = v.probabilities(fill_probs, "fill_probs")
            v.same_length(("fill_times", fill_times), ("fill_probs", f))
            fill_scores = _brier_scores(f, np.repeat(y, f.size), scale)
    opened = v.finite_number(opened, "opened")
    closed = v.finite_number(closed, "closed")
    stop = closed if known_at is None else min(closed, v.finite_number(known_at, "known_at"))
    order = np.argsort(fill_times, kind="stable")
    return _time_weighted(times, scores, opened, closed, stop, fill_times[order], fill_scores[order], default, scale)


def _integrate(t: np.ndarray, s: np.ndarray, a: float, b: float, default: float) -> float:
    """Integral over [a, b] of the step function worth ``default`` before t[0] and s[j] from t[j] (t sorted)."""
    if b <= a:
        return 0.0
    edges = np.concatenate(([a], np.clip(t, a, b), [b]))
    return float(np.dot(np.diff(edges), np.concatenate(([default], s))))


def _time_weighted(times: np.ndarray, scores: np.ndarray, opened: float, closed: float, stop: float,
                   fill_times: np.ndarray, fill_scores: np.ndarray, default: float, scale: str) -> TimeWeightedScore:
    order = np.argsort(times, kind="stable")
    t = times[order]
    s = scores[order]
    in_time = int(np.searchsorted(t, stop, side="right"))  # forecasts at or before the close
    if in_time == 0:
        return TimeWeightedScore(None, 0.0, 0, scale, "no forecast made at or before the close of the window")
    t = t[:in_time]
    s = s[:in_time]
    if stop <= opened or closed <= opened:
        return TimeWeightedScore(float(s[-1]), 1.0, 1, scale)
    start = np.maximum(t, opened)
    duration = np.append(start[1:], stop) - start
    covered = float(duration.sum())
    if covered <= 0.0:
        return TimeWeightedScore(
            None, 0.0, 0, scale, "forecasts made only at the close of the window cover no time"
        )
    used = duration > 0.0
    before = _integrate(fill_times, fill_scores, opened, float(start[0]), default)
    return TimeWeightedScore(
        score=(float(duration[used] @ s[used]) + before) / (closed - opened),
        coverage=min(1.0, (stop - start[0]) / (stop - opened)),
        n_forecasts_used=int(np.count_nonzero(used)),
        scale=scale,
    )


def median_path(starts_by_analyst: list[np.ndarray], probs_by_analyst: list[np.ndarray]):
    """The team's median forecast as a step path: (change times, median forecast from each).

    Each analyst's forecasts (``starts`` sorted, with ``probs`` of shape (m,)
    or (m, K)) are in force from their start until the analyst's next. At
    every change time the median is taken over the analysts with a forecast
    in force (per category for vectors, renormalized to sum 1).
    """
    if not starts_by_analyst:
        return np.zeros(0), np.zeros(0)
    points = np.unique(np.concatenate(starts_by_analyst))
    stacked = []
    for st, pr in zip(starts_by_analyst, probs_by_analyst):
        j = np.searchsorted(st, points, side="right") - 1
        val = np.asarray(pr, dtype=np.float64)[np.maximum(j, 0)].astype(np.float64, copy=True)
        val[j < 0] = np.nan
        stacked.append(val)
    med = np.nanmedian(np.stack(stacked), axis=0)
    if med.ndim == 2:
        med = med / med.sum(axis=1, keepdims=True)
    return points, med
