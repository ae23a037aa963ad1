"""Bad input raises ValueError with a one-line message naming what was wrong."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tracker.scoring import (
    bootstrap_ci,
    brier_score,
    brier_scores,
    brier_skill_score,
    calibration_slope,
    categorical_brier_scores,
    corp_decomposition,
    log_score,
    log_scores,
    murphy_decomposition,
    paired_difference,
    ranked_probability_scores,
    relative_brier,
    reliability_binned,
    reliability_corp,
    spiegelhalter_z,
    summarize,
)

BINARY = [
    brier_scores,
    brier_score,
    log_scores,
    log_score,
    murphy_decomposition,
    corp_decomposition,
    reliability_binned,
    reliability_corp,
    spiegelhalter_z,
    calibration_slope,
    brier_skill_score,
    summarize,
]

BAD_BINARY = [
    ([0.2, math.nan], [0, 1], r"p: NaN or infinite value nan at index 1"),
    ([0.2, math.inf], [0, 1], r"p: NaN or infinite value inf at index 1"),
    ([0.2, 1.2], [0, 1], r"p: probabilities must lie in \[0, 1\]; found 1.2 at index 1"),
    ([-0.1, 0.5], [0, 1], r"p: probabilities must lie in \[0, 1\]; found -0.1 at index 0"),
    ([0.2, 0.5], [0, 2], r"y: outcomes must be 0 or 1; found 2 at index 1"),
    ([0.2, 0.5], [0.5, 1.0], r"y: outcomes must be 0 or 1; found 0.5 at index 0"),
    ([0.2, 0.5], [0, math.nan], r"y: outcomes must be 0 or 1; found nan at index 1"),
    ([0.2, 0.5], ["no", "yes"], r"y: outcomes must be 0 or 1, got values of type <U3"),
    ([0.2, 0.5], [0, 1, 1], r"length mismatch: p has 2, y has 3"),
    ([], [], r"p: empty input"),
    ([[0.2, 0.5]], [0, 1], r"p: expected a 1-D array"),
    (["a", "b"], [0, 1], r"p: expected numbers"),
]


@pytest.mark.parametrize("fn", BINARY, ids=lambda f: f.__name__)
@pytest.mark.parametrize(("p", "y", "message"), BAD_BINARY)
def test_binary_functions_reject_bad_input(fn, p, y, message):
    with pytest.raises(ValueError, match=message) as info:
        fn(p, y)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("fn", [murphy_decomposition, reliability_binned, summarize], ids=lambda f: f.__name__)
@pytest.mark.parametrize("bins", [0, -3, 2.5, True, "10"])
def test_bins_must_be_a_positive_integer(fn, bins):
    with pytest.raises(ValueError, match="bins must be an integer >= 1"):
        fn([0.2, 0.8], [0, 1], bins=bins)


@pytest.mark.parametrize("fn", [brier_scores, brier_score, summarize], ids=lambda f: f.__name__)
def test_unknown_scale(fn):
    with pytest.raises(ValueError, match=r"scale must be '0-1' or '0-2', got '0-100'"):
        fn([0.2], [1], scale="0-100")


@pytest.mark.parametrize("eps", [0.0, 0.5, -1e-3, math.nan])
def test_log_score_eps(eps):
    with pytest.raises(ValueError, match="eps"):
        log_score([0.2], [1], eps=eps)


def test_levels_and_resamples():
    with pytest.raises(ValueError, match="level must be a number strictly between 0 and 1"):
        bootstrap_ci([0.1, 0.2], level=1.0)
    with pytest.raises(ValueError, match="n_resamples must be an integer >= 1"):
        bootstrap_ci([0.1, 0.2], n_resamples=0)
    with pytest.raises(ValueError, match="level"):
        reliability_corp([0.2, 0.8], [0, 1], level=0.0)
    with pytest.raises(ValueError, match="level"):
        calibration_slope([0.2, 0.8], [0, 1], level=95)
    with pytest.raises(ValueError, match="scores: NaN"):
        bootstrap_ci([0.1, math.nan])
    with pytest.raises(ValueError, match="scores: empty input"):
        bootstrap_ci([])


CATEGORICAL = [categorical_brier_scores, ranked_probability_scores]
BAD_CATEGORICAL = [
    ([[0.2, 0.5, 0.2]], [0], r"P: each row must sum to 1 \(within 1e-06\); row 0 sums to 0.9"),
    ([[0.5, 0.5], [0.7, 0.2]], [0, 1], r"row 1 sums to 0.9"),
    ([[0.5, 0.5]], [2], r"k: outcome index 2 at index 0 is out of range for 2 outcomes"),
    ([[0.5, 0.5]], [-1], r"out of range"),
    ([[0.5, 0.5]], [0.5], r"k: outcome indices must be integers; found 0.5"),
    ([[0.5, 0.5]], ["a"], r"k: outcome indices must be integers"),
    ([[0.5, 0.5]], [0, 1], r"length mismatch: P has 1, k has 2"),
    ([[1.0]], [0], r"P: need at least 2 outcome columns"),
    ([[1.5, -0.5]], [0], r"P: probabilities must lie in \[0, 1\]"),
    ([[math.nan, 0.5]], [0], r"P: NaN or infinite value"),
    ([0.5, 0.5], [0], r"P: expected a 2-D array"),
    (np.empty((0, 3)), [], r"P: empty input"),
]


@pytest.mark.parametrize("fn", CATEGORICAL, ids=lambda f: f.__name__)
@pytest.mark.parametrize(("P", "k", "message"), BAD_CATEGORICAL)
def test_categorical_functions_reject_bad_input(fn, P, k, message):
    with pytest.raises(ValueError, match=message):
        fn(P, k)


def test_row_sum_tolerance():
    assert categorical_brier_scores([[0.3333333, 0.3333333, 0.3333334]], [0])[0] > 0  # within 1e-6
    with pytest.raises(ValueError, match="sums to"):
        categorical_brier_scores([[0.333, 0.333, 0.333]], [0])


def test_comparison_inputs():
    with pytest.raises(ValueError, match="length mismatch: question_ids has 2, analyst_ids has 2, scores has 1"):
        relative_brier(["q1", "q2"], ["a", "b"], [0.1])
    with pytest.raises(ValueError, match="scores: NaN"):
        relative_brier(["q1"], ["a"], [math.nan])
    with pytest.raises(ValueError, match="question_ids: empty input"):
        relative_brier([], [], [])
    with pytest.raises(ValueError, match="mutually comparable"):
        relative_brier(np.array(["q1", 2], dtype=object), ["a", "b"], [0.1, 0.2])
    with pytest.raises(ValueError, match="level"):
        paired_difference(["q1"], ["a"], [0.1], "a", "b", level=2)
