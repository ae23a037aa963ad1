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
    # 4 questions: below the 10 a question bootstrap needs, so no interval, and a note says why
    assert out["brier_ci"] is None and out["brier_ci_method"] is None
    assert "brier_ci: no interval: 4 questions, fewer than 10" in out["notes"]
    m = out["murphy"]
    identity = m["reliability"] - m["resolution"] + m["uncertainty"] + m["within_bin_variance"] - m["within_bin_covariance"]
    assert identity == pytest.approx(out["brier"])
    c = out["corp"]
    assert c["mcb"] - c["dsc"] + c["unc"] == pytest.approx(out["brier"])


def test_by_analyst_with_relative_brier(small):
    rows = {r["group"]: r for r in score(small, "--by", "analyst")}
    assert rows["a"]["brier"] == pytest.approx(0.7 / 4)
    assert rows["b"]["brier"] == pytest.approx(0.91 / 4)
    # against the other analyst (the default, leave-one-out): a - b on each question
    assert rows["a"]["relative_brier"] == pytest.approx(-0.21 / 4) and rows["a"]["relative_to"] == "others"
    assert rows["b"]["relative_brier"] == pytest.approx(0.21 / 4) and rows["a"]["relative_brier_n"] == 4
    assert rows["a"]["relative_brier_ci"] is None  # 4 questions: no interval
    # GJ Open's median score: with two analysts the median is their mean, a - median = (a - b) / 2
    med = {r["group"]: r for r in score(small, "--by", "analyst", "--relative-to", "median-score")}
    assert med["a"]["relative_brier"] == pytest.approx(-0.21 / 2 / 4)
    assert med["b"]["relative_brier"] == pytest.approx(0.21 / 2 / 4) and med["b"]["relative_to"] == "median-score"


def test_initial_mode_scores_the_first_forecast(small):
    rows = {r["group"]: r for r in score(small, "--by", "analyst", "--mode", "initial")}
    assert rows["a"]["brier"] == pytest.approx((0.25 + 0.04 + 0.49 + 0.16) / 4)


def test_time_weighted_mode_weights_revisions_by_time_in_force(small):
    rows = {r["group"]: r for r in score(small, "--by", "question", "--mode", "time-weighted", "--analyst", "a")}
    # q1 opened 2018-06-01 (first forecast), known 2018-07-20: 0.5 for 30 days, 0.9 for 19 days; the
    # scheduled window runs to the end of the deadline day (2018-07-31, 61 days) and the 12 days after the
    # early resolution count 0 (truncation; it once divided by the 49 open days, which is improper)
    assert rows["q1"]["brier"] == pytest.approx((30 * 0.25 + 19 * 0.01) / 61)
    assert rows["q1"]["coverage"] == pytest.approx(1.0)
    assert set(rows["q1"]["from_final_forecasts"]) == {"log_score", "murphy", "corp", "spiegelhalter", "calibration"}


ISSUE_CSV = """\
question,analyst,probability,made_at,deadline,outcome,known_at
q1,alice,0.2,2024-03-01T00:00:00,2024-03-31,yes,
q1,alice,0.6,2024-03-11T00:00:00,2024-03-31,yes,
q1,alice,0.9,2024-03-21T00:00:00,2024-03-31,yes,
q1,bob,0.5,2024-03-16T00:00:00,2024-03-31,yes,
q2,alice,0.7,2024-04-01T00:00:00,2024-04-30,no,2024-04-16T00:00:00
q2,alice,0.1,2024-04-11T00:00:00,2024-04-30,no,2024-04-16T00:00:00
q2,bob,0.4,2024-04-06T00:00:00,2024-04-30,no,2024-04-16T00:00:00
"""


def test_late_entry_near_the_answer_is_not_rewarded(cli, tmp_path):
    # the issue's reproduction: bob joins each question late; his relative time-weighted Brier was
    # -0.045 (better than the median) when the time before his first forecast was dropped
    path = tmp_path / "late.csv"
    path.write_text(ISSUE_CSV)
    cli.ok("import", path)
    rows = {r["group"]: r for r in score(cli, "--by", "analyst", "--mode", "time-weighted")}
    # q1 (31 days, yes): alice 0.2/0.6/0.9 for 10/10/11 days -> 8.11 / 31; bob: alice's 0.2 and 0.6
    # (the team's median, alone in force) for 10 and 5 days, then his 0.5 for 16 -> 11.2 / 31.
    # q2 (30 days, no, known on day 15): alice 0.7 for 10 days, 0.1 for 5 -> 4.95 / 30; bob: alice's
    # 0.7 for 5 days, then his 0.4 for 10 -> 4.05 / 30; the 15 days after the answer count 0.
    alice = (8.11 / 31 + 4.95 / 30) / 2
    bob = (11.2 / 31 + 4.05 / 30) / 2
    assert rows["alice"]["brier"] == pytest.approx(alice) and rows["bob"]["brier"] == pytest.approx(bob)
    assert rows["bob"]["relative_brier"] == pytest.approx(bob - alice) and rows["bob"]["relative_brier"] > 0
    median = {r["group"]: r for r in score(cli, "--by", "analyst", "--mode", "time-weighted",
                                            "--relative-to", "median-score")}
    assert median["bob"]["relative_brier"] == pytest.approx((bob - alice) / 2) and median["bob"]["relative_brier"] > 0


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


