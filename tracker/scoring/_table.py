"""The grouped form of binary forecasts that the binary statistics are computed from.

Human forecasters use few distinct probabilities (0.1, 0.25, 0.7...), and every
statistic of binary forecasts used here depends on the data only through, for
each distinct forecast value x, the number of forecasts n_x and the number of
events s_x. Grouping once (one sort of p) and computing on that table is what
keeps the full summary fast on a million forecasts; quantities several
statistics share (sums, logs, bins) are computed once and cached on the table.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

#: Default clipping of the log score: forecasts are moved into [LOG_EPS, 1 - LOG_EPS].
LOG_EPS = 1e-15


def dot(a: np.ndarray, b: np.ndarray) -> float:
    """Inner product of two long vectors, without BLAS.

    ``a @ b`` calls BLAS ddot, which OpenBLAS may spread over threads; on a
    busy machine the thread hand-off can cost a hundred times the arithmetic.
    einsum's own single-threaded loop is slower on an idle machine by a
    fraction of a millisecond per million values, and steady.
    """
    return float(np.einsum("i,i->", a, b))


@dataclass(frozen=True, eq=False)
class Table:
    """Distinct forecast values ``x`` (ascending), with counts ``n`` and events ``s`` (float64)."""

    x: np.ndarray
    n: np.ndarray
    s: np.ndarray

    @cached_property
    def total(self) -> float:
        return float(self.n.sum())

    @cached_property
    def events(self) -> float:
        return float(self.s.sum())

    @cached_property
    def base_rate(self) -> float:
        return self.events / self.total

    @cached_property
    def _products(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        nx = self.n * self.x
        return nx, nx * self.x, self.s * self.x

    @property
    def nx(self) -> np.ndarray:
        """``n_x x`` per distinct value: the sum of the forecasts sharing that value."""
        return self._products[0]

    @property
    def nx2(self) -> np.ndarray:
        """``n_x x^2`` per distinct value."""
        return self._products[1]

    @property
    def sx(self) -> np.ndarray:
        """``s_x x`` per distinct value: the sum of ``y p`` over the forecasts sharing that value."""
        return self._products[2]

    @cached_property
    def sum_nx(self) -> float:
        """Sum of all forecasts."""
        return float(self.nx.sum())

    @cached_property
    def sum_nx2(self) -> float:
        """Sum of all squared forecasts."""
        return float(self.nx2.sum())

    @cached_property
    def sum_sx(self) -> float:
        """Sum of the forecasts of events."""
        return float(self.sx.sum())

    @cached_property
    def brier(self) -> float:
        """Mean 0-1 Brier score of the forecasts x: ``(sum p^2 - 2 sum y p + sum y) / N``."""
        return (self.sum_nx2 - 2.0 * self.sum_sx + self.events) / self.total

    def brier_of(self, f: np.ndarray) -> float:
        """Mean 0-1 Brier score of forecasts ``f`` (one per distinct value) against these outcomes.

        ``(1/N) sum_x [n_x f_x^2 - 2 s_x f_x + s_x]``, which is
        ``(1/N) sum_i (f_i - y_i)^2`` expanded with ``y^2 = y``.
        """
        return (dot(self.n, np.square(f)) - 2.0 * dot(self.s, f) + self.events) / self.total

    @cached_property
    def _logs(self) -> tuple[np.ndarray, np.ndarray]:
        return self._log_terms(LOG_EPS)

    def log_terms(self, eps: float) -> tuple[np.ndarray, np.ndarray]:
        """``ln(clip(x, eps, 1 - eps))`` and ``ln(clip(1 - x, eps, 1 - eps))`` (cached for the default eps).

        The log probabilities a forecast x gives to the event and to the
        non-event, each clipped the same way so 0 and 1 are treated alike.
        """
        return self._logs if eps == LOG_EPS else self._log_terms(eps)

    def _log_terms(self, eps: float) -> tuple[np.ndarray, np.ndarray]:
        log_q = np.clip(self.x, eps, 1.0 - eps)
        log_1mq = np.subtract(1.0, self.x)
        np.clip(log_1mq, eps, 1.0 - eps, out=log_1mq)
        return np.log(log_q, out=log_q), np.log(log_1mq, out=log_1mq)

    def bin_bounds(self, bins: int) -> np.ndarray:
        """Where each equal-width bin starts and ends in ``x``: bin j is ``x[b[j]:b[j+1]]``.

        Bin j holds ``j/bins <= x < (j+1)/bins`` (the last bin also holds 1),
        the edges being the floating-point numbers ``j / bins``: the same
        assignment as :func:`bin_index`.
        """
        inner = np.searchsorted(self.x, np.arange(1, bins) / bins, side="left")
        return np.concatenate(([0], inner, [self.x.size]))

    def bin_sums(self, bins: int) -> BinSums:
        """Per equal-width bin: counts and sums of p, p^2, y and y p (x is sorted: bins are runs)."""
        bounds = self.bin_bounds(bins)
        nonempty = bounds[1:] > bounds[:-1]
        starts = bounds[:-1][nonempty]  # each non-empty bin ends where the next non-empty one starts

        def per_bin(values: np.ndarray) -> np.ndarray:
            out = np.zeros(bins)
            out[nonempty] = np.add.reduceat(values, starts)
            return out

        return BinSums(
            count=per_bin(self.n),
            sum_p=per_bin(self.nx),
            sum_p2=per_bin(self.nx2),
            events=per_bin(self.s),
            sum_yp=per_bin(self.sx),
        )

    def clipped(self, eps: float) -> int:
        """How many forecasts give what happened a probability outside [eps, 1 - eps].

        The test is the one :func:`log_scores` makes on each row (``x`` for an
        event, ``1 - x`` for a non-event); since x is sorted, only a prefix
        (x <= eps) and a suffix (x >= 1 - eps) can pass it, so only they are
        examined.
        """
        low = int(np.searchsorted(self.x, eps, side="right"))
        high = max(low, int(np.searchsorted(self.x, 1.0 - eps, side="left")))
        count = 0.0
        for part in (slice(0, low), slice(high, None)):
            x, n, s = self.x[part], self.n[part], self.s[part]
            event_clipped = (x < eps) | (x > 1.0 - eps)
            one_minus = 1.0 - x
            non_event_clipped = (one_minus < eps) | (one_minus > 1.0 - eps)
            count += s[event_clipped].sum() + (n - s)[non_event_clipped].sum()
        return int(count)


@dataclass(frozen=True, eq=False)
class BinSums:
    """Sums over the forecasts in each equal-width bin (arrays of length ``bins``)."""

    count: np.ndarray
    sum_p: np.ndarray
    sum_p2: np.ndarray
    events: np.ndarray
    sum_yp: np.ndarray


def bin_index(x: np.ndarray, bins: int) -> np.ndarray:
    """Equal-width bin of each forecast (any order): ``min(floor(x * bins), bins - 1)``.

    Bins are ``[j/bins, (j+1)/bins)`` for j < bins - 1 and the last bin is
    closed at 1. The edges are the floating-point numbers ``j / bins``: where
    the float product ``x * bins`` rounds across an integer, the floor is
    corrected by comparing x with the edges (e.g. ``0.57 * 100`` is
    56.99999999999999 in floating point, yet 0.57 belongs to the bin starting
    at 0.57 for 100 bins).
    """
    j = (x * bins).astype(np.intp)  # floor, as x >= 0
    np.minimum(j, bins - 1, out=j)
    edges = np.arange(bins + 1) / bins
    edges[bins] = np.inf  # the last bin is closed at 1
    j += x >= edges[j + 1]
    j -= x < edges[j]
    return j


def tabulate(p: np.ndarray, y: np.ndarray) -> Table:
    """Group validated forecasts ``p`` (float64 in [0, 1]) and outcomes ``y`` (bool) by value of p.

    One integer sort does it: for non-negative floats the IEEE-754 bit pattern
    read as int64 orders like the float, so ``bits << 1 | y`` sorts by p with
    the events last among equal p. (The shift also drops the sign bit, so
    -0.0 groups with 0.0.) Counts and event counts then come from integer
    differences, exactly, with no argsort or inverse index.
    """
    keys = np.ascontiguousarray(p, dtype=np.float64).view(np.int64) << 1
    keys |= y
    keys.sort()
    event = keys & 1
    keys >>= 1  # back to the bits of p
    first = np.empty(keys.size, dtype=bool)
    first[0] = True
    np.not_equal(keys[1:], keys[:-1], out=first[1:])
    if np.count_nonzero(first) == keys.size:  # every forecast distinct (model output): nothing to group
        return Table(x=keys.view(np.float64), n=np.ones(keys.size), s=event.astype(np.float64))
    bounds = np.append(np.flatnonzero(first), keys.size)
    starts = bounds[:-1]
    events_before = np.concatenate(([0], np.cumsum(event)))[bounds]
    return Table(
        x=keys[starts].view(np.float64),
        n=np.diff(bounds).astype(np.float64),
        s=np.diff(events_before).astype(np.float64),
    )


def pav(y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted isotonic (non-decreasing) regression by pool-adjacent-violators.

    Minimizes sum_i w_i (y_i - f_i)^2 subject to f_1 <= ... <= f_m, for values
    ``y`` already in the order of the covariate and positive weights ``w``, and
    returns ``f``. Ties in the covariate must be pooled by the caller (one
    entry per distinct value, weighted by its count), as CORP requires.

    Up to ``PAV_NUMPY_MAX`` values (forecasts people write: whole percents,
    a few hundred distinct values) :func:`pav_numpy`, which takes
    microseconds and spares the command importing ``scipy.optimize`` (about
    a third of a second); beyond, ``scipy.optimize.isotonic_regression``
    (compiled PAV, scipy >= 1.12) when present. The tests check that the two
    agree.
    """
    if np.size(y) <= PAV_NUMPY_MAX:
        return pav_numpy(y, w)
    try:
        from scipy.optimize import isotonic_regression
    except ImportError:  # scipy < 1.12
        return pav_numpy(y, w)
    return isotonic_regression(y, weights=w, increasing=True).x


