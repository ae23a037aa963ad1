"""PostgreSQL roles for a team (``tracker db grant-analyst``,
``grant-reviewer``).

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

import re
from typing import Any, Optional

from ..errors import ConflictError, DatabaseError, ValidationError
from . import TRACKER_TABLES

# prefixes of the group roles; each database has its own pair (see group_names)
GROUPS = {"analyst": "tracker_analyst", "reviewer": "tracker_reviewer"}
# what analysts and reviewers may read: the tracker's own tables, never the team
# server's accounts (app_user, api_token, web_session: the owner's alone)
READABLE_TABLES = (*TRACKER_TABLES, "clarification", "team_setting", "question_search", "alembic_version")

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
    if not store.has_roles:
        raise DatabaseError(
            "database roles exist on PostgreSQL only; a SQLite database is shared through its file's permissions"
        )
    name = check_role_name(name)
    if password is not None and (not password or "\x00" in password):
        raise ValidationError("the password is empty or holds a NUL character")

    def work(conn):
        import psycopg
        from psycopg import sql

        from . import translate_error

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
    if not store.has_roles:
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
