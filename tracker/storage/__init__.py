"""Engines, transactions and the schema version check.

``open_store(url)`` returns a :class:`Store` whose schema is at head: a local
SQLite database upgrades itself when opened; a PostgreSQL database behind head
asks for ``tracker db upgrade``. The version check is one small query; Alembic
is imported only when a migration has to run.
"""

from __future__ import annotations

import contextlib
import os
import random
import threading
import time
from pathlib import Path
from typing import Iterator, Optional

from ..errors import DatabaseError, TrackerError, ValidationError

# Keep in step with migrations/versions (a test checks it against Alembic).
REVISIONS = ("0001", "0002", "0003", "0004", "0005", "0006", "0007")
HEAD = REVISIONS[-1]
BUSY_TIMEOUT_MS = 30_000
# the tables a backup counts and a check reads
TRACKER_TABLES = ("scenario", "analyst", "question", "question_tag", "forecast", "resolution")


class Store:
    """An engine plus the transaction helpers every service uses."""

    def __init__(self, engine, url: str):
        self.engine = engine
        self.url = url
        self.dialect = engine.dialect.name
        self.role: str | None = None
        self._bound = None  # a connection whose open transaction this view works in (see bound)
        # SQLite has one writer at a time; threads of one process (the team
        # server) queue on this lock rather than on SQLite's busy handler,
        # which sleeps in growing steps and starves under many writers
        self._write_lock = threading.Lock() if self.dialect == "sqlite" else contextlib.nullcontext()

    def as_role(self, role: str) -> "Store":
        """The same engine, each transaction run under ``SET LOCAL ROLE role``
        (PostgreSQL): the team server acts as the signed-in user, so the
        database's grants, row-level security and triggers apply to the web
        as to the command line. On SQLite there are no roles: the services'
        own rules apply."""
        import copy

        view = copy.copy(self)
        view.role = role if self.dialect == "postgresql" else None
        return view

    def bound(self, conn) -> "Store":
        """The same store working inside ``conn``'s open transaction: its
        :meth:`read`, :meth:`write` and :meth:`run_write` run there, with no
        second connection, BEGIN or role switch. The caller's transaction
        (its role already set) retries, commits or rolls back the whole.
        The team server authenticates a request and acts on it in one
        transaction this way. A database error a user can act on is
        translated here, so that the services' own wording of refusals
        applies; one worth a retry (a lock, a deadlock, a lost insert race)
        goes up unchanged for the caller's ``run_write`` to retry."""
        import copy

        view = copy.copy(self)
        view._bound = conn
        view.role = None
        return view

    @contextlib.contextmanager
    def _in_bound(self) -> Iterator:
        try:
            yield self._bound
        except self.db_errors as exc:
            if _retryable(exc) or _lost_insert_race(exc):
                raise
            translated = translate_error(exc)
            if translated is None:
                raise
            raise translated from None

    def _enter_role(self, conn) -> None:
        if self.role:
            from sqlalchemy.exc import DBAPIError

            quoted = self.engine.dialect.identifier_preparer.quote(self.role)
            try:
                conn.exec_driver_sql(f"SET LOCAL ROLE {quoted}")
            except DBAPIError as exc:
                if _sqlstate(exc) in ("22023", "42704", "42501"):  # no such role / not a member of it
                    from ..errors import ForbiddenError

                    raise ForbiddenError(
                        f"the server may not act as database role {self.role!r}: "
                        f"run 'tracker user add {self.role}' (as the server's database user) after "
                        f"'tracker db grant-analyst {self.role}' or grant-reviewer"
                    ) from None
                raise

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    @property
    def has_roles(self) -> bool:
        """Database roles, grants and row-level security apply (PostgreSQL);
        a SQLite database is shared through its file's permissions."""
        return self.dialect == "postgresql"

    @property
    def db_errors(self) -> tuple:
        """Errors from the database: SQLAlchemy's wrappers, and the driver's
        own (raised by code that uses the DBAPI cursor directly, e.g. COPY)."""
        from sqlalchemy.exc import DBAPIError

        dbapi = getattr(self.engine.dialect, "dbapi", None)
        driver = getattr(dbapi, "Error", None)
        return (DBAPIError, driver) if isinstance(driver, type) else (DBAPIError,)

    @contextlib.contextmanager
    def read(self) -> Iterator:
        if self._bound is not None:
            with self._in_bound() as conn:
                yield conn
            return
        try:
            with self.engine.connect() as conn:
                self._enter_role(conn)
                yield conn
        except self.db_errors as exc:
            translated = translate_error(exc)
            if translated is None:
                raise
            raise translated from None

    @contextlib.contextmanager
    def write(self) -> Iterator:
        """One transaction that lands whole or not at all.

        On SQLite it starts with BEGIN IMMEDIATE so that concurrent writers
        queue on the busy timeout instead of failing half-way.
        """
        if self._bound is not None:
            with self._in_bound() as conn:
                yield conn
            return
        # the connection is checked out (and later returned, with its reset)
        # outside the lock: the one writer's turn holds only the transaction
        with self.engine.connect() as conn, self._write_lock:
            conn = conn.execution_options(tracker_immediate=True)
            with conn.begin():
                self._enter_role(conn)
                yield conn

    def run_write(self, fn, *, attempts: int = 8):
        """Run ``fn(conn)`` in a write transaction, retrying when the database
        reports a lock, a serialization failure or a deadlock (with jittered
        backoff), or a lost check-then-insert race (PostgreSQL unique
        violation, twice at most). Errors a user can act on (permission
        denied, a lock that never cleared...) become a one-line
        :class:`DatabaseError`; anything else propagates unchanged."""
        if self._bound is not None:
            with self._in_bound() as conn:
                return fn(conn)
        errors = self.db_errors
        delay = 0.05
        races = 0
        for attempt in range(attempts):
            try:
                with self.write() as conn:
                    return fn(conn)
            except errors as exc:  # OperationalError, IntegrityError... derive from them
                if attempt < attempts - 1 and _retryable(exc):
                    time.sleep(delay * (1 + random.random()))
                    delay = min(delay * 2, 2.0)
                    continue
                if attempt < attempts - 1 and races < 2 and _lost_insert_race(exc):
                    # PostgreSQL, READ COMMITTED: another transaction inserted the
                    # same key between our check and our insert; run again, and the
                    # check sees its row (already present, or a ConflictError)
                    races += 1
                    time.sleep(0.01 * (1 + random.random()))
                    continue
                translated = translate_error(exc, attempts=attempt + 1)
                if translated is None:
                    raise
                raise translated from None
        raise AssertionError("unreachable")

    def dispose(self) -> None:
        self.engine.dispose()


