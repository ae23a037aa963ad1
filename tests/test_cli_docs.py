"""Every command and every option of the command line is shown in use: an
example line in the command's ``--help`` or in the README.

An example is a line that starts with ``tracker`` and the command's full name
(``tracker db verify ...``), a trailing backslash continuing it on the next
line; an option counts as shown when one of its names appears in an example
of its command. The options every command shares (``--db``, ``--json``) are
shown once, in ``tracker --help``.
"""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from tracker.cli import main
from tracker.cli.common import db_option, json_option

README = Path(__file__).resolve().parents[1] / "README.md"


def commands(group: click.Group = main, path: tuple[str, ...] = ()):
    """(full name, command) for every command and group under ``group``."""
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        cmd = group.get_command(ctx, name)
        yield path + (name,), cmd
        if isinstance(cmd, click.Group):
            yield from commands(cmd, path + (name,))


def example_lines(text: str) -> list[str]:
    """The lines of ``text`` that start with ``tracker``, continuations joined."""
    out, pending = [], ""
    for raw in text.splitlines():
        line = raw.strip().removeprefix("$ ").strip()
        if pending:
            line = pending + " " + line
            pending = ""
        if line.endswith("\\"):
            pending = line[:-1].rstrip()
            continue
        if line == "tracker" or line.startswith("tracker "):
            out.append(line)
    return out


def tokens(line: str) -> list[str]:
    """Words of an example, ``--opt=value`` split, the global ``--db URL`` dropped."""
    words = [w.split("=", 1)[0] if w.startswith("-") else w for w in line.split()]
    if words[1:2] == ["--db"]:
        del words[1:3]
    return words


def examples_of(path: tuple[str, ...], text: str) -> list[list[str]]:
    return [t for t in map(tokens, example_lines(text)) if t[1 : 1 + len(path)] == list(path)]


def docs_of(cmd: click.Command) -> str:
    return "\n".join(filter(None, (cmd.help, cmd.epilog)))


def option_names(cmd: click.Command) -> list[tuple[str, list[str]]]:
    """(parameter name, its option strings) of every visible option but --help."""
    out = []
    for p in cmd.params:
        if isinstance(p, click.Option) and not p.hidden:
            names = [o for o in p.opts + p.secondary_opts if o not in ("--help", "-h")]
            if names:
                out.append((p.name, names))
    return out


def shared_option_names() -> set[str]:
    """The option strings of the options every command may carry (--db, --json)."""

    @db_option
    @json_option
    @click.command()
    def probe(**kwargs):  # pragma: no cover - never run
        pass

    return {o for _, names in option_names(probe) for o in names}


SHARED = shared_option_names()
ALL = sorted(commands(), key=lambda pc: pc[0])
README_TEXT = README.read_text(encoding="utf-8")


def test_the_walk_finds_every_command_and_subcommand():
    names = {" ".join(path) for path, _ in ALL}
    assert {"forecast", "import", "db", "db verify", "question add"} <= names


@pytest.mark.parametrize("path", [p for p, _ in ALL], ids=" ".join)
def test_every_command_has_an_example(path):
    cmd = dict(ALL)[path]
    found = examples_of(path, docs_of(cmd)) + examples_of(path, README_TEXT)
    assert found, f"no example of 'tracker {' '.join(path)}' in its --help or the README"


@pytest.mark.parametrize("path", [p for p, _ in ALL], ids=" ".join)
def test_every_option_appears_in_an_example(path):
    cmd = dict(ALL)[path]
    found = examples_of(path, docs_of(cmd)) + examples_of(path, README_TEXT)
    used = {w for example in found for w in example}
    missing = ["/".join(names) for _, names in option_names(cmd)
               if not set(names) & used and not set(names) <= SHARED]
    assert not missing, f"tracker {' '.join(path)}: no example shows {', '.join(missing)}"


def test_the_shared_options_are_shown_in_the_main_help():
    shown = {w for line in example_lines(main.help or "") for w in line.split()}
    assert SHARED and SHARED <= shown, f"tracker --help shows no example with {sorted(SHARED - shown)}"


def test_an_undocumented_option_is_caught():
    """The check itself: an option no example uses is reported."""

    @click.command(help="Do it.\n\n\b\nExample:\n  tracker probe --shown 1")
    @click.option("--shown")
    @click.option("--hidden-from-docs")
    def probe(**kwargs):  # pragma: no cover - never run
        pass

    found = examples_of(("probe",), docs_of(probe))
    used = {w for example in found for w in example}
    assert [n for _, names in option_names(probe) for n in names if n not in used] == ["--hidden-from-docs"]
    assert examples_of(("probe",), "  tracker --db x.db probe \\\n    --shown=2") == [["tracker", "probe", "--shown"]]


def argv_of(example: str) -> list[str]:
    """The command line of an example, without the program name, a trailing
    remark ("# ...", "(...)") or a shell redirection; a command substitution
    ``$(...)`` stands for one word."""
    import shlex

    line = re.split(r"\s{2,}\(|\s+#\s|\s+[<>|]\s", example)[0]
    return shlex.split(re.sub(r"\$\([^)]*\)", "X", line))[1:]


def parse(argv: list[str]) -> click.Context:
    """Parse ``argv`` down to the command it names, as ``tracker`` would,
    without running anything (click raises a UsageError on a bad line)."""
    ctx = main.make_context("tracker", list(argv))
    cmd: click.Command = main
    while isinstance(cmd, click.Group):
        rest = ctx._protected_args + ctx.args
        name, cmd, rest = cmd.resolve_command(ctx, rest)
        ctx = cmd.make_context(name, rest, parent=ctx)
    return ctx


HELP_EXAMPLES = sorted({(" ".join(path), line) for path, cmd in ALL + [((), main)]
                        for line in example_lines(docs_of(cmd))})
README_EXAMPLES = sorted(set(example_lines(README_TEXT)))


@pytest.mark.parametrize("where, example", HELP_EXAMPLES, ids=[e for _, e in HELP_EXAMPLES])
def test_every_help_example_is_a_valid_command_line(where, example):
    ctx = parse(argv_of(example))
    assert ctx.command.name == (where.split()[-1] if where else ctx.command.name)


@pytest.mark.parametrize("example", README_EXAMPLES)
def test_every_readme_example_is_a_valid_command_line(example):
    parse(argv_of(example))


def test_a_bad_example_would_be_caught():
    with pytest.raises(click.UsageError):
        parse(argv_of("tracker score --mode sideways"))
    with pytest.raises(click.UsageError):
        parse(argv_of("tracker list --no-such-option"))
    assert parse(argv_of('tracker --db x.db import a.json   (into an empty database)')).command.name == "import"
