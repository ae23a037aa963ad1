"""Brier (binary, categorical), ranked probability and log scores: hand-computed values and real data."""

from __future__ import annotations

import json
import math
from collections import defaultdict

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.scoring import (
    brier_score,
    brier_scores,
    categorical_brier_scores,
    log_score,
    log_scores,
    ranked_probability_scores,
)

probability = st.floats(0.0, 1.0, allow_nan=False)


# --------------------------------------------------------------------- binary Brier


def test_brier_hand_computed():
    p = [0.9, 0.3, 0.5, 0.0]
    y = [1, 1, 0, 0]
    # (0.1)^2, (0.7)^2, (0.5)^2, 0
    np.testing.assert_allclose(brier_scores(p, y), [0.01, 0.49, 0.25, 0.0])
    assert brier_score(p, y) == pytest.approx((0.01 + 0.49 + 0.25) / 4)


def test_brier_two_outcome_scale_doubles():
    p = [0.9, 0.3, 0.5, 0.0]
    y = [1, 1, 0, 0]
    # Good Judgment: (p - y)^2 + ((1 - p) - (1 - y))^2, e.g. 0.1^2 + 0.1^2 = 0.02
    np.testing.assert_allclose(brier_scores(p, y, scale="0-2"), [0.02, 0.98, 0.5, 0.0])
    assert brier_score(p, y, scale="0-2") == pytest.approx(2 * brier_score(p, y))


def test_brier_accepts_bool_and_float_outcomes():
    p = [0.2, 0.8]
    assert brier_score(p, [False, True]) == brier_score(p, [0.0, 1.0]) == brier_score(p, np.array([0, 1]))


@given(st.lists(st.booleans(), min_size=1, max_size=50))
def test_perfect_forecaster_scores_zero(outcomes):
    y = np.array(outcomes, dtype=int)
    assert brier_score(y.astype(float), y) == 0.0
    assert brier_score(y.astype(float), y, scale="0-2") == 0.0


@given(st.lists(st.booleans(), min_size=1, max_size=50))
def test_constant_half_scores_a_quarter(outcomes):
    y = np.array(outcomes, dtype=int)
    assert brier_score(np.full(y.size, 0.5), y) == 0.25
    assert brier_score(np.full(y.size, 0.5), y, scale="0-2") == 0.5


def test_brier_agrees_with_sklearn(solar):
    metrics = pytest.importorskip("sklearn.metrics")
    for name in ("ASSA", "DAFFS", "NICT", "NOAA", "SIDC"):
        assert brier_score(solar[name], solar["y"]) == pytest.approx(
            metrics.brier_score_loss(solar["y"], solar[name]), abs=1e-15
        )


# ---------------------------------------------------------------- categorical Brier