def has_roles(conn) -> bool:
    """Whether database roles apply on this connection (PostgreSQL; SQLite has none)."""
    return conn.dialect.name == "postgresql"


def act_as(conn, role: str) -> None:
    """Let the connected database user act as ``role`` (PostgreSQL: the
    team server runs each request as its user's role, so the user must
    have one and the server's login must be a member of it). Nothing to do
    on SQLite, which has no roles."""
    if not has_roles(conn):
        return
    from ..errors import ValidationError

    if not conn.exec_driver_sql("SELECT 1 FROM pg_roles WHERE rolname = %(r)s", {"r": role}).first():
        raise ValidationError(
            f"on PostgreSQL each user needs a database role: run 'tracker db grant-analyst {role}' "
            f"(or grant-reviewer) first"
        )
    quoted = conn.dialect.identifier_preparer.quote(role)
    if not conn.exec_driver_sql("SELECT pg_has_role(current_user, %(r)s, 'MEMBER')", {"r": role}).scalar():
        conn.exec_driver_sql(f"GRANT {quoted} TO CURRENT_USER")


def _lost_insert_race(exc) -> bool:
    """A unique violation on PostgreSQL (SQLite serializes writers, so there
    a unique violation is never a race)."""
    return _sqlstate(exc) == "23505"


def _sqlstate(exc):
    """The SQLSTATE of a database error, wrapped by SQLAlchemy or raw."""
    return getattr(getattr(exc, "orig", None) or exc, "sqlstate", None)


def _retryable(exc) -> bool:
    text = str(getattr(exc, "orig", None) or exc).lower()
    code = _sqlstate(exc)
    return (
        "database is locked" in text
        or "database is busy" in text
        or code in ("40001", "40P01")  # serialization failure, deadlock
    )


# SQLSTATE classes and SQLite messages that are the user's to act on, not bugs.
_PERMISSION_STATES = ("42501",)  # insufficient_privilege (also row-level security)
_READ_ONLY_STATES = ("25006",)  # read_only_sql_transaction
_CONNECTION_CLASS = "08"  # connection exceptions
_SQLITE_MESSAGES = (
    ("attempt to write a readonly database", "the database is read-only"),
    ("database or disk is full", "the disk is full"),
    ("database disk image is malformed", "the database file is damaged (run 'tracker db verify')"),
    ("file is not a database", "not a SQLite database"),
    ("disk i/o error", "disk I/O error"),
    ("unable to open database file", "cannot open the database file"),
)


