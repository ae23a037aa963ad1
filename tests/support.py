"""Test helpers importable from any test module: a CLI runner with a fixed
database, a dump of every tracker table, and the Hypothesis example counts."""

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


# ------------------------------------------------------------- Hypothesis

QUICK_FRACTION = 10  # a local run tries a tenth of the examples CI tries


def in_ci() -> bool:
    """True when the ``CI`` environment variable is set to anything but empty, 0 or false."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def full_counts() -> bool:
    """Whether this run tries every example (CI, or ``HYPOTHESIS_PROFILE=ci``)."""
    return in_ci() or os.environ.get("HYPOTHESIS_PROFILE") == "ci"


def examples(full: int) -> int:
    """How many Hypothesis examples a test with ``full`` examples in CI runs
    here: all of them in CI, a tenth (at least 10) in a local run.
    ``HYPOTHESIS_PROFILE=ci`` asks for the full counts locally too."""
    if full_counts():
        return full
    return min(full, max(10, full // QUICK_FRACTION))


def register_hypothesis_profiles() -> None:
    """Two profiles: ``ci`` (Hypothesis's defaults, no deadline: shared runners
    are slow) and ``quick`` (a tenth of the default examples). ``CI`` selects
    ``ci``; ``HYPOTHESIS_PROFILE`` overrides. Tests that set ``max_examples``
    themselves scale it with :func:`examples`."""
    from hypothesis import settings

    settings.register_profile("ci", deadline=None)
    settings.register_profile("quick", deadline=None, max_examples=examples(100))
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if in_ci() else "quick"))


def zone_with_another_date():
    """(running, zone, deadline): a team zone whose date differs from UTC's
    now, and a deadline that the old UTC rule judged wrongly. Before 11:00 UTC
    the far west (UTC-12), where yesterday (UTC) is still running: ``running``
    is True and the deadline is the local date. From 11:00 UTC the far east
    (UTC+14), where today (UTC) is already over: ``running`` is False and the
    deadline is UTC's date."""
    from datetime import datetime, timezone
    from zoneinfo import ZoneInfo

    now = datetime.now(timezone.utc)
    running = now.hour < 11
    zone = "Etc/GMT+12" if running else "Pacific/Kiritimati"
    local_day = now.astimezone(ZoneInfo(zone)).date()
    deadline = local_day if running else now.date()
    assert local_day != now.date()
    return running, zone, deadline
