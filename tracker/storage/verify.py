"""``tracker db verify``: a database's integrity, checked without changing it
(no upgrade). Each check reports ok or FAIL with a one-line detail:

- ``integrity``: SQLite's ``PRAGMA integrity_check`` and
  ``PRAGMA foreign_key_check``; on PostgreSQL a consistency query over every
  table (the server keeps its own pages consistent);
- ``migrations``: the schema revision is the head this version knows;
- ``append_only``: the history triggers (no UPDATE, DELETE, TRUNCATE, REPLACE;
  server-set times on PostgreSQL) are present, enabled in ordinary sessions
  and exactly as the migrations create them (``tracker.storage.guards``);
- ``question_rules``: the CHECK constraints (validated) and triggers that
  keep questions well formed and resolved ones frozen;
- ``forecast_times``: no forecast was recorded after its question's outcome
  was recorded, and none recorded together with the outcome claims a time
  after the outcome became known (the rules the log and the importers
  enforce; a row breaking them came in around the tool).
"""

from __future__ import annotations

from ..errors import DatabaseError
from . import TRACKER_TABLES, sqlite_file


def verify(url: str) -> dict:
    """Check the database at ``url``; never changes it (no upgrade)."""
    from sqlalchemy.exc import DBAPIError, SQLAlchemyError

    from . import _describe, make_engine, safe_url

    if url.startswith("sqlite"):
        path = sqlite_file(url)
        if path is not None and not path.is_file():
            raise DatabaseError(f"no database at {path}")
    engine = make_engine(url)
    checks: list[dict] = []
    try:
        try:
            conn_cm = engine.connect()
            conn = conn_cm.__enter__()
        except DBAPIError as exc:
            if engine.dialect.name != "sqlite":
                raise DatabaseError(f"cannot open database {safe_url(url)}: {_describe(exc)}") from None
            checks.append(_check("integrity", False, _describe(exc)))
            return _result(url, checks)
        except UnicodeDecodeError as exc:  # SQLite: the schema's own pages are damaged
            checks.append(_check("integrity", False, f"the schema cannot be read: {exc}"))
            return _result(url, checks)
        try:
            for fn in (_check_integrity, _check_migrations, _check_triggers, _check_question_rules, _check_forecast_times):
                try:
                    checks.append(fn(conn))
                except SQLAlchemyError as exc:
                    name = fn.__name__.removeprefix("_check_")
                    checks.append(_check(name, False, _describe(exc)[:300]))
                    conn.rollback()
        finally:
            conn_cm.__exit__(None, None, None)
    finally:
        engine.dispose()
    return _result(url, checks)


def _result(url: str, checks: list[dict]) -> dict:
    from . import safe_url

    return {"database": safe_url(url), "ok": all(c["ok"] for c in checks), "checks": checks}


def _check(name: str, ok: bool, detail: str) -> dict:
    return {"name": name, "ok": bool(ok), "detail": " ".join(str(detail).split())}


# the tables whose rows and guards verify reads (clarifications are history too)
VERIFIED_TABLES = (*TRACKER_TABLES, "clarification")


def _tables_present(conn) -> set[str]:
    if conn.dialect.name == "sqlite":
        rows = conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='table'")
        return {r[0] for r in rows} & set(VERIFIED_TABLES)
    return {t for t in VERIFIED_TABLES if conn.exec_driver_sql(f"SELECT to_regclass('{t}')").scalar()}


def _check_integrity(conn) -> dict:
    if conn.dialect.name == "sqlite":
        problems = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check")]
        if problems != ["ok"]:
            return _check("integrity", False, "integrity_check: " + "; ".join(problems[:5]))
        fk = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if fk:
            first = fk[0]
            return _check("integrity", False, f"{len(fk)} rows break a foreign key (first: {first[0]} row {first[1]} -> {first[2]})")
        return _check("integrity", True, "integrity_check ok, foreign keys ok")
    tables = sorted(_tables_present(conn))
    total = 0
    for t in tables:
        total += conn.exec_driver_sql(f'SELECT count(*) FROM "{t}"').scalar()
    # every forecast and resolution names an existing question (FKs, checked anyway)
    orphans = 0
    if {"forecast", "resolution", "question"} <= set(tables):
        orphans = conn.exec_driver_sql(
            "SELECT (SELECT count(*) FROM forecast f WHERE NOT EXISTS (SELECT 1 FROM question q WHERE q.id = f.question_id))"
            " + (SELECT count(*) FROM resolution r WHERE NOT EXISTS (SELECT 1 FROM question q WHERE q.id = r.question_id))"
        ).scalar()
    if orphans:
        return _check("integrity", False, f"{orphans} forecasts or resolutions name no existing question")
    return _check("integrity", True, f"connected; {total} rows in {len(tables)} tables read")


def _check_migrations(conn) -> dict:
    from . import HEAD, REVISIONS, current_revision

    rev = current_revision(conn)
    if rev is None:
        return _check("migrations", False, f"no tracker schema (no alembic_version); head is {HEAD}")
    if rev == HEAD:
        return _check("migrations", True, f"at head {HEAD}")
    if rev in REVISIONS:
        return _check("migrations", False, f"at revision {rev}, head is {HEAD}: run 'tracker db upgrade'")
    return _check("migrations", False, f"revision {rev} is unknown to this version (head {HEAD})")


