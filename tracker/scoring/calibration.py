"""Tests and summaries of calibration: Spiegelhalter's Z, logistic recalibration, Brier skill."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from statistics import NormalDist
from typing import Optional, Sequence

import numpy as np

from . import _validation as v
from ._results import Result
from ._table import LOG_EPS, Table, dot, tabulate

#: Forecasts are clipped to [LOGIT_CLIP, 1 - LOGIT_CLIP] before taking logits in :func:`calibration_slope`:
#: 0.5%, the finest resolution analysts state (a stated 0% or 100% means "below/above 0.5%"). A clip at
#: 1e-6 let one confident miss (logit -13.8) pull the slope from 0.87 to 0.46; the count is reported.
LOGIT_CLIP = 0.005


#: Fewer forecasts than this: no Spiegelhalter test and no calibration slope in summaries (too few to test).
MIN_FOR_TESTS = 10


def _normal_two_sided(z: float) -> float:
    return math.erfc(abs(z) / math.sqrt(2.0))


# ------------------------------------------------------------------- Spiegelhalter


@dataclass(frozen=True)
class SpiegelhalterTest(Result):
    """Spiegelhalter's Z and its two-sided normal p-value (None, with ``reason``, when undefined)."""

    n: int
    z: float | None
    p_value: float | None
    reason: str | None = None


def spiegelhalter_z(p, y) -> SpiegelhalterTest:
    """Spiegelhalter's test of calibration for binary forecasts.

    Under the hypothesis that every ``p_i`` is the true event probability::

        Z = sum_i (y_i - p_i)(1 - 2 p_i) / sqrt( sum_i (1 - 2 p_i)^2 p_i (1 - p_i) )

    is approximately standard normal; the p-value is two-sided,
    ``2 (1 - Phi(|Z|))``. Large positive Z: the Brier score is worse than a
    calibrated forecaster would expect (often overconfidence). Undefined
    (None) when the denominator is 0, i.e. every forecast is 0, 0.5 or 1.

    Reference: Spiegelhalter, D. J. (1986), Probabilistic prediction in
    patient management and clinical trials, Statistics in Medicine 5:421-433.
    """
    p = v.probabilities(p)
    y = v.outcomes(y)
    v.same_length(("p", p), ("y", y))
    return _spiegelhalter(tabulate(p, y))


def _spiegelhalter(table: Table) -> SpiegelhalterTest:
    x, n = table.x, table.n
    # numerator sum_i (y_i - p_i)(1 - 2 p_i) = S - 2 sum s x - sum n x + 2 sum n x^2, from shared sums
    numerator = table.events - 2.0 * table.sum_sx - table.sum_nx + 2.0 * table.sum_nx2
    u = np.square(x)
    np.subtract(x, u, out=u)  # x (1 - x)
    v = u * -4.0
    v += 1.0  # (1 - 2x)^2 = 1 - 4 x (1 - x)
    variance = float(np.einsum("i,i,i->", n, u, v))  # each term >= 0: exactly 0 only for x in {0, 1/2, 1}
    if variance <= 0.0:
        return SpiegelhalterTest(
            int(table.total), None, None, "Spiegelhalter Z undefined: every forecast is 0, 0.5 or 1 (zero variance)"
        )
    z = numerator / math.sqrt(variance)
    return SpiegelhalterTest(int(table.total), z, _normal_two_sided(z))


# ------------------------------------------------------------ logistic recalibration


@dataclass(frozen=True)
class CalibrationSlope(Result):
    """Logistic recalibration fit ``logit P(y=1) = intercept + slope * logit(p)`` with Wald intervals.

    Every estimate is None, with ``reason``, when the fit is undefined.
    """

    n: int
    slope: float | None
    intercept: float | None
    slope_ci: tuple[float, float] | None
    intercept_ci: tuple[float, float] | None
    level: float
    iterations: int
    reason: str | None = None
    p_value: float | None = None  # Wald test of slope = 1, two-sided
    n_clipped: int = 0  # forecasts moved to [LOGIT_CLIP, 1 - LOGIT_CLIP] before the logit
    ci_method: str | None = None  # a key of SLOPE_CI_METHODS; None without an interval
    n_questions: int | None = None  # distinct questions, when the question of each forecast was given


