"""A resolved question's definition is frozen; a correction is a new question
linked to the one it corrects (``question add --corrects``, ``corrects:`` in a
scenario file), shown both ways, kept by export and restore, and guarded by
the database: the link is fixed once made, a question never corrects itself,
and ``tracker db verify`` notices a guard that was removed.

On PostgreSQL the database's own deadline rule ends the deadline day in the
team's time zone, as the command line does, and clarifications written by an
analyst role are dated by the server and recorded under that role's name."""

from __future__ import annotations

import contextlib
import json
import secrets
from datetime import datetime, timedelta, timezone

import pytest

from support import CLI, PG_BASE, pg_reason, zone_with_another_date

UTC = timezone.utc
TODAY = datetime.now(UTC).date()
FUTURE = (TODAY + timedelta(days=60)).isoformat()


def js(result):
    return json.loads(result.stdout)


def _resolved_board(cli: CLI) -> None:
    cli.ok("db", "upgrade")
    cli.ok("question", "add", "Trump and Putin meet in Vienna", "--deadline", FUTURE, "--id", "summit-vienna")
    cli.ok("forecast", "summit-vienna", "0.3", "--analyst", "ana")
    cli.ok("resolve", "summit-vienna", "no", "--evidence", "https://example.org/helsinki")


def test_a_correction_is_a_new_linked_question_shown_both_ways(db_url):
    cli = CLI(db_url)
    _resolved_board(cli)
    out = cli.ok("question", "add", "Trump and Putin meet in Helsinki", "--deadline", FUTURE, "--id", "summit-helsinki",
                 "--corrects", "summit-vien")  # a unique prefix, as every question id argument takes
    assert out.stdout.strip().endswith("; corrects summit-vienna")
    new = js(cli.ok("show", "summit-helsinki", "--json"))
    old = js(cli.ok("show", "summit-vienna", "--json"))
    assert (new["corrects"], new["corrected_by"]) == ("summit-vienna", [])
    assert (old["corrects"], old["corrected_by"]) == (None, ["summit-helsinki"])
    # the corrected question keeps its own text, resolution and forecasts
    assert (old["text"], old["outcome"], [f["probability"] for f in old["forecasts"]]) == (
        "Trump and Putin meet in Vienna", "no", [0.3])
    text = cli.ok("show", "summit-vienna").stdout
    assert "  corrected by summit-helsinki" in text
    assert "  corrects  summit-vienna (whose definition was frozen)" in cli.ok("show", "summit-helsinki").stdout


@pytest.mark.parametrize("args, message, code", [
    (("--corrects", "nowhere"), "no question with id 'nowhere'", 1),
    (("--id", "selfish", "--corrects", "selfish"), "no question with id 'selfish'", 1),
])
def test_a_correction_names_an_existing_other_question(sqlite_url, args, message, code):
    cli = CLI(sqlite_url)
    _resolved_board(cli)
    before = js(cli.ok("list", "--json"))
    result = cli("question", "add", "Another text", "--deadline", FUTURE, *args)
    assert result.exit_code == code and message in result.stderr, result.stderr
    assert js(cli.ok("list", "--json")) == before


def test_the_link_is_fixed_by_the_database(db_url):
    from sqlalchemy import text

    from tracker.storage import open_store

    cli = CLI(db_url)
    _resolved_board(cli)
    cli.ok("question", "add", "Another", "--deadline", FUTURE, "--id", "other")
    cli.ok("question", "add", "Helsinki", "--deadline", FUTURE, "--id", "helsinki", "--corrects", "summit-vienna")
    store = open_store(db_url)
    try:
        for sql in ("UPDATE question SET corrects_question_id = 'other' WHERE id = 'helsinki'",
                    "UPDATE question SET corrects_question_id = NULL WHERE id = 'helsinki'"):
            with pytest.raises(Exception, match="a correction link is fixed once recorded"):
                with store.engine.begin() as conn:
                    conn.execute(text(sql))
        with pytest.raises(Exception, match="correct itself|ck_question_not_self_corrected"):
            with store.engine.begin() as conn:
                conn.execute(text(
                    "INSERT INTO question (id, text, kind, outcomes, ordered, deadline, opened_at, created_at, corrects_question_id) "
                    f"VALUES ('me', 'me', 'binary', '[\"yes\", \"no\"]', false, '{FUTURE}', '2024-01-01 00:00:00', "
                    "'2024-01-01 00:00:00', 'me')"))
    finally:
        store.dispose()
    assert js(cli.ok("show", "helsinki", "--json"))["corrects"] == "summit-vienna"


