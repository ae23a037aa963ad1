"""Intervals for the mean score of a group that respect the design: resample questions.

Several analysts forecasting the same questions share outcomes: their scores
on one question move together. Treating every (question, analyst) pair as an
independent draw makes a team's interval far too narrow (with 60 questions and
6 analysts a nominal 95% pair bootstrap covered the true expected Brier 59% of
the time in simulation). :func:`group_interval` resamples *questions*, each
with all its pairs (a cluster bootstrap), which covers at its nominal level
(``bench/honest_stats.py`` prints the coverage). A group with one pair per
question (one analyst) is resampled per question too, which there is the
ordinary bootstrap of :func:`bootstrap_ci`, draw for draw.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import _validation as v
from ._results import Result
from .comparison import _CHUNK_CELLS, _NORMAL_LIMIT_CELLS, _bootstrap_interval, _normal_quantile, uses_normal_limit

#: Fewer questions than this: no interval (a bootstrap over so few questions has far below its nominal coverage).
MIN_QUESTIONS = 10

#: The ``*_ci_method`` values, and what each means.
METHODS = {
    "bootstrap": "percentile bootstrap over questions (one score per question; 2000 resamples, seed 42)",
    "bootstrap-normal": "normal limit of the bootstrap over questions (resampling could not move it)",
    "cluster-bootstrap": "percentile bootstrap resampling questions with all their analysts' scores "
                         "(2000 resamples, seed 42)",
    "cluster-bootstrap-normal": "normal limit of the bootstrap over questions with all their analysts' scores "
                                "(resampling could not move it)",
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
    """Interval for the mean of ``scores`` (one per (question, analyst) pair), resampling questions.

    With question c holding ``n_c`` pairs whose scores sum to ``T_c`` and
    ``N = sum n_c``, the group mean is ``T / N``. A resample draws C
    questions with replacement (C = number of questions) and takes
    ``sum_c w_c T_c / sum_c w_c n_c`` for the multinomial counts ``w``; the
    interval is the percentile interval of those ratios (Davison and
    Hinkley 1997, Bootstrap Methods and their Application, sec. 3.8, the
    cluster bootstrap).

    Where resampling cannot move the answer the interval is the normal
    limit, by the rule of :func:`bootstrap_ci` applied to the questions'
    linearised contributions ``u_c = T/N + C (T_c - (T/N) n_c) / N``
    (whose mean is ``T/N`` and whose bootstrap variance is the ratio's, to
    first order): ``T/N -+ z sd(u)/sqrt(C)``.

    With one pair per question the ratio is a plain mean and the draws are
    exactly those of :func:`bootstrap_ci` (same numbers for the same seed).

    Fewer than ``min_questions`` distinct questions (default 10): no
    interval, ``reason`` says why.
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
    if c < min_questions:
        return GroupInterval(mean, None, None, level, n, c, None,
                             f"no interval: {c} question{'s' if c != 1 else ''}, fewer than {min_questions}")
    if c == n:  # one score per question: the ordinary bootstrap
        values, counts = np.unique(scores, return_counts=True)
        low, high = _bootstrap_interval(values, counts, n_resamples, level, seed)
        method = "bootstrap-normal" if uses_normal_limit(values, counts, n_resamples, level) else "bootstrap"
        return GroupInterval(mean, low, high, level, n, c, method)
    totals = np.bincount(code, weights=scores)
    low, high, normal = _cluster_interval(totals, sizes.astype(np.float64), n_resamples, level, seed)
    return GroupInterval(mean, low, high, level, n, c, "cluster-bootstrap-normal" if normal else "cluster-bootstrap")


def _cluster_interval(totals: np.ndarray, sizes: np.ndarray, n_resamples: int, level: float,
                      seed: int | None) -> tuple[float, float, bool]:
    c = totals.size
    big_n = float(sizes.sum())
    ratio = float(totals.sum() / big_n)
    u = ratio + c * (totals - ratio * sizes) / big_n
    values, counts = np.unique(u, return_counts=True)
    if values.size == 1:
        return ratio, ratio, False
    if c * n_resamples > _NORMAL_LIMIT_CELLS or uses_normal_limit(values, counts, n_resamples, level):
        sd = float(np.sqrt(np.mean((u - ratio) ** 2) / c))
        z = _normal_quantile(0.5 + level / 2.0)
        return ratio - z * sd, ratio + z * sd, True
    rng = np.random.default_rng(seed)
    ratios = np.empty(n_resamples)
    chunk = max(1, min(n_resamples, _CHUNK_CELLS // c))
    pvals = np.full(c, 1.0 / c)
    for start in range(0, n_resamples, chunk):
        stop = min(start + chunk, n_resamples)
        w = rng.multinomial(c, pvals, size=stop - start).astype(np.float64)
        ratios[start:stop] = np.einsum("ij,j->i", w, totals) / np.einsum("ij,j->i", w, sizes)
    low, high = np.quantile(ratios, [0.5 - level / 2.0, 0.5 + level / 2.0])
    return float(low), float(high), False


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
