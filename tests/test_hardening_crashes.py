"""Crashes on ordinary data (issue 14, section 1): one-sided bins, zero-width
intervals, a deadline at the end of the calendar, impossible YAML dates, and a
property test that builds the report in every format and every plot for
random small databases."""

from __future__ import annotations

import io
import os
import shutil
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from support import CLI

UTC = timezone.utc


@pytest.fixture
def sq(sqlite_url):
    from tracker.storage import open_store

    open_store(sqlite_url, upgrade=True).dispose()
    return CLI(sqlite_url)


def csv_of(rows) -> str:
    """A forecast CSV: rows of (question, analyst, probability, outcome)."""
    lines = ["question,analyst,probability,made_at,deadline,outcome"]
    for q, a, p, y in rows:
        lines.append(f"{q},{a},{p!r},2018-02-01,2018-07-31,{y}")
    return "\n".join(lines) + "\n"


def import_rows(cli, tmp_path, rows, name="f.csv"):
    path = tmp_path / name
    path.write_text(csv_of(rows))
    cli.ok("import", str(path))


# ------------------------------------------------------------------ Wilson bounds


@pytest.mark.parametrize("n, p, outcome", [(5, 0.05, 0), (13, 0.95, 1), (1, 0.5, 1), (1, 0.5, 0), (39, 0.15, 0),
                                           (7, 0.85, 1), (2, 0.05, 0)])
def test_wilson_bounds_contain_the_observed_rate_when_every_event_went_one_way(n, p, outcome):
    from tracker.report.build import wilson
    from tracker.scoring import reliability_binned

    b = next(b for b in reliability_binned(np.full(n, p), np.full(n, outcome), bins=10).bins if b.count)
    assert b.observed_frequency == outcome
    assert b.wilson_low <= b.observed_frequency <= b.wilson_high
    low, high = wilson(n * outcome, n)
    assert low <= outcome <= high
    # the all-no bound is exactly 0, the all-yes one exactly 1
    assert (b.wilson_low if outcome == 0 else b.wilson_high) == outcome


def test_wilson_bounds_contain_the_rate_for_every_count_up_to_200():
    from tracker.scoring import reliability_binned

    for n in range(1, 201):
        for events in (0, n):
            y = np.zeros(n, dtype=int)
            y[:events] = 1
            b = reliability_binned(np.full(n, 0.5), y, bins=1).bins[0]
            assert b.wilson_low <= events / n <= b.wilson_high, (n, events)


def test_bootstrap_interval_contains_its_mean():
    from tracker.scoring.comparison import bootstrap_ci

    for scores in ([0.0025], [0.1 * 3] * 7, [0.9025] * 3, [0.0, 1.0]):
        ci = bootstrap_ci(np.array(scores))
        assert ci.low <= ci.mean <= ci.high


def test_figures_accept_zero_width_and_rounding_past_intervals():
    from tracker.report import figures
    from tracker.report.data import AnalystRow, PhraseRow

    import dataclasses

    def row(cls, **values):
        fields = {f.name: None for f in dataclasses.fields(cls)}
        fields.update(values)
        return cls(**fields)

    x = 0.1 * 3  # 0.30000000000000004: an interval "[0.3, 0.3]" lies one step below it
    analysts = [row(AnalystRow, name="al", n=1, brier=x, brier_ci=(0.3, 0.3), relative_brier=0.0,
                    relative_ci=(0.0, 0.0))]
    fig = figures.analysts_figure(analysts)
    assert fig.axes
    phrases = [row(PhraseRow, phrase="likely", frequency=x, ci_low=0.3, ci_high=0.3, n_questions=1)]
    assert figures.wep_figure(phrases).axes


# ------------------------------------------------------------------ the reported crashes, end to end


@pytest.mark.parametrize("rows", [
    [(f"q{i}", "al", 0.05, "no") for i in range(5)],
    [(f"q{i}", "al", 0.95, "yes") for i in range(13)],
    # a team quarter with one-sided bins at both ends
    [(f"q{i}", f"a{i % 3}", p, y) for i, (p, y) in enumerate([(0.05, "no")] * 12 + [(0.95, "yes")] * 14
                                                              + [(0.6, "yes"), (0.6, "no")] * 6 + [(0.3, "no")])],
], ids=["5-at-5%-all-no", "13-at-95%-all-yes", "quarter-of-39"])
def test_report_and_plots_with_one_sided_bins(sq, tmp_path, rows):
    import_rows(sq, tmp_path, rows)
    for fmt in ("html", "json", "md"):
        sq.ok("report", "--format", fmt, "-o", str(tmp_path / f"r.{fmt}"))
    for mode in ("initial", "time-weighted"):
        sq.ok("report", "--mode", mode, "--format", "json")
    sq.ok("plot", "calibration", "-o", str(tmp_path / "c.svg"))
    sq.ok("plot", "calibration", "--by", "analyst", "-o", str(tmp_path / "ca.svg"))
    sq.ok("plot", "analysts", "-o", str(tmp_path / "a.svg"))


