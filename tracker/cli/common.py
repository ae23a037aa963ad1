"""What every command shares: the database option, JSON output, tables,
and the conversion of domain errors into one-line messages.

Only click and the standard library are imported here, so that
``tracker --help`` stays as quick as click itself.
"""

from __future__ import annotations

import re
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


# ------------------------------------------------ what a score, report or plot covers

MODE_CHOICES = ("final", "initial", "time-weighted")  # tracker.scope.MODES (not imported: --help stays quick)
FORECAST_CHOICES = ("auto", "live", "history", "all")  # tracker.scope.FORECAST_SETS


def _options(fn: Callable, options: Sequence[Callable]) -> Callable:
    for opt in reversed(options):
        fn = opt(fn)
    return fn


def _question_scope() -> tuple:
    return (
        click.option("--quarter", metavar="YYYYQN",
                     help="Only questions whose deadline falls in this quarter (e.g. 2018Q3)."),
        click.option("--scenario", metavar="ID", help="Only this scenario's questions."),
    )


def scope_options(fn: Callable) -> Callable:
    """``--quarter``, ``--scenario``, ``--analyst``, ``--tag``, ``--forecasts``: the scope of a score, a
    report, a plot (:class:`tracker.scope.Scope`), declared once for every command that takes it."""
    return _options(fn, (
        *_question_scope(),
        click.option("--analyst", metavar="NAME", help="Only this analyst's forecasts."),
        click.option("--tag", metavar="TAG", help="Only questions with this tag."),
        click.option("--forecasts", "forecast_set", type=click.Choice(FORECAST_CHOICES), default="auto",
                     show_default=True,
                     help="Live forecasts (logged when made), imported history (times claimed, not witnessed), or "
                          "all; auto: live when the database has any, else history."),
    ))


def question_scope_options(fn: Callable) -> Callable:
    """``--quarter``, ``--scenario``, ``--tag``: the questions of a scope (for commands that choose their
    analysts and forecasts otherwise)."""
    return _options(fn, (*_question_scope(), click.option("--tag", metavar="TAG", help="Only questions with this tag.")))


def mode_option(fn: Callable) -> Callable:
    """``--mode``: which forecast of each (question, analyst) pair is scored."""
    return click.option("--mode", type=click.Choice(MODE_CHOICES), default="final", show_default=True,
                        help="Which forecast of each (question, analyst) pair is scored.")(fn)


def scale_option(fn: Callable) -> Callable:
    """``--scale``: the Brier scale."""
    return click.option("--scale", type=click.Choice(["0-1", "0-2"]), default="0-1", show_default=True,
                        help="Brier scale: (p-y)^2, or the Good Judgment two-outcome sum 2(p-y)^2.")(fn)


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
    from ..jsonable import dumps  # here, not at the top: `tracker --help` needs no json

    from ..safetext import json_safe

    return json_safe(dumps(data, indent=indent))


def emit_json(data: Any) -> None:
    click.echo(to_json(data))


def info(message: str) -> None:
    """A message for the person at the terminal (stderr, never data), its control characters shown as escapes."""
    from ..safetext import shown

    click.echo(shown(message), err=True)


def fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3f}"
    if isinstance(value, datetime):
        # a moment is shown in the analyst's zone, with the zone; a naive time as it is
        return show_time(value) if value.tzinfo is not None else value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return ",".join(fmt(v) for v in value)
    from ..safetext import shown

    return shown(str(value), one_line=True)


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


_READ_CHUNK = 1 << 20


def read_limited(path: str, limit: int, *, what: str = "a file") -> tuple[bytes, str]:
    """(content, name) of the file at ``path`` (``-``: standard input), read a
    megabyte at a time and refused as soon as it passes ``limit`` bytes, or
    when its first megabyte holds a NUL byte without a UTF-16 byte-order mark
    or a zip archive's signature (binary data: ``/dev/zero``, an image), so that an endless or huge input
    costs at most ``limit`` bytes of memory and stops at once."""
    import os

    from ..errors import FileFormatError

    name = "standard input" if path == "-" else os.path.basename(path.rstrip("/")) or path
    try:
        if path == "-":
            stream = getattr(sys.stdin, "buffer", sys.stdin)
            own = False
        else:
            if os.path.isdir(path):
                raise FileFormatError(f"{path}: is a folder, not a file")
            stream = open(path, "rb")
            own = True
    except FileNotFoundError:
        raise FileFormatError(f"{path}: no such file") from None
    except PermissionError:
        raise FileFormatError(f"{path}: permission denied") from None
    except OSError as exc:
        raise FileFormatError(f"{path}: cannot be read ({exc.strerror or type(exc).__name__})") from None
    try:
        chunks: list[bytes] = []
        size = 0
        while True:
            try:
                chunk = stream.read(_READ_CHUNK)
            except OSError as exc:
                raise FileFormatError(f"{path}: cannot be read ({exc.strerror or type(exc).__name__})") from None
            if isinstance(chunk, str):
                chunk = chunk.encode("utf-8")
            if not chunk:
                break
            # a zip archive (a Metaculus export) is binary by design; the importer reads it
            if not chunks and b"\x00" in chunk and not chunk.startswith((b"\xff\xfe", b"\xfe\xff", b"PK\x03\x04")):
                raise FileFormatError(f"{name}: binary file (NUL bytes), not text")
            size += len(chunk)
            if size > limit:
                raise FileFormatError(f"{name}: larger than {limit // (1 << 20):,} MB, the limit for {what}")
            chunks.append(chunk)
        return b"".join(chunks), name
    finally:
        if own:
            stream.close()


