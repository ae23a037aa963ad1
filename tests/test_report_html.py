"""The report: its data against the score and review services, the HTML
against a stored copy, the JSON and Markdown formats, empty and thin data,
and user text that must render inert.

The stored copy is ``tests/data/report_expected.html``: the report of the
worked example (2018Q3, as of 2018-10-15) with the volatile parts scrubbed
(generation time, version, inline image data). After an intended change to
the report, regenerate it with

    REPORT_REGENERATE=1 .venv/bin/python -m pytest tests/test_report_html.py -k stored_copy

and review the diff before committing it.
"""

from __future__ import annotations

import base64
import json
import os
import re
from datetime import date, datetime, timezone
from importlib import resources
from pathlib import Path

import pytest

from tracker.report.render import render, render_html, render_json, render_markdown, to_dict
from tracker.services.report import build_report

UTC = timezone.utc
EXPECTED = Path(__file__).parent / "data" / "report_expected.html"
AS_OF = date(2018, 10, 15)
NOW = datetime(2018, 10, 15, 9, 30, tzinfo=UTC)


def run(db_url: str, *args: str):
    from click.testing import CliRunner

    from tracker.cli import main

    result = CliRunner().invoke(main, ["--db", db_url, *map(str, args)], catch_exceptions=True)
    assert result.exit_code == 0, f"exit {result.exit_code}: {result.stderr}{result.exception!r}"
    return result


def import_example(db_url: str, tmp_path: Path) -> None:
    """The worked example, from the copies shipped in the package."""
    open_db(db_url).dispose()  # create the schema (PostgreSQL does not upgrade itself)
    examples = resources.files("tracker.examples")
    for name in ("trump-putin-2018.yaml", "resolutions-2018-Q3.yaml"):
        path = tmp_path / name
        path.write_bytes(examples.joinpath(name).read_bytes())
        run(db_url, "import", path)


def import_csv(db_url: str, tmp_path: Path, rows: list[dict], name: str = "data.csv") -> None:
    import csv

    path = tmp_path / name
    cols = ["question", "analyst", "probability", "made_at", "deadline", "text", "outcome", "known_at"]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, cols)
        w.writeheader()
        for r in rows:
            w.writerow({c: r.get(c, "") for c in cols})
    run(db_url, "import", path)


def open_db(url: str):
    from tracker.storage import open_store

    return open_store(url, upgrade=True)


def scrub(html: str) -> str:
    """Blank the parts of the report that change from run to run or release to release."""
    html = re.sub(r"data:image/(svg\+xml|png);base64,[A-Za-z0-9+/=]+", r"data:image/\1;base64,SCRUBBED", html)
    html = re.sub(r'<time class="generated" datetime="[^"]*">[^<]*</time>', '<time class="generated">SCRUBBED</time>', html)
    html = re.sub(r"forecast-tracker \d+\.\d+\S*?(?=[\"<\s])", "forecast-tracker VERSION", html)
    return html


@pytest.fixture
def example(sqlite_url, tmp_path):
    import_example(sqlite_url, tmp_path)
    store = open_db(sqlite_url)
    yield store
    store.dispose()


@pytest.fixture
def example_report(example):
    return build_report(example, quarter="2018Q3", as_of=AS_OF, now=NOW)


# --------------------------------------------------------------- stored copy


def test_stored_copy(example_report):
    """The worked example's report, scrubbed, is the stored copy (see the module docstring to regenerate)."""
    html = scrub(render_html(example_report))
    if os.environ.get("REPORT_REGENERATE"):
        EXPECTED.parent.mkdir(parents=True, exist_ok=True)
        EXPECTED.write_text(html, encoding="utf-8")
        pytest.skip(f"regenerated {EXPECTED}")
    assert EXPECTED.exists(), f"no stored copy: run with REPORT_REGENERATE=1 to create {EXPECTED}"
    expected = EXPECTED.read_text(encoding="utf-8")
    if html != expected:
        import difflib

        diff = "".join(list(difflib.unified_diff(expected.splitlines(True), html.splitlines(True), "stored", "now"))[:80])
        pytest.fail(f"the report differs from the stored copy (REPORT_REGENERATE=1 to accept):\n{diff}")


