"""Refusals: every rule a user can break gives one line naming the offending
value, exit 1, no traceback, and leaves the database exactly as it was.
Bad database URLs and foreign or newer databases give a clear one-line error."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone

import pytest

from support import CLI, dump_db
from tracker.storage import HEAD

TODAY = datetime.now(timezone.utc).date()
FUTURE = (TODAY + timedelta(days=30)).isoformat()
TIMING = "before-nato,after-london,no-meeting"


@pytest.fixture
def log(cli):
    """A binary and a categorical question open for forecasts, one forecast each."""
    cli.ok("question", "add", "Trump and Putin meet", "--deadline", FUTURE, "--id", "meet")
    cli.ok("question", "add", "When do they meet?", "--deadline", FUTURE, "--id", "timing", "--outcomes", TIMING)
    cli.ok("forecast", "meet", "0.35")
    cli.ok("forecast", "timing", "before-nato=0.2,after-london=0.5,no-meeting=0.3")
    return cli


def refused(cli, *args, match):
    """The command fails with ``match`` in its one-line error and changes nothing."""
    before = dump_db(cli.db_url)
    result = cli.fails(*args, match=match)
    assert dump_db(cli.db_url) == before
    return result


# ------------------------------------------------------------- probabilities


@pytest.mark.parametrize(
    "typed, match",
    [
        ("1.5", "probability '1.5' is outside [0, 1]"),
        ("1.0000001", "probability '1.0000001' is outside [0, 1]"),
        ("nan", "probability 'nan' is outside [0, 1]"),
        ("inf", "probability 'inf' is outside [0, 1]"),
        ("-inf", "probability '-inf' is outside [0, 1]"),
        ("abc", "probability 'abc' is not a number"),
        ("150%", "probability '150%' is outside [0, 1]"),
        ("abc%", "probability 'abc%' is not a number"),
        ("", "probability '' is not a number"),
    ],
)
def test_bad_binary_probability(log, typed, match):
    refused(log, "forecast", "meet", "--", typed, match=match)  # '--': '-0.1' is not an option


@pytest.mark.parametrize(
    "vector, match",
    [
        ("before-nato=0.2,after-london=0.5,no-meeting=0.4", "forecast probabilities sum to 1.1, not 1"),
        ("before-nato=0.2,after-london=0.5,no-meeting=0.29", "forecast probabilities sum to 0.99, not 1"),
        ("before-nato=0.2,after-london=0.5,helsinki=0.3", "unknown outcome 'helsinki'"),
        ("before-nato=0.5,after-london=0.5", "gives no probability for outcome 'no-meeting'"),
        ("before-nato=0.2,before-nato=0.5,no-meeting=0.3", "outcome 'before-nato' is given twice"),
        ("before-nato=1.2,after-london=-0.5,no-meeting=0.3", "probability of 'before-nato' '1.2' is outside [0, 1]"),
        ("before-nato=x,after-london=0.5,no-meeting=0.3", "probability of 'before-nato' 'x' is not a number"),
        ("before-nato,after-london=0.5", "'before-nato' is not OUTCOME=PROBABILITY"),
        ("0.4", "question 'timing' is categorical: give a vector such as before-nato=...,after-london=...,no-meeting=..."),
    ],
)
def test_bad_categorical_vector(log, vector, match):
    refused(log, "forecast", "timing", vector, match=match)


def test_vector_on_a_binary_question(log):
    refused(log, "forecast", "meet", "yes=0.4,no=0.6", match="question 'meet' is binary: give one probability, not a vector")


# ----------------------------------------------------------------- questions


def test_deadline_before_opening(cli):
    refused(cli, "question", "add", "Meet", "--id", "meet", "--deadline", "2018-06-01", "--opened", "2018-06-20",
            match="deadline 2018-06-01 of 'meet' is before the question opened (2018-06-20)")


def test_deadline_before_today_when_opening_now(cli):
    refused(cli, "question", "add", "Meet", "--id", "meet", "--deadline", "2018-07-31",
            match="deadline 2018-07-31 of 'meet' is before the question opened")


def test_opening_in_the_future(cli):
    refused(cli, "question", "add", "Meet", "--id", "meet", "--deadline", "2099-12-31", "--opened", "2099-01-01",
            match="opening time 2099-01-01T00:00:00+00:00 of 'meet' is in the future")


def test_duplicate_question_id(log):
    refused(log, "question", "add", "Another text", "--id", "meet", "--deadline", FUTURE,
            match="a question with id 'meet' already exists")


@pytest.mark.parametrize(
    "args, match",
    [
        (["--id", "Not A Slug"], "question id 'Not A Slug' is not a valid id"),
        (["--outcomes", "a,b,a"], "outcome 'a' is listed twice"),
        (["--outcomes", "only"], "a categorical question needs at least two outcomes"),
        (["--outcomes", "yes,annulled"], "'annulled' is reserved"),
        (["--outcomes", "Big One,small"], "outcome 'Big One' is not a valid id"),
        (["--condition", "nowhere=yes"], "condition names unknown question 'nowhere'"),
        (["--condition", "timing=helsinki"], "condition outcome 'helsinki' is not an outcome of 'timing'"),
        (["--implies", "nowhere"], "implies names unknown question 'nowhere'"),
        (["--implies", "timing"], "'implies' links two binary questions"),
    ],
)
def test_bad_question_options(log, args, match):
    base = ["question", "add", "New question", "--deadline", FUTURE]
    if "--id" not in args:
        base += ["--id", "new-q"]
    refused(log, *base, *args, match=match)


def test_bad_deadline_is_a_usage_error(cli):
    before = dump_db(cli.db_url)
    r = cli("question", "add", "Meet", "--id", "meet", "--deadline", "31/07/2018")
    assert r.exit_code == 2
    assert "'31/07/2018' is not an ISO date" in r.stderr and "Traceback" not in r.stderr
    assert dump_db(cli.db_url) == before


# ----------------------------------------------------------------- forecasts


def test_forecast_on_unknown_question(log):
    refused(log, "forecast", "nowhere", "0.3", match="no question with id 'nowhere'")


def test_forecast_after_the_deadline(cli):
    cli.ok("question", "add", "Vienna", "--id", "summit-vienna", "--deadline", "2018-07-31", "--opened", "2018-06-20")
    refused(cli, "forecast", "summit-vienna", "0.3", match="is after the deadline of 'summit-vienna' (2018-07-31)")


def test_forecast_on_resolved_question(log):
    log.ok("resolve", "meet", "no")
    refused(log, "forecast", "meet", "0.3", match="question 'meet' is already resolved (no): no more forecasts")


def test_forecast_on_annulled_question(log):
    log.ok("resolve", "timing", "annulled", "--reason", "ill-posed")
    refused(log, "forecast", "timing", "before-nato=0.2,after-london=0.5,no-meeting=0.3",
            match="question 'timing' is already annulled: no more forecasts")


def test_no_analyst_name_anywhere(log, monkeypatch):
    def no_login():
        raise KeyError("getpwuid(): uid not found: 1234")

    monkeypatch.delenv("TRACKER_ANALYST")
    monkeypatch.setattr("getpass.getuser", no_login)
    if log.db_url.startswith("postgresql"):  # the database role names the analyst
        assert ": postgres on meet: 0.300" in log.ok("forecast", "meet", "0.3").stdout
        return
    refused(log, "forecast", "meet", "0.3", match="no analyst name: pass --analyst or set TRACKER_ANALYST")


def test_empty_analyst_name(log):
    refused(log, "forecast", "meet", "0.3", "--analyst", "   ", match="analyst name is empty")


# --------------------------------------------------------------- resolutions


@pytest.mark.parametrize(
    "args, match",
    [
        (["nowhere", "yes"], "no question with id 'nowhere'"),
        (["meet", "maybe"], "outcome 'maybe' is not yes or no (question 'meet' is binary)"),
        (["timing", "helsinki"], "outcome 'helsinki' is not an outcome of 'timing' (before-nato, after-london, no-meeting)"),
        (["meet", "yes", "--supersede", "--reason", "x"], "question 'meet' has no resolution to supersede"),
        (["meet", "yes", "--known-at", "2099-01-01"], "known-at 2099-01-01T00:00:00+00:00 for 'meet' is in the future"),
        (["meet", "yes", "--known-at", "2018-01-01"], "known-at 2018-01-01 is before 'meet' opened"),
        (["meet", "yes", "--known-at", "last week"], "--known-at 'last week' is not an ISO date or datetime"),
    ],
)
def test_bad_resolution(log, args, match):
    refused(log, "resolve", *args, match=match)


def test_correction_identical_to_the_current_resolution(log):
    log.ok("resolve", "meet", "no", "--known-at", TODAY.isoformat())
    refused(log, "resolve", "meet", "no", "--known-at", TODAY.isoformat(), "--supersede", "--reason", "again",
            match="already has that resolution; nothing to correct")


def test_show_unknown_question(cli):
    cli.fails("show", "nowhere", match="no question with id 'nowhere'")


# ---------------------------------------------------------- database problems


def bad(url, match):
    r = CLI(url).fails("list", match=match)
    assert r.stdout == ""
    return r


@pytest.mark.parametrize(
    "url, match",
    [
        ("mysql://x", "unsupported database URL scheme 'mysql'"),
        ("postgresql+psycopg2://u@h/db", "unsupported database URL scheme 'postgresql+psycopg2'"),
        ("postgresql+psycopg://u:secret@host:notaport/db", "malformed database URL postgresql+psycopg://u:***@host:notaport/db"),
        ("   ", "database URL is empty"),
    ],
)
def test_malformed_or_foreign_url(url, match):
    r = bad(url, match)
    assert "secret" not in r.stderr


@pytest.mark.postgres
def test_unreachable_server():
    from support import pg_reason

    if pg_reason():
        pytest.skip(pg_reason())
    bad("postgresql+psycopg://nobody@127.0.0.1:1/x", "cannot open database postgresql+psycopg://nobody@127.0.0.1:1/x")


@pytest.mark.postgres
def test_unknown_role():
    from support import pg_reason

    if pg_reason():
        pytest.skip(pg_reason())
    bad("postgresql+psycopg://nobody@127.0.0.1:5432/test", 'role "nobody" does not exist')


def test_bad_url_from_the_environment(monkeypatch):
    monkeypatch.setenv("TRACKER_DATABASE_URL", "mysql://x")
    r = CLI("unused")("list", db=False)
    assert r.exit_code == 1
    assert r.stderr.strip() == (
        "error: unsupported database URL scheme 'mysql': use a SQLite path or sqlite:///FILE, "
        "or postgresql+psycopg://USER@HOST/DB"
    )


def test_sqlite_file_that_is_not_a_database(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("shopping list: eggs, milk\n" * 100)
    bad(str(path), "file is not a database")
    bad(f"sqlite:///{path}", f"cannot open database sqlite:///{path}: file is not a database")
    assert path.read_text().startswith("shopping list")  # untouched


def test_sqlite_path_that_is_a_directory(tmp_path):
    bad(str(tmp_path), "unable to open database file")


def test_sqlite_database_of_another_application(tmp_path):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE question (id TEXT PRIMARY KEY, body TEXT)")
    bad(str(path), "holds tables of another schema (no alembic_version): not a tracker database")


def test_database_from_a_newer_schema(cli):
    from sqlalchemy import text

    from tracker.storage import make_engine

    engine = make_engine(cli.db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    r = cli.fails("list", match=f"database schema revision 9999 is newer than this version of tracker knows (head {HEAD})")
    assert "upgrade forecast-tracker" in r.stderr
    cli.fails("db", "upgrade", match="revision 9999 is newer")