#: The values of ``CalibrationSlope.ci_method`` (``slope_ci_method`` in summaries), and what each means.
SLOPE_CI_METHODS = {
    "wald": "Wald interval from the model's information, Student t on n - 2 degrees of freedom (forecasts on "
            "different questions, independent)",
    "cluster-jackknife": "cluster-robust interval by question: the jackknife (CV3) variance leaving out one "
                         "question at a time, Student t with G - 1 degrees of freedom (forecasts sharing a "
                         "question share its outcome)",
}

#: Fewer questions than this in a group with several forecasts on a question: a slope, but no clustered
#: interval (a variance estimated from so few questions is itself noise), hence no test and no verdict.
MIN_CLUSTERS = 10


def calibration_slope(p, y, *, level: float = 0.95, questions=None) -> CalibrationSlope:
    """Cox's logistic recalibration: intercept and slope of y on logit(p), by maximum likelihood.

    Fits ``logit P(y_i = 1) = a + b logit(p_i)`` by Newton-Raphson (IRLS) with
    step halving. A calibrated forecaster has a = 0, b = 1; **b < 1 means
    overconfident** (forecasts too extreme), b > 1 underconfident; a shifts
    all forecasts up or down. Intervals are Wald intervals, estimate -+ t se,
    from the inverse observed information at the optimum, with the Student t
    quantile on n - 2 degrees of freedom (n forecasts; the normal one from a
    few hundred forecasts on). The t reference is a small-sample allowance:
    with the normal one, 20 calibrated analysts on 40 questions drew at
    least one false "overconfident" after Holm's adjustment in 5.2% of
    simulated runs (a confident miss makes the Wald statistic's tail heavier
    than normal), with t in 3-3.6% (``bench/honest_stats.py``).

    Forecasts are clipped to [0.005, 0.995] (``LOGIT_CLIP``, the resolution
    analysts state) before the logit, so exact 0 and 1 enter as
    logit = -+5.29 rather than infinity, and one confident miss cannot
    dominate the fit; ``n_clipped`` counts the forecasts clipped.
    ``p_value`` is the two-sided Wald test of slope = 1, on the same t (what
    :func:`slope_verdict` adjusts across analysts). Since logit(p) depends only
    on p, the fit runs on the table of distinct forecast values (binomial
    counts), not on every row.

    Undefined (None with ``reason``): only one outcome class; fewer than two
    distinct (clipped) forecast values; outcomes separated by the forecasts
    (every event at or above every non-event or the reverse: the maximum
    likelihood estimate is infinite); or no convergence in 100 iterations.

    ``questions`` (the question id of each forecast, optional): where some
    question holds several forecasts (a team: analysts share its outcome)
    the interval and the test use the cluster-robust variance clustered by
    question (:func:`cluster_robust_slope`, ``ci_method``
    "cluster-jackknife"); where every question holds one forecast, or
    without ``questions``, the model's own ("wald"), unchanged.

    Reference: Cox, D. R. (1958), Two further applications of a model for
    binary regression, Biometrika 45:562-565.
    """
    p = v.probabilities(p)
    y = v.outcomes(y)
    v.same_length(("p", p), ("y", y))
    fit = _calibration_slope(tabulate(p, y), v.level(level))
    if questions is None:
        return fit
    questions = v.id_array(questions, "questions")
    v.same_length(("p", p), ("questions", questions))
    return cluster_robust_slope(fit, p, y, questions)


