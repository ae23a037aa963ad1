"""Users of the team server: accounts, passwords, API tokens, browser
sessions, and what each role may do.

Passwords are hashed with Argon2id (argon2-cffi). Tokens and session ids are
random (``secrets``), shown once, and kept only as their SHA-256: a copy of the
database gives no one a way in. The same role rules apply to every request,
whatever the database; on PostgreSQL the database's own grants and row-level
security apply on top (the server acts as the user's role).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from typing import Any, Optional

from ..errors import AuthError, ConflictError, ForbiddenError, NotFoundError, ValidationError
from ..models import ApiToken, AppUser, WebSession, utcnow
from ..storage import Store, act_as
from .common import check_analyst_name, check_free_text

T_USER = AppUser.__table__
T_TOKEN = ApiToken.__table__
T_SESSION = WebSession.__table__

ROLES = ("analyst", "reviewer", "lead")
MIN_PASSWORD = 10
MAX_PASSWORD = 1024
SESSION_HOURS = 12
TOKEN_PREFIX = "ftk_"

# What each role may do. Everyone signed in may read questions, scores and
# the report. A forecast is always recorded under the signed-in user.
PERMISSIONS = {
    "forecast": {"analyst"},
    "add_question": {"analyst", "reviewer", "lead"},
    "resolve": {"reviewer"},
    "read": {"analyst", "reviewer", "lead"},
}
REFUSALS = {
    "forecast": "only analysts may forecast",
    "add_question": "this account may not add questions",
    "resolve": "only reviewers may resolve; ask a reviewer",
    "read": "this account may not read",
}


@functools.lru_cache(maxsize=1)
def _hasher():
    """Argon2id with the library's parameters, made once per process."""
    from argon2 import PasswordHasher

    return PasswordHasher()


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def check_role(role: Any) -> str:
    if role not in ROLES:
        raise ValidationError(f"unknown role {role!r} (one of {', '.join(ROLES)})")
    return role


