"""Bootstrap intervals, relative Brier against the median analyst, paired differences."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from tracker.scoring import bootstrap_ci, paired_difference, relative_brier

# ---------------------------------------------------------------------- bootstrap


def test_bootstrap_is_reproducible_and_brackets_the_mean():
    scores = np.random.default_rng(0).random(500) ** 2
    a = bootstrap_ci(scores, n_resamples=1000, seed=42)
    b = bootstrap_ci(scores, n_resamples=1000, seed=42)
    assert a == b
    assert a.low < a.mean < a.high
    assert a.mean == pytest.approx(scores.mean())
    assert bootstrap_ci(scores, n_resamples=1000, seed=7) != a
    assert json.loads(json.dumps(a.as_dict()))["n_resamples"] == 1000


@pytest.mark.parametrize("distinct", [5, None])  # few distinct values (multinomial draws) or all distinct
def test_bootstrap_matches_normal_theory_for_a_large_sample(distinct):
    rng = np.random.default_rng(1)
    scores = rng.random(20_000)
    if distinct:
        scores = np.round(scores * (distinct - 1)) / (distinct - 1)
    ci = bootstrap_ci(scores, n_resamples=2000, level=0.95, seed=3)
    half = 1.959963984540054 * scores.std(ddof=1) / math.sqrt(scores.size)
    assert ci.low == pytest.approx(scores.mean() - half, abs=0.1 * half)
    assert ci.high == pytest.approx(scores.mean() + half, abs=0.1 * half)


def test_bootstrap_of_constant_scores_is_a_point():
    ci = bootstrap_ci([0.25] * 40, n_resamples=100)
    assert ci.low == ci.high == ci.mean == 0.25


def test_bootstrap_chunks_bound_memory():
    """2000 resamples of 100,000 distinct scores run chunk by chunk (4M cells at a time)."""
    scores = np.random.default_rng(4).random(100_000)
    ci = bootstrap_ci(scores, n_resamples=200, seed=1)
    assert ci.low < scores.mean() < ci.high


# ----------------------------------------------------------------- relative Brier


def test_relative_brier_three_analysts():
    # q1: a .1, b .2, c .4 -> median .2 -> a -.1, b 0, c +.2
    # q2: a .3, b .5       -> median .4 -> a -.1, b +.1
    # q3:       b .6, c .2 -> median .4 ->        b +.2, c -.2
    # a: (-.1 - .1) / 2 = -.1;  b: (0 + .1 + .2) / 3 = .1;  c: (.2 - .2) / 2 = 0
    result = relative_brier(
        ["q1", "q1", "q1", "q2", "q2", "q3", "q3"],
        ["a", "b", "c", "a", "b", "b", "c"],
        [0.1, 0.2, 0.4, 0.3, 0.5, 0.6, 0.2],
        relative_to="median-score",  # GJ Open's convention; the default is now leave-one-out (below)
    )
    assert list(result) == ["a", "b", "c"]
    assert result["a"].value == pytest.approx(-0.1) and result["a"].n == 2
    assert result["b"].value == pytest.approx(0.1) and result["b"].n == 3
    assert result["c"].value == pytest.approx(0.0, abs=1e-15) and result["c"].n == 2
    assert dict(result)["b"] == result["b"]
    data = json.loads(json.dumps(result.as_dict()))
    assert data["analysts"][0] == {"analyst": "a", "relative_brier": pytest.approx(-0.1), "n": 2}
    with pytest.raises(KeyError):
        result["nobody"]


def test_relative_brier_integer_ids_and_lone_forecasters():
    result = relative_brier([1, 1, 2], [10, 20, 10], [0.3, 0.1, 0.9], relative_to="median-score")
    assert result[10].value == pytest.approx((0.1 + 0.0) / 2)  # alone on question 2: contributes 0
    assert result[20].value == pytest.approx(-0.1)
    loo = relative_brier([1, 1, 2], [10, 20, 10], [0.3, 0.1, 0.9])
    assert loo[10].value == pytest.approx(0.2) and loo[10].n == 1  # alone on question 2: left out
    assert loo[20].value == pytest.approx(-0.2) and loo[20].n == 1


def test_relative_brier_leave_one_out_hand_computed():
    # q1: a .1, b .2, c .4 -> a - (.2+.4)/2 = -.2, b - (.1+.4)/2 = -.05, c - (.1+.2)/2 = +.25
    # q2: a .3, b .5       -> a -.2, b +.2
    # q3:       b .6, c .2 ->        b +.4, c -.4
    result = relative_brier(
        ["q1", "q1", "q1", "q2", "q2", "q3", "q3"],
        ["a", "b", "c", "a", "b", "b", "c"],
        [0.1, 0.2, 0.4, 0.3, 0.5, 0.6, 0.2],
    )
    assert result["a"].value == pytest.approx(-0.2) and result["a"].n == 2
    assert result["b"].value == pytest.approx((-0.05 + 0.2 + 0.4) / 3) and result["b"].n == 3
    assert result["c"].value == pytest.approx((0.25 - 0.4) / 2)
    assert relative_brier(["q"], ["a"], [0.3])["a"].n == 0  # nobody to compare with
    with pytest.raises(ValueError, match="relative_to"):
        relative_brier(["q"], ["a"], [0.3], relative_to="median")


def test_equally_skilled_analysts_are_not_all_worse_than_the_reference():
    # the reproduction: five equally skilled analysts (the same truth, independent noise);
    # against the median *score* they average about +0.009 (skew), against the others about 0, exactly
    rng = np.random.default_rng(4)
    n_q, n_a = 4000, 5
    truth = rng.uniform(0.05, 0.95, n_q)
    y = (rng.uniform(size=n_q) < truth).astype(float)
    p = np.clip(truth[:, None] + rng.normal(0, 0.15, (n_q, n_a)), 0.01, 0.99)
    s = (p - y[:, None]) ** 2
    q, a = np.repeat(np.arange(n_q), n_a), np.tile(np.arange(n_a), n_q)
    median = np.array(relative_brier(q, a, s.ravel(), relative_to="median-score").relative)
    others = np.array(relative_brier(q, a, s.ravel()).relative)
    assert median.mean() > 0.005 and (median > 0).all()  # everyone "worse than the median"
    assert others.mean() == pytest.approx(0.0, abs=1e-12)  # leave-one-out deviations sum to 0 per question
    assert np.abs(others).max() < 0.01


def test_relative_brier_rejects_duplicate_pairs():
    with pytest.raises(ValueError, match=r"duplicate \(question, analyst\) pair \('q1', 'a'\)"):
        relative_brier(["q1", "q1"], ["a", "a"], [0.1, 0.2])


def test_relative_brier_on_a_million_rows():
    """1,000,000 (question, analyst) rows against a dense-matrix reference (NaN for pairs not forecast)."""
    rng = np.random.default_rng(12)
    n_questions, n_analysts = 20_000, 50
    q = np.repeat(np.arange(n_questions), n_analysts)
    a = np.tile(np.arange(n_analysts), n_questions)
    keep = rng.random(q.size) < 0.8
    q, a = q[keep], a[keep]
    scores = rng.random(q.size) ** 2 * (1 + a % 3) / 3  # analysts differ in skill
    extra = 1_000_000 - q.size  # top up to exactly a million rows with new questions
    q = np.concatenate([q, n_questions + np.arange(extra) // n_analysts])
    a = np.concatenate([a, np.arange(extra) % n_analysts])
    scores = np.concatenate([scores, rng.random(extra)])
    order = rng.permutation(q.size)
    q, a, scores = q[order], a[order], scores[order]
    assert q.size == 1_000_000

    result = relative_brier(q, a, scores, relative_to="median-score")

    matrix = np.full((q.max() + 1, n_analysts), np.nan)
    matrix[q, a] = scores
    deviation = matrix - np.nanmedian(matrix, axis=1, keepdims=True)
    np.testing.assert_allclose(result.relative, np.nanmean(deviation, axis=0), atol=1e-12)
    np.testing.assert_array_equal(result.n, np.sum(~np.isnan(matrix), axis=0))


# -------------------------------------------------------------- paired difference


def test_paired_difference_hand_computed():
    questions = ["q1", "q2", "q3", "q4", "q1", "q2", "q3", "q5", "q1"]
    analysts = ["a", "a", "a", "a", "b", "b", "b", "b", "c"]
    scores = [0.10, 0.40, 0.05, 0.30, 0.20, 0.20, 0.25, 0.50, 0.90]
    # shared questions q1..q3: d = (-.10, +.20, -.20); mean -1/30
    result = paired_difference(questions, analysts, scores, "a", "b", seed=1)
    d = np.array([-0.10, 0.20, -0.20])
    assert result.n == 3
    assert result.mean == pytest.approx(d.mean())
    t = 4.302652729911275  # Student t, 2 degrees of freedom, 97.5%
    half = t * d.std(ddof=1) / math.sqrt(3)
    assert result.t_interval == pytest.approx((d.mean() - half, d.mean() + half))
    low, high = result.bootstrap_interval
    assert -0.2 - 1e-12 <= low <= d.mean() <= high <= 0.2 + 1e-12
    assert paired_difference(questions, analysts, scores, "a", "b", seed=1) == result
    reverse = paired_difference(questions, analysts, scores, "b", "a", seed=1)
    assert reverse.mean == pytest.approx(-result.mean)
    json.dumps(result.as_dict(), allow_nan=False)


def test_paired_difference_with_too_few_shared_questions():
    one = paired_difference(["q1", "q1", "q2"], ["a", "b", "a"], [0.1, 0.3, 0.2], "a", "b")
    assert one.n == 1 and one.mean == pytest.approx(-0.2)
    assert one.t_interval is None and one.bootstrap_interval is None and "at least two" in one.reason
    none = paired_difference(["q1", "q2"], ["a", "b"], [0.1, 0.3], "a", "b")
    assert none.n == 0 and none.mean is None and "share no question" in none.reason


def test_paired_difference_bad_analysts():
    with pytest.raises(ValueError, match="different analysts"):
        paired_difference(["q1"], ["a"], [0.1], "a", "a")
    with pytest.raises(ValueError, match="'z' does not appear"):
        paired_difference(["q1"], ["a"], [0.1], "a", "z")
    with pytest.raises(ValueError, match="duplicate"):
        paired_difference(["q1", "q1", "q1"], ["a", "a", "b"], [0.1, 0.2, 0.3], "a", "b")


def test_bootstrap_normal_limit_matches_the_resampled_interval(monkeypatch):
    """Past the cell limit the interval is the normal limit; at a size where
    both can run they agree to well under the interval's own width / 20."""
    import tracker.scoring.comparison as comparison

    rng = np.random.default_rng(7)
    scores = rng.random(20_000) ** 2
    monkeypatch.setattr(comparison, "NORMAL_MIN_N", 10**9)  # resample, whatever the size
    resampled = comparison.bootstrap_ci(scores, n_resamples=2000, seed=1)
    monkeypatch.setattr(comparison, "_NORMAL_LIMIT_CELLS", 1)
    limit = comparison.bootstrap_ci(scores, n_resamples=2000, seed=1)
    width = resampled.high - resampled.low
    assert abs(limit.low - resampled.low) < width / 20
    assert abs(limit.high - resampled.high) < width / 20
    assert limit.mean == resampled.mean


