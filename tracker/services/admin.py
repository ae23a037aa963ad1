"""Database administration: an online backup of a live SQLite database, a
verification of a database's integrity, and PostgreSQL roles for a team.

``backup``: SQLite's online backup API copies a consistent snapshot while
other processes keep writing; the copy is checked and then moved into place.
The database itself and the files SQLite keeps beside it (-wal, -shm,
-journal, the migration lock) are refused as destinations.

``verify``: each check reports ok or FAIL with a one-line detail:

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

``grant_role``: this database's group roles (``tracker_analyst_<db>``,
``tracker_reviewer_<db>``; see :func:`group_names`) with their privileges on
the tracker's own tables and row-level security policies, CONNECT revoked
from PUBLIC, and a login role made a member of one of them (never both).
Analysts read everything, insert new questions (with tags on those only),
their own analyst row and forecasts whose analyst is their login role (not a
role reached by SET ROLE); reviewers read everything and insert resolutions
recorded under their own name (they hold UPDATE on question(id) only so that
``SELECT ... FOR UPDATE`` may lock a question row; a policy refuses any
actual change). Roles in neither group are left to their own GRANTs; the
tables' owner and superusers bypass row-level security.
"""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path
from typing import Any, Optional

from ..errors import ConflictError, DatabaseError, ValidationError

# prefixes of the group roles; each database has its own pair (see group_names)
GROUPS = {"analyst": "tracker_analyst", "reviewer": "tracker_reviewer"}
TRACKER_TABLES = ("scenario", "analyst", "question", "question_tag", "forecast", "resolution")
# what analysts and reviewers may read: the tracker's own tables, never the team
# server's accounts (app_user, api_token, web_session: the owner's alone)
READABLE_TABLES = (*TRACKER_TABLES, "clarification", "team_setting", "question_search", "alembic_version")


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
    clash = _database_file_clash(source, dest)
    if clash:
        raise ConflictError(f"{target} is {clash}: name another file")
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


def _database_file_clash(source: Path, dest: Path) -> Optional[str]:
    """What ``dest`` is to the database at ``source``, when it is the
    database itself or one of the files SQLite keeps beside it (writing a
    backup there would lose committed rows, or be deleted at the next
    checkpoint), else None."""
    companions = {"": "the database itself"}
    companions.update({s: f"the database's {s} file" for s in ("-wal", "-shm", "-journal", ".lock")})
    try:
        dest_real = dest.parent.resolve() / dest.name
        dest_real = dest_real.resolve() if dest_real.is_symlink() else dest_real
        src_real = source.resolve()
    except (OSError, RuntimeError):
        return None
    for suffix, what in companions.items():
        companion = src_real.with_name(src_real.name + suffix)
        if dest_real == companion:
            return what
        try:
            if dest.exists() and companion.exists() and os.path.samefile(dest, companion):  # a hard link
                return what
        except OSError:
            pass
    return None


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
    from ..storage import safe_url

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
    """The history triggers are present, enabled and as the migrations made them."""
    from ..storage import guards

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
    from ..storage import guards

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
    from ..storage.guards import normalize

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
    from ..storage.guards import PG_FUNCTIONS, normalize

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
KINDS = tuple(GROUPS)


def group_names(database: str, schema: str) -> dict[str, str]:
    """The group roles of one tracker database: ``tracker_analyst_<db>`` and
    ``tracker_reviewer_<db>`` (``..._<db>_<schema>`` when the tables live
    outside ``public``). Roles are cluster-wide, so a group named after its
    database grants nothing in another one. Names longer than PostgreSQL's
    63 bytes end in a hash of the full name."""
    import hashlib

    where = database if schema == "public" else f"{database}_{schema}"
    out = {}
    for kind, base in GROUPS.items():
        name = f"{base}_{where}"
        if len(name.encode()) > 63:
            digest = hashlib.sha256(name.encode()).hexdigest()[:10]
            head = name.encode()[: 63 - 11].decode(errors="ignore")
            name = f"{head}_{digest}"
        out[kind] = name
    return out


def check_role_name(name: Any) -> str:
    if not isinstance(name, str) or not name.strip():
        raise ValidationError("role name is empty")
    name = name.strip()
    if not ROLE_RE.match(name) or len(name.encode()) > 63:
        raise ValidationError(f"role name {name[:40]!r} is not usable: 1-63 bytes, no quotes or control characters")
    lower = name.lower()
    if lower in RESERVED_ROLES or lower.startswith("pg_") or any(lower.startswith(g + "_") for g in GROUPS.values()):
        raise ValidationError(f"role name {name!r} is reserved")
    return name


