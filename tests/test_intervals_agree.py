"""``tracker score`` and the report give identical intervals for the same group, at every size.

One board, built once for the module with a bulk CSV import: three quarters holding 100, 3,000 and
20,000 scored (question, analyst) pairs. The report's per-analyst table takes a lighter path past
2,500 pairs (no decompositions); the intervals it shows must stay those of ``tracker score --json``
for the same group: the team (also as the team section's pooled individuals), each analyst (Brier and
relative Brier) and each quarter of the trend.
"""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from click.testing import CliRunner

from tracker.cli import main
from tracker.scoring.intervals import METHODS

#: quarter -> (questions, analysts): 20 x 5 = 100, 300 x 10 = 3,000, 1,000 x 20 = 20,000 pairs
SIZES = {"2018Q1": (20, 5), "2018Q2": (300, 10), "2018Q3": (1000, 20)}
DEADLINE = {"2018Q1": "2018-02-15", "2018Q2": "2018-05-15", "2018Q3": "2018-08-15"}


def _board_csv() -> bytes:
    rng = np.random.default_rng(2018)
    lines = ["question,analyst,probability,made_at,deadline,outcome"]
    for quarter, (n_q, n_a) in SIZES.items():
        for i in range(n_q):
            truth = rng.random()
            outcome = "yes" if rng.random() < truth else "no"
            for a in range(n_a):
                # forecasters who see the truth through noise: scores vary by question and by analyst
                p = float(np.clip(np.round(truth + rng.normal(0, 0.15 + 0.02 * a), 2), 0.01, 0.99))
                lines.append(f"{quarter.lower()}-q{i:04d},a{a:02d},{p},2018-01-02T10:00:00,{DEADLINE[quarter]},{outcome}")
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture(scope="module")
def board(sqlite_template, tmp_path_factory) -> str:
    from tracker.services.transfer import import_csv
    from tracker.storage import open_store

    path = tmp_path_factory.mktemp("intervals") / "tracker.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    store = open_store(url)
    try:
        summary = import_csv(store, _board_csv(), filename="board.csv", recorded_by="test")
    finally:
        store.dispose()
    assert summary["forecasts_added"] == sum(q * a for q, a in SIZES.values()) == 23_100
    return url


def _cli(url: str, *args: str):
    result = CliRunner().invoke(main, ["--db", url, *args])
    assert result.exit_code == 0, result.output
    return result


def _score(url: str, *args: str):
    return json.loads(_cli(url, "score", "--json", *args).stdout)


def _report(url: str, *args: str) -> dict:
    return json.loads(_cli(url, "report", "--format", "json", "--as-of", "2018-12-31", *args).stdout)


@pytest.mark.parametrize("quarter", list(SIZES))
def test_score_and_report_give_identical_intervals(board, quarter):
    n_q, n_a = SIZES[quarter]
    report = _report(board, "--quarter", quarter)
    team = _score(board, "--quarter", quarter)
    assert team["n"] == report["summary"]["n_pairs"] == n_q * n_a
    assert team["brier_ci_method"].startswith("cluster-bootstrap")  # several analysts on each question
    assert team["brier_ci"] is not None and team["brier_ci"][0] < team["brier"] < team["brier_ci"][1]
    assert report["summary"]["brier_ci"] == team["brier_ci"]  # identical, not merely close
    assert report["summary"]["brier"] == team["brier"]
    # the team section's pooled individuals are the same group: the same interval
    pooled = next(row for row in report["team"]["rows"] if row["name"].startswith("individuals"))
    assert pooled["n"] == team["n"] and pooled["ci"] == team["brier_ci"]
    # and its aggregates are the rows of tracker score --team
    aggregates = {row["name"]: row for row in report["team"]["rows"]}
    by_method = {g["team"]["method"]: g for g in _score(board, "--team", "--quarter", quarter)["team"]}
    for method, name in (("mean", "team: mean"), ("median", "team: median"), ("logodds", "team: mean of log-odds"),
                         ("extremized", "team: extremized mean of log-odds (out of sample)")):
        assert aggregates[name]["n"] == by_method[method]["n"] == n_q
        assert aggregates[name]["ci"] == by_method[method]["brier_ci"] is not None
        assert aggregates[name]["brier"] == pytest.approx(by_method[method]["brier"], abs=1e-12)

    by = {g["group"]: g for g in _score(board, "--by", "analyst", "--quarter", quarter)}
    rows = {row["name"]: row for row in report["analysts"]}
    assert sorted(rows) == sorted(by) == [f"a{a:02d}" for a in range(n_a)]
    for name, row in rows.items():
        g = by[name]
        assert g["brier_ci_method"].startswith("bootstrap")  # one score per question
        assert METHODS[g["brier_ci_method"]] in report["meta"]["group_intervals"]
        assert (row["n"], row["brier"], row["brier_ci"]) == (g["n"], g["brier"], g["brier_ci"]) == (n_q, g["brier"], g["brier_ci"])
        assert row["brier_ci"] is not None
        assert row["relative_brier"] == pytest.approx(g["relative_brier"], abs=1e-12)
        assert row["relative_ci"] == g["relative_brier_ci"] and g["relative_brier_ci"] is not None
        assert row["slope"] == g["calibration"]["slope"] and row["verdict"] == g["calibration"]["verdict"]
        assert row["skill"] == g["brier_skill"]


