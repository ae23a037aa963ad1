"""`tracker check`: every incoherence among each analyst's latest forecasts,
each check triggered by a minimal example; exit 1 when any is found, 0 when
none; --json for scripts."""

from __future__ import annotations

import json
import textwrap

COHERENT = """\
id: sc
title: S
source: {date: 2018-06-20}
questions:
  - id: b
    text: B happens
    deadline: 2018-08-31
    forecasts:
      - {analyst: al, probability: 0.5, made_at: 2018-06-21}
      - {analyst: bo, probability: 0.9, made_at: 2018-06-21}
  - id: a
    text: A happens (only if B does)
    deadline: 2018-08-31
    implies: b
    forecasts:
      - {analyst: al, probability: 0.5, made_at: 2018-06-21}
      - {analyst: bo, probability: 0.2, made_at: 2018-06-21}
  - id: c
    text: C happens, given B
    deadline: 2018-08-31
    condition: {question: b, outcome: yes}
    joint: j
    forecasts:
      - {analyst: al, probability: 0.8, made_at: 2018-06-21}
  - id: j
    text: B and C both happen
    deadline: 2018-08-31
    forecasts:
      - {analyst: al, probability: 0.42, made_at: 2018-06-21}
  - id: cat
    text: Which one
    deadline: 2018-08-31
    outcomes: [x, y, z]
    forecasts:
      - {analyst: al, probability: {x: 0.2, y: 0.3, z: 0.5}, made_at: 2018-06-21}
"""


