"""Resolution files: all entries in one transaction or none, re-import is a
no-op, corrections need supersede and a reason and keep the earlier record,
blank outcomes are skipped and reported, failed conditions annul their
dependents; `tracker history` shows every record in order."""

from __future__ import annotations

import json
import textwrap

import pytest

from support import dump_db

SCENARIO = """\
id: sc
title: S
source: {date: 2018-06-20}
questions:
  - id: meet
    text: They meet
    deadline: 2018-07-31
    forecasts:
      - {analyst: ana, probability: 0.6, made_at: 2018-06-21}
      - {analyst: ana, probability: 0.8, made_at: 2018-06-27, rationale: announced}
  - id: venue
    text: Where
    deadline: 2018-07-31
    outcomes: [vienna, helsinki, elsewhere]
  - id: trade
    text: They discuss trade
    deadline: 2018-07-31
    condition: {question: meet, outcome: yes}
  - id: syria
    text: They discuss Syria
    deadline: 2018-07-31
    condition: meet=yes
  - id: snub
    text: One of them cancels
    deadline: 2018-07-31
    condition: {question: meet, outcome: no}
"""

RESOLUTIONS = """\
period: 2018-Q3
reviewer: rita
resolutions:
  - question: meet
    outcome: yes
    known_at: 2018-07-16
    evidence:
      - https://example.org/summit
      - "White House, 'Remarks', 16 July 2018"
    note: Held in Helsinki.
  - question: venue
    outcome: helsinki
    known_at: 2018-06-28T12:00:00Z
    evidence: https://example.org/venue
  - question: trade
    outcome: annulled
    reason: no readout
  - question: syria
    outcome:
"""


