"""Intervals for the mean score of a group that respect the design: resample questions.

Several analysts forecasting the same questions share outcomes: their scores
on one question move together. Treating every (question, analyst) pair as an
independent draw makes a team's interval far too narrow (with 60 questions and
6 analysts a nominal 95% pair bootstrap covered the true expected Brier 59% of
the time in simulation). :func:`group_interval` resamples *questions*, each
with all its pairs (a cluster bootstrap). A group with one pair per question
(one analyst) is resampled per question too, which there is the ordinary
bootstrap of :func:`bootstrap_ci`, draw for draw.

The interval read off the resamples is the studentized (bootstrap-t) one, not
the plain percentile interval. Brier scores are bounded and right-skewed (many
small scores, a few large misses), and so is the mean of 30 to 60 of them; the
percentile interval leans only a third as far towards the long tail as it
should (Hall 1992, sec. 3.5), and a sharp analyst's 95% percentile interval
covered the true expected Brier 89% of the time at 30 questions and 92-93% at
60. The studentized interval is second-order accurate for a mean and covered
94.5-96.8% in the same simulations (``bench/honest_stats.py`` prints them); the
BCa interval, also second-order accurate in theory, still covered only 92% at
30 questions. Where the studentized interval is undefined (the scores nearly
constant: more than 2.5% of the resamples have no spread) the BCa interval is
used, and the method says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import _validation as v
from ._results import Result
from .comparison import (
    _CHUNK_CELLS,
    _NORMAL_LIMIT_CELLS,
    _bootstrap_moments,
    _normal_quantile,
    uses_normal_limit,
)

#: Fewer questions than this: no interval (a bootstrap over so few questions has far below its nominal coverage).
MIN_QUESTIONS = 10

#: The ``*_ci_method`` values, and what each means.
METHODS = {
    "bootstrap-t": "studentized (bootstrap-t) interval, resampling questions (one score per question; "
                   "2000 resamples, seed 42)",
    "cluster-bootstrap-t": "studentized (bootstrap-t) interval, resampling questions with all their analysts' "
                           "scores (2000 resamples, seed 42)",
    "bootstrap-bca": "BCa bootstrap interval over questions (one score per question; the scores nearly constant, "
                     "so the studentized one is undefined)",
    "cluster-bootstrap-bca": "BCa bootstrap interval resampling questions with all their analysts' scores "
                             "(the scores nearly constant, so the studentized one is undefined)",
    "bootstrap-normal": "normal limit of the bootstrap over questions (resampling could not move it)",
    "cluster-bootstrap-normal": "normal limit of the bootstrap over questions with all their analysts' scores "
                                "(resampling could not move it)",
    # the plain percentile intervals of bootstrap_ci and of earlier versions
    "bootstrap": "percentile bootstrap over questions (one score per question; 2000 resamples, seed 42)",
    "cluster-bootstrap": "percentile bootstrap resampling questions with all their analysts' scores "
                         "(2000 resamples, seed 42)",
}


@dataclass(frozen=True)
class GroupInterval(Result):
    """Interval ``[low, high]`` for the mean of a group's scores, resampling questions.

    ``method`` names how it was computed (a key of :data:`METHODS`); ``low``,
    ``high`` and ``method`` are None, with ``reason``, below
    :data:`MIN_QUESTIONS` questions.
    """

    mean: float | None
    low: float | None
    high: float | None
    level: float
    n: int
    n_questions: int
    method: str | None
    reason: str | None = None


def group_interval(
    scores, questions, *, n_resamples: int = 2000, level: float = 0.95, seed: int | None = 42,
    min_questions: int = MIN_QUESTIONS,
) -> GroupInterval:
    """Studentized bootstrap interval for the mean of ``scores`` (one per (question, analyst) pair),
    resampling questions.

    With question c holding ``n_c`` pairs whose scores sum to ``T_c`` and
    ``N = sum n_c``, the group mean is ``theta = T / N`` and its standard
    error ``se = sqrt(sum_c (T_c - theta n_c)^2) / N`` (the linearisation of
    the ratio; for one score per question ``sd / sqrt(C)``, sd with divisor
    C). A resample draws the C questions with replacement, multinomial
    counts ``w`` (Davison and Hinkley 1997, Bootstrap Methods and their
    Application, sec. 3.8, the cluster bootstrap), and gives
    ``theta* = sum_c w_c T_c / N*`` with ``N* = sum_c w_c n_c``, its own
    ``se* = sqrt(sum_c w_c (T_c - theta* n_c)^2) / N*`` and
    ``t* = (theta* - theta) / se*``. The interval is::

        [theta - t*_(1 - alpha/2) se,  theta - t*_(alpha/2) se]

    with ``t*_q`` the q quantile of the B values of t* (Efron and Tibshirani
    1993, An Introduction to the Bootstrap, ch. 12; Hall 1992, The Bootstrap
    and Edgeworth Expansion, sec. 3.5). For right-skewed scores (Brier) t*
    has a long *left* tail, so the interval reaches further above the mean
    than below it, further than the percentile interval does: the
    percentile interval's ends depart from the normal ones by
    g (z^2 - 1) / (6 sqrt(C)) standard errors, the studentized interval's by
    g (2 z^2 + 1) / (6 sqrt(C)) (g the skewness), which is what makes it
    cover. The interval is limited to the range of the questions' means
    ``T_c / n_c`` (no resample can leave it) and contains ``theta``. With one
    pair per question the draws are exactly those of :func:`bootstrap_ci`
    (the same seed gives the same resamples). ``method``: "bootstrap-t" or
    "cluster-bootstrap-t".

    A resample with no spread (se* = 0) has an infinite t*; where more than
    ``(1 - level) / 2`` of them fall on one side the studentized interval is
    unbounded there, and the BCa interval of the same resamples is given
    instead (:func:`bca_limits`; ``method`` "bootstrap-bca" or
    "cluster-bootstrap-bca"). That happens only for nearly constant scores.

    Where resampling cannot move the answer the interval is the normal
    limit, ``theta -+ z se`` ("-normal"): from 1,000 questions on, when the
    skewness term above, |g| (2 z^2 + 1) / (6 sqrt(C)) standard errors, is
    below the Monte Carlo error of the resampled endpoints
    (:func:`uses_normal_limit` with ``second_order=True``, g the skewness of
    the questions' linearised contributions ``u_c = C (T_c - theta n_c) / N``),
    and past 2e8 resampled cells.

    Fewer than ``min_questions`` distinct questions (default 10, never
    below 2): no interval, ``reason`` says why.
    """
    scores = v.as_float_array(scores, "scores")
    questions = v.id_array(questions, "questions")
    v.same_length(("scores", scores), ("questions", questions))
    n_resamples = v.positive_int(n_resamples, "n_resamples")
    level = v.level(level)
    n = int(scores.size)
    if n == 0:
        return GroupInterval(None, None, None, level, 0, 0, None, "no scores")
    try:
        _, code = np.unique(questions, return_inverse=True)
    except TypeError:
        raise ValueError("questions: ids must be mutually comparable (e.g. all strings or all integers)") from None
    sizes = np.bincount(code)
    c = int(sizes.size)
    mean = float(scores.mean())
    min_questions = max(2, int(min_questions))
    if c < min_questions:
        return GroupInterval(mean, None, None, level, n, c, None,
                             f"no interval: {c} question{'s' if c != 1 else ''}, fewer than {min_questions}")
    if c == n:  # one score per question: the ordinary bootstrap
        low, high, kind = _mean_interval(scores, n_resamples, level, seed)
        return GroupInterval(mean, low, high, level, n, c, f"bootstrap-{kind}")
    totals = np.bincount(code, weights=scores)
    low, high, kind = _cluster_interval(totals, sizes.astype(np.float64), n_resamples, level, seed)
    return GroupInterval(mean, low, high, level, n, c, f"cluster-bootstrap-{kind}")


def _mean_interval(scores: np.ndarray, n_resamples: int, level: float, seed: int | None) -> tuple[float, float, str]:
    """The interval of :func:`group_interval` for one score per question, and its kind ("t", "bca", "normal")."""
    values, counts = np.unique(scores, return_counts=True)
    n = int(scores.size)
    mean = float(np.dot(values, counts) / n)
    if values.size == 1:
        return mean, mean, "t"
    dev = values - mean
    se = float(np.sqrt(np.dot(counts, dev * dev)) / n)
    if uses_normal_limit(values, counts, n_resamples, level, second_order=True):
        z = _normal_quantile(0.5 + level / 2.0)
        return mean - z * se, mean + z * se, "normal"
    means, var, flat = _bootstrap_moments(values, counts, n_resamples, seed)
    limits = studentized_limits(means, np.sqrt(var / n), flat, mean, se, level)
    if limits is not None:
        low, high = limits
        return max(low, float(values[0])), min(high, float(values[-1])), "t"
    # the jackknife of a mean: mean(theta_(.)) - theta_(i) = (x_i - mean) / (n - 1), so the
    # acceleration is sum (x_i - mean)^3 / (6 (sum (x_i - mean)^2)^(3/2))
    low, high = bca_limits(means, mean, _acceleration(dev, counts), level)
    return low, high, "bca"


def studentized_limits(replicates: np.ndarray, replicate_se: np.ndarray, flat: np.ndarray, estimate: float,
                       se: float, level: float) -> tuple[float, float] | None:
    """The studentized (bootstrap-t) interval ``[estimate - t*_(1-a/2) se, estimate - t*_(a/2) se]``
    from bootstrap ``replicates`` and their standard errors, widened where needed to contain
    ``estimate``. A resample without spread (``flat``: it drew one value) has t* = -+infinity
    (0 if it equals the estimate); None where such resamples put a quantile of t* at infinity."""
    diff = replicates - estimate
    t = np.zeros(replicates.size)
    ok = ~flat & (replicate_se > 0)
    t[ok] = diff[ok] / replicate_se[ok]
    big = 1e300
    rest = ~ok
    t[rest] = np.sign(diff[rest]) * big
    tail = (1.0 - level) / 2.0
    t_low, t_high = np.quantile(t, [tail, 1.0 - tail])
    if abs(t_low) >= 1e299 or abs(t_high) >= 1e299:
        return None
    low, high = estimate - float(t_high) * se, estimate - float(t_low) * se
    return min(low, estimate), max(high, estimate)


def _acceleration(d: np.ndarray, weights=None) -> float:
    w = np.ones(d.size) if weights is None else np.asarray(weights, dtype=np.float64)
    s2 = float(np.dot(w, d * d))
    return float(np.dot(w, d ** 3)) / (6.0 * s2 ** 1.5) if s2 > 0 else 0.0


def bca_limits(replicates: np.ndarray, estimate: float, acceleration: float, level: float) -> tuple[float, float]:
    """The BCa interval from bootstrap ``replicates`` of ``estimate`` and the ``acceleration``,
    widened where needed to contain ``estimate``: the ``alpha_1``, ``alpha_2`` quantiles of the
    replicates, with::

        alpha_j = Phi(z0 + (z0 + z_j) / (1 - a (z0 + z_j))),  z_1,2 = -+ Phi^-1((1 + level) / 2)
        z0 = Phi^-1((#{theta* < theta} + #{theta* = theta} / 2) / B)

    and ``a`` the acceleration, ``sum d^3 / (6 (sum d^2)^(3/2))`` for the
    jackknife deviations d over questions (Efron 1987, Better bootstrap
    confidence intervals, JASA 82:171-185; Efron and Tibshirani 1993, ch. 14).
    """
    b = replicates.size
    below = np.count_nonzero(replicates < estimate) + 0.5 * np.count_nonzero(replicates == estimate)
    z0 = _normal_quantile(min(max(below / b, 0.5 / b), 1.0 - 0.5 / b))
    z = _normal_quantile(0.5 + level / 2.0)
    probs = []
    for zj in (-z, z):
        t = z0 + zj
        den = 1.0 - acceleration * t
        if den <= 0.0:  # past the reach of the correction: the most extreme resample on that side
            probs.append(0.0 if zj < 0 else 1.0)
            continue
        probs.append(_normal_cdf(z0 + t / den))
    low, high = np.quantile(replicates, probs)
    return min(float(low), estimate), max(float(high), estimate)


def _normal_cdf(x: float) -> float:
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


def _cluster_interval(totals: np.ndarray, sizes: np.ndarray, n_resamples: int, level: float,
                      seed: int | None) -> tuple[float, float, str]:
    c = totals.size
    big_n = float(sizes.sum())
    ratio = float(totals.sum() / big_n)
    resid = totals - ratio * sizes
    u = ratio + c * resid / big_n
    values, counts = np.unique(u, return_counts=True)
    if values.size == 1:
        return ratio, ratio, "t"
    se = float(np.sqrt(np.dot(resid, resid)) / big_n)
    if c * n_resamples > _NORMAL_LIMIT_CELLS or uses_normal_limit(values, counts, n_resamples, level,
                                                                   second_order=True):
        z = _normal_quantile(0.5 + level / 2.0)
        return ratio - z * se, ratio + z * se, "normal"
    rng = np.random.default_rng(seed)
    ratios = np.empty(n_resamples)
    se_star = np.empty(n_resamples)
    flat = np.empty(n_resamples, dtype=bool)
    means = totals / sizes
    chunk = max(1, min(n_resamples, _CHUNK_CELLS // c))
    pvals = np.full(c, 1.0 / c)
    for start in range(0, n_resamples, chunk):
        stop = min(start + chunk, n_resamples)
        w = rng.multinomial(c, pvals, size=stop - start).astype(np.float64)
        n_star = np.einsum("ij,j->i", w, sizes)
        r = np.einsum("ij,j->i", w, totals) / n_star
        dev = totals[None, :] - r[:, None] * sizes[None, :]
        ratios[start:stop] = r
        se_star[start:stop] = np.sqrt(np.einsum("ij,ij,ij->i", w, dev, dev)) / n_star
        drawn = w > 0
        flat[start:stop] = (np.where(drawn, means, -np.inf).max(axis=1)
                            == np.where(drawn, means, np.inf).min(axis=1))
    lo_range, hi_range = float(means.min()), float(means.max())
    limits = studentized_limits(ratios, se_star, flat, ratio, se, level)
    if limits is not None:
        low, high = limits
        return max(low, lo_range), min(high, hi_range), "t"
    # the jackknife over questions: the ratio without question c
    jack = (totals.sum() - totals) / (big_n - sizes)
    low, high = bca_limits(ratios, ratio, _acceleration(jack.mean() - jack), level)
    return low, high, "bca"


def describe_methods(interval_methods, slope_methods=()) -> str:
    """One line naming how a table's intervals were computed: its Brier (or other mean-score)
    interval methods (keys of :data:`METHODS`) and calibration-slope interval methods (keys of
    :data:`tracker.scoring.calibration.SLOPE_CI_METHODS`); None entries are skipped."""
    from .calibration import SLOPE_CI_METHODS

    used = [m for m in dict.fromkeys(interval_methods) if m]
    slopes = [m for m in dict.fromkeys(slope_methods) if m]
    parts = [f"95% CI: {'; '.join(f'{m}, {METHODS[m]}' for m in used) if used else 'none computed'}"
             f" (none below {MIN_QUESTIONS} questions)"]
    if slopes:
        parts.append(f"slope interval: {'; '.join(f'{m}, {SLOPE_CI_METHODS[m]}' for m in slopes)}")
    return ". ".join(parts) + "."


def holm(p_values) -> list[float | None]:
    """Holm's step-down adjustment of p-values (None entries are skipped and stay None).

    Sorted ascending, ``p_(i)`` becomes ``max_{j <= i} min(1, (m - j + 1) p_(j))``
    for the m p-values present. Rejecting where the adjusted value is below
    alpha controls the family-wise error rate at alpha.

    Reference: Holm, S. (1979), A simple sequentially rejective multiple test
    procedure, Scandinavian Journal of Statistics 6:65-70.
    """
    present = [(float(p), i) for i, p in enumerate(p_values) if p is not None and not math.isnan(p)]
    out: list[float | None] = [None] * len(p_values)
    m = len(present)
    running = 0.0
    for rank, (p, i) in enumerate(sorted(present)):
        running = max(running, min(1.0, (m - rank) * p))
        out[i] = running
    return out