def test_cli_report_is_the_same_as_the_service_report(sqlite_url, tmp_path, example_report):
    out = tmp_path / "report.html"
    run(sqlite_url, "report", "--quarter", "2018Q3", "--as-of", "2018-10-15", "-o", out)
    assert scrub(out.read_text(encoding="utf-8")) == scrub(render_html(example_report))


# ------------------------------------------------------ data against services


def test_summary_agrees_with_score_and_review(example, example_report):
    from tracker.services.review import review
    from tracker.services.score import score

    r = example_report
    team = score(example, quarter="2018Q3")
    assert r.summary.n_pairs == team["n"] == 11
    assert r.summary.brier == pytest.approx(team["brier"])
    assert r.summary.brier_ci == pytest.approx(team["brier_ci"])
    assert r.summary.skill == pytest.approx(team["brier_skill"])
    assert r.summary.base_rate == pytest.approx(team["base_rate"])
    assert r.summary.n_categorical_pairs == team["categorical"]["n"]

    rv = review(example, "2018Q3", as_of=AS_OF)
    assert r.summary.n_resolved + r.summary.n_annulled == rv["counts"]["resolved"] == 9
    assert r.summary.n_annulled == sum(1 for q in rv["resolved"] if q["status"] == "annulled") == 3
    assert r.summary.n_overdue == rv["counts"]["awaiting_resolution"] == 0
    assert r.summary.n_not_yet_due == rv["counts"]["not_yet_due"]

    by_analyst = {g["group"]: g for g in score(example, by="analyst", quarter="2018Q3")}
    assert [a.name for a in r.analysts] == ["ana-illustrative", "ben-illustrative", "assessment"]  # best Brier first
    for a in r.analysts:
        g = by_analyst[a.name]
        assert a.n == g["n"]
        assert a.brier == pytest.approx(g["brier"])
        assert a.brier_ci == pytest.approx(g["brier_ci"])
        assert a.relative_brier == pytest.approx(g["relative_brier"])
        # 3-4 questions each: below the 10 questions an interval needs (the same rule as tracker score)
        assert a.relative_ci is None and a.brier_ci is None
        assert a.verdict == "too little data"  # 3-4 forecasts each


def test_large_tables_keep_the_intervals_and_verdicts_of_tracker_score(example, monkeypatch):
    """Past MAX_FULL_SUMMARIES scores the per-analyst table skips the decompositions it does not show;
    its intervals (once Student's t on the per-pair scores there) and verdicts stay those of
    ``tracker score`` for the same group."""
    from tracker.report import assemble
    from tracker.services.score import score

    monkeypatch.setattr(assemble, "MAX_FULL_SUMMARIES", 0)
    r = build_report(example, quarter="2018Q3", as_of=AS_OF, now=NOW)
    assert "Student" not in r.meta.group_intervals and "no interval below 10 questions" in r.meta.group_intervals
    by = {g["group"]: g for g in score(example, by="analyst", quarter="2018Q3")}
    for a in r.analysts:
        g = by[a.name]
        assert (a.n, a.slope, a.brier_ci) == (g["n"], g["calibration"]["slope"], g["brier_ci"])
        assert a.brier == pytest.approx(g["brier"]) and a.skill == pytest.approx(g["brier_skill"])
        assert a.relative_brier == pytest.approx(g["relative_brier"])
        assert a.verdict == "too little data" == g["calibration"]["verdict"]
    assert r.summary.brier_ci == score(example, quarter="2018Q3")["brier_ci"]