def _team_csv(tmp_path, n_questions, forecasts):
    """A CSV where every analyst in ``forecasts`` (name -> probability per question) forecasts
    ``n_questions`` questions; question i resolves yes when i is even."""
    lines = ["question,analyst,probability,made_at,deadline,outcome,known_at"]
    for i in range(n_questions):
        for who, probs in forecasts.items():
            lines.append(f"t{i:02d},{who},{probs[i]},2018-06-01,2018-09-30,{'yes' if i % 2 == 0 else 'no'},2018-09-01")
    path = tmp_path / "team.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_team_interval_resamples_questions_not_pairs(cli, tmp_path):
    # six analysts agreeing on 20 questions: the team knows no more than one of them does. The old
    # interval resampled the 120 pairs as if independent and came out about sqrt(6) too narrow.
    probs = [0.7 if i % 2 == 0 else 0.4 for i in range(20)]
    probs[3], probs[8] = 0.9, 0.2  # two misses
    cli.ok("import", _team_csv(tmp_path, 20, {f"an{k}": probs for k in range(6)}))
    team = score(cli)
    one = score(cli, "--analyst", "an0")
    assert team["n"] == 120 and team["brier_ci_method"] == "cluster-bootstrap-t"
    assert one["brier_ci_method"] == "bootstrap-t"
    width, width_one = team["brier_ci"][1] - team["brier_ci"][0], one["brier_ci"][1] - one["brier_ci"][0]
    assert width == pytest.approx(width_one, rel=0.15)
    from tracker.scoring import bootstrap_ci

    old = bootstrap_ci(np.tile((np.array(probs) - np.array([1, 0] * 10)) ** 2, 6))
    assert old.high - old.low < 0.6 * width


def test_verdicts_are_holm_adjusted_across_the_analysts_shown(cli, tmp_path):
    rng = np.random.default_rng(5)
    n = 40
    fair = np.round(rng.uniform(0.05, 0.95, n), 2)
    forecasts = {"fair": fair.tolist()}
    cli.ok("import", _team_csv(tmp_path, n, forecasts))
    rows = score(cli, "--by", "analyst")
    cal = rows[0]["calibration"]
    assert set(cal) >= {"p_value", "p_adjusted", "n_clipped", "verdict"}
    assert cal["p_adjusted"] == pytest.approx(cal["p_value"])  # alone: nothing to adjust for
    # 40 forecasts cannot show calibration within 0.8-1.25: the old rule said "calibrated"
    # whenever the interval held 1 and was at most 2 wide
    assert cal["verdict"] in ("no evidence either way", "overconfident", "underconfident")
    assert cal["verdict"] != "calibrated"


def test_team_slope_interval_is_clustered_by_question(cli, tmp_path):
    # six analysts on 30 questions with forecasts that share each question's outcome: the team's
    # slope interval is the cluster-robust one (wider than the naive Wald interval of the same fit),
    # an analyst's (one forecast a question) the model-based Wald interval, exactly calibration_slope's.
    from tracker.scoring import calibration_slope

    rng = np.random.default_rng(3)
    n = 30
    base = np.round(rng.uniform(0.1, 0.9, n), 2)
    forecasts = {f"an{k}": np.clip(np.round(base + rng.normal(0, 0.05, n), 2), 0.02, 0.98).tolist()
                 for k in range(6)}
    cli.ok("import", _team_csv(tmp_path, n, forecasts))
    team = score(cli)
    rows = {r["group"]: r for r in score(cli, "--by", "analyst")}
    y = np.array([1 if i % 2 == 0 else 0 for i in range(n)])
    p = np.concatenate([forecasts[f"an{k}"] for k in range(6)])
    naive = calibration_slope(p, np.tile(y, 6))
    cal = team["calibration"]
    assert cal["slope_ci_method"] == "cluster-jackknife"
    assert cal["slope"] == pytest.approx(naive.slope, abs=1e-9)
    assert cal["slope_ci"][1] - cal["slope_ci"][0] > 1.5 * (naive.slope_ci[1] - naive.slope_ci[0])
    one = rows["an0"]["calibration"]
    alone = calibration_slope(forecasts["an0"], y)
    assert one["slope_ci_method"] == "wald" and one["slope_ci"] == pytest.approx(list(alone.slope_ci), abs=1e-12)



def test_the_table_names_its_interval_methods(cli, tmp_path):
    rng = np.random.default_rng(8)
    n = 12
    cli.ok("import", _team_csv(tmp_path, n, {f"an{k}": np.round(rng.uniform(0.1, 0.9, n), 2).tolist()
                                            for k in range(3)}))
    out = cli.ok("score").stdout
    assert "95% CI: cluster-bootstrap-t, studentized (bootstrap-t) interval" in out
    assert "slope interval: cluster-jackknife" in out
    out = cli.ok("score", "--by", "analyst").stdout
    assert "95% CI: bootstrap-t, studentized (bootstrap-t) interval" in out and "slope interval: wald" in out
