"""The grouped form of binary forecasts that every binary statistic is computed from.

Human forecasters use few distinct probabilities (0.1, 0.25, 0.7...), and every
statistic of binary forecasts used here depends on the data only through, for
each distinct forecast value x, the number of forecasts n and the number of
events s. Grouping once (one sort of p) and computing on that table is what
keeps the full summary fast on a million forecasts.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np


@dataclass(frozen=True, eq=False)
class Table:
    """Distinct forecast values ``x`` (ascending), with counts ``n`` and events ``s`` (float64).

    Quantities several statistics need are computed once and cached.
    """

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
    def brier(self) -> float:
        """Mean 0-1 Brier score: ``(1/n) sum_x [s_x (1 - x)^2 + (n_x - s_x) x^2]``."""
        return self.brier_of(self.x)

    def brier_of(self, f: np.ndarray) -> float:
        """Mean 0-1 Brier score of forecasts ``f`` (one per distinct value) against these outcomes."""
        return float((self.s @ np.square(1.0 - f) + (self.n - self.s) @ np.square(f)) / self.total)

    def bin_bounds(self, bins: int) -> np.ndarray:
        """Where each equal-width bin starts and ends in ``x``: bin j is ``x[b[j]:b[j+1]]``.

        Bin j holds ``j/bins <= x < (j+1)/bins`` (the last bin also holds 1),
        with the edges the floating-point numbers ``j / bins``, the same
        assignment as :func:`tracker.scoring.decomposition.bin_index`.
        """
        inner = np.searchsorted(self.x, np.arange(1, bins) / bins, side="left")
        return np.concatenate(([0], inner, [self.x.size]))

    def bin_sums(self, values: np.ndarray, bounds: np.ndarray) -> np.ndarray:
        """Sum of ``values`` (one per distinct x) within each bin given by ``bounds``; 0 for empty bins."""
        out = np.zeros(bounds.size - 1)
        nonempty = bounds[1:] > bounds[:-1]
        # the end of each non-empty bin is the start of the next non-empty one, as reduceat needs
        out[nonempty] = np.add.reduceat(values, bounds[:-1][nonempty])
        return out


def tabulate(p: np.ndarray, y: np.ndarray) -> Table:
    """Group validated forecasts ``p`` (float64 in [0, 1]) and outcomes ``y`` (bool) by value of p.

    One integer sort does it: for non-negative floats the IEEE-754 bit pattern
    read as int64 orders like the float, so ``bits << 1 | y`` sorts by p with
    the events last among equal p. Counts and event counts then come from
    integer differences (exact), with no argsort or inverse index.
    """
    keys = np.ascontiguousarray(p + 0.0).view(np.int64) << 1  # "+ 0.0" turns -0.0 into 0.0
    keys |= y
    keys.sort()
    values = keys >> 1
    first = np.empty(keys.size, dtype=bool)
    first[0] = True
    np.not_equal(values[1:], values[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    bounds = np.append(starts, keys.size)
    events_before = np.concatenate(([0], np.cumsum(keys & 1)))[bounds]
    return Table(
        x=values[starts].view(np.float64),
        n=np.diff(bounds).astype(np.float64),
        s=np.diff(events_before).astype(np.float64),
    )


def pav(y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted isotonic (non-decreasing) regression by pool-adjacent-violators.

    Minimizes sum_i w_i (y_i - f_i)^2 subject to f_1 <= ... <= f_m, for values
    ``y`` already in the order of the covariate and positive weights ``w``, and
    returns ``f``. Ties in the covariate must be pooled by the caller (one
    entry per distinct value, weighted by its count), as CORP requires.

    Uses ``scipy.optimize.isotonic_regression`` (compiled PAV, scipy >= 1.12)
    when present and :func:`pav_numpy` otherwise; the tests check that the two
    agree.
    """
    try:
        from scipy.optimize import isotonic_regression
    except ImportError:  # scipy < 1.12
        return pav_numpy(y, w)
    return isotonic_regression(y, weights=w, increasing=True).x


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
    sums = np.column_stack((np.asarray(w, dtype=np.float64), np.asarray(w, dtype=np.float64) * y))
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