def test_decompositions_add_up(example_report):
    d = example_report.decomposition
    murphy = {t.symbol: t.value for t in d.murphy}
    corp = {t.symbol: t.value for t in d.corp}
    assert murphy["REL"] - murphy["RES"] + murphy["UNC"] + murphy["WBV"] - murphy["WBC"] == pytest.approx(d.brier)
    assert corp["MCB"] - corp["DSC"] + corp["UNC"] == pytest.approx(d.brier)
    assert all(t.meaning for t in d.murphy + d.corp)


def test_worked_example_contents(example_report):
    r = example_report
    # 11 binary pairs: the curve is drawn, the verdict is a plain sentence
    assert r.calibration.enough and r.calibration.n == 11
    assert sum(r.calibration.hist_counts) == 11
    assert r.summary.verdict_sentence.endswith("of the events happened.")
    # phrases: 'is expected to' carries its own ICD 203 band; 'will' and 'could' come from the lexicon
    phrases = {p.phrase: p for p in r.phrases}
    assert set(phrases) == {"could", "is expected to", "will"}
    assert (phrases["is expected to"].band_low, phrases["is expected to"].band_high) == (0.55, 0.8)
    assert phrases["is expected to"].band_source.startswith("the question")
    assert phrases["could"].n_questions == 2 and phrases["could"].n_yes == 1  # meeting-vienna no, syria yes
    assert phrases["could"].assessed is False
    # surprises: ben gave 10% to Helsinki and 20% to "after London"
    assert [(s.question_id, s.analyst) for s in r.surprises] == [("meeting-location", "ben-illustrative"),
                                                                  ("meeting-timing", "ben-illustrative")]
    assert r.surprises[0].probability_of_outcome == pytest.approx(0.1)
    # resolved list: final forecasts before the outcome was known, the outcome, the evidence
    q = next(q for q in r.resolved if q.id == "meeting-july")
    assert q.outcome == "yes" and q.known_at == date(2018, 7, 16)
    assert {f.analyst: f.probability for f in q.finals} == {"ana-illustrative": 0.9, "assessment": 0.675,
                                                           "ben-illustrative": 0.55}
    assert any("wikipedia" in e for e in q.evidence)
    annulled = next(q for q in r.resolved if q.id == "trade-discussed")
    assert annulled.status == "annulled" and "readout" in annulled.reason
    assert not r.pending and not r.has_trend


def test_html_sections_and_self_containment(example_report):
    html = render_html(example_report)
    for anchor in ("summary", "calibration", "decomposition", "analysts", "phrases", "surprises", "resolved",
                   "awaiting", "trend"):
        assert f'id="{anchor}"' in html
    imgs = re.findall(r"<img [^>]*>", html)
    assert len(imgs) == 3  # calibration, analysts, phrases (one quarter: no trend figure)
    assert all('src="data:image/svg+xml;base64,' in i and 'alt="' in i for i in imgs)
    assert "<script" not in html.lower()
    # nothing is fetched: no external stylesheets, fonts or images
    assert not re.search(r'(src|href)="(?!data:|#|https?://en\.wikipedia\.org)', html)
    assert "<link" not in html and "@import" not in html and "url(" not in html
    assert "@media print" in html
    # every embedded SVG decodes
    for uri in re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', html):
        assert base64.b64decode(uri).lstrip().startswith(b"<?xml")


def test_png_images_on_request(example_report):
    html = render_html(example_report, image_format="png")
    uris = re.findall(r'src="data:image/png;base64,([^"]+)"', html)
    assert len(uris) == 3 and all(base64.b64decode(u).startswith(b"\x89PNG") for u in uris)


# -------------------------------------------------------------- json and md