def _brier_sample(p: np.ndarray, y: np.ndarray, n: int, seed: int) -> np.ndarray:
    pick = np.random.default_rng(seed).choice(p.size, n, replace=False)
    return (p[pick] - y[pick]) ** 2


@pytest.mark.parametrize("n", [1000, 2500])
def test_normal_limit_lies_inside_the_spread_of_seeded_bootstraps_on_real_forecasts(n, pb_binary, gjp_rows, monkeypatch):
    """Where bootstrap_ci gives the normal limit (n >= 1000, skewness term
    below the Monte Carlo error), the limit's endpoints fall inside the range
    of 20 seeded percentile bootstraps of the same scores: resampling could
    not have told them apart. Real Brier scores: PredictionBook forecasts and
    the Good Judgment Project's binary questions (year 1)."""
    import tracker.scoring.comparison as comparison

    samples = [_brier_sample(pb_binary["p"], pb_binary["y"], n, seed) for seed in range(3)]
    gjp = np.array([float(r["brier_0_2_forecast"]) / 2 for r in gjp_rows
                    if r["n_opts"] == "2" and r["answer_option"] == "a" and r["brier_0_2_forecast"]])
    assert gjp.size >= 2500
    samples.append(np.random.default_rng(n).choice(gjp, n, replace=False))
    for scores in samples:
        values, counts = np.unique(scores, return_counts=True)
        assert comparison.uses_normal_limit(values, counts, 2000, 0.95)
        limit = bootstrap_ci(scores)
        again = bootstrap_ci(scores, seed=7)
        assert (again.low, again.high) == (limit.low, limit.high)  # no resampling: the seed plays no part
        with monkeypatch.context() as m:
            m.setattr(comparison, "NORMAL_MIN_N", 10**9)
            runs = [bootstrap_ci(scores, seed=seed) for seed in range(20)]
        lows, highs = [r.low for r in runs], [r.high for r in runs]
        assert min(lows) <= limit.low <= max(lows)
        assert min(highs) <= limit.high <= max(highs)
        se = scores.std() / np.sqrt(n)
        assert limit.high - limit.low == pytest.approx(2 * 1.959963984540054 * se, rel=1e-12)


