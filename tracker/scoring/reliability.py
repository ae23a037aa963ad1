"""Reliability diagrams as data: binned (with Wilson intervals) and CORP (isotonic, with a consistency band)."""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from . import _validation as v
from ._results import Result, frozen_array
from ._table import Table, bin_index, pav, tabulate

#: Rows per block when binning: small enough for the temporaries to stay in cache.
_BLOCK = 1 << 16


@dataclass(frozen=True)
class ReliabilityBin(Result):
    """One bin of a binned reliability diagram; statistics are None when ``count`` is 0."""

    lower: float
    upper: float
    count: int
    mean_forecast: float | None
    observed_frequency: float | None
    wilson_low: float | None
    wilson_high: float | None


@dataclass(frozen=True)
class ReliabilityBinned(Result):
    """All ``bins`` equal-width bins in order, empty ones included; ``level`` of the Wilson intervals."""

    n: int
    level: float
    bins: tuple[ReliabilityBin, ...]


def reliability_binned(p, y, *, bins: int = 10, level: float = 0.95) -> ReliabilityBinned:
    """Binned reliability diagram: per equal-width bin, mean forecast, event frequency and a Wilson interval.

    Bins are ``[j/bins, (j+1)/bins)`` with the last closed at 1 (bin index
    ``min(floor(p * bins), bins - 1)``). Every bin is reported, in order; an
    empty bin has ``count`` 0 and None for its statistics.

    The Wilson score interval for the event frequency ``phat`` of a bin with
    ``n`` forecasts, with ``z`` the normal quantile for ``level`` (1.96 for 95%)::

        (phat + z^2/(2n) -+ z sqrt(phat (1 - phat)/n + z^2/(4n^2))) / (1 + z^2/n)

    Difference from scikit-learn's ``calibration_curve(strategy="uniform")``
    (>= 1.3): it uses right-closed bins ``(j/bins, (j+1)/bins]`` (first bin
    closed at 0), so a forecast exactly on an interior edge (0.1, 0.2... for
    10 bins) lands one bin lower there; both put p = 0 in the first bin and
    p = 1 in the last. scikit-learn also drops empty bins.

    References: Wilson, E. B. (1927), Probable inference, the law of
    succession, and statistical inference, JASA 22:209-212; Bröcker, J. and
    Smith, L. A. (2007), Increasing the reliability of reliability diagrams,
    Weather and Forecasting 22:651-661.
    """
    p = v.probabilities(p)
    y = v.outcomes(y)
    v.same_length(("p", p), ("y", y))
    bins = v.positive_int(bins, "bins")
    level = v.level(level)
    # No sort needed: bin index and three bincounts per block of rows (blocks keep the
    # temporaries in cache).
    count = np.zeros(bins)
    sum_p = np.zeros(bins)
    sum_y = np.zeros(bins)
    for start in range(0, p.size, _BLOCK):
        x = p[start : start + _BLOCK]
        j = bin_index(x, bins)
        count += np.bincount(j, minlength=bins)
        sum_p += np.bincount(j, weights=x, minlength=bins)
        sum_y += np.bincount(j, weights=y[start : start + _BLOCK], minlength=bins)
    return _reliability_binned(count, sum_p, sum_y, level)


def _reliability_binned(count: np.ndarray, sum_p: np.ndarray, sum_y: np.ndarray, level: float) -> ReliabilityBinned:
    """Binned diagram from per-bin counts, forecast sums and event counts."""
    bins = count.size
    low, high = _wilson(sum_y, count, level)
    out = []
    for j in range(bins):
        c = int(count[j])
        out.append(
            ReliabilityBin(
                lower=j / bins,
                upper=(j + 1) / bins,
                count=c,
                mean_forecast=float(sum_p[j] / c) if c else None,
                observed_frequency=float(sum_y[j] / c) if c else None,
                wilson_low=float(low[j]) if c else None,
                wilson_high=float(high[j]) if c else None,
            )
        )
    return ReliabilityBinned(n=int(count.sum()), level=level, bins=tuple(out))