def test_json_format(example_report):
    data = json.loads(render_json(example_report))
    assert data == to_dict(example_report)
    assert set(data) == {"format_version", "meta", "summary", "calibration", "decomposition", "analysts", "phrases",
                         "surprises", "resolved", "pending", "trend", "team"}
    assert data["meta"]["quarter"] == "2018Q3" and data["meta"]["as_of"] == "2018-10-15"
    assert data["meta"]["generated_at"] == "2018-10-15T09:30:00Z"
    assert data["summary"]["n_resolved"] == 6 and data["summary"]["n_annulled"] == 3
    assert [a["name"] for a in data["analysts"]] == ["ana-illustrative", "ben-illustrative", "assessment"]
    assert data["calibration"]["bins"][1]["count"] == 1  # the 10-20% bin: ana's 0.1 on Vienna
    assert "data:image" not in json.dumps(data)  # no image data in JSON
    assert all(re.fullmatch(r"[a-z0-9_]+", k) for k in data["summary"])


def test_json_from_the_cli(sqlite_url, tmp_path, example):
    out = run(sqlite_url, "report", "--quarter", "2018Q3", "--format", "json").stdout
    assert json.loads(out)["summary"]["n_pairs"] == 11
    run(sqlite_url, "report", "--quarter", "2018Q3", "-o", tmp_path / "r.json")
    assert json.loads((tmp_path / "r.json").read_text())["meta"]["quarter"] == "2018Q3"


def test_markdown_format(example_report):
    md = render_markdown(example_report)
    assert md.startswith("# Forecast report: 2018Q3\n")
    for heading in ("## Summary", "## Calibration", "## Decomposition of the Brier score", "## Analysts",
                    "## What our words meant", "## Biggest surprises", "## Resolved questions",
                    "## Awaiting resolution", "## Trend over the quarters"):
        assert f"\n{heading}\n" in md
    assert "| ana-illustrative | 4 | 0.021 |" in md
    assert "| 'is expected to' | icd203 | likely 55%-80% |" in md
    # every table row has as many cells as its header
    for block in re.findall(r"((?:^\|.*\|\n)+)", md, flags=re.M):
        lines = block.strip("\n").split("\n")
        width = len(re.findall(r"(?<!\\)\|", lines[0]))
        assert all(len(re.findall(r"(?<!\\)\|", line)) == width for line in lines), block
    assert render(example_report, "md") == md


# ------------------------------------------------------------ empty and thin


def test_empty_database(sqlite_url):
    store = open_db(sqlite_url)
    try:
        r = build_report(store, now=NOW)
    finally:
        store.dispose()
    html = render_html(r)
    assert "No resolved questions yet" in html
    assert "<img" not in html
    assert r.summary.n_questions == 0 and r.summary.brier is None and r.summary.verdict == "no data"
    md = render_markdown(r)
    assert "No resolved questions yet" in md
    data = json.loads(render_json(r))
    assert data["analysts"] == [] and data["resolved"] == [] and data["summary"]["brier"] is None


def test_empty_quarter_with_overdue_questions(sqlite_url, tmp_path):
    import_csv(sqlite_url, tmp_path, [
        {"question": "q-overdue", "analyst": "ana", "probability": "0.7", "made_at": "2018-07-01", "deadline": "2018-08-15"},
        {"question": "q-later", "analyst": "ben", "probability": "0.3", "made_at": "2018-07-01", "deadline": "2018-12-01"},
    ])
    store = open_db(sqlite_url)
    try:
        r = build_report(store, quarter="2018Q3", as_of=AS_OF, now=NOW)
    finally:
        store.dispose()
    assert r.summary.n_questions == 1 and r.summary.n_overdue == 1
    (q,) = r.awaiting
    assert q.id == "q-overdue" and q.days_overdue == 61 and q.n_analysts == 1
    html = render_html(r)
    assert "No resolved questions yet" in html and "Overdue: deadline passed" in html and "q-overdue" in html
    assert "q-later" not in html  # its deadline is in 2018Q4


