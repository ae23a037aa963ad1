"""Logistic recalibration fitted out of sample: "when you say 70%, it happened 82% of the time".

The model (linear in log-odds, as in Mandel and Barnes 2014)::

    logit P(y = 1 | p) = alpha + beta * logit(p)

with p clipped into [CLIP, 1 - CLIP] = [0.01, 0.99] first (the count is
reported). beta < 1: the stated numbers are too extreme (overconfident);
beta > 1: too timid (underconfident). Fitted by maximum likelihood
(Newton-Raphson on the distinct forecast values).

Out of sample: the rows are grouped in clusters (questions; default each
row its own); with at most ``MAX_LOO_CLUSTERS`` clusters each is left out in
turn (leave-one-question-out), above that ``FOLDS`` folds of whole clusters
(assigned by a seeded permutation). Every row is recalibrated by the fit
that did not see its cluster; ``brier_oos`` is the Brier score of those
recalibrated numbers, beside ``brier`` of the numbers as stated.

Intervals: for the curve at a stated probability x, sigmoid(eta +- z se)
with eta = alpha + beta logit(x) and se from the cluster-robust
(sandwich) covariance of (alpha, beta), so forecasts on one question count
as one piece of evidence.

Reference: Mandel, D. R. and Barnes, A. (2014), Accuracy of forecasts in
strategic intelligence, PNAS 111(30):10984-10989 (1,514 forecasts;
analysts underconfident; recalibration improved their Brier score).
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist
from typing import Optional

import numpy as np

from . import _validation as v
from ._results import Result
from .aggregate import CLIP, clipped_logit
from .calibration import _newton

MAX_LOO_CLUSTERS = 200
FOLDS = 10
#: Fewest rows a recalibration is fitted on (with both outcomes present).
MIN_ROWS = 10
POINTS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


@dataclass(frozen=True)
class CurvePoint(Result):
    """When the stated probability was ``stated``, it happened ``happened`` of the time (interval ``low``-``high``)."""

    stated: float
    happened: float
    low: float
    high: float


@dataclass(frozen=True)
class Recalibration(Result):
    """A logistic recalibration; None fields (with ``notes``) when it cannot be fitted."""

    n: int
    n_clusters: int
    n_clipped: int
    intercept: Optional[float]
    slope: Optional[float]
    slope_ci: Optional[tuple]
    level: float
    cv: Optional[str]
    brier: float
    brier_oos: Optional[float]
    curve: tuple
    oos_p: Optional[np.ndarray]
    notes: tuple


def _separated(lx: np.ndarray, n: np.ndarray, s: np.ndarray) -> bool:
    """True when the forecasts separate events from non-events (no finite maximum likelihood)."""
    ev = lx[s > 0]
    non = lx[(n - s) > 0]
    return bool(ev.min() > non.max() or ev.max() < non.min())


def _fit(lx: np.ndarray, n: np.ndarray, s: np.ndarray) -> Optional[np.ndarray]:
    keep = n > 0
    lx, n, s = lx[keep], n[keep], s[keep]
    total, events = n.sum(), s.sum()
    if total < MIN_ROWS or events <= 0 or events >= total or lx.size < 2:
        return None
    if _separated(lx, n, s):
        return None
    fit = _newton(lx, n, s, np.zeros(2))
    if not fit.converged or not np.all(np.isfinite(fit.beta)):
        return None
    return fit.beta


def recalibrate(p, y, *, clusters=None, points=POINTS, level: float = 0.95, seed: Optional[int] = 42) -> Recalibration:
    """Fit the recalibration on all rows (for the curve and the slope) and out of sample (for ``brier_oos``).

    ``clusters``: one label per row (e.g. the question id); rows sharing one
    are left out together and count as one in the intervals."""
    p = v.probabilities(p, "p")
    y = v.outcomes(y, "y")
    v.same_length(("p", p), ("y", y))
    level = v.level(level)
    pts = v.probabilities(points, "points")
    if clusters is None:
        cl = np.arange(p.size)
    else:
        _, cl = np.unique(np.asarray(clusters).astype(str), return_inverse=True)
        if cl.size != p.size:
            raise ValueError(f"clusters: expected {p.size} labels, got {cl.size}")
    n_cl = int(cl.max()) + 1
    lx, n_clipped = clipped_logit(p)
    keys, key = np.unique(lx, return_inverse=True)
    yf = y.astype(np.float64)
    n_all = np.bincount(key, minlength=keys.size).astype(np.float64)
    s_all = np.bincount(key, weights=yf, minlength=keys.size)
    brier = float(np.mean((p - yf) ** 2))
    notes = []
    if n_clipped:
        notes.append(f"{n_clipped} forecast(s) clipped into [{CLIP}, {1 - CLIP}] before the log-odds")
    beta = _fit(keys, n_all, s_all)
    if beta is None:
        notes.append(f"cannot recalibrate: needs at least {MIN_ROWS} forecasts with both outcomes, and forecasts that "
                     "do not separate events from non-events perfectly")
        return Recalibration(int(p.size), n_cl, n_clipped, None, None, None, level, None, brier, None, (), None, tuple(notes))
    a, b = float(beta[0]), float(beta[1])
    # cluster-robust covariance
    eta = a + b * lx
    pi = 0.5 * (1.0 + np.tanh(0.5 * eta))
    w = pi * (1.0 - pi)
    H = np.array([[w.sum(), w @ lx], [w @ lx, w @ (lx * lx)]])
    r = yf - pi
    U = np.stack([np.bincount(cl, weights=r, minlength=n_cl), np.bincount(cl, weights=r * lx, minlength=n_cl)], axis=1)
    z = NormalDist().inv_cdf(0.5 + level / 2.0)
    try:
        Hi = np.linalg.inv(H)
        V = Hi @ (U.T @ U) @ Hi
    except np.linalg.LinAlgError:
        V = None
    slope_ci = None
    curve = []
    x_pts, _ = clipped_logit(pts)
    for stated, xp in zip(pts.tolist(), x_pts.tolist()):
        e = a + b * xp
        if V is not None:
            se = float(np.sqrt(max(0.0, V[0, 0] + 2 * xp * V[0, 1] + xp * xp * V[1, 1])))
            lo, hi = e - z * se, e + z * se
        else:
            lo = hi = e
        sig = lambda t: float(0.5 * (1.0 + np.tanh(0.5 * t)))  # noqa: E731
        curve.append(CurvePoint(stated, sig(e), sig(lo), sig(hi)))
    if V is not None:
        se_b = float(np.sqrt(max(0.0, V[1, 1])))
        slope_ci = (b - z * se_b, b + z * se_b)
    # out of sample
    if n_cl <= MAX_LOO_CLUSTERS:
        fold = cl
        n_folds = n_cl
        cv = "leave-one-question-out" if clusters is not None else "leave-one-out"
    else:
        perm = np.random.default_rng(seed).permutation(n_cl)
        fold = perm[cl] % FOLDS
        n_folds = FOLDS
        cv = f"{FOLDS}-fold by question" if clusters is not None else f"{FOLDS}-fold"
    oos = np.empty(p.size)
    failed = 0
    order = np.argsort(fold, kind="stable")
    bounds = np.searchsorted(fold[order], np.arange(n_folds + 1))
    for f in range(n_folds):
        rows = order[bounds[f] : bounds[f + 1]]
        if rows.size == 0:
            continue
        nk = n_all - np.bincount(key[rows], minlength=keys.size)
        sk = s_all - np.bincount(key[rows], weights=yf[rows], minlength=keys.size)
        bf = _fit(keys, nk, sk)
        if bf is None:
            oos[rows] = p[rows]
            failed += rows.size
        else:
            oos[rows] = 0.5 * (1.0 + np.tanh(0.5 * (bf[0] + bf[1] * lx[rows])))
    if failed:
        notes.append(f"{failed} forecast(s) kept as stated out of sample: their training folds were too small to fit")
    return Recalibration(
        n=int(p.size), n_clusters=n_cl, n_clipped=n_clipped, intercept=a, slope=b, slope_ci=slope_ci, level=level,
        cv=cv, brier=brier, brier_oos=float(np.mean((oos - yf) ** 2)), curve=tuple(curve), oos_p=oos, notes=tuple(notes),
    )


def realized_frequency(y, *, level: float = 0.95) -> tuple[float, float, float]:
    """Share of events with its Wilson score interval: (frequency, low, high)."""
    y = v.outcomes(y, "y")
    level = v.level(level)
    n = y.size
    k = float(y.sum())
    z = NormalDist().inv_cdf(0.5 + level / 2.0)
    phat = k / n
    den = 1.0 + z * z / n
    centre = (phat + z * z / (2 * n)) / den
    half = z * np.sqrt(phat * (1 - phat) / n + z * z / (4 * n * n)) / den
    return phat, float(max(0.0, centre - half)), float(min(1.0, centre + half))
