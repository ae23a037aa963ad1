"""Shared fixtures: an isolated TRACKER_HOME, SQLite and PostgreSQL databases,
and a CLI runner."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import pytest

from support import PG_BASE, CLI, dump_db  # noqa: F401 - re-exported for older imports

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DATA = SHARED / "data"


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


@pytest.fixture
def cli(db_url):
    from tracker.storage import open_store

    open_store(db_url, upgrade=True).dispose()
    return CLI(db_url)
