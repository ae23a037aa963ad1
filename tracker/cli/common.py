"""What every command shares: the database option, JSON output, tables,
and the conversion of domain errors into one-line messages.

Only click and the standard library are imported here, so that
``tracker --help`` stays as quick as click itself.
"""

from __future__ import annotations

import sys
from datetime import date, datetime
from typing import Any, Callable, Iterable, Sequence

import click


def db_option(fn: Callable) -> Callable:
    """``--db URL``: the database (a SQLite path or URL, or a PostgreSQL URL)."""

    def _store(ctx: click.Context, param, value):
        if value is not None:
            ctx.ensure_object(dict)["db"] = value
        return value

    return click.option(
        "--db",
        "db",
        metavar="URL",
        default=None,
        expose_value=False,
        callback=_store,
        help="Database: a SQLite file path, sqlite:///FILE or postgresql+psycopg://USER@HOST/DB "
        "(default: $TRACKER_DATABASE_URL, the config file, or tracker.db in $TRACKER_HOME).",
    )(fn)


def json_option(fn: Callable) -> Callable:
    return click.option(
        "--json", "as_json", is_flag=True, help="Print data as JSON (stable snake_case keys) instead of a table."
    )(fn)


def selected_url() -> str:
    """The database URL chosen by --db, the environment or the config file,
    without opening it."""
    from .. import config

    ctx = click.get_current_context()
    flag = None
    while ctx is not None:
        if ctx.obj and ctx.obj.get("db"):
            flag = ctx.obj["db"]
            break
        ctx = ctx.parent
    return config.database_url(flag)


def get_store(upgrade: bool | None = None):
    """Open the database chosen by --db, the environment or the config file."""
    from ..storage import open_store

    return open_store(selected_url(), upgrade=upgrade)


def _default(value: Any):
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (set, tuple)):
        return list(value)
    if hasattr(value, "as_dict"):
        return value.as_dict()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def to_json(data: Any, *, indent: int | None = 2) -> str:
    import json  # here, not at the top: `tracker --help` needs no json

    return json.dumps(data, indent=indent, ensure_ascii=False, default=_default, allow_nan=False)


def emit_json(data: Any) -> None:
    click.echo(to_json(data))


def info(message: str) -> None:
    """A message for the person at the terminal (stderr, never data)."""
    click.echo(message, err=True)


def fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3f}"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return ",".join(fmt(v) for v in value)
    return str(value)


def table(rows: Iterable[Sequence[Any]], headers: Sequence[str], *, max_width: int = 60) -> str:
    """A plain aligned text table."""
    cells = [[fmt(v) for v in row] for row in rows]
    cells = [[c if len(c) <= max_width else c[: max_width - 1] + "…" for c in row] for row in cells]
    widths = [len(h) for h in headers]
    for row in cells:
        for i, c in enumerate(row):
            widths[i] = max(widths[i], len(c))
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in cells:
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
    return "\n".join(lines)


