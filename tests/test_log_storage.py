"""Storage: connection settings, append-only triggers, migrations, database
selection, and the command line as a program (help, imports, console script)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import click
import pytest

from support import CLI, dump_db
from tracker.storage import HEAD

UTC = timezone.utc
TODAY = datetime.now(UTC).date()
FUTURE = TODAY + timedelta(days=30)


def js(result):
    return json.loads(result.stdout)


# ------------------------------------------------------------ SQLite settings


def test_sqlite_pragmas_on_every_connection(sqlite_url):
    from tracker.storage import BUSY_TIMEOUT_MS, open_store

    store = open_store(sqlite_url)
    try:
        for _ in range(2):  # two separate connections: set on each, not once
            with store.engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
                assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == BUSY_TIMEOUT_MS == 30_000
    finally:
        store.dispose()


def test_sqlite_foreign_keys_are_enforced(sqlite_url):
    from sqlalchemy.exc import IntegrityError

    from tracker.storage import open_store

    store = open_store(sqlite_url)
    try:
        with pytest.raises(IntegrityError):
            with store.engine.begin() as conn:
                conn.exec_driver_sql("INSERT INTO question_tag (question_id, tag) VALUES ('no-such-question', 't')")
    finally:
        store.dispose()


def test_local_sqlite_database_is_created_and_upgraded_on_open(tmp_path):
    from tracker.storage import HEAD, current_revision, open_store

    url = f"sqlite:///{tmp_path / 'deep' / 'dir' / 'tracker.db'}"
    store = open_store(url)  # no upgrade flag: local SQLite upgrades itself
    try:
        with store.read() as conn:
            assert current_revision(conn) == HEAD
    finally:
        store.dispose()


@pytest.mark.parametrize("url", ["sqlite://", ":memory:"])
def test_in_memory_sqlite_keeps_its_one_database(url):
    from tracker.config import normalize_url
    from tracker.services.log import add_forecast, add_question, show_question
    from tracker.storage import open_store

    store = open_store(normalize_url(url))
    try:
        add_question(store, {"id": "meet", "text": "Meet", "deadline": FUTURE})
        add_forecast(store, "meet", "0.25", analyst="alice")
        assert [f["probability"] for f in show_question(store, "meet")["forecasts"]] == [0.25]
    finally:
        store.dispose()
    assert js(CLI(url).ok("list", "--json")) == []


# -------------------------------------------------------- append-only history


@pytest.fixture
def logged(store):
    from tracker.services.log import add_forecast, add_question, resolve

    add_question(store, {"id": "meet", "text": "Trump and Putin meet", "deadline": FUTURE})
    add_forecast(store, "meet", "0.3", analyst="alice")
    add_forecast(store, "meet", "0.4", analyst="alice")
    resolve(store, "meet", "yes", recorded_by="rita")
    return store


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE forecast SET probability = 0.9",
        "UPDATE forecast SET probability = probability",
        "DELETE FROM forecast",
        "DELETE FROM forecast WHERE id = 1",
        "UPDATE resolution SET outcome = 'no'",
        "DELETE FROM resolution",
    ],
)
def test_database_refuses_update_and_delete_of_history(logged, sql):
    from sqlalchemy.exc import DBAPIError

    before = dump_db(logged.url)
    with pytest.raises(DBAPIError, match="rows are append-only"):
        with logged.engine.begin() as conn:
            conn.exec_driver_sql(sql)
    assert dump_db(logged.url) == before
    forecasts = dict(before)["forecasts"]
    assert len(forecasts) == 2


@pytest.mark.postgres
@pytest.mark.parametrize("table", ["forecast", "resolution"])
def test_postgresql_refuses_truncate_of_history(pg_url, table):
    from sqlalchemy.exc import DBAPIError

    from tracker.storage import open_store

    store = open_store(pg_url, upgrade=True)
    try:
        with pytest.raises(DBAPIError, match="append-only"):
            with store.engine.begin() as conn:
                conn.exec_driver_sql(f"TRUNCATE {table} CASCADE")
    finally:
        store.dispose()


def test_no_command_updates_or_deletes_history(cli, tmp_path):
    """Record every SQL statement of a busy session: none touches old rows."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    seen: list[str] = []

    def capture(conn, cursor, statement, params, context, executemany):
        seen.append(statement)

    event.listen(Engine, "before_cursor_execute", capture)
    try:
        f = FUTURE.isoformat()
        cli.ok("question", "add", "Summit", "--deadline", "2018-07-31", "--id", "summit", "--opened", "2018-06-20")
        cli.ok("question", "add", "Statement", "--deadline", "2018-07-31", "--id", "statement", "--opened", "2018-06-20",
               "--condition", "summit=yes")
        cli.ok("question", "add", "Meet", "--deadline", f, "--id", "meet")
        cli.ok("forecast", "meet", "0.3")
        cli.ok("forecast", "meet", "0.5")
        cli.ok("resolve", "summit", "no", "--known-at", "2018-07-16")
        cli.ok("resolve", "summit", "yes", "--known-at", "2018-07-16", "--supersede", "--reason", "fix")
        csv = tmp_path / "f.csv"
        csv.write_text("question,analyst,probability,made_at,deadline,outcome\nold,bob,0.2,2018-06-01,2018-07-31,no\n")
        cli.ok("import", csv)
        cli.ok("import", csv)
        cli.ok("resolve", "meet", "annulled", "--reason", "moot")
        cli.ok("export", "-o", tmp_path / "e.json")
        cli.ok("list")
        cli.ok("show", "meet")
    finally:
        event.remove(Engine, "before_cursor_execute", capture)
    assert any(s.lstrip().upper().startswith("INSERT INTO FORECAST") for s in seen)
    touching = [s for s in seen if re.match(r"\s*(UPDATE|DELETE\s+FROM|TRUNCATE)\s+\"?(forecast|resolution)\b", s, re.I)]
    assert touching == []


