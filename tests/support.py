"""Test helpers importable from any test module: a CLI runner with a fixed
database and a dump of every tracker table."""

from __future__ import annotations

import os

PG_BASE = os.environ.get("TRACKER_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


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
