"""A history nobody can rewrite: append-only rows, forecasts after the
outcome refused, claimed and recorded times kept, `tracker db verify`,
`tracker db backup`, and PostgreSQL roles for analysts and reviewers."""

from __future__ import annotations

import json
import secrets
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import quote

import pytest
import yaml

from support import CLI, dump_db

UTC = timezone.utc
TODAY = datetime.now(UTC).date()
FUTURE = (TODAY + timedelta(days=60)).isoformat()
HELPER = Path(__file__).resolve().parent / "helpers" / "integrity_worker.py"


def js(result):
    return json.loads(result.stdout)


@pytest.fixture
def history(cli):
    """A question with two forecasts and a resolution; another still open."""
    cli.ok("question", "add", "Trump and Putin meet", "--deadline", FUTURE, "--id", "meet")
    cli.ok("question", "add", "They meet in Vienna", "--deadline", FUTURE, "--id", "vienna")
    cli.ok("forecast", "meet", "0.3", "--analyst", "alice")
    cli.ok("forecast", "meet", "0.4", "--analyst", "alice")
    cli.ok("forecast", "vienna", "0.2", "--analyst", "bob")
    cli.ok("resolve", "meet", "yes", "--reviewer", "rita")
    return cli


# --------------------------------------------------------- append-only rows

RAW = [
    "UPDATE forecast SET probability = 0.99",
    "UPDATE forecast SET analyst = analyst WHERE id = 1",
    "UPDATE forecast SET made_at = recorded_at",
    "DELETE FROM forecast",
    "DELETE FROM forecast WHERE id = (SELECT max(id) FROM forecast)",
    "UPDATE resolution SET outcome = 'no'",
    "UPDATE resolution SET known_at = recorded_at",
    "DELETE FROM resolution",
]


def test_raw_update_and_delete_are_refused_by_the_database(history):
    from sqlalchemy.exc import DBAPIError

    from tracker.storage import open_store

    before = dump_db(history.db_url)
    store = open_store(history.db_url)
    try:
        for sql in RAW:
            with pytest.raises(DBAPIError, match="rows are append-only"):
                with store.engine.begin() as conn:
                    conn.exec_driver_sql(sql)
    finally:
        store.dispose()
    assert dump_db(history.db_url) == before
    tables = dict(before)
    assert [(f[2], f[3]) for f in tables["forecasts"]] == [("alice", 0.3), ("alice", 0.4), ("bob", 0.2)]
    assert [(r[1], r[2]) for r in tables["resolutions"]] == [("meet", "yes")]


def test_raw_update_through_the_store_is_a_one_line_permission_error(history):
    """A write refused by the database reaches the caller as a DatabaseError
    with one line, never a driver traceback."""
    from tracker.errors import DatabaseError
    from tracker.storage import open_store

    store = open_store(history.db_url)
    try:
        for sql in RAW:
            with pytest.raises(DatabaseError) as info:
                store.run_write(lambda conn: conn.exec_driver_sql(sql))
            message = str(info.value)
            assert message.startswith("permission denied: ") and "append-only" in message and "\n" not in message
    finally:
        store.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("table", ["forecast", "resolution"])
