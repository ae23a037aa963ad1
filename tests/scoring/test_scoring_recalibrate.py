"""tracker.scoring.recalibrate: the logistic recalibration fitted out of sample."""

from __future__ import annotations

import numpy as np
import pytest

from tracker.scoring import calibration_slope
from tracker.scoring.recalibrate import MAX_LOO_CLUSTERS, realized_frequency, recalibrate


def _underconfident(n: int, seed: int = 1, beta: float = 1.8, alpha: float = 0.2):
    """Stated numbers whose truth is alpha + beta logit(p): beta > 1 means too timid."""
    rng = np.random.default_rng(seed)
    p = np.round(rng.uniform(0.2, 0.8, n), 2)
    truth = 1 / (1 + np.exp(-(alpha + beta * np.log(p / (1 - p)))))
    y = (rng.random(n) < truth).astype(int)
    return p, y


def test_recovers_the_slope_and_the_curve():
    p, y = _underconfident(4000)
    r = recalibrate(p, y)
    assert r.slope_ci[0] < 1.8 < r.slope_ci[1] and r.slope_ci[0] > 1.0  # underconfident, and it says so
    # the slope is the same maximum-likelihood fit as calibration_slope's
    ref = calibration_slope(p, y)
    assert r.slope == pytest.approx(ref.slope, abs=1e-6) and r.intercept == pytest.approx(ref.intercept, abs=1e-6)
    at70 = next(c for c in r.curve if c.stated == pytest.approx(0.7))
    truth70 = 1 / (1 + np.exp(-(0.2 + 1.8 * np.log(0.7 / 0.3))))
    assert at70.low < truth70 < at70.high and at70.happened > 0.7
    # the recalibrated numbers score better, out of sample (10 folds: 4000 clusters)
    assert r.cv == "10-fold" and r.brier_oos < r.brier - 0.003


def test_leave_one_question_out_and_clusters():
    p, y = _underconfident(600, seed=2)
    questions = np.repeat(np.arange(150), 4)  # four analysts a question
    r = recalibrate(p, y, clusters=questions)
    assert r.n_clusters == 150 <= MAX_LOO_CLUSTERS and r.cv == "leave-one-question-out"
    # the out-of-sample number of row 0 comes from a fit without question 0
    keep = questions != 0
    ref = calibration_slope(p[keep], y[keep])
    expected = 1 / (1 + np.exp(-(ref.intercept + ref.slope * np.log(p[0] / (1 - p[0])))))
    assert r.oos_p[0] == pytest.approx(expected, abs=1e-6)
    # four copies of one forecast are one piece of evidence: about twice the width of four independent ones
    p_same, y_same = np.repeat(p[::4], 4), np.repeat(y[::4], 4)
    wide = recalibrate(p_same, y_same, clusters=questions)
    narrow = recalibrate(p_same, y_same)
    ratio = (wide.slope_ci[1] - wide.slope_ci[0]) / (narrow.slope_ci[1] - narrow.slope_ci[0])
    assert ratio == pytest.approx(2.0, abs=0.1)


def test_cannot_fit_separated_or_tiny_samples():
    sep = recalibrate([0.1, 0.2, 0.3, 0.15, 0.2, 0.7, 0.8, 0.9, 0.85, 0.75], [0, 0, 0, 0, 0, 1, 1, 1, 1, 1])
    assert sep.slope is None and sep.curve == () and "separate" in sep.notes[-1]
    tiny = recalibrate([0.3, 0.6, 0.4], [0, 1, 1])
    assert tiny.slope is None and tiny.brier == pytest.approx((0.09 + 0.16 + 0.36) / 3)


def test_wilson_interval_hand_computed():
    f, lo, hi = realized_frequency([1, 1, 1, 0, 0, 0, 0, 0, 0, 0])
    assert f == 0.3
    assert lo == pytest.approx(0.10779, abs=1e-5) and hi == pytest.approx(0.60322, abs=1e-5)


def test_gjp_team_recalibration(gjp_rows):
    """Good Judgment Project binary questions, each forecaster's final
    forecast: the slope is below 1 (too extreme) but with 14 questions the
    question-clustered interval includes 1, and recalibrating out of sample
    (leave-one-question-out) does not help."""
    last: dict = {}
    for r in gjp_rows:
        if r["n_opts"] != "2" or r["answer_option"] != "a":
            continue
        key = (r["ifp_id"], r["user_id"])
        order = (r["timestamp"], int(r["forecast_id"]))
        if key not in last or order >= last[key][0]:
            last[key] = (order, float(r["probability"]), int(r["resolved_option"] == "a"), r["ifp_id"])
    p = np.array([v[1] for v in last.values()])
    y = np.array([v[2] for v in last.values()])
    q = np.array([v[3] for v in last.values()])
    r = recalibrate(p, y, clusters=q)
    assert r.n == 3092 and r.n_clusters == 14 and r.n_clipped == 118
    assert r.slope == pytest.approx(0.6446, abs=1e-3)
    assert r.slope_ci[0] < 1.0 < r.slope_ci[1]
    assert r.brier == pytest.approx(0.18011, abs=5e-6)
    assert r.brier_oos == pytest.approx(0.20147, abs=5e-5)