def check_password(password: Any) -> str:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise ValidationError(f"the password must have at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise ValidationError(f"the password is longer than {MAX_PASSWORD} characters")
    return password


def allowed(role: str, action: str) -> bool:
    return role in PERMISSIONS.get(action, set())


def require(user: dict, action: str) -> None:
    """Refuse, naming the missing right, unless ``user``'s role may ``action``."""
    if not allowed(user["role"], action):
        raise ForbiddenError(f"{REFUSALS[action]} (signed in as {user['name']}, {user['role']})")


def _user_dict(row) -> dict:
    return {"name": row["name"], "role": row["role"], "created_at": row["created_at"], "disabled": bool(row["disabled"])}


def add_user(store: Store, name: str, role: str, password: str, *, now: Optional[datetime] = None) -> dict:
    from sqlalchemy import select

    name = check_analyst_name(name)
    role = check_role(role)
    password_hash = _hasher().hash(check_password(password))
    now = now or utcnow()

    def work(conn):
        if conn.execute(select(T_USER.c.name).where(T_USER.c.name == name)).first():
            raise ConflictError(f"user {name!r} already exists")
        act_as(conn, name)
        row = dict(name=name, role=role, password_hash=password_hash, created_at=now, disabled=False)
        conn.execute(T_USER.insert().values(**row))
        return _user_dict(row)

    return store.run_write(work)


def list_users(store: Store) -> list[dict]:
    from sqlalchemy import func, select

    active = (
        select(func.count()).select_from(T_TOKEN)
        .where(T_TOKEN.c.user_name == T_USER.c.name, T_TOKEN.c.revoked_at.is_(None))
        .scalar_subquery()
    )
    with store.read() as conn:
        rows = conn.execute(select(T_USER, active.label("tokens")).order_by(T_USER.c.name)).mappings().all()
    return [dict(_user_dict(r), tokens=int(r["tokens"])) for r in rows]


def get_user(conn, name: str) -> dict:
    from sqlalchemy import select

    row = conn.execute(select(T_USER).where(T_USER.c.name == name)).mappings().first()
    if row is None:
        raise NotFoundError(f"no user {name!r} (add one with: tracker user add {name} --role analyst)")
    return _user_dict(row)


def set_disabled(store: Store, name: str, disabled: bool) -> dict:
    def work(conn):
        get_user(conn, name)
        conn.execute(T_USER.update().where(T_USER.c.name == name).values(disabled=disabled))
        if disabled:
            conn.execute(T_SESSION.delete().where(T_SESSION.c.user_name == name))
        return get_user(conn, name)

    return store.run_write(work)


def make_token(store: Store, name: str, *, label: Optional[str] = None, now: Optional[datetime] = None) -> dict:
    """A new API token for ``name``: the value is returned once and kept only hashed."""
    label = check_free_text(label, "label")
    value = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = now or utcnow()

    def work(conn):
        get_user(conn, name)
        result = conn.execute(
            T_TOKEN.insert().values(user_name=name, token_hash=digest(value), label=label, created_at=now)
        )
        return {"id": result.inserted_primary_key[0], "user": name, "token": value, "label": label, "created_at": now}

    return store.run_write(work)


def revoke_token(store: Store, token_id: int, *, now: Optional[datetime] = None) -> dict:
    from sqlalchemy import select

    now = now or utcnow()

    def work(conn):
        row = conn.execute(select(T_TOKEN).where(T_TOKEN.c.id == token_id)).mappings().first()
        if row is None:
            raise NotFoundError(f"no API token with id {token_id}")
        if row["revoked_at"] is None:
            conn.execute(T_TOKEN.update().where(T_TOKEN.c.id == token_id).values(revoked_at=now))
        return {"id": token_id, "user": row["user_name"], "revoked_at": row["revoked_at"] or now}

    return store.run_write(work)


def list_tokens(store: Store, name: Optional[str] = None) -> list[dict]:
    from sqlalchemy import select

    stmt = select(T_TOKEN.c.id, T_TOKEN.c.user_name, T_TOKEN.c.label, T_TOKEN.c.created_at, T_TOKEN.c.revoked_at)
    if name:
        stmt = stmt.where(T_TOKEN.c.user_name == name)
    with store.read() as conn:
        rows = conn.execute(stmt.order_by(T_TOKEN.c.id)).mappings().all()
    return [{"id": r["id"], "user": r["user_name"], "label": r["label"], "created_at": r["created_at"],
             "revoked_at": r["revoked_at"]} for r in rows]


def user_for_token(store: Store, value: str) -> dict:
    """The user an API token belongs to, or AuthError (unknown, revoked, or
    its user disabled)."""
    _check_token_form(value)
    with store.read() as conn:
        return token_user(conn, value)


def _check_token_form(value: Any) -> None:
    if not isinstance(value, str) or not value.startswith(TOKEN_PREFIX) or len(value) > 200:
        raise AuthError("invalid API token")


@functools.lru_cache(maxsize=None)
def _lookup_statement(kind: str, act: bool):
    """The user behind a token or session (built once per process). With
    ``act``, the same statement also makes its transaction act as that
    user's role (PostgreSQL's ``set_config('role', name, true)`` is
    ``SET LOCAL ROLE``): one round trip instead of two."""
    from sqlalchemy import bindparam, func, select, true

    if kind == "token":
        table, extra, key = T_TOKEN, (T_TOKEN.c.revoked_at,), T_TOKEN.c.token_hash
    else:
        table, extra, key = T_SESSION, (T_SESSION.c.csrf, T_SESSION.c.expires_at), T_SESSION.c.id_hash
    columns = [T_USER.c.name, T_USER.c.role, T_USER.c.created_at, T_USER.c.disabled, *extra]
    if act:
        columns.append(func.set_config("role", T_USER.c.name, true()).label("acting_as"))
    return (select(*columns).select_from(table.join(T_USER, T_USER.c.name == table.c.user_name))
            .where(key == bindparam("digest")))


def _lookup(conn, kind: str, value: str, act: bool):
    from ..storage import has_roles

    act = act and has_roles(conn)
    if not act:
        return conn.execute(_lookup_statement(kind, False), {"digest": digest(value)}).mappings().first()
    from sqlalchemy.exc import DBAPIError

    try:
        return conn.execute(_lookup_statement(kind, True), {"digest": digest(value)}).mappings().first()
    except DBAPIError as exc:
        state = getattr(exc.orig, "sqlstate", None)
        if state not in ("22023", "42704", "42501"):  # no such role / not a member of it
            raise
        import re

        found = re.search(r'role "([^"]+)"', str(exc.orig))
        role = found.group(1) if found else "NAME"
        raise ForbiddenError(
            f"the server may not act as database role {role!r}: run 'tracker user add {role}' (as the server's "
            f"database user) after 'tracker db grant-analyst {role}' or grant-reviewer"
        ) from None


def token_user(conn, value: str, *, act: bool = False) -> dict:
    """:func:`user_for_token` inside ``conn``'s transaction. ``act``: on
    PostgreSQL that transaction then acts as the user's database role (a
    refused token leaves nothing behind: the caller's transaction ends with
    the error). Nothing is cached: a token revoked a moment ago is refused
    at the very next request."""
    _check_token_form(value)
    row = _lookup(conn, "token", value, act)
    if row is None:
        raise AuthError("invalid API token")
    if row["revoked_at"] is not None:
        raise AuthError("this API token was revoked")
    if row["disabled"]:
        raise AuthError(f"user {row['name']!r} is disabled")
    return _user_dict(row)


# A fixed hash to check against when the user does not exist, so that a
# missing user and a wrong password take the same time.
_DUMMY_HASH: Optional[str] = None


def authenticate(store: Store, name: str, password: str) -> dict:
    from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
    from sqlalchemy import select

    global _DUMMY_HASH
    hasher = _hasher()
    with store.read() as conn:
        row = conn.execute(select(T_USER).where(T_USER.c.name == name)).mappings().first() if name else None
    if row is None:
        if _DUMMY_HASH is None:
            _DUMMY_HASH = hasher.hash(secrets.token_hex(8))
        try:
            hasher.verify(_DUMMY_HASH, password or "")
        except (VerificationError, InvalidHashError):
            pass
        raise AuthError("wrong user name or password")
    try:
        hasher.verify(row["password_hash"], password or "")
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        raise AuthError("wrong user name or password") from None
    if row["disabled"]:
        raise AuthError(f"user {name!r} is disabled")
    return _user_dict(row)


def start_session(store: Store, name: str, *, now: Optional[datetime] = None) -> tuple[str, str]:
    """A new session for ``name``: (cookie value, CSRF token)."""
    value = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    now = now or utcnow()

    def work(conn):
        conn.execute(T_SESSION.delete().where(T_SESSION.c.expires_at < now))
        conn.execute(T_SESSION.insert().values(id_hash=digest(value), user_name=name, csrf=csrf, created_at=now,
                                               expires_at=now + timedelta(hours=SESSION_HOURS)))

    store.run_write(work)
    return value, csrf


def session_user(store: Store, value: str, *, now: Optional[datetime] = None) -> tuple[dict, str]:
    """The user and CSRF token of a session cookie, or AuthError."""
    _check_session_form(value)
    with store.read() as conn:
        return session_user_in(conn, value, now=now)


def _check_session_form(value: Any) -> None:
    if not isinstance(value, str) or not 20 <= len(value) <= 200:
        raise AuthError("not signed in")


def session_user_in(conn, value: str, *, now: Optional[datetime] = None, act: bool = False) -> tuple[dict, str]:
    """:func:`session_user` inside ``conn``'s transaction (``act``: as in
    :func:`token_user`)."""
    _check_session_form(value)
    now = now or utcnow()
    row = _lookup(conn, "session", value, act)
    if row is None or row["expires_at"] <= now or row["disabled"]:
        raise AuthError("not signed in (or the session expired)")
    return _user_dict(row), row["csrf"]


def end_session(store: Store, value: str) -> None:
    store.run_write(lambda conn: conn.execute(T_SESSION.delete().where(T_SESSION.c.id_hash == digest(value or ""))))


def same_secret(a: Optional[str], b: Optional[str]) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))