def test_truncate_is_refused_on_postgresql(pg_url, table):
    import psycopg

    cli = CLI(pg_url)
    from tracker.storage import open_store

    open_store(pg_url, upgrade=True).dispose()
    cli.ok("question", "add", "Q", "--deadline", FUTURE, "--id", "q")
    cli.ok("forecast", "q", "0.5")
    cli.ok("resolve", "q", "no")
    before = dump_db(pg_url)
    schema = pg_url.split("search_path%3D")[1]
    with psycopg.connect(f"host=127.0.0.1 port=5432 dbname=test user=postgres options=-csearch_path={schema}") as conn:
        for sql in (f"TRUNCATE {table}", f"TRUNCATE {table} CASCADE", f"TRUNCATE question, {table} CASCADE"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
                conn.execute(sql)
            conn.rollback()
    assert dump_db(pg_url) == before


# ------------------------------------------- no forecast after the outcome


def test_forecast_on_a_resolved_question_is_refused(history):
    from tracker.errors import ValidationError
    from tracker.services.log import add_forecast
    from tracker.storage import open_store

    before = dump_db(history.db_url)
    history.fails("forecast", "meet", "0.9", "--analyst", "alice", match="already resolved (yes): no more forecasts")
    store = open_store(history.db_url)
    try:
        with pytest.raises(ValidationError, match="already resolved"):
            add_forecast(store, "meet", 0.9, analyst="carol")
    finally:
        store.dispose()
    history.ok("resolve", "vienna", "annulled", "--reason", "venue never announced")
    history.fails("forecast", "vienna", "0.1", match="already annulled")
    after = dict(dump_db(history.db_url))
    assert after["forecasts"] == dict(before)["forecasts"]


def test_csv_forecasts_after_the_outcome_are_refused(history, tmp_path):
    before = dump_db(history.db_url)
    late = tmp_path / "late.csv"
    late.write_text("question,analyst,probability,made_at,deadline,outcome,known_at\n"
                    "summit,alice,0.6,2018-07-01,2018-07-31,yes,2018-07-16\n"
                    "summit,bob,0.9,2018-07-17T09:00:00Z,2018-07-31,yes,2018-07-16\n")
    history.fails("import", str(late), match="is after the outcome of 'summit' became known")
    on_resolved = tmp_path / "resolved.csv"
    on_resolved.write_text("question,analyst,probability,made_at\nmeet,carol,0.7,2018-06-01\n")
    history.fails("import", str(on_resolved), match="already resolved")
    scenario = tmp_path / "late.yaml"
    scenario.write_text(yaml.safe_dump({"id": "s", "title": "t", "questions": [
        {"id": "meet", "text": "Trump and Putin meet", "deadline": FUTURE,
         "forecasts": [{"analyst": "dave", "probability": 0.5, "made_at": TODAY.isoformat()}]}]}))
    history.fails("import", str(scenario), match="already resolved")
    assert dump_db(history.db_url) == before


def test_imported_forecast_keeps_claimed_and_recorded_times(cli, tmp_path):
    path = tmp_path / "history.csv"
    path.write_text("question,analyst,probability,made_at,deadline\n"
                    "summit,alice,0.35,2018-06-20T10:00:00+02:00,2018-07-31\n"
                    "summit,alice,0.55,2018-07-01,2018-07-31\n")
    scen = tmp_path / "s.yaml"
    scen.write_text(yaml.safe_dump({"id": "s", "title": "t", "questions": [
        {"id": "venue", "text": "Where", "deadline": "2018-07-31",
         "forecasts": [{"analyst": "bob", "probability": 0.2, "made_at": "2018-06-21T12:30:00Z"}]}]}))
    t0 = datetime.now(UTC)
    cli.ok("import", str(path))
    cli.ok("import", str(scen))
    cli.ok("question", "add", "Live", "--deadline", FUTURE, "--id", "live")
    cli.ok("forecast", "live", "0.5", "--analyst", "carol")
    t1 = datetime.now(UTC)

    def parse(s):
        return datetime.fromisoformat(s.replace("Z", "+00:00"))

    summit = js(cli.ok("show", "summit", "--json"))["forecasts"]
    assert [(f["made_at"], f["imported"]) for f in summit] == [("2018-06-20T08:00:00Z", True), ("2018-07-01T00:00:00Z", True)]
    venue = js(cli.ok("show", "venue", "--json"))["forecasts"]
    assert [(f["made_at"], f["imported"]) for f in venue] == [("2018-06-21T12:30:00Z", True)]
    for f in summit + venue:
        assert t0 - timedelta(seconds=1) <= parse(f["recorded_at"]) <= t1 + timedelta(seconds=1)
    live = js(cli.ok("show", "live", "--json"))["forecasts"][0]
    assert live["made_at"] == live["recorded_at"] and not live["imported"]
    # both times are in the database itself, and the history shows both
    events = js(cli.ok("history", "summit", "--json"))
    assert [(e["effective_at"], e["imported"]) for e in events] == [("2018-06-20T08:00:00Z", True), ("2018-07-01T00:00:00Z", True)]
    assert all(e["recorded_at"] != e["effective_at"] for e in events)
    rows = dict(dump_db(cli.db_url))["forecasts"]
    assert len({r[6] for r in rows[:2]}) == 1  # recorded in one transaction: one recording time


# -------------------------------------------------------------- db verify


def checks(result) -> dict:
    data = js(result)
    return {c["name"]: (c["ok"], c["detail"]) for c in data["checks"]}


def test_verify_passes_on_a_healthy_database(history):
    result = history.ok("db", "verify", "--json")
    got = checks(result)
    assert list(got) == ["integrity", "migrations", "append_only", "forecast_times"]
    assert all(ok for ok, _ in got.values()), got
    assert js(result)["ok"] is True
    text = history.ok("db", "verify").stdout
    assert [line.split()[:2] for line in text.splitlines()] == [
        ["integrity", "ok"], ["migrations", "ok"], ["append_only", "ok"], ["forecast_times", "ok"]]


def _raw(url: str, *sql: str) -> None:
    from tracker.storage import open_store

    store = open_store(url)
    try:
        with store.engine.begin() as conn:
            for s in sql:
                conn.exec_driver_sql(s)
    finally:
        store.dispose()


def test_verify_fails_when_the_append_only_triggers_are_gone(history):
    if history.db_url.startswith("sqlite"):
        _raw(history.db_url, "DROP TRIGGER forecast_no_update")
        missing = "forecast_no_update"
    else:
        _raw(history.db_url, "ALTER TABLE resolution DISABLE TRIGGER resolution_append_only")
        missing = "resolution_append_only (disabled)"
    result = history("db", "verify", "--json")
    assert result.exit_code == 1
    got = checks(result)
    assert got["append_only"] == (False, f"missing or altered: {missing}")
    assert got["integrity"][0] and got["migrations"][0] and got["forecast_times"][0]
    plain = history("db", "verify")
    assert plain.exit_code == 1 and "append_only     FAIL" in plain.stdout
    assert plain.stderr.strip() == "error: 1 check(s) failed: append_only"


def test_verify_fails_on_a_forecast_slipped_in_after_the_resolution(history):
    """A forecast inserted around the tool (raw SQL) after the outcome was
    recorded is what verify exists to catch."""
    later = (datetime.now(UTC) + timedelta(seconds=5)).strftime("%Y-%m-%d %H:%M:%S")
    _raw(history.db_url,
         "INSERT INTO forecast (question_id, analyst, probability, made_at, recorded_at, imported) "
         f"VALUES ('meet', 'alice', 0.99, '{later}', '{later}', {'0' if history.db_url.startswith('sqlite') else 'false'})")
    result = history("db", "verify", "--json")
    assert result.exit_code == 1
    ok, detail = checks(result)["forecast_times"]
    assert not ok and detail.startswith("1 forecasts were recorded after their question's outcome was recorded")


def test_verify_accepts_a_forecast_made_before_a_late_recorded_resolution(cli):
    """A live forecast made after the outcome's known-at but recorded before
    anyone recorded the outcome is legitimate (the analyst could not know);
    verify notes it and passes; `tracker check` lists it."""
    cli.ok("question", "add", "Q", "--deadline", FUTURE, "--id", "q", "--opened", (TODAY - timedelta(days=10)).isoformat())
    cli.ok("forecast", "q", "0.5")
    cli.ok("resolve", "q", "yes", "--known-at", (TODAY - timedelta(days=1)).isoformat())
    ok, detail = checks(cli.ok("db", "verify", "--json"))["forecast_times"]
    assert ok and "1 forecasts were made after the outcome's known-at but recorded before it was resolved" in detail


def test_verify_reports_a_schema_behind_head(sqlite_url):
    from tracker.storage import open_store

    open_store(sqlite_url).dispose()
    con = sqlite3.connect(sqlite_url[len("sqlite:///"):])
    con.execute("UPDATE alembic_version SET version_num = '0001'")
    con.commit()
    con.close()
    result = CLI(sqlite_url)("db", "verify", "--json")
    assert result.exit_code == 1
    assert checks(result)["migrations"] == (False, "at revision 0001, head is 0005: run 'tracker db upgrade'")


def test_verify_on_a_damaged_sqlite_file(sqlite_url, tmp_path):
    from tracker.services.log import add_forecast, add_question
    from tracker.storage import open_store

    store = open_store(sqlite_url)
    add_question(store, {"id": "q", "text": "Q", "deadline": FUTURE})
    for i in range(300):
        add_forecast(store, "q", 0.5, analyst=f"analyst-{i}", rationale="x" * 200)
    store.dispose()
    path = Path(sqlite_url[len("sqlite:///"):])
    data = bytearray(path.read_bytes())
    page = 4096
    for offset in range(3 * page, len(data) - page, 2 * page):  # scribble over every other page after the schema
        data[offset + 100: offset + 600] = b"\xde\xad\xbe\xef" * 125
    path.write_bytes(bytes(data))
    result = CLI(sqlite_url)("db", "verify", "--json")
    assert result.exit_code == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    ok, detail = checks(result)["integrity"]
    assert not ok and detail


def test_verify_needs_an_existing_database(tmp_path):
    result = CLI(f"sqlite:///{tmp_path / 'nothing.db'}")("db", "verify")
    assert result.exit_code == 1
    assert result.stderr.strip() == f"error: no database at {tmp_path / 'nothing.db'}"
    assert not (tmp_path / "nothing.db").exists()
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    result = CLI(str(empty))("db", "verify", "--json")
    assert result.exit_code == 1
    assert checks(result)["migrations"][0] is False


# -------------------------------------------------------------- db backup


def sqlite_dump(path: Path) -> list[str]:
    con = sqlite3.connect(path)
    try:
        return list(con.iterdump())
    finally:
        con.close()


def test_backup_copies_the_database(history, tmp_path):
    if not history.db_url.startswith("sqlite"):
        result = history.fails("db", "backup", str(tmp_path / "copy.db"), match="use pg_dump")
        assert not (tmp_path / "copy.db").exists()
        return
    target = tmp_path / "backups" / "copy.db"
    result = history.ok("db", "backup", str(target), "--json")
    info = js(result)
    assert info["backup"] == str(target) and info["revision"] == "0005"
    assert info["rows"] == {"scenario": 0, "analyst": 2, "question": 2, "question_tag": 0, "forecast": 3, "resolution": 1}
    source = Path(history.db_url[len("sqlite:///"):])
    assert sqlite_dump(target) == sqlite_dump(source)
    copy = CLI(f"sqlite:///{target}")
    copy.ok("db", "verify")
    assert js(copy.ok("show", "meet", "--json"))["outcome"] == "yes"
    assert not list(tmp_path.glob("backups/.copy.db.tmp*"))


def test_backup_refuses_to_overwrite_without_force(sqlite_url, tmp_path):
    cli = CLI(sqlite_url)
    cli.ok("question", "add", "Q", "--deadline", FUTURE, "--id", "q")
    target = tmp_path / "copy.db"
    target.write_bytes(b"precious")
    cli.fails("db", "backup", str(target), match=f"{target} exists: pass --force to overwrite it")
    assert target.read_bytes() == b"precious"
    cli.ok("db", "backup", str(target), "--force")
    assert sqlite_dump(target) == sqlite_dump(Path(sqlite_url[len("sqlite:///"):]))
    cli.fails("db", "backup", sqlite_url[len("sqlite:///"):], "--force", match="is the database itself")
    cli.fails("db", "backup", str(tmp_path), match="is a directory")
    missing = CLI(f"sqlite:///{tmp_path / 'none.db'}")
    missing.fails("db", "backup", str(tmp_path / "x.db"), match="no database at")


def test_backup_of_a_live_database_is_a_consistent_snapshot(sqlite_url, tmp_path):
    """Backups taken while two processes log forecasts: each copy passes the
    integrity check and holds exactly the forecasts committed up to one
    moment (ids 1..n: writers commit one at a time, in id order)."""
    from tracker.services.log import add_question
    from tracker.storage import open_store

    store = open_store(sqlite_url)
    add_question(store, {"id": "live-q", "text": "Live", "deadline": FUTURE})
    store.dispose()
    folder = tmp_path / "sync"
    folder.mkdir()
    procs = [subprocess.Popen([sys.executable, str(HELPER), "log", sqlite_url, str(folder), str(w), "300", "live-q"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for w in range(2)]
    deadline = time.monotonic() + 60
    while len(list(folder.glob("ready-*"))) < 2:
        assert time.monotonic() < deadline and all(p.poll() is None for p in procs), "workers did not start"
        time.sleep(0.01)
    (folder / "go").touch()
    cli = CLI(sqlite_url)
    copies = []
    while any(p.poll() is None for p in procs) and len(copies) < 8:
        target = tmp_path / f"live-{len(copies)}.db"
        cli.ok("db", "backup", str(target))
        copies.append(target)
        time.sleep(0.15)
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0 and err == "", err
    counts = []
    for target in copies:
        con = sqlite3.connect(target)
        assert [r[0] for r in con.execute("PRAGMA integrity_check")] == ["ok"]
        ids = [r[0] for r in con.execute("SELECT id FROM forecast ORDER BY id")]
        assert ids == list(range(1, len(ids) + 1)), "the copy is not one moment's state"
        dangling = con.execute("SELECT count(*) FROM forecast f LEFT JOIN analyst a ON a.name = f.analyst WHERE a.name IS NULL").fetchone()[0]
        assert dangling == 0
        counts.append(len(ids))
        con.close()
    assert counts == sorted(counts) and len(copies) >= 2
    assert 0 < counts[-1] <= 600
    assert any(0 < c < 600 for c in counts), f"no copy was taken while the writers wrote: {counts}"


# ------------------------------------------------------- PostgreSQL roles


def _admin():
    import psycopg

    return psycopg.connect("host=127.0.0.1 port=5432 dbname=test user=postgres", autocommit=True)


@pytest.fixture
def roles(pg_url):
    """Unique login role names for this test; dropped (with their
    privileges) afterwards. Roles are cluster-wide."""
    from tracker.storage import open_store

    open_store(pg_url, upgrade=True).dispose()
    made: list[str] = []

    def new(prefix: str) -> str:
        name = f"{prefix}_{secrets.token_hex(4)}"
        made.append(name)
        return name

    yield new
    with _admin() as conn:
        for name in made:
            exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone()
            if exists:
                conn.execute(f'DROP OWNED BY "{name}"')
                conn.execute(f'DROP ROLE "{name}"')


def as_role(pg_url: str, name: str) -> CLI:
    return CLI(pg_url.replace("://postgres@", f"://{quote(name, safe='')}@", 1))


@pytest.mark.postgres
def test_analyst_role_forecasts_under_its_own_name_only(pg_url, roles, tmp_path):
    admin = CLI(pg_url)
    alice = roles("alice")
    admin.ok("question", "add", "Trump and Putin meet", "--deadline", FUTURE, "--id", "meet")
    admin.ok("forecast", "meet", "0.5", "--analyst", "bob")  # bob exists as an analyst
    result = admin.ok("db", "grant-analyst", alice, "--json")
    assert js(result)["group"] == "tracker_analyst" and js(result)["created"] is True
    before = dump_db(pg_url)

    me = as_role(pg_url, alice)
    me.ok("forecast", "meet", "0.35", "--analyst", alice, "--rationale", "my own")
    me.fails("forecast", "meet", "0.9", "--analyst", "bob",
             match='permission denied: new row violates row-level security policy for table "forecast"')
    me.fails("forecast", "meet", "0.9", "--analyst", "mallory",
             match='permission denied: new row violates row-level security policy for table "analyst"')
    me.fails("resolve", "meet", "yes", match="permission denied for table question")
    # reads everything
    shown = js(me.ok("show", "meet", "--json"))
    assert [(f["analyst"], f["probability"]) for f in shown["forecasts"]] == [("bob", 0.5), (alice, 0.35)]
    me.ok("list")
    me.ok("export", "--format", "json")
    after = dict(dump_db(pg_url))
    assert after["forecasts"][:-1] == dict(before)["forecasts"] and len(after["forecasts"]) == 2
    assert after["forecasts"][-1][2] == alice
    assert sorted(a[0] for a in after["analysts"]) == sorted(["bob", alice])
    assert after["resolutions"] == [] and len(after["questions"]) == 1
    # an analyst writes new questions, and cannot change existing ones
    me.ok("question", "add", "Mine", "--deadline", FUTURE, "--id", "mine", "--tag", "russia", "--scenario", "own-scenario")
    me.ok("forecast", "mine", "0.6", "--analyst", alice)
    scen = tmp_path / "edit.yaml"
    scen.write_text(yaml.safe_dump({"id": "own-scenario", "title": "renamed", "questions": []}))
    me.fails("import", str(scen), match="permission denied")
    assert [q[1] for q in dict(dump_db(pg_url))["questions"] if q[0] == "meet"] == ["Trump and Putin meet"]

    # and straight through the driver: the same policy
    import psycopg

    schema = pg_url.split("search_path%3D")[1]
    with psycopg.connect(f"host=127.0.0.1 port=5432 dbname=test user={alice} options=-csearch_path={schema}") as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            conn.execute("INSERT INTO forecast (question_id, analyst, probability, made_at, recorded_at, imported) "
                         "VALUES ('meet', 'bob', 0.1, now(), now(), false)")
        conn.rollback()
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE question SET text = 'rewritten'")
        conn.rollback()
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DELETE FROM analyst")


@pytest.mark.postgres
def test_reviewer_role_records_resolutions(pg_url, roles, tmp_path):
    admin = CLI(pg_url)
    rita = roles("rita")
    for q in ("meet", "vienna", "helsinki", "still-open"):
        admin.ok("question", "add", f"Question {q}", "--deadline", FUTURE, "--id", q)
    admin.ok("forecast", "meet", "0.5", "--analyst", "bob")
    admin.ok("db", "grant-reviewer", rita)
    me = as_role(pg_url, rita)
    me.ok("resolve", "meet", "yes", "--reviewer", rita, "--note", "held in Helsinki")
    path = tmp_path / "review.yaml"
    path.write_text(yaml.safe_dump({"reviewer": rita, "resolutions": [
        {"question": "vienna", "outcome": "no"}, {"question": "helsinki", "outcome": "yes"}]}))
    me.ok("import", str(path))
    me.fails("forecast", "still-open", "0.5", "--analyst", rita, match="permission denied")
    me.fails("question", "add", "Mine", "--deadline", FUTURE, "--id", "mine", match="permission denied")
    got = dict(dump_db(pg_url))
    assert sorted((r[1], r[2], r[7]) for r in got["resolutions"]) == [
        ("helsinki", "yes", rita), ("meet", "yes", rita), ("vienna", "no", rita)]
    assert len(got["forecasts"]) == 1
    # locking a question row for a resolution does not let a reviewer change it
    import psycopg

    schema = pg_url.split("search_path%3D")[1]
    with psycopg.connect(f"host=127.0.0.1 port=5432 dbname=test user={rita} options=-csearch_path={schema}") as conn:
        assert conn.execute("SELECT id FROM question WHERE id = 'meet' FOR UPDATE").fetchone() == ("meet",)
        conn.rollback()
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            conn.execute("UPDATE question SET id = id WHERE id = 'meet'")
        conn.rollback()
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE question SET text = 'rewritten'")


@pytest.mark.postgres
def test_grants_are_idempotent_and_take_a_password(pg_url, roles):
    admin = CLI(pg_url)
    name = roles("carol")
    assert js(admin.ok("db", "grant-analyst", name, "--json"))["created"] is True
    again = js(admin.ok("db", "grant-analyst", name, "--json"))
    assert again["created"] is False
    admin.ok("db", "grant-reviewer", name, "--password", "s3cret'; DROP ROLE postgres; --")
    with _admin() as conn:
        member_of = {r[0] for r in conn.execute(
            "SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
            "JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = %s", (name,))}
        assert member_of == {"tracker_analyst", "tracker_reviewer"}
        login, has_password = conn.execute(
            "SELECT rolcanlogin, rolpassword IS NOT NULL FROM pg_authid WHERE rolname = %s", (name,)).fetchone()
        assert login and has_password
        assert conn.execute("SELECT 1 FROM pg_roles WHERE rolname = 'postgres'").fetchone()


@pytest.mark.postgres
def test_grant_errors_are_one_line(pg_url, roles):
    admin = CLI(pg_url)
    for bad, match in [("pg_evil", "reserved"), ("tracker_analyst", "reserved"), ('quo"te', "not usable"),
                       ("x" * 64, "not usable"), ("", "empty")]:
        admin.fails("db", "grant-analyst", bad, match=match)
    name = roles("dave")
    admin.ok("db", "grant-analyst", name)
    # an analyst cannot hand out roles
    as_role(pg_url, name).fails("db", "grant-reviewer", roles("eve"), match="permission denied")


def test_grant_on_sqlite_is_refused(sqlite_url):
    cli = CLI(sqlite_url)
    cli("db", "upgrade")
    cli.fails("db", "grant-analyst", "alice", match="database roles exist on PostgreSQL only")