# ---------------------------------------------------------------- migrations


def test_head_matches_the_alembic_scripts():
    from alembic.script import ScriptDirectory

    from tracker.storage import HEAD, REVISIONS
    from tracker.storage.migrations import alembic_config, script_heads

    assert script_heads() == (HEAD,)
    walk = [s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()]
    assert tuple(reversed(walk)) == REVISIONS


def test_models_and_migrations_agree(store):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from tracker.models import SQLModel

    with store.engine.connect() as conn:
        from tracker.storage.migrations import include_object

        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": include_object})
        assert compare_metadata(ctx, SQLModel.metadata) == []


def _triggers(conn) -> set[str]:
    if conn.dialect.name == "sqlite":
        return {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    return {
        r[0]
        for r in conn.exec_driver_sql(
            "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal "
            "AND tgrelid IN (SELECT to_regclass(t) FROM unnest(ARRAY['forecast', 'resolution', 'clarification']) t)"
        )
    }


def test_upgrade_from_0001_keeps_rows_and_adds_triggers(db_url):
    from tracker.services.log import show_question
    from tracker.storage import HEAD, current_revision, make_engine, open_store
    from tracker.storage.migrations import run_upgrade

    engine = make_engine(db_url)
    with engine.begin() as conn:
        run_upgrade(conn, "0001")
    sqlite = engine.dialect.name == "sqlite"

    def ts(text):
        return f"'{text}'" if sqlite else f"'{text}+00'"

    false, true = ("0", "1") if sqlite else ("false", "true")
    rows = [
        f"INSERT INTO scenario (id, title, created_at) VALUES ('s1', 'Trump-Putin 2018', {ts('2018-06-20 00:00:00')})",
        f"INSERT INTO analyst (name, team, created_at) VALUES ('alice', 'europe', {ts('2018-06-20 00:00:00')})",
        "INSERT INTO question (id, text, kind, outcomes, ordered, deadline, opened_at, created_at, scenario_id) VALUES "
        f"('summit', 'They meet', 'binary', '[\"yes\", \"no\"]', {false}, '2018-07-31', {ts('2018-06-20 00:00:00')}, "
        f"{ts('2018-06-20 00:00:00')}, 's1')",
        "INSERT INTO question_tag (question_id, tag) VALUES ('summit', 'russia')",
        "INSERT INTO forecast (id, question_id, analyst, probability, made_at, recorded_at, imported, rationale) VALUES "
        f"(1, 'summit', 'alice', 0.35, {ts('2018-06-21 09:30:00')}, {ts('2018-06-21 09:30:00')}, {false}, 'venues')",
        "INSERT INTO forecast (id, question_id, analyst, probability, made_at, recorded_at, imported) VALUES "
        f"(2, 'summit', 'alice', 0.6, {ts('2018-07-01 00:00:00')}, {ts('2018-07-02 00:00:00')}, {true})",
        "INSERT INTO resolution (id, question_id, outcome, annulled, known_at, recorded_at, recorded_by, evidence) VALUES "
        f"(1, 'summit', 'yes', {false}, {ts('2018-07-16 00:00:00')}, {ts('2018-07-20 00:00:00')}, 'rita', '[\"https://x\"]')",
    ]
    with engine.begin() as conn:
        for sql in rows:
            conn.exec_driver_sql(sql)
        assert _triggers(conn) == set()
    engine.dispose()

    store = open_store(db_url, upgrade=True)
    try:
        with store.read() as conn:
            assert current_revision(conn) == HEAD
            names = _triggers(conn)
        from tracker.storage import guards

        expected = (
            {"forecast_no_update", "forecast_no_delete", "resolution_no_update", "resolution_no_delete",
             "forecast_no_replace", "resolution_no_replace", "question_rules_insert", "question_rules_update",
             "question_frozen", "question_corrects_rules", "question_corrects_fixed", "clarification_no_replace",
             "clarification_no_update", "clarification_no_delete", "question_fts_ai", "question_fts_au",
             "question_fts_ad", "question_tag_fts_ai", "question_tag_fts_ad", "question_search_ai",
             "question_search_ad", "question_search_au"}
            if sqlite
            else {"forecast_append_only", "forecast_no_truncate", "resolution_append_only", "resolution_no_truncate",
                  "forecast_record_times", "resolution_record_times", "clarification_append_only",
                  "clarification_no_truncate", "clarification_record_times"}
        )
        assert names == expected
        assert expected >= (set(guards.SQLITE_HISTORY_TRIGGERS) | set(guards.SQLITE_QUESTION_TRIGGERS)
                            if sqlite else set(guards.PG_HISTORY_TRIGGERS))
        q = show_question(store, "summit")
        assert (q["text"], q["scenario_id"], q["tags"], q["outcome"]) == ("They meet", "s1", ["russia"], "yes")
        assert [(f["id"], f["probability"], f["made_at"], f["imported"], f["rationale"]) for f in q["forecasts"]] == [
            (1, 0.35, datetime(2018, 6, 21, 9, 30, tzinfo=UTC), False, "venues"),
            (2, 0.6, datetime(2018, 7, 1, tzinfo=UTC), True, None),
        ]
        (res,) = q["resolutions"]
        assert (res["known_at"], res["recorded_by"], res["evidence"]) == (datetime(2018, 7, 16, tzinfo=UTC), "rita", ["https://x"])
        counts = {key: len(rows) for key, rows in dump_db(db_url)}
        assert counts == {"scenarios": 1, "analysts": 1, "questions": 1, "question_tags": 1, "forecasts": 2, "resolutions": 1,
                          "clarifications": 0, "team_settings": 0}
        from sqlalchemy.exc import DBAPIError

        with pytest.raises(DBAPIError, match="append-only"):
            with store.engine.begin() as conn:
                conn.exec_driver_sql("DELETE FROM forecast")
    finally:
        store.dispose()


@pytest.mark.postgres
def test_postgresql_behind_head_asks_for_db_upgrade(pg_url):
    from tracker.storage import make_engine
    from tracker.storage.migrations import run_upgrade

    cli = CLI(pg_url)
    cli.fails("list", match=f"database schema is empty, head is {HEAD}: run 'tracker db upgrade'")
    engine = make_engine(pg_url)
    with engine.begin() as conn:
        run_upgrade(conn, "0001")
    engine.dispose()
    cli.fails("list", match=f"database schema is at revision 0001, head is {HEAD}: run 'tracker db upgrade'")
    cli.fails("question", "add", "Meet", "--deadline", FUTURE.isoformat(), match="run 'tracker db upgrade'")
    assert cli.ok("db", "upgrade").stdout.strip() == f"schema at revision {HEAD} (head {HEAD})"
    assert js(cli.ok("list", "--json")) == []
    assert js(cli.ok("db", "upgrade", "--json")) == {"revision": HEAD, "head": HEAD}  # idempotent


def test_sqlite_behind_head_upgrades_itself(sqlite_url):
    from tracker.storage import make_engine
    from tracker.storage.migrations import run_upgrade

    engine = make_engine(sqlite_url)
    with engine.begin() as conn:
        run_upgrade(conn, "0001")
    engine.dispose()
    cli = CLI(sqlite_url)
    assert js(cli.ok("list", "--json")) == []
    assert js(cli.ok("db", "upgrade", "--json")) == {"revision": HEAD, "head": HEAD}


# ------------------------------------------------------------ which database


def test_default_database_is_in_tracker_home(tracker_home):
    r = CLI("unused")("question", "add", "Meet", "--deadline", FUTURE.isoformat(), "--id", "meet", db=False)
    assert r.exit_code == 0, r.stderr
    assert (tracker_home / "tracker.db").is_file()
    r = CLI(f"sqlite:///{tracker_home / 'tracker.db'}")("list", "--json")
    assert [q["id"] for q in json.loads(r.stdout)] == ["meet"]


def test_environment_variable_and_flag(tmp_path, monkeypatch):
    env_db, flag_db = tmp_path / "env.db", tmp_path / "flag.db"
    monkeypatch.setenv("TRACKER_DATABASE_URL", f"sqlite:///{env_db}")
    runner = CLI("unused")
    assert runner("question", "add", "From env", "--deadline", FUTURE.isoformat(), "--id", "env-q", db=False).exit_code == 0
    # the flag wins over the environment, before or after the subcommand
    assert runner("--db", str(flag_db), "question", "add", "From flag", "--deadline", FUTURE.isoformat(),
                  "--id", "flag-q", db=False).exit_code == 0
    assert runner("list", "--db", f"sqlite:///{flag_db}", "--json", db=False).stdout.count('"id"') == 1
    ids = lambda url: [q["id"] for q in json.loads(CLI(url)("list", "--json").stdout)]  # noqa: E731
    assert ids(f"sqlite:///{env_db}") == ["env-q"]
    assert ids(f"sqlite:///{flag_db}") == ["flag-q"]


def test_config_file_database_url(tracker_home, tmp_path):
    target = tmp_path / "from-config.db"
    tracker_home.mkdir(parents=True, exist_ok=True)
    (tracker_home / "config.toml").write_text(f'database_url = "sqlite:///{target}"\n')
    r = CLI("unused")("question", "add", "Meet", "--deadline", FUTURE.isoformat(), "--id", "meet", db=False)
    assert r.exit_code == 0, r.stderr
    assert target.is_file() and not (tracker_home / "tracker.db").exists()


# ------------------------------------------------------ the program as a whole


def test_help_imports_no_heavy_modules():
    heavy = {"sqlalchemy", "sqlmodel", "scipy", "numpy", "matplotlib", "alembic"}
    code = (
        "import sys\n"
        "from tracker.cli import main\n"
        "try:\n"
        "    main.main(['--help'], prog_name='tracker')\n"
        "except SystemExit as exc:\n"
        "    assert exc.code in (0, None), exc.code\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {sorted(heavy)!r}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "Usage: tracker" in out.stdout
    assert out.stdout.strip().splitlines()[-1] == "[]"


def _walk(group: click.Group, path=()):
    for name, cmd in sorted(group.commands.items()):
        yield path + (name,), cmd
        if isinstance(cmd, click.Group):
            yield from _walk(cmd, path + (name,))


def test_every_command_has_help():
    from click.testing import CliRunner

    from tracker.cli import main

    assert (main.help or "").strip()
    commands = list(_walk(main))
    names = {" ".join(p) for p, _ in commands}
    assert {"question", "question add", "forecast", "list", "show", "resolve", "import", "export", "db", "db upgrade"} <= names
    for path, cmd in commands:
        assert (cmd.help or "").strip(), f"tracker {' '.join(path)} has no help text"
        assert cmd.get_short_help_str().strip()
        r = CliRunner().invoke(main, [*path, "--help"])
        assert r.exit_code == 0 and f"Usage: main {' '.join(path)}" in r.stdout


def _console_script() -> str:
    script = Path(sys.executable).parent / "tracker"
    return str(script) if script.exists() else shutil.which("tracker")


def test_console_script_end_to_end(tmp_path):
    script = _console_script()
    assert script, "the tracker console script is not installed"
    env = dict(os.environ, TRACKER_DATABASE_URL=f"sqlite:///{tmp_path / 'e2e.db'}", TRACKER_HOME=str(tmp_path / "home"),
               TRACKER_ANALYST="e2e")
    env.pop("TRACKER_DEBUG", None)

    def run(*args):
        return subprocess.run([script, *args], capture_output=True, text=True, env=env, timeout=120)

    r = run("question", "add", "Trump and Putin meet", "--deadline", FUTURE.isoformat(), "--id", "meet")
    assert r.returncode == 0, r.stderr
    assert run("forecast", "meet", "35%").returncode == 0
    shown = json.loads(run("show", "meet", "--json").stdout)
    assert [(f["analyst"], f["probability"]) for f in shown["forecasts"]] == [("e2e", 0.35)]
    bad = run("forecast", "meet", "150%")
    assert bad.returncode == 1
    assert bad.stderr == "error: probability '150%' is outside [0, 1]\n"
    assert (tmp_path / "e2e.db").is_file() and not (tmp_path / "home" / "tracker.db").exists()
    usage = run("forecast")
    assert usage.returncode == 2 and "Traceback" not in usage.stderr
