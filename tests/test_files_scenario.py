"""Scenario files: import records questions and back-dated forecasts, a second
import changes nothing, an edited file adds questions and revisions, and
edits that would rewrite history are refused with the question named."""

from __future__ import annotations

import json
import textwrap
from datetime import datetime, timedelta, timezone

import pytest

from support import dump_db

UTC = timezone.utc

BASE = """\
id: sc
title: Summit scenario
source: {title: Summit assessment, date: 2018-06-20, origin: assessment.txt}
description: A test scenario.
questions:
  - id: meet
    text: They meet by 31 July 2018
    deadline: 2018-07-31
    tags: [russia, summit]
    sentence: The leaders are expected to meet in July.
    phrase: is expected to
    extraction: {scale: icd203, band: [0.55, 0.8]}
    forecasts:
      - analyst: ana
        probability: 0.675
        made_at: 2018-06-20
        rationale: read as likely
      - analyst: ben
        probability: 35%
        made_at: 2018-06-22T09:30:00Z
  - id: venue
    text: Where they meet
    deadline: 2018-07-31
    outcomes: [vienna, helsinki, elsewhere]
    ordered: false
    forecasts:
      - analyst: ana
        probability: {vienna: 0.3, helsinki: 0.5, elsewhere: 0.2}
        made_at: 2018-06-21
  - id: trade
    text: They discuss trade at the meeting
    deadline: 2018-07-31
    condition: {question: meet, outcome: yes}
    forecasts:
      - analyst: ana
        probability: 0.5
        made_at: 2018-06-21
"""


