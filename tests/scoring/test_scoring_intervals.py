"""Intervals that resample questions (tracker.scoring.group_interval) and Holm's adjustment."""

import numpy as np
import pytest

from tracker.scoring import bootstrap_ci, group_interval


def test_one_score_per_question_is_the_ordinary_bootstrap_draw_for_draw():
    from tracker.scoring.comparison import _bootstrap_moments

    rng = np.random.default_rng(2)
    s = np.round(rng.uniform(0, 1, 40), 2) ** 2
    gi = group_interval(s, [f"q{i}" for i in range(40)])
    ci = bootstrap_ci(s)
    assert gi.method == "bootstrap-t" and gi.n_questions == 40
    # the resamples are bootstrap_ci's: their percentile interval is bootstrap_ci's, to the last bit
    values, counts = np.unique(s, return_counts=True)
    means, var, flat = _bootstrap_moments(values, counts, 2000, 42)
    assert tuple(np.quantile(means, [0.025, 0.975])) == (ci.low, ci.high)
    # and the studentized interval is read off the same resamples: t* = (mean* - mean) / se*
    se = s.std() / np.sqrt(40)
    t = (means - s.mean()) / np.sqrt(var / 40)
    t_low, t_high = np.quantile(t, [0.025, 0.975])
    assert (gi.low, gi.high) == pytest.approx((s.mean() - t_high * se, s.mean() - t_low * se), abs=1e-12)


def test_studentized_interval_leans_towards_the_long_tail_beyond_the_percentile_one():
    # 40 questions: 34 hits scored 0.01, 6 misses scored 0.81 (right-skewed, as Brier scores are).
    # Edgeworth: the percentile ends sit g (z^2 - 1) / (6 sqrt n) se right of the normal ones, the
    # studentized ends g (2 z^2 + 1) / (6 sqrt n) se: about 3 times as far, and the upper end moves most.
    s = np.array([0.01] * 34 + [0.81] * 6)
    mean, se = s.mean(), s.std() / np.sqrt(40)
    g = np.mean((s - mean) ** 3) / s.std() ** 3
    z = 1.959963984540054
    gi = group_interval(s, np.arange(40))
    ci = bootstrap_ci(s)
    assert gi.method == "bootstrap-t"
    assert gi.low > ci.low and gi.high > ci.high  # the documented direction: towards the long (upper) tail
    assert gi.high - ci.high > gi.low - ci.low
    assert (gi.high - mean) - (mean - gi.low) > 2 * ((ci.high - mean) - (mean - ci.low))
    # the upper end moves past the normal one at least as far as the second-order (Edgeworth) term
    # says (here further: the term is only the first correction), the percentile one well short of it
    shift = se * g * (2 * z * z + 1) / (6 * np.sqrt(40))
    assert gi.high > mean + z * se + 0.9 * shift
    assert gi.high - ci.high > 0.5 * shift


def test_nearly_constant_scores_fall_back_to_bca_and_say_so():
    # 58 hits at 0.0025 and 2 misses at 0.9025: 13% of resamples hold no miss (no spread, t* infinite),
    # so the studentized upper end is unbounded; the BCa interval of the same resamples is given.
    s = np.array([0.0025] * 58 + [0.9025] * 2)
    gi = group_interval(s, np.arange(60))
    assert gi.method == "bootstrap-bca"
    assert 0.0025 <= gi.low < s.mean() < gi.high < 0.2
    team = group_interval(np.tile(s, 3), np.tile(np.arange(60), 3))
    assert team.method == "cluster-bootstrap-bca" and team.high < 0.2


def test_analysts_who_share_outcomes_do_not_narrow_the_team_interval():
    # six analysts giving the same forecasts on 30 questions: six copies of one analyst's scores.
    # Resampling pairs would shrink the interval by about sqrt(6); resampling questions keeps it.
    rng = np.random.default_rng(7)
    one = rng.uniform(0, 0.6, 30) ** 2
    team = np.tile(one, 6)
    qs = np.tile(np.arange(30), 6)
    single = group_interval(one, np.arange(30))
    gi = group_interval(team, qs)
    assert gi.method == "cluster-bootstrap-t" and gi.n == 180 and gi.n_questions == 30
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
