"""Configuration, resolved at call time (never at import).

Database URL: the ``--db`` flag, then ``TRACKER_DATABASE_URL``, then
``database_url`` in the config file (``config.toml`` in the data directory),
then a SQLite file ``tracker.db`` in the data directory.

Data directory: ``TRACKER_HOME``, else the platform's user data directory.

Analyst: the ``--analyst`` flag, then ``TRACKER_ANALYST``, then on PostgreSQL the
database role the URL connects as, then the login name.
"""

from __future__ import annotations

import getpass
import os
from pathlib import Path

from .errors import DatabaseError, ValidationError

APP_NAME = "forecast-tracker"


def data_dir() -> Path:
    home = os.environ.get("TRACKER_HOME")
    if home:
        return Path(home).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


def config_file() -> Path:
    return data_dir() / "config.toml"


def _from_config_file() -> str | None:
    path = config_file()
    if not path.is_file():
        return None
    import tomllib

    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise DatabaseError(f"cannot read config file {path}: {exc}") from None
    url = data.get("database_url")
    if url is not None and not isinstance(url, str):
        raise DatabaseError(f"config file {path}: database_url must be a string")
    return url


def normalize_url(url: str) -> str:
    """Turn what a user typed into a SQLAlchemy URL we support.

    A plain path (no ``://``) means a SQLite file. ``postgres://`` and
    ``postgresql://`` use the psycopg (version 3) driver.
    """
    url = url.strip()
    if not url:
        raise DatabaseError("database URL is empty")
    if "://" not in url:
        if url == ":memory:":
            return "sqlite://"
        return "sqlite:///" + str(Path(url).expanduser().absolute())
    scheme, _, rest = url.partition("://")
    scheme = scheme.lower()
    if scheme in ("postgres", "postgresql", "postgresql+psycopg"):
        return "postgresql+psycopg://" + rest
    if scheme in ("sqlite", "sqlite+pysqlite"):
        return "sqlite://" + rest
    raise DatabaseError(
        f"unsupported database URL scheme {scheme!r}: use a SQLite path or "
        "sqlite:///FILE, or postgresql+psycopg://USER@HOST/DB"
    )


def database_url(flag: str | None = None) -> str:
    url = flag or os.environ.get("TRACKER_DATABASE_URL") or _from_config_file()
    if url:
        return normalize_url(url)
    return "sqlite:///" + str((data_dir() / "tracker.db").absolute())


def database_role(url: str | None) -> str | None:
    """The role a PostgreSQL URL connects as (its user, else ``PGUSER``), or
    None for SQLite and for a URL that leaves the role to the login name."""
    if not url or not url.startswith("postgresql"):
        return None
    from urllib.parse import unquote, urlsplit

    try:
        user = urlsplit(url).username
    except ValueError:
        user = None
    return unquote(user) if user else (os.environ.get("PGUSER") or None)


def analyst_name(flag: str | None = None, url: str | None = None) -> str:
    """The flag, then ``TRACKER_ANALYST``, then on PostgreSQL the database
    role (the name row-level security holds the user to), then the login name."""
    name = flag or os.environ.get("TRACKER_ANALYST") or database_role(url)
    if not name:
        try:
            name = getpass.getuser()
        except Exception:  # no login name in some containers
            name = None
    if not name:
        raise ValidationError("no analyst name: pass --analyst or set TRACKER_ANALYST")
    return name.strip()


def _config_value(key: str):
    path = config_file()
    if not path.is_file():
        return None
    import tomllib

    try:
        with path.open("rb") as fh:
            return tomllib.load(fh).get(key)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise DatabaseError(f"cannot read config file {path}: {exc}") from None


def zone(name: str, what: str = "time zone"):
    """The ``tzinfo`` of an IANA zone name ('Europe/Berlin', 'UTC')."""
    from datetime import timezone
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = str(name).strip()
    if name.upper() in ("UTC", "Z", "GMT"):
        return timezone.utc
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValidationError(f"unknown {what} {name!r} (use an IANA name such as Europe/Berlin, America/New_York or UTC)") from None


def local_timezone():
    """The analyst's time zone: ``TRACKER_TIMEZONE``, then ``timezone`` in
    the config file, then the machine's zone. Dates and times typed without
    a zone are read in it, and times are shown in it."""
    name = os.environ.get("TRACKER_TIMEZONE") or _config_value("timezone")
    if name:
        if not isinstance(name, str):
            raise DatabaseError(f"config file {config_file()}: timezone must be a string")
        return zone(name, "time zone (TRACKER_TIMEZONE or timezone in config.toml)")
    tz = os.environ.get("TZ")
    if tz:
        try:
            return zone(tz.lstrip(":"))
        except ValidationError:
            pass
    from datetime import datetime

    return datetime.now().astimezone().tzinfo