@pytest.fixture
def seeded(cli, tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    cli.ok("import", path)
    return cli


def write(tmp_path, text: str, name: str = "r.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def resolutions(cli, qid: str) -> list:
    return json.loads(cli.ok("show", qid, "--json").stdout)["resolutions"]


def history(cli, qid: str) -> list:
    return json.loads(cli.ok("history", qid, "--json").stdout)


def test_file_is_applied(seeded, tmp_path):
    result = seeded.ok("import", write(tmp_path, RESOLUTIONS), "--json")
    counts = json.loads(result.stdout)
    assert counts == {
        "resolved": 2, "annulled": 1, "superseded": 0, "unchanged": 0, "left_blank": 1, "auto_annulled": ["snub"],
        "still_annulled": [],
        "summary": "2 resolved, 1 annulled, 0 corrected, 0 unchanged, 1 left blank; "
                   "annulled because their condition failed: snub",
    }
    [meet] = resolutions(seeded, "meet")
    assert (meet["outcome"], meet["annulled"], meet["known_at"], meet["recorded_by"], meet["note"], meet["source"]) == (
        "yes", False, "2018-07-16T00:00:00Z", "rita", "Held in Helsinki.", "resolutions:2018-Q3")
    assert meet["evidence"] == ["https://example.org/summit", "White House, 'Remarks', 16 July 2018"]
    [venue] = resolutions(seeded, "venue")
    assert (venue["outcome"], venue["known_at"], venue["evidence"]) == ("helsinki", "2018-06-28T12:00:00Z", ["https://example.org/venue"])
    [trade] = resolutions(seeded, "trade")
    assert (trade["outcome"], trade["annulled"], trade["reason"]) == (None, True, "no readout")
    assert resolutions(seeded, "syria") == []  # left blank
    [snub] = resolutions(seeded, "snub")  # its condition (meet = no) failed
    assert (snub["annulled"], snub["reason"], snub["known_at"], snub["recorded_by"]) == (
        True, "condition failed: meet resolved yes, not no", "2018-07-16T00:00:00Z", "rita")


def test_correcting_the_condition_annuls_resolved_dependents_and_names_those_left_annulled(seeded, tmp_path):
    """meet yes -> no: trade (meet = yes) was annulled by hand and stays so,
    a resolved syria (meet = yes) is annulled by the correction; snub
    (meet = no) was annulled automatically and its condition holds now: the
    summary names it for the reviewer."""
    seeded.ok("import", write(tmp_path, RESOLUTIONS.replace("outcome:\n", "outcome: yes\n")))
    correction = """\
        period: 2018-Q3
        reviewer: rita
        resolutions:
          - question: meet
            outcome: no
            supersede: true
            reason: the meeting was a phone call
        """
    result = seeded.ok("import", write(tmp_path, correction, "c.yaml"), "--json")
    counts = json.loads(result.stdout)
    assert counts["superseded"] == 1
    assert counts["auto_annulled"] == ["syria"]
    assert counts["still_annulled"] == ["snub"]
    assert counts["summary"] == (
        "0 resolved, 0 annulled, 1 corrected, 0 unchanged, 0 left blank; annulled because their condition failed: "
        "syria; still annulled though their condition holds now (resolve them with supersede): snub"
    )
    syria = resolutions(seeded, "syria")
    assert [(r["outcome"], r["annulled"], r["current"]) for r in syria] == [("yes", False, False), (None, True, True)]
    assert syria[1]["reason"] == "condition failed: meet resolved no, not yes"
    assert [r["reason"] for r in resolutions(seeded, "trade")] == ["no readout"]


def test_summary_on_stderr(seeded, tmp_path):
    result = seeded.ok("import", write(tmp_path, RESOLUTIONS))
    assert result.stdout == ""
    assert result.stderr.strip() == ("imported r.yaml: 2 resolved, 1 annulled, 0 corrected, 0 unchanged, 1 left blank; "
                                     "annulled because their condition failed: snub")


def test_reimport_is_a_no_op(seeded, tmp_path):
    path = write(tmp_path, RESOLUTIONS)
    seeded.ok("import", path)
    before = dump_db(seeded.db_url)
    result = seeded.ok("import", path)
    assert "0 resolved, 0 annulled, 0 corrected, 3 unchanged, 1 left blank" in result.stderr
    assert dump_db(seeded.db_url) == before


def test_reviewer_defaults_to_the_flag_then_the_analyst(seeded, tmp_path):
    text = "resolutions:\n  - {question: meet, outcome: yes, known_at: 2018-07-16}\n  - {question: venue, outcome: vienna}\n"
    seeded.ok("import", write(tmp_path, text), "--reviewer", "vera")
    assert resolutions(seeded, "meet")[0]["recorded_by"] == "vera"
    assert resolutions(seeded, "meet")[0]["source"] == "resolutions:r.yaml"  # no period: the file name


def test_reviewer_from_environment(seeded, tmp_path):
    seeded.ok("import", write(tmp_path, "resolutions:\n  - {question: meet, outcome: no, known_at: 2018-07-31}\n"))
    assert resolutions(seeded, "meet")[0]["recorded_by"] == "tester"


def test_known_at_defaults_to_now(seeded, tmp_path):
    from datetime import datetime, timedelta, timezone

    seeded.ok("import", write(tmp_path, "resolutions:\n  - {question: meet, outcome: yes}\n"))
    known = datetime.fromisoformat(resolutions(seeded, "meet")[0]["known_at"].replace("Z", "+00:00"))
    assert abs(known - datetime.now(timezone.utc)) < timedelta(minutes=1)
    before = dump_db(seeded.db_url)
    seeded.ok("import", tmp_path / "r.yaml")  # no known_at: the recorded one stands
    assert dump_db(seeded.db_url) == before


@pytest.mark.parametrize("bad_entry, message", [
    ("  - question: venue\n    outcome: moscow\n", "r.yaml: question venue: outcome 'moscow' is not an outcome of 'venue'"),
    ("  - question: nowhere\n    outcome: yes\n", "r.yaml: question nowhere: no question with id 'nowhere'"),
    ("  - question: venue\n    outcome: annulled\n", "r.yaml: question venue: annulling 'venue' needs a reason"),
    ("  - question: venue\n    outcome: vienna\n    known_at: 2018-01-01\n",
     "r.yaml: question venue: known_at 2018-01-01 is before 'venue' opened (2018-06-20)"),
    ("  - question: syria\n    outcome: yes\n",  # meet resolved no earlier in this file
     "r.yaml: question syria: already annulled (condition failed: meet resolved no, not yes)"),
])
def test_bad_entry_late_in_the_file_applies_nothing(seeded, tmp_path, bad_entry, message):
    before = dump_db(seeded.db_url)
    text = ("period: 2018-Q3\nresolutions:\n"
            "  - {question: meet, outcome: no, known_at: 2018-07-31}\n"
            "  - {question: trade, outcome: annulled, reason: moot}\n" + bad_entry)
    seeded.fails("import", write(tmp_path, text), match=message)
    assert dump_db(seeded.db_url) == before


# ---------------------------------------------------------------- corrections


def test_changed_outcome_needs_supersede(seeded, tmp_path):
    seeded.ok("import", write(tmp_path, RESOLUTIONS))
    before = dump_db(seeded.db_url)
    changed = RESOLUTIONS.replace("outcome: helsinki", "outcome: vienna")
    result = seeded.fails("import", write(tmp_path, changed, "r2.yaml"),
                          match="r2.yaml: question venue: already resolved as 'helsinki' (recorded ")
    assert "by rita); to change it set supersede: true with a reason" in result.stderr
    assert dump_db(seeded.db_url) == before
    # a different known_at is a change too
    moved = RESOLUTIONS.replace("known_at: 2018-07-16", "known_at: 2018-07-17")
    seeded.fails("import", write(tmp_path, moved, "r3.yaml"), match="r3.yaml: question meet: already resolved as 'yes'")
    assert dump_db(seeded.db_url) == before


def test_supersede_needs_a_reason(seeded, tmp_path):
    seeded.ok("import", write(tmp_path, RESOLUTIONS))
    before = dump_db(seeded.db_url)
    changed = RESOLUTIONS.replace("outcome: helsinki", "outcome: vienna\n    supersede: true")
    seeded.fails("import", write(tmp_path, changed, "r2.yaml"), match="r2.yaml: question venue: a correction of 'venue' needs a reason")
    assert dump_db(seeded.db_url) == before


def test_correction_keeps_the_earlier_record(seeded, tmp_path):
    seeded.ok("import", write(tmp_path, RESOLUTIONS))
    correction = """\
    period: 2018-Q3-fix
    reviewer: vera
    resolutions:
      - question: venue
        outcome: vienna
        supersede: true
        reason: misread the report
        evidence: [https://example.org/fix]
    """
    path = write(tmp_path, correction, "fix.yaml")
    result = seeded.ok("import", path)
    assert "0 resolved, 0 annulled, 1 corrected, 0 unchanged, 0 left blank" in result.stderr
    first, second = resolutions(seeded, "venue")
    assert (first["outcome"], first["recorded_by"], first["supersedes_id"]) == ("helsinki", "rita", None)
    assert (second["outcome"], second["recorded_by"], second["reason"], second["supersedes_id"]) == (
        "vienna", "vera", "misread the report", first["id"])
    assert second["known_at"] == "2018-06-28T12:00:00Z"  # a correction keeps when it became known

    events = [e for e in history(seeded, "venue") if e["record"] == "resolution"]
    assert [(e["value"], e["who"], e["supersedes_id"], e["detail"]) for e in events] == [
        ("helsinki", "rita", None, None), ("vienna", "vera", first["id"], "misread the report")]

    # re-importing the correction is a no-op (it used to fail: 'nothing to correct')
    before = dump_db(seeded.db_url)
    result = seeded.ok("import", path)
    assert "0 resolved, 0 annulled, 0 corrected, 1 unchanged, 0 left blank" in result.stderr
    assert dump_db(seeded.db_url) == before
    # the original file now conflicts with the corrected record
    seeded.fails("import", tmp_path / "r.yaml", match="r.yaml: question venue: already resolved as 'vienna'")
    assert dump_db(seeded.db_url) == before


def test_supersede_with_the_same_outcome_is_unchanged(seeded, tmp_path):
    seeded.ok("import", write(tmp_path, RESOLUTIONS))
    before = dump_db(seeded.db_url)
    same = RESOLUTIONS.replace("outcome: helsinki", "outcome: helsinki\n    supersede: true\n    reason: double-checked")
    assert "0 corrected, 3 unchanged" in seeded.ok("import", write(tmp_path, same, "r2.yaml")).stderr
    assert dump_db(seeded.db_url) == before


@pytest.mark.parametrize("word", ["annulled", "annul", "void", "Annulled"])
def test_annul_words_reimport_as_no_ops(seeded, tmp_path, word):
    path = write(tmp_path, f"resolutions:\n  - {{question: venue, outcome: {word}, reason: ill-posed, known_at: 2018-07-31}}\n")
    seeded.ok("import", path)
    assert [(r["annulled"], r["reason"]) for r in resolutions(seeded, "venue")] == [(True, "ill-posed")]
    before = dump_db(seeded.db_url)
    assert "1 unchanged" in seeded.ok("import", path).stderr
    assert dump_db(seeded.db_url) == before


def test_blank_outcomes_are_skipped_and_reported(seeded, tmp_path):
    text = """\
    resolutions:
      - {question: meet, outcome: ""}
      - {question: venue, outcome: "  ", known_at: ""}
      - {question: trade}
      - {question: syria, outcome: null, note: still waiting}
    """
    before = dump_db(seeded.db_url)
    counts = json.loads(seeded.ok("import", write(tmp_path, text), "--json").stdout)
    assert counts["left_blank"] == 4 and counts["resolved"] == 0
    assert dump_db(seeded.db_url) == before


# -------------------------------------------------------- failed conditions


def test_failed_condition_annuls_dependents(seeded, tmp_path):
    text = "period: 2018-Q3\nresolutions:\n  - {question: meet, outcome: no, known_at: 2018-07-31}\n"
    counts = json.loads(seeded.ok("import", write(tmp_path, text), "--json").stdout)
    assert counts["resolved"] == 1
    assert sorted(counts["auto_annulled"]) == ["syria", "trade"]
    for qid in ("trade", "syria"):
        [r] = resolutions(seeded, qid)
        assert (r["annulled"], r["reason"], r["known_at"]) == (True, "condition failed: meet resolved no, not yes",
                                                              "2018-07-31T00:00:00Z")
    assert resolutions(seeded, "snub") == []  # its condition held


def test_dependent_listed_before_its_condition(seeded, tmp_path):
    """The file's order does not matter: a condition is applied before the
    questions that depend on it, so a contradictory file is refused whole."""
    text = """\
    resolutions:
      - {question: trade, outcome: yes, known_at: 2018-07-31}
      - {question: meet, outcome: no, known_at: 2018-07-31}
    """
    before = dump_db(seeded.db_url)
    seeded.fails("import", write(tmp_path, text),
                 match="r.yaml: question trade: already annulled (condition failed: meet resolved no, not yes)")
    assert dump_db(seeded.db_url) == before
    agreeing = """\
    resolutions:
      - {question: trade, outcome: annulled, reason: condition failed}
      - {question: meet, outcome: no, known_at: 2018-07-31}
    """
    counts = json.loads(seeded.ok("import", write(tmp_path, agreeing, "r2.yaml"), "--json").stdout)
    assert sorted(counts["auto_annulled"]) == ["syria", "trade"]
    assert counts["unchanged"] == 1  # trade: already annulled by its failed condition


def test_explicit_annulment_of_the_condition_annuls_dependents(seeded, tmp_path):
    text = "resolutions:\n  - {question: meet, outcome: annulled, reason: meaningless}\n"
    counts = json.loads(seeded.ok("import", write(tmp_path, text), "--json").stdout)
    assert sorted(counts["auto_annulled"]) == ["snub", "syria", "trade"]
    assert resolutions(seeded, "snub")[0]["reason"] == "condition question meet was annulled"


# ------------------------------------------------------------------- history


def test_history_shows_every_record_in_order(seeded, tmp_path):
    seeded.ok("import", write(tmp_path, RESOLUTIONS))
    seeded.ok("resolve", "meet", "no", "--supersede", "--reason", "it was a phone call", "--reviewer", "vera")
    events = history(seeded, "meet")
    assert [(e["record"], e["who"], e["effective_at"], e["value"]) for e in events] == [
        ("forecast", "ana", "2018-06-21T00:00:00Z", 0.6),
        ("forecast", "ana", "2018-06-27T00:00:00Z", 0.8),
        ("resolution", "rita", "2018-07-16T00:00:00Z", "yes"),
        ("resolution", "vera", "2018-07-16T00:00:00Z", "no"),
    ]
    assert [e["imported"] for e in events] == [True, True, False, False]
    assert events[1]["detail"] == "announced"
    assert events[2]["evidence"] == ["https://example.org/summit", "White House, 'Remarks', 16 July 2018"]
    assert events[3]["supersedes_id"] == events[2]["id"]
    recorded = [e["recorded_at"] for e in events]
    assert recorded == sorted(recorded)  # in the order recorded
    keys = {"record", "id", "who", "recorded_at", "effective_at", "value", "imported", "supersedes_id", "detail", "evidence"}
    assert all(set(e) == keys for e in events)  # one stable set of keys for scripts
    assert (events[0]["supersedes_id"], events[0]["evidence"]) == (None, [])


def test_history_text(seeded, tmp_path):
    seeded.ok("import", write(tmp_path, RESOLUTIONS))
    seeded.ok("resolve", "venue", "vienna", "--supersede", "--reason", "misread", "--reviewer", "vera")
    out = seeded.ok("history", "venue").stdout
    lines = out.splitlines()
    assert lines[0].split() == ["recorded", "record", "who", "effective", "value", "detail"]
    assert "helsinki" in lines[2] and "rita" in lines[2] and "2018-06-28 12:00" in lines[2]
    assert "vienna" in lines[3] and "vera" in lines[3] and "supersedes #" in lines[3] and "misread" in lines[3]
    out = seeded.ok("history", "meet").stdout
    assert "vienna=" not in out and "imported" in out and "0.600" in out


def test_history_of_a_categorical_question(seeded, tmp_path):
    extra = SCENARIO.replace(
        "    outcomes: [vienna, helsinki, elsewhere]\n",
        "    outcomes: [vienna, helsinki, elsewhere]\n"
        "    forecasts: [{analyst: bo, probability: {vienna: 0.5, helsinki: 0.25, elsewhere: 0.25}, made_at: 2018-06-21}]\n")
    seeded.ok("import", write(tmp_path, extra, "s2.yaml"))
    [event] = history(seeded, "venue")
    assert (event["record"], event["who"], event["value"]) == ("forecast", "bo", {"vienna": 0.5, "helsinki": 0.25, "elsewhere": 0.25})
    assert "vienna=0.50 helsinki=0.25 elsewhere=0.25" in seeded.ok("history", "venue").stdout


def test_history_errors_and_empty(seeded):
    seeded.fails("history", "nowhere", match="no question with id 'nowhere'")
    assert history(seeded, "venue") == []
    result = seeded.ok("history", "venue")
    assert result.stdout == "" and "venue: no records yet" in result.stderr