def test_trend_intervals_are_those_of_score_by_quarter(board):
    report = _report(board, "--quarter", "2018Q3")
    trend = {row["quarter"]: row for row in report["trend"]}
    by_quarter = {g["group"]: g for g in _score(board, "--by", "quarter")}
    assert sorted(trend) == sorted(by_quarter) == sorted(SIZES)
    for quarter, row in trend.items():
        g = by_quarter[quarter]
        assert (row["n"], row["brier_ci"], row["brier_ci_method"]) == (g["n"], g["brier_ci"], g["brier_ci_method"])
        assert row["brier"] == pytest.approx(g["brier"], abs=1e-12)


def test_time_weighted_intervals_agree_past_the_light_path(board):
    """The time-weighted mode scores other numbers by another road through the same loader: still one
    interval per group (3,000 pairs: past the per-analyst table's light path)."""
    report = _report(board, "--quarter", "2018Q2", "--mode", "time-weighted", "--scale", "0-2")
    team = _score(board, "--quarter", "2018Q2", "--mode", "time-weighted", "--scale", "0-2")
    assert report["summary"]["brier_ci"] == team["brier_ci"] is not None
    by = {g["group"]: g for g in _score(board, "--by", "analyst", "--quarter", "2018Q2", "--mode", "time-weighted",
                                        "--scale", "0-2")}
    for row in report["analysts"]:
        assert row["brier_ci"] == by[row["name"]]["brier_ci"] is not None
        assert (row["brier"], row["skill"]) == (by[row["name"]]["brier"], by[row["name"]]["brier_skill"])
        assert row["relative_ci"] == by[row["name"]]["relative_brier_ci"]


def test_cli_choices_follow_the_scope():
    """The shared CLI options list exactly the modes and forecast sets a Scope accepts."""
    from tracker.cli import common
    from tracker.scope import FORECAST_SETS, MODES

    assert common.MODE_CHOICES == MODES and common.FORECAST_CHOICES == FORECAST_SETS


def test_relative_to_team_has_the_interval_of_its_own_differences(board):
    """``--relative-to team``: the interval is that of each analyst's differences from the team's
    extremized forecast (once it was the interval against the other analysts beside the team's value)."""
    from tracker.scoring import mean_interval

    team = {g["group"]: g for g in _score(board, "--by", "analyst", "--relative-to", "team", "--quarter", "2018Q1")}
    others = {g["group"]: g for g in _score(board, "--by", "analyst", "--quarter", "2018Q1")}
    for name, g in team.items():
        assert g["relative_to"] == "team (extremized)" and g["relative_brier_n"] == 20
        low, high = g["relative_brier_ci"]
        assert low < g["relative_brier"] < high
        assert g["relative_brier_ci"] != others[name]["relative_brier_ci"]
    # a00's differences from the team, question by question, resampled by questions
    from tracker.scope import Scope
    from tracker.services.aggregate import team_scores
    from tracker.services.pairs import load_pairs
    from tracker.storage import open_store

    store = open_store(board)
    try:
        raw: dict = {}
        pairs = load_pairs(store, Scope(quarter="2018Q1"), raw=raw)
    finally:
        store.dispose()
    reference = team_scores(raw, mode="final", cv="loo")
    mine = pairs.analyst.astype(str) == "a00"
    diffs = pairs.brier[mine] - np.array([reference[q] for q in pairs.question[mine]])
    assert team["a00"]["relative_brier"] == pytest.approx(diffs.mean(), abs=1e-12)
    assert team["a00"]["relative_brier_ci"] == mean_interval(diffs, pairs.question[mine])[0]
