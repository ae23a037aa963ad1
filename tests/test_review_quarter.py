"""`tracker review --quarter`: the questions whose deadline falls in the
quarter, grouped as resolved, awaiting resolution and not yet due; stale
forecasts; the resolution-file skeleton, filled in and applied."""

from __future__ import annotations

import json

import pytest
import yaml

from support import dump_db

SCENARIO = """\
id: q3
title: Third quarter
source: {date: 2018-06-01}
questions:
  - id: jun30
    text: Last day of Q2
    deadline: 2018-06-30
  - id: jul01
    text: First day of Q3
    deadline: 2018-07-01
    forecasts: [{analyst: al, probability: 0.7, made_at: 2018-06-02}]
  - id: annul
    text: Will be annulled
    deadline: 2018-07-31
  - id: aug15
    text: Due mid August
    deadline: 2018-08-15
    tags: [summit]
    forecasts: [{analyst: al, probability: 0.4, made_at: 2018-06-02}]
  - id: aug20
    text: Due on the review day
    deadline: 2018-08-20
    forecasts:
      - {analyst: al, probability: 0.5, made_at: 2018-07-21}
      - {analyst: bo, probability: 0.2, made_at: 2018-07-20T23:59:00Z}
  - id: sep30
    text: Last day of Q3
    deadline: 2018-09-30
    outcomes: [low, mid, high]
    forecasts:
      - {analyst: al, probability: {low: 0.2, mid: 0.5, high: 0.3}, made_at: 2018-06-02}
      - {analyst: al, probability: {low: 0.1, mid: 0.6, high: 0.3}, made_at: 2018-08-19}
  - id: oct01
    text: First day of Q4
    deadline: 2018-10-01
"""


@pytest.fixture
def seeded(cli, tmp_path):
    path = tmp_path / "q3.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    cli.ok("import", path)
    cli.ok("resolve", "jul01", "yes", "--known-at", "2018-07-01", "--evidence", "https://example.org/a", "--reviewer", "rita")
    cli.ok("resolve", "annul", "annulled", "--reason", "ill-posed", "--known-at", "2018-07-31", "--reviewer", "rita")
    return cli


def review_json(cli, *args) -> dict:
    return json.loads(cli.ok("review", *args, "--json").stdout)


def ids(items) -> list:
    return [q["id"] for q in items]


def test_groups_and_quarter_boundaries(seeded):
    data = review_json(seeded, "--quarter", "2018Q3", "--as-of", "2018-08-20")
    assert (data["quarter"], data["start"], data["end"], data["as_of"]) == ("2018Q3", "2018-07-01", "2018-09-30", "2018-08-20")
    # 2018-06-30 (Q2) and 2018-10-01 (Q4) are outside; 07-01 and 09-30 inside
    assert ids(data["resolved"]) == ["jul01", "annul"]
    assert ids(data["awaiting_resolution"]) == ["aug15"]
    assert ids(data["not_yet_due"]) == ["aug20", "sep30"]  # a deadline means the end of that day
    assert data["counts"] == {"resolved": 2, "awaiting_resolution": 1, "not_yet_due": 2}

    jul01, annul = data["resolved"]
    assert (jul01["status"], jul01["outcome"], jul01["known_at"], jul01["evidence"], jul01["recorded_by"]) == (
        "resolved", "yes", "2018-07-01T00:00:00Z", ["https://example.org/a"], "rita")
    assert (annul["status"], annul["outcome"], annul["reason"]) == ("annulled", None, "ill-posed")
    aug15 = data["awaiting_resolution"][0]
    assert (aug15["status"], aug15["days_overdue"], aug15["deadline"], aug15["tags"], aug15["n_analysts"]) == (
        "awaiting_resolution", 5, "2018-08-15", ["summit"], 1)
    assert aug15["outcomes"] == ["yes", "no"]
    sep30 = data["not_yet_due"][1]
    assert (sep30["kind"], sep30["outcomes"], sep30["n_analysts"]) == ("categorical", ["low", "mid", "high"], 1)
    assert data["stale"] == [] and data["stale_days"] is None


def test_other_quarters(seeded):
    q2 = review_json(seeded, "--quarter", "2018Q2", "--as-of", "2018-08-20")
    assert ids(q2["awaiting_resolution"]) == ["jun30"] and q2["resolved"] == [] and q2["not_yet_due"] == []
    q4 = review_json(seeded, "--quarter", "2018-q4", "--as-of", "2018-08-20")
    assert (q4["quarter"], q4["start"], q4["end"]) == ("2018Q4", "2018-10-01", "2018-12-31")
    assert ids(q4["not_yet_due"]) == ["oct01"]
    empty = review_json(seeded, "--quarter", "2019Q1")
    assert (empty["resolved"], empty["awaiting_resolution"], empty["not_yet_due"], empty["stale"]) == ([], [], [], [])
    assert empty["counts"] == {"resolved": 0, "awaiting_resolution": 0, "not_yet_due": 0}