def write(tmp_path, text: str, name: str = "s.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def show(cli, qid: str) -> dict:
    return json.loads(cli.ok("show", qid, "--json").stdout)


def test_import_records_questions_and_back_dated_forecasts(cli, tmp_path):
    before = datetime.now(UTC) - timedelta(seconds=5)
    result = cli.ok("import", write(tmp_path, BASE), "--json")
    counts = json.loads(result.stdout)
    assert counts["scenario"] == "created"
    assert (counts["questions_created"], counts["questions_updated"]) == (3, 0)
    assert (counts["forecasts_added"], counts["forecasts_already_present"]) == (4, 0)
    assert counts["summary"] == ("scenario sc created; 3 questions created, 0 updated; "
                                 "4 forecasts added (0 already present)")

    meet = show(cli, "meet")
    assert meet["text"] == "They meet by 31 July 2018"
    assert meet["kind"] == "binary" and meet["outcomes"] == ["yes", "no"]
    assert meet["deadline"] == "2018-07-31"
    assert meet["opened_at"] == "2018-06-20T00:00:00Z"  # the source date
    assert meet["scenario_id"] == "sc"
    assert sorted(meet["tags"]) == ["russia", "summit"]
    assert meet["source_sentence"] == "The leaders are expected to meet in July."
    assert meet["phrase"] == "is expected to"
    assert meet["source_document"] == "Summit assessment"
    assert meet["extra"] == {"scale": "icd203", "band": [0.55, 0.8]}

    forecasts = {f["analyst"]: f for f in meet["forecasts"]}
    assert forecasts["ana"]["probability"] == 0.675
    assert forecasts["ana"]["made_at"] == "2018-06-20T00:00:00Z"
    assert forecasts["ana"]["rationale"] == "read as likely"
    assert forecasts["ben"]["probability"] == 0.35  # '35%'
    assert forecasts["ben"]["made_at"] == "2018-06-22T09:30:00Z"
    for f in meet["forecasts"]:
        # dated in the past: recorded as imported, with both times kept
        assert f["imported"] is True
        assert f["source"] == "scenario:sc"
        recorded = datetime.fromisoformat(f["recorded_at"].replace("Z", "+00:00"))
        assert recorded >= before and recorded <= datetime.now(UTC) + timedelta(seconds=5)

    venue = show(cli, "venue")
    assert venue["kind"] == "categorical"
    assert venue["outcomes"] == ["vienna", "helsinki", "elsewhere"]
    assert venue["forecasts"][0]["probabilities"] == {"vienna": 0.3, "helsinki": 0.5, "elsewhere": 0.2}

    trade = show(cli, "trade")
    assert trade["condition"] == {"question_id": "meet", "outcome": "yes"}  # unquoted yes stays the word


def test_second_import_changes_nothing(cli, tmp_path):
    path = write(tmp_path, BASE)
    cli.ok("import", path)
    before = dump_db(cli.db_url)
    result = cli.ok("import", path)
    assert "scenario sc unchanged; 0 questions created, 0 updated; 0 forecasts added (4 already present)" in result.stderr
    assert dump_db(cli.db_url) == before


def test_edited_file_adds_questions_and_revisions(cli, tmp_path):
    cli.ok("import", write(tmp_path, BASE))
    edited = BASE.replace(
        """        made_at: 2018-06-22T09:30:00Z
""",
        """        made_at: 2018-06-22T09:30:00Z
      - analyst: ben
        probability: 0.6
        made_at: 2018-06-28
        rationale: revised after the announcement
""",
    ) + """\
  - id: syria
    text: They discuss Syria
    deadline: 2018-07-31
    forecasts:
      - {analyst: cat, probability: 0.8, made_at: 2018-06-25}
"""
    counts = json.loads(cli.ok("import", write(tmp_path, edited, "s2.yaml"), "--json").stdout)
    assert counts["questions_created"] == 1
    assert counts["forecasts_added"] == 2
    assert counts["forecasts_already_present"] == 4

    meet = show(cli, "meet")
    ben = [(f["probability"], f["made_at"]) for f in meet["forecasts"] if f["analyst"] == "ben"]
    assert ben == [(0.35, "2018-06-22T09:30:00Z"), (0.6, "2018-06-28T00:00:00Z")]  # both revisions kept
    assert show(cli, "syria")["forecasts"][0]["analyst"] == "cat"
    # the edited file is now idempotent too
    before = dump_db(cli.db_url)
    cli.ok("import", tmp_path / "s2.yaml")
    assert dump_db(cli.db_url) == before


def test_metadata_edits_apply_to_a_question_with_forecasts(cli, tmp_path):
    cli.ok("import", write(tmp_path, BASE))
    edited = BASE.replace("tags: [russia, summit]", "tags: [russia, summit, helsinki]").replace(
        "phrase: is expected to", "phrase: expected")
    counts = json.loads(cli.ok("import", write(tmp_path, edited, "s2.yaml"), "--json").stdout)
    assert counts["questions_updated"] == 1
    assert counts["forecasts_added"] == 0
    meet = show(cli, "meet")
    assert sorted(meet["tags"]) == ["helsinki", "russia", "summit"]
    assert meet["phrase"] == "expected"


@pytest.mark.parametrize(
    "old, new, message",
    [
        ("    deadline: 2018-07-31\n    tags: [russia, summit]", "    deadline: 2018-08-31\n    tags: [russia, summit]",
         "s2.yaml: question meet: deadline differs from the recorded question (2018-07-31 -> 2018-08-31) and it "
         "already has 2 forecasts: that would rewrite history"),
        ("text: They meet by 31 July 2018", "text: They meet by 1 August 2018",
         "s2.yaml: question meet: text differs from the recorded question ('They meet by 31 July 2018' -> "
         "'They meet by 1 August 2018') and it already has 2 forecasts"),
        ("outcomes: [vienna, helsinki, elsewhere]", "outcomes: [vienna, helsinki, elsewhere, no-meeting]",
         "s2.yaml: question venue: outcomes differs from the recorded question"),
        ("outcomes: [vienna, helsinki, elsewhere]\n    ordered: false", "outcomes: [vienna, helsinki, elsewhere]\n    ordered: true",
         "s2.yaml: question venue: ordered differs from the recorded question (False -> True)"),
        ("condition: {question: meet, outcome: yes}", "condition: {question: meet, outcome: no}",
         "s2.yaml: question trade: condition_outcome differs from the recorded question ('yes' -> 'no')"),
    ],
    ids=["deadline", "text", "outcomes", "ordered", "condition"],
)
def test_history_rewriting_edit_is_refused(cli, tmp_path, old, new, message):
    cli.ok("import", write(tmp_path, BASE))
    before = dump_db(cli.db_url)
    assert old in BASE
    result = cli.fails("import", write(tmp_path, BASE.replace(old, new), "s2.yaml"), match=message)
    assert "make a new question instead" in result.stderr
    assert dump_db(cli.db_url) == before


def test_defining_fields_change_freely_before_any_forecast(cli, tmp_path):
    text = """\
    id: sc
    title: S
    source: {date: 2018-06-20}
    questions:
      - id: q
        text: Draft wording
        deadline: 2018-07-31
    """
    cli.ok("import", write(tmp_path, text))
    cli.ok("import", write(tmp_path, text.replace("Draft wording", "Final wording").replace("07-31", "08-31"), "s2.yaml"))
    q = show(cli, "q")
    assert (q["text"], q["deadline"]) == ("Final wording", "2018-08-31")


def test_changing_a_recorded_forecast_is_refused(cli, tmp_path):
    cli.ok("import", write(tmp_path, BASE))
    before = dump_db(cli.db_url)
    edited = BASE.replace("probability: 0.675", "probability: 0.7")
    cli.fails("import", write(tmp_path, edited, "s2.yaml"),
              match="s2.yaml: question meet, forecast 1 (ana): a different forecast by ana made at "
                    "2018-06-20T00:00:00+00:00 is already recorded: changing it would rewrite history")
    assert dump_db(cli.db_url) == before


def test_rationale_only_edit_adds_nothing(cli, tmp_path):
    cli.ok("import", write(tmp_path, BASE))
    before = dump_db(cli.db_url)
    counts = json.loads(cli.ok("import", write(tmp_path, BASE.replace("read as likely", "reworded"), "s2.yaml"), "--json").stdout)
    assert counts["forecasts_added"] == 0 and counts["forecasts_already_present"] == 4
    assert dump_db(cli.db_url) == before


def test_new_forecast_on_a_resolved_question_is_refused(cli, tmp_path):
    cli.ok("import", write(tmp_path, BASE))
    cli.ok("resolve", "meet", "yes", "--known-at", "2018-07-16")
    before = dump_db(cli.db_url)
    edited = BASE.replace("      - analyst: ben\n", "      - {analyst: cat, probability: 0.9, made_at: 2018-07-01}\n      - analyst: ben\n")
    cli.fails("import", write(tmp_path, edited, "s2.yaml"),
              match="s2.yaml: question meet, forecast 2 (cat): question 'meet' is already resolved (yes): no more forecasts")
    assert dump_db(cli.db_url) == before
    # the unchanged file still imports (its forecasts are already present)
    cli.ok("import", tmp_path / "s.yaml")
    assert dump_db(cli.db_url) == before


@pytest.mark.parametrize(
    "made_at, message",
    [
        ("2018-08-01", "question meet, forecast 1 (ana): made_at 2018-08-01 is after the deadline of 'meet' (2018-07-31)"),
        ("2998-01-01", "question meet, forecast 1 (ana): made_at 2998-01-01T00:00:00+00:00 is in the future"),
    ],
)
def test_forecast_times_are_checked(cli, tmp_path, made_at, message):
    text = BASE.replace("made_at: 2018-06-20\n", f"made_at: {made_at}\n", 1)
    cli.fails("import", write(tmp_path, text), match=message)
    assert all(rows == [] for _, rows in dump_db(cli.db_url))


def test_condition_as_text_and_links_in_any_order(cli, tmp_path):
    text = """\
    id: sc
    title: S
    source: {date: 2018-06-20}
    questions:
      - id: in-vienna
        text: They meet in Vienna
        deadline: 2018-07-31
        implies: meet
      - id: talks
        text: They talk trade
        deadline: 2018-07-31
        condition: meet=yes
      - id: meet
        text: They meet
        deadline: 2018-07-31
    """
    cli.ok("import", write(tmp_path, text))
    assert show(cli, "in-vienna")["implies_question_id"] == "meet"
    assert show(cli, "talks")["condition"] == {"question_id": "meet", "outcome": "yes"}


def test_cycle_is_refused(cli, tmp_path):
    text = """\
    id: sc
    title: S
    source: {date: 2018-06-20}
    questions:
      - {id: a, text: A, deadline: 2018-07-31, implies: b}
      - {id: b, text: B, deadline: 2018-07-31, implies: a}
    """
    cli.fails("import", write(tmp_path, text), match="questions a -> b -> a refer to each other in a cycle")
    assert all(rows == [] for _, rows in dump_db(cli.db_url))


@pytest.mark.parametrize(
    "extra, message",
    [
        ("    joint: nowhere\n    condition: meet=yes\n", "s.yaml: question x: joint names unknown question 'nowhere'"),
        ("    joint: meet\n", "s.yaml: question x: 'joint' is only meaningful on a conditional question"),
        ("    condition: meet=yes\n    joint: venue\n", "s.yaml: question x: 'joint' links two binary questions"),
        ("    condition: {question: nowhere, outcome: yes}\n", "s.yaml: question x: condition names unknown question 'nowhere'"),
        ("    condition: {question: venue, outcome: moscow}\n",
         "s.yaml: question x: condition outcome 'moscow' is not an outcome of 'venue' (vienna, helsinki, elsewhere)"),
        ("    implies: venue\n", "s.yaml: question x: 'implies' links two binary questions"),
    ],
    ids=["joint-unknown", "joint-without-condition", "joint-categorical", "condition-unknown", "condition-outcome", "implies-categorical"],
)
def test_links_are_checked(cli, tmp_path, extra, message):
    text = BASE + "  - id: x\n    text: X\n    deadline: 2018-07-31\n" + extra
    cli.fails("import", write(tmp_path, text), match=message)
    assert all(rows == [] for _, rows in dump_db(cli.db_url))


def test_edited_link_to_an_unknown_question_is_refused(cli, tmp_path):
    """An edit to a question without forecasts is checked like a new question
    (it used to reach the database's foreign key as an IntegrityError)."""
    text = """\
    id: sc
    title: S
    source: {date: 2018-06-20}
    questions:
      - {id: a, text: A, deadline: 2018-07-31}
      - {id: b, text: B, deadline: 2018-07-31}
    """
    cli.ok("import", write(tmp_path, text))
    before = dump_db(cli.db_url)
    cli.fails("import", write(tmp_path, text.replace("text: B,", "text: B, condition: zz=yes,"), "s2.yaml"),
              match="s2.yaml: question b: condition names unknown question 'zz'")
    cli.fails("import", write(tmp_path, text.replace("text: B,", "text: B, implies: zz,"), "s3.yaml"),
              match="s3.yaml: question b: implies names unknown question 'zz'")
    assert dump_db(cli.db_url) == before


def test_question_of_another_scenario_is_refused(cli, tmp_path):
    cli.ok("import", write(tmp_path, BASE))
    other = """\
    id: other
    title: Another scenario
    source: {date: 2018-06-20}
    questions:
      - id: syria
        text: They discuss Syria
        deadline: 2018-07-31
      - id: meet
        text: They meet by 31 July 2018
        deadline: 2018-07-31
    """
    before = dump_db(cli.db_url)
    cli.fails("import", write(tmp_path, other, "o.yaml"), match="o.yaml: question meet: already belongs to scenario 'sc'")
    assert dump_db(cli.db_url) == before


def test_scenario_metadata_edit_is_applied(cli, tmp_path):
    cli.ok("import", write(tmp_path, BASE))
    counts = json.loads(cli.ok("import", write(tmp_path, BASE.replace("title: Summit scenario", "title: The summit"), "s2.yaml"),
                               "--json").stdout)
    assert counts["scenario"] == "updated"
    assert counts["questions_updated"] == 0 and counts["forecasts_added"] == 0
