"""The command line imports a command's module only when it is needed."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest

from tracker.cli import COMMANDS, main, shorten


def _first_paragraph(cmd: click.Command) -> str:
    return " ".join((cmd.help or "").split("\n\n")[0].split())


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_summary_table_matches_each_commands_help(name):
    cmd = main.get_command(click.Context(main), name)
    assert cmd is not None and cmd.name == name
    assert COMMANDS[name][1] == _first_paragraph(cmd)


def test_every_registered_command_is_in_the_table():
    assert sorted(main.list_commands(click.Context(main))) == sorted(COMMANDS)


def test_help_lists_every_command_without_importing_them():
    code = (
        "import sys\n"
        "from tracker.cli import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('tracker.cli.') and m != 'tracker.cli.common'))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env={"COLUMNS": "200"}).stdout
    for name in COMMANDS:
        assert f"\n  {name} " in out
    assert out.strip().splitlines()[-1] == "[]"


def test_a_command_imports_only_its_own_module(tmp_path):
    code = (
        "import sys\n"
        "from tracker.cli import main\n"
        "try:\n"
        "    main(['forecast', '--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('tracker.cli.')))\n"
    )
    last = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
    assert last == "['tracker.cli.common', 'tracker.cli.log_cmds']"


def test_unknown_command_still_suggests_a_close_one():
    from click.testing import CliRunner

    result = CliRunner().invoke(main, ["forcast"])
    assert result.exit_code == 2
    assert "forecast" in result.output


@pytest.mark.parametrize(
    "text, limit, expected",
    [
        ("short", 10, "short"),
        ("exactly ten", 11, "exactly ten"),
        ("Score resolved questions: Brier, log score", 30, "Score resolved questions..."),
        ("one two three", 8, "one..."),
    ],
)
def test_shorten(text, limit, expected):
    out = shorten(text, limit)
    assert out == expected
    assert len(out) <= max(limit, 4)
