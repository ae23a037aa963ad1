"""summarize(): the `tracker score --json` contract, and agreement with the single functions."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tracker.scoring import (
    group_interval,
    brier_score,
    brier_scores,
    brier_skill_score,
    calibration_slope,
    corp_decomposition,
    log_score,
    murphy_decomposition,
    spiegelhalter_z,
    summarize,
)

KEYS = {
    "n",
    "brier",
    "brier_scale",
    "log_score",
    "log_score_clipped",
    "base_rate",
    "brier_skill",
    "brier_ci",
    "brier_ci_method",
    "murphy",
    "corp",
    "spiegelhalter",
    "calibration",
    "notes",
}


def test_exact_keys_and_json(solar):
    result = summarize(solar["DAFFS"], solar["y"])
    assert set(result) == KEYS
    assert set(result["murphy"]) == {
        "bins",
        "reliability",
        "resolution",
        "uncertainty",
        "within_bin_variance",
        "within_bin_covariance",
    }
    assert set(result["corp"]) == {"mcb", "dsc", "unc"}
    assert set(result["spiegelhalter"]) == {"z", "p_value"}
    assert set(result["calibration"]) == {"slope", "intercept", "slope_ci", "p_value", "n_clipped", "slope_ci_method"}
    assert result["calibration"]["slope_ci_method"] == "wald" and result["brier_ci_method"] == "bootstrap-t"
    text = json.dumps(result, allow_nan=False)
    assert json.loads(text) == result  # plain floats, ints, lists, strings and None only
    assert isinstance(result["n"], int) and isinstance(result["log_score_clipped"], int)
    assert isinstance(result["brier_ci"], list) and len(result["brier_ci"]) == 2


@pytest.mark.parametrize("name", ["DAFFS", "NICT", "ASSA", "NOAA"])
def test_agrees_with_the_single_functions(solar, name):
    p, y = solar[name], solar["y"]
    result = summarize(p, y, bins=10, seed=5, n_resamples=500)
    assert result["n"] == p.size
    assert result["brier"] == pytest.approx(brier_score(p, y), abs=1e-14)
    log = log_score(p, y)
    assert result["log_score"] == pytest.approx(log.mean, rel=1e-12)
    assert result["log_score_clipped"] == log.n_clipped
    assert result["base_rate"] == pytest.approx(y.mean())
    assert result["brier_skill"] == pytest.approx(brier_skill_score(p, y).skill, abs=1e-12)
    m = murphy_decomposition(p, y, bins=10)
    for key in result["murphy"]:
        assert result["murphy"][key] == pytest.approx(getattr(m, key), abs=1e-14)
    c = corp_decomposition(p, y)
    assert result["corp"] == pytest.approx({"mcb": c.mcb, "dsc": c.dsc, "unc": c.unc}, abs=1e-14)
    s = spiegelhalter_z(p, y)
    assert result["spiegelhalter"] == pytest.approx({"z": s.z, "p_value": s.p_value}, abs=1e-12)
    cal = calibration_slope(p, y)
    assert result["calibration"]["slope"] == pytest.approx(cal.slope, abs=1e-12)
    assert result["calibration"]["slope_ci"] == pytest.approx(list(cal.slope_ci), abs=1e-12)
    # the interval is group_interval's of the per-forecast scores, each forecast its own question
    gi = group_interval(brier_scores(p, y), np.arange(p.size), n_resamples=500, seed=5)
    assert result["brier_ci"] == [gi.low, gi.high] and result["brier_ci_method"] == gi.method


def test_two_outcome_scale_doubles_brier_only(solar):
    p, y = solar["DAFFS"], solar["y"]
    one = summarize(p, y, seed=3)
    two = summarize(p, y, scale="0-2", seed=3)
    assert two["brier_scale"] == "0-2" and one["brier_scale"] == "0-1"
    assert two["brier"] == pytest.approx(2 * one["brier"])
    assert two["brier_ci"] == pytest.approx([2 * v for v in one["brier_ci"]])
    gi = group_interval(brier_scores(p, y, scale="0-2"), np.arange(p.size), seed=3)
    assert two["brier_ci"] == [gi.low, gi.high]
    assert two["murphy"] == one["murphy"] and two["corp"] == one["corp"]
    assert two["brier_skill"] == one["brier_skill"]
    assert any("0-1 scale" in note for note in two["notes"])


def test_without_bootstrap():
    result = summarize([0.2, 0.7, 0.9, 0.4], [0, 1, 1, 0], bootstrap=False)
    assert result["brier_ci"] is None
    assert any("bootstrap=False" in note for note in result["notes"])


def test_undefined_values_come_with_notes():
    result = summarize([0.0, 0.5, 1.0] * 4, [1] * 12, bootstrap=False)
    assert result["brier_skill"] is None
    assert result["spiegelhalter"] == {"z": None, "p_value": None}
    assert result["calibration"] == {"slope": None, "intercept": None, "slope_ci": None, "p_value": None,
                                     "n_clipped": 8, "slope_ci_method": None}
    notes = " | ".join(result["notes"])
    assert "base rate is 0 or 1" in notes
    assert "every forecast is 0, 0.5 or 1" in notes
    assert "only one outcome class" in notes
    assert "clipped" in notes  # the log score clipped the 0 and the 1
    json.dumps(result, allow_nan=False)


def test_worked_example_summary():
    p = [0.1, 0.2, 0.3, 0.4, 0.6, 0.7, 0.8, 0.9]
    y = [0, 0, 1, 0, 1, 0, 1, 1]
    result = summarize(p, y, bins=2)
    assert result["brier"] == pytest.approx(0.175)
    assert result["murphy"]["resolution"] == pytest.approx(1 / 16)
    assert result["corp"]["mcb"] == pytest.approx(1 / 20) and result["corp"]["dsc"] == pytest.approx(1 / 8)
    assert result["brier_skill"] == pytest.approx(0.3)
    # 8 forecasts: too few to test calibration (a Spiegelhalter z or a slope on them would be noise)
    assert result["notes"] == ["8 forecasts: fewer than 10, no Spiegelhalter test and no calibration slope",
                               "brier_ci: no interval: 8 questions, fewer than 10"]
    assert result["spiegelhalter"]["z"] is None and result["calibration"]["slope"] is None


def test_tiny_groups_get_no_tests_and_no_question_interval():
    one = summarize([0.9], [1], questions=["q1"])
    assert one["spiegelhalter"] == {"z": None, "p_value": None}  # once: z and p at n = 1
    assert one["brier_ci"] is None and one["brier_ci_method"] is None  # once: a zero-width interval
    assert any("1 question, fewer than 10" in note for note in one["notes"])
    two = summarize([0.9, 0.3], [1, 0], questions=["q1", "q2"])
    assert two["brier_ci"] is None and two["calibration"]["slope_ci"] is None

def test_large_input_with_many_distinct_values():
    rng = np.random.default_rng(8)
    p = rng.random(50_000)
    y = rng.random(p.size) < p
    result = summarize(p, y, bootstrap=False)
    assert result["brier"] == pytest.approx(brier_score(p, y), abs=1e-14)
    assert result["calibration"]["slope"] == pytest.approx(1.0, abs=0.1)
