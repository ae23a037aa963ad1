"""Shared fixtures: an isolated TRACKER_HOME, SQLite and PostgreSQL databases,
and a CLI runner."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DATA = SHARED / "data"
PG_BASE = os.environ.get("TRACKER_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture(autouse=True)
def tracker_home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("TRACKER_HOME", str(home))
    monkeypatch.delenv("TRACKER_DATABASE_URL", raising=False)
    monkeypatch.setenv("TRACKER_ANALYST", "tester")
    return home


def _pg_available() -> str | None:
    """None when the server answers, else the reason it does not."""
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed"
    try:
        with psycopg.connect("host=127.0.0.1 port=5432 dbname=test user=postgres connect_timeout=3"):
            return None
    except Exception as exc:  # noqa: BLE001 - any failure means "not here"
        return f"PostgreSQL at 127.0.0.1:5432 is not reachable: {' '.join(str(exc).split())[:120]}"


_PG_REASON: list = []


def pg_reason() -> str | None:
    if not _PG_REASON:
        _PG_REASON.append(_pg_available())
    return _PG_REASON[0]


@pytest.fixture
def pg_url():
    """A PostgreSQL URL whose search_path is a fresh schema, dropped afterwards."""
    reason = pg_reason()
    if reason:
        pytest.skip(reason)
    import psycopg

    schema = "t_" + secrets.token_hex(6)
    with psycopg.connect("host=127.0.0.1 port=5432 dbname=test user=postgres", autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"{PG_BASE}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect("host=127.0.0.1 port=5432 dbname=test user=postgres", autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'tracker.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, tmp_path):
    """Each test using it runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'tracker.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def store(db_url):
    from tracker.storage import open_store

    s = open_store(db_url, upgrade=True)
    yield s
    s.dispose()


class CLI:
    """Run ``tracker`` in-process with a fixed database."""

    def __init__(self, db_url: str):
        self.db_url = db_url

    def __call__(self, *args: str, input: str | bytes | None = None, db: bool = True):
        from click.testing import CliRunner

        from tracker.cli import main

        argv = (["--db", self.db_url] if db else []) + [str(a) for a in args]
        return CliRunner().invoke(main, argv, input=input, catch_exceptions=True)

    def ok(self, *args: str, input=None):
        result = self(*args, input=input)
        assert result.exit_code == 0, f"exit {result.exit_code}: {result.stderr or ''}{result.exception!r}"
        return result

    def fails(self, *args: str, input=None, match: str | None = None):
        result = self(*args, input=input)
        assert result.exit_code == 1, f"expected exit 1, got {result.exit_code}: {result.stdout}{result.stderr}"
        err = result.stderr.strip()
        assert err.startswith("error: "), err
        assert "\n" not in err, f"error is not one line: {err!r}"
        assert "Traceback" not in result.stderr
        if match:
            assert match in err, err
        return result


@pytest.fixture
def cli(db_url):
    from tracker.storage import open_store

    open_store(db_url, upgrade=True).dispose()
    return CLI(db_url)


def dump_db(url: str) -> list:
    """Every row of every tracker table, to compare states."""
    from sqlalchemy import select

    from tracker.services.transfer import TABLES
    from tracker.storage import open_store

    s = open_store(url, upgrade=True)
    try:
        with s.read() as conn:
            out = []
            for key, table, _ in TABLES:
                order = list(table.primary_key.columns)
                out.append((key, [tuple(r) for r in conn.execute(select(table).order_by(*order))]))
            return out
    finally:
        s.dispose()
