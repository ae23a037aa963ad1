"""The honest-statistics conventions end to end: a declared opening is kept, the time-weighted
score covers categorical questions and labels what comes from final forecasts."""

from __future__ import annotations

import json
import textwrap
from datetime import datetime, timezone
from types import SimpleNamespace

import pytest

SCENARIO = """\
id: sc
title: S
questions:
  - id: q
    text: Q
    deadline: "2024-01-30"
    opened: 2024-01-06
    forecasts:
      - {analyst: alice, probability: 0.3, made_at: 2024-01-01}
      - {analyst: bob, probability: 0.6, made_at: 2024-01-16}
"""


def test_a_declared_opening_is_kept_and_earlier_forecasts_count_from_it(cli, tmp_path):
    path = tmp_path / "sc.yaml"
    path.write_text(textwrap.dedent(SCENARIO), encoding="utf-8")
    cli.ok("import", path)
    q = json.loads(cli.ok("show", "q", "--json").stdout)
    assert q["opened_at"] == "2024-01-06T00:00:00Z"  # it was moved back to alice's 2024-01-01
    cli.ok("resolve", "q", "yes", "--known-at", "2024-01-31")
    rows = {r["group"]: r for r in json.loads(cli.ok("score", "--by", "analyst", "--mode", "time-weighted",
                                                      "--json").stdout)}
    # window 01-06 to the end of 01-30: 25 days; bob's forecast from 01-16 covers 15 of them
    # (10 of 30, a third, when the opening moved back to 01-01)
    assert rows["bob"]["coverage"] == pytest.approx(15 / 25)
    assert rows["alice"]["coverage"] == pytest.approx(1.0)
    assert rows["alice"]["brier"] == pytest.approx(0.49)  # 0.3 in force the whole window, counted from 01-06
    # bob: alice's 0.3 (the team's median) for 10 days, then his 0.6 for 15
    assert rows["bob"]["brier"] == pytest.approx((10 * 0.49 + 15 * 0.16) / 25)


def _ts(day):
    return datetime(2024, 1, day, tzinfo=timezone.utc).isoformat()


def test_categorical_questions_are_time_weighted_the_issue_example():
    from tracker.services.score import categorical_pairs

    # opened 01-01 with {a .1, b .1, c .8}, revised on 01-10 to {.8, .1, .1}, deadline 01-10, resolved a.
    # The final forecast scores 0.06 (what the time-weighted mode once printed); over the window,
    # 9 days of 1.46 and one of 0.06 give 1.32.
    info = SimpleNamespace(id="c", kind="categorical", outcomes=["a", "b", "c"], ordered=True,
                           deadline=datetime(2024, 1, 10).date(), opened_at=datetime(2024, 1, 1, tzinfo=timezone.utc),
                           scenario_id=None, phrase=None, outcome="a",
                           known_at=datetime(2024, 1, 12, tzinfo=timezone.utc))
    rows = [("c", "ann", None, {"a": 0.1, "b": 0.1, "c": 0.8}, _ts(1)),
            ("c", "ann", None, {"a": 0.8, "b": 0.1, "c": 0.1}, _ts(10))]
    (final,) = categorical_pairs(rows, {"c": info}, "final")
    (timed,) = categorical_pairs(rows, {"c": info}, "time-weighted")
    assert final["brier"] == pytest.approx(0.06)
    assert timed["brier"] == pytest.approx(1.32)
    # ranked probability score, time-weighted too: cumulative (.1, .2) vs (1, 1) -> 0.81 + 0.64 = 1.45,
    # then (.8, .9) -> 0.04 + 0.01 = 0.05; (9 x 1.45 + 0.05) / 10
    assert timed["rps"] == pytest.approx((9 * 1.45 + 0.05) / 10)


def test_by_wep_has_two_views(cli, tmp_path):
    from importlib import resources

    examples = resources.files("tracker.examples")
    for name in ("trump-putin-2018.yaml", "resolutions-2018-Q3.yaml"):
        path = tmp_path / name
        path.write_bytes(examples.joinpath(name).read_bytes())
        cli.ok("import", path)
    mapping = {r["group"]: r for r in json.loads(cli.ok("score", "--by", "wep", "--json").stdout)}
    source = {r["group"]: r for r in json.loads(cli.ok("score", "--by", "wep-source", "--json").stdout)}
    assert all(r["view"] == "phrase-to-number mapping" for r in mapping.values())
    assert all(r["view"] == "accuracy by source phrase" for r in source.values())
    # the mapping: one value per question (the band's middle), however many analysts forecast it
    likely = mapping["is expected to"]
    assert likely["mapped_probability"] == pytest.approx((0.55 + 0.8) / 2)
    assert likely["n"] == 1 and source["is expected to"]["n"] > likely["n"]
    assert likely["brier"] == pytest.approx((likely["mapped_probability"] - likely["base_rate"]) ** 2)