def write(tmp_path, text: str, name: str = "s.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def check_json(cli, *args, exit_code: int) -> list:
    result = cli("check", *args, "--json")
    assert result.exit_code == exit_code, result.stderr
    return json.loads(result.stdout)


def raw_forecast(url: str, question: str, analyst: str, *, probability=None, vector=None, made_at: str) -> int:
    """Insert a forecast with plain SQL, bypassing every check of the tool."""
    from sqlalchemy import text

    from tracker.storage import open_store

    store = open_store(url)
    pg = not store.is_sqlite
    try:
        def work(conn):
            conn.execute(
                text(
                    "INSERT INTO forecast (question_id, analyst, probability, probabilities, made_at, recorded_at, imported, source) "
                    f"VALUES (:q, :a, :p, {'CAST(:v AS JSON)' if pg else ':v'}, {'CAST(:m AS TIMESTAMPTZ)' if pg else ':m'}, "
                    f"{'CAST(:m AS TIMESTAMPTZ)' if pg else ':m'}, false, 'raw-sql')"
                ),
                {"q": question, "a": analyst, "p": probability, "v": json.dumps(vector) if vector is not None else None,
                 "m": made_at + ("+00" if pg else ".000000")},
            )
            return conn.execute(text("SELECT max(id) FROM forecast")).scalar()

        return store.run_write(work)
    finally:
        store.dispose()


def test_coherent_forecasts_exit_0(cli, tmp_path):
    cli.ok("import", write(tmp_path, COHERENT))
    assert check_json(cli, exit_code=0) == []
    result = cli.ok("check")
    assert result.stdout == "" and result.stderr.strip() == "no incoherence found"
    assert check_json(cli, "--scenario", "sc", exit_code=0) == []


def test_empty_database_is_coherent(cli):
    assert check_json(cli, exit_code=0) == []


def test_vector_sum(cli, tmp_path):
    cli.ok("import", write(tmp_path, COHERENT))
    fid = raw_forecast(cli.db_url, "cat", "al", vector={"x": 0.5, "y": 0.3, "z": 0.0}, made_at="2018-06-25 00:00:00")
    assert check_json(cli, exit_code=1) == [{
        "check": "vector_sum", "question_id": "cat", "analyst": "al", "forecast_id": fid, "other_question_id": None,
        "detail": "probabilities sum to 0.8000, not 1",
    }]
    # only the latest forecast of each analyst counts: a later coherent one clears it
    raw_forecast(cli.db_url, "cat", "al", vector={"x": 0.5, "y": 0.25, "z": 0.25}, made_at="2018-06-26 00:00:00")
    assert check_json(cli, exit_code=0) == []


def test_implication(cli, tmp_path):
    text = COHERENT.replace("{analyst: al, probability: 0.5, made_at: 2018-06-21}\n      - {analyst: bo, probability: 0.2",
                            "{analyst: al, probability: 0.6, made_at: 2018-06-21}\n      - {analyst: bo, probability: 0.2")
    cli.ok("import", write(tmp_path, text))
    assert check_json(cli, exit_code=1) == [{
        "check": "implication", "question_id": "a", "other_question_id": "b", "analyst": "al", "forecast_id": None,
        "detail": "P(a) = 0.600 > P(b) = 0.500, but a implies b",
    }]
    # a revision that lowers P(a) to P(b) makes it coherent (equal is fine)
    revised = text.replace("      - {analyst: bo, probability: 0.2, made_at: 2018-06-21}\n",
                           "      - {analyst: bo, probability: 0.2, made_at: 2018-06-21}\n"
                           "      - {analyst: al, probability: 0.5, made_at: 2018-06-30}\n")
    cli.ok("import", write(tmp_path, revised, "s2.yaml"))
    assert check_json(cli, exit_code=0) == []


def test_conditional_joint(cli, tmp_path):
    text = COHERENT.replace("probability: 0.42", "probability: 0.3")
    cli.ok("import", write(tmp_path, text))
    # P(c | b=yes) x P(b=yes) = 0.8 x 0.5 = 0.4; P(j) = 0.3 is 0.1 away (tolerance 0.05)
    assert check_json(cli, exit_code=1) == [{
        "check": "conditional_joint", "question_id": "c", "other_question_id": "j", "analyst": "al", "forecast_id": None,
        "detail": "P(j) = 0.300 but P(c | b=yes) x P(b=yes) = 0.800 x 0.500 = 0.400",
    }]
    assert check_json(cli, "--tolerance", "0.15", exit_code=0) == []
    assert cli("check", "--tolerance", "2").exit_code == 2


def test_conditional_joint_on_a_no_condition(cli, tmp_path):
    text = COHERENT.replace("condition: {question: b, outcome: yes}", "condition: {question: b, outcome: no}") \
                   .replace("probability: 0.42", "probability: 0.25")
    cli.ok("import", write(tmp_path, text))
    [issue] = check_json(cli, exit_code=1)
    # P(b=no) = 1 - 0.5: 0.8 x 0.5 = 0.4 against 0.25
    assert issue["check"] == "conditional_joint"
    assert issue["detail"] == "P(j) = 0.250 but P(c | b=no) x P(b=no) = 0.800 x 0.500 = 0.400"


def test_condition_failed(cli, tmp_path):
    first = """\
    id: sc
    title: S
    source: {date: 2018-06-20}
    questions:
      - {id: b, text: B, deadline: 2018-07-31}
    """
    cli.ok("import", write(tmp_path, first))
    cli.ok("resolve", "b", "no", "--known-at", "2018-07-31")
    # a question conditional on b = yes, added after b resolved no: nobody annulled it
    second = first + "  - {id: c, text: C given B, deadline: 2018-07-31, condition: b=yes}\n"
    cli.ok("import", write(tmp_path, textwrap.dedent(second), "s2.yaml"))
    assert check_json(cli, exit_code=1) == [{
        "check": "condition_failed", "question_id": "c", "other_question_id": "b", "analyst": None, "forecast_id": None,
        "detail": "b resolved no, not yes: c should be annulled",
    }]
    cli.ok("resolve", "c", "annulled", "--reason", "condition failed")
    assert check_json(cli, exit_code=0) == []


def test_condition_corrected_annuls_the_resolved_dependent(cli, tmp_path):
    """The dependent was resolved while its condition held; the condition is
    then corrected: the correction annuls the dependent (its resolution no
    longer stands), so check finds nothing left to flag."""
    text = """\
    id: sc
    title: S
    source: {date: 2018-06-20}
    questions:
      - {id: b, text: B, deadline: 2018-07-31}
      - {id: c, text: C given B, deadline: 2018-07-31, condition: b=yes}
    """
    cli.ok("import", write(tmp_path, text))
    cli.ok("resolve", "b", "yes", "--known-at", "2018-07-20")
    cli.ok("resolve", "c", "yes", "--known-at", "2018-07-20")
    assert check_json(cli, exit_code=0) == []
    out = cli.ok("resolve", "b", "no", "--supersede", "--reason", "misread")
    assert "annulled c: condition failed: b resolved no, not yes" in out.stdout
    assert check_json(cli, exit_code=0) == []


def test_after_resolution(cli, tmp_path):
    text = COHERENT.replace("      - {analyst: al, probability: 0.42, made_at: 2018-06-21}\n",
                            "      - {analyst: al, probability: 0.42, made_at: 2018-06-21}\n"
                            "      - {analyst: bo, probability: 0.9, made_at: 2018-07-20T15:00:00Z}\n")
    cli.ok("import", write(tmp_path, text))
    assert check_json(cli, exit_code=0) == []
    cli.ok("import", write(tmp_path, "resolutions:\n  - {question: j, outcome: yes, known_at: 2018-07-10}\n", "r.yaml"))
    issues = check_json(cli, exit_code=1)
    assert [(i["check"], i["question_id"], i["analyst"]) for i in issues] == [("after_resolution", "j", "bo")]
    assert issues[0]["detail"] == ("forecast made 2018-07-20 15:00 after the question was resolved yes "
                                   "(known 2018-07-10 00:00)")
    assert isinstance(issues[0]["forecast_id"], int)


def test_after_resolution_by_raw_sql_and_annulled(cli, tmp_path):
    cli.ok("import", write(tmp_path, COHERENT))
    cli.ok("resolve", "cat", "annulled", "--reason", "ill-posed", "--known-at", "2018-07-01")
    fid = raw_forecast(cli.db_url, "cat", "bo", vector={"x": 0.1, "y": 0.1, "z": 0.8}, made_at="2018-07-01 00:00:00")
    issues = check_json(cli, exit_code=1)
    assert issues == [{
        "check": "after_resolution", "question_id": "cat", "analyst": "bo", "forecast_id": fid, "other_question_id": None,
        "detail": "forecast made 2018-07-01 00:00 after the question was annulled (known 2018-07-01 00:00)",
    }]


def test_every_check_at_once_and_text_output(cli, tmp_path):
    text = COHERENT.replace("{analyst: bo, probability: 0.2, made_at", "{analyst: bo, probability: 0.95, made_at") \
                   .replace("probability: 0.42", "probability: 0.9")
    cli.ok("import", write(tmp_path, text))
    raw_forecast(cli.db_url, "cat", "al", vector={"x": 0.6, "y": 0.6, "z": 0.0}, made_at="2018-06-25 00:00:00")
    issues = check_json(cli, exit_code=1)
    assert sorted((i["check"], i["question_id"], i["analyst"]) for i in issues) == [
        ("conditional_joint", "c", "al"), ("implication", "a", "bo"), ("vector_sum", "cat", "al")]
    result = cli("check")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["check", "question", "analyst", "detail"]
    assert len(lines) == 2 + 3
    assert "3 incoherent forecasts" in result.stderr
    assert any(line.startswith("vector_sum") and "probabilities sum to 1.2000, not 1" in line for line in lines)


def test_scenario_filter(cli, tmp_path):
    cli.ok("import", write(tmp_path, COHERENT))
    other = """\
    id: other
    title: O
    source: {date: 2018-06-20}
    questions:
      - id: o1
        text: O1 (only if b)
        deadline: 2018-08-31
        implies: b
        forecasts: [{analyst: al, probability: 0.9, made_at: 2018-06-21}]
    """
    cli.ok("import", write(tmp_path, other, "o.yaml"))
    # o1 implies b, which lives in another scenario: the link is still followed
    assert [(i["check"], i["question_id"]) for i in check_json(cli, "--scenario", "other", exit_code=1)] == [("implication", "o1")]
    assert check_json(cli, "--scenario", "sc", exit_code=0) == []
    assert len(check_json(cli, exit_code=1)) == 1
    assert check_json(cli, "--scenario", "nowhere", exit_code=0) == []
