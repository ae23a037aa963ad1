"""Shared fixtures: an isolated TRACKER_HOME, SQLite and PostgreSQL databases,
and a CLI runner.

The database behind ``store`` and ``cli`` is migrated once per session and
copied for each test: the SQLite file is copied (milliseconds, against a
large fraction of a second for a migration); a PostgreSQL schema is replayed
from a dump of one migrated schema (``pg_dump``; where it is missing, each
test's schema is migrated as before). Hypothesis runs the full example counts when ``CI`` is
set and a tenth of them otherwise (see ``support.examples`` and the README).
"""

from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path

import pytest

from support import PG_BASE, CLI, dump_db, pg_reason, register_hypothesis_profiles  # noqa: F401 - re-exported for older imports

register_hypothesis_profiles()

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DATA = SHARED / "data"
PG_ADMIN_DSN = "host=127.0.0.1 port=5432 dbname=test user=postgres"


@pytest.fixture(autouse=True)
def tracker_home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("TRACKER_HOME", str(home))
    monkeypatch.delenv("TRACKER_DATABASE_URL", raising=False)
    monkeypatch.setenv("TRACKER_ANALYST", "tester")
    return home


@pytest.fixture
def pg_url():
    """A PostgreSQL URL whose search_path is a fresh schema, dropped afterwards."""
    reason = pg_reason()
    if reason:
        pytest.skip(reason)
    import psycopg

    schema = "t_" + secrets.token_hex(6)
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"{PG_BASE}{PG_SCHEMA_OPTION}{schema}"
    finally:
        from tracker.storage.roles import group_names

        with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")
            # the schema's group roles, if a test granted any (roles are cluster-wide)
            for group in group_names("test", schema).values():
                if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (group,)).fetchone():
                    conn.execute(f'DROP OWNED BY "{group}"')
                    conn.execute(f'DROP ROLE "{group}"')


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'tracker.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, tmp_path):
    """Each test using it runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'tracker.db'}"
    return request.getfixturevalue("pg_url")


def migrate_to_head(url: str) -> None:
    """Migrate the database at ``url`` to the newest revision, and check it is there."""
    from tracker.storage import HEAD, current_revision, open_store

    store = open_store(url, upgrade=True)
    try:
        with store.read() as conn:
            assert current_revision(conn) == HEAD
    finally:
        store.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A SQLite database migrated to head, built once per session: copy it,
    never open it in place."""
    import sqlite3

    path = tmp_path_factory.mktemp("template") / "tracker.db"
    migrate_to_head(f"sqlite:///{path}")
    con = sqlite3.connect(path)  # fold any write-ahead log into the file, the one thing copied
    try:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        con.close()
    for suffix in ("-wal", "-shm"):
        companion = Path(f"{path}{suffix}")
        assert not companion.exists() or companion.stat().st_size == 0 or suffix == "-shm"
    return path


PG_SCHEMA_OPTION = "?options=-csearch_path%3D"


@pytest.fixture(scope="session")
def pg_template():
    """(schema name, SQL) of a PostgreSQL schema migrated to head, dumped
    once per session; None where pg_dump is missing or fails."""
    import subprocess

    import psycopg

    schema = "t_tmpl_" + secrets.token_hex(6)
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        migrate_to_head(f"{PG_BASE}{PG_SCHEMA_OPTION}{schema}")
        try:
            done = subprocess.run(["pg_dump", "--dbname", PG_ADMIN_DSN, "-n", schema, "--inserts"],
                                  capture_output=True, text=True, timeout=120)
        except (OSError, subprocess.TimeoutExpired):
            return None
        if done.returncode != 0:
            return None
        # psql's meta-commands (\restrict...) are not SQL
        script = "\n".join(line for line in done.stdout.splitlines() if not line.startswith("\\"))
        return schema, script
    finally:
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def copy_template(db_url: str, request) -> None:
    """Put a copy of the session's migrated template at ``db_url`` when it is
    new: a SQLite file that does not exist yet, or a test's empty PostgreSQL
    schema (``open_store`` then finds it at head and migrates nothing); other
    URLs are left to ``open_store``."""
    if db_url.startswith("sqlite:///"):
        target = Path(db_url[len("sqlite:///"):])
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(request.getfixturevalue("sqlite_template"), target)
    elif db_url.startswith(PG_BASE + PG_SCHEMA_OPTION):
        template = request.getfixturevalue("pg_template")
        if template is None:
            return
        import psycopg

        name, script = template
        schema = db_url[len(PG_BASE + PG_SCHEMA_OPTION):]
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
            if conn.execute("SELECT 1 FROM pg_tables WHERE schemaname = %s", (schema,)).fetchone():
                return  # not empty: the test built it
            conn.execute(f"DROP SCHEMA {schema}")
            conn.execute(script.replace(name, schema))


@pytest.fixture
def store(db_url, request):
    from tracker.storage import open_store

    copy_template(db_url, request)
    s = open_store(db_url, upgrade=True)
    yield s
    s.dispose()


@pytest.fixture
def cli(db_url, request):
    from tracker.storage import open_store

    copy_template(db_url, request)
    open_store(db_url, upgrade=True).dispose()
    return CLI(db_url)