def test_thin_data_says_too_few_for_a_curve(sqlite_url, tmp_path):
    import_csv(sqlite_url, tmp_path, [
        {"question": f"q{i}", "analyst": "ana", "probability": p, "made_at": "2018-07-01", "deadline": "2018-08-01",
         "outcome": o, "known_at": "2018-08-01"}
        for i, (p, o) in enumerate([("0.8", "yes"), ("0.3", "no"), ("0.6", "no")])
    ])
    store = open_db(sqlite_url)
    try:
        r = build_report(store, as_of=AS_OF, now=NOW)
    finally:
        store.dispose()
    assert r.summary.n_pairs == 3 and not r.calibration.enough
    html = render_html(r)
    assert "Too few resolved forecasts for a calibration curve: 3" in html
    assert "Too few resolved forecasts (3) to judge calibration" in html
    imgs = re.findall(r"<img [^>]*alt=\"([^\"]*)\"", html)
    assert not any("Reliability" in a for a in imgs)  # no calibration figure, but the analysts figure is there


def test_trend_over_earlier_quarters(sqlite_url, tmp_path):
    rows = []
    for quarter_deadline, known in (("2018-05-01", "2018-05-01"), ("2018-08-01", "2018-08-01"), ("2018-11-01", "2018-11-01")):
        for i in range(4):
            qid = f"q-{quarter_deadline}-{i}"
            for who, p in (("ana", 0.8 if i % 2 else 0.3), ("ben", 0.6)):
                rows.append({"question": qid, "analyst": who, "probability": str(p), "made_at": "2018-04-01",
                             "deadline": quarter_deadline, "outcome": "yes" if i % 2 else "no", "known_at": known})
    import_csv(sqlite_url, tmp_path, rows)
    store = open_db(sqlite_url)
    try:
        r = build_report(store, quarter="2018Q3", as_of=date(2018, 12, 31), now=NOW)
    finally:
        store.dispose()
    assert r.trend_quarters == ["2018Q2", "2018Q3"]  # earlier quarters only, not 2018Q4
    team = [t for t in r.trend if t.group == "team"]
    assert [t.n for t in team] == [8, 8]
    html = render_html(r)
    assert 'alt="Team Brier score per quarter with intervals"' in html


# ------------------------------------------------------------------ escaping


XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_user_text_renders_inert(sqlite_url, tmp_path):
    import_csv(sqlite_url, tmp_path, [
        {"question": "xss", "analyst": "<b>eve</b>", "probability": "0.9", "made_at": "2018-07-01",
         "deadline": "2018-08-01", "text": XSS},
        {"question": "xss", "analyst": "ana", "probability": "0.2", "made_at": "2018-07-01"},
    ])
    run(sqlite_url, "resolve", "xss", "no", "--known-at", "2018-07-20", "--evidence", "javascript:alert(1)",
        "--evidence", "https://example.org/a?b=1&c=<x>", "--note", "</td><script>alert(2)</script>", "--reviewer", "rev")
    store = open_db(sqlite_url)
    try:
        r = build_report(store, as_of=AS_OF, now=NOW)
    finally:
        store.dispose()
    assert r.surprises and r.surprises[0].text == XSS  # eve's 90% on a "no"
    html = render_html(r)
    lowered = html.lower()
    assert "<script" not in lowered and "<img src=x" not in lowered
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;b&gt;eve&lt;/b&gt;" in html and "<b>eve" not in html
    assert 'href="javascript:' not in lowered
    assert "javascript:alert(1)" in html  # shown as text, not a link
    # the figures carry the analyst name as escaped SVG text, inside <img> (where SVG never runs script)
    for uri in re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', html):
        svg = base64.b64decode(uri).decode("utf-8")
        assert "<script" not in svg and "<b>eve" not in svg
    md = render_markdown(r)
    assert "<script" not in md and "&lt;script&gt;" in md and "&lt;b&gt;eve&lt;/b&gt;" in md


