"""Time-weighted score of one analyst's revisions over a question's open window."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.scoring import brier_score, categorical_brier_scores, time_weighted_score


def test_hand_computed_with_partial_coverage():
    # window [0, 10]; 0.2 from t=2 to 6, 0.8 from 6 to 10; it happened.
    # (4 * 0.64 + 4 * 0.04) / 8 = 0.34 over the covered 8 of 10
    result = time_weighted_score([2.0, 6.0], [0.2, 0.8], opened=0.0, closed=10.0, outcome=1)
    assert result.score == pytest.approx(0.34)
    assert result.coverage == pytest.approx(0.8)
    assert result.n_forecasts_used == 2
    assert result.scale == "0-1" and result.reason is None


def test_unsorted_times_and_two_outcome_scale():
    a = time_weighted_score([6.0, 2.0], [0.8, 0.2], opened=0.0, closed=10.0, outcome=1)
    assert a.score == pytest.approx(0.34)
    b = time_weighted_score([6.0, 2.0], [0.8, 0.2], opened=0.0, closed=10.0, outcome=1, scale="0-2")
    assert b.score == pytest.approx(0.68) and b.scale == "0-2"


def test_equal_times_the_later_input_wins():
    result = time_weighted_score([0.0, 5.0, 5.0], [0.5, 0.1, 0.9], opened=0.0, closed=10.0, outcome=0)
    # 0.5 for 5 units (0.25), then 0.9 (the later of the two at t=5) for 5 units (0.81)
    assert result.score == pytest.approx((0.25 + 0.81) / 2)
    assert result.n_forecasts_used == 2


def test_forecasts_before_opening_and_after_closing():
    # 0.3 and 0.6 made before the window: only 0.6 is in force at opening; 0.99 after closing is ignored
    result = time_weighted_score(
        [-5.0, -1.0, 4.0, 12.0], [0.3, 0.6, 0.1, 0.99], opened=0.0, closed=10.0, outcome=0
    )
    assert result.score == pytest.approx((4 * 0.36 + 6 * 0.01) / 10)
    assert result.coverage == 1.0
    assert result.n_forecasts_used == 2


def test_no_forecast_in_time():
    result = time_weighted_score([11.0, 12.0], [0.4, 0.5], opened=0.0, closed=10.0, outcome=1)
    assert result.score is None and result.coverage == 0.0 and result.n_forecasts_used == 0
    assert "no forecast" in result.reason
    assert result.as_dict()["score"] is None


def test_forecast_only_at_the_close_covers_nothing():
    result = time_weighted_score([10.0], [0.4], opened=0.0, closed=10.0, outcome=1)
    assert result.score is None and result.coverage == 0.0
    assert "cover no time" in result.reason


def test_degenerate_window_uses_the_last_forecast():
    # the outcome became known before the question formally opened: closed <= opened
    result = time_weighted_score([1.0, 3.0, 9.0], [0.2, 0.7, 0.1], opened=5.0, closed=4.0, outcome=1)
    assert result.score == pytest.approx(0.09)  # 0.7 made at 3 <= 4
    assert result.coverage == 1.0 and result.n_forecasts_used == 1
    assert time_weighted_score([9.0], [0.1], opened=5.0, closed=4.0, outcome=1).score is None


def test_categorical_probability_vectors():
    P = [[0.2, 0.5, 0.3], [0.1, 0.8, 0.1]]
    result = time_weighted_score([0.0, 5.0], P, opened=0.0, closed=10.0, outcome=1)
    per_forecast = categorical_brier_scores(P, [1, 1])  # 0.38 and 0.06
    assert result.score == pytest.approx(per_forecast.mean())
    assert result.scale == "0-2"


def test_bad_input():
    with pytest.raises(ValueError, match="length mismatch"):
        time_weighted_score([0.0, 1.0], [0.5], opened=0, closed=1, outcome=1)
    with pytest.raises(ValueError, match="outcome: outcomes must be 0 or 1"):
        time_weighted_score([0.0], [0.5], opened=0, closed=1, outcome=2)
    with pytest.raises(ValueError, match="out of range"):
        time_weighted_score([0.0], [[0.5, 0.5]], opened=0, closed=1, outcome=2)
    with pytest.raises(ValueError, match="closed must be a finite number"):
        time_weighted_score([0.0], [0.5], opened=0, closed=float("nan"), outcome=1)
    with pytest.raises(ValueError, match="times: NaN"):
        time_weighted_score([float("inf")], [0.5], opened=0, closed=1, outcome=1)
    with pytest.raises(ValueError, match="probs: probabilities must lie in"):
        time_weighted_score([0.0], [1.5], opened=0, closed=1, outcome=1)
    with pytest.raises(ValueError, match="scale"):
        time_weighted_score([0.0], [0.5], opened=0, closed=1, outcome=1, scale="0-100")


# ------------------------------------------------------------------ property tests


@given(st.floats(0, 1), st.sampled_from([0, 1]), st.floats(-1e6, 1e6), st.floats(1e-3, 1e6))
def test_one_forecast_at_opening_equals_the_final_score(p, outcome, opened, length):
    result = time_weighted_score([opened], [p], opened=opened, closed=opened + length, outcome=outcome)
    assert result.score == pytest.approx(brier_score([p], [outcome]), abs=1e-12)
    assert result.coverage == 1.0


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.integers(-20, 120), st.floats(0, 1)), min_size=1, max_size=12),
    st.sampled_from([0, 1]),
)
def test_matches_a_brute_force_fine_grid(revisions, outcome):
    """Piecewise-constant forecasts: the exact interval average equals the average over a fine grid."""
    times = np.array([t for t, _ in revisions], dtype=float)
    probs = np.array([p for _, p in revisions])
    opened, closed = 0.0, 100.0
    result = time_weighted_score(times, probs, opened=opened, closed=closed, outcome=outcome)

    step = 0.01  # midpoints of a grid finer than the integer revision times
    grid = np.arange(opened, closed, step) + step / 2
    order = np.argsort(times, kind="stable")
    position = np.searchsorted(times[order], grid, side="right") - 1  # latest forecast made before each point
    covered = position >= 0
    if not covered.any():
        assert result.score is None
        return
    in_force = probs[order][position[covered]]
    assert result.score == pytest.approx(np.mean((in_force - outcome) ** 2), abs=1e-9)
    assert result.coverage == pytest.approx(covered.mean(), abs=1e-9)


# ------------------------------------------------- many runs at once


@st.composite
def _runs(draw):
    """Runs of forecasts on a small integer time grid (so ties, forecasts
    before the opening, after the close and exactly at it all occur), with
    windows that may be degenerate."""
    runs = []
    for _ in range(draw(st.integers(1, 8))):
        opened = draw(st.integers(0, 10))
        closed = draw(st.integers(opened - 2, opened + 10))
        m = draw(st.integers(1, 6))
        times = sorted(draw(st.lists(st.integers(-3, 22), min_size=m, max_size=m)))
        probs = draw(st.lists(st.integers(0, 100), min_size=m, max_size=m))
        runs.append((opened, closed, [float(t) for t in times], [p / 100 for p in probs], draw(st.integers(0, 1))))
    return runs


@settings(max_examples=300, deadline=None)
@given(_runs())
def test_many_runs_at_once_equal_the_scalar_function(runs):
    from tracker.scoring.timeweighted import time_weighted_many

    times, scores, starts, ends, opened, closed = [], [], [], [], [], []
    for o, c, t, p, y in runs:
        starts.append(len(times))
        times.extend(t)
        scores.extend((np.array(p) - y) ** 2)
        ends.append(len(times))
        opened.append(o)
        closed.append(c)
    got, cover = time_weighted_many(times, scores, starts, ends, opened, closed)
    for g, (o, c, t, p, y) in enumerate(runs):
        one = time_weighted_score(t, p, opened=o, closed=c, outcome=y)
        if one.score is None:
            assert np.isnan(got[g]) and np.isnan(cover[g])
        else:
            assert got[g] == pytest.approx(one.score, rel=1e-12, abs=1e-15)
            assert cover[g] == pytest.approx(one.coverage, rel=1e-12, abs=1e-15)


def test_many_runs_hand_computed():
    from tracker.scoring.timeweighted import time_weighted_many

    # run 0: window 0-10; 0.2 from 2 to 6, 0.8 from 6 to 10 (a third forecast at 12 comes after the
    #        close); outcome yes -> scores 0.64, 0.04: (0.64 x 4 + 0.04 x 4) / 8 = 0.34, coverage 8/10
    # run 1: its only forecast comes after the close -> undefined
    # run 2: degenerate window (closed before opened): the last forecast at or before the close, coverage 1
    score, cover = time_weighted_many(
        [2, 6, 12, 11, 3, 9], [0.64, 0.04, 0.25, 0.09, 0.49, 1.0], [0, 3, 4], [3, 4, 6], [0, 0, 5], [10, 10, 4])
    assert score[0] == pytest.approx(0.34) and cover[0] == pytest.approx(0.8)
    assert np.isnan(score[1]) and np.isnan(cover[1])
    assert score[2] == 0.49 and cover[2] == 1.0