def parse_date_arg(value: str, what: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO date (YYYY-MM-DD)", param_hint=what) from None


_NEGATIVE_NUMBER = re.compile(r"^-(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?%?$")


def _number_aware_parser(command: click.Command):
    """``command.make_parser`` where a negative number (``-0.1``, ``-5%``)
    that is not one of the command's options is read as an argument, not as
    an unknown option ``-0`` (argparse's rule), so that the argument's own
    check can say what is wrong with it."""
    make = type(command).make_parser

    def make_parser(ctx: click.Context):
        parser = make(command, ctx)
        process = parser._process_opts

        def _process_opts(arg: str, state) -> None:
            known = {**getattr(parser, "_short_opt", {}), **getattr(parser, "_long_opt", {})}
            if _NEGATIVE_NUMBER.match(arg) and arg not in known:
                state.largs.append(arg)
                return
            process(arg, state)

        parser._process_opts = _process_opts
        return parser

    return make_parser


def _accept_negative_numbers(command: click.Command) -> click.Command:
    if not getattr(command, "_tracker_numbers", False):
        command.make_parser = _number_aware_parser(command)
        command._tracker_numbers = True
        if isinstance(command, click.Group):
            for sub in command.commands.values():
                _accept_negative_numbers(sub)
    return command


def usage_error_line(exc: click.UsageError) -> str:
    """click's three lines (Usage, Try, Error) as one: the message and where to find help."""
    from ..safetext import shown

    message = " ".join(exc.format_message().split()).rstrip(".")
    path = exc.ctx.command_path if exc.ctx is not None else "tracker"
    return shown(f"error: {message} (see '{path} --help')", one_line=True)


def error_line(message: str) -> str:
    """``error: message`` on one line, its control characters shown as escapes and any password in a
    database URL replaced by ``***``."""
    from ..safetext import redact_urls, shown

    return shown(f"error: {redact_urls(message)}", one_line=True)


class _ShownStream:
    """Standard output for a person: what a command writes has its control characters shown as escapes
    (newlines and tabs kept). Everything else is the wrapped stream's."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text):
        if isinstance(text, str):
            from ..safetext import shown

            text = shown(text)
        return self._stream.write(text)

    def __getattr__(self, name):
        return getattr(self._stream, name)


def emit_raw(text: str) -> None:
    """Write data that must reach standard output byte for byte (a file's
    content, such as an iCalendar file with its CRLF line ends), past the
    escaping of control characters meant for a person's terminal."""
    stream = sys.stdout._stream if isinstance(sys.stdout, _ShownStream) else sys.stdout
    stream.write(text)
    stream.flush()


class TrackerGroup(click.Group):
    """A group that turns domain errors into one line and exit code 1, and
    usage errors into one line and exit code 2."""

    def make_context(self, info_name, args, parent=None, **extra):
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.exceptions.NoArgsIsHelpError:
            raise  # a group called alone shows its help
        except click.UsageError as exc:
            if parent is not None:
                raise  # the top-level group says it
            click.echo(usage_error_line(exc), err=True)
            raise click.exceptions.Exit(exc.exit_code) from None

    def resolve_command(self, ctx: click.Context, args):
        try:
            name, command, rest = super().resolve_command(ctx, args)
        except click.exceptions.NoSuchCommand as exc:  # suggest among every command, loaded or not
            raise click.exceptions.NoSuchCommand(str(args[0]), possibilities=self.list_commands(ctx),
                                                 ctx=ctx) from None
        if command is not None:
            _accept_negative_numbers(command)
        return name, command, rest

    def invoke(self, ctx: click.Context):
        command = [*getattr(ctx, "_protected_args", ()), *ctx.args][:1]
        # export's standard output is data to keep byte for byte (a file's content), not text for a person
        if ctx.parent is None and command != ["export"] and not isinstance(sys.stdout, _ShownStream):
            stdout = sys.stdout
            sys.stdout = _ShownStream(stdout)
            try:
                return self._invoke(ctx)
            finally:
                sys.stdout = stdout
        return self._invoke(ctx)

    def _invoke(self, ctx: click.Context):
        from ..errors import TrackerError

        try:
            return super().invoke(ctx)
        except TrackerError as exc:
            click.echo(error_line(str(exc)), err=True)
            ctx.exit(exc.exit_code)
        except click.exceptions.NoArgsIsHelpError:
            raise
        except click.UsageError as exc:
            click.echo(usage_error_line(exc), err=True)
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
            click.echo(error_line(f"unexpected {type(exc).__name__}: {message} (set TRACKER_DEBUG=1 for details)"),
                       err=True)
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
