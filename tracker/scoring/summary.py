"""Every binary summary statistic in one call: the ``tracker score --json`` contract."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _validation as v
from ._table import LOG_EPS, Table, tabulate
from .calibration import (
    MIN_FOR_TESTS,
    CalibrationSlope,
    SpiegelhalterTest,
    _brier_skill,
    _calibration_slope,
    _spiegelhalter,
    cluster_robust_slope,
)
from .intervals import group_interval
from .decomposition import _corp, _murphy
from .scores import _log_score_from_table


def summarize(
    p,
    y,
    *,
    bins: int = 10,
    scale: str = "0-1",
    bootstrap: bool = True,
    n_resamples: int = 2000,
    seed: int | None = 42,
    questions=None,
) -> dict[str, Any]:
    """Score binary forecasts with the full set of statistics, as plain JSON-ready data.

    Returns a dict with exactly these keys (None where undefined, and a line
    in ``notes`` saying why)::

        n                  number of forecasts
        brier              mean Brier score on ``brier_scale``
        brier_scale        "0-1" ((p - y)^2) or "0-2" (2 (p - y)^2, Good Judgment)
        log_score          mean -ln(prob. of what happened), natural log, lower is better
        log_score_clipped  forecasts clipped to [1e-15, 1 - 1e-15] for the log score
        base_rate          fraction of events
        brier_skill        1 - BS / (base_rate (1 - base_rate))
        brier_ci           [low, high] 95% interval of the mean Brier (on
                           brier_scale) by :func:`group_interval`: the
                           studentized bootstrap resampling questions (with
                           ``questions``, the question id of each forecast;
                           without, each forecast is its own question), its
                           normal limit where resampling cannot move it;
                           below 10 questions no interval (a note says why);
                           None if bootstrap=False
        brier_ci_method    how brier_ci was computed (a key of
                           ``tracker.scoring.intervals.METHODS``), or None
        murphy             {bins, reliability, resolution, uncertainty,
                            within_bin_variance, within_bin_covariance}   (0-1 scale)
        corp               {mcb, dsc, unc}                                 (0-1 scale)
        spiegelhalter      {z, p_value}      (None below MIN_FOR_TESTS = 10 forecasts)
        calibration        {slope, intercept, slope_ci, p_value, n_clipped,
                            slope_ci_method}
                           (logistic recalibration; p_value tests slope = 1;
                           n_clipped forecasts were clipped to [0.005, 0.995];
                           None below MIN_FOR_TESTS forecasts). With
                           ``questions`` and several forecasts on a question,
                           slope_ci and p_value are cluster-robust by question
                           (slope_ci_method "cluster-jackknife", see
                           :func:`cluster_robust_slope`), else "wald"
        notes              list of strings

    Under ``scale="0-2"`` only ``brier`` and ``brier_ci`` are doubled; the
    decomposition terms stay on the 0-1 scale (a note says so), and
    ``brier_skill`` is scale-free.

    The forecasts are grouped once by distinct value (one sort); every
    statistic is then computed from that table, so the cost beyond the sort
    grows with the number of distinct forecast values, not with n. So does
    the bootstrap's, up to the point where most Brier scores are distinct
    (model output rather than human forecasts): it then resamples all n
    scores, O(n_resamples x n), about 30 s for a million; pass
    ``bootstrap=False`` or fewer ``n_resamples`` there. See
    :func:`murphy_decomposition`, :func:`corp_decomposition`,
    :func:`spiegelhalter_z`, :func:`calibration_slope`,
    :func:`brier_skill_score`, :func:`log_score` and :func:`bootstrap_ci` for
    the formulas and references; their results agree with these numbers.
    """
    p = v.probabilities(p)
    y = v.outcomes(y)
    v.same_length(("p", p), ("y", y))
    bins = v.positive_int(bins, "bins")
    scale = v.scale(scale)
    n_resamples = v.positive_int(n_resamples, "n_resamples")
    table = tabulate(p, y)
    factor = 2.0 if scale == "0-2" else 1.0
    notes: list[str] = []

    log_mean, n_clipped = _log_score_from_table(table, LOG_EPS)
    if n_clipped:
        notes.append(f"log score: {n_clipped} forecasts of (nearly) 0 or 1 clipped to [1e-15, 1 - 1e-15]")
    skill = _brier_skill(table)
    murphy = _murphy(table, bins)
    corp = _corp(table)
    n = int(table.total)
    if n < MIN_FOR_TESTS:
        spiegelhalter = SpiegelhalterTest(n, None, None)
        calibration = CalibrationSlope(n, None, None, None, None, 0.95, 0, None)
        notes.append(f"{n} forecast{'s' if n != 1 else ''}: fewer than {MIN_FOR_TESTS}, no Spiegelhalter test and "
                     "no calibration slope")
    else:
        spiegelhalter = _spiegelhalter(table)
        calibration = _calibration_slope(table, 0.95)
        if questions is not None:  # forecasts sharing a question share its outcome: cluster-robust interval
            calibration = cluster_robust_slope(calibration, p, y, v.id_array(questions, "questions"))
    for reason in (skill.reason, spiegelhalter.reason, calibration.reason):
        if reason:
            notes.append(reason)
    if calibration.n_clipped:
        notes.append(f"calibration slope: {calibration.n_clipped} forecasts below 0.5% or above 99.5% clipped "
                     "to [0.005, 0.995]")

    brier_ci = None
    brier_ci_method = None
    if bootstrap:
        scores = factor * np.square(p - y)
        gi = group_interval(scores, np.arange(n) if questions is None else questions,
                            n_resamples=n_resamples, seed=seed)
        if gi.low is not None:
            brier_ci, brier_ci_method = [gi.low, gi.high], gi.method
        else:
            notes.append(f"brier_ci: {gi.reason}")
    else:
        notes.append("brier_ci not computed (bootstrap=False)")
    if scale == "0-2":
        notes.append("brier and brier_ci are on the 0-2 scale; murphy and corp terms are on the 0-1 scale")

    return {
        "n": int(table.total),
        "brier": factor * table.brier,
        "brier_scale": scale,
        "log_score": log_mean,
        "log_score_clipped": n_clipped,
        "base_rate": table.base_rate,
        "brier_skill": skill.skill,
        "brier_ci": brier_ci,
        "brier_ci_method": brier_ci_method,
        "murphy": {
            "bins": murphy.bins,
            "reliability": murphy.reliability,
            "resolution": murphy.resolution,
            "uncertainty": murphy.uncertainty,
            "within_bin_variance": murphy.within_bin_variance,
            "within_bin_covariance": murphy.within_bin_covariance,
        },
        "corp": {"mcb": corp.mcb, "dsc": corp.dsc, "unc": corp.unc},
        "spiegelhalter": {"z": spiegelhalter.z, "p_value": spiegelhalter.p_value},
        "calibration": {
            "slope": calibration.slope,
            "intercept": calibration.intercept,
            "slope_ci": list(calibration.slope_ci) if calibration.slope_ci else None,
            "p_value": calibration.p_value,
            "n_clipped": calibration.n_clipped,
            "slope_ci_method": calibration.ci_method,
        },
        "notes": notes,
    }