@pytest.mark.parametrize("spelling", ["2018Q3", "2018-Q3", "2018q3", " 2018 - Q3 "])
def test_quarter_spellings(cli, spelling):
    assert review_json(cli, "--quarter", spelling)["quarter"] == "2018Q3"


@pytest.mark.parametrize("bad, message", [
    ("2018Q5", "quarter '2018Q5' is not like 2018Q3"),
    ("2018Q0", "quarter '2018Q0' is not like 2018Q3"),
    ("2018", "quarter '2018' is not like 2018Q3"),
    ("Q3-2018", "quarter 'Q3-2018' is not like 2018Q3"),
    ("18Q3", "quarter '18Q3' is not like 2018Q3"),
    ("2018-07", "quarter '2018-07' is not like 2018Q3"),
    ("", "quarter '' is not like 2018Q3"),
    ("1800Q1", "quarter '1800Q1' is out of range"),
    ("9999Q4", "quarter '9999Q4' is out of range"),
])
def test_bad_quarters_are_refused(cli, bad, message):
    cli.fails("review", "--quarter", bad, match=message)


def test_missing_quarter_and_bad_as_of_are_usage_errors(cli):
    assert cli("review").exit_code == 2
    result = cli("review", "--quarter", "2018Q3", "--as-of", "soonish")
    assert result.exit_code == 2 and "is not an ISO date" in result.stderr


def test_stale_forecasts_on_open_questions(seeded):
    data = review_json(seeded, "--quarter", "2018Q3", "--as-of", "2018-08-20", "--stale", "30d")
    # cut-off 2018-07-21 00:00: al's 07-21 forecast is recent, bo's 07-20 23:59 is not; sep30's latest is 08-19;
    # aug15 is awaiting resolution (not open for updates), jul01 is resolved
    assert data["stale_days"] == 30
    assert data["stale"] == [
        {"question_id": "aug20", "analyst": "bo", "last_forecast_at": "2018-07-20T23:59:00Z", "days_since": 31},
    ]
    four_weeks = review_json(seeded, "--quarter", "2018Q3", "--as-of", "2018-08-20", "--stale", "4w")
    assert four_weeks["stale_days"] == 28
    assert [(s["question_id"], s["analyst"]) for s in four_weeks["stale"]] == [("aug20", "al"), ("aug20", "bo")]
    # as of 2018-08-18 al's 08-19 revision of sep30 had not been made: the 06-02 forecast was 77 days old
    earlier = review_json(seeded, "--quarter", "2018Q3", "--as-of", "2018-08-18", "--stale", "60")
    assert earlier["stale"] == [
        {"question_id": "sep30", "analyst": "al", "last_forecast_at": "2018-06-02T00:00:00Z", "days_since": 77},
    ]


@pytest.mark.parametrize("bad", ["soon", "30 days", "-5", "3m", "1234567"])
def test_bad_stale_is_refused(cli, bad):
    cli.fails("review", "--quarter", "2018Q3", "--stale", bad, match=f"{bad!r} is not a number of days such as 30d or 4w")


def test_text_output(seeded):
    out = seeded.ok("review", "--quarter", "2018Q3", "--as-of", "2018-08-20", "--stale", "30d").stdout
    assert out.startswith("review 2018Q3 (2018-07-01 to 2018-09-30), as of 2018-08-20: "
                          "2 resolved, 1 awaiting resolution, 2 not yet due\n")
    assert "\nresolved (2)\n" in out and "\nawaiting resolution (1)\n" in out and "\nnot yet due (2)\n" in out
    assert "stale forecasts: no update in 30 days (1)" in out
    lines = out.splitlines()
    row = next(line for line in lines if line.startswith("aug15"))
    assert row.split()[:3] == ["aug15", "2018-08-15", "5"]
    row = next(line for line in lines if line.startswith("annul "))
    assert row.split()[:4] == ["annul", "2018-07-31", "annulled", "-"]


def test_scenario_filter(seeded, tmp_path):
    other = tmp_path / "other.yaml"
    other.write_text("id: other\ntitle: O\nsource: {date: 2018-06-01}\nquestions:\n"
                     "  - {id: elsewhere, text: E, deadline: 2018-08-01}\n", encoding="utf-8")
    seeded.ok("import", other)
    everything = review_json(seeded, "--quarter", "2018Q3", "--as-of", "2018-08-20")
    assert ids(everything["awaiting_resolution"]) == ["elsewhere", "aug15"]  # by deadline
    data = review_json(seeded, "--quarter", "2018Q3", "--as-of", "2018-08-20", "--scenario", "other")
    assert ids(data["awaiting_resolution"]) == ["elsewhere"] and data["resolved"] == [] and data["not_yet_due"] == []


# ------------------------------------------------------------------ skeleton

EXPECTED_SKELETON = '''\
# Resolution file for 2018-Q3: fill in each question's outcome (one of its
# outcomes, or annulled with a reason), when it became known (known_at), the
# evidence (links or citations) and a note; then `tracker import` this file.
# Entries left with a blank outcome are skipped. To correct an outcome already
# recorded, add `supersede: true` and a `reason`; the earlier record is kept.
period: 2018-Q3
reviewer: rita
resolutions:
- question: aug15
  text: Due mid August
  deadline: 2018-08-15
  outcomes:
  - "yes"
  - "no"
  outcome: ""
  known_at: ""
  evidence: []
  note: ""
'''


