"""``tracker db backup``: an online backup of a live SQLite database.

SQLite's online backup API copies a consistent snapshot while other
processes keep writing; the copy is checked and then moved into place. The
database itself and the files SQLite keeps beside it (-wal, -shm, -journal,
the migration lock) are refused as destinations. A PostgreSQL database is
backed up with its own tools (pg_dump).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

from ..errors import ConflictError, DatabaseError
from . import TRACKER_TABLES, sqlite_file


def backup(url: str, target: str | os.PathLike, *, force: bool = False) -> dict:
    """Copy the live SQLite database at ``url`` to ``target``, consistently.

    The copy is written beside the target, checked with
    ``PRAGMA integrity_check`` and renamed into place, so a failed backup
    never leaves a half-written file under the target's name.
    """
    import sqlite3

    from . import BUSY_TIMEOUT_MS, safe_url

    if not url.startswith("sqlite"):
        raise DatabaseError(
            f"tracker db backup copies a SQLite database; {safe_url(url)} is PostgreSQL: "
            "use pg_dump (e.g. pg_dump -Fc -f tracker.dump DBNAME) and pg_restore"
        )
    source = sqlite_file(url)
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
