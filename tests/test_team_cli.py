"""The team as a forecaster from the database: ``tracker score --team``
(hand-computed, every mode, scored exactly like an analyst), ``tracker
aggregate``, ``tracker recalibrate``, the plots, and the errors."""

from __future__ import annotations

import json
import math

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
MODES = ("final", "initial", "time-weighted")


@pytest.fixture
def small(cli, tmp_path):
    path = tmp_path / "small.csv"
    path.write_text(SMALL)
    cli.ok("import", path)
    return cli


def _json(cli, *args):
    return json.loads(cli.ok(*args, "--json").stdout)


def _sig(x):
    return 1 / (1 + math.exp(-x))


def _logit(p):
    return math.log(p / (1 - p))


def test_team_rows_hand_computed(small):
    rows = {r["group"]: r for r in _json(small, "score", "--by", "analyst", "--team")}
    assert set(rows) == {"a", "b", "team (mean)", "team (median)", "team (logodds)", "team (extremized)"}
    # finals: q1 .9/.6 yes, q2 .2/.5 no, q3 .7/.1 no, q4 .6/.3 yes; the mean .75 .35 .4 .45
    mean = rows["team (mean)"]
    assert mean["n"] == 4
    assert mean["brier"] == pytest.approx((0.0625 + 0.1225 + 0.16 + 0.3025) / 4)
    # against the median analyst on each question: (.085, .145, .25, .325)
    assert mean["relative_brier"] == pytest.approx((-0.0225 * 3 - 0.09) / 4)
    assert rows["team (median)"]["brier"] == pytest.approx(mean["brier"])  # two analysts: median = mean
    lo = [_sig((_logit(a) + _logit(b)) / 2) for a, b in ((0.9, 0.6), (0.2, 0.5), (0.7, 0.1), (0.6, 0.3))]
    y = [1, 0, 0, 1]
    assert rows["team (logodds)"]["brier"] == pytest.approx(np.mean([(p - t) ** 2 for p, t in zip(lo, y)]))
    ext = rows["team (extremized)"]
    # four resolved questions: the documented default factor 1, said in a note
    assert ext["brier"] == pytest.approx(rows["team (logodds)"]["brier"])
    assert ext["team"]["fit"]["factor"] == 1.0 and ext["team"]["fit"]["factor_ci"] is None
    assert any("default 1" in n for n in ext["notes"])
    # analysts' rows are unchanged by --team
    plain = {r["group"]: r for r in _json(small, "score", "--by", "analyst")}
    assert rows["a"] == plain["a"] and rows["b"] == plain["b"]


def test_team_in_initial_and_time_weighted_modes(small):
    init = {r["group"]: r for r in _json(small, "score", "--team", "--mode", "initial")["team"]}
    # q1's first moment holds only a's 0.5; the others both analysts' first forecasts
    assert init["team (mean)"]["brier"] == pytest.approx((0.25 + 0.1225 + 0.16 + 0.3025) / 4)
    tw = {r["group"]: r for r in _json(small, "score", "--team", "--mode", "time-weighted")["team"]}
    # the time-weighted convention (proper under early resolution): the mean over the scheduled window,
    # opened to the end of the deadline day, the time after the outcome became known counting 0.
    # q1 (1 June to 1 August, 61 days; known 20 July): 0.5 for a day, 0.55 for 29 days, 0.75 for 19 days
    q1 = (0.25 * 1 + 0.2025 * 29 + 0.0625 * 19) / 61
    q2 = 0.1225 * 80 / 92  # 1 June to 1 September, known 20 August
    q3 = 0.16 * 141 / 153  # 1 June to 1 November, known 20 October
    q4 = 0.3025 * 141 / 153
    assert tw["team (mean)"]["brier"] == pytest.approx((q1 + q2 + q3 + q4) / 4)
    assert tw["team (mean)"]["coverage"] == pytest.approx(1.0)


@pytest.mark.parametrize("mode", MODES)
def test_a_team_of_one_scores_as_that_analyst(small, mode):
    rows = {r["group"]: r for r in _json(small, "score", "--by", "analyst", "--team", "--analyst", "a", "--mode", mode)}
    for method in ("mean", "median", "logodds", "extremized"):
        team = rows[f"team ({method})"]
        for key in ("n", "brier", "log_score", "base_rate", "coverage"):
            assert team[key] == pytest.approx(rows["a"][key], abs=1e-12), (method, key)
        assert team["relative_brier"] == pytest.approx(0.0, abs=1e-12)


