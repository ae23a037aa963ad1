"""Comparing scores: bootstrap intervals, each analyst against the median analyst, paired differences."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import _validation as v
from ._results import Result, plain

#: Memory bound for one chunk of bootstrap draws (number of int64 cells, 32 MB).
_CHUNK_CELLS = 2**22


# ---------------------------------------------------------------------- bootstrap


@dataclass(frozen=True)
class BootstrapInterval(Result):
    """Percentile bootstrap interval ``[low, high]`` for the mean of ``n`` scores."""

    mean: float
    low: float
    high: float
    level: float
    n: int
    n_resamples: int
    seed: int | None


def bootstrap_ci(scores, *, n_resamples: int = 2000, level: float = 0.95, seed: int | None = 42) -> BootstrapInterval:
    """Percentile bootstrap confidence interval for the mean score.

    Draw ``n_resamples`` resamples of the n scores with replacement, take each
    resample's mean, and report the ``(1 -+ level)/2`` quantiles of those means
    (numpy's default linear interpolation). A fixed ``seed`` makes the interval
    reproducible.

    A resample is equivalent to multinomial counts over the *distinct* score
    values, so when there are few distinct values (forecasts rounded to whole
    percents give at most 2 x 101 Brier values) the counts are drawn directly:
    O(n_resamples x distinct values) whatever n is. Otherwise indices are drawn
    in chunks of at most 4M cells (32 MB): O(n_resamples x n).

    Where resampling can no longer move the answer, the interval is the
    bootstrap's normal limit, mean -+ z sd/sqrt(n) (sd with divisor n, the
    bootstrap's own variance): from ``NORMAL_MIN_N`` scores on, when the
    percentile interval's departure from that limit, the skewness term
    |g| (z^2 - 1) / (6 sqrt(n)) standard errors (Hall 1992, The Bootstrap
    and Edgeworth Expansion, sec. 3.5), is smaller than the Monte Carlo
    error of the resampled endpoints themselves, sqrt(a (1 - a) / B) / phi(z)
    standard errors for B resamples and tail a; and always past 2e8
    resampled cells (e.g. a million distinct model-output scores). The
    tests check on real forecasts (PredictionBook, Good Judgment Project)
    that the limit then falls inside the spread of seeded bootstrap runs.

    Reference: Efron, B. and Tibshirani, R. J. (1993), An Introduction to the
    Bootstrap, Chapman & Hall, ch. 13 (percentile interval).
    """
    scores = v.as_float_array(scores, "scores")
    n_resamples = v.positive_int(n_resamples, "n_resamples")
    level = v.level(level)
    values, counts = np.unique(scores, return_counts=True)
    low, high = _bootstrap_interval(values, counts, n_resamples, level, seed)
    mean = float(scores.mean())
    # the interval contains its estimate (rounding can put a bound one step past it)
    return BootstrapInterval(mean, min(low, mean), max(high, mean), level, int(scores.size), n_resamples, seed)


_NORMAL_LIMIT_CELLS = 200_000_000
NORMAL_MIN_N = 1000


def _normal_quantile(q: float) -> float:
    from statistics import NormalDist

    return NormalDist().inv_cdf(q)


def uses_normal_limit(values: np.ndarray, counts: np.ndarray, n_resamples: int, level: float, *,
                      second_order: bool = False) -> bool:
    """Whether :func:`bootstrap_ci` gives the normal limit for these scores (see there).

    ``second_order=True``: the rule for the BCa interval of
    :func:`tracker.scoring.group_interval`, whose endpoints depart from the
    normal limit by the larger skewness term |g| (2 z^2 + 1) / (6 sqrt(n))
    standard errors (that of the exact, studentized, interval; Hall 1992,
    sec. 3.5), not the percentile interval's |g| (z^2 - 1) / (6 sqrt(n))."""
    counts = np.asarray(counts, dtype=np.int64)
    n = int(counts.sum())
    if n * n_resamples > _NORMAL_LIMIT_CELLS:
        return True
    if n < NORMAL_MIN_N:
        return False
    values = np.asarray(values, dtype=np.float64)
    mean = float(np.dot(values, counts) / n)
    dev = values - mean
    var = float(np.dot(counts, dev * dev) / n)
    skew = float(np.dot(counts, dev ** 3) / n) / var ** 1.5 if var > 0 else 0.0
    tail = (1.0 - level) / 2.0
    z = _normal_quantile(1.0 - tail)
    phi = math.exp(-z * z / 2.0) / math.sqrt(2.0 * math.pi)
    monte_carlo = math.sqrt(tail * (1.0 - tail) / n_resamples) / phi
    term = (2.0 * z * z + 1.0) if second_order else (z * z - 1.0)
    return abs(skew) * term / (6.0 * math.sqrt(n)) <= monte_carlo


def _bootstrap_interval(
    values: np.ndarray, counts: np.ndarray, n_resamples: int, level: float, seed: int | None
) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean of data given as distinct ``values`` (ascending) with ``counts``."""
    counts = np.asarray(counts, dtype=np.int64)
    n = int(counts.sum())
    if values.size == 1:  # every resample is the one value
        return float(values[0]), float(values[0])
    if uses_normal_limit(values, counts, n_resamples, level):
        # the percentile bootstrap of a mean at its normal limit N(mean, var/n)
        mean = float(np.dot(values, counts) / n)
        sd = float(np.sqrt(np.dot(counts, (values - mean) ** 2) / n / n))
        z = _normal_quantile(0.5 + level / 2.0)
        return mean - z * sd, mean + z * sd
    means = _bootstrap_means(values, counts, n_resamples, seed)
    low, high = np.quantile(means, [0.5 - level / 2.0, 0.5 + level / 2.0])
    return float(low), float(high)


def _bootstrap_means(values: np.ndarray, counts: np.ndarray, n_resamples: int, seed: int | None) -> np.ndarray:
    """The means of ``n_resamples`` resamples (with replacement) of the data given as distinct ``values``
    with ``counts``, drawn from ``np.random.default_rng(seed)``."""
    return _bootstrap_moments(values, counts, n_resamples, seed, spread=False)[0]


def _bootstrap_moments(values: np.ndarray, counts: np.ndarray, n_resamples: int, seed: int | None,
                       spread: bool = True) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """The means of ``n_resamples`` resamples of the data given as distinct ``values`` with
    ``counts`` and, with ``spread``, each resample's variance (divisor n) and whether it drew a
    single value (no spread at all); the same draws either way."""
    rng = np.random.default_rng(seed)
    counts = np.asarray(counts, dtype=np.int64)
    n = int(counts.sum())
    means = np.empty(n_resamples)
    var = np.empty(n_resamples) if spread else None
    flat = np.empty(n_resamples, dtype=bool) if spread else None
    if 16 * values.size <= n:
        pvals = counts / n
        chunk = max(1, min(n_resamples, _CHUNK_CELLS // values.size))
        for start in range(0, n_resamples, chunk):
            stop = min(start + chunk, n_resamples)
            counts_drawn = rng.multinomial(n, pvals, size=stop - start)
            m = np.einsum("ij,j->i", counts_drawn, values) / n  # no BLAS threads
            means[start:stop] = m
            if spread:
                dev = values[None, :] - m[:, None]
                var[start:stop] = np.einsum("ij,ij,ij->i", counts_drawn, dev, dev) / n
                flat[start:stop] = np.count_nonzero(counts_drawn, axis=1) == 1
    else:
        data = np.repeat(values, counts)
        chunk = max(1, min(n_resamples, _CHUNK_CELLS // n))
        for start in range(0, n_resamples, chunk):
            stop = min(start + chunk, n_resamples)
            drawn = data[rng.integers(0, n, size=(stop - start, n))]
            means[start:stop] = drawn.mean(axis=1)
            if spread:
                var[start:stop] = drawn.var(axis=1)
                flat[start:stop] = drawn.min(axis=1) == drawn.max(axis=1)
    return means, var, flat


# ------------------------------------------------------------------ relative Brier


def _factorize(ids: np.ndarray, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Distinct ids (sorted) and the code of each row."""
    try:
        return np.unique(ids, return_inverse=True)
    except TypeError:
        raise ValueError(f"{name}: ids must be mutually comparable (e.g. all strings or all integers)") from None


def _check_unique_pairs(q_code: np.ndarray, a_code: np.ndarray, n_analysts: int, questions, analysts) -> None:
    pair = np.sort(q_code.astype(np.int64) * n_analysts + a_code)
    dup = np.flatnonzero(pair[1:] == pair[:-1])
    if dup.size:
        q, a = divmod(int(pair[dup[0]]), n_analysts)
        raise ValueError(
            f"duplicate (question, analyst) pair ({plain(questions[q])!r}, {plain(analysts[a])!r}):"
            " score one forecast per analyst per question"
        )


def _paired_inputs(question_ids, analyst_ids, scores):
    questions = v.id_array(question_ids, "question_ids")
    analysts = v.id_array(analyst_ids, "analyst_ids")
    scores = v.as_float_array(scores, "scores")
    v.same_length(("question_ids", questions), ("analyst_ids", analysts), ("scores", scores))
    return questions, analysts, scores


@dataclass(frozen=True)
class RelativeScore(Result):
    """One analyst's mean difference from their colleagues (see :func:`relative_brier`), over ``n`` questions."""

    value: float
    n: int


@dataclass(frozen=True, eq=False)
class RelativeBrier(Result, Mapping):
    """Mapping analyst -> :class:`RelativeScore`, in sorted analyst order.

    Fields hold the same data column-wise: ``analysts``, ``relative`` (the
    relative scores) and ``n`` (questions per analyst).

    ``result[analyst].value`` is the analyst's relative score (negative: a
    lower score than the reference of :func:`relative_brier`), ``result[analyst].n``
    the number of questions it is averaged over.
    """

    analysts: tuple[Any, ...]
    relative: tuple[float, ...]
    n: tuple[int, ...]
    _position: dict[Any, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_position", {a: i for i, a in enumerate(self.analysts)})

    def __getitem__(self, analyst: Any) -> RelativeScore:
        i = self._position[analyst]
        return RelativeScore(self.relative[i], self.n[i])

    def __iter__(self) -> Iterator[Any]:
        return iter(self.analysts)

    def __len__(self) -> int:
        return len(self.analysts)

    def as_dict(self) -> dict[str, Any]:
        """``{"analysts": [{"analyst": ..., "relative_brier": ..., "n": ...}, ...]}``."""
        return {
            "analysts": [
                {"analyst": plain(a), "relative_brier": plain(val), "n": int(k)}
                for a, val, k in zip(self.analysts, self.relative, self.n)
            ]
        }


RELATIVE_TO = ("others", "median-score")


def relative_deviations(q_code: np.ndarray, scores: np.ndarray, relative_to: str = "others") -> np.ndarray:
    """Each row's score minus its question's reference (NaN where there is none), for integer
    question codes ``q_code``: the mean of the *other* analysts' scores on the question
    (``"others"``, NaN for a question nobody else forecast) or the median of all the scores
    on it, the row's own included (``"median-score"``, 0 for a lone forecaster)."""
    if relative_to not in RELATIVE_TO:
        raise ValueError(f"relative_to must be one of {', '.join(RELATIVE_TO)}, not {relative_to!r}")
    n_q = int(q_code.max()) + 1 if q_code.size else 0
    per_question = np.bincount(q_code, minlength=n_q)
    if relative_to == "others":
        total = np.bincount(q_code, weights=scores, minlength=n_q)
        others = per_question[q_code] - 1
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(others > 0, scores - (total[q_code] - scores) / np.maximum(others, 1), np.nan)
    order = np.lexsort((scores, q_code))
    sorted_scores = scores[order]
    start = np.cumsum(per_question) - per_question
    median = 0.5 * (sorted_scores[start + (per_question - 1) // 2] + sorted_scores[start + per_question // 2])
    return scores - median[q_code]


def relative_brier(question_ids, analyst_ids, scores, *, relative_to: str = "others") -> RelativeBrier:
    """Each analyst's mean score difference from their colleagues on the same questions.

    ``relative_to="others"`` (the default, leave-one-out): for analyst a with
    questions Q_a shared with at least one other analyst::

        rel_a = (1/|Q_a|) sum_{q in Q_a} (S_{a,q} - mean_{b != a forecast q} S_{b,q})

    Its expectation is 0 for equally skilled analysts, whatever the
    distribution of the scores: negative means a scored lower (better, for
    Brier) than the colleagues who forecast the same questions, on average.
    Questions nobody else forecast are left out (``n`` counts the rest); an
    analyst who shares no question gets NaN.

    ``relative_to="median-score"`` (Good Judgment Open's convention): against
    the median of all the analysts' *scores* on the question, a included
    (the mean of the two middle scores for an even count); a question only a
    forecast contributes 0. Brier scores are right-skewed, so the median
    score sits below the mean: five equally skilled analysts average about
    +0.009 against it (all look worse than "the median"). It is *not* the
    score of the median forecast.

    Either way each question's difficulty is subtracted out, so analysts who
    answered different questions can be compared.

    One row per (question, analyst) pair; a duplicate pair raises
    ``ValueError``. Vectorized (``np.bincount``; one lexsort for the median).

    Reference: the relative Brier score of Good Judgment Open (a forecaster's
    score minus the median forecaster's on each question, averaged); on
    comparing forecasters across different question sets, Mellers, B. et al.
    (2015), Identifying and cultivating superforecasters as a method of
    improving probabilistic predictions, Perspectives on Psychological
    Science 10(3):267-281.

    Parameters
    ----------
    question_ids, analyst_ids : 1-D sequences of ids (str or int), one row per pair.
    scores : 1-D array of scores (e.g. Brier), same length.
    relative_to : "others" (default) or "median-score".
    """
    questions, analysts, scores = _paired_inputs(question_ids, analyst_ids, scores)
    q_ids, q_code = _factorize(questions, "question_ids")
    a_ids, a_code = _factorize(analysts, "analyst_ids")
    _check_unique_pairs(q_code, a_code, a_ids.size, q_ids, a_ids)
    deviation = relative_deviations(q_code, scores, relative_to)
    ok = ~np.isnan(deviation)
    n = np.bincount(a_code[ok], minlength=a_ids.size)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.bincount(a_code[ok], weights=deviation[ok], minlength=a_ids.size) / n
    return RelativeBrier(
        analysts=tuple(plain(a) for a in a_ids.tolist()),
        relative=tuple(mean.tolist()),
        n=tuple(n.tolist()),
    )


# -------------------------------------------------------------- paired difference


@dataclass(frozen=True)
class PairedDifference(Result):
    """Mean of ``score_a - score_b`` over the ``n`` questions both analysts forecast.

    Negative ``mean`` means a scored lower (better, for Brier) than b.
    ``t_interval`` and ``bootstrap_interval`` are ``[low, high]`` at ``level``,
    None (with ``reason``) when undefined.
    """

    a: Any
    b: Any
    n: int
    mean: float | None
    t_interval: tuple[float, float] | None
    bootstrap_interval: tuple[float, float] | None
    level: float
    reason: str | None = None
    bootstrap_method: str | None = None  # a key of tracker.scoring.intervals.METHODS


def paired_difference(
    question_ids, analyst_ids, scores, a, b, *, level: float = 0.95, seed: int | None = 42, n_resamples: int = 2000
) -> PairedDifference:
    """Paired comparison of analysts ``a`` and ``b`` on the questions both forecast.

    With ``d_q = S_{a,q} - S_{b,q}`` over the n shared questions, the mean
    ``dbar``, the Student t interval ``dbar -+ t_{n-1, (1+level)/2} sd(d) / sqrt(n)``
    (sd with n - 1 in the denominator) and the bootstrap interval of the mean
    over the shared questions, the studentized one of
    :func:`tracker.scoring.group_interval` (BCa where that is unbounded;
    ``bootstrap_method`` says which; fixed ``seed``).

    Undefined parts are None with a ``reason``: no shared question (all),
    one shared question (both intervals). ``a == b``, an analyst absent from
    ``analyst_ids``, or a duplicate (question, analyst) pair raises ``ValueError``.

    Reference: Diebold, F. X. and Mariano, R. S. (1995), Comparing predictive
    accuracy, J. Business & Economic Statistics 13:253-263 (paired loss
    differences); Efron and Tibshirani (1993) for the bootstrap.
    """
    questions, analysts, scores = _paired_inputs(question_ids, analyst_ids, scores)
    level = v.level(level)
    n_resamples = v.positive_int(n_resamples, "n_resamples")
    if plain(a) == plain(b):
        raise ValueError(f"a and b must be different analysts, got {plain(a)!r} twice")
    rows = {}
    for name, who in (("a", a), ("b", b)):
        mask = analysts == who
        if not np.any(mask):
            raise ValueError(f"{name}: analyst {plain(who)!r} does not appear in analyst_ids")
        q = questions[mask]
        _, first, count = np.unique(q, return_index=True, return_counts=True)
        if (count > 1).any():
            raise ValueError(
                f"duplicate (question, analyst) pair ({plain(q[first[count > 1][0]])!r}, {plain(who)!r}):"
                " score one forecast per analyst per question"
            )
        rows[name] = (q, scores[mask])
    (qa, sa), (qb, sb) = rows["a"], rows["b"]
    _, ia, ib = np.intersect1d(qa, qb, assume_unique=True, return_indices=True)
    d = sa[ia] - sb[ib]
    return _paired(plain(a), plain(b), d, level, n_resamples, seed)


def _paired(a: Any, b: Any, d: np.ndarray, level: float, n_resamples: int, seed: int | None) -> PairedDifference:
    n = int(d.size)
    if n == 0:
        return PairedDifference(a, b, 0, None, None, None, level, "the two analysts share no question")
    mean = float(d.mean())
    if n == 1:
        return PairedDifference(a, b, 1, mean, None, None, level, "intervals need at least two shared questions")
    from scipy.special import stdtrit  # Student t quantile

    half = float(stdtrit(n - 1, 0.5 + level / 2.0)) * float(d.std(ddof=1)) / math.sqrt(n)
    from .intervals import _mean_interval

    low, high, kind = _mean_interval(d, n_resamples, level, seed)
    return PairedDifference(a, b, n, mean, (mean - half, mean + half), (low, high), level,
                            bootstrap_method=f"bootstrap-{kind}")