def cluster_robust_slope(fit: CalibrationSlope, p: np.ndarray, y: np.ndarray, questions) -> CalibrationSlope:
    """``fit`` (of ``p`` against ``y``) with its interval and test made robust to shared outcomes.

    Forecasts on the same question share its outcome, so they are not
    independent and the model's information understates the variance (the
    interval is too narrow and the test too eager: a calibrated team of 20
    analysts on 40 questions had its naive 95% interval contain 1 in 81% of
    simulated runs). With ``G`` questions, ``x_i = (1, logit p_i)`` (clipped
    as in the fit), ``mu_i`` the fitted probability, ``A`` the information
    ``sum_i mu_i (1 - mu_i) x_i x_i'``, ``A_c`` its part from question c and
    ``g_c = sum_{i in c} (y_i - mu_i) x_i`` the score of question c, the
    estimate without question c is, by one Newton step from the fit,
    ``beta_(c) = beta - (A - A_c)^-1 g_c`` (the jackknife of the linearised,
    iteratively reweighted, fit: exact for a linear model, and no refit per
    question), and the variance is the jackknife over questions::

        V = (G - 1) / G  sum_c (beta_(c) - beta)(beta_(c) - beta)'

    (CV3 of MacKinnon, Nielsen and Webb 2023, Cluster-robust inference: a
    guide to empirical practice, J. Econometrics 232:272-299, who recommend
    it with Student t quantiles on G - 1 degrees of freedom over the plain
    sandwich, which is too narrow with few questions). The interval is
    ``slope -+ t_(G-1) se`` and ``p_value`` the two-sided t test of
    slope = 1 with that se; ``ci_method`` is "cluster-jackknife".
    ``bench/honest_stats.py`` prints its coverage for calibrated teams.

    Where every question holds one forecast there is nothing to cluster: the
    fit is returned unchanged (the model-based "wald" interval, as for a
    single analyst). Below :data:`MIN_CLUSTERS` questions with shared
    outcomes the slope is kept but the interval and the test are dropped
    (``reason`` says why).
    """
    try:
        _, code = np.unique(questions, return_inverse=True)
    except TypeError:
        raise ValueError("questions: ids must be mutually comparable (e.g. all strings or all integers)") from None
    g_count = int(code.max()) + 1 if code.size else 0
    fit = replace(fit, n_questions=g_count)
    if fit.slope is None or g_count == code.size:
        return fit

    def no_interval(reason: str) -> CalibrationSlope:
        return replace(fit, slope_ci=None, intercept_ci=None, p_value=None, ci_method=None, reason=reason)

    if g_count < MIN_CLUSTERS:
        return no_interval(f"no slope interval: {g_count} questions shared by several forecasts, "
                           f"fewer than {MIN_CLUSTERS}")
    q = np.clip(p, LOGIT_CLIP, 1.0 - LOGIT_CLIP)
    lx = np.log(q) - np.log1p(-q)
    mu = 0.5 * (1.0 + np.tanh(0.5 * (fit.intercept + fit.slope * lx)))
    resid = y.astype(np.float64) - mu
    w = mu * (1.0 - mu)
    score = np.column_stack((np.bincount(code, weights=resid, minlength=g_count),
                             np.bincount(code, weights=resid * lx, minlength=g_count)))
    part = np.empty((g_count, 2, 2))
    part[:, 0, 0] = np.bincount(code, weights=w, minlength=g_count)
    part[:, 0, 1] = part[:, 1, 0] = np.bincount(code, weights=w * lx, minlength=g_count)
    part[:, 1, 1] = np.bincount(code, weights=w * lx * lx, minlength=g_count)
    info = part.sum(axis=0)
    try:
        step = np.linalg.solve(info[None, :, :] - part, score[:, :, None])[:, :, 0]  # beta - beta_(c)
    except np.linalg.LinAlgError:
        return no_interval("no slope interval: leaving out a question leaves the fit undefined")
    cov = (g_count - 1.0) / g_count * (step.T @ step)
    se_a, se_b = float(np.sqrt(cov[0, 0])), float(np.sqrt(cov[1, 1]))
    from scipy.special import stdtr, stdtrit  # Student t distribution and quantile

    df = g_count - 1
    t = float(stdtrit(df, 0.5 + fit.level / 2.0))
    a, b = fit.intercept, fit.slope
    p_value = float(2.0 * stdtr(df, -abs(b - 1.0) / se_b)) if se_b > 0 else None
    return replace(fit, slope_ci=(b - t * se_b, b + t * se_b), intercept_ci=(a - t * se_a, a + t * se_a),
                   p_value=p_value, ci_method="cluster-jackknife")