def test_no_tag_can_break_out_of_an_html_attribute(example_report):
    example_report.meta.title = 'x" onload="alert(1)'
    html = render_html(example_report)
    assert 'onload="alert(1)' not in html and "x&#34; onload=&#34;alert(1)" in html


def test_compiled_templates_are_cached_and_a_broken_cache_is_harmless(example_report, tracker_home):
    import subprocess
    import sys

    code = ("import sys, pickle; from tracker.report.render import render_html; "
            "sys.stdout.write(render_html(pickle.load(sys.stdin.buffer), figures={}))")
    import pickle

    data = pickle.dumps(example_report)
    env = dict(os.environ, TRACKER_HOME=str(tracker_home))
    first = subprocess.run([sys.executable, "-c", code], input=data, capture_output=True, env=env, check=True).stdout
    cached = list((tracker_home / "cache" / "templates").glob("*.cache"))
    assert len(cached) == 1
    cached[0].write_bytes(b"not a jinja bytecode file")  # a damaged cache entry is compiled again
    again = subprocess.run([sys.executable, "-c", code], input=data, capture_output=True, env=env, check=True).stdout
    assert again == first and b"Forecast report: 2018Q3" in first


# ---------------------------------------------------------------- backends


def test_report_on_each_backend(db_url, tmp_path):
    """The report's queries run on SQLite and PostgreSQL and agree with the score service."""
    from tracker.services.score import score

    import_example(db_url, tmp_path)
    store = open_db(db_url)
    try:
        r = build_report(store, quarter="2018Q3", as_of=AS_OF, now=NOW)
        r_ana = build_report(store, analyst="ana-illustrative", as_of=AS_OF, now=NOW)
        r_scn = build_report(store, scenario="nope", as_of=AS_OF, now=NOW)
        assert r.summary.brier == pytest.approx(score(store, quarter="2018Q3")["brier"])
    finally:
        store.dispose()
    assert (r.summary.n_resolved, r.summary.n_annulled, len(r.resolved)) == (6, 3, 9)
    # one analyst: their forecasts only, but relative Brier still against everyone
    assert [a.name for a in r_ana.analysts] == ["ana-illustrative"]
    assert r_ana.analysts[0].relative_brier == pytest.approx(r.analysts[0].relative_brier)
    assert all(f.analyst == "ana-illustrative" for q in r_ana.resolved for f in q.finals)
    assert r_ana.summary.n_pairs == 4 and r_ana.meta.title.endswith("analyst ana-illustrative")
    assert r_scn.summary.n_questions == 0
    assert "scenario 'nope' has no questions" in r_scn.summary.notes
    assert "scenario &#39;nope&#39; has no questions" in render_html(r_scn)


def _random_rows(seed: int, n_questions: int = 60) -> list[dict]:
    import numpy as np

    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n_questions):
        deadline = f"2018-{rng.integers(1, 13):02d}-15"
        outcome = rng.choice(["yes", "no", ""], p=[0.45, 0.45, 0.1])
        for who in rng.choice(["ana", "ben", "cy", "dee"], size=rng.integers(1, 4), replace=False):
            for k in range(rng.integers(1, 4)):  # revisions, some after the outcome became known
                day = int(rng.integers(1, 28))
                rows.append({"question": f"r{i:03d}", "analyst": who, "probability": f"{rng.random():.2f}",
                             "made_at": f"2017-12-{day:02d}T{k:02d}:00:00", "deadline": deadline,
                             "outcome": outcome, "known_at": "2017-12-28T12:00:00" if outcome and i % 5 == 0 else ""})
    return rows


