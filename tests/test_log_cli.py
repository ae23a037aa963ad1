"""The everyday commands end to end: question add, forecast, list, show, resolve.

Every test here uses the ``cli`` fixture, so it runs on SQLite and on
PostgreSQL.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from support import dump_db

TODAY = datetime.now(timezone.utc).date()
FUTURE = (TODAY + timedelta(days=30)).isoformat()
TIMING = ["before-nato", "after-london", "no-meeting"]


def js(result):
    return json.loads(result.stdout)


def show(cli, qid):
    return js(cli.ok("show", qid, "--json"))


def ids(rows):
    return [r["id"] for r in rows]


# ------------------------------------------------------------------ questions


def test_question_add_binary_as_in_the_issue(cli):
    r = cli.ok(
        "question", "add", "Trump and Putin meet in Vienna", "--deadline", "2018-07-31",
        "--id", "summit-vienna", "--tag", "russia", "--opened", "2018-06-20",
    )
    assert r.stdout.strip() == "added summit-vienna (binary: yes, no; deadline 2018-07-31)"
    q = show(cli, "summit-vienna")
    assert q["text"] == "Trump and Putin meet in Vienna"
    assert q["kind"] == "binary"
    assert q["outcomes"] == ["yes", "no"]
    assert q["deadline"] == "2018-07-31"
    assert q["opened_at"] == "2018-06-20T00:00:00Z"
    assert q["tags"] == ["russia"]
    assert q["status"] == "overdue"  # deadline long past, nothing recorded
    assert q["outcome"] is None and q["condition"] is None
    assert q["forecasts"] == [] and q["resolutions"] == []


def test_question_add_categorical_with_provenance(cli):
    out = js(cli.ok(
        "question", "add", "When do Trump and Putin meet?", "--deadline", "2018-07-31",
        "--id", "summit-timing", "--outcomes", "before-nato, after-london ,no-meeting", "--ordered",
        "--opened", "2018-06-20", "--scenario", "trump-putin-2018",
        "--sentence", "the meeting could take place in Vienna", "--phrase", "could",
        "--document", "assessment-2018-06", "--tag", "russia", "--tag", "summit", "--tag", "russia", "--json",
    ))
    assert out == {
        "id": "summit-timing", "kind": "categorical", "outcomes": TIMING,
        "deadline": "2018-07-31", "opened_at": "2018-06-20T00:00:00Z",
    }
    q = show(cli, "summit-timing")
    assert q["ordered"] is True
    assert q["scenario_id"] == "trump-putin-2018"
    assert q["source_sentence"] == "the meeting could take place in Vienna"
    assert q["phrase"] == "could"
    assert q["source_document"] == "assessment-2018-06"
    assert q["tags"] == ["russia", "summit"]  # the repeated tag is kept once
    # the scenario was created on the fly and filters the list
    assert ids(js(cli.ok("list", "--scenario", "trump-putin-2018", "--json"))) == ["summit-timing"]


def test_question_id_defaults_to_a_slug_of_the_text(cli):
    r = cli.ok("question", "add", "Trump and Putin meet in Vienna!", "--deadline", FUTURE)
    assert r.stdout.startswith("added trump-and-putin-meet-in-vienna ")
    assert show(cli, "trump-and-putin-meet-in-vienna")["text"] == "Trump and Putin meet in Vienna!"


def test_question_opens_now_by_default(cli):
    before = datetime.now(timezone.utc)
    cli.ok("question", "add", "Meet", "--deadline", FUTURE, "--id", "meet")
    opened = datetime.fromisoformat(show(cli, "meet")["opened_at"])
    assert before - timedelta(seconds=1) <= opened <= datetime.now(timezone.utc) + timedelta(seconds=1)
    assert show(cli, "meet")["status"] == "open"


def test_conditional_question_records_its_condition(cli):
    cli.ok("question", "add", "Summit happens", "--deadline", FUTURE, "--id", "summit")
    cli.ok("question", "add", "Joint statement", "--deadline", FUTURE, "--id", "statement", "--condition", "summit=YES")
    cli.ok("question", "add", "When", "--deadline", FUTURE, "--id", "timing", "--outcomes", ",".join(TIMING))
    cli.ok("question", "add", "Press conference", "--deadline", FUTURE, "--id", "press", "--condition", "timing=after-london")
    assert show(cli, "statement")["condition"] == {"question_id": "summit", "outcome": "yes"}
    assert show(cli, "press")["condition"] == {"question_id": "timing", "outcome": "after-london"}


# ------------------------------------------------------------------ forecasts


@pytest.fixture
def meet(cli):
    cli.ok("question", "add", "Trump and Putin meet", "--deadline", FUTURE, "--id", "meet", "--tag", "russia")
    cli.ok("question", "add", "When do they meet?", "--deadline", FUTURE, "--id", "timing", "--outcomes", ",".join(TIMING))
    return cli


@pytest.mark.parametrize("typed", ["0.35", ".35", "35%", "35 %", " 0.350 "])
def test_forecast_accepts_decimals_and_percentages(meet, typed):
    f = js(meet.ok("forecast", "meet", typed, "--rationale", "one of several venues floated", "--json"))
    assert f["probability"] == 0.35
    assert f["probabilities"] is None
    assert f["question_id"] == "meet"
    assert f["analyst"] == "tester"  # TRACKER_ANALYST from conftest
    assert f["rationale"] == "one of several venues floated"
    assert f["imported"] is False
    assert f["made_at"] == f["recorded_at"]


@pytest.mark.parametrize("typed", ["0", "1", "0%", "100%"])
def test_forecast_bounds_are_inclusive(meet, typed):
    f = js(meet.ok("forecast", "meet", typed, "--json"))
    assert f["probability"] == float(typed.rstrip("%")) / (100 if typed.endswith("%") else 1)


def test_categorical_vector_is_stored_in_outcome_order(meet):
    f = js(meet.ok("forecast", "timing", "no-meeting=0.3,before-nato=20%,after-london=0.5", "--json"))
    assert f["probability"] is None
    assert f["probabilities"] == {"before-nato": 0.2, "after-london": 0.5, "no-meeting": 0.3}
    assert list(f["probabilities"]) == TIMING
    r = meet.ok("forecast", "timing", "before-nato=0.2,after-london=0.5,no-meeting=0.3")
    assert r.stdout.strip().endswith("tester on timing: before-nato=0.200, after-london=0.500, no-meeting=0.300")


def test_vector_summing_to_one_within_tolerance_is_accepted(meet):
    f = js(meet.ok("forecast", "timing", "before-nato=0.3333333,after-london=0.3333333,no-meeting=0.3333334", "--json"))
    assert sum(f["probabilities"].values()) == pytest.approx(1.0, abs=1e-9)


def test_revisions_are_new_rows_and_the_history_is_kept(meet):
    for p in ("0.3", "45%", "0.6"):
        meet.ok("forecast", "meet", p)
    meet.ok("forecast", "meet", "0.1", "--analyst", "bob")
    q = show(meet, "meet")
    fs = q["forecasts"]
    assert [(f["analyst"], f["probability"]) for f in fs] == [
        ("tester", 0.3), ("tester", 0.45), ("tester", 0.6), ("bob", 0.1),
    ]
    assert [f["id"] for f in fs] == sorted(f["id"] for f in fs) and len({f["id"] for f in fs}) == 4
    made = [f["made_at"] for f in fs]
    assert made == sorted(made)
    row = next(r for r in js(meet.ok("list", "--json")) if r["id"] == "meet")
    assert row["n_forecasts"] == 4 and row["n_analysts"] == 2


def test_analyst_comes_from_flag_then_environment_then_login(meet, monkeypatch):
    monkeypatch.setattr("getpass.getuser", lambda: "login-name")
    meet.ok("forecast", "meet", "0.1", "--analyst", "flag-name")
    meet.ok("forecast", "meet", "0.2")  # TRACKER_ANALYST=tester
    monkeypatch.delenv("TRACKER_ANALYST")
    meet.ok("forecast", "meet", "0.3")
    meet.ok("forecast", "meet", "0.4", "--analyst", "flag-name")
    got = [(f["analyst"], f["probability"]) for f in show(meet, "meet")["forecasts"]]
    # on PostgreSQL the database role comes before the login name (row-level security holds the user to it)
    from tracker.config import database_role

    login = database_role(meet.db_url) or "login-name"
    assert login == ("postgres" if meet.db_url.startswith("postgresql") else "login-name")
    assert got == [("flag-name", 0.1), ("tester", 0.2), (login, 0.3), ("flag-name", 0.4)]
    assert sorted(ids(js(meet.ok("list", "--analyst", login, "--json")))) == ["meet"]


def test_forecast_text_output_and_show_table(meet):
    r = meet.ok("forecast", "meet", "35%", "-r", "Vienna is one of several venues")
    assert r.stdout.strip() == "forecast #1: tester on meet: 0.350"
    text = meet.ok("show", "meet").stdout
    assert text.startswith("meet: Trump and Putin meet\n")
    assert "tags      russia" in text
    assert "tester" in text and "0.350" in text and "Vienna is one of several venues" in text


# ---------------------------------------------------------------- resolutions


@pytest.fixture
def summit(cli):
    cli.ok("question", "add", "Trump and Putin meet in Vienna", "--deadline", "2018-07-31",
           "--id", "summit-vienna", "--opened", "2018-06-20", "--tag", "russia")
    return cli


def test_resolve_with_known_at_evidence_and_note(summit):
    res = js(summit.ok(
        "resolve", "summit-vienna", "no", "--known-at", "2018-07-16",
        "--evidence", "https://en.wikipedia.org/wiki/2018_Russia%E2%80%93United_States_summit",
        "--evidence", "https://example.org/helsinki", "--note", "Held in Helsinki", "--reviewer", "rita", "--json",
    ))
    assert res["question_id"] == "summit-vienna"
    assert res["outcome"] == "no" and res["annulled"] is False
    assert res["known_at"] == "2018-07-16T00:00:00Z"
    assert res["recorded_by"] == "rita"
    assert res["evidence"] == [
        "https://en.wikipedia.org/wiki/2018_Russia%E2%80%93United_States_summit", "https://example.org/helsinki",
    ]
    assert res["note"] == "Held in Helsinki"
    assert res["supersedes_id"] is None and res["annulled_dependents"] == []
    q = show(summit, "summit-vienna")
    assert q["status"] == "resolved" and q["outcome"] == "no"
    assert [r["current"] for r in q["resolutions"]] == [True]


@pytest.mark.parametrize("word, stored", [("yes", "yes"), ("1", "yes"), ("TRUE", "yes"), ("0", "no"), ("false", "no")])
def test_binary_outcome_words(summit, word, stored):
    assert js(summit.ok("resolve", "summit-vienna", word, "--known-at", "2018-07-16", "--json"))["outcome"] == stored


def test_resolve_categorical(cli):
    cli.ok("question", "add", "When", "--deadline", "2018-07-31", "--id", "timing",
           "--outcomes", ",".join(TIMING), "--opened", "2018-06-20")
    res = js(cli.ok("resolve", "timing", "after-london", "--known-at", "2018-07-16", "--json"))
    assert res["outcome"] == "after-london"
    assert show(cli, "timing")["outcome"] == "after-london"


def test_annulled_needs_a_reason_and_records_it(summit):
    before = dump_db(summit.db_url)
    summit.fails("resolve", "summit-vienna", "annulled", match="annulling 'summit-vienna' needs a --reason")
    assert dump_db(summit.db_url) == before
    res = js(summit.ok("resolve", "summit-vienna", "annulled", "--reason", "the venue question became moot", "--json"))
    assert res["annulled"] is True and res["outcome"] is None
    assert res["reason"] == "the venue question became moot"
    q = show(summit, "summit-vienna")
    assert q["status"] == "annulled" and q["outcome"] is None


def test_correction_supersedes_and_keeps_the_earlier_record(summit):
    first = js(summit.ok("resolve", "summit-vienna", "no", "--known-at", "2018-07-16", "--json"))
    summit.fails("resolve", "summit-vienna", "yes", "--known-at", "2018-07-16",
                 match="already resolved as 'no'; to correct it use --supersede with a --reason")
    summit.fails("resolve", "summit-vienna", "yes", "--known-at", "2018-07-16", "--supersede",
                 match="a correction of 'summit-vienna' needs a --reason")
    second = js(summit.ok("resolve", "summit-vienna", "yes", "--known-at", "2018-07-17",
                          "--supersede", "--reason", "misread the report", "--json"))
    assert second["supersedes_id"] == first["id"] and second["id"] != first["id"]
    q = show(summit, "summit-vienna")
    assert [(r["id"], r["outcome"], r["current"], r["supersedes_id"]) for r in q["resolutions"]] == [
        (first["id"], "no", False, None),
        (second["id"], "yes", True, first["id"]),
    ]
    assert q["resolutions"][1]["reason"] == "misread the report"
    assert q["outcome"] == "yes"
    assert "(superseded)" in summit.ok("show", "summit-vienna").stdout
    assert [r["outcome"] for r in js(summit.ok("list", "--resolved", "--json"))] == ["yes"]


def test_resolving_the_condition_annuls_the_conditionals_whose_condition_failed(cli):
    for qid, extra in (("summit", []), ("statement", ["--condition", "summit=yes"]), ("cancelled", ["--condition", "summit=no"])):
        cli.ok("question", "add", qid, "--deadline", "2018-07-31", "--id", qid, "--opened", "2018-06-20", *extra)
    r = cli.ok("resolve", "summit", "no", "--known-at", "2018-07-16")
    assert r.stdout.splitlines() == ["resolved summit: no", "annulled statement: condition failed: summit resolved no, not yes"]
    st = show(cli, "statement")
    assert st["status"] == "annulled"
    (res,) = st["resolutions"]
    assert res["reason"] == "condition failed: summit resolved no, not yes"
    assert res["known_at"] == "2018-07-16T00:00:00Z"
    # the other conditional's condition held: it stays open and resolves normally
    assert show(cli, "cancelled")["status"] == "overdue"
    cli.ok("resolve", "cancelled", "yes", "--known-at", "2018-07-16")
    assert show(cli, "cancelled")["outcome"] == "yes"


def test_correcting_the_condition_to_a_failing_outcome_annuls_a_resolved_conditional(cli):
    for qid, extra in (("summit", []), ("statement", ["--condition", "summit=yes"])):
        cli.ok("question", "add", qid, "--deadline", "2018-07-31", "--id", qid, "--opened", "2018-06-20", *extra)
    cli.ok("resolve", "summit", "yes", "--known-at", "2018-07-16")
    cli.ok("resolve", "statement", "yes", "--known-at", "2018-07-17")
    r = cli.ok("resolve", "summit", "no", "--supersede", "--reason", "the meeting was a phone call")
    assert r.stdout.splitlines() == ["resolved summit: no (supersedes #1)",
                                  "annulled statement: condition failed: summit resolved no, not yes"]
    st = show(cli, "statement")
    assert st["status"] == "annulled"
    assert [(x["outcome"], x["annulled"], x["current"]) for x in st["resolutions"]] == [("yes", False, False), (None, True, True)]
    assert st["resolutions"][1]["reason"] == "condition failed: summit resolved no, not yes"
    assert st["resolutions"][1]["supersedes_id"] == st["resolutions"][0]["id"]
    assert st["resolutions"][1]["known_at"] == "2018-07-16T00:00:00Z"  # when the condition's outcome was known


def test_correcting_the_condition_to_a_holding_outcome_names_the_conditionals_left_annulled(cli):
    for qid, extra in (("summit", []), ("statement", ["--condition", "summit=yes"]),
                       ("manual", ["--condition", "summit=yes"])):
        cli.ok("question", "add", qid, "--deadline", "2018-07-31", "--id", qid, "--opened", "2018-06-20", *extra)
    cli.ok("resolve", "manual", "annulled", "--reason", "ill-posed")  # annulled by hand, not by the condition
    cli.ok("resolve", "summit", "no", "--known-at", "2018-07-16")
    assert show(cli, "statement")["status"] == "annulled"
    r = cli.ok("resolve", "summit", "yes", "--supersede", "--reason", "misread the report", "--json")
    res = js(r)
    assert res["annulled_dependents"] == [] and res["still_annulled_dependents"] == ["statement"]
    plain = cli.ok("resolve", "summit", "no", "--supersede", "--reason", "back again")
    assert "note:" not in plain.stderr  # its condition fails again: nothing to tell
    again = cli.ok("resolve", "summit", "yes", "--supersede", "--reason", "and once more")
    assert again.stderr.strip() == (
        "note: statement stays annulled from the earlier resolution of summit; its condition holds now: "
        "resolve it with 'tracker resolve statement OUTCOME --supersede --reason ...'"
    )
    # the reviewer resolves it, which the condition now allows
    cli.ok("resolve", "statement", "yes", "--supersede", "--reason", "condition corrected")
    assert show(cli, "statement")["outcome"] == "yes"
    assert show(cli, "manual")["status"] == "annulled"


def test_resolving_a_conditional_whose_condition_failed_is_refused(cli):
    cli.ok("question", "add", "Summit", "--deadline", "2018-07-31", "--id", "summit", "--opened", "2018-06-20")
    cli.ok("resolve", "summit", "no", "--known-at", "2018-07-16")
    # created after the condition was settled, so nothing annulled it yet
    cli.ok("question", "add", "Statement", "--deadline", "2018-07-31", "--id", "statement",
           "--opened", "2018-06-20", "--condition", "summit=yes")
    before = dump_db(cli.db_url)
    cli.fails("resolve", "statement", "yes", "--known-at", "2018-07-16",
              match="'statement' is conditional on summit = yes, which resolved no: annul it instead")
    assert dump_db(cli.db_url) == before
    cli.ok("resolve", "statement", "annulled", "--reason", "condition failed")
    assert show(cli, "statement")["status"] == "annulled"


# ---------------------------------------------------------------------- list


@pytest.fixture
def board(cli):
    """Five 2018 questions, judged as of 2018-07-20."""
    def add(qid, deadline, *extra):
        cli.ok("question", "add", f"Question {qid}", "--deadline", deadline, "--id", qid, "--opened", "2018-06-01", *extra)

    add("early", "2018-07-01", "--tag", "russia")
    add("soon", "2018-07-31", "--tag", "russia", "--scenario", "s1")
    add("late", "2018-09-30", "--scenario", "s1")
    add("done", "2018-07-15")
    add("void", "2018-07-20")
    cli.ok("resolve", "done", "yes", "--known-at", "2018-07-10")
    cli.ok("resolve", "void", "annulled", "--reason", "ill-posed")
    return cli


@pytest.mark.parametrize(
    "flags, expected",
    [
        ([], ["early", "done", "void", "soon", "late"]),
        (["--open"], ["early", "soon", "late"]),
        (["--due"], ["early", "soon"]),  # deadline by 2018-08-03, overdue included
        (["--due", "--within", "100"], ["early", "soon", "late"]),
        (["--overdue"], ["early"]),
        (["--resolved"], ["done"]),
        (["--annulled"], ["void"]),
        (["--status", "overdue"], ["early"]),
        (["--scenario", "s1"], ["soon", "late"]),
        (["--tag", "russia"], ["early", "soon"]),
        (["--tag", "russia", "--open", "--scenario", "s1"], ["soon"]),
        (["--tag", "nothing"], []),
        (["--limit", "2"], ["early", "done"]),
    ],
)
def test_list_filters(board, flags, expected):
    rows = js(board.ok("list", "--as-of", "2018-07-20", *flags, "--json"))
    assert ids(rows) == expected


def test_list_statuses_as_of_a_date(board):
    rows = {r["id"]: r for r in js(board.ok("list", "--as-of", "2018-07-20", "--json"))}
    assert {k: r["status"] for k, r in rows.items()} == {
        "early": "overdue", "done": "resolved", "void": "annulled", "soon": "open", "late": "open",
    }
    assert rows["done"]["outcome"] == "yes" and rows["void"]["outcome"] is None
    assert rows["soon"]["tags"] == ["russia"] and rows["soon"]["scenario_id"] == "s1"
    # as of 2018-06-15 nothing unresolved is overdue yet
    assert js(board.ok("list", "--overdue", "--as-of", "2018-06-15", "--json")) == []


def test_list_analyst_filter(meet):
    meet.ok("forecast", "meet", "0.4", "--analyst", "bob")
    meet.ok("forecast", "timing", "before-nato=0.2,after-london=0.5,no-meeting=0.3", "--analyst", "carol")
    assert ids(js(meet.ok("list", "--analyst", "bob", "--json"))) == ["meet"]
    assert ids(js(meet.ok("list", "--analyst", "carol", "--json"))) == ["timing"]
    assert js(meet.ok("list", "--analyst", "nobody", "--json")) == []


def test_list_table_and_empty_output(cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "120")  # the text column takes the rest of the terminal's width
    empty = cli.ok("list")
    assert empty.stdout == "" and empty.stderr.strip() == "no questions match"
    assert js(cli.ok("list", "--json")) == []
    cli.ok("question", "add", "Trump and Putin meet in Vienna", "--deadline", "2018-07-31",
           "--id", "summit-vienna", "--opened", "2018-06-20")
    lines = cli.ok("list", "--as-of", "2018-07-20").stdout.splitlines()
    assert lines[0].split() == ["id", "deadline", "status", "outcome", "forecasts", "mine", "median", "text"]
    assert lines[2].split() == ["summit-vienna", "2018-07-31", "open", "-", "0", "-", "-", "Trump", "and", "Putin", "meet", "in", "Vienna"]


def test_a_correction_keeps_when_the_outcome_became_known(summit):
    summit.ok("resolve", "summit-vienna", "no", "--known-at", "2018-07-16")
    fixed = js(summit.ok("resolve", "summit-vienna", "yes", "--supersede", "--reason", "misread", "--json"))
    assert fixed["known_at"] == "2018-07-16T00:00:00Z"


def test_annulling_the_condition_annuls_its_conditionals(cli):
    for qid, extra in (("summit", []), ("statement", ["--condition", "summit=yes"])):
        cli.ok("question", "add", qid, "--deadline", "2018-07-31", "--id", qid, "--opened", "2018-06-20", *extra)
    r = cli.ok("resolve", "summit", "annulled", "--reason", "question was ambiguous", "--known-at", "2018-07-16")
    assert r.stdout.splitlines() == ["resolved summit: annulled", "annulled statement: condition question summit was annulled"]
    (res,) = show(cli, "statement")["resolutions"]
    assert res["annulled"] and res["reason"] == "condition question summit was annulled"


def test_scenario_ids_must_be_valid(cli):
    cli.fails("question", "add", "x", "--deadline", FUTURE, "--id", "x", "--scenario", "Bad Scenario",
              match="scenario id 'Bad Scenario' is not a valid id")