def _calibration_slope(table: Table, level: float) -> CalibrationSlope:
    total = int(table.total)

    clipped = (table.x < LOGIT_CLIP) | (table.x > 1.0 - LOGIT_CLIP)
    n_clipped = int(table.n[clipped].sum())

    def undefined(reason: str, iterations: int = 0) -> CalibrationSlope:
        return CalibrationSlope(total, None, None, None, None, level, iterations, reason, None, n_clipped)

    n, s = table.n, table.s
    if table.events == 0.0 or table.events == table.total:
        return undefined("calibration slope undefined: only one outcome class present")
    lx = _clipped_logit(table)
    if lx[-1] <= lx[0]:
        return undefined("calibration slope undefined: fewer than two distinct forecast values")
    # lx is non-decreasing, so the extreme forecasts of each class are at its first and last rows
    event, non_event = s > 0, s < n
    lowest_event, highest_event = lx[np.argmax(event)], lx[lx.size - 1 - np.argmax(event[::-1])]
    lowest_non, highest_non = lx[np.argmax(non_event)], lx[lx.size - 1 - np.argmax(non_event[::-1])]
    if highest_non <= lowest_event or highest_event <= lowest_non:
        return undefined("calibration slope undefined: the forecasts separate events from non-events")

    start = np.array([0.0, 1.0])  # "calibrated"
    if lx.size > _COARSE_GROUPS:
        # Many distinct values (model output): start from the fit to a coarsened table (contiguous
        # groups of distinct values at their mean logit). Only the start changes: the fit below
        # still runs on every value, in one or two Newton steps instead of five or more.
        bounds = np.linspace(0, lx.size, _COARSE_GROUPS + 1).astype(np.intp)[:-1]
        cn = np.add.reduceat(n, bounds)
        coarse = _newton(np.add.reduceat(n * lx, bounds) / cn, cn, np.add.reduceat(s, bounds), start)
        if coarse.converged:
            start = coarse.beta
    fit = _newton(lx, n, s, start)
    if not fit.converged:
        return undefined(f"calibration slope undefined: no convergence in {_MAX_ITER} iterations", fit.iterations)
    info = fit.information
    det = info[0, 0] * info[1, 1] - info[0, 1] ** 2
    if not det > 0.0:
        return undefined("calibration slope undefined: singular information matrix", fit.iterations)
    se_a, se_b = np.sqrt(np.array([info[1, 1], info[0, 0]]) / det)  # diagonal of the inverse
    from scipy.special import stdtr, stdtrit  # Student t distribution and quantile

    df = max(total - 2, 1)
    z = float(stdtrit(df, 0.5 + level / 2.0))
    a, b = float(fit.beta[0]), float(fit.beta[1])
    return CalibrationSlope(
        n=total,
        slope=b,
        intercept=a,
        slope_ci=(b - z * float(se_b), b + z * float(se_b)),
        intercept_ci=(a - z * float(se_a), a + z * float(se_a)),
        level=level,
        iterations=fit.iterations,
        p_value=float(2.0 * stdtr(df, -abs(b - 1.0) / float(se_b))) if se_b > 0 else None,
        n_clipped=n_clipped,
        ci_method="wald",
    )


def _clipped_logit(table: Table) -> np.ndarray:
    """``logit(clip(x, LOGIT_CLIP, 1 - LOGIT_CLIP))``, from the table's cached log terms.

    The logit is increasing, so clipping x first equals clipping the logit
    (of x clipped at LOG_EPS < LOGIT_CLIP) at the logits of the bounds; the
    bounds go through the same numpy functions as the data.
    """
    log_q, log_1mq = table.log_terms(LOG_EPS)
    bounds = np.array([LOGIT_CLIP, 1.0 - LOGIT_CLIP])
    low, high = np.log(bounds) - np.log(1.0 - bounds)
    lx = log_q - log_1mq
    return np.clip(lx, low, high, out=lx)


_MAX_ITER = 100
_COARSE_GROUPS = 4096
#: Newton converges quadratically: after a step of relative size delta the remaining error is
#: O(delta^2), so stopping once a step is below 1e-5 leaves the estimates accurate to ~1e-10
#: (stricter than R's glm, which stops when the deviance changes by less than 1e-8, relatively).
_STEP_TOL = 1e-5
#: Steps larger than this (relative) are checked against the log likelihood and halved if needed.
_LINE_SEARCH_ABOVE = 1e-3