def _ends(ci) -> tuple:
    return ci.low, ci.high


def test_small_or_very_skewed_samples_are_resampled(pb_binary):
    import tracker.scoring.comparison as comparison

    small = _brier_sample(pb_binary["p"], pb_binary["y"], 999, 0)
    assert _ends(bootstrap_ci(small, seed=1)) != _ends(bootstrap_ci(small, seed=2))
    # 1,000 scores, 8 of them large: skewness about 11, far past what 2,000 resamples can ignore
    skewed = np.concatenate([np.full(992, 0.01), np.full(8, 0.81)])
    values, counts = np.unique(skewed, return_counts=True)
    assert not comparison.uses_normal_limit(values, counts, 2000, 0.95)
    ci = bootstrap_ci(skewed)
    # resampled: the interval follows the skew (the normal limit would be symmetric about the mean)
    assert (ci.high - ci.mean) - (ci.mean - ci.low) > 0.0005
    # the same scores with a plain spread resample no more from n = 1000 on
    spread = np.linspace(0.0, 1.0, 1000)
    values, counts = np.unique(spread, return_counts=True)
    assert comparison.uses_normal_limit(values, counts, 2000, 0.95)
    assert not comparison.uses_normal_limit(values[:-1], counts[:-1], 2000, 0.95)  # 999 scores


def test_normal_quantile_is_the_standard_normal_one():
    from scipy.stats import norm

    import tracker.scoring.comparison as comparison

    for q in (0.5, 0.9, 0.975, 0.995, 0.999):
        assert comparison._normal_quantile(q) == pytest.approx(norm.ppf(q), abs=1e-12)
