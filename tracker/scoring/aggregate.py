"""The team's combined forecast: aggregates of several analysts' forecasts,
and the extremizing factor fitted out of sample (numpy only).

Methods, for the standing binary forecasts ``p_1..p_n`` of n analysts on a
question at a moment (weights ``w_i``, all 1 unless recency is asked for):

* ``mean``:       sum w_i p_i / sum w_i
* ``median``:     the (weighted) median of the p_i; with equal weights
                  numpy's median (the two middle values averaged)
* ``logodds``:    sigmoid(mean_w logit(p_i))
* ``extremized``: sigmoid(a * mean_w logit(p_i)), a the extremizing factor;
                  a = 1 is ``logodds``, a > 1 pushes away from 0.5

Categorical forecasts (rows of probabilities over K outcomes) combine by
the normalized geometric mean with the same factor:
``q_k proportional to exp(a * mean_w log p_ik)``; for K = 2 it equals the
extremized log-odds mean.

Clip: logit and log of 0 and 1 are infinite, so the log-odds and geometric
methods first move probabilities into ``[CLIP, 1 - CLIP]`` = [0.01, 0.99]
(logit +-4.6) and report how many were moved (``n_clipped``); ``mean`` and
``median`` use the probabilities as given.

Recency (:func:`recency_weights`): a forecast older than ``horizon`` counts
not at all; with ``half_life`` it counts ``0.5 ** (age / half_life)``.

The extremizing factor is fitted on resolved questions by minimizing the
Brier score of ``sigmoid(a * m_q)`` (m_q a question's mean log-odds, y_q its
outcome) over a grid of a from ``A_MIN`` to ``A_MAX``, refined by a
parabola through the best grid point and its neighbours. Out of sample
(:func:`fit_extremizing`): leave-one-question-out (each question scored with
the factor fitted on all the others) or time-ordered (each question scored
with the factor fitted on the questions whose outcome was known before its
forecast was made); with fewer than ``MIN_QUESTIONS`` training questions
the factor is ``DEFAULT_FACTOR`` (1: no extremizing without evidence) and a
note says so.

References: Baron, J., Mellers, B. A., Tetlock, P. E., Stone, E. and Ungar,
L. H. (2014), Two reasons to make aggregated probability forecasts more
extreme, Decision Analysis 11(2):133-145; Satopää, V. A., Baron, J.,
Foster, D. P., Mellers, B. A., Tetlock, P. E. and Ungar, L. H. (2014),
Combining multiple probability predictions using a simple logit model,
International Journal of Forecasting 30(2):344-356.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np

from . import _validation as v
from ._results import Result

METHODS = ("mean", "median", "logodds", "extremized")
CV_KINDS = ("loo", "time")
#: Probabilities are clipped into [CLIP, 1 - CLIP] before log-odds and logs.
CLIP = 0.01
#: The factor used when there are too few resolved questions to fit one.
DEFAULT_FACTOR = 1.0
#: Fewest resolved questions a factor is fitted on.
MIN_QUESTIONS = 10
#: The grid the factor is searched on.
A_MIN, A_MAX, A_STEP = 0.2, 6.0, 0.02
#: Questions up to which the factor's interval is a bootstrap over questions;
#: above it, the (question-clustered) sandwich normal interval.
BOOTSTRAP_MAX_QUESTIONS = 2000
_CHUNK_CELLS = 1 << 21


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(x, dtype=np.float64)))


def clipped_logit(p, clip: float = CLIP) -> tuple[np.ndarray, int]:
    """``logit(clip(p, clip, 1 - clip))`` and how many values were moved."""
    p = np.asarray(p, dtype=np.float64)
    c = np.clip(p, clip, 1.0 - clip)
    return np.log(c) - np.log1p(-c), int(np.count_nonzero(c != p))


def _check_clip(clip) -> float:
    clip = v.finite_number(clip, "clip")
    if not 0.0 < clip < 0.5:
        raise ValueError(f"clip: expected a number in (0, 0.5), got {clip!r}")
    return clip


def _check_method(method: str) -> str:
    if method not in METHODS:
        raise ValueError(f"method: expected one of {', '.join(METHODS)}, got {method!r}")
    return method


def _check_factor(factor) -> float:
    factor = v.finite_number(factor, "factor")
    if factor <= 0:
        raise ValueError(f"factor: expected a positive number, got {factor!r}")
    return factor


def _check_weights(weights, n: int) -> np.ndarray:
    if weights is None:
        return np.ones(n)
    w = v.as_float_array(weights, "weights")
    if w.size != n:
        raise ValueError(f"weights: expected {n} values, got {w.size}")
    if (w < 0).any():
        raise ValueError("weights: expected values >= 0")
    if not (w > 0).any():
        raise ValueError("weights: every weight is 0 (no forecast counts)")
    return w


@dataclass(frozen=True)
class Aggregate(Result):
    """One aggregate: ``value`` (binary: the probability of yes; categorical:
    the vector), from ``n`` forecasts (``n_weighted`` with weight > 0),
    ``n_clipped`` of them moved into [clip, 1 - clip] (log-odds methods)."""

    value: object
    method: str
    factor: float
    n: int
    n_weighted: int
    n_clipped: int


def weighted_median(x: np.ndarray, w: np.ndarray) -> float:
    """The point where the weighted distribution of ``x`` crosses one half;
    where a cumulative weight equals exactly half, the midpoint of the two
    values (so equal weights give numpy's median)."""
    order = np.argsort(x, kind="stable")
    xs, ws = x[order], w[order]
    keep = ws > 0
    xs, ws = xs[keep], ws[keep]
    cum = np.cumsum(ws)
    half = 0.5 * cum[-1]
    i = int(np.searchsorted(cum, half - 1e-12 * cum[-1], side="left"))
    if abs(cum[i] - half) <= 1e-12 * cum[-1] and i + 1 < xs.size:
        return float(0.5 * (xs[i] + xs[i + 1]))
    return float(xs[i])


def aggregate(p, *, method: str = "logodds", factor: float = 1.0, weights=None, clip: float = CLIP) -> Aggregate:
    """Combine the binary forecasts ``p`` (one per analyst) into one (see the module docstring).

    ``factor`` is used by ``extremized`` only (``logodds`` is factor 1);
    ``weights`` (e.g. :func:`recency_weights`) default to 1."""
    p = v.probabilities(p, "p")
    method = _check_method(method)
    factor = _check_factor(factor) if method == "extremized" else 1.0
    clip = _check_clip(clip)
    w = _check_weights(weights, p.size)
    n_w = int(np.count_nonzero(w > 0))
    if method == "mean":
        return Aggregate(float(w @ p / w.sum()), method, 1.0, p.size, n_w, 0)
    if method == "median":
        return Aggregate(weighted_median(p, w), method, 1.0, p.size, n_w, 0)
    lx, clipped = clipped_logit(p, clip)
    clipped = int(np.count_nonzero((w > 0) & (np.clip(p, clip, 1 - clip) != p)))
    value = float(_sigmoid(factor * (w @ lx) / w.sum()))
    return Aggregate(value, method, factor, p.size, n_w, clipped)


def aggregate_categorical(P, *, factor: float = 1.0, weights=None, clip: float = CLIP) -> Aggregate:
    """Normalized geometric mean of categorical forecasts ``P`` (n analysts x K outcomes):
    ``q_k = exp(a mean_w log p_ik) / sum_j exp(a mean_w log p_ij)``, each p
    clipped into [clip, 1 - clip] first (counted per forecast row)."""
    P = v.probability_matrix(P, "P")
    factor = _check_factor(factor)
    clip = _check_clip(clip)
    w = _check_weights(weights, P.shape[0])
    C = np.clip(P, clip, 1.0 - clip)
    moved = (C != P).any(axis=1) & (w > 0)
    z = factor * (w @ np.log(C)) / w.sum()
    z -= z.max()
    q = np.exp(z)
    q /= q.sum()
    return Aggregate(q, "geometric", factor, P.shape[0], int(np.count_nonzero(w > 0)), int(np.count_nonzero(moved)))


def recency_weights(ages, *, horizon: Optional[float] = None, half_life: Optional[float] = None) -> np.ndarray:
    """Weights from the forecasts' ages (any unit; ``horizon`` and
    ``half_life`` in the same unit): 0 for a forecast older than
    ``horizon``; otherwise ``0.5 ** (age / half_life)`` (1 without a half-life)."""
    ages = v.as_float_array(ages, "ages")
    if (ages < 0).any():
        raise ValueError("ages: expected values >= 0 (a forecast from the future?)")
    w = np.ones(ages.size)
    if half_life is not None:
        half_life = v.finite_number(half_life, "half_life")
        if half_life <= 0:
            raise ValueError("half_life: expected a positive number")
        w = 0.5 ** (ages / half_life)
    if horizon is not None:
        horizon = v.finite_number(horizon, "horizon")
        if horizon <= 0:
            raise ValueError("horizon: expected a positive number")
        w = np.where(ages > horizon, 0.0, w)
    return w


def aggregate_groups(group, p, *, method: str = "logodds", factor=1.0, clip: float = CLIP) -> tuple[np.ndarray, np.ndarray, int]:
    """:func:`aggregate` of many groups at once, equal weights.

    ``group`` holds non-negative integer codes (0..G-1, any order) and ``p``
    the forecasts; ``factor`` a number or one per group. Returns the
    aggregate per group (NaN for a code with no forecast), the count per
    group and the number of clipped forecasts."""
    g = np.asarray(group, dtype=np.int64)
    p = v.probabilities(p, "p")
    if g.shape != p.shape:
        raise ValueError(f"group and p: lengths differ ({g.size} and {p.size})")
    if (g < 0).any():
        raise ValueError("group: expected codes >= 0")
    method = _check_method(method)
    clip = _check_clip(clip)
    n_groups = int(g.max()) + 1
    counts = np.bincount(g, minlength=n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        if method == "mean":
            return np.bincount(g, weights=p, minlength=n_groups) / counts, counts, 0
        if method == "median":
            order = np.lexsort((p, g))
            ps = p[order]
            starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
            lo = starts + (counts - 1) // 2
            hi = starts + counts // 2
            out = np.full(n_groups, np.nan)
            has = counts > 0
            out[has] = 0.5 * (ps[lo[has]] + ps[hi[has]])
            return out, counts, 0
        lx, clipped = clipped_logit(p, clip)
        m = np.bincount(g, weights=lx, minlength=n_groups) / counts
    a = 1.0 if method == "logodds" else np.asarray(factor, dtype=np.float64)
    return _sigmoid(a * m), counts, clipped


# ---------------------------------------------------------------- fitting a


def factor_grid() -> np.ndarray:
    return np.round(np.arange(A_MIN, A_MAX + A_STEP / 2, A_STEP), 10)


def _loss_rows(m: np.ndarray, y: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Brier score of sigmoid(a m_q) against y_q: questions x grid."""
    return (_sigmoid(np.outer(m, grid)) - y[:, None]) ** 2


def _refine(total: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Argmin of each row of ``total`` on ``grid``, refined by the parabola
    through the best point and its neighbours (kept within them)."""
    total = np.atleast_2d(total)
    j = np.argmin(total, axis=1)
    a = grid[j].astype(np.float64)
    inner = (j > 0) & (j < grid.size - 1)
    if inner.any():
        r = np.flatnonzero(inner)
        jj = j[r]
        f0, f1, f2 = total[r, jj - 1], total[r, jj], total[r, jj + 1]
        den = f0 - 2.0 * f1 + f2
        with np.errstate(invalid="ignore", divide="ignore"):
            shift = np.where(den > 0, 0.5 * (f0 - f2) / den, 0.0)
        a[r] = grid[jj] + np.clip(shift, -1.0, 1.0) * (grid[1] - grid[0])
    return a


def _chunks(n: int, width: int):
    step = max(1, _CHUNK_CELLS // max(1, width))
    for start in range(0, n, step):
        yield slice(start, min(n, start + step))


def _total_loss(m, y, grid):
    total = np.zeros(grid.size)
    for s in _chunks(m.size, grid.size):
        total += _loss_rows(m[s], y[s], grid).sum(axis=0)
    return total


#: Above this many questions the grid is searched coarse (every 5th point) then fine around the best coarse point.
COARSE_ABOVE = 2000
#: Half-width (grid steps) of the window around the fitted factor in which leave-one-out fits are searched
#: above COARSE_ABOVE questions; a fit at the window's edge is searched again on the whole grid.
LOO_WINDOW = 10


def _fit_total(m: np.ndarray, y: np.ndarray, grid: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """The in-sample fit: (factor, the grid searched last, the total loss on it)."""
    if m.size > COARSE_ABOVE:
        coarse = grid[::5]
        jc = int(np.argmin(_total_loss(m, y, coarse)))
        lo, hi = coarse[max(0, jc - 1)], coarse[min(coarse.size - 1, jc + 1)]
        grid = grid[(grid >= lo - 1e-9) & (grid <= hi + 1e-9)]
    total = _total_loss(m, y, grid)
    return float(_refine(total, grid)[0]), grid, total


def fit_factor(mean_logit, y) -> float:
    """The factor minimizing the mean Brier score of ``sigmoid(a m)`` over
    all the questions given (in sample; see :func:`fit_extremizing`)."""
    m = v.as_float_array(mean_logit, "mean_logit")
    y = v.outcomes(y, "y").astype(np.float64)
    v.same_length(("mean_logit", m), ("y", y))
    return _fit_total(m, y, factor_grid())[0]


def _loo_factors(m: np.ndarray, y: np.ndarray, grid: np.ndarray, factor: float) -> np.ndarray:
    """Each question's factor fitted on all the others. Up to COARSE_ABOVE
    questions on the whole grid; above, in a window of LOO_WINDOW steps
    around ``factor`` (one question moves the fit by O(1/n)), and again on
    the whole grid for any fit that lands on the window's edge."""
    n = m.size
    out = np.empty(n)
    if n > COARSE_ABOVE:
        j = int(np.argmin(np.abs(grid - factor)))
        window = grid[max(0, j - LOO_WINDOW) : j + LOO_WINDOW + 1]
    else:
        window = grid
    total = _total_loss(m, y, window)
    for s in _chunks(n, window.size):
        out[s] = _refine(total[None, :] - _loss_rows(m[s], y[s], window), window)
    if window.size < grid.size:
        edge = ((out <= window[0] + 1e-12) & (window[0] > grid[0])) | ((out >= window[-1] - 1e-12) & (window[-1] < grid[-1]))
        if edge.any():
            total_all = _total_loss(m, y, grid)
            rows = np.flatnonzero(edge)
            for s in _chunks(rows.size, grid.size):
                r = rows[s]
                out[r] = _refine(total_all[None, :] - _loss_rows(m[r], y[r], grid), grid)
    return out


@dataclass(frozen=True)
class ExtremizingFit(Result):
    """The extremizing factor fitted on resolved questions.

    ``factor``: fitted on all ``n_questions`` (the one to use on open
    questions), with its ``level`` interval ``[low, high]`` (percentile
    bootstrap over questions, or the question-clustered sandwich normal
    interval above ``BOOTSTRAP_MAX_QUESTIONS``; ``interval`` says which).
    ``oos_factor``: per question, the factor it is scored with out of
    sample (``cv`` "loo" or "time"; ``DEFAULT_FACTOR`` where the training
    set is smaller than ``MIN_QUESTIONS``: ``n_default`` of them).
    ``oos_p``: the out-of-sample extremized aggregate per question;
    ``brier_oos`` its mean Brier score (0-1), ``brier_in_sample`` the score
    with ``factor`` everywhere, ``brier_logodds`` with factor 1."""

    factor: float
    low: Optional[float]
    high: Optional[float]
    level: float
    interval: Optional[str]
    n_questions: int
    cv: str
    oos_factor: np.ndarray
    oos_p: np.ndarray
    brier_oos: float
    brier_in_sample: float
    brier_logodds: float
    n_default: int
    at_bound: bool
    notes: tuple


def fit_extremizing(
    mean_logit,
    y,
    *,
    cv: str = "loo",
    known=None,
    asof=None,
    min_questions: int = MIN_QUESTIONS,
    default: float = DEFAULT_FACTOR,
    level: float = 0.95,
    n_resamples: int = 1000,
    seed: Optional[int] = 42,
) -> ExtremizingFit:
    """Fit the extremizing factor and score it out of sample.

    ``mean_logit[q]``: question q's mean log-odds (clipped, see
    :func:`clipped_logit`); ``y[q]`` its outcome. ``cv="loo"``: question q
    is scored with the factor fitted on every other question. ``cv="time"``:
    with the factor fitted on the questions whose outcome was known
    (``known``) strictly before q's forecast was made (``asof``; same units,
    e.g. epoch seconds). A training set of fewer than ``min_questions``
    gives ``default`` (counted in ``n_default``). The factor minimizes the
    Brier score on the grid ``A_MIN..A_MAX`` (step ``A_STEP``), refined by a
    parabola; a factor at the edge of the grid is flagged ``at_bound``.
    """
    m = v.as_float_array(mean_logit, "mean_logit")
    y = v.outcomes(y, "y").astype(np.float64)
    v.same_length(("mean_logit", m), ("y", y))
    if cv not in CV_KINDS:
        raise ValueError(f"cv: expected one of {', '.join(CV_KINDS)}, got {cv!r}")
    min_questions = v.positive_int(min_questions, "min_questions")
    default = _check_factor(default)
    level = v.level(level)
    n = m.size
    grid = factor_grid()
    notes = []
    factor = _fit_total(m, y, grid)[0] if n >= min_questions else default
    at_bound = n >= min_questions and (factor <= A_MIN + 1e-9 or factor >= A_MAX - 1e-9)
    if at_bound:
        notes.append(f"the fitted factor is at the edge of the searched range {A_MIN}-{A_MAX}")
    oos = np.full(n, default)
    if cv == "loo":
        if n - 1 >= min_questions:
            oos = _loo_factors(m, y, grid, factor)
    else:
        if known is None or asof is None:
            raise ValueError("cv='time' needs known (when each outcome became known) and asof (when each forecast was made)")
        known = v.as_float_array(known, "known")
        asof = v.as_float_array(asof, "asof")
        v.same_length(("mean_logit", m), ("known", known), ("asof", asof))
        order = np.argsort(known, kind="stable")
        ks = known[order]
        # the factor fitted on the first k questions in order of known, k = 0..n
        prefix = np.full(n + 1, np.nan)
        carry = np.zeros(grid.size)
        done = 0
        for s in _chunks(n, grid.size):
            idx = order[s]
            cum = carry + np.cumsum(_loss_rows(m[idx], y[idx], grid), axis=0)
            prefix[done + 1 : done + 1 + cum.shape[0]] = _refine(cum, grid)
            carry = cum[-1]
            done += cum.shape[0]
        k = np.searchsorted(ks, asof, side="left")  # questions known strictly before asof
        enough = k >= min_questions
        oos[enough] = prefix[k[enough]]
        if (known[np.arange(n)] < asof).any():
            notes.append("some questions' outcomes were known before their own forecasts (they train on themselves)")
    if cv == "loo":
        n_default = n if n - 1 < min_questions else 0
    else:
        n_default = int(np.count_nonzero(~enough))
    if n < min_questions:
        notes.append(f"only {n} resolved question(s): fewer than {min_questions}, so the factor is the default "
                     f"{default:g} (no extremizing without the team's own evidence)")
    elif n_default:
        notes.append(f"{n_default} question(s) had fewer than {min_questions} earlier resolved questions to fit on "
                     f"and used the default factor {default:g}")
    oos_p = _sigmoid(oos * m)
    low = high = None
    kind = None
    if n >= min_questions:
        low, high, kind = _factor_interval(m, y, grid, factor, level, n_resamples, seed)
    return ExtremizingFit(
        factor=factor, low=low, high=high, level=level, interval=kind, n_questions=int(n), cv=cv,
        oos_factor=oos, oos_p=oos_p, brier_oos=float(np.mean((oos_p - y) ** 2)) if n else float("nan"),
        brier_in_sample=float(np.mean((_sigmoid(factor * m) - y) ** 2)) if n else float("nan"),
        brier_logodds=float(np.mean((_sigmoid(m) - y) ** 2)) if n else float("nan"),
        n_default=n_default, at_bound=bool(at_bound), notes=tuple(notes),
    )


def _factor_interval(m, y, grid, factor, level, n_resamples, seed):
    n = m.size
    tail = (1.0 - level) / 2.0
    if n <= BOOTSTRAP_MAX_QUESTIONS:
        rng = np.random.default_rng(seed)
        loss = _loss_rows(m, y, grid)
        est = []
        step = max(1, _CHUNK_CELLS // max(n, grid.size))
        for start in range(0, n_resamples, step):
            b = min(step, n_resamples - start)
            counts = rng.multinomial(n, np.full(n, 1.0 / n), size=b).astype(np.float64)
            est.append(_refine(counts @ loss, grid))
        est = np.concatenate(est)
        return float(np.quantile(est, tail)), float(np.quantile(est, 1.0 - tail)), "bootstrap over questions"
    # sandwich: var = sum g_q^2 / H^2 at the fitted factor (one question, one cluster)
    from statistics import NormalDist

    s = _sigmoid(factor * m)
    d = s * (1.0 - s)
    g = 2.0 * (s - y) * d * m
    h = 2.0 * m * m * (d * d + (s - y) * d * (1.0 - 2.0 * s))
    H = h.sum()
    if H <= 0:
        return None, None, None
    se = float(np.sqrt((g * g).sum()) / H)
    z = NormalDist().inv_cdf(1.0 - tail)
    return factor - z * se, factor + z * se, "normal (question-clustered sandwich)"
