"""Tests and summaries of calibration: Spiegelhalter's Z, logistic recalibration, Brier skill."""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from . import _validation as v
from ._results import Result
from ._table import Table, tabulate

#: Forecasts are clipped to [LOGIT_CLIP, 1 - LOGIT_CLIP] before taking logits in :func:`calibration_slope`.
LOGIT_CLIP = 1e-6


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
    x, n, s = table.x, table.n, table.s
    slope = 1.0 - 2.0 * x
    numerator = float((s - n * x) @ slope)  # sum over forecasts sharing x of (y - x)(1 - 2x)
    variance = float(n @ (slope * slope * x * (1.0 - x)))
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


def calibration_slope(p, y, *, level: float = 0.95) -> CalibrationSlope:
    """Cox's logistic recalibration: intercept and slope of y on logit(p), by maximum likelihood.

    Fits ``logit P(y_i = 1) = a + b logit(p_i)`` by Newton-Raphson (IRLS) with
    step halving. A calibrated forecaster has a = 0, b = 1; **b < 1 means
    overconfident** (forecasts too extreme), b > 1 underconfident; a shifts
    all forecasts up or down. Intervals are Wald intervals, estimate -+ z se,
    from the inverse observed information at the optimum.

    Forecasts are clipped to [1e-6, 1 - 1e-6] before the logit, so exact 0 and
    1 enter as logit = -+13.8 rather than infinity. Since logit(p) depends only
    on p, the fit runs on the table of distinct forecast values (binomial
    counts), not on every row.

    Undefined (None with ``reason``): only one outcome class; fewer than two
    distinct (clipped) forecast values; outcomes separated by the forecasts
    (every event at or above every non-event or the reverse: the maximum
    likelihood estimate is infinite); or no convergence in 100 iterations.

    Reference: Cox, D. R. (1958), Two further applications of a model for
    binary regression, Biometrika 45:562-565.
    """
    p = v.probabilities(p)
    y = v.outcomes(y)
    v.same_length(("p", p), ("y", y))
    return _calibration_slope(tabulate(p, y), v.level(level))


def _calibration_slope(table: Table, level: float) -> CalibrationSlope:
    total = int(table.total)

    def undefined(reason: str, iterations: int = 0) -> CalibrationSlope:
        return CalibrationSlope(total, None, None, None, None, level, iterations, reason)

    q = np.clip(table.x, LOGIT_CLIP, 1.0 - LOGIT_CLIP)
    lx = np.log(q) - np.log1p(-q)
    n, s = table.n, table.s
    if table.events == 0.0 or table.events == table.total:
        return undefined("calibration slope undefined: only one outcome class present")
    if lx[-1] <= lx[0]:
        return undefined("calibration slope undefined: fewer than two distinct forecast values")
    has_event, has_non_event = s > 0, s < n
    if lx[has_non_event].max() <= lx[has_event].min() or lx[has_event].max() <= lx[has_non_event].min():
        return undefined("calibration slope undefined: the forecasts separate events from non-events")

    start = np.array([0.0, 1.0])  # "calibrated"
    if lx.size > _COARSE_GROUPS:
        # Many distinct values (model output): start Newton from the fit to a coarsened table,
        # contiguous groups of distinct values at their mean logit. Only the start changes; the
        # fit below still runs on every value, in two or three iterations instead of six or more.
        bounds = np.unique(np.linspace(0, lx.size, _COARSE_GROUPS + 1).astype(np.intp))[:-1]
        cn = np.add.reduceat(n, bounds)
        coarse = _newton(np.add.reduceat(n * lx, bounds) / cn, cn, np.add.reduceat(s, bounds), start)
        if coarse.converged:
            start = coarse.beta
    fit = _newton(lx, n, s, start)
    if not fit.converged:
        return undefined(f"calibration slope undefined: no convergence in {_MAX_ITER} iterations", fit.iterations)
    info = _information(n * fit.mu * (1.0 - fit.mu), lx)
    det = info[0, 0] * info[1, 1] - info[0, 1] ** 2
    if not det > 0.0:
        return undefined("calibration slope undefined: singular information matrix", fit.iterations)
    se_a, se_b = np.sqrt(np.array([info[1, 1], info[0, 0]]) / det)  # diagonal of the inverse
    z = NormalDist().inv_cdf(0.5 + level / 2.0)
    a, b = float(fit.beta[0]), float(fit.beta[1])
    return CalibrationSlope(
        n=total,
        slope=b,
        intercept=a,
        slope_ci=(b - z * float(se_b), b + z * float(se_b)),
        intercept_ci=(a - z * float(se_a), a + z * float(se_a)),
        level=level,
        iterations=fit.iterations,
    )


_MAX_ITER = 100
_COARSE_GROUPS = 4096
#: Newton converges quadratically: after a step of relative size delta the error is O(delta^2),
#: so stopping once a step is below 1e-8 leaves the estimates accurate to about 1e-16.
_STEP_TOL = 1e-8


@dataclass(frozen=True, eq=False)
class _NewtonFit:
    beta: np.ndarray
    mu: np.ndarray
    iterations: int
    converged: bool


def _newton(lx: np.ndarray, n: np.ndarray, s: np.ndarray, beta: np.ndarray) -> _NewtonFit:
    """Maximize the binomial log likelihood of s events in n trials, logit(mu) = a + b lx (step halving)."""

    def evaluate(beta: np.ndarray) -> tuple[float, np.ndarray]:
        eta = beta[0] + beta[1] * lx
        e = np.exp(-np.abs(eta))  # overflow-free logistic and log(1 + exp(eta))
        loglik = float(s @ eta - n @ (np.maximum(eta, 0.0) + np.log1p(e)))
        mu = np.where(eta >= 0.0, 1.0, e) / (1.0 + e)
        return loglik, mu

    loglik, mu = evaluate(beta)
    for iteration in range(1, _MAX_ITER + 1):
        resid = s - n * mu
        gradient = np.array([resid.sum(), resid @ lx])
        try:
            step = np.linalg.solve(_information(n * mu * (1.0 - mu), lx), gradient)
        except np.linalg.LinAlgError:
            return _NewtonFit(beta, mu, iteration, False)
        t = 1.0
        while True:
            candidate = beta + t * step
            new_loglik, new_mu = evaluate(candidate)
            if new_loglik >= loglik - 1e-12 * abs(loglik) or t < 1e-12:
                break
            t *= 0.5
        beta, loglik, mu = candidate, new_loglik, new_mu
        if not np.all(np.isfinite(beta)):
            return _NewtonFit(beta, mu, iteration, False)
        if np.max(np.abs(t * step)) < _STEP_TOL * (1.0 + np.max(np.abs(beta))):
            return _NewtonFit(beta, mu, iteration, True)
    return _NewtonFit(beta, mu, _MAX_ITER, False)


def _information(w: np.ndarray, lx: np.ndarray) -> np.ndarray:
    wx = w @ lx
    return np.array([[w.sum(), wx], [wx, w @ (lx * lx)]])


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
