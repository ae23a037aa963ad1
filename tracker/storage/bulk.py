"""Bulk writes and raw reads: the one place where SQLite and PostgreSQL
differ for the services' bulk paths.

The CSV import, the foreign importers and the JSON restore keep times as
canonical naive-UTC text ('YYYY-MM-DD HH:MM:SS.ffffff', SQLAlchemy's SQLite
storage format, which sorts as it orders in time) and write rows through the
DBAPI: ``executemany`` on SQLite, ``COPY`` on PostgreSQL, plain INSERTs on a
PostgreSQL table under row-level security (``COPY`` refuses those). How a
value is spelt for the backend (a time zone suffix, booleans as 0/1) is
:class:`Encoding`'s business; the services ask for it and never look at the
dialect themselves.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timezone
from typing import Any, Iterable

from .queries import CHUNK  # noqa: F401 (rows in one Core INSERT, as ids in one IN list)

UTC = timezone.utc


# -------------------------------------------------------- canonical times


def ts(dt: datetime) -> str:
    """A datetime as the canonical naive-UTC text (SQLAlchemy's SQLite storage format)."""
    if dt.tzinfo is not None:
        dt = dt.astimezone(UTC).replace(tzinfo=None)
    return dt.isoformat(" ", "microseconds")


def dt(text: str) -> datetime:
    """Canonical text back to an aware UTC datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def stored_ts(value: Any) -> str:
    """A time as read raw from the database (SQLite text or a datetime) -> canonical text."""
    if isinstance(value, str):
        if len(value) == 26:
            return value
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return ts(value)


@dataclasses.dataclass(frozen=True)
class Encoding:
    """How a bulk write spells values for one backend. ``tz``: appended to
    canonical time text (PostgreSQL's COPY reads naive text in the session's
    zone: "+00" says UTC); ``true``/``false``: the booleans as the driver
    takes them."""

    tz: str = ""
    true: Any = 1
    false: Any = 0

    def ts(self, text: str) -> str:
        """Canonical time text as the backend takes it."""
        return text + self.tz

    def bool(self, value) -> Any:
        return self.true if value else self.false


SQLITE = Encoding()
POSTGRESQL = Encoding(tz="+00", true=True, false=False)


def encoding(conn) -> Encoding:
    return SQLITE if conn.dialect.name == "sqlite" else POSTGRESQL


def raw_time(conn, column):
    """``column`` (a timestamp) as a raw read returns it in a form
    :func:`stored_ts` takes: text on SQLite (no per-row parsing), the
    driver's datetime on PostgreSQL."""
    if conn.dialect.name != "sqlite":
        return column
    from sqlalchemy import String, type_coerce

    return type_coerce(column, String)


# ---------------------------------------------------------------- writes


def insert_rows(conn, table, columns: tuple[str, ...], rows: list[tuple], *, progress=None, phase: str = "storing") -> None:
    """Insert already-encoded rows (see :class:`Encoding`) through the DBAPI:
    ``executemany`` on SQLite, ``COPY`` on PostgreSQL, plain INSERTs where
    row-level security is active (an analyst's or a reviewer's role: the
    policies check row by row), SQLAlchemy Core elsewhere."""
    if not rows:
        return
    total = len(rows)
    dialect = conn.dialect.name
    if dialect == "sqlite":
        executemany(conn, table, columns, rows, step=20_000, progress=progress, phase=phase)
    elif dialect == "postgresql" and conn.exec_driver_sql(f"SELECT row_security_active('{table.name}')").scalar():
        executemany(conn, table, columns, rows, step=5_000, progress=progress, phase=phase)
    elif dialect == "postgresql":
        cur = conn.connection.driver_connection.cursor()
        step = 20_000
        try:
            with cur.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
                write = copy.write_row
                for start in range(0, total, step):
                    for row in rows[start : start + step]:
                        write(row)
                    if progress is not None:
                        progress(phase, min(start + step, total), total)
        finally:
            cur.close()
    else:  # pragma: no cover - the two supported backends are above
        for start in range(0, total, CHUNK):
            conn.execute(table.insert(), [dict(zip(columns, r)) for r in rows[start : start + CHUNK]])


def executemany(conn, table, columns, rows: list, *, step: int = 20_000, progress=None, phase: str = "storing") -> None:
    """INSERTs of ``rows`` through the driver's executemany, ``step`` rows a call."""
    placeholder = "?" if conn.dialect.name == "sqlite" else "%s"
    cur = conn.connection.driver_connection.cursor()
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join([placeholder] * len(columns))})"
    total = len(rows)
    try:
        for start in range(0, total, step):
            cur.executemany(sql, rows[start : start + step])
            if progress is not None:
                progress(phase, min(start + step, total), total)
    finally:
        cur.close()


def insert_ignoring_duplicates(conn, table, keys: list[str]):
    """An INSERT of ``table`` that skips rows whose ``keys`` exist already
    (another transaction may add the same row between a check and the insert)."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif conn.dialect.name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - the two supported backends are above
        return table.insert()
    return insert(table).on_conflict_do_nothing(index_elements=keys)


def ensure_analysts(conn, names: Iterable[str], now: datetime) -> None:
    """Insert the analysts that do not exist yet."""
    from sqlalchemy import select

    from .queries import chunked
    from .tables import T_ANALYST

    wanted = sorted(set(names))
    if not wanted:
        return
    existing: set[str] = set()
    for chunk in chunked(wanted):
        existing.update(r[0] for r in conn.execute(select(T_ANALYST.c.name).where(T_ANALYST.c.name.in_(chunk))))
    new = [{"name": n, "team": None, "created_at": now} for n in wanted if n not in existing]
    if new:
        # Another transaction may add the same analyst between the SELECT and
        # the INSERT (PostgreSQL, READ COMMITTED): let the first one win.
        conn.execute(insert_ignoring_duplicates(conn, T_ANALYST, ["name"]), new)


def reset_id_sequences(conn, tables: tuple[str, ...]) -> None:
    """After rows were inserted with their ids given (a restore), the next
    id of each table follows the largest stored (PostgreSQL's sequences do
    not see explicit ids; SQLite's INTEGER PRIMARY KEY does)."""
    if conn.dialect.name != "postgresql":
        return
    for table in tables:
        conn.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
        )
