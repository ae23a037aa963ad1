"""The worked example end to end: the 2018 Trump-Putin scenario and its Q3
resolutions import, the review has nothing left to resolve, the forecasts
are coherent and score; the packaged copies equal the repository's files."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from support import dump_db

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "trump-putin-2018.yaml"
RESOLUTIONS = ROOT / "resolutions" / "2018-Q3.yaml"
ANNULLED = ["bilateral-ties-focus", "sanctions-relief-raised", "trade-discussed"]


def test_packaged_copies_are_byte_identical():
    pkg = ROOT / "tracker" / "examples"
    assert (pkg / "trump-putin-2018.yaml").read_bytes() == SCENARIO.read_bytes()
    assert (pkg / "resolutions-2018-Q3.yaml").read_bytes() == RESOLUTIONS.read_bytes()


def test_packaged_copies_are_installed_package_data():
    from importlib import resources

    files = resources.files("tracker.examples")
    assert files.joinpath("trump-putin-2018.yaml").read_bytes() == SCENARIO.read_bytes()
    assert files.joinpath("resolutions-2018-Q3.yaml").read_bytes() == RESOLUTIONS.read_bytes()


def test_worked_example(cli):
    result = cli.ok("import", SCENARIO)
    assert "scenario trump-putin-2018 created; 9 questions created, 0 updated; 25 forecasts added (0 already present)" in result.stderr
    before = cli.ok("review", "--quarter", "2018Q3", "--json").stdout
    assert json.loads(before)["counts"] == {"resolved": 0, "awaiting_resolution": 9, "not_yet_due": 0}

    result = cli.ok("import", RESOLUTIONS)
    assert "6 resolved, 3 annulled, 0 corrected, 0 unchanged, 0 left blank" in result.stderr

    data = json.loads(cli.ok("review", "--quarter", "2018Q3", "--json").stdout)
    assert data["counts"] == {"resolved": 9, "awaiting_resolution": 0, "not_yet_due": 0}
    outcomes = {q["id"]: (q["status"], q["outcome"]) for q in data["resolved"]}
    assert outcomes == {
        "bolton-moscow": ("resolved", "yes"),
        "meeting-july": ("resolved", "yes"),
        "meeting-vienna": ("resolved", "no"),
        "meeting-location": ("resolved", "helsinki"),
        "meeting-timing": ("resolved", "after-london"),
        "syria-discussed": ("resolved", "yes"),
        **{qid: ("annulled", None) for qid in ANNULLED},
    }
    assert all(q["recorded_by"] == "review-board" for q in data["resolved"])
    text = cli.ok("review", "--quarter", "2018Q3").stdout
    assert "9 resolved, 0 awaiting resolution, 0 not yet due" in text

    # coherent: meeting-vienna implies meeting-july and every analyst agrees
    assert cli.ok("check", "--json").stdout.strip() == "[]"
    assert cli.ok("check", "--scenario", "trump-putin-2018").stderr.strip() == "no incoherence found"

    score = json.loads(cli.ok("score", "--json").stdout)
    assert score["n"] == 11  # binary (question, analyst) pairs that resolved and were not annulled
    assert score["n_questions"] == 4 and score["n_analysts"] == 3
    assert score["categorical"]["n"] == 4
    assert 0 < score["brier"] < 0.25

    # the history of the headline question: four forecasts, then the resolution
    events = json.loads(cli.ok("history", "meeting-july", "--json").stdout)
    assert [(e["record"], e["who"], e["effective_at"][:10], e["value"]) for e in events] == [
        ("forecast", "assessment", "2018-06-20", 0.675),
        ("forecast", "ana-illustrative", "2018-06-21", 0.8),
        ("forecast", "ben-illustrative", "2018-06-22", 0.55),
        ("forecast", "ana-illustrative", "2018-06-27", 0.9),
        ("resolution", "review-board", "2018-07-16", "yes"),
    ]

    # both files again: nothing changes
    state = dump_db(cli.db_url)
    cli.ok("import", SCENARIO)
    assert "0 resolved, 0 annulled, 0 corrected, 9 unchanged, 0 left blank" in cli.ok("import", RESOLUTIONS).stderr
    assert dump_db(cli.db_url) == state


def test_filled_skeleton_equals_the_published_resolutions(cli, tmp_path, db_url):
    """Filling the review's skeleton with the published outcomes records what
    importing resolutions/2018-Q3.yaml records."""
    cli.ok("import", SCENARIO)
    skeleton = tmp_path / "2018-Q3.yaml"
    cli.ok("review", "--quarter", "2018Q3", "--write", skeleton, "--reviewer", "review-board")
    doc = yaml.safe_load(skeleton.read_text())
    published = {e["question"]: e for e in yaml.safe_load(RESOLUTIONS.read_text())["resolutions"]}
    assert sorted(e["question"] for e in doc["resolutions"]) == sorted(published)
    for entry in doc["resolutions"]:
        source = published[entry["question"]]
        for key in ("outcome", "known_at", "evidence", "note", "reason"):
            if key in source:
                entry[key] = source[key]
    skeleton.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    assert "6 resolved, 3 annulled" in cli.ok("import", skeleton).stderr

    def resolution_rows(url):
        rows = dict(dump_db(url))["resolutions"]
        # id, question, outcome, annulled, reason, known_at, (recorded_at), recorded_by, evidence, note, supersedes, source
        return sorted(tuple(v for i, v in enumerate(r) if i not in (0, 6)) for r in rows)

    filled = resolution_rows(db_url)
    assert len(filled) == 9
    assert {r[0] for r in filled} == set(published)
    assert all(r[5] == "review-board" and r[-1] == "resolutions:2018-Q3" for r in filled)
    assert sorted(r[0] for r in filled if r[2]) == ANNULLED
    # importing the published file on top changes nothing: every entry is already recorded
    before = dump_db(db_url)
    assert "9 unchanged" in cli.ok("import", RESOLUTIONS).stderr
    assert dump_db(db_url) == before
