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


def to_json(data: Any, *, indent: int | None = 2) -> str:
    from ..encoding import dumps

    return dumps(data, indent=indent)


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