@pytest.mark.parametrize("p", [0.05, 0.15, 0.3, 0.45, 0.55, 0.7, 0.85, 0.95])
@pytest.mark.parametrize("outcome", ["yes", "no"])
def test_report_and_analysts_plot_with_a_single_forecast(sq, tmp_path, p, outcome):
    import_rows(sq, tmp_path, [("only", "al", p, outcome)])
    sq.ok("report", "--format", "html", "-o", str(tmp_path / "r.html"))
    sq.ok("plot", "analysts", "-o", str(tmp_path / "a.svg"))
    sq.ok("plot", "calibration", "-o", str(tmp_path / "c.svg"))


def test_plot_history_with_a_deadline_at_the_end_of_the_calendar(sq, tmp_path):
    path = tmp_path / "far.csv"
    path.write_text("question,analyst,probability,made_at,deadline\nfar,al,0.3,2018-02-01,9998-12-31\n")
    sq.ok("import", str(path))
    sq.ok("plot", "history", "far", "-o", str(tmp_path / "h.png"))
    sq.ok("report", "--format", "html", "-o", str(tmp_path / "r.html"))


# ------------------------------------------------------------------ impossible YAML dates

SCENARIO = """id: sc
title: Dates
questions:
  - id: good
    text: A good question
    deadline: 2018-07-31
  - id: bad-one
    text: A bad question
{entry}"""


@pytest.mark.parametrize("entry, message", [
    ("    deadline: 2018-13-45\n",
     "question bad-one, field deadline: '2018-13-45' is not a valid date: month must be in 1..12"),
    ("    deadline: 2019-02-29\n",
     "question bad-one, field deadline: '2019-02-29' is not a valid date: day is out of range for month"),
    ("    deadline: 2018-07-31\n    forecasts: [{analyst: al, probability: 0.3, made_at: 2018-06-01T25:00:00}]\n",
     "question bad-one, forecast al, field made_at: '2018-06-01T25:00:00' is not a valid date or time: "
     "hour must be in 0..23"),
    ("    deadline: 2018-07-31\n"
     "    forecasts: [{analyst: al, probability: 0.3, made_at: '2018-06-01T10:00:00+25:00'}]\n",
     "question bad-one, forecast al, field made_at: '2018-06-01T10:00:00+25:00' is not a valid date or time: "
     "the UTC offset must lie strictly between -24:00 and +24:00"),
    ("    deadline: 2018-07-31\n    forecasts: [{analyst: al, probability: 0.3, made_at: 2018-06-01T10:00:00+25:00}]\n",
     "question bad-one, forecast al, field made_at: '2018-06-01T10:00:00+25:00' is not a valid date or time: "
     "the UTC offset must lie strictly between -24:00 and +24:00"),
    ("    deadline: 2018-07-31\n    opened: 2018-02-30\n",
     "question bad-one, field opened: '2018-02-30' is not a valid date or time: day is out of range for month"),
], ids=["month-13", "feb-29-2019", "hour-25", "offset-25-quoted", "offset-25", "opened-feb-30"])
def test_impossible_yaml_dates_name_the_file_and_the_entry(sq, tmp_path, entry, message):
    path = tmp_path / "dates.yaml"
    path.write_text(SCENARIO.format(entry=entry))
    result = sq.fails("import", str(path))
    assert result.stderr.strip() == f"error: dates.yaml: {message}"
    assert sq.ok("list", "--json").stdout.strip() == "[]"


def test_impossible_date_in_a_resolution_file_names_the_entry(sq, tmp_path):
    path = tmp_path / "q.csv"
    path.write_text("question,analyst,probability,made_at,deadline\nq1,al,0.3,2018-02-01,2018-07-31\n")
    sq.ok("import", str(path))
    res = tmp_path / "res.yaml"
    res.write_text("resolutions:\n  - question: q1\n    outcome: 'yes'\n    known_at: 2018-07-32\n")
    result = sq.fails("import", str(res))
    assert result.stderr.strip() == ("error: res.yaml: question q1, field known_at: '2018-07-32' is not a valid "
                                     "date or time: day is out of range for month")


# ------------------------------------------------------------------ property: every format, every plot

CI = bool(os.environ.get("CI"))
SMALL_DBS = settings(
    max_examples=25 if CI else 4,
    deadline=None,
    derandomize=not CI,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)

