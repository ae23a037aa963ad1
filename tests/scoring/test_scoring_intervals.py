"""Intervals that resample questions (tracker.scoring.group_interval) and Holm's adjustment."""

import numpy as np
import pytest

from tracker.scoring import bootstrap_ci, group_interval


def test_one_score_per_question_is_the_ordinary_bootstrap_draw_for_draw():
    rng = np.random.default_rng(2)
    s = np.round(rng.uniform(0, 1, 40), 2) ** 2
    gi = group_interval(s, [f"q{i}" for i in range(40)])
    ci = bootstrap_ci(s)
    assert (gi.low, gi.high, gi.method, gi.n_questions) == (ci.low, ci.high, "bootstrap", 40)


def test_analysts_who_share_outcomes_do_not_narrow_the_team_interval():
    # six analysts giving the same forecasts on 30 questions: six copies of one analyst's scores.
    # Resampling pairs would shrink the interval by about sqrt(6); resampling questions keeps it.
    rng = np.random.default_rng(7)
    one = rng.uniform(0, 0.6, 30) ** 2
    team = np.tile(one, 6)
    qs = np.tile(np.arange(30), 6)
    single = group_interval(one, np.arange(30))
    gi = group_interval(team, qs)
    assert gi.method == "cluster-bootstrap" and gi.n == 180 and gi.n_questions == 30
    assert gi.mean == pytest.approx(one.mean())
    assert gi.high - gi.low == pytest.approx(single.high - single.low, rel=0.15)
    pairs = bootstrap_ci(team)  # what the team interval used to be
    assert (pairs.high - pairs.low) < 0.55 * (gi.high - gi.low)


def test_cluster_ratio_uses_unequal_question_sizes():
    # question a: 3 analysts scoring 0.0; b..k: 1 analyst scoring 0.5 -> mean over pairs 5 / 13
    scores = [0.0, 0.0, 0.0] + [0.5] * 10
    qs = ["a", "a", "a"] + list("bcdefghijk")
    gi = group_interval(scores, qs)
    assert gi.mean == pytest.approx(5 / 13)
    # every resample is a ratio sum(w T) / sum(w n) between 0 and 0.5, and the interval holds the mean
    assert 0.0 <= gi.low < 5 / 13 < gi.high <= 0.5


def test_normal_limit_for_many_questions_is_the_linearised_ratio():
    rng = np.random.default_rng(11)
    c, k = 3000, 3
    qs = np.repeat(np.arange(c), k)
    s = np.clip(rng.normal(0.2, 0.02, c * k), 0, 1)
    gi = group_interval(s, qs)
    assert gi.method == "cluster-bootstrap-normal"
    totals = s.reshape(c, k).sum(axis=1)
    ratio = s.mean()
    u = ratio + c * (totals - ratio * k) / (c * k)
    half = 1.959963984540054 * np.sqrt(np.mean((u - ratio) ** 2) / c)
    assert (gi.low, gi.high) == pytest.approx((ratio - half, ratio + half), abs=1e-12)


@pytest.mark.parametrize("k", [1, 2, 9])
def test_fewer_than_ten_questions_give_no_interval_and_say_why(k):
    gi = group_interval(np.linspace(0.1, 0.3, 3 * k), np.repeat(np.arange(k), 3))
    assert gi.low is None and gi.high is None and gi.method is None
    assert gi.reason == f"no interval: {k} question{'s' if k != 1 else ''}, fewer than 10"
    assert gi.mean == pytest.approx(0.2)


def test_bad_input():
    with pytest.raises(ValueError, match="same length|length"):
        group_interval([0.1, 0.2], ["a"])
    with pytest.raises(ValueError):
        group_interval([0.1, float("nan")], ["a", "b"])