PAV_NUMPY_MAX = 5000


def pav_numpy(y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted PAV in numpy; same contract as :func:`pav`.

    Pooling any pair of adjacent violators is a valid PAV step and the result
    does not depend on the order of the steps, so each vectorized pass pools
    every maximal strictly decreasing run of block means into one block at
    once. Realistic data settle in a few dozen passes, each cheaper than the
    last; once a pass pools less than 1/8 of the blocks (few blocks left, or
    an adversarial ordering), the remaining blocks are finished by the classic
    stack-based PAV, which is O(m).
    """
    y = np.asarray(y, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    sums = np.column_stack((w, w * y))
    first = np.arange(y.size)  # index of each block's first element
    value = y
    while value.size > 1:
        violates = value[:-1] > value[1:]
        if not violates.any():
            break
        starts = np.flatnonzero(np.concatenate(([True], ~violates)))
        if 8 * starts.size > 7 * value.size:
            value, first = _pav_stack(sums[:, 0], sums[:, 1], first)
            break
        sums = np.add.reduceat(sums, starts, axis=0)
        first = first[starts]
        value = sums[:, 1] / sums[:, 0]
    return np.repeat(value, np.diff(np.append(first, y.size)))


def _pav_stack(sw: np.ndarray, swy: np.ndarray, first: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Stack PAV over blocks given by weight sums, weighted sums and first indices."""
    out_w: list[float] = []
    out_wy: list[float] = []
    out_first: list[int] = []
    for w_i, wy_i, first_i in zip(sw.tolist(), swy.tolist(), first.tolist()):
        while out_w and out_wy[-1] * w_i > wy_i * out_w[-1]:  # previous mean > this mean
            w_i += out_w.pop()
            wy_i += out_wy.pop()
            first_i = out_first.pop()
        out_w.append(w_i)
        out_wy.append(wy_i)
        out_first.append(first_i)
    return np.array(out_wy) / np.array(out_w), np.array(out_first, dtype=np.intp)