def _check_triggers(conn) -> dict:
    """The history triggers are present, enabled and as the migrations made them."""
    from . import guards

    if conn.dialect.name == "sqlite":
        missing = _sqlite_triggers_differ(conn, guards.SQLITE_HISTORY_TRIGGERS)
        count = len(guards.SQLITE_HISTORY_TRIGGERS)
    else:
        missing = _pg_triggers_differ(conn, guards.PG_HISTORY_TRIGGERS)
        count = len(guards.PG_HISTORY_TRIGGERS)
    if missing:
        return _check("append_only", False, "missing or altered: " + ", ".join(missing))
    return _check("append_only", True, f"{count} triggers guard forecasts, resolutions and clarifications")


def _check_question_rules(conn) -> dict:
    """The rules on question rows (CHECK constraints, triggers) are in force."""
    from . import guards

    if conn.dialect.name == "sqlite":
        missing = _sqlite_triggers_differ(conn, guards.SQLITE_QUESTION_TRIGGERS)
        count = len(guards.SQLITE_QUESTION_TRIGGERS)
        what = "triggers"
    else:
        missing = _pg_triggers_differ(conn, guards.PG_QUESTION_TRIGGERS)
        found = {}
        if "question" in _tables_present(conn):
            found = {
                name: (validated, definition)
                for name, validated, definition in conn.exec_driver_sql(
                    "SELECT conname, convalidated, pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conrelid = to_regclass('question') AND contype = 'c'"
                )
            }
        for name in guards.PG_QUESTION_CHECKS:
            got = found.get(name)
            if got is None:
                missing.append(name)
            elif not got[0]:
                missing.append(f"{name} (existing rows break it)")
        count = len(guards.PG_QUESTION_TRIGGERS) + len(guards.PG_QUESTION_CHECKS)
        what = "constraints and triggers"
    if missing:
        return _check("question_rules", False, "missing or altered: " + ", ".join(missing))
    return _check("question_rules", True, f"{count} {what} guard questions")


def _sqlite_triggers_differ(conn, expected: dict) -> list[str]:
    from .guards import normalize

    rows = conn.exec_driver_sql("SELECT name, tbl_name, sql FROM sqlite_master WHERE type='trigger'").fetchall()
    found = {name: (table, normalize(sql)) for name, table, sql in rows}
    out = []
    for name, (table, create) in expected.items():
        got = found.get(name)
        if got is None:
            out.append(name)
        elif got[0] != table or got[1] != normalize(create):
            out.append(f"{name} (definition altered)")
    return out


def _pg_triggers_differ(conn, expected: dict) -> list[str]:
    """Each trigger on its table, enabled in ordinary sessions (not
    ``ENABLE REPLICA``), of the expected events, with no WHEN clause and
    calling a function whose body is the migrations' own."""
    from .guards import PG_FUNCTIONS, normalize

    present = _tables_present(conn)
    found = {}
    for table in {spec[0] for spec in expected.values()} & present:
        for name, enabled, tgtype, has_when, nargs, proname, src in conn.exec_driver_sql(
            "SELECT t.tgname, t.tgenabled, t.tgtype, t.tgqual IS NOT NULL, t.tgnargs, p.proname, p.prosrc "
            "FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid "
            f"WHERE t.tgrelid = to_regclass('{table}') AND NOT t.tgisinternal"
        ):
            found[name] = (table, enabled, tgtype, has_when, nargs, proname, src)
    out = []
    for name, (table, tgtype, function) in expected.items():
        got = found.get(name)
        if got is None or got[0] != table:
            out.append(name)
        elif got[1] == "D":
            out.append(f"{name} (disabled)")
        elif got[1] == "R":
            out.append(f"{name} (fires only in replica sessions)")
        elif got[2] != tgtype or got[3] or got[4] or got[5] != function:
            out.append(f"{name} (definition altered)")
        elif normalize(got[6]) != normalize(PG_FUNCTIONS[function]):
            out.append(f"{name} (function {function} altered)")
    return out


def _check_forecast_times(conn) -> dict:
    from sqlalchemy import and_, func, or_, select

    from .queries import T_FORECAST as F
    from .queries import T_RESOLUTION as R
    from .queries import is_current

    if not {"forecast", "resolution"} <= _tables_present(conn):
        return _check("forecast_times", False, "forecast or resolution table missing")
    first = (
        select(R.c.question_id, func.min(R.c.recorded_at).label("first_recorded"))
        .group_by(R.c.question_id)
        .subquery()
    )
    cur = R.alias("cur")
    current = and_(cur.c.question_id == F.c.question_id, is_current(cur))
    bad = conn.execute(
        select(func.count())
        .select_from(F.join(first, first.c.question_id == F.c.question_id).join(cur, current))
        .where(
            or_(
                F.c.recorded_at > first.c.first_recorded,
                and_(F.c.recorded_at >= first.c.first_recorded, F.c.made_at > cur.c.known_at),
            )
        )
    ).scalar()
    live_late = conn.execute(
        select(func.count())
        .select_from(F.join(cur, current))
        .where(F.c.made_at > cur.c.known_at, F.c.imported.is_(False))
    ).scalar()
    note = (
        f"; {live_late} forecasts were made after the outcome's known-at but recorded before it was resolved "
        "(see tracker check)" if live_late else ""
    )
    if bad:
        return _check(
            "forecast_times", False,
            f"{bad} forecasts were recorded after their question's outcome was recorded or claim a time after it became known{note}",
        )
    return _check("forecast_times", True, f"no forecast recorded after its question's outcome{note}")
