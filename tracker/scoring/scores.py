"""Proper scores of single forecasts: Brier (binary and categorical), ranked probability, log.

Lower is better for every score here. Each public function validates its
input and raises ``ValueError`` on bad input, then calls a private core.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import _validation as v
from ._results import Result, frozen_array
from ._table import LOG_EPS, Table, dot


# --------------------------------------------------------------------------- Brier


def brier_scores(p, y, *, scale: str = "0-1") -> np.ndarray:
    """Per-forecast Brier scores of binary forecasts.

    ``scale="0-1"`` (default; meteorology, scikit-learn): ``(p - y)^2``, in [0, 1].
    ``scale="0-2"`` (Good Judgment): the sum over both outcomes,
    ``(p - y)^2 + ((1 - p) - (1 - y))^2 = 2 (p - y)^2``, in [0, 2].

    Reference: Brier, G. W. (1950), Verification of forecasts expressed in
    terms of probability, Monthly Weather Review 78(1):1-3.

    Parameters
    ----------
    p : 1-D array of probabilities of the event, in [0, 1].
    y : 1-D array of outcomes, 0/1 or booleans, same length.

    Returns
    -------
    float64 array of shape (n,).
    """
    p = v.probabilities(p)
    y = v.outcomes(y)
    v.same_length(("p", p), ("y", y))
    return _brier_scores(p, y, v.scale(scale))


def brier_score(p, y, *, scale: str = "0-1") -> float:
    """Mean Brier score of binary forecasts, ``mean((p - y)^2)`` (doubled under ``scale="0-2"``).

    See :func:`brier_scores` for the scales and the reference.
    """
    return float(brier_scores(p, y, scale=scale).mean())


def _brier_scores(p: np.ndarray, y: np.ndarray, scale: str) -> np.ndarray:
    scores = np.square(p - y)
    if scale == "0-2":
        scores *= 2.0
    return scores


def categorical_brier_scores(P, k) -> np.ndarray:
    """Per-forecast Brier scores of categorical forecasts (the original multi-category Brier).

    ``BS_i = sum_j (P_ij - Y_ij)^2`` with ``Y_ij = 1`` if ``j == k_i`` else 0;
    range 0 (all mass on what happened) to 2 (all mass on one wrong outcome).
    For two outcomes this is the 0-2 binary score (Good Judgment convention).

    Reference: Brier (1950), Monthly Weather Review 78(1):1-3.

    Parameters
    ----------
    P : array of shape (n, K), K >= 2; each row a probability vector summing to 1
        (within 1e-6).
    k : 1-D integer array of length n, the index in 0..K-1 of the realized outcome.
    """
    P = v.probability_matrix(P)
    k = v.outcome_indices(k, P.shape[1])
    v.same_length(("P", P), ("k", k))
    return _categorical_brier_scores(P, k)


def _categorical_brier_scores(P: np.ndarray, k: np.ndarray) -> np.ndarray:
    diff = P.copy()
    diff[np.arange(P.shape[0]), k] -= 1.0
    return np.einsum("ij,ij->i", diff, diff)


def ranked_probability_scores(P, k, *, normalize: bool = False) -> np.ndarray:
    """Per-forecast ranked probability scores (RPS) for ordered outcomes.

    ``RPS_i = sum_{j=0}^{K-2} (F_ij - O_ij)^2`` over the K - 1 thresholds between
    consecutive outcomes (0-based columns), where ``F_ij = P_i0 + ... + P_ij``
    is the forecast CDF and ``O_ij = 1`` if the realized outcome ``k_i <= j``
    else 0 is the observed CDF.

    Unnormalized by default: range 0..K-1, and for K = 2 it equals the 0-1
    binary Brier score of the first category. ``normalize=True`` divides by
    K - 1 so the range is 0..1 for any K.

    References: Epstein, E. S. (1969), A scoring system for probability
    forecasts of ranked categories, J. Applied Meteorology 8:985-987;
    Murphy, A. H. (1971), A note on the ranked probability score, J. Applied
    Meteorology 10:155-156.

    Parameters
    ----------
    P : array of shape (n, K), columns in the order of the outcomes; rows sum to 1.
    k : 1-D integer array of length n, index of the realized outcome.
    normalize : divide by K - 1.
    """
    P = v.probability_matrix(P)
    k = v.outcome_indices(k, P.shape[1])
    v.same_length(("P", P), ("k", k))
    return _ranked_probability_scores(P, k, normalize=bool(normalize))


def _ranked_probability_scores(P: np.ndarray, k: np.ndarray, *, normalize: bool) -> np.ndarray:
    n_thresholds = P.shape[1] - 1
    cdf = np.cumsum(P[:, :n_thresholds], axis=1)
    cdf -= k[:, None] <= np.arange(n_thresholds)[None, :]
    scores = np.einsum("ij,ij->i", cdf, cdf)
    if normalize:
        scores /= n_thresholds
    return scores


# ----------------------------------------------------------------------- log score


@dataclass(frozen=True, eq=False)
class LogScores(Result):
    """Per-forecast log scores with the clipping that produced them.

    ``scores``: ``-ln(probability assigned to what happened)`` per forecast;
    ``mean``: their mean; ``n_clipped``: how many forecasts lay within eps of
    0 or 1 and were moved to [eps, 1 - eps]; ``eps``: the bound used.
    """

    scores: np.ndarray
    mean: float
    n_clipped: int
    eps: float


@dataclass(frozen=True)
class LogScore(Result):
    """Mean log score (natural log, lower is better) with its clipping count."""

    mean: float
    n: int
    n_clipped: int
    eps: float


def log_scores(p, y, *, eps: float = LOG_EPS) -> LogScores:
    """Per-forecast logarithmic scores of binary forecasts (negatively oriented).

    ``LS_i = -ln(p_i)`` if the event happened, ``-ln(1 - p_i)`` if not, with the
    natural log: 0 is perfect, larger is worse (the *negative* log likelihood;
    some texts report ``+ln`` so that higher is better).

    Forecasts of exactly 0 or 1 would score infinity when wrong, so the
    probability assigned to what happened (``p`` or ``1 - p``) is clipped to
    ``[eps, 1 - eps]`` before the log (default eps 1e-15: a certain miss costs
    -ln(1e-15) = 34.54, a certain hit 1e-15 instead of 0). The number of
    forecasts that were moved, i.e. within eps of 0 or 1 whatever happened,
    is reported as ``n_clipped`` rather than hidden.

    Reference: Good, I. J. (1952), Rational decisions, J. Royal Statistical
    Society B 14(1):107-114.
    """
    p = v.probabilities(p)
    y = v.outcomes(y)
    v.same_length(("p", p), ("y", y))
    eps = _check_eps(eps)
    scores, n_clipped = _log_scores(p, y, eps)
    return LogScores(scores=frozen_array(scores), mean=float(scores.mean()), n_clipped=n_clipped, eps=eps)


def log_score(p, y, *, eps: float = LOG_EPS) -> LogScore:
    """Mean logarithmic score ``mean(-ln(prob. assigned to the outcome))``; see :func:`log_scores`."""
    result = log_scores(p, y, eps=eps)
    return LogScore(mean=result.mean, n=int(result.scores.size), n_clipped=result.n_clipped, eps=result.eps)


def _check_eps(eps) -> float:
    eps = v.finite_number(eps, "eps")
    if not 0.0 < eps < 0.5:
        raise ValueError(f"eps must lie strictly between 0 and 0.5, got {eps!r}")
    return eps


def _log_scores(p: np.ndarray, y: np.ndarray, eps: float) -> tuple[np.ndarray, int]:
    q = np.where(y, p, 1.0 - p)  # probability assigned to what happened
    n_clipped = int(np.count_nonzero((q < eps) | (q > 1.0 - eps)))
    return -np.log(np.clip(q, eps, 1.0 - eps)), n_clipped


def _log_score_from_table(table: Table, eps: float) -> tuple[float, int]:
    """Mean log score and clipping count from a table of distinct forecast values (see :func:`log_scores`)."""
    log_q, log_1mq = table.log_terms(eps)
    total = -dot(table.s, log_q) - (dot(table.n, log_1mq) - dot(table.s, log_1mq))
    return float(total / table.total), table.clipped(eps)
