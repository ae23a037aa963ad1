"""Time-weighted score of one analyst's revisions over a question's open window."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.scoring import brier_score, categorical_brier_scores, time_weighted_score


def test_hand_computed_with_partial_coverage():
    # window [0, 10]; 0.2 from t=2 to 6, 0.8 from 6 to 10; it happened. The time before the first
    # forecast is scored at the uninformed 0.5 (no team median given): no reward for entering late.
    # (2 * 0.25 + 4 * 0.64 + 4 * 0.04) / 10 = 0.322 (it was 0.34, the covered 8 of 10 only)
    result = time_weighted_score([2.0, 6.0], [0.2, 0.8], opened=0.0, closed=10.0, outcome=1)
    assert result.score == pytest.approx(0.322)
    assert result.coverage == pytest.approx(0.8)
    assert result.n_forecasts_used == 2
    assert result.scale == "0-1" and result.reason is None


def test_unsorted_times_and_two_outcome_scale():
    a = time_weighted_score([6.0, 2.0], [0.8, 0.2], opened=0.0, closed=10.0, outcome=1)
    assert a.score == pytest.approx(0.322)
    b = time_weighted_score([6.0, 2.0], [0.8, 0.2], opened=0.0, closed=10.0, outcome=1, scale="0-2")
    assert b.score == pytest.approx(0.644) and b.scale == "0-2"


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
    in_force = np.where(covered, probs[order][np.maximum(position, 0)], 0.5)  # before the first: 0.5
    assert result.score == pytest.approx(np.mean((in_force - outcome) ** 2), abs=1e-9)
    assert result.coverage == pytest.approx(covered.mean(), abs=1e-9)


# ------------------------------------------------- the honest-statistics conventions


def test_time_after_an_early_resolution_counts_zero_over_the_scheduled_window():
    # window 0-10, resolved at 4: 0.3 in force from 0 to 4, outcome no -> 4 x 0.09 / 10
    r = time_weighted_score([0.0, 6.0], [0.3, 0.9], opened=0.0, closed=10.0, known_at=4.0, outcome=0)
    assert r.score == pytest.approx(0.036) and r.n_forecasts_used == 1 and r.coverage == 1.0


def test_late_entry_is_scored_at_the_team_median_before_the_first_forecast():
    # the team's median: 0.2 from 0, 0.6 from 3; the analyst enters at 5 with 0.9; it happened
    fill = ([0.0, 3.0], [0.2, 0.6])
    r = time_weighted_score([5.0], [0.9], opened=0.0, closed=10.0, outcome=1, fill=fill)
    assert r.score == pytest.approx((3 * 0.64 + 2 * 0.16 + 5 * 0.01) / 10)
    assert r.coverage == pytest.approx(0.5)


def test_categorical_is_time_weighted_the_issue_example():
    # opened 01-01 with {a .1, b .1, c .8}, revised to {.8, .1, .1} on 01-10 (day 9), window to the end
    # of 01-10 (day 10), resolved a: 9 days of 1.46 and one of 0.06 -> 1.32 (the final forecast: 0.06)
    r = time_weighted_score([0.0, 9.0], [[0.1, 0.1, 0.8], [0.8, 0.1, 0.1]], opened=0.0, closed=10.0, outcome=0)
    assert r.score == pytest.approx(1.32) and r.scale == "0-2"


def _expected(q1, q2, truth, e_yes, e_no, r):
    """Exact expected time-weighted score of reporting q1 at 0 and, if still open at r, q2; the
    question (window 0-1) resolves early at r with probability e_yes if it will happen, e_no if not."""
    total = 0.0
    for y, p_y, e in ((1, truth, e_yes), (0, 1 - truth, e_no)):
        early = time_weighted_score([0.0], [q1], opened=0.0, closed=1.0, known_at=r, outcome=y).score
        late = time_weighted_score([0.0, r], [q1, q2], opened=0.0, closed=1.0, outcome=y).score
        total += p_y * (e * early + (1 - e) * late)
    return total


@settings(max_examples=60, deadline=None)
@given(st.floats(0.02, 0.98), st.floats(0, 1), st.floats(0, 1), st.floats(0.05, 0.95))
def test_the_score_is_proper_under_early_resolution(truth, e_yes, e_no, r):
    """Reporting the truth at every instant (truth at 0; at r, the truth given that the question is
    still open) minimizes the exact expected score against every other pair of reports."""
    open_yes, open_no = truth * (1 - e_yes), (1 - truth) * (1 - e_no)
    truth_r = open_yes / (open_yes + open_no) if open_yes + open_no > 0 else 0.5
    best = _expected(truth, truth_r, truth, e_yes, e_no, r)
    grid = np.linspace(0, 1, 21)
    for q1 in grid:
        for q2 in grid:
            assert _expected(q1, q2, truth, e_yes, e_no, r) >= best - 1e-12


def test_the_old_convention_was_improper():
    # dividing by the open length (the old rule) on the same model: resolving early only if it happens
    # (e_yes = 1, e_no = 0) at r = 0.5 with truth 0.5, the expected score of q at 0 was
    # 0.5 (1 - q)^2 + 0.5 (0.5 q^2 + 0.5 x 0): minimized at q = 2/3, not at the truth 0.5
    old = [0.5 * (1 - q) ** 2 + 0.25 * q ** 2 for q in np.linspace(0, 1, 301)]
    assert np.linspace(0, 1, 301)[int(np.argmin(old))] == pytest.approx(2 / 3, abs=0.005)
    new = [_expected(q, 0.0, 0.5, 1.0, 0.0, 0.5) for q in np.linspace(0, 1, 301)]
    assert np.linspace(0, 1, 301)[int(np.argmin(new))] == pytest.approx(0.5)