@dataclass(frozen=True, eq=False)
class _NewtonFit:
    beta: np.ndarray
    information: np.ndarray  # observed information at beta
    iterations: int
    converged: bool


def _newton(lx: np.ndarray, n: np.ndarray, s: np.ndarray, beta: np.ndarray) -> _NewtonFit:
    """Maximize the binomial log likelihood of s events in n trials with logit(mu) = a + b lx.

    Newton-Raphson (IRLS for this canonical link). Far from the optimum a
    step is halved until the log likelihood does not decrease; near it (step
    below 1e-3) the full Newton step is taken without evaluating the
    likelihood, which is where Newton's quadratic convergence applies. The
    returned information matrix is evaluated at the returned ``beta``.
    """
    constants = (float(s.sum()), dot(s, lx), float(n.sum()), dot(n, lx))
    gradient, info = _score_and_information(beta, lx, n, constants)
    for iteration in range(1, _MAX_ITER + 1):
        try:
            step = np.linalg.solve(info, gradient)
        except np.linalg.LinAlgError:
            return _NewtonFit(beta, info, iteration, False)
        size = np.max(np.abs(step)) / (1.0 + np.max(np.abs(beta)))
        if size > _LINE_SEARCH_ABOVE:
            current = _loglik(beta, lx, n, s)
            t = 1.0
            while _loglik(beta + t * step, lx, n, s) < current - 1e-12 * abs(current) and t > 1e-12:
                t *= 0.5
            step = t * step
            size *= t
        beta = beta + step
        if not np.all(np.isfinite(beta)):
            return _NewtonFit(beta, info, iteration, False)
        gradient, info = _score_and_information(beta, lx, n, constants)
        if size < _STEP_TOL:
            return _NewtonFit(beta, info, iteration, True)
    return _NewtonFit(beta, info, _MAX_ITER, False)


#: Rows per block in the likelihood sums: small enough for the temporaries to stay in cache.
_BLOCK = 1 << 15


def _score_and_information(beta: np.ndarray, lx: np.ndarray, n: np.ndarray, constants: tuple[float, ...]):
    """Gradient and observed information of the log likelihood at ``beta``, summed block by block.

    With mu = 1 / (1 + exp(-(a + b lx))), the gradient is
    ``(sum (s - n mu), sum (s - n mu) lx)`` and the information
    ``sum n mu (1 - mu) [[1, lx], [lx, lx^2]]``. Written with
    ``t = tanh((a + b lx) / 2)``, ``mu = (1 + t) / 2`` and
    ``mu (1 - mu) = (1 - t^2) / 4`` (no overflow for any eta), and with
    ``constants = (sum s, sum s lx, sum n, sum n lx)`` fixed over iterations.
    """
    total_s, total_s_lx, total_n, total_n_lx = constants
    half_a, half_b = 0.5 * beta[0], 0.5 * beta[1]
    sums = np.zeros(5)
    for start in range(0, lx.size, _BLOCK):
        x = lx[start : start + _BLOCK]
        nb = n[start : start + _BLOCK]
        t = x * half_b
        t += half_a
        np.tanh(t, out=t)
        nt = t * nb
        w = np.square(t, out=t)
        np.subtract(1.0, w, out=w)
        w *= nb  # 4 n mu (1 - mu)
        sums += (nt.sum(), dot(nt, x), w.sum(), dot(w, x), np.einsum("i,i,i->", w, x, x))
    gradient = np.array([total_s - 0.5 * (total_n + sums[0]), total_s_lx - 0.5 * (total_n_lx + sums[1])])
    info = 0.25 * np.array([[sums[2], sums[3]], [sums[3], sums[4]]])
    return gradient, info


def _loglik(beta: np.ndarray, lx: np.ndarray, n: np.ndarray, s: np.ndarray) -> float:
    """Binomial log likelihood sum_x [s eta - n log(1 + exp(eta))], eta = a + b lx (no constant)."""
    eta = beta[0] + beta[1] * lx
    # log(1 + exp(eta)) = max(eta, 0) + log1p(exp(-|eta|)), overflow-free
    return dot(s, eta) - dot(n, np.maximum(eta, 0.0) + np.log1p(np.exp(-np.abs(eta))))


