"""Database administration: an online backup of a live SQLite database, a
verification of a database's integrity, and PostgreSQL roles for a team.

``backup``: SQLite's online backup API copies a consistent snapshot while
other processes keep writing; the copy is checked and then moved into place.

``verify``: each check reports ok or FAIL with a one-line detail:

- ``integrity``: SQLite's ``PRAGMA integrity_check`` and
  ``PRAGMA foreign_key_check``; on PostgreSQL a consistency query over every
  table (the server keeps its own pages consistent);
- ``migrations``: the schema revision is the head this version knows;
- ``append_only``: the triggers that refuse UPDATE and DELETE (and TRUNCATE on
  PostgreSQL) on forecasts and resolutions are present and enabled;
- ``forecast_times``: no forecast was recorded after its question's outcome
  was recorded, and none recorded together with the outcome claims a time
  after the outcome became known (the rules the log and the importers
  enforce; a row breaking them came in around the tool).

``grant_role``: ``tracker_analyst`` and ``tracker_reviewer`` group roles with
their privileges and row-level security policies, and a login role made a
member of one of them. Analysts read everything, insert new questions, their
own analyst row and forecasts whose analyst is their role name; reviewers read
everything and insert resolutions (they hold UPDATE on question(id) only so
that ``SELECT ... FOR UPDATE`` may lock a question row; a policy refuses any
actual change). Roles in neither group are left to their own GRANTs; the
tables' owner and superusers bypass row-level security.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Optional

from ..errors import ConflictError, DatabaseError, ValidationError

GROUPS = {"analyst": "tracker_analyst", "reviewer": "tracker_reviewer"}
TRACKER_TABLES = ("scenario", "analyst", "question", "question_tag", "forecast", "resolution")
SQLITE_TRIGGERS = {
    "forecast_no_update": "forecast",
    "forecast_no_delete": "forecast",
    "resolution_no_update": "resolution",
    "resolution_no_delete": "resolution",
}
PG_TRIGGERS = {
    "forecast_append_only": "forecast",
    "forecast_no_truncate": "forecast",
    "resolution_append_only": "resolution",
    "resolution_no_truncate": "resolution",
}


def _sqlite_path(url: str) -> Optional[Path]:
    """The file behind a SQLite URL, None for an in-memory database."""
    if not url.startswith("sqlite"):
        return None
    rest = url.split("://", 1)[1]
    if not rest.startswith("/") or rest in ("/", "/:memory:"):
        return None
    path = rest[1:].split("?", 1)[0]
    return Path(path) if path else None


# ----------------------------------------------------------------- backup


def backup(url: str, target: str | os.PathLike, *, force: bool = False) -> dict:
    """Copy the live SQLite database at ``url`` to ``target``, consistently.

    The copy is written beside the target, checked with
    ``PRAGMA integrity_check`` and renamed into place, so a failed backup
    never leaves a half-written file under the target's name.
    """
    import sqlite3

    from ..storage import BUSY_TIMEOUT_MS, safe_url

    if not url.startswith("sqlite"):
        raise DatabaseError(
            f"tracker db backup copies a SQLite database; {safe_url(url)} is PostgreSQL: "
            "use pg_dump (e.g. pg_dump -Fc -f tracker.dump DBNAME) and pg_restore"
        )
    source = _sqlite_path(url)
    if source is None:
        raise DatabaseError("an in-memory database has nothing to back up")
    if not source.is_file():
        raise DatabaseError(f"no database at {source}")
    dest = Path(target).expanduser()
    if dest.is_dir():
        raise ConflictError(f"{target} is a directory: name the backup file")
    try:
        same = dest.exists() and dest.resolve() == source.resolve()
    except OSError:
        same = False
    if same:
        raise ConflictError(f"{target} is the database itself: name another file")
    if dest.exists() and not force:
        raise ConflictError(f"{target} exists: pass --force to overwrite it")
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DatabaseError(f"cannot create {dest.parent}: {exc.strerror}") from None
    tmp = dest.with_name(f".{dest.name}.tmp{os.getpid()}")
    tmp.unlink(missing_ok=True)
    src = dst = None
    try:
        src = sqlite3.connect(str(source), timeout=BUSY_TIMEOUT_MS / 1000)
        src.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        dst = sqlite3.connect(str(tmp))
        src.backup(dst)  # one step: a consistent snapshot, writers go on (WAL)
        dst.execute("PRAGMA journal_mode = DELETE")  # a single self-contained file
        check = [r[0] for r in dst.execute("PRAGMA integrity_check")]
        if check != ["ok"]:
            raise DatabaseError(f"the copy failed its integrity check: {'; '.join(check)[:200]}")
        counts = {}
        for table in TRACKER_TABLES:
            exists = dst.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (table,)).fetchone()
            if exists:
                counts[table] = dst.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
        revision = None
        if dst.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'").fetchone():
            row = dst.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = row[0] if row else None
        dst.close()
        dst = None
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, dest)
    except sqlite3.Error as exc:
        raise DatabaseError(f"backup of {source} failed: {' '.join(str(exc).split())}") from None
    except OSError as exc:
        raise DatabaseError(f"cannot write {target}: {exc.strerror or exc}") from None
    finally:
        if dst is not None:
            dst.close()
        if src is not None:
            src.close()
        tmp.unlink(missing_ok=True)
    return {
        "source": str(source),
        "backup": str(dest),
        "bytes": dest.stat().st_size,
        "revision": revision,
        "rows": counts,
    }


# ----------------------------------------------------------------- verify


def verify(url: str) -> dict:
    """Check the database at ``url``; never changes it (no upgrade)."""
    from sqlalchemy.exc import DBAPIError, SQLAlchemyError

    from ..storage import _describe, make_engine, safe_url

    if url.startswith("sqlite"):
        path = _sqlite_path(url)
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
        try:
            for fn in (_check_integrity, _check_migrations, _check_triggers, _check_forecast_times):
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
    from ..storage import safe_url

    return {"database": safe_url(url), "ok": all(c["ok"] for c in checks), "checks": checks}


def _check(name: str, ok: bool, detail: str) -> dict:
    return {"name": name, "ok": bool(ok), "detail": " ".join(str(detail).split())}


def _tables_present(conn) -> set[str]:
    if conn.dialect.name == "sqlite":
        rows = conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='table'")
        return {r[0] for r in rows} & set(TRACKER_TABLES)
    return {t for t in TRACKER_TABLES if conn.exec_driver_sql(f"SELECT to_regclass('{t}')").scalar()}


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
    from ..storage import HEAD, REVISIONS, current_revision

    rev = current_revision(conn)
    if rev is None:
        return _check("migrations", False, f"no tracker schema (no alembic_version); head is {HEAD}")
    if rev == HEAD:
        return _check("migrations", True, f"at head {HEAD}")
    if rev in REVISIONS:
        return _check("migrations", False, f"at revision {rev}, head is {HEAD}: run 'tracker db upgrade'")
    return _check("migrations", False, f"revision {rev} is unknown to this version (head {HEAD})")


def _check_triggers(conn) -> dict:
    missing: list[str] = []
    if conn.dialect.name == "sqlite":
        rows = conn.exec_driver_sql("SELECT name, tbl_name, sql FROM sqlite_master WHERE type='trigger'").fetchall()
        found = {name: (table, sql or "") for name, table, sql in rows}
        for name, table in SQLITE_TRIGGERS.items():
            got = found.get(name)
            if got is None or got[0] != table or "RAISE(ABORT" not in got[1].upper().replace(" ", ""):
                missing.append(name)
    else:
        present = _tables_present(conn)
        found = {}
        for table in ("forecast", "resolution"):
            if table not in present:
                continue
            for name, enabled, src in conn.exec_driver_sql(
                "SELECT t.tgname, t.tgenabled, p.prosrc FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid "
                f"WHERE t.tgrelid = to_regclass('{table}') AND NOT t.tgisinternal"
            ):
                found[name] = (table, enabled, src or "")
        for name, table in PG_TRIGGERS.items():
            got = found.get(name)
            if got is None or got[0] != table or got[1] == "D" or "raise exception" not in got[2].lower():
                missing.append(name + (" (disabled)" if got is not None and got[1] == "D" else ""))
    if missing:
        return _check("append_only", False, "missing or altered: " + ", ".join(missing))
    names = SQLITE_TRIGGERS if conn.dialect.name == "sqlite" else PG_TRIGGERS
    return _check("append_only", True, f"{len(names)} triggers guard forecasts and resolutions")


def _check_forecast_times(conn) -> dict:
    from sqlalchemy import and_, func, or_, select

    from .common import T_FORECAST as F
    from .common import T_RESOLUTION as R

    if not {"forecast", "resolution"} <= _tables_present(conn):
        return _check("forecast_times", False, "forecast or resolution table missing")
    first = (
        select(R.c.question_id, func.min(R.c.recorded_at).label("first_recorded"))
        .group_by(R.c.question_id)
        .subquery()
    )
    current_id = select(func.max(R.c.id)).where(R.c.question_id == F.c.question_id).scalar_subquery()
    cur = R.alias("cur")
    bad = conn.execute(
        select(func.count())
        .select_from(F.join(first, first.c.question_id == F.c.question_id).join(cur, cur.c.id == current_id))
        .where(
            or_(
                F.c.recorded_at > first.c.first_recorded,
                and_(F.c.recorded_at >= first.c.first_recorded, F.c.made_at > cur.c.known_at),
            )
        )
    ).scalar()
    live_late = conn.execute(
        select(func.count())
        .select_from(F.join(cur, cur.c.id == current_id))
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


# ------------------------------------------------------------------ roles

ROLE_RE = re.compile(r"^[^\x00-\x1f\x7f\"]{1,63}$")
RESERVED_ROLES = {"public", "current_user", "session_user", "current_role", "none", *GROUPS.values()}


def check_role_name(name: Any) -> str:
    if not isinstance(name, str) or not name.strip():
        raise ValidationError("role name is empty")
    name = name.strip()
    if not ROLE_RE.match(name) or len(name.encode()) > 63:
        raise ValidationError(f"role name {name[:40]!r} is not usable: 1-63 bytes, no quotes or control characters")
    if name.lower() in RESERVED_ROLES or name.lower().startswith("pg_"):
        raise ValidationError(f"role name {name!r} is reserved")
    return name


def _setup_sql(schema: str, sequences: dict[str, str]) -> list:
    """Statements (psycopg ``sql`` objects) that create the two group roles
    idempotently and give them what they need on the tracker tables."""
    from psycopg import sql

    s = sql.Identifier(schema)

    def t(name):
        return sql.SQL("{}.{}").format(s, sql.Identifier(name))

    analyst, reviewer = sql.Identifier(GROUPS["analyst"]), sql.Identifier(GROUPS["reviewer"])
    member = "pg_has_role(current_user, '{}', 'MEMBER')"
    not_grouped = sql.SQL(
        "NOT (" + member.format(GROUPS["analyst"]) + " OR " + member.format(GROUPS["reviewer"]) + ")"
    )
    out = []
    for group in GROUPS.values():
        out.append(sql.SQL(
            "DO $$ BEGIN CREATE ROLE {} NOLOGIN; "
            "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
        ).format(sql.Identifier(group)))
    both = sql.SQL("{}, {}").format(analyst, reviewer)
    out += [
        sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(s, both),
        sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA {} TO {}").format(s, both),
        # the team server's accounts (password hashes, token and session hashes) are the owner's alone
        sql.SQL("REVOKE ALL ON {}, {}, {} FROM {}").format(t("app_user"), t("api_token"), t("web_session"), both),
        # analysts: their own analyst row and forecasts; new questions (tracker
        # question add), never changes to existing ones
        sql.SQL("GRANT INSERT ON {}, {} TO {}").format(t("forecast"), t("analyst"), analyst),
        sql.SQL("GRANT INSERT ON {}, {}, {} TO {}").format(t("question"), t("question_tag"), t("scenario"), analyst),
        sql.SQL("GRANT USAGE ON SEQUENCE {} TO {}").format(sql.SQL(sequences["forecast"]), analyst),
        # reviewers: resolutions; UPDATE on question only so that they may lock
        # its row (SELECT ... FOR UPDATE); the policy below refuses any change
        sql.SQL("GRANT INSERT ON {} TO {}").format(t("resolution"), reviewer),
        sql.SQL("GRANT USAGE ON SEQUENCE {} TO {}").format(sql.SQL(sequences["resolution"]), reviewer),
        sql.SQL("GRANT UPDATE (id) ON {} TO {}").format(t("question"), reviewer),
    ]

    def policy(table, name, body, *args):
        return [
            sql.SQL("DROP POLICY IF EXISTS {} ON {}").format(sql.Identifier(name), t(table)),
            sql.SQL("CREATE POLICY {} ON {} " + body).format(sql.Identifier(name), t(table), *args),
        ]

    for table in ("forecast", "analyst", "question"):
        out.append(sql.SQL("ALTER TABLE {} ENABLE ROW LEVEL SECURITY").format(t(table)))
        out += policy(table, "tracker_read", "FOR SELECT USING (true)")
        # roles outside the two groups keep whatever their GRANTs allow
        out += policy(table, "tracker_ungrouped", "FOR ALL USING ({}) WITH CHECK ({})", not_grouped, not_grouped)
    out += policy("forecast", "tracker_own_forecasts", "FOR INSERT TO {} WITH CHECK (analyst = current_user)", analyst)
    out += policy("analyst", "tracker_own_analyst_row", "FOR INSERT TO {} WITH CHECK (name = current_user)", analyst)
    out += policy("question", "tracker_new_questions", "FOR INSERT TO {} WITH CHECK (true)", analyst)
    out += policy("question", "tracker_lock_only", "FOR UPDATE TO {} USING (true) WITH CHECK (false)", reviewer)
    return out


def grant_role(store, name: str, kind: str, *, password: Optional[str] = None) -> dict:
    """Create (or reuse) the login role ``name`` and make it a tracker analyst
    or reviewer on the database behind ``store`` (PostgreSQL only)."""
    if kind not in GROUPS:
        raise ValidationError(f"unknown kind of role {kind!r} (analyst or reviewer)")
    if store.dialect != "postgresql":
        raise DatabaseError(
            "database roles exist on PostgreSQL only; a SQLite database is shared through its file's permissions"
        )
    name = check_role_name(name)
    if password is not None and (not password or "\x00" in password):
        raise ValidationError("the password is empty or holds a NUL character")
    group = GROUPS[kind]

    def work(conn):
        import psycopg
        from psycopg import sql

        from ..storage import translate_error

        raw = conn.connection.driver_connection
        schema = conn.exec_driver_sql(
            "SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.oid = to_regclass('forecast')"
        ).scalar()
        if schema is None:
            raise DatabaseError("no tracker tables here: run 'tracker db upgrade' first")
        sequences = {
            t: conn.exec_driver_sql(f"SELECT pg_get_serial_sequence('{t}', 'id')").scalar()
            for t in ("forecast", "resolution")
        }
        try:
            # one grant at a time: concurrent CREATE ROLE and policy changes collide
            raw.execute("SELECT pg_advisory_xact_lock(7301985)")
            for stmt in _setup_sql(schema, sequences):
                raw.execute(stmt)
            exists = raw.execute("SELECT rolcanlogin FROM pg_roles WHERE rolname = %s", (name,)).fetchone()
            role = sql.Identifier(name)
            pw = sql.SQL(" PASSWORD {}").format(sql.Literal(password)) if password is not None else sql.SQL("")
            if exists is None:
                raw.execute(sql.SQL("CREATE ROLE {} LOGIN{}").format(role, pw))
            elif password is not None or not exists[0]:
                raw.execute(sql.SQL("ALTER ROLE {} LOGIN{}").format(role, pw))
            raw.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(group), role))
        except psycopg.Error as exc:  # raw driver calls: SQLAlchemy does not wrap these
            raise translate_error(exc) or DatabaseError(
                f"cannot grant {group} to {name}: {' '.join(str(exc).split())}"
            ) from None
        return {"role": name, "group": group, "schema": schema, "created": exists is None,
                "password_set": password is not None}

    return store.run_write(work)