def test_a_scenario_file_records_a_correction_and_refuses_to_move_it(sqlite_url, tmp_path):
    cli = CLI(sqlite_url)
    _resolved_board(cli)
    path = tmp_path / "fix.yaml"
    path.write_text(
        "id: fixes\ntitle: Fixes\nquestions:\n"
        f"  - id: summit-helsinki\n    text: They meet in Helsinki\n    deadline: {FUTURE}\n    corrects: summit-vienna\n"
        f"  - id: other\n    text: Another\n    deadline: {FUTURE}\n"
    )
    cli.ok("import", str(path))
    assert js(cli.ok("show", "summit-helsinki", "--json"))["corrects"] == "summit-vienna"
    # the export writes the link back, and importing the export again changes nothing
    exported = cli.ok("export", "--scenario", "fixes", "--format", "yaml").stdout
    assert "corrects: summit-vienna" in exported
    again = tmp_path / "again.yaml"
    again.write_text(exported)
    assert "0 questions created, 0 updated" in cli.ok("import", str(again)).stderr
    # a link cannot be added to an existing question, nor moved
    moved = exported.replace("corrects: summit-vienna", "corrects: other")
    again.write_text(moved)
    cli.fails("import", str(again), match="a correction link is fixed once made")
    added = path.read_text().replace("    text: Another\n", "    text: Another\n    corrects: summit-vienna\n")
    path.write_text(added)
    cli.fails("import", str(path), match="a correction is a new question")
    assert js(cli.ok("show", "other", "--json"))["corrects"] is None


def test_editing_a_resolved_definition_points_at_the_correction(sqlite_url, tmp_path):
    cli = CLI(sqlite_url)
    path = tmp_path / "s.yaml"
    path.write_text(f"id: s\ntitle: S\nquestions:\n  - id: q\n    text: They meet in Vienna\n    deadline: {FUTURE}\n")
    cli.ok("import", str(path))
    cli.ok("resolve", "q", "no")
    path.write_text(path.read_text().replace("Vienna", "Helsinki"))
    cli.fails("import", str(path), match="record a correction as a new question with 'corrects: q'")


def test_export_and_restore_keep_the_link_and_refuse_a_broken_one(sqlite_url, tmp_path):
    cli = CLI(sqlite_url)
    _resolved_board(cli)
    cli.ok("question", "add", "Helsinki", "--deadline", FUTURE, "--id", "helsinki", "--corrects", "summit-vienna")
    dump = tmp_path / "all.json"
    cli.ok("export", "--format", "json", "-o", str(dump))
    data = json.loads(dump.read_text())
    assert {q["id"]: q["corrects_question_id"] for q in data["questions"]} == {"summit-vienna": None,
                                                                                 "helsinki": "summit-vienna"}
    fresh = CLI(f"sqlite:///{tmp_path / 'fresh.db'}")
    fresh.ok("import", str(dump))
    assert js(fresh.ok("show", "summit-vienna", "--json"))["corrected_by"] == ["helsinki"]
    for bad, message in (("helsinki", "a question cannot correct itself"), ("gone", "corrects names unknown question 'gone'")):
        broken = json.loads(dump.read_text())
        next(q for q in broken["questions"] if q["id"] == "helsinki")["corrects_question_id"] = bad
        path = tmp_path / f"broken-{bad}.json"
        path.write_text(json.dumps(broken))
        other = CLI(f"sqlite:///{tmp_path / f'other-{bad}.db'}")
        other.fails("import", str(path), match=message)
    cycle = json.loads(dump.read_text())
    next(q for q in cycle["questions"] if q["id"] == "summit-vienna")["corrects_question_id"] = "helsinki"
    path = tmp_path / "cycle.json"
    path.write_text(json.dumps(cycle))
    CLI(f"sqlite:///{tmp_path / 'cycle.db'}").fails("import", str(path), match="cycle")


