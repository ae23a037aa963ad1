"""Shared fixtures: an isolated TRACKER_HOME, SQLite and PostgreSQL databases,
and a CLI runner."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import pytest

from support import PG_BASE, CLI, dump_db, pg_reason  # noqa: F401 - re-exported for older imports

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
