"""Forecast CSV: import (header rules, revisions, outcomes, all or nothing,
idempotence) and export."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from support import CLI, dump_db

TODAY = datetime.now(timezone.utc).date()
FUTURE = (TODAY + timedelta(days=30)).isoformat()

SUMMIT_CSV = """\
Question,Analyst,Probability,made_at,deadline,text,tags,outcome,known_at
summit,alice,0.3,2018-06-20,2018-07-31,Trump and Putin meet,russia;summit,,
summit,alice,0.6,2018-07-01T12:00:00,2018-07-31,,,yes,2018-07-16
summit,bob,40%,2018-06-25T00:00:00+02:00,,,,yes,
vienna,bob,0.2,2018-06-21,2018-07-31,,,no,
"""


def js(result):
    return json.loads(result.stdout)


def write(tmp_path, text, name="forecasts.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def refused(cli, path, match):
    before = dump_db(cli.db_url)
    r = cli.fails("import", path, match=match)
    assert dump_db(cli.db_url) == before
    return r


def test_import_creates_questions_revisions_and_outcomes(cli, tmp_path):
    summary = js(cli.ok("import", write(tmp_path, SUMMIT_CSV), "--reviewer", "rita", "--json"))
    assert summary == {
        "rows": 4, "questions_created": 2, "forecasts_added": 4,
        "forecasts_already_present": 0, "resolutions_added": 2,
    }
    q = js(cli.ok("show", "summit", "--json"))
    assert q["text"] == "Trump and Putin meet"
    assert q["deadline"] == "2018-07-31"
    assert q["tags"] == ["russia", "summit"]
    assert q["opened_at"] == "2018-06-20T00:00:00Z"  # the first forecast
    # revisions in made_at order; no zone means UTC; +02:00 is converted
    assert [(f["analyst"], f["probability"], f["made_at"]) for f in q["forecasts"]] == [
        ("alice", 0.3, "2018-06-20T00:00:00Z"),
        ("bob", 0.4, "2018-06-24T22:00:00Z"),
        ("alice", 0.6, "2018-07-01T12:00:00Z"),
    ]
    assert all(f["imported"] and f["source"] == "csv" for f in q["forecasts"])
    # the repeated outcome is recorded once, after all the forecasts
    (res,) = q["resolutions"]
    assert (res["outcome"], res["known_at"], res["recorded_by"], res["source"]) == ("yes", "2018-07-16T00:00:00Z", "rita", "csv")
    assert q["status"] == "resolved"

    v = js(cli.ok("show", "vienna", "--json"))
    assert v["text"] == "vienna"  # text defaults to the id
    assert v["tags"] == []
    # no known_at: the outcome became known when the deadline passed
    assert v["resolutions"][0]["known_at"] == "2018-08-01T00:00:00Z"
    assert v["resolutions"][0]["outcome"] == "no"


def test_summary_line_on_stderr(cli, tmp_path):
    r = cli.ok("import", write(tmp_path, SUMMIT_CSV))
    assert r.stdout == ""
    assert r.stderr.strip() == (
        "imported forecasts.csv: 4 rows: 4 forecasts added (0 already present), 2 questions created, 2 resolutions"
    )


def test_reimporting_the_same_file_adds_nothing(cli, tmp_path):
    path = write(tmp_path, SUMMIT_CSV)
    cli.ok("import", path)
    before = dump_db(cli.db_url)
    summary = js(cli.ok("import", path, "--json"))
    assert summary["forecasts_added"] == 0
    assert summary["forecasts_already_present"] == 4
    assert summary["questions_created"] == 0 and summary["resolutions_added"] == 0
    assert dump_db(cli.db_url) == before


def test_rows_without_made_at_are_now_and_reimport_adds_nothing(cli, tmp_path):
    path = write(tmp_path, f"question,analyst,probability,deadline\nfut,alice,0.3,{FUTURE}\nfut,bob,0.5,{FUTURE}\n")
    start = datetime.now(timezone.utc)
    assert js(cli.ok("import", path, "--json"))["forecasts_added"] == 2
    fs = js(cli.ok("show", "fut", "--json"))["forecasts"]
    for f in fs:
        made = datetime.fromisoformat(f["made_at"])
        assert start - timedelta(seconds=1) <= made <= datetime.now(timezone.utc)
        assert f["imported"] is False  # a current forecast, not a historical one
    before = dump_db(cli.db_url)
    again = js(cli.ok("import", path, "--json"))
    assert (again["forecasts_added"], again["forecasts_already_present"]) == (0, 2)
    assert dump_db(cli.db_url) == before
    # a changed number is a revision
    revised = js(cli.ok("import", write(tmp_path, "question,analyst,probability\nfut,alice,0.4\nfut,bob,0.5\n", "r.csv"), "--json"))
    assert (revised["forecasts_added"], revised["forecasts_already_present"]) == (1, 1)
    assert [f["probability"] for f in js(cli.ok("show", "fut", "--json"))["forecasts"]] == [0.3, 0.5, 0.4]


def test_identical_rows_in_one_file_count_once(cli, tmp_path):
    row = "dup,alice,0.3,2018-07-31,2018-07-01\n"
    path = write(tmp_path, "question,analyst,probability,deadline,made_at\n" + row + row + "dup,alice,0.4,2018-07-31,2018-07-02\n")
    summary = js(cli.ok("import", path, "--json"))
    assert (summary["rows"], summary["forecasts_added"], summary["forecasts_already_present"]) == (3, 2, 1)
    assert [f["probability"] for f in js(cli.ok("show", "dup", "--json"))["forecasts"]] == [0.3, 0.4]
    # another probability at the same moment is not a revision: refused
    clash = write(tmp_path, "question,analyst,probability,deadline,made_at\n" + row + "dup,alice,0.5,2018-07-31,2018-07-01\n", "c.csv")
    cli.fails("import", clash, match="line 3: alice already has a forecast of 0.3 on 'dup' made at 2018-07-01T00:00:00+00:00")


def test_header_is_case_insensitive_and_columns_in_any_order(cli, tmp_path):
    path = write(tmp_path, f" PROBABILITY ,Deadline,ANALYST,question\n0.7,{FUTURE},carol,summit\n")
    cli.ok("import", path)
    (f,) = js(cli.ok("show", "summit", "--json"))["forecasts"]
    assert (f["analyst"], f["probability"]) == ("carol", 0.7)


def test_import_into_an_existing_question(cli, tmp_path):
    cli.ok("question", "add", "Trump and Putin meet", "--deadline", "2018-07-31", "--id", "summit", "--opened", "2018-06-20")
    path = write(tmp_path, "question,analyst,probability,made_at,outcome\nsummit,dan,0.8,2018-07-02,1\nsummit,dan,0.9,2018-07-03,true\n")
    summary = js(cli.ok("import", path, "--json"))
    assert summary["questions_created"] == 0 and summary["forecasts_added"] == 2
    q = js(cli.ok("show", "summit", "--json"))
    assert [f["probability"] for f in q["forecasts"]] == [0.8, 0.9]
    assert q["outcome"] == "yes"
    assert q["resolutions"][0]["known_at"] == "2018-08-01T00:00:00Z"
    assert q["resolutions"][0]["recorded_by"] == "tester"  # TRACKER_ANALYST


def test_import_from_stdin(cli):
    r = cli("import", "-", "--format", "csv", "--json", input="question,analyst,probability,deadline,made_at\nq1,a,0.25,2018-07-31,2018-07-01\n")
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout)["forecasts_added"] == 1


@pytest.mark.parametrize(
    "text, match",
    [
        ("", "forecasts.csv: empty file (a header row is required)"),
        ("question,analyst\nx,a\n", "forecasts.csv: required column 'probability' is missing"),
        ("question,analyst,probability,colour\nx,a,0.1,red\n", "forecasts.csv: unknown column 'colour'"),
        ("summit,alice,0.3\n", "forecasts.csv: unknown column 'summit'"),  # no header row
        ("question,analyst,probability,Question\nx,a,0.1,x\n", "column 'question' appears twice"),
        ("question,analyst,probability\nx,a,0.1\n", "line 2: question 'x' does not exist and has no deadline"),
        ("question,analyst,probability,deadline\nx,a,0.1,2018-07-31\nx,a,1.5,2018-07-31\n", "line 3: probability '1.5' is outside [0, 1]"),
        ("question,analyst,probability,deadline\nx,a,150%,2018-07-31\n", "line 2: probability '150%' is outside [0, 1]"),
        ("question,analyst,probability,deadline\nx,a,nan,2018-07-31\n", "line 2: probability 'nan' is outside [0, 1]"),
        ("question,analyst,probability,deadline\nx,a,abc,2018-07-31\n", "line 2: probability 'abc' is not a number"),
        ("question,analyst,probability,deadline\nX Y,a,0.5,2018-07-31\n", "line 2: question id 'X Y' is not a valid id"),
        ("question,analyst,probability,deadline\nx,,0.5,2018-07-31\n", "line 2: analyst name is empty"),
        ("question,analyst,probability,deadline\nx,a,0.5,2018-07-31,extra\n", "line 2: 5 fields, header has 4"),
        ("question,analyst,probability,deadline\nx,a,0.5,31/07/2018\n", "line 2: deadline '31/07/2018' is not an ISO date"),
        ("question,analyst,probability,deadline,made_at\nx,a,0.5,2018-07-31,yesterday\n", "line 2: made_at 'yesterday' is not an ISO date or datetime"),
        ("question,analyst,probability,deadline,outcome\nx,a,0.5,2018-07-31,maybe\n", "line 2: outcome 'maybe' is not yes/no/1/0/true/false"),
        ("question,analyst,probability,deadline,made_at\nx,a,0.5,2018-07-31,2018-08-01\n", "line 2: made_at 2018-08-01 is after the deadline of 'x' (2018-07-31)"),
        ("question,analyst,probability,deadline,made_at\nx,a,0.5,2099-12-31,2099-01-01\n", "line 2: made_at 2099-01-01T00:00:00+00:00 is in the future"),
        (
            "question,analyst,probability,deadline,made_at\nx,a,0.5,2018-07-31,2018-06-01\nx,a,0.6,2018-07-31,2018-08-01\n",
            "line 3: made_at 2018-08-01 is after the deadline of 'x' (2018-07-31)",
        ),
        (
            "question,analyst,probability,deadline,made_at,outcome,known_at\nx,a,0.5,2018-07-31,2018-07-10,yes,2018-07-05\n",
            "line 2: made_at 2018-07-10T00:00:00+00:00 is after the outcome of 'x' became known",
        ),
        (
            "question,analyst,probability,deadline,made_at,outcome\nx,a,0.5,2018-07-31,2018-06-01,yes\n"
            "x,b,0.5,2018-07-31,2018-06-01,\nx,b,0.5,2018-07-31,2018-06-02,no\n",
            "line 4: question 'x' has conflicting outcomes in the file (yes on line 2, no on line 4)",
        ),
        (
            "question,analyst,probability,deadline,made_at\nx,a,0.5,2018-07-31,2018-06-01\nx,b,0.5,2018-08-31,2018-06-01\n",
            "question 'x' has conflicting deadline values in the file",
        ),
    ],
)
def test_bad_csv_is_refused_whole(cli, tmp_path, text, match):
    refused(cli, write(tmp_path, text), match)


def test_not_utf8(cli, tmp_path):
    path = tmp_path / "forecasts.csv"
    path.write_bytes("question,analyst,probability\n\xe9t\xe9,a,0.5\n".encode("latin-1"))
    refused(cli, path, "forecasts.csv: not UTF-8 text (bad byte at offset 29)")


def test_missing_file(cli, tmp_path):
    cli.fails("import", tmp_path / "nothere.csv", match="nothere.csv: no such file")


def test_a_bad_row_after_good_rows_imports_nothing(cli, tmp_path):
    good = "".join(f"q{i},alice,0.{i},2018-07-31,2018-07-01\n" for i in range(1, 9))
    path = write(tmp_path, "question,analyst,probability,deadline,made_at\n" + good + "q9,alice,2,2018-07-31,2018-07-01\n")
    refused(cli, path, "line 10: probability '2' is outside [0, 1]")
    assert js(cli.ok("list", "--json")) == []


def test_failure_inside_the_transaction_rolls_everything_back(cli, tmp_path):
    # The forecasts pass their checks and are inserted; recording the outcome
    # then fails (known before the question opened): the whole file is undone.
    cli.ok("question", "add", "Summit", "--deadline", "2018-07-31", "--id", "summit", "--opened", "2018-06-20")
    path = write(tmp_path, "question,analyst,probability,made_at,outcome,known_at\n"
                           "summit,bob,0.4,2018-06-02,,\n"
                           "summit,alice,0.5,2018-06-01,yes,2018-06-10\n")
    refused(cli, path, "forecasts.csv: line 3: known_at 2018-06-10 is before 'summit' opened (2018-06-20)")


def test_forecast_on_a_resolved_question_is_refused(cli, tmp_path):
    cli.ok("import", write(tmp_path, SUMMIT_CSV))
    path = write(tmp_path, "question,analyst,probability,made_at\nsummit,carol,0.5,2018-07-10\n", "more.csv")
    refused(cli, path, "more.csv: line 2: question 'summit' is already resolved (yes): no more forecasts")


def test_outcome_conflicting_with_the_recorded_one(cli, tmp_path):
    cli.ok("import", write(tmp_path, SUMMIT_CSV))
    path = write(tmp_path, "question,analyst,probability,made_at,outcome\nsummit,alice,0.3,2018-06-20,no\n", "more.csv")
    refused(cli, path, "more.csv: question 'summit' is already resolved as yes, the file says no")


def test_categorical_question_is_refused(cli, tmp_path):
    cli.ok("question", "add", "When", "--deadline", "2018-07-31", "--id", "timing",
           "--outcomes", "before-nato,after-london,no-meeting", "--opened", "2018-06-20")
    path = write(tmp_path, "question,analyst,probability,made_at\ntiming,alice,0.3,2018-07-01\n")
    refused(cli, path, "line 2: question 'timing' is categorical; the CSV carries binary forecasts only")


def test_deadline_differing_from_the_recorded_question(cli, tmp_path):
    cli.ok("question", "add", "Summit", "--deadline", "2018-07-31", "--id", "summit", "--opened", "2018-06-20")
    path = write(tmp_path, "question,analyst,probability,made_at,deadline\nsummit,alice,0.3,2018-07-01,2018-08-31\n")
    refused(cli, path, "line 2: deadline of 'summit' differs from the recorded 2018-07-31")


# -------------------------------------------------------------------- export


EXPORTED = """\
question,analyst,probability,made_at,deadline,text,tags,outcome,known_at
summit,alice,0.3,2018-06-20T00:00:00Z,2018-07-31,Trump and Putin meet,russia;summit,yes,2018-07-16T00:00:00Z
summit,bob,0.4,2018-06-24T22:00:00Z,2018-07-31,Trump and Putin meet,russia;summit,yes,2018-07-16T00:00:00Z
summit,alice,0.6,2018-07-01T12:00:00Z,2018-07-31,Trump and Putin meet,russia;summit,yes,2018-07-16T00:00:00Z
vienna,bob,0.2,2018-06-21T00:00:00Z,2018-07-31,vienna,,no,2018-08-01T00:00:00Z
"""


def test_export_csv(cli, tmp_path):
    cli.ok("import", write(tmp_path, SUMMIT_CSV))
    r = cli.ok("export", "--format", "csv")
    assert r.stdout == EXPORTED
    assert r.stderr == ""


def test_exported_csv_reimports_to_the_same_csv(cli, tmp_path):
    cli.ok("import", write(tmp_path, SUMMIT_CSV))
    before = dump_db(cli.db_url)
    out = tmp_path / "out.csv"
    cli.ok("export", "--format", "csv", "-o", out)
    assert out.read_text() == EXPORTED
    # into the same database: everything is already present
    summary = js(cli.ok("import", out, "--json"))
    assert (summary["forecasts_added"], summary["forecasts_already_present"]) == (0, 4)
    assert dump_db(cli.db_url) == before


def test_exported_csv_rebuilds_an_empty_database(cli, tmp_path):
    cli.ok("import", write(tmp_path, SUMMIT_CSV))
    out = tmp_path / "out.csv"
    cli.ok("export", "--format", "csv", "-o", out)
    other = CLI(f"sqlite:///{tmp_path / 'other.db'}")
    summary = js(other.ok("import", out, "--json"))
    assert (summary["questions_created"], summary["forecasts_added"], summary["resolutions_added"]) == (2, 4, 2)
    assert other.ok("export", "--format", "csv").stdout == EXPORTED
    mine, theirs = js(cli.ok("show", "summit", "--json")), js(other.ok("show", "summit", "--json"))
    for key in ("text", "deadline", "opened_at", "tags", "outcome"):
        assert mine[key] == theirs[key]


def test_excel_style_file_with_bom_and_crlf(cli, tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbfQuestion,Analyst,Probability,Deadline,Made_At\r\nq1,alice,35%,2018-07-31,2018-07-01\r\n\r\n")
    summary = js(cli.ok("import", path, "--json"))
    assert (summary["rows"], summary["forecasts_added"]) == (1, 1)
    assert js(cli.ok("show", "q1", "--json"))["forecasts"][0]["probability"] == 0.35


def test_export_csv_leaves_categorical_forecasts_out(cli):
    cli.ok("question", "add", "When", "--deadline", FUTURE, "--id", "timing", "--outcomes", "a,b")
    cli.ok("forecast", "timing", "a=0.25,b=0.75")
    r = cli.ok("export", "--format", "csv")
    assert r.stdout == "question,analyst,probability,made_at,deadline,text,tags,outcome,known_at\n"
    assert "1 categorical forecasts left out" in r.stderr


def test_annulled_question_exports_without_outcome(cli):
    cli.ok("question", "add", "Meet", "--deadline", FUTURE, "--id", "meet")
    cli.ok("forecast", "meet", "0.5", "--analyst", "alice")
    cli.ok("resolve", "meet", "annulled", "--reason", "ill-posed")
    (line,) = cli.ok("export", "--format", "csv").stdout.splitlines()[1:]
    assert line.split(",")[2] == "0.5"
    assert line.endswith(f",{FUTURE},Meet,,,")


def test_tags_that_differ_from_the_recorded_ones_are_refused(cli, tmp_path):
    cli.ok("import", write(tmp_path, "question,analyst,probability,made_at,deadline,tags\nq,a,0.5,2018-06-20,2018-07-31,russia\n"))
    refused(cli, write(tmp_path, "question,analyst,probability,made_at,tags\nq,a,0.6,2018-06-21,syria\n", "b.csv"),
            "tags of 'q' (syria) differ from the recorded (russia)")


def test_known_at_without_an_outcome_is_refused(cli, tmp_path):
    refused(cli, write(tmp_path, "question,analyst,probability,made_at,deadline,known_at\nq,a,0.5,2018-06-20,2018-07-31,2018-07-16\n"),
            "line 2: known_at given for 'q' without an outcome")