def test_verify_notices_a_removed_correction_guard(sqlite_url):
    from sqlalchemy import create_engine

    cli = CLI(sqlite_url)
    cli.ok("db", "upgrade")
    assert js(cli.ok("db", "verify", "--json"))["ok"] is True
    engine = create_engine(sqlite_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TRIGGER question_corrects_fixed")
        conn.exec_driver_sql("DROP TRIGGER clarification_no_delete")
    engine.dispose()
    got = {c["name"]: c for c in js(cli("db", "verify", "--json"))["checks"]}
    assert got["question_rules"]["detail"] == "missing or altered: question_corrects_fixed"
    assert got["append_only"]["detail"] == "missing or altered: clarification_no_delete"


def test_sqlite_refuses_replace_into_clarification(sqlite_url):
    from sqlalchemy import create_engine

    cli = CLI(sqlite_url)
    cli.ok("question", "add", "Q", "--deadline", FUTURE, "--id", "q")
    cli.ok("clarify", "q", "Only a signed treaty counts", "--analyst", "ana")
    engine = create_engine(sqlite_url)
    try:
        with pytest.raises(Exception, match="clarification rows are append-only: a row with this id exists"):
            with engine.begin() as conn:
                conn.exec_driver_sql("REPLACE INTO clarification (id, question_id, text, made_at, recorded_by) "
                                     "SELECT id, question_id, 'Any statement counts', made_at, recorded_by FROM clarification")
    finally:
        engine.dispose()
    assert [c["text"] for c in js(cli.ok("show", "q", "--json"))["clarifications"]] == ["Only a signed treaty counts"]


# ------------------------------------------------------------- PostgreSQL


@contextlib.contextmanager
def fresh_pg_database(prefix: str, roles: list[str]):
    """(admin connection, name, url) of an empty database made for one test;
    the database, the login roles named in ``roles`` (filled in by the test)
    and the database's group roles are dropped afterwards."""
    reason = pg_reason()
    if reason:
        pytest.skip(reason)
    import psycopg

    from tracker.services.admin import group_names

    name = f"{prefix}_{secrets.token_hex(6)}"
    admin = psycopg.connect("host=127.0.0.1 port=5432 dbname=test user=postgres", autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin, name, PG_BASE.rsplit("/", 1)[0] + "/" + name
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        for role in roles:
            admin.execute(f'DROP ROLE IF EXISTS "{role}"')
        for group in group_names(name, "public").values():
            admin.execute(f'DROP ROLE IF EXISTS "{group}"')
        admin.close()


@pytest.fixture
def team_db():
    """A database of its own with an analyst role; dropped afterwards."""
    from tracker.storage import open_store

    role = "ana_" + secrets.token_hex(4)
    with fresh_pg_database("tc", [role]) as (_admin, name, url):
        open_store(url, upgrade=True).dispose()
        CLI(url).ok("db", "grant-analyst", role)
        yield name, url, role


def _as(name: str, role: str):
    import psycopg

    return psycopg.connect(f"host=127.0.0.1 port=5432 dbname={name} user={role}", connect_timeout=10)


@pytest.mark.postgres
def test_the_database_ends_the_deadline_day_in_the_team_zone(team_db):
    """Whatever the hour, one of two zones has a date other than UTC's: far west
    (UTC-12) before noon UTC, where the deadline day is still running although
    UTC's date has moved on; far east (UTC+14) after noon, where the team's
    deadline day is over although UTC's is not."""
    import psycopg

    name, url, role = team_db
    west, zone, deadline = zone_with_another_date()
    owner = CLI(url)
    owner.ok("team", "set", "timezone", zone)
    owner.ok("question", "add", "Q", "--deadline", deadline.isoformat(), "--id", "q", "--opened", "2020-01-01")
    insert = ("INSERT INTO forecast (question_id, analyst, probability, made_at, recorded_at, imported) "
              "VALUES ('q', %s, 0.4, now(), now(), false)")
    with _as(name, role) as conn:
        conn.execute("INSERT INTO analyst (name, created_at) VALUES (%s, now())", (role,))
        if west:
            conn.execute(insert, (role,))
            assert conn.execute("SELECT count(*) FROM forecast").fetchone()[0] == 1
        else:
            with pytest.raises(psycopg.errors.CheckViolation, match="the deadline of question q has passed"):
                conn.execute(insert, (role,))
    assert js(owner.ok("db", "verify", "--json"))["ok"] is True


@pytest.mark.postgres
def test_an_analyst_role_clarifies_under_its_own_name_at_the_servers_time(team_db):
    import psycopg

    name, url, role = team_db
    CLI(url).ok("question", "add", "Q", "--deadline", FUTURE, "--id", "q")
    CLI(url).ok("analyst", "set", "someone-else", "--email", "x@example.org")
    with _as(name, role) as conn:
        conn.execute("INSERT INTO analyst (name, created_at) VALUES (%s, now())", (role,))
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            conn.execute("INSERT INTO clarification (question_id, text, made_at, recorded_by) "
                         "VALUES ('q', 'forged', now(), 'someone-else')")
        conn.rollback()
        conn.execute("INSERT INTO analyst (name, created_at) VALUES (%s, now())", (role,))
        server_now = conn.execute("SELECT now()").fetchone()[0]
        conn.execute("INSERT INTO clarification (question_id, text, made_at, recorded_by) "
                     "VALUES ('q', 'Only a signed treaty counts', '2001-01-01T00:00:00Z', %s)", (role,))
        made = conn.execute("SELECT made_at FROM clarification").fetchone()[0]
        assert made == server_now


@pytest.mark.postgres
def test_the_upgrade_takes_away_what_the_old_cluster_wide_groups_had():
    """A database set up by an early version granted the cluster-wide group
    tracker_analyst; after the upgrade its members reach nothing here until
    granted again per database."""
    import psycopg

    from tracker.storage import make_engine, open_store
    from tracker.storage.migrations import run_upgrade

    member = "old_" + secrets.token_hex(4)
    made_group = False
    with fresh_pg_database("tl", [member]) as (admin, name, url):
        engine = make_engine(url)
        with engine.begin() as conn:
            run_upgrade(conn, "0006")
        engine.dispose()
        made_group = admin.execute("SELECT 1 FROM pg_roles WHERE rolname = 'tracker_analyst'").fetchone() is None
        if made_group:
            admin.execute("CREATE ROLE tracker_analyst NOLOGIN")
        try:
            admin.execute(f'CREATE ROLE "{member}" LOGIN IN ROLE tracker_analyst')
            with psycopg.connect(f"host=127.0.0.1 port=5432 dbname={name} user=postgres", autocommit=True) as owner:
                owner.execute("GRANT USAGE ON SCHEMA public TO tracker_analyst")
                owner.execute("GRANT SELECT ON forecast, question TO tracker_analyst")
                owner.execute("GRANT INSERT ON forecast TO tracker_analyst")
            with _as(name, member) as conn:
                assert conn.execute("SELECT count(*) FROM question").fetchone()[0] == 0  # the leak, before
            open_store(url, upgrade=True).dispose()
            with _as(name, member) as conn:
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    conn.execute("SELECT count(*) FROM question")
        finally:
            admin.execute(f'DROP ROLE IF EXISTS "{member}"')
            if made_group:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                try:
                    admin.execute("DROP ROLE IF EXISTS tracker_analyst")
                except psycopg.Error:
                    pass
