"""Spiegelhalter's Z, logistic recalibration (slope and intercept), Brier skill score."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tracker.scoring import brier_skill_score, calibration_slope, spiegelhalter_z

# ------------------------------------------------------------------- Spiegelhalter


def test_spiegelhalter_hand_computed():
    p = [0.2, 0.7, 0.9]
    y = [0, 1, 0]
    # numerator:   (0-.2)(1-.4) + (1-.7)(1-1.4) + (0-.9)(1-1.8) = -.12 - .12 + .72 = .48
    # variance:    .6^2 (.2)(.8) + .4^2 (.7)(.3) + .8^2 (.9)(.1) = .0576 + .0336 + .0576 = .1488
    result = spiegelhalter_z(p, y)
    z = 0.48 / math.sqrt(0.1488)
    assert result.z == pytest.approx(z)  # 1.2443...
    assert result.p_value == pytest.approx(math.erfc(z / math.sqrt(2)))  # two-sided
    assert result.reason is None and result.n == 3


def test_spiegelhalter_undefined_when_every_forecast_is_0_half_or_1():
    result = spiegelhalter_z([0.0, 0.5, 1.0, 0.5], [0, 1, 1, 0])
    assert result.z is None and result.p_value is None
    assert "every forecast is 0, 0.5 or 1" in result.reason


def test_spiegelhalter_calibrated_vs_overconfident():
    rng = np.random.default_rng(11)
    q = rng.uniform(0.05, 0.95, 20000)
    y = rng.random(q.size) < q
    assert abs(spiegelhalter_z(q, y).z) < 4
    extreme = np.clip(0.5 + 1.8 * (q - 0.5), 0.01, 0.99)  # same ranking, too confident
    assert spiegelhalter_z(extreme, y).z > 10


# ------------------------------------------------------------ logistic recalibration


def _logit(p):
    # the reference fits use the same clip as calibration_slope: 0.5%, the resolution analysts state
    # (it was 1e-6, which let one confident miss dominate the slope; issue "honest statistics", item 7)
    q = np.clip(p, 0.005, 1 - 0.005)
    return np.log(q / (1 - q))


def test_calibration_slope_matches_an_independent_fit(solar):
    linear_model = pytest.importorskip("sklearn.linear_model")
    for name in ("DAFFS", "MCSTAT", "NOAA", "ASSA"):
        p, y = solar[name], solar["y"]
        result = calibration_slope(p, y)
        model = linear_model.LogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000)
        model.fit(_logit(p)[:, None], y)
        assert result.slope == pytest.approx(model.coef_[0, 0], abs=1e-5)
        assert result.intercept == pytest.approx(model.intercept_[0], abs=1e-5)


def test_calibration_slope_wald_intervals():
    rng = np.random.default_rng(5)
    q = rng.uniform(0.05, 0.95, 3000)
    y = (rng.random(q.size) < q).astype(float)
    result = calibration_slope(np.round(q, 2), y)
    # the inverse of the information matrix X'WX at the estimate, computed directly on the rows
    x = _logit(np.round(q, 2))
    mu = 1 / (1 + np.exp(-(result.intercept + result.slope * x)))
    X = np.column_stack([np.ones_like(x), x])
    cov = np.linalg.inv(X.T @ (X * (mu * (1 - mu))[:, None]))
    from scipy.stats import t as student

    z = student.ppf(0.975, q.size - 2)  # Student t on n - 2 degrees of freedom (1.9608 here; normal 1.9600)
    half = z * math.sqrt(cov[1, 1])
    assert result.slope_ci == pytest.approx((result.slope - half, result.slope + half))
    half = z * math.sqrt(cov[0, 0])
    assert result.intercept_ci == pytest.approx((result.intercept - half, result.intercept + half))
    assert result.slope_ci[0] < 1 < result.slope_ci[1]  # calibrated forecasts: slope 1 inside


def test_slope_below_one_means_overconfident():
    rng = np.random.default_rng(2)
    truth = rng.uniform(0.02, 0.98, 50_000)
    y = rng.random(truth.size) < truth
    logit = np.log(truth / (1 - truth))
    overconfident = 1 / (1 + np.exp(-2 * logit))  # logits doubled
    underconfident = 1 / (1 + np.exp(-0.5 * logit))
    assert calibration_slope(overconfident, y).slope == pytest.approx(0.5, abs=0.03)
    assert calibration_slope(underconfident, y).slope == pytest.approx(2.0, abs=0.1)
    assert calibration_slope(truth, y).slope == pytest.approx(1.0, abs=0.05)


def test_calibration_slope_many_distinct_values_uses_the_full_data():
    """Above 4096 distinct forecasts the fit starts from a coarsened table; the answer is the full MLE."""
    linear_model = pytest.importorskip("sklearn.linear_model")
    rng = np.random.default_rng(9)
    p = rng.uniform(0.01, 0.99, 20_000)
    y = rng.random(p.size) < 0.5 + 0.6 * (p - 0.5)
    result = calibration_slope(p, y)
    model = linear_model.LogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000).fit(_logit(p)[:, None], y)
    assert result.slope == pytest.approx(model.coef_[0, 0], abs=1e-6)
    assert result.intercept == pytest.approx(model.intercept_[0], abs=1e-6)


@pytest.mark.parametrize(
    ("p", "y", "reason"),
    [
        ([0.2, 0.4, 0.6], [1, 1, 1], "only one outcome class"),
        ([0.3, 0.3, 0.3, 0.3], [0, 1, 0, 1], "fewer than two distinct forecast values"),
        ([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1], "separate events from non-events"),
        ([0.1, 0.2, 0.8, 0.9], [1, 1, 0, 0], "separate events from non-events"),
        ([0.1, 0.5, 0.5, 0.9], [0, 0, 1, 1], "separate events from non-events"),  # quasi-complete
    ],
)
def test_calibration_slope_undefined(p, y, reason):
    result = calibration_slope(p, y)
    assert result.slope is None and result.intercept is None and result.slope_ci is None
    assert reason in result.reason
    assert result.as_dict()["slope"] is None


def test_calibration_slope_handles_exact_zero_and_one(solar):
    result = calibration_slope(solar["NICT"], solar["y"])  # only 0 and 1: clipped logits -+13.8
    assert result.slope is not None and 0 < result.slope < 1  # far too confident


# ------------------------------------------------------------------------ skill score


def test_brier_skill_hand_computed():
    p = [0.1, 0.2, 0.3, 0.4, 0.6, 0.7, 0.8, 0.9]
    y = [0, 0, 1, 0, 1, 0, 1, 1]
    result = brier_skill_score(p, y)
    assert result.base_rate == 0.5 and result.reference == 0.25
    assert result.brier == pytest.approx(0.175)
    assert result.skill == pytest.approx(1 - 0.175 / 0.25)


def test_brier_skill_of_climatology_is_zero():
    y = np.array([0, 0, 1, 0])
    assert brier_skill_score(np.full(4, 0.25), y).skill == pytest.approx(0.0, abs=1e-15)


@pytest.mark.parametrize("y", [[0, 0, 0], [1, 1, 1]])
def test_brier_skill_undefined_for_a_constant_outcome(y):
    result = brier_skill_score([0.2, 0.5, 0.9], y)
    assert result.skill is None
    assert "base rate is 0 or 1" in result.reason


@pytest.mark.parametrize(
    "slope, ci, expected",
    [
        (0.4, (0.2, 0.7), "overconfident"),
        (1.8, (1.2, 2.5), "underconfident"),
        (1.0, (0.85, 1.2), "calibrated"),  # the whole interval inside the margin [0.8, 1.25]
        (1.0, (0.8, 1.3), "no evidence either way"),  # contains 1 but also a slope of 1.3
        (1.0, (0.1, 4.0), "no evidence either way"),
        # the example: once called "calibrated", yet the interval also allows no skill at all
        (0.85, (-0.07, 1.76), "no evidence either way"),
        (0.92, (0.88, 0.96), "calibrated"),  # significant, but practically negligible: inside the margin
        (None, None, "too little data"),
    ],
)
def test_slope_verdict(slope, ci, expected):
    from tracker.scoring import slope_verdict

    assert slope_verdict(slope, ci) == expected


def test_slope_verdict_uses_the_holm_adjusted_p_value():
    from tracker.scoring import holm, slope_verdict
    from tracker.scoring.calibration import slope_p_value

    ci = (0.45, 0.95)  # excludes 1 on its own
    p = slope_p_value(0.7, ci)
    assert p == pytest.approx(2 * (1 - 0.990663), abs=1e-5)  # z = 0.3 / (0.5 / 3.919928) = 2.35196
    assert slope_verdict(0.7, ci) == "overconfident"
    # shown beside four other analysts with larger p-values, Holm multiplies the smallest by 5
    adjusted = holm([p, 0.5, 0.6, 0.7, 0.9])
    assert adjusted[0] == pytest.approx(5 * p)
    assert slope_verdict(0.7, ci, adjusted[0]) == "no evidence either way"


def test_holm_matches_the_step_down_definition():
    from tracker.scoring import holm

    # m = 4: sorted 0.01, 0.02, 0.03, 0.5 -> 0.04, max(0.04, 0.06), max(0.06, 0.06), max(0.06, 0.5)
    assert holm([0.03, 0.01, None, 0.5, 0.02]) == pytest.approx([0.06, 0.04, None, 0.5, 0.06])
    assert holm([0.9, 0.8]) == [1.0, 1.0]  # 2 x 0.8 capped at 1, then monotone
    assert holm([]) == []


def test_slope_is_fitted_on_forecasts_clipped_at_half_a_percent_and_counts_them(monkeypatch):
    # one confident miss among 100 forecasts: with a 1e-6 clip its logit (-13.8) dominated the slope
    rng = np.random.default_rng(3)
    p = np.round(rng.uniform(0.05, 0.95, 99), 2)
    y = (rng.uniform(size=99) < p).astype(int)
    base = calibration_slope(p, y)
    with_miss = calibration_slope(np.append(p, 0.0), np.append(y, 1))
    assert with_miss.n_clipped == 1 and base.n_clipped == 0
    assert with_miss.slope == pytest.approx(calibration_slope(np.append(p, 0.005), np.append(y, 1)).slope, abs=1e-9)
    moved = abs(with_miss.slope - base.slope)
    from tracker.scoring import calibration as module

    monkeypatch.setattr(module, "LOGIT_CLIP", 1e-6)  # the old clip
    old = calibration_slope(np.append(p, 0.0), np.append(y, 1))
    assert abs(old.slope - base.slope) > 2 * moved  # the old clip let the one miss move it more than twice as far
    assert old.slope < 0.6 < with_miss.slope
