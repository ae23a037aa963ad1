"""History nobody can rewrite, and a verifier that is not fooled: no REPLACE
of recorded rows, a resolved question's definition frozen, one probability
per (question, analyst, moment), imported history scored apart from live
forecasts, `db verify` against tampered triggers, `db backup` onto the
database's own files, and `-o` files that a full disk cannot truncate."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml

from support import CLI, dump_db

ROOT = Path(__file__).resolve().parents[1]
UTC = timezone.utc
TODAY = datetime.now(UTC).date()
FUTURE = (TODAY + timedelta(days=60)).isoformat()


def js(result):
    return json.loads(result.stdout)


def _raw(url: str, *sql: str) -> None:
    from tracker.storage import open_store

    store = open_store(url)
    try:
        with store.engine.begin() as conn:
            for s in sql:
                conn.exec_driver_sql(s)
    finally:
        store.dispose()


def checks(result) -> dict:
    return {c["name"]: (c["ok"], c["detail"]) for c in js(result)["checks"]}


# ------------------------------------------------------------ no REPLACE


@pytest.mark.parametrize("sql", [
    "REPLACE INTO forecast (id, question_id, analyst, probability, made_at, recorded_at, imported) "
    "VALUES (1, 'meet', 'alice', 0.99, '2018-06-01 00:00:00.000000', '2018-06-01 00:00:00.000000', 0)",
    "INSERT OR REPLACE INTO forecast (id, question_id, analyst, probability, made_at, recorded_at, imported) "
    "VALUES (1, 'meet', 'alice', 0.99, '2018-06-01 00:00:00.000000', '2018-06-01 00:00:00.000000', 0)",
    "REPLACE INTO resolution (id, question_id, outcome, annulled, known_at, recorded_at, recorded_by, evidence) "
    "VALUES (1, 'meet', 'no', 0, '2018-06-01 00:00:00.000000', '2018-06-01 00:00:00.000000', 'mallory', '[]')",
])
def test_sqlite_replace_into_history_is_refused(sqlite_url, sql):
    cli = CLI(sqlite_url)
    cli.ok("question", "add", "Trump and Putin meet", "--deadline", FUTURE, "--id", "meet")
    cli.ok("forecast", "meet", "0.3", "--analyst", "alice")
    cli.ok("resolve", "meet", "yes")
    before = dump_db(sqlite_url)
    con = sqlite3.connect(sqlite_url[len("sqlite:///"):])
    try:
        with pytest.raises(sqlite3.IntegrityError, match="append-only: a row with this id exists"):
            con.execute(sql)
    finally:
        con.close()
    assert dump_db(sqlite_url) == before
    # new rows still go in
    cli.ok("question", "add", "Vienna", "--deadline", FUTURE, "--id", "vienna")
    cli.ok("forecast", "vienna", "0.2", "--analyst", "alice")


# --------------------------------------------- a resolved question is frozen


def _scenario(path: Path, **changes) -> Path:
    q = {"id": "venue", "text": "Where will they meet?", "deadline": FUTURE, "outcomes": ["vienna", "helsinki"]}
    q.update(changes)
    path.write_text(yaml.safe_dump({"id": "summit", "title": "Summit", "questions": [q]}))
    return path


@pytest.mark.parametrize("change", [
    {"text": "Where will they not meet?"},
    {"deadline": (TODAY + timedelta(days=90)).isoformat()},
    {"outcomes": ["vienna", "geneva"]},
    {"phrase": "almost certainly"},
])
def test_a_resolved_questions_definition_is_frozen(cli, tmp_path, change):
    cli.ok("import", str(_scenario(tmp_path / "s.yaml", phrase="likely")))
    cli.ok("resolve", "venue", "helsinki")
    before = dump_db(cli.db_url)
    field = next(iter(change))
    cli.fails("import", str(_scenario(tmp_path / "edit.yaml", **{"phrase": "likely", **change})),
              match=f"the question is already resolved (helsinki) and its definition frozen: {field} differs from the recorded")
    assert dump_db(cli.db_url) == before
    # re-importing the same file changes nothing and is fine
    cli.ok("import", str(_scenario(tmp_path / "same.yaml", phrase="likely")))


def test_the_database_refuses_changing_a_resolved_question(cli):
    cli.ok("question", "add", "Meet?", "--deadline", FUTURE, "--id", "meet")
    cli.ok("question", "add", "Open", "--deadline", FUTURE, "--id", "open")
    cli.ok("resolve", "meet", "yes")
    before = dump_db(cli.db_url)
    from sqlalchemy.exc import IntegrityError, InternalError, ProgrammingError

    for sql in ("UPDATE question SET text = 'Rewritten' WHERE id = 'meet'",
                "UPDATE question SET outcomes = '[\"maybe\", \"perhaps\"]' WHERE id = 'meet'",
                "UPDATE question SET phrase = 'likely' WHERE id = 'meet'"):
        with pytest.raises((IntegrityError, InternalError, ProgrammingError), match="frozen"):
            _raw(cli.db_url, sql)
    assert dump_db(cli.db_url) == before
    _raw(cli.db_url, "UPDATE question SET text = 'Still open' WHERE id = 'open'")  # not resolved: the owner may edit


# ------------------------------------------ one probability per moment in a CSV


def test_a_csv_cannot_add_a_second_probability_at_the_same_moment(cli, tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("question,analyst,probability,made_at,deadline\nsummit,alice,0.3,2018-06-20T10:00:00Z,2030-07-31\n")
    cli.ok("import", str(path))
    assert js(cli.ok("import", str(path), "--json"))["forecasts_already_present"] == 1
    before = dump_db(cli.db_url)
    path.write_text("question,analyst,probability,made_at,deadline\nsummit,alice,0.9,2018-06-20T10:00:00Z,2030-07-31\n")
    cli.fails("import", str(path),
              match="line 2: alice already has a forecast of 0.3 on 'summit' made at 2018-06-20T10:00:00+00:00; "
                    "a second one at the same time would rewrite it")
    both = tmp_path / "both.csv"
    both.write_text("question,analyst,probability,made_at,deadline\n"
                    "other,bob,0.3,2018-06-20T10:00:00Z,2030-07-31\nother,bob,0.8,2018-06-20T10:00:00Z,2030-07-31\n")
    cli.fails("import", str(both), match="bob already has a forecast of 0.3 on 'other'")
    assert dump_db(cli.db_url) == before


# ------------------------------------------------------- hindsight apart


@pytest.fixture
def cheater(cli, tmp_path):
    """A team that logged live forecasts, and 'cheater' who imported, after
    the outcomes were public, perfect forecasts dated before them."""
    for qid, outcome in (("q1", "yes"), ("q2", "no"), ("q3", "yes"), ("q4", "no")):
        cli.ok("question", "add", f"Question {qid}", "--deadline", FUTURE, "--id", qid)
        cli.ok("forecast", qid, "0.7" if outcome == "yes" else "0.4", "--analyst", "alice")
        cli.ok("forecast", qid, "0.6", "--analyst", "bob")
        cli.ok("resolve", qid, outcome)
    path = tmp_path / "cheat.csv"
    path.write_text("question,analyst,probability,made_at,deadline,outcome,known_at\n"
                    "summit,cheater,1.0,2018-06-21,2018-07-31,yes,2018-07-16\n"
                    "venue,cheater,0.0,2018-06-21,2018-07-31,no,2018-07-16\n"
                    "london,cheater,1.0,2018-06-21,2018-07-31,yes,2018-07-13\n")
    cli.ok("import", str(path))
    return cli


def test_imported_hindsight_is_never_scored_as_live(cheater):
    live = js(cheater.ok("score", "--by", "analyst", "--json"))
    assert [(r["group"], r["n"], r["forecasts"]) for r in live] == [("alice", 4, "live"), ("bob", 4, "live")]
    # alice: (0.3^2 + 0.4^2 + 0.3^2 + 0.4^2) / 4 = 0.125
    assert live[0]["brier"] == pytest.approx(0.125)
    history = js(cheater.ok("score", "--by", "analyst", "--forecasts", "history", "--json"))
    assert [(r["group"], r["n"], r["brier"], r["forecasts"]) for r in history] == [("cheater", 3, 0.0, "history")]
    both = js(cheater.ok("score", "--forecasts", "all", "--json"))
    assert (both["n"], both["forecasts"]) == (11, "all")
    assert "live forecasts only: imported history left out" in cheater.ok("score").stdout
    # one analyst's own scores: the set that analyst has, said as such
    alone = js(cheater.ok("score", "--analyst", "cheater", "--json"))
    assert (alone["n"], alone["forecasts"]) == (3, "history")


def test_the_report_says_which_forecasts_it_scores(cheater):
    md = cheater.ok("report", "--format", "md").stdout
    assert "of live forecasts only (imported history left out)" in md
    assert "cheater" not in md.split("| analyst |")[1].split("\n\n")[0]
    md_history = cheater.ok("report", "--format", "md", "--forecasts", "history").stdout
    assert "of imported history only (times claimed by the files, not witnessed)" in md_history
    data = js(cheater.ok("report", "--format", "json"))
    assert data["meta"]["forecasts"] == "live"


def test_history_alone_is_scored_as_history(cli, tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("question,analyst,probability,made_at,deadline,outcome,known_at\n"
                    "summit,ana,0.8,2018-06-21,2018-07-31,yes,2018-07-16\n"
                    "venue,ana,0.3,2018-06-21,2018-07-31,no,2018-07-16\n")
    cli.ok("import", str(path))
    out = js(cli.ok("score", "--json"))
    assert (out["n"], out["forecasts"]) == (2, "history")
    assert out["brier"] == pytest.approx((0.2 ** 2 + 0.3 ** 2) / 2)
    assert js(cli.ok("score", "--forecasts", "live", "--json"))["n"] == 0


# --------------------------------------------------------- verify, tampered


def test_verify_catches_a_sqlite_trigger_recreated_with_when_0(sqlite_url):
    cli = CLI(sqlite_url)
    cli.ok("db", "upgrade")
    _raw(sqlite_url, "DROP TRIGGER forecast_no_update",
         "CREATE TRIGGER forecast_no_update BEFORE UPDATE ON forecast WHEN 0 "
         "BEGIN SELECT RAISE(ABORT, 'forecast rows are append-only'); END",
         "DROP TRIGGER question_frozen",
         "CREATE TRIGGER question_frozen BEFORE UPDATE ON question WHEN 0 "
         "BEGIN SELECT RAISE(ABORT, 'the question is resolved: its definition is frozen'); END")
    result = cli("db", "verify", "--json")
    assert result.exit_code == 1
    got = checks(result)
    assert got["append_only"] == (False, "missing or altered: forecast_no_update (definition altered)")
    assert got["question_rules"] == (False, "missing or altered: question_frozen (definition altered)")


def test_verify_catches_a_missing_replace_guard(sqlite_url):
    cli = CLI(sqlite_url)
    cli.ok("db", "upgrade")
    _raw(sqlite_url, "DROP TRIGGER resolution_no_replace")
    got = checks(cli("db", "verify", "--json"))
    assert got["append_only"] == (False, "missing or altered: resolution_no_replace")


@pytest.mark.postgres
@pytest.mark.parametrize("tamper, detail", [
    ("ALTER TABLE forecast ENABLE REPLICA TRIGGER forecast_append_only",
     "forecast_append_only (fires only in replica sessions)"),
    ("ALTER TABLE resolution DISABLE TRIGGER resolution_record_times", "resolution_record_times (disabled)"),
    ("CREATE OR REPLACE FUNCTION tracker_append_only() RETURNS trigger AS $$ BEGIN RETURN OLD; END; $$ LANGUAGE plpgsql",
     "forecast_append_only (function tracker_append_only altered), forecast_no_truncate (function tracker_append_only "
     "altered), resolution_append_only (function tracker_append_only altered), resolution_no_truncate (function "
     "tracker_append_only altered), clarification_append_only (function tracker_append_only altered), "
     "clarification_no_truncate (function tracker_append_only altered)"),
    ("DROP TRIGGER forecast_append_only ON forecast | CREATE TRIGGER forecast_append_only BEFORE UPDATE OR DELETE ON "
     "forecast FOR EACH ROW WHEN (false) EXECUTE FUNCTION tracker_append_only()",
     "forecast_append_only (definition altered)"),
])
def test_verify_catches_tampered_postgresql_triggers(pg_url, tamper, detail):
    cli = CLI(pg_url)
    cli.ok("db", "upgrade")
    assert js(cli.ok("db", "verify", "--json"))["ok"] is True
    _raw(pg_url, *tamper.split(" | "))
    result = cli("db", "verify", "--json")
    assert result.exit_code == 1
    assert checks(result)["append_only"] == (False, f"missing or altered: {detail}")


@pytest.mark.postgres
def test_verify_catches_a_dropped_question_check(pg_url):
    cli = CLI(pg_url)
    cli.ok("db", "upgrade")
    _raw(pg_url, "ALTER TABLE question DROP CONSTRAINT ck_question_outcomes",
         "ALTER TABLE question DISABLE TRIGGER question_frozen")
    got = checks(cli("db", "verify", "--json"))
    assert got["question_rules"] == (False, "missing or altered: question_frozen (disabled), ck_question_outcomes")


# ------------------------------------------------- backup onto its own files


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm", "-journal"])
def test_backup_refuses_the_database_and_its_companions(sqlite_url, tmp_path, suffix):
    cli = CLI(sqlite_url)
    cli.ok("question", "add", "Q", "--deadline", FUTURE, "--id", "q")
    for i in range(5):
        cli.ok("forecast", "q", f"0.{i + 1}", "--analyst", f"a{i}")
    before = dump_db(sqlite_url)
    db = sqlite_url[len("sqlite:///"):]
    what = "the database itself" if not suffix else f"the database's {suffix} file"
    result = cli.fails("db", "backup", db + suffix, "--force", match=f"is {what}: name another file")
    assert "FileNotFoundError" not in result.stderr
    # through another spelling of the same path, too
    other = str(Path(db).parent / "." / Path(db).name) + suffix
    cli.fails("db", "backup", other, "--force", match=f"is {what}")
    assert dump_db(sqlite_url) == before


# ------------------------------------------------ -o survives a full disk


def _tracker(args: list[str], env: dict, limit: int | None = None):
    import resource

    def cap():
        if limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    code = "import sys; from tracker.cli import main; sys.exit(main())"
    return subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True,
                          preexec_fn=cap, timeout=300)


@pytest.mark.parametrize("args, name", [
    (["report"], "report.html"),
    (["plot", "calibration"], "calibration.png"),
])
def test_an_output_file_is_never_left_truncated(tmp_path, args, name):
    env = dict(os.environ, PYTHONPATH=str(ROOT), TRACKER_HOME=str(tmp_path / "home"), TRACKER_ANALYST="tester")
    cli = CLI(f"sqlite:///{tmp_path / 'home' / 'tracker.db'}")
    for i in range(1, 7):
        cli.ok("question", "add", f"Question {i}", "--deadline", FUTURE, "--id", f"q{i}")
        cli.ok("forecast", f"q{i}", f"0.{i + 2}", "--analyst", "a")
        cli.ok("forecast", f"q{i}", f"0.{9 - i}", "--analyst", "b")
        cli.ok("resolve", f"q{i}", "yes" if i <= 3 else "no")
    out = tmp_path / name
    first = _tracker([*args, "-o", str(out)], env)
    assert first.returncode == 0, first.stderr
    good = out.read_bytes()
    assert len(good) > 40_000
    # a file-size limit below the output's size: the write fails half-way
    failed = _tracker([*args, "-o", str(out)], env, limit=40_000)
    assert failed.returncode == 1
    assert failed.stderr.strip() == f"error: cannot write {out}: File too large"
    assert out.read_bytes() == good
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["home", name])