def _many(n_questions, seed):
    rng = np.random.default_rng(seed)
    lines = ["question,analyst,probability,made_at,deadline,outcome,known_at"]
    truth = {}
    for q in range(n_questions):
        z = rng.normal(0, 0.8)
        y = int(rng.random() < _sig(1.6 * z))
        truth[f"k{q:02d}"] = y
        for a in range(3):
            p = round(_sig(z + rng.normal(0, 0.7)), 2)
            p = min(max(p, 0.02), 0.98)
            lines.append(f"k{q:02d},an{a},{p},2019-{1 + q % 12:02d}-0{1 + a},2019-12-31,{'yes' if y else 'no'},"
                         f"2019-12-{10 + q % 20:02d}")
    return "\n".join(lines) + "\n"


def test_extremized_factor_is_fitted_leaving_the_question_out(cli, tmp_path):
    from tracker.scoring.aggregate import fit_factor

    text = _many(14, seed=1)
    path = tmp_path / "many.csv"
    path.write_text(text)
    cli.ok("import", path)
    out = _json(cli, "score", "--team", "--method", "extremized")
    (ext,) = out["team"]
    # recompute from the file: each question's mean log-odds, factor fitted on the other 13
    rows = [line.split(",") for line in text.splitlines()[1:]]
    qs = sorted({r[0] for r in rows})
    m = np.array([np.mean([_logit(float(r[2])) for r in rows if r[0] == q]) for q in qs])
    y = np.array([int(next(r[5] for r in rows if r[0] == q) == "yes") for q in qs])
    expected = []
    for i in range(len(qs)):
        keep = np.arange(len(qs)) != i
        a = fit_factor(m[keep], y[keep])
        expected.append((_sig(a * m[i]) - y[i]) ** 2)
    assert ext["brier"] == pytest.approx(np.mean(expected), abs=1e-9)
    fit = ext["team"]["fit"]
    assert fit["n_questions"] == 14 and fit["cv"] == "loo"
    assert fit["factor"] == pytest.approx(fit_factor(m, y), abs=1e-9)
    # fourteen questions: an interval reaching the top of the searched range
    assert fit["factor_ci"][0] < fit["factor"] < fit["factor_ci"][1] and not fit["at_bound"]
    # time-ordered: every question known before the forecasts of a later one? none here (all made by
    # 2019-12-03, known from 2019-12-10): every question falls back on the default
    timed = _json(cli, "score", "--team", "--method", "extremized", "--cv", "time")["team"][0]
    assert timed["team"]["fit"]["n_default"] == 14
    assert timed["brier"] == pytest.approx(_json(cli, "score", "--team", "--method", "logodds")["team"][0]["brier"])


def test_aggregate_command_hand_computed(small):
    out = _json(small, "aggregate", "q1", "--method", "mean")
    assert [(p["at"][:10], p["n"]) for p in out["points"]] == [("2018-06-01", 1), ("2018-06-02", 2), ("2018-07-01", 2)]
    assert [p["value"] for p in out["points"]] == pytest.approx([0.5, 0.55, 0.75])
    # a horizon of 20 days: on 1 July b's forecast of 2 June no longer counts
    h = _json(small, "aggregate", "q1", "--method", "mean", "--horizon", "20")
    assert h["points"][-1]["value"] == pytest.approx(0.9) and h["points"][-1]["n"] == 1
    x = _json(small, "aggregate", "q1", "--factor", "2")
    assert x["factor"] == 2.0
    assert x["points"][-1]["value"] == pytest.approx(_sig(_logit(0.9) + _logit(0.6)))
    # fitted on the team's other resolved questions: three, too few: the default 1
    d = _json(small, "aggregate", "q1")
    assert d["factor"] == 1.0 and any("default" in n for n in d["notes"])
    text = small.ok("aggregate", "q1", "--method", "median").stdout
    assert "2018-07-01" in text and "0.75" in text


def test_recalibrate_command(cli, tmp_path):
    path = tmp_path / "many.csv"
    path.write_text(_many(40, seed=9))
    cli.ok("import", path)
    out = _json(cli, "recalibrate", "--analyst", "an0")
    assert out["who"] == "an0" and out["n"] == 40 and out["cv"] == "leave-one-question-out"
    assert [c["stated"] for c in out["curve"]] == pytest.approx([0.1 * k for k in range(1, 10)])
    assert out["brier_oos"] is not None and out["improvement"] == pytest.approx(out["brier"] - out["brier_oos"])
    team = _json(cli, "recalibrate", "--team")
    assert team["who"] == "team (extremized)" and team["n"] == 40
    text = cli.ok("recalibrate", "--analyst", "an0").stdout
    assert "when you said" in text and "70%" in text