def test_report_and_score_read_the_same_pairs(db_url, tmp_path):
    """The report reads its pairs through the score service's loader: over random boards (revisions,
    forecasts after the outcome became known, annulled questions) and several scopes, the report's
    team summary and per-analyst rows equal ``tracker score``'s, interval for interval."""
    from tracker.services.score import score

    import_example(db_url, tmp_path)
    import_csv(db_url, tmp_path, _random_rows(11))
    store = open_db(db_url)
    try:
        for scope in ({}, {"scenario": "trump-putin-2018"}, {"tag": "summit"}, {"quarter": "2018Q1"}):
            for mode in ("final", "initial"):
                r = build_report(store, mode=mode, as_of=AS_OF, now=NOW, **scope)
                team = score(store, mode=mode, **scope)
                assert r.summary.n_pairs == team["n"] and (r.summary.n_pairs > 0 or scope.get("quarter"))
                assert r.summary.brier == team["brier"] and r.summary.brier_ci == team["brier_ci"]
                by = {g["group"]: g for g in score(store, by="analyst", mode=mode, **scope)}
                assert {a.name for a in r.analysts if a.n} == {k for k, g in by.items() if g["n"]}
                for a in r.analysts:
                    assert (a.n, a.brier, a.brier_ci) == (by[a.name]["n"], by[a.name]["brier"], by[a.name]["brier_ci"])
                    assert a.relative_ci == by[a.name]["relative_brier_ci"]
    finally:
        store.dispose()


@pytest.mark.parametrize("mode", ["initial", "time-weighted"])
def test_other_modes_use_the_score_service(example, mode):
    from tracker.services.score import score

    r = build_report(example, quarter="2018Q3", mode=mode, as_of=AS_OF, now=NOW)
    assert r.meta.mode == mode
    assert r.summary.brier == pytest.approx(score(example, quarter="2018Q3", mode=mode)["brier"])
    assert mode in render_html(r)


def test_unknown_quarter_and_mode_are_one_line_errors(sqlite_url):
    from click.testing import CliRunner

    from tracker.cli import main

    result = CliRunner().invoke(main, ["--db", sqlite_url, "report", "--quarter", "2018Q9"])
    assert result.exit_code == 1 and result.stderr.startswith("error: quarter '2018Q9'")
    result = CliRunner().invoke(main, ["--db", sqlite_url, "report", "--mode", "median"])
    assert result.exit_code == 2


# --------------------------------------------------------------- packaging


@pytest.mark.slow
def test_wheel_ships_the_templates_and_the_demo_runs_from_it(tmp_path):
    """Build a wheel from a copy of the tree (the checkout is left alone), look inside, and run
    ``tracker demo`` from the unpacked wheel (not from the checkout)."""
    import shutil
    import subprocess
    import sys
    import zipfile

    root = Path(__file__).resolve().parents[1]
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(root / "pyproject.toml", src)
    shutil.copy(root / "README.md", src)
    shutil.copytree(root / "tracker", src / "tracker", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    dist = tmp_path / "dist"
    base = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(src)]
    proc = subprocess.run(base[:5] + ["--no-build-isolation"] + base[5:], capture_output=True, text=True)
    if proc.returncode != 0:  # no 'wheel' package here: let pip fetch the build requirements
        proc = subprocess.run(base, capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot build a wheel here: {proc.stderr.strip()[-200:]}")
    (wheel,) = dist.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ("tracker/report/templates/report.html.j2", "tracker/report/templates/report.md.j2",
                   "tracker/examples/trump-putin-2018.yaml", "tracker/examples/resolutions-2018-Q3.yaml",
                   "tracker/report/figures.py", "tracker/cli/report_cmds.py"):
        assert needed in names, needed

    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    env = dict(os.environ, PYTHONPATH=str(site))
    code = "import sys, tracker; assert tracker.__file__.startswith(sys.argv[1]), tracker.__file__; " \
           "from tracker.cli import main; sys.exit(main(sys.argv[2:]))"
    demo = tmp_path / "demo"
    proc = subprocess.run([sys.executable, "-c", code, str(site), "demo", "--dir", str(demo)], capture_output=True,
                          text=True, cwd=tmp_path, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert (demo / "report.html").stat().st_size > 10_000 and (demo / "calibration.png").exists()