def _setup_sql(database: str, schema: str, groups: dict[str, str], sequences: dict[str, str]) -> list:
    """Statements (psycopg ``sql`` objects) that create this database's two
    group roles idempotently and give them what they need on the tracker's
    own tables, and nothing else: CONNECT on this database (revoked from
    PUBLIC), USAGE on the schema, and privileges table by table."""
    from psycopg import sql

    s = sql.Identifier(schema)

    def t(name):
        return sql.SQL("{}.{}").format(s, sql.Identifier(name))

    analyst, reviewer = sql.Identifier(groups["analyst"]), sql.Identifier(groups["reviewer"])
    member = "pg_has_role(current_user, {}, 'MEMBER')"
    grouped = sql.SQL("(" + member + " OR " + member + ")").format(
        sql.Literal(groups["analyst"]), sql.Literal(groups["reviewer"]))
    not_grouped = sql.SQL("NOT {}").format(grouped)
    # a user's own role, never a group reached by SET ROLE (a team server that
    # connects as a member of each user's role may act as that user)
    myself = sql.SQL("(current_user)::text NOT IN ({}, {})").format(
        sql.Literal(groups["analyst"]), sql.Literal(groups["reviewer"]))
    out = []
    for group in groups.values():
        out.append(sql.SQL(
            "DO $$ BEGIN CREATE ROLE {} NOLOGIN; "
            "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
        ).format(sql.Identifier(group)))
    both = sql.SQL("{}, {}").format(analyst, reviewer)
    db = sql.Identifier(database)
    tables = sql.SQL(", ").join(t(name) for name in READABLE_TABLES)
    out += [
        # a database of its own: nobody connects unless granted here
        sql.SQL("REVOKE CONNECT ON DATABASE {} FROM PUBLIC").format(db),
        sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(db, both),
        sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(s, both),
        sql.SQL("GRANT SELECT ON {} TO {}").format(tables, both),
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
        # both: clarifications of the resolution criteria (append-only by trigger)
        sql.SQL("GRANT INSERT ON {} TO {}").format(t("clarification"), both),
        sql.SQL("GRANT USAGE ON SEQUENCE {} TO {}").format(sql.SQL(sequences["clarification"]), both),
    ]

    def policy(table, name, body, *args):
        return [
            sql.SQL("DROP POLICY IF EXISTS {} ON {}").format(sql.Identifier(name), t(table)),
            sql.SQL("CREATE POLICY {} ON {} " + body).format(sql.Identifier(name), t(table), *args),
        ]

    for table in ("forecast", "analyst", "question", "question_tag", "resolution", "clarification"):
        out.append(sql.SQL("ALTER TABLE {} ENABLE ROW LEVEL SECURITY").format(t(table)))
        out += policy(table, "tracker_read", "FOR SELECT USING (true)")
        # roles outside the two groups keep whatever their GRANTs allow
        out += policy(table, "tracker_ungrouped", "FOR ALL USING ({}) WITH CHECK ({})", not_grouped, not_grouped)
    out += policy("forecast", "tracker_own_forecasts", "FOR INSERT TO {} WITH CHECK (analyst = current_user AND {})",
                  analyst, myself)
    out += policy("analyst", "tracker_own_analyst_row", "FOR INSERT TO {} WITH CHECK (name = current_user AND {})",
                  analyst, myself)
    out += policy("question", "tracker_new_questions", "FOR INSERT TO {} WITH CHECK ({})", analyst, myself)
    # tags go with a question added in the same transaction, never onto another's
    out += policy("question_tag", "tracker_tags_of_new_questions",
                  "FOR INSERT TO {} WITH CHECK ({} AND EXISTS (SELECT 1 FROM {} q WHERE q.id = question_id "
                  "AND q.xmin = pg_current_xact_id()::xid))", analyst, myself, t("question"))
    out += policy("question", "tracker_lock_only", "FOR UPDATE TO {} USING (true) WITH CHECK (false)", reviewer)
    out += policy("resolution", "tracker_own_resolutions",
                  "FOR INSERT TO {} WITH CHECK (recorded_by = current_user AND {})", reviewer, myself)
    # a clarification is recorded under the name of the role that makes it
    out += policy("clarification", "tracker_own_clarifications",
                  "FOR INSERT TO {} WITH CHECK (recorded_by = current_user AND {})", both, myself)
    return out


def tracker_location(conn) -> tuple[str, str]:
    """(database, schema) of the tracker tables behind ``conn``."""
    row = conn.exec_driver_sql(
        "SELECT current_database(), n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.oid = to_regclass('forecast')"
    ).first()
    if row is None:
        raise DatabaseError("no tracker tables here: run 'tracker db upgrade' first")
    return row[0], row[1]