def test_errors(small, tmp_path):
    assert small("score", "--team", "--by", "tag").exit_code == 2
    assert small("score", "--method", "mean").exit_code == 2
    small.fails("aggregate", "nosuch", match="no question")
    small.fails("aggregate", "q1", "--horizon", "-3", match="--horizon")
    assert small("recalibrate", "--analyst", "a", "--team").exit_code == 2
    small.fails("recalibrate", "--analyst", "nobody", match="no resolved")


def test_plots(small, tmp_path):
    agg = tmp_path / "agg.svg"
    small.ok("plot", "aggregate", "q1", "-o", agg)
    assert 'id="team' in agg.read_text()
    rec = tmp_path / "rec.svg"
    small.ok("plot", "recalibration", "-o", rec)
    assert rec.read_text().startswith("<?xml")
    assert small("plot", "aggregate", "-o", agg).exit_code == 2


def test_report_section_agrees_with_score_team(small, db_url):
    from tracker.report.render import render_html, render_markdown
    from tracker.services.report import build_report
    from tracker.storage import open_store

    store = open_store(db_url)
    try:
        report = build_report(store)
    finally:
        store.dispose()
    t = report.team
    rows = {r.name: r for r in t.rows}
    team = {r["group"]: r for r in _json(small, "score", "--team")["team"]}
    assert t.n_questions == 4
    assert rows["team: mean"].brier == pytest.approx(team["team (mean)"]["brier"])
    assert rows["team: median"].brier == pytest.approx(team["team (median)"]["brier"])
    assert rows["team: extremized mean of log-odds (out of sample)"].brier == pytest.approx(
        team["team (extremized)"]["brier"])
    # individuals: every (question, analyst) pair; minus the mean: per question, averaged over questions
    ind = rows["individuals (every analyst's forecast)"]
    assert ind.n == 8 and ind.brier == pytest.approx(1.61 / 8)
    assert ind.diff_vs_mean == pytest.approx(((0.085 - 0.0625) + (0.145 - 0.1225) + (0.25 - 0.16) + (0.325 - 0.3025)) / 4)
    # four questions: below the 10 an interval needs, in the report's team section as in tracker score
    assert rows["team: mean"].ci is None and team["team (mean)"]["brier_ci"] is None
    assert ind.ci is None and ind.diff_ci is None
    assert "The team&#39;s combined forecast" in render_html(report) or "The team's combined forecast" in render_html(report)
    assert "| team: mean | 4 |" in render_markdown(report)


def test_relative_to_team(small):
    rows = {r["group"]: r for r in _json(small, "score", "--by", "analyst", "--relative-to", "team")}
    # four questions: the extremized factor is the default 1, the log-odds mean
    lo = [_sig((_logit(a) + _logit(b)) / 2) for a, b in ((0.9, 0.6), (0.2, 0.5), (0.7, 0.1), (0.6, 0.3))]
    team = [(p - t) ** 2 for p, t in zip(lo, [1, 0, 0, 1])]
    a = [0.01, 0.04, 0.49, 0.16]
    assert rows["a"]["relative_brier"] == pytest.approx(np.mean(np.subtract(a, team)))
    assert rows["a"]["relative_to"] == "team (extremized)"
    assert set(rows) == {"a", "b"}  # the team is the reference, not a row
    assert small("score", "--relative-to", "team").exit_code == 2


@pytest.mark.parametrize("args", [("aggregate",), ("recalibrate",), ("score",), ("plot",)])
def test_help_has_examples(args):
    from click.testing import CliRunner

    from tracker.cli import main

    out = CliRunner().invoke(main, [*args, "--help"]).output
    assert "Examples:" in out
    needle = {"aggregate": "tracker aggregate", "recalibrate": "tracker recalibrate --analyst",
              "score": "--team", "plot": "tracker plot aggregate"}[args[0]]
    assert needle in out


def test_categorical_aggregate_and_plot(cli, tmp_path):
    """The worked example's categorical question (before its resolution):
    the normalized geometric mean, and one team line per outcome panel."""
    from importlib import resources

    path = tmp_path / "trump-putin-2018.yaml"
    path.write_bytes(resources.files("tracker.examples").joinpath("trump-putin-2018.yaml").read_bytes())
    cli.ok("import", path)
    out = _json(cli, "aggregate", "meeting-location", "--method", "logodds")
    last = out["points"][-1]
    assert last["n"] == 2 and sum(last["value"].values()) == pytest.approx(1.0)
    assert any("geometric" in n for n in out["notes"])
    svg = tmp_path / "loc.svg"
    cli.ok("plot", "aggregate", "meeting-location", "-o", svg)
    assert svg.read_text().count('id="team') == len(out["outcomes"])