def test_report_sentence_follows_the_verdict_rule():
    from tracker.report.build import verdict_sentence

    # the issue: "no sign of miscalibration" for a team interval of [0.51, 2.17]
    s = {"n": 120, "calibration": {"slope": 1.34, "slope_ci": [0.51, 2.17], "p_value": 0.42}}
    text = verdict_sentence("The team", s)
    assert text.startswith("No evidence either way") and "miscalibration" not in text.split(":")[0]
    narrow = {"n": 900, "calibration": {"slope": 1.0, "slope_ci": [0.9, 1.1], "p_value": 0.9}}
    assert verdict_sentence("The team", narrow).startswith("Calibrated within the margin")
    # significant alone, not once adjusted across the analysts shown together
    adjusted = {"n": 60, "calibration": {"slope": 0.7, "slope_ci": [0.45, 0.95], "p_adjusted": 0.09}}
    assert verdict_sentence("ana", adjusted).startswith("No evidence either way")
    alone = {"n": 60, "calibration": {"slope": 0.7, "slope_ci": [0.45, 0.95]}}
    assert verdict_sentence("ana", alone).startswith("ana is overconfident")


# ------------------------------------------------- the calibration slope of a team, clustered by question


def _team(seed=4, k=6, n_q=40):
    import numpy as np

    rng = np.random.default_rng(seed)
    latent = rng.standard_normal(n_q)
    y = (latent > 0).astype(int)
    p = np.clip(np.round(1 / (1 + np.exp(-(latent[None, :] + rng.normal(0, 0.3, (k, n_q))))), 2), 0.01, 0.99)
    return p, y


def test_slope_of_one_forecast_a_question_is_the_model_based_wald_interval():
    import numpy as np

    from tracker.scoring import calibration_slope

    p, y = _team(k=1, n_q=60)
    alone = calibration_slope(p[0], y)
    clustered = calibration_slope(p[0], y, questions=np.arange(60))
    # nothing to cluster: the same interval and test, to the last bit, and the method says so
    assert (clustered.slope, clustered.slope_ci, clustered.p_value) == (alone.slope, alone.slope_ci, alone.p_value)
    assert clustered.ci_method == alone.ci_method == "wald" and clustered.n_questions == 60


def test_team_slope_interval_is_the_jackknife_over_questions():
    import numpy as np
    from scipy.stats import t as student

    from tracker.scoring import calibration_slope

    p, y = _team()
    k, n_q = p.shape
    qs = np.tile(np.arange(n_q), k)
    pp, yy = p.ravel(), np.tile(y, k)
    naive = calibration_slope(pp, yy)
    fit = calibration_slope(pp, yy, questions=qs)
    assert fit.ci_method == "cluster-jackknife" and fit.slope == naive.slope and fit.n_questions == n_q
    # analysts who share outcomes: the clustered interval is wider than the naive one
    assert fit.slope_ci[1] - fit.slope_ci[0] > 1.3 * (naive.slope_ci[1] - naive.slope_ci[0])
    # the variance by hand: leave question c out by one Newton step, beta_(c) = beta - (A - A_c)^-1 g_c,
    # V = (G - 1) / G sum (beta_(c) - beta)^2, interval slope -+ t(G - 1) se
    x = np.log(np.clip(pp, 0.005, 0.995) / (1 - np.clip(pp, 0.005, 0.995)))
    mu = 1 / (1 + np.exp(-(fit.intercept + fit.slope * x)))
    X = np.column_stack([np.ones_like(x), x])
    A = X.T @ (X * (mu * (1 - mu))[:, None])
    steps = []
    for c in range(n_q):
        rows = qs == c
        Ac = X[rows].T @ (X[rows] * (mu[rows] * (1 - mu[rows]))[:, None])
        gc = X[rows].T @ (yy[rows] - mu[rows])
        steps.append(np.linalg.solve(A - Ac, gc))
    steps = np.array(steps)
    se = np.sqrt((n_q - 1) / n_q * np.sum(steps[:, 1] ** 2))
    half = student.ppf(0.975, n_q - 1) * se
    assert fit.slope_ci == pytest.approx((fit.slope - half, fit.slope + half), rel=1e-9)
    assert fit.p_value == pytest.approx(2 * student.sf(abs(fit.slope - 1) / se, n_q - 1), rel=1e-9)


def test_team_on_too_few_questions_gets_a_slope_but_no_interval():
    import numpy as np

    from tracker.scoring import calibration_slope, slope_verdict, summarize

    p, y = _team(k=6, n_q=9)
    qs = np.tile(np.arange(9), 6)
    fit = calibration_slope(p.ravel(), np.tile(y, 6), questions=qs)
    assert fit.slope is not None and fit.slope_ci is None and fit.p_value is None
    assert "9 questions shared by several forecasts, fewer than 10" in fit.reason
    assert slope_verdict(fit.slope, fit.slope_ci) == "too little data"
    s = summarize(p.ravel(), np.tile(y, 6), questions=qs)
    assert s["calibration"]["slope_ci"] is None and s["calibration"]["slope_ci_method"] is None
    assert any("fewer than 10" in note for note in s["notes"])


def test_paired_difference_names_its_bootstrap_method():
    import numpy as np

    from tracker.scoring import group_interval, paired_difference

    rng = np.random.default_rng(1)
    a, b = rng.uniform(0, 0.5, 30) ** 2, rng.uniform(0, 0.5, 30) ** 2
    qs = [f"q{i}" for i in range(30)]
    r = paired_difference(qs + qs, ["a"] * 30 + ["b"] * 30, np.concatenate([a, b]), "a", "b")
    gi = group_interval(a - b, np.arange(30))
    assert r.bootstrap_method == gi.method == "bootstrap-t"
    assert r.bootstrap_interval == pytest.approx((gi.low, gi.high), abs=1e-12)