PROBS = st.one_of(st.sampled_from([0.0, 1.0, 0.05, 0.95, 0.5]), st.floats(0, 1).map(lambda v: round(v, 3)))
PHRASES = [None, "likely", "could", "almost certainly", "is expected to"]


@st.composite
def small_database(draw):
    n = draw(st.integers(1, 60))
    n_analysts = draw(st.sampled_from([1, 1, 2, 5, 12]))
    one_sided = draw(st.booleans())
    n_questions = draw(st.integers(1, max(1, n)))
    start = datetime(2018, 1, 1, tzinfo=UTC)
    questions = []
    for k in range(n_questions):
        deadline = (start + timedelta(days=draw(st.integers(10, 700)))).date()
        state = draw(st.sampled_from(["yes", "no", "no", "yes", "open", "annulled"]))
        questions.append({"id": f"q{k}", "deadline": deadline, "state": state,
                          "phrase": draw(st.sampled_from(PHRASES)), "tag": draw(st.sampled_from(["", "t1", "t2"]))})
    forecasts = []
    for _ in range(n):
        q = questions[draw(st.integers(0, n_questions - 1))]
        p = draw(PROBS)
        if one_sided and q["state"] in ("yes", "no"):
            p = draw(st.sampled_from([0.0, 0.02, 0.05])) if q["state"] == "no" else draw(st.sampled_from([0.95, 1.0]))
        day = draw(st.integers(0, 9))
        forecasts.append((q["id"], f"an{draw(st.integers(0, n_analysts - 1))}", p, day))
    return questions, forecasts


def _scenario_files(questions, forecasts):
    from tracker.files.yamlio import dump_yaml

    entries = []
    for q in questions:
        entry = {"id": q["id"], "text": f"Question {q['id']} happens", "deadline": q["deadline"],
                 "opened": datetime(2017, 12, 1).date()}
        if q["phrase"]:
            entry["phrase"] = q["phrase"]
        if q["tag"]:
            entry["tags"] = [q["tag"]]
        mine = [f for f in forecasts if f[0] == q["id"]]
        seen = set()
        entry["forecasts"] = []
        for _, analyst, p, day in mine:
            made = datetime(2017, 12, 2, tzinfo=UTC) + timedelta(days=day)
            if (analyst, made) in seen:
                continue
            seen.add((analyst, made))
            entry["forecasts"].append({"analyst": analyst, "probability": p, "made_at": made})
        entries.append(entry)
    scenario = dump_yaml({"id": "prop", "title": "Property", "questions": entries})
    resolutions = []
    for q in questions:
        if q["state"] in ("yes", "no"):
            resolutions.append({"question": q["id"], "outcome": q["state"],
                                "known_at": q["deadline"] - timedelta(days=1)})
        elif q["state"] == "annulled":
            resolutions.append({"question": q["id"], "outcome": "annulled", "reason": "ill-posed",
                                "known_at": q["deadline"] - timedelta(days=1)})
    return scenario, dump_yaml({"period": "any", "reviewer": "rev", "resolutions": resolutions})


@SMALL_DBS
@given(db=small_database())
def test_report_and_every_plot_build_for_small_databases(tmp_path_factory, sqlite_template, db):
    from tracker.report import figures
    from tracker.report.render import render
    from tracker.services.files import import_yaml
    from tracker.services.report import PLOT_KINDS, build_report, plot
    from tracker.storage import open_store

    questions, forecasts = db
    folder = tmp_path_factory.mktemp("prop")
    shutil.copyfile(sqlite_template, folder / "p.db")  # migrated once per session
    store = open_store(f"sqlite:///{folder / 'p.db'}", upgrade=True)
    try:
        scenario, resolutions = _scenario_files(questions, forecasts)
        now = datetime(2021, 1, 1, tzinfo=UTC)
        import_yaml(store, scenario.encode(), filename="s.yaml", recorded_by="prop", now=now)
        import_yaml(store, resolutions.encode(), filename="r.yaml", recorded_by="rev", now=now)
        for mode in ("final", "initial", "time-weighted"):
            data = build_report(store, mode=mode, now=now)
            for fmt in ("json", "md"):
                assert render(data, fmt)
        assert "<html" in render(build_report(store, now=now), "html", image_format="svg")
        assert render(build_report(store, analyst="an0", tag="t1", now=now), "md")
        for kind in PLOT_KINDS:
            bys = (None, "analyst") if kind in ("calibration", "trend") else (None,)
            for by in bys:
                ids = [questions[0]["id"], questions[-1]["id"]] if kind == "history" else [None]
                for qid in ids:
                    fig, _ = plot(store, kind, question=qid, by=by)
                    figures.save(fig, io.BytesIO(), format="svg")
    finally:
        store.dispose()