def parse_date_arg(value: str, what: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO date (YYYY-MM-DD)", param_hint=what) from None


class TrackerGroup(click.Group):
    """A group that turns domain errors into one line and exit code 1."""

    def invoke(self, ctx: click.Context):
        from ..errors import TrackerError

        try:
            return super().invoke(ctx)
        except TrackerError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except BrokenPipeError:
            sys.stderr.close()
            ctx.exit(1)
        except (click.exceptions.Exit, click.ClickException, click.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:  # a bug: still one line for the user
            import os

            if os.environ.get("TRACKER_DEBUG"):
                raise
            message = " ".join(str(exc).split())[:300]
            click.echo(
                f"error: unexpected {type(exc).__name__}: {message} (set TRACKER_DEBUG=1 for details)",
                err=True,
            )
            ctx.exit(1)



# ------------------------------------------------------------------ progress

PROGRESS_DELAY = 1.0  # seconds of work before a progress line appears
PROGRESS_INTERVAL = 0.1  # seconds between redraws


class Progress:
    """A one-line progress display on stderr for long work.

    Call it as ``progress(phase, done, total)`` (``total`` None when unknown).
    Nothing is drawn before the work has run ``PROGRESS_DELAY`` seconds, so
    quick commands stay silent; ``close()`` erases the line. Made by
    :func:`progress_bar` only when stderr is a terminal: output that goes to
    a file or a pipe never carries it."""

    def __init__(self, label: str, stream, *, delay: float | None = None, width: int | None = None):
        import shutil
        import time

        self.label = label
        self.stream = stream
        self._clock = time.monotonic
        self.started = self._clock()
        self.delay = PROGRESS_DELAY if delay is None else delay
        self.width = width or max(40, min(100, shutil.get_terminal_size((80, 24)).columns - 1))
        self.last_draw = 0.0
        self.shown = False

    def __call__(self, phase: str, done: int, total: int | None = None) -> None:
        now = self._clock()
        finished = total is not None and done >= total
        if now - self.started < self.delay or (now - self.last_draw < PROGRESS_INTERVAL and not finished):
            return
        self.last_draw = now
        self._draw(self.render(phase, done, total))

    def render(self, phase: str, done: int, total: int | None) -> str:
        head = f"{self.label}: {phase}"
        if total:
            share = min(1.0, max(0.0, done / total))
            tail = f" {share:4.0%}  {done:,}/{total:,}"
            room = self.width - len(head) - len(tail) - 3
            if room >= 10:
                filled = int(round(share * room))
                return f"{head} [{'#' * filled}{'-' * (room - filled)}]{tail}"
            return head + tail
        return f"{head} {done:,}"

    def _draw(self, text: str) -> None:
        text = text[: self.width]
        try:
            self.stream.write("\r" + text.ljust(self.width))
            self.stream.flush()
        except (OSError, ValueError):  # a closed terminal: give up quietly
            self.shown = False
            return
        self.shown = True

    def close(self) -> None:
        if self.shown:
            try:
                self.stream.write("\r" + " " * self.width + "\r")
                self.stream.flush()
            except (OSError, ValueError):
                pass
            self.shown = False


class progress_bar:
    """``with progress_bar("importing x.csv") as progress:`` gives a
    :class:`Progress` when stderr is a terminal, else None (pass it on as a
    service's ``progress`` argument either way)."""

    def __init__(self, label: str):
        self.label = label
        self.progress: Progress | None = None

    def __enter__(self) -> Progress | None:
        stream = sys.stderr
        try:
            tty = stream is not None and stream.isatty()
        except (AttributeError, ValueError):
            tty = False
        if tty:
            self.progress = Progress(self.label, stream)
        return self.progress

    def __exit__(self, *exc) -> None:
        if self.progress is not None:
            self.progress.close()


# ------------------------------------------------- dates, zones, ids, width


def analyst_zone():
    """The analyst's time zone (TRACKER_TIMEZONE, config.toml, the machine)."""
    from .. import config

    return config.local_timezone()


def show_time(dt, tz=None) -> str:
    """A moment in the analyst's zone, with the zone: '2026-07-31 20:30 EDT'."""
    if dt is None:
        return "-"
    local = dt.astimezone(tz or analyst_zone())
    return local.strftime("%Y-%m-%d %H:%M ") + (local.tzname() or "")


def _echo_resolved(what: str, value, label) -> None:
    if label:
        from ..services.dates import describe

        info(describe(what, value, label))


def read_date(value: str, what: str, *, echo: str | None = None):
    """A calendar date as a person writes it (ISO or a phrase), read against
    today in the analyst's zone; a phrase is echoed with the date it meant."""
    from ..errors import ValidationError
    from ..services.dates import resolve_date, today_in

    try:
        d, label = resolve_date(value, what, today=today_in(analyst_zone()))
    except ValidationError as exc:  # a bad option value: a usage error, as click's own
        raise click.BadParameter(str(exc).removeprefix(f"{what} "), param_hint=what) from None
    _echo_resolved(echo or what.lstrip("-").replace("-", " "), d, label)
    return d


def read_datetime(value: str, what: str, *, echo: str | None = None):
    """A moment as a person writes it; without a zone, in the analyst's zone."""
    from ..services.dates import resolve_datetime

    tz = analyst_zone()
    dt, label = resolve_datetime(value, what, tz=tz)
    if label:
        info(f"{echo or what.lstrip('-').replace('-', ' ')} {show_time(dt, tz)} ({label})")
    return dt


def read_days(value: str, what: str) -> int:
    """A window: '14d', '2w', '3 months', a bare number of days, or a date."""
    from ..services.dates import resolve_days, today_in

    days, label = resolve_days(value, what, today=today_in(analyst_zone()))
    if label:
        info(f"{what.lstrip('-')} {days} days ({label})")
    return days


def question_id(store, text: str) -> str:
    """A question id, or a unique prefix of one (a miss suggests ids)."""
    from ..services.week import resolve_question_id

    return resolve_question_id(store, text)


def terminal_width() -> int:
    import shutil

    return max(60, shutil.get_terminal_size((100, 24)).columns)


def wrapped_table(rows: Iterable[Sequence[Any]], headers: Sequence[str], *, wrap: int, width: int | None = None) -> str:
    """A text table whose column ``wrap`` takes the rest of the terminal's
    width and wraps onto continuation lines, never cut."""
    import textwrap

    width = width or terminal_width()
    cells = [[fmt(v) for v in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        for i, c in enumerate(row):
            if i != wrap:
                widths[i] = max(widths[i], len(c))
    used = sum(w for i, w in enumerate(widths) if i != wrap) + 2 * (len(headers) - 1)
    room = max(20, width - used)
    widths[wrap] = max(len(headers[wrap]), min(room, max((len(r[wrap]) for r in cells), default=0)))
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in cells:
        parts = textwrap.wrap(row[wrap], widths[wrap]) or [""]
        first = list(row)
        first[wrap] = parts[0]
        lines.append("  ".join(c.ljust(w) for c, w in zip(first, widths)).rstrip())
        indent = sum(w + 2 for w in widths[:wrap])
        for part in parts[1:]:
            lines.append((" " * indent + part).rstrip())
    return "\n".join(lines)


def number(value) -> str:
    """A forecast as shown in lists: 0.35 -> '35%', a vector -> 'a 20% b 80%'."""
    if value is None:
        return "-"
    if isinstance(value, dict):
        return " ".join(f"{k} {v:.0%}" for k, v in value.items())
    return f"{value:.0%}" if abs(value * 100 - round(value * 100)) < 1e-9 else f"{value:.1%}"