def test_categorical_brier_hand_computed():
    # outcome 1 happened: (0.2 - 0)^2 + (0.5 - 1)^2 + (0.3 - 0)^2 = 0.04 + 0.25 + 0.09 = 0.38
    P = [[0.2, 0.5, 0.3], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
    np.testing.assert_allclose(categorical_brier_scores(P, [1, 0, 0]), [0.38, 0.0, 2.0])


def test_categorical_brier_of_two_outcomes_is_the_0_2_binary_score():
    p = np.array([0.9, 0.3, 0.5])
    y = np.array([1, 0, 1])
    P = np.column_stack([1 - p, p])  # column 1 is "the event"
    np.testing.assert_allclose(categorical_brier_scores(P, y), brier_scores(p, y, scale="0-2"))


def _gjp_forecasts(rows):
    """Group GJP option rows into forecasts: (probabilities in option order, realized index, GJP's Brier)."""
    grouped = defaultdict(list)
    for r in rows:
        grouped[r["forecast_id"]].append(r)
    forecasts = []
    for options in grouped.values():
        options.sort(key=lambda r: r["answer_option"])
        letters = "abcdefghij"[: int(options[0]["n_opts"])]
        probs = {r["answer_option"]: float(r["probability"]) for r in options}
        forecasts.append(
            (
                [probs.get(letter, 0.0) for letter in letters],
                letters.index(options[0]["resolved_option"]),
                float(options[0]["brier_0_2_forecast"] or "nan"),
            )
        )
    return forecasts


def test_gjp_categorical_brier_reproduces_gjp(gjp_rows):
    """GJP's own per-forecast 0-2 Brier (brier_0_2_forecast) for every complete forecast."""
    forecasts = _gjp_forecasts(gjp_rows)
    complete = [f for f in forecasts if abs(sum(f[0]) - 1.0) <= 1e-6]
    assert len(complete) == 4408  # of 4409: the file's last forecast is cut off after one option row
    for n_options in (2, 3):
        group = [f for f in complete if len(f[0]) == n_options]
        assert group
        P = np.array([f[0] for f in group])
        k = np.array([f[1] for f in group])
        expected = np.array([f[2] for f in group])
        np.testing.assert_allclose(categorical_brier_scores(P, k), expected, rtol=0, atol=1e-12)


def test_gjp_incomplete_option_set_is_rejected(gjp_rows):
    incomplete = [f for f in _gjp_forecasts(gjp_rows) if abs(sum(f[0]) - 1.0) > 1e-6]
    assert len(incomplete) == 1  # one option row of two (0.98); GJP left its Brier empty
    probs, k, gjp_brier = incomplete[0]
    assert math.isnan(gjp_brier)
    with pytest.raises(ValueError, match="row 0 sums to 0.98"):
        categorical_brier_scores([probs], [k])


# -------------------------------------------------------------------------------- RPS


def test_rps_hand_computed():
    # CDF forecast (0.2, 0.7) vs observed (0, 1) when outcome 1 of 3 happened: 0.04 + 0.09
    assert ranked_probability_scores([[0.2, 0.5, 0.3]], [1])[0] == pytest.approx(0.13)
    assert ranked_probability_scores([[0.2, 0.5, 0.3]], [1], normalize=True)[0] == pytest.approx(0.065)
    # outcome 2: CDFs (0.2, 0.7) vs (0, 0): 0.04 + 0.49
    assert ranked_probability_scores([[0.2, 0.5, 0.3]], [2])[0] == pytest.approx(0.53)
    # all mass on the far end from what happened: K - 1 unnormalized, 1 normalized
    assert ranked_probability_scores([[0.0, 0.0, 0.0, 1.0]], [0])[0] == pytest.approx(3.0)
    assert ranked_probability_scores([[0.0, 0.0, 0.0, 1.0]], [0], normalize=True)[0] == pytest.approx(1.0)


def test_rps_rewards_closeness_unlike_categorical_brier():
    near = [[0.0, 1.0, 0.0]]  # said "middle", the low outcome happened
    far = [[0.0, 0.0, 1.0]]  # said "high"
    assert categorical_brier_scores(near, [0])[0] == categorical_brier_scores(far, [0])[0] == 2.0
    assert ranked_probability_scores(near, [0])[0] == 1.0
    assert ranked_probability_scores(far, [0])[0] == 2.0


@given(st.lists(probability, min_size=1, max_size=30), st.data())
def test_rps_with_two_outcomes_is_binary_brier(ps, data):
    p = np.array(ps)
    y = np.array(data.draw(st.lists(st.booleans(), min_size=p.size, max_size=p.size)), dtype=int)
    P = np.column_stack([1 - p, p])
    np.testing.assert_allclose(ranked_probability_scores(P, y), brier_scores(p, y), atol=1e-15)


# ------------------------------------------------------------------------ log score


def test_log_score_hand_computed():
    result = log_score([0.8, 0.25], [1, 0])
    # -ln(0.8) and -ln(1 - 0.25), natural log, lower is better
    assert result.mean == pytest.approx((-math.log(0.8) - math.log(0.75)) / 2)
    assert result.n == 2 and result.n_clipped == 0
    assert log_score([0.5] * 3, [0, 1, 1]).mean == pytest.approx(math.log(2))


def test_log_score_clips_and_counts_exact_zero_and_one():
    result = log_scores([0.0, 1.0, 1.0, 0.0, 0.3], [0, 1, 0, 1, 1], eps=1e-15)
    assert result.n_clipped == 4  # every forecast within eps of 0 or 1, right or wrong
    certain_hit, certain_miss = -math.log(1 - 1e-15), -math.log(1e-15)
    np.testing.assert_allclose(
        result.scores, [certain_hit, certain_hit, certain_miss, certain_miss, -math.log(0.3)], rtol=1e-12
    )
    assert certain_miss == pytest.approx(34.538776394910684)  # 0 and 1 are clipped alike
    assert result.mean == pytest.approx(result.scores.mean())
    assert log_score([0.0, 1.0, 0.999, 0.3], [0, 1, 0, 1], eps=0.01).n_clipped == 3


def test_log_score_clipping_counts_on_solar_flares(solar):
    """NICT and ASSA issue exact 0 and 1 forecasts (DAFFS a few 1s); each of them is clipped and counted."""
    for name in ("NICT", "ASSA", "DAFFS"):
        p = solar[name]
        exact = int(np.count_nonzero((p == 0.0) | (p == 1.0)))
        assert exact > 0
        result = log_score(p, solar["y"])
        assert result.n_clipped == exact
        assert math.isfinite(result.mean)
        wrong_and_certain = int(np.count_nonzero(np.abs(p - solar["y"]) == 1.0))
        # a certain miss costs 34.5 nats, so the mean is at least this share of it
        assert result.mean >= wrong_and_certain * -math.log(1e-15) / p.size
    assert log_score(solar["NOAA"], solar["y"]).n_clipped == 0


def test_log_score_results_are_json_ready():
    result = log_scores([0.2, 0.9], [0, 1])
    data = json.loads(json.dumps(result.as_dict()))
    assert data["n_clipped"] == 0 and len(data["scores"]) == 2
    assert json.loads(json.dumps(log_score([0.2, 0.9], [0, 1]).as_dict()))["n"] == 2


@pytest.mark.parametrize("eps", [1e-15, 1e-7, 1e-3, 0.1, 0.2, 0.3])
def test_grouped_log_score_clips_exactly_like_the_rows(eps):
    """summarize() scores from distinct values; at and around the clip bounds it must count like log_scores."""
    from tracker.scoring._table import tabulate
    from tracker.scoring.scores import _log_score_from_table

    edges = [0.0, eps, 1 - eps, 1.0]
    values = np.array(edges + [np.nextafter(e, d) for e in edges for d in (0.0, 1.0)] + [0.25, 0.5])
    rng = np.random.default_rng(1)
    p = rng.choice(np.clip(values, 0.0, 1.0), 3000)
    y = rng.integers(0, 2, p.size)
    mean, n_clipped = _log_score_from_table(tabulate(p, y.astype(bool)), eps)
    rows = log_scores(p, y, eps=eps)
    assert n_clipped == rows.n_clipped
    assert mean == pytest.approx(rows.mean, rel=1e-13)