def grant_role(store, name: str, kind: str, *, password: Optional[str] = None) -> dict:
    """Create (or reuse) the login role ``name`` and make it a tracker analyst
    or reviewer of the database behind ``store`` (PostgreSQL only). A role is
    one or the other: granting the second is refused."""
    if kind not in GROUPS:
        raise ValidationError(f"unknown kind of role {kind!r} (analyst or reviewer)")
    if store.dialect != "postgresql":
        raise DatabaseError(
            "database roles exist on PostgreSQL only; a SQLite database is shared through its file's permissions"
        )
    name = check_role_name(name)
    if password is not None and (not password or "\x00" in password):
        raise ValidationError("the password is empty or holds a NUL character")

    def work(conn):
        import psycopg
        from psycopg import sql

        from ..storage import translate_error

        raw = conn.connection.driver_connection
        database, schema = tracker_location(conn)
        groups = group_names(database, schema)
        group = groups[kind]
        other_kind = next(k for k in GROUPS if k != kind)
        sequences = {
            t: conn.exec_driver_sql(f"SELECT pg_get_serial_sequence('{t}', 'id')").scalar()
            for t in ("forecast", "resolution", "clarification")
        }
        try:
            # one grant at a time: concurrent CREATE ROLE and policy changes collide
            raw.execute("SELECT pg_advisory_xact_lock(7301985)")
            for stmt in _setup_sql(database, schema, groups, sequences):
                raw.execute(stmt)
            exists = raw.execute(
                "SELECT rolcanlogin, rolsuper, pg_has_role(rolname, %s, 'MEMBER') FROM pg_roles WHERE rolname = %s",
                (groups[other_kind], name),
            ).fetchone()
            if exists is not None and exists[1]:
                raise ConflictError(f"{name} is a superuser: it bypasses every rule; grant a role of its own")
            if exists is not None and exists[2]:
                raise ConflictError(
                    f"{name} is already {'an' if other_kind == 'analyst' else 'a'} {other_kind} of this database; a role is an analyst or a reviewer, "
                    f"not both (the owner may REVOKE {groups[other_kind]} FROM {name} first)"
                )
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
        return {"role": name, "group": group, "database": database, "schema": schema, "created": exists is None,
                "password_set": password is not None}

    return store.run_write(work)


def role_kind(store) -> tuple[Optional[str], Optional[str]]:
    """(kind, role) of the connected role: kind is "analyst" or "reviewer"
    when it belongs to that group of this database, "owner" for the tables'
    owner (or a superuser), else None."""
    if store.dialect != "postgresql":
        return None, None
    try:
        with store.engine.connect() as conn:
            user = conn.exec_driver_sql("SELECT current_user").scalar()
            database, schema = tracker_location(conn)
            owner = conn.exec_driver_sql(
                "SELECT pg_has_role(current_user, relowner, 'MEMBER') FROM pg_class WHERE oid = to_regclass('forecast')"
            ).scalar()
            if owner:
                return "owner", user
            for kind, group in group_names(database, schema).items():
                if conn.exec_driver_sql(
                    "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = %(g)s) "
                    "AND pg_has_role(current_user, %(g)s, 'MEMBER')", {"g": group}
                ).scalar():
                    return kind, user
            return None, user
    except Exception:  # the wording of a refusal must never hide the refusal itself
        return None, None


_TABLE_ACTIONS = {"resolution": "resolve", "forecast": "forecast", "analyst": "forecast",
                  "question": "question", "question_tag": "question", "scenario": "question"}


def refusal_message(store, action: str, detail: str) -> Optional[str]:
    """A permission refusal that names the right the user lacks (and whom to
    ask), not the table the database named; None to keep ``detail``."""
    lower = detail.lower()
    if "permission denied" not in lower or "append-only" in lower or "only the owner" in lower:
        return None
    table = re.search(r'(?:table|relation) "?([a-z_]+)"?', lower)
    if action == "import":
        action = _TABLE_ACTIONS.get(table.group(1), "import") if table else "import"
    kind, user = role_kind(store)
    own_name = "row-level security" in lower
    who = f" ({user})" if user else ""
    if action == "resolve":
        if kind == "reviewer" and own_name:
            return f"permission denied: reviewers record resolutions under their own name only{who}"
        if kind == "analyst":
            return "permission denied: analysts may not resolve; ask a reviewer"
        return "permission denied: recording resolutions needs the reviewer role; ask the database owner (tracker db grant-reviewer)"
    if action == "forecast":
        if kind == "analyst" and own_name:
            return f"permission denied: analysts forecast under their own name only{who}"
        if kind == "reviewer":
            return "permission denied: reviewers may not forecast; ask an analyst"
        return "permission denied: forecasting needs the analyst role; ask the database owner (tracker db grant-analyst)"
    if action == "question":
        if kind == "reviewer":
            return "permission denied: reviewers may not add or change questions; ask an analyst"
        if kind == "analyst":
            if table and table.group(1) == "question_tag" and own_name:
                return "permission denied: analysts tag only the questions they add; ask the database owner"
            return "permission denied: analysts add new questions but may not change recorded ones; ask the database owner"
        return "permission denied: adding questions needs the analyst role; ask the database owner (tracker db grant-analyst)"
    return None


@contextlib.contextmanager
def explain_refusal(store, action: str):
    """Re-word a permission refusal raised inside: see :func:`refusal_message`."""
    try:
        yield
    except DatabaseError as exc:
        if getattr(store, "dialect", None) != "postgresql":
            raise
        better = refusal_message(store, action, str(exc))
        if better is None:
            raise
        raise DatabaseError(better) from None
