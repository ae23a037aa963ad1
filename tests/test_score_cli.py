"""``tracker score`` from the database: hand-computed values, the JSON
contract, modes, grouping, filters and the over-confidence flag."""

from __future__ import annotations

import json

import numpy as np
import pytest

SMALL = """\
question,analyst,probability,made_at,deadline,tags,outcome,known_at
q1,a,0.5,2018-06-01,2018-07-31,russia,yes,2018-07-20
q1,a,0.9,2018-07-01,2018-07-31,russia,yes,2018-07-20
q1,b,0.6,2018-06-02,2018-07-31,russia,yes,2018-07-20
q2,a,0.2,2018-06-01,2018-08-31,russia;syria,no,2018-08-20
q2,b,0.5,2018-06-01,2018-08-31,russia;syria,no,2018-08-20
q3,a,0.7,2018-06-01,2018-10-31,syria,no,2018-10-20
q3,b,0.1,2018-06-01,2018-10-31,syria,no,2018-10-20
q4,a,0.6,2018-06-01,2018-10-31,,yes,2018-10-20
q4,b,0.3,2018-06-01,2018-10-31,,yes,2018-10-20
q5,a,0.8,2018-06-01,2018-10-31,,,
"""
KEYS = {"n", "brier", "brier_scale", "log_score", "base_rate", "brier_skill", "brier_ci", "murphy", "corp",
        "spiegelhalter", "calibration"}


@pytest.fixture
def small(cli, tmp_path):
    path = tmp_path / "small.csv"
    path.write_text(SMALL)
    cli.ok("import", path)
    return cli


def score(cli, *args):
    return json.loads(cli.ok("score", *args, "--json").stdout)


def test_team_brier_is_the_mean_over_question_analyst_pairs(small):
    out = score(small)
    assert KEYS <= set(out)
    # a: .01 .04 .49 .16   b: .16 .25 .01 .49   (q5 is unresolved: not scored)
    assert out["n"] == 8
    assert out["brier"] == pytest.approx(1.61 / 8)
    assert out["brier_scale"] == "0-1"
    assert out["base_rate"] == pytest.approx(0.5)
    assert out["brier_skill"] == pytest.approx(1 - (1.61 / 8) / 0.25)
    low, high = out["brier_ci"]
    assert low < out["brier"] < high
    m = out["murphy"]
    identity = m["reliability"] - m["resolution"] + m["uncertainty"] + m["within_bin_variance"] - m["within_bin_covariance"]
    assert identity == pytest.approx(out["brier"])
    c = out["corp"]
    assert c["mcb"] - c["dsc"] + c["unc"] == pytest.approx(out["brier"])


def test_by_analyst_with_relative_brier(small):
    rows = {r["group"]: r for r in score(small, "--by", "analyst")}
    assert rows["a"]["brier"] == pytest.approx(0.7 / 4)
    assert rows["b"]["brier"] == pytest.approx(0.91 / 4)
    # with two analysts the median is their mean: a - median = (a - b) / 2
    assert rows["a"]["relative_brier"] == pytest.approx(-0.21 / 2 / 4)
    assert rows["b"]["relative_brier"] == pytest.approx(0.21 / 2 / 4)


def test_initial_mode_scores_the_first_forecast(small):
    rows = {r["group"]: r for r in score(small, "--by", "analyst", "--mode", "initial")}
    assert rows["a"]["brier"] == pytest.approx((0.25 + 0.04 + 0.49 + 0.16) / 4)


def test_time_weighted_mode_weights_revisions_by_time_in_force(small):
    rows = {r["group"]: r for r in score(small, "--by", "question", "--mode", "time-weighted", "--analyst", "a")}
    # q1 opened 2018-06-01 (first forecast), closed when known 2018-07-20: 0.5 for 30 days, 0.9 for 19 days
    assert rows["q1"]["brier"] == pytest.approx((30 * 0.25 + 19 * 0.01) / 49)
    assert rows["q1"]["coverage"] == pytest.approx(1.0)


def test_scale_0_2_doubles_the_brier_numbers_only(small):
    one, two = score(small), score(small, "--scale", "0-2")
    assert two["brier_scale"] == "0-2"
    assert two["brier"] == pytest.approx(2 * one["brier"])
    assert two["murphy"] == one["murphy"]


def test_grouping_by_tag_and_quarter_and_filters(small):
    tags = {r["group"]: r["n"] for r in score(small, "--by", "tag")}
    assert tags == {"russia": 4, "syria": 4, "(untagged)": 2}
    quarters = {r["group"]: r["n"] for r in score(small, "--by", "quarter")}
    assert quarters == {"2018Q3": 4, "2018Q4": 4}
    assert score(small, "--quarter", "2018Q4")["n"] == 4
    assert score(small, "--tag", "syria", "--analyst", "b")["brier"] == pytest.approx((0.25 + 0.01) / 2)


def test_undefined_statistics_are_null_with_a_reason(cli, tmp_path):
    path = tmp_path / "one.csv"
    path.write_text("question,analyst,probability,made_at,deadline,outcome\nq,a,0.7,2018-06-01,2018-07-31,yes\n")
    cli.ok("import", path)
    out = score(cli)
    assert out["n"] == 1 and out["brier"] == pytest.approx(0.09)
    assert out["brier_skill"] is None and out["calibration"]["slope"] is None
    assert out["notes"]
    r = cli.ok("score")
    assert "note:" in r.stderr