def translate_error(exc, *, attempts: int | None = None) -> TrackerError | None:
    """A one-line :class:`DatabaseError` for a database error a user can act
    on (permissions, locks that never cleared, a read-only or full disk, a
    lost connection), or None when the error is a bug to show as such.

    Row-level security refusals and append-only triggers arrive as
    insufficient_privilege on PostgreSQL: they become "permission denied: ...".
    """
    orig = getattr(exc, "orig", None) or exc
    text = " ".join(str(orig).split())
    lower = text.lower()
    code = getattr(orig, "sqlstate", None)
    if "cannot contain nul" in lower:  # psycopg refuses to send it: the user's text
        return ValidationError("text with a NUL character (\\x00) cannot be stored or looked up on PostgreSQL")
    if code in _PERMISSION_STATES:
        detail = text.split(" CONTEXT:")[0]
        if detail.lower().startswith("permission denied"):
            return DatabaseError(detail)
        return DatabaseError(f"permission denied: {detail}")
    if code in _READ_ONLY_STATES:
        return DatabaseError(f"the database refuses writes here: {text}")
    if _retryable(exc):
        tries = f" after {attempts} attempts" if attempts else ""
        return DatabaseError(f"the database stayed busy{tries} ({text}); try again later")
    if isinstance(code, str) and code.startswith(_CONNECTION_CLASS):
        return DatabaseError(f"lost the connection to the database: {text}")
    if code is None and "append-only" in lower:  # SQLite's triggers
        return DatabaseError(f"permission denied: {text}")
    for needle, what in _SQLITE_MESSAGES:
        if needle in lower:
            return DatabaseError(f"{what}: {text}")
    if getattr(exc, "connection_invalidated", False):
        return DatabaseError(f"lost the connection to the database: {text}")
    return None


def make_engine(url: str, *, pool_size: int | None = None):
    """Create an engine with the connection settings the tool relies on.

    A command opens one connection and closes it (no pool); a server passes
    ``pool_size`` and keeps that many connections open for its requests."""
    from sqlalchemy import create_engine, event
    from sqlalchemy.exc import ArgumentError
    from sqlalchemy.pool import NullPool, StaticPool

    if "://" in url and url.split("://", 1)[1].split("/", 1)[0].count("@") > 1:
        raise DatabaseError(f"malformed database URL {safe_url(url)}: the user or password holds '@': write it as %40")
    try:
        if url.startswith("sqlite"):
            if _sqlite_in_memory(url):
                # every new connection to :memory: is a new, empty database: keep one
                engine = create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False})
            elif pool_size:
                engine = create_engine(url, pool_size=pool_size, max_overflow=0, pool_timeout=30,
                                       connect_args={"check_same_thread": False})
            else:
                engine = create_engine(url, poolclass=NullPool)
            _sqlite_events(engine, event)
        elif pool_size:
            engine = create_engine(url, pool_size=pool_size, max_overflow=0, pool_timeout=30,
                                   connect_args={"connect_timeout": 10})
            _ping_when_idle(engine, event)
        else:
            engine = create_engine(url, poolclass=NullPool, connect_args={"connect_timeout": 10})
    except (ArgumentError, ValueError) as exc:  # ValueError: e.g. a port that is not a number
        raise DatabaseError(f"malformed database URL {safe_url(url)}: {exc}") from None
    except ModuleNotFoundError as exc:
        raise DatabaseError(
            f"the database driver is not installed ({exc.name}): "
            "install forecast-tracker[postgres] for PostgreSQL"
        ) from None
    return engine


def sqlite_file(url: str) -> Optional[Path]:
    """The file behind a SQLite URL, None for an in-memory database or another backend."""
    if not url.startswith("sqlite"):
        return None
    rest = url.split("://", 1)[1]
    if not rest.startswith("/") or rest in ("/", "/:memory:"):
        return None
    path = rest[1:].split("?", 1)[0]
    return Path(path) if path else None


# a pooled connection unused for longer than this is pinged before use
IDLE_PING_SECONDS = 5.0


def _ping_when_idle(engine, event) -> None:
    """Ping a pooled connection at checkout only when it sat idle for
    :data:`IDLE_PING_SECONDS`: one that broke meanwhile (the database
    restarted, a firewall dropped it) is replaced before a request sees it,
    and a busy server does not pay a round trip per request for it. A
    connection that breaks while in use fails that request, as with
    SQLAlchemy's own pre-ping."""
    from sqlalchemy.exc import DisconnectionError

    @event.listens_for(engine, "connect")
    def _connected(dbapi_conn, record):
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkin")
    def _checked_in(dbapi_conn, record):
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checkout(dbapi_conn, record, proxy):
        if time.monotonic() - record.info.get("idle_since", 0.0) < IDLE_PING_SECONDS:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_conn)
        except Exception:
            alive = False
        if not alive:
            raise DisconnectionError("a pooled connection was closed while idle")


