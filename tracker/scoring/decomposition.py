"""Decompositions of the binary Brier score: Murphy (binned, exact form) and CORP (isotonic).

All terms are on the 0-1 Brier scale.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import _validation as v
from ._results import Result, frozen_array
from ._table import Table, pav, tabulate


# ------------------------------------------------------------------------- Murphy


@dataclass(frozen=True)
class MurphyDecomposition(Result):
    """Binned decomposition of the 0-1 Brier score (Stephenson et al. 2008).

    ``brier = reliability - resolution + uncertainty + within_bin_variance - within_bin_covariance``.
    """

    n: int
    bins: int
    brier: float
    reliability: float
    resolution: float
    uncertainty: float
    within_bin_variance: float
    within_bin_covariance: float


def murphy_decomposition(p, y, *, bins: int = 10) -> MurphyDecomposition:
    """Murphy's decomposition of the 0-1 Brier score with the two within-bin terms.

    With equal-width bins k on [0, 1] (bin k holds ``k/bins <= p < (k+1)/bins``
    by comparison with the floating-point edges ``k / bins``, the last bin
    also holding 1; not ``floor(p * bins)``, which puts 0.3 with bins=10 in
    bin 2 because 0.3 * 10 = 2.9999999999999996), n_k forecasts in bin k with mean forecast pbar_k and
    event frequency obar_k, and overall frequency obar::

        REL = (1/n) sum_k n_k (pbar_k - obar_k)^2                    reliability
        RES = (1/n) sum_k n_k (obar_k - obar)^2                      resolution
        UNC = obar (1 - obar)                                         uncertainty
        WBV = (1/n) sum_k sum_{i in k} (p_i - pbar_k)^2               within-bin variance
        WBC = (2/n) sum_k sum_{i in k} (o_i - obar_k)(p_i - pbar_k)   within-bin covariance
        BS  = REL - RES + UNC + WBV - WBC

    which holds exactly for any binning (Murphy's three-term form is exact
    only when each bin holds one forecast value).

    Reference: Stephenson, D. B., Coelho, C. A. S. and Jolliffe, I. T. (2008),
    Two extra components in the Brier score decomposition, Weather and
    Forecasting 23:752-757; Murphy, A. H. (1973), A new vector partition of the
    probability score, J. Applied Meteorology 12:595-600.
    """
    p = v.probabilities(p)
    y = v.outcomes(y)
    v.same_length(("p", p), ("y", y))
    bins = v.positive_int(bins, "bins")
    return _murphy(tabulate(p, y), bins)


def _murphy(table: Table, bins: int) -> MurphyDecomposition:
    # Per-bin sums of p, p^2, y and y p give every term (x is sorted, so each bin is a run of it):
    #   sum_{i in k} (p_i - pbar_k)^2                = sum p^2 - n_k pbar_k^2
    #   sum_{i in k} (o_i - obar_k)(p_i - pbar_k)    = sum y p - n_k obar_k pbar_k
    b = table.bin_sums(bins)
    total = table.total
    nonempty = b.count > 0
    pbar = np.divide(b.sum_p, b.count, out=np.zeros(bins), where=nonempty)
    obar_k = np.divide(b.events, b.count, out=np.zeros(bins), where=nonempty)
    obar = table.base_rate
    within_variance = np.maximum(b.sum_p2 - b.count * pbar * pbar, 0.0)  # >= 0 but for rounding
    within_covariance = b.sum_yp - b.count * obar_k * pbar
    return MurphyDecomposition(
        n=int(total),
        bins=bins,
        brier=table.brier,
        reliability=float(b.count @ np.square(pbar - obar_k) / total),
        resolution=float(b.count @ np.square(obar_k - obar) / total),
        uncertainty=obar * (1.0 - obar),
        within_bin_variance=float(within_variance.sum() / total),
        within_bin_covariance=float(2.0 * within_covariance.sum() / total),
    )


# --------------------------------------------------------------------------- CORP


@dataclass(frozen=True, eq=False)
class CorpDecomposition(Result):
    """CORP decomposition ``brier = mcb - dsc + unc`` and the isotonic reliability curve.

    ``x``: distinct forecast values (ascending); ``fitted``: the recalibrated
    forecast (isotonic conditional event probability) at each; ``count``: how
    many forecasts had each value.
    """

    n: int
    brier: float
    mcb: float
    dsc: float
    unc: float
    x: np.ndarray
    fitted: np.ndarray
    count: np.ndarray


def corp_decomposition(p, y) -> CorpDecomposition:
    """CORP decomposition of the 0-1 Brier score: miscalibration, discrimination, uncertainty.

    The recalibrated forecast ``p_hat`` is the isotonic (non-decreasing)
    regression of y on p, fitted by pool-adjacent-violators with all forecasts
    of the same value in one block from the start (each distinct value enters
    PAV once, with its event frequency, weighted by its count). Then::

        MCB = BS(p) - BS(p_hat)          miscalibration, >= 0
        DSC = BS(obar) - BS(p_hat)       discrimination, >= 0
        UNC = BS(obar) = obar (1 - obar) uncertainty
        BS(p) = MCB - DSC + UNC

    Rounding noise that would make MCB or DSC a hair below zero is reported as 0.

    Reference: Dimitriadis, T., Gneiting, T. and Jordan, A. I. (2021), Stable
    reliability diagrams for probabilistic classifiers, PNAS 118(8)
    e2016191118 (R package reliabilitydiag).
    """
    p = v.probabilities(p)
    y = v.outcomes(y)
    v.same_length(("p", p), ("y", y))
    return _corp(tabulate(p, y))


def _corp(table: Table) -> CorpDecomposition:
    fitted = pav(table.s / table.n, table.n)
    brier = table.brier
    recal = table.brier_of(fitted)
    obar = table.base_rate
    unc = obar * (1.0 - obar)
    return CorpDecomposition(
        n=int(table.total),
        brier=brier,
        mcb=max(brier - recal, 0.0),
        dsc=max(unc - recal, 0.0),
        unc=unc,
        x=frozen_array(table.x),
        fitted=frozen_array(fitted),
        count=frozen_array(table.n.astype(np.int64), np.int64),
    )