def _wilson(events: np.ndarray, count: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval per entry (NaN where count is 0), clamped to [0, 1]
    and to contain the observed rate ``events / count``."""
    z = NormalDist().inv_cdf(0.5 + level / 2.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        phat = events / count
        denom = 1.0 + z * z / count
        center = (phat + z * z / (2.0 * count)) / denom
        half = z * np.sqrt(phat * (1.0 - phat) / count + z * z / (4.0 * count * count)) / denom
        # the bounds contain the observed rate: with 0 or n events the
        # rounding of center -+ half can land one step past it
        low = np.fmin(np.clip(center - half, 0.0, 1.0), phat)
        high = np.fmax(np.clip(center + half, 0.0, 1.0), phat)
    return low, high


#: Largest (distinct values x resamples) held by :func:`reliability_corp` (50M cells, 400 MB).
MAX_BAND_CELLS = 50_000_000


@dataclass(frozen=True, eq=False)
class ReliabilityCorp(Result):
    """CORP reliability curve with a pointwise consistency band under calibration.

    Per distinct forecast value ``x`` (ascending): ``fitted`` (isotonic
    conditional event probability), ``count``, and the band ``lower``/``upper``.
    """

    n: int
    x: np.ndarray
    fitted: np.ndarray
    count: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    level: float
    n_resamples: int
    seed: int | None


def reliability_corp(p, y, *, n_resamples: int = 1000, level: float = 0.9, seed: int | None = 42) -> ReliabilityCorp:
    """CORP reliability diagram: isotonic curve plus a resampling consistency band.

    The curve is the PAV isotonic regression of y on p with tied forecasts
    pooled (see :func:`corp_decomposition`). The band shows how far such a
    curve strays from the diagonal for a *calibrated* forecaster with these
    same forecasts: ``n_resamples`` times, draw outcomes ``y*_i ~ Bernoulli(p_i)``
    and refit the isotonic curve; the band at each distinct x is the pair of
    pointwise quantiles ``(1 -+ level)/2`` (numpy's default linear
    interpolation, R's type 7) of the refitted values. Where the observed
    curve leaves the band, calibration is doubtful at that forecast value.

    Drawing y* per forecast and summing over ties is the same as one
    Binomial(n_x, x) draw per distinct value, which is what is done; each
    refit is a PAV over the distinct values only. A fixed ``seed`` makes the
    band reproducible.

    Difference from reliabilitydiag's "resampling" band (region.position
    "diagonal"): reliabilitydiag also resamples the forecasts themselves
    with replacement before drawing outcomes; here the forecasts are held
    fixed (the band is conditional on the forecasts actually issued).

    The refitted curves are held in memory (8 bytes x distinct values x
    resamples); beyond ``MAX_BAND_CELLS`` cells a ``ValueError`` asks for
    rounded forecasts or fewer resamples instead of exhausting memory.

    Reference: Dimitriadis, Gneiting and Jordan (2021), PNAS 118(8)
    e2016191118, section on consistency bands; Bröcker and Smith (2007),
    Weather and Forecasting 22:651-661.
    """
    p = v.probabilities(p)
    y = v.outcomes(y)
    v.same_length(("p", p), ("y", y))
    n_resamples = v.positive_int(n_resamples, "n_resamples")
    level = v.level(level)
    table = tabulate(p, y)
    if table.x.size * n_resamples > MAX_BAND_CELLS:
        raise ValueError(
            f"reliability_corp: {table.x.size} distinct forecast values x {n_resamples} resamples is too many"
            f" to hold (limit {MAX_BAND_CELLS:,} cells); round the forecasts (e.g. to 3 decimals) or lower n_resamples"
        )
    return _reliability_corp(table, n_resamples, level, seed)


def _reliability_corp(table: Table, n_resamples: int, level: float, seed: int | None) -> ReliabilityCorp:
    rng = np.random.default_rng(seed)
    counts = table.n.astype(np.int64)
    refits = np.empty((n_resamples, table.x.size))
    chunk = max(1, min(n_resamples, 2**20 // table.x.size))
    for start in range(0, n_resamples, chunk):
        stop = min(start + chunk, n_resamples)
        events = rng.binomial(counts, table.x, size=(stop - start, table.x.size))
        for row, s in enumerate(events, start):
            refits[row] = pav(s / table.n, table.n)
    lower, upper = np.quantile(refits, [0.5 - level / 2.0, 0.5 + level / 2.0], axis=0)
    return ReliabilityCorp(
        n=int(table.total),
        x=frozen_array(table.x),
        fitted=frozen_array(pav(table.s / table.n, table.n)),
        count=frozen_array(counts, np.int64),
        lower=frozen_array(lower),
        upper=frozen_array(upper),
        level=level,
        n_resamples=n_resamples,
        seed=seed,
    )