# --------------------------------------------------------------------- Brier skill


@dataclass(frozen=True)
class BrierSkill(Result):
    """Brier skill score against climatology (None, with ``reason``, when the base rate is 0 or 1)."""

    skill: float | None
    brier: float
    reference: float
    base_rate: float
    reason: str | None = None


def brier_skill_score(p, y) -> BrierSkill:
    """Brier skill score against the sample base rate: ``BSS = 1 - BS / BS_ref``.

    ``BS_ref = obar (1 - obar)`` is the Brier score of always forecasting the
    observed base rate obar of the same sample (climatology, in-sample). 1 is
    perfect, 0 no better than the base rate, negative worse. Undefined (None)
    when obar is 0 or 1. Scale-free: the same under the 0-1 and 0-2 Brier scales.

    Reference: Murphy, A. H. (1973), Hedging and skill scores for probability
    forecasts, J. Applied Meteorology 12:215-223; Wilks, D. S. (2011),
    Statistical Methods in the Atmospheric Sciences, 3rd ed., section 8.4.
    """
    p = v.probabilities(p)
    y = v.outcomes(y)
    v.same_length(("p", p), ("y", y))
    return _brier_skill(tabulate(p, y))


def _brier_skill(table: Table) -> BrierSkill:
    brier = table.brier
    obar = table.base_rate
    reference = obar * (1.0 - obar)
    if reference == 0.0:
        return BrierSkill(None, brier, reference, obar, "Brier skill undefined: base rate is 0 or 1")
    return BrierSkill(1.0 - brier / reference, brier, reference, obar)


#: The equivalence margin of "calibrated": the slope's whole 95% interval must lie inside it.
#: A slope of 0.8 makes a stated 90% mean about 85%, a stated 10% about 15%; 1.25 is its reciprocal.
EQUIVALENCE_MARGIN = (0.8, 1.25)
#: Family-wise error rate of the "overconfident"/"underconfident" verdicts across the groups shown together.
ALPHA = 0.05
#: Kept for callers of the old rule; no longer used by :func:`slope_verdict`.
MAX_CONCLUSIVE_WIDTH = 2.0
VERDICTS = ("calibrated", "overconfident", "underconfident", "no evidence either way", "too little data")


def slope_p_value(slope: Optional[float], ci: Optional[Sequence[float]], level: float = 0.95) -> Optional[float]:
    """Two-sided Wald p-value of ``slope = 1`` recovered from the slope and its ``level`` interval."""
    if slope is None or not ci or ci[0] is None or ci[1] is None:
        return None
    se = (ci[1] - ci[0]) / (2.0 * NormalDist().inv_cdf(0.5 + level / 2.0))
    if not se > 0:
        return None
    return _normal_two_sided((slope - 1.0) / se)


def slope_verdict(slope: Optional[float], ci: Optional[Sequence[float]], p_adjusted: Optional[float] = None) -> str:
    """The verdict on the logistic calibration slope, a claim that controls its error rate.

    * "calibrated": the whole 95% interval lies inside ``EQUIVALENCE_MARGIN``
      [0.8, 1.25]: the data exclude a practically meaningful miscalibration
      (an equivalence test, two one-sided tests at 2.5%). A wide interval
      that merely contains 1 is *not* evidence of calibration.
    * "overconfident" (slope < 1, forecasts too extreme) / "underconfident"
      (slope > 1): the test of slope = 1 is significant at ``ALPHA`` after
      Holm's adjustment across the groups shown together (``p_adjusted``;
      when it is None the group is alone and its own p-value, read off the
      interval, is used).
    * "no evidence either way": neither (the interval is too wide, or its
      exclusion of 1 does not survive the adjustment).
    * "too little data": no slope could be estimated.
    """
    if slope is None or not ci or ci[0] is None or ci[1] is None:
        return "too little data"
    low, high = EQUIVALENCE_MARGIN
    if low <= ci[0] and ci[1] <= high:
        return "calibrated"
    p = p_adjusted if p_adjusted is not None else slope_p_value(slope, ci)
    if p is not None and p < ALPHA:
        return "overconfident" if slope < 1 else "underconfident"
    return "no evidence either way"