def test_empty_database_scores_nothing(cli):
    assert score(cli, "--by", "analyst") == []
    assert score(cli)["n"] == 0
    assert "no resolved forecasts" in cli.ok("score").stderr


def test_an_overconfident_analyst_is_flagged(cli, tmp_path):
    rng = np.random.default_rng(3)
    truth = rng.uniform(0.05, 0.95, 600)
    logit = np.log(truth / (1 - truth))
    over = 1 / (1 + np.exp(-3 * logit))  # pushed to the extremes
    y = rng.random(600) < truth
    lines = ["question,analyst,probability,made_at,deadline,outcome"]
    for i in range(600):
        lines.append(f"q{i},bold,{over[i]:.4f},2018-06-01,2018-07-31,{'yes' if y[i] else 'no'}")
        lines.append(f"q{i},fair,{truth[i]:.4f},2018-06-01,2018-07-31,{'yes' if y[i] else 'no'}")
    path = tmp_path / "cal.csv"
    path.write_text("\n".join(lines) + "\n")
    cli.ok("import", path)
    rows = {r["group"]: r for r in score(cli, "--by", "analyst", "--no-bootstrap")}
    assert rows["bold"]["calibration"]["slope_ci"][1] < 1
    assert rows["fair"]["calibration"]["slope_ci"][0] < 1 < rows["fair"]["calibration"]["slope_ci"][1]
    table = cli.ok("score", "--by", "analyst").stdout
    bold_line = next(line for line in table.splitlines() if line.startswith("bold"))
    fair_line = next(line for line in table.splitlines() if line.startswith("fair"))
    assert "overconfident" in bold_line and "overconfident" not in fair_line


def test_forecasts_after_the_outcome_was_known_are_not_scored(cli, tmp_path):
    path = tmp_path / "late.csv"
    path.write_text("question,analyst,probability,made_at,deadline\nq,a,0.2,2018-06-01,2018-07-31\n")
    cli.ok("import", path)
    cli.ok("resolve", "q", "yes", "--known-at", "2018-07-10")
    assert score(cli)["brier"] == pytest.approx(0.64)


def test_bad_options_are_usage_errors(cli):
    assert cli("score", "--by", "colour").exit_code == 2
    cli.fails("score", "--quarter", "2018Q5", match="quarter '2018Q5' is not like 2018Q3")


CATEGORICAL = """\
id: cat
title: categorical scoring
questions:
  - id: size
    text: How large is the turnout?
    deadline: 2018-07-31
    outcomes: [low, mid, high]
    ordered: true
    forecasts:
      - {analyst: a, probability: {low: 0.2, mid: 0.5, high: 0.3}, made_at: 2018-06-01}
  - id: venue
    text: Where do they meet?
    deadline: 2018-07-31
    outcomes: [vienna, helsinki, elsewhere]
    forecasts:
      - {analyst: a, probability: {vienna: 0.6, helsinki: 0.3, elsewhere: 0.1}, made_at: 2018-06-01}
"""


def test_categorical_questions_are_scored_apart_with_rps_when_ordered(cli, tmp_path):
    path = tmp_path / "cat.yaml"
    path.write_text(CATEGORICAL)
    cli.ok("import", path)
    cli.ok("resolve", "size", "high", "--known-at", "2018-07-20")
    cli.ok("resolve", "venue", "helsinki", "--known-at", "2018-07-20")
    out = score(cli)
    assert out["n"] == 0  # no binary pairs
    cat = out["categorical"]
    # size: .04 + .25 + .49 = .78; venue: .36 + .49 + .01 = .86
    assert cat["n"] == 2 and cat["brier"] == pytest.approx((0.78 + 0.86) / 2)
    # RPS of size: cumulative (0.2, 0.7) vs (0, 0): 0.04 + 0.49
    assert cat["rps"] == pytest.approx(0.53) and cat["n_ordered"] == 1


def test_groups_scored_on_threads_give_the_same_numbers(tmp_path, sqlite_url, monkeypatch):
    """120 analysts x 30 questions, scored on one thread and on several: the
    same output, interval for interval (each group has its own seeded draws)."""
    from support import CLI

    from tracker.services import score as service

    rng = np.random.default_rng(5)
    lines = ["question,analyst,probability,made_at,deadline,outcome"]
    for q in range(30):
        outcome = "yes" if rng.random() < 0.4 else "no"
        for a in range(120):
            lines.append(f"q{q},a{a:03d},{rng.integers(0, 101) / 100},2018-06-01,2018-07-31,{outcome}")
    (tmp_path / "many.csv").write_text("\n".join(lines) + "\n")
    cli = CLI(sqlite_url)
    cli.ok("import", tmp_path / "many.csv")
    monkeypatch.setattr(service, "MAX_WORKERS", 1)
    one = score(cli, "--by", "analyst")
    monkeypatch.setattr(service, "MAX_WORKERS", 4)
    monkeypatch.setattr(service, "PARALLEL_MIN_PAIRS", 0)
    monkeypatch.setattr(service, "PARALLEL_MIN_PAIRS_PER_GROUP", 0)
    calls = []
    real = service._map_groups

    def spy(fn, names, n_pairs, progress):
        import threading

        out = real(lambda name: (calls.append(threading.current_thread().name), fn(name))[1], names, n_pairs, progress)
        return out

    monkeypatch.setattr(service, "_map_groups", spy)
    many = score(cli, "--by", "analyst")
    assert len(one) == 120 and many == one
    assert all(name.startswith("tracker-score") for name in calls) and len(calls) == 120