def _sqlite_in_memory(url: str) -> bool:
    rest = url.split("://", 1)[1] if "://" in url else url
    path = rest[1:].split("?", 1)[0] if rest.startswith("/") else ""
    return path in ("", ":memory:") or "mode=memory" in rest


def _sqlite_events(engine, event) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, record):  # pragma: no cover - trivial
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        if conn.get_execution_options().get("tracker_immediate"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


def _describe(exc: Exception) -> str:
    orig = getattr(exc, "orig", None) or exc
    return " ".join(str(orig).split())


def current_revision(conn) -> str | None:
    """The schema revision recorded in the database, or None for a new one."""
    if conn.dialect.name == "sqlite":
        exists = conn.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'"
        ).first()
    else:
        exists = conn.exec_driver_sql("SELECT to_regclass('alembic_version')").scalar()
    if not exists:
        return None
    return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


def _has_foreign_tables(conn) -> bool:
    if conn.dialect.name == "sqlite":
        row = conn.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name IN ('question','forecast')"
        ).first()
    else:
        row = conn.exec_driver_sql("SELECT to_regclass('question')").scalar()
    return bool(row)


def open_store(url: str, *, upgrade: bool | None = None, pool_size: int | None = None) -> Store:
    """Open the database at ``url`` with its schema at head.

    ``upgrade=None`` upgrades a local SQLite database automatically and asks
    for ``tracker db upgrade`` elsewhere; ``True`` always upgrades.
    """
    from sqlalchemy.exc import DBAPIError, SQLAlchemyError

    if url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///"):])
        if str(path) and not path.parent.exists():
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise DatabaseError(f"cannot create the data directory {path.parent}: {exc.strerror}") from None
    engine = make_engine(url, pool_size=pool_size)
    store = Store(engine, url)
    try:
        with engine.connect() as conn:
            rev = current_revision(conn)
            foreign = rev is None and _has_foreign_tables(conn)
    except DBAPIError as exc:
        engine.dispose()
        raise DatabaseError(f"cannot open database {safe_url(url)}: {_describe(exc)}") from None
    except SQLAlchemyError as exc:
        engine.dispose()
        raise DatabaseError(f"cannot open database {safe_url(url)}: {_describe(exc)}") from None
    if foreign:
        engine.dispose()
        raise DatabaseError(f"{safe_url(url)} holds tables of another schema (no alembic_version): not a tracker database")
    if rev is not None and rev not in REVISIONS:
        engine.dispose()
        raise DatabaseError(
            f"database schema revision {rev} is newer than this version of tracker knows (head {HEAD}); upgrade forecast-tracker"
        )
    if rev != HEAD:
        auto = store.is_sqlite if upgrade is None else upgrade
        if not auto:
            engine.dispose()
            where = "empty" if rev is None else f"at revision {rev}"
            raise DatabaseError(f"database schema is {where}, head is {HEAD}: run 'tracker db upgrade'")
        migrate(store)
    return store


def migrate(store: Store, target: str = "head") -> None:
    """Run the Alembic migrations up to ``target`` (serialized across processes)."""
    from sqlalchemy.exc import SQLAlchemyError

    from .migrations import run_upgrade

    try:
        with _migration_lock(store):
            with store.engine.connect() as conn:
                if target == "head" and current_revision(conn) == HEAD:
                    return
            with store.engine.begin() as conn:
                if store.is_sqlite:
                    pass
                run_upgrade(conn, target)
    except SQLAlchemyError as exc:
        raise DatabaseError(f"schema upgrade failed: {_describe(exc)}") from None


@contextlib.contextmanager
def _migration_lock(store: Store):
    """A file lock beside a SQLite database; an advisory lock on PostgreSQL."""
    if store.is_sqlite and store.url.startswith("sqlite:///") and len(store.url) > len("sqlite:///"):
        import fcntl

        lock_path = store.url[len("sqlite:///"):] + ".lock"
        fd = os.open(lock_path, os.O_CREAT | os.O_RDWR, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
    elif store.dialect == "postgresql":
        with store.engine.connect() as conn:
            conn.exec_driver_sql("SELECT pg_advisory_lock(7301984)")
            try:
                yield
            finally:
                conn.exec_driver_sql("SELECT pg_advisory_unlock(7301984)")
                conn.commit()
    else:
        yield


def safe_url(url: str) -> str:
    """The URL with any password masked, for messages (also a ``password=`` in its query)."""
    from ..safetext import redact_urls

    if "://" in url and "@" in url:
        scheme, rest = url.split("://", 1)
        cred, host = rest.rsplit("@", 1)
        if ":" in cred:
            cred = cred.split(":", 1)[0] + ":***"
        url = f"{scheme}://{cred}@{host}"
    return redact_urls(url)