def test_skeleton_lists_the_questions_awaiting_resolution(seeded, tmp_path):
    path = tmp_path / "resolutions" / "2018-Q3.yaml"
    result = seeded.ok("review", "--quarter", "2018Q3", "--as-of", "2018-08-20", "--write", path, "--reviewer", "rita")
    assert f"wrote {path}: 1 questions awaiting resolution" in result.stderr
    assert result.stdout == ""
    assert path.read_text(encoding="utf-8") == EXPECTED_SKELETON
    # an unchanged skeleton imports as a no-op: every entry is blank
    before = dump_db(seeded.db_url)
    result = seeded.ok("import", path)
    assert "0 resolved, 0 annulled, 0 corrected, 0 unchanged, 1 left blank" in result.stderr
    assert dump_db(seeded.db_url) == before


def test_skeleton_is_not_overwritten_without_force(seeded, tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("keep me\n", encoding="utf-8")
    seeded.fails("review", "--quarter", "2018Q3", "--write", path, match=f"{path} exists: pass --force to overwrite it")
    assert path.read_text() == "keep me\n"
    seeded.ok("review", "--quarter", "2018Q3", "--write", path, "--force")
    assert path.read_text().startswith("# Resolution file for 2018-Q3")


def test_skeleton_reviewer_defaults_to_the_analyst(seeded, tmp_path):
    path = tmp_path / "s.yaml"
    seeded.ok("review", "--quarter", "2018Q3", "--write", path)
    assert yaml.safe_load(path.read_text())["reviewer"] == "tester"  # TRACKER_ANALYST


def test_filled_skeleton_is_applied(seeded, tmp_path):
    path = tmp_path / "2018-Q3.yaml"
    seeded.ok("review", "--quarter", "2018Q3", "--write", path, "--reviewer", "rita", "--json")
    doc = yaml.safe_load(path.read_text())
    entries = {e["question"]: e for e in doc["resolutions"]}
    assert list(entries) == ["aug15", "aug20", "sep30"]  # as of today every unresolved Q3 question is due
    assert entries["sep30"]["outcomes"] == ["low", "mid", "high"]
    assert entries["aug20"]["deadline"].isoformat() == "2018-08-20"

    # the reviewer fills in two entries and leaves one blank
    entries["aug15"].update(outcome="no", known_at="2018-08-15", evidence=["https://example.org/aug15"], note="Did not happen.")
    entries["sep30"].update(outcome="mid", known_at="2018-09-12")
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    result = seeded.ok("import", path, "--json")
    counts = json.loads(result.stdout)
    assert (counts["resolved"], counts["annulled"], counts["superseded"], counts["unchanged"], counts["left_blank"]) == (2, 0, 0, 0, 1)

    aug15 = json.loads(seeded.ok("show", "aug15", "--json").stdout)["resolutions"]
    assert [(r["outcome"], r["known_at"], r["evidence"], r["note"], r["recorded_by"], r["source"]) for r in aug15] == [
        ("no", "2018-08-15T00:00:00Z", ["https://example.org/aug15"], "Did not happen.", "rita", "resolutions:2018-Q3")]
    data = review_json(seeded, "--quarter", "2018Q3")
    assert ids(data["awaiting_resolution"]) == ["aug20"]
    assert ids(data["resolved"]) == ["jul01", "annul", "aug15", "sep30"]

    # the last one is filled in later; the whole file imports again, the others unchanged
    entries["aug20"].update(outcome="annulled", reason="the source withdrew the claim")
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    result = seeded.ok("import", path)
    assert "0 resolved, 1 annulled, 0 corrected, 2 unchanged, 0 left blank" in result.stderr
    data = review_json(seeded, "--quarter", "2018Q3")
    assert data["counts"] == {"resolved": 5, "awaiting_resolution": 0, "not_yet_due": 0}

    # a fresh skeleton is now empty
    again = tmp_path / "again.yaml"
    seeded.ok("review", "--quarter", "2018Q3", "--write", again)
    assert yaml.safe_load(again.read_text())["resolutions"] == []


def test_write_with_json_still_prints_the_review(seeded, tmp_path):
    result = seeded.ok("review", "--quarter", "2018Q3", "--as-of", "2018-08-20", "--write", tmp_path / "s.yaml", "--json")
    assert json.loads(result.stdout)["counts"]["awaiting_resolution"] == 1


def test_skeleton_of_an_empty_quarter(cli, tmp_path):
    path = tmp_path / "s.yaml"
    cli.ok("review", "--quarter", "2031Q1", "--write", path, "--reviewer", "rita")
    assert path.read_text().endswith("\nperiod: 2031-Q1\nreviewer: rita\nresolutions: []\n")
    assert "0 resolved, 0 annulled, 0 corrected, 0 unchanged, 0 left blank" in cli.ok("import", path).stderr
