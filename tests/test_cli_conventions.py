"""The command line's own conventions (issue 14, section 5): ``python -m
tracker``, usage errors on one line with exit code 2, negative numbers read as
numbers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import json

import pytest

from support import CLI

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def sq(sqlite_url):
    from tracker.storage import open_store

    open_store(sqlite_url, upgrade=True).dispose()
    cli = CLI(sqlite_url)
    cli.ok("question", "add", "Trump and Putin meet in Vienna", "--deadline", "2030-07-31", "--id", "vienna")
    return cli


def test_python_dash_m_tracker_runs_the_command_line(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT), TRACKER_HOME=str(tmp_path / "home"))
    out = subprocess.run([sys.executable, "-m", "tracker", "--version"], capture_output=True, text=True, env=env,
                         cwd=tmp_path, timeout=60)
    assert out.returncode == 0, out.stderr
    from tracker import __version__

    assert out.stdout.strip() == f"tracker, version {__version__}"
    out = subprocess.run([sys.executable, "-m", "tracker", "forecast", "nowhere", "0.3"], capture_output=True,
                         text=True, env=env, cwd=tmp_path, timeout=60)
    assert (out.returncode, out.stderr.strip()) == (1, "error: no question with id 'nowhere'")


def usage_error(cli, *args) -> str:
    result = cli(*args)
    assert result.exit_code == 2, (result.exit_code, result.stderr)
    err = result.stderr.strip()
    assert "\n" not in err, f"usage error of several lines: {err!r}"
    assert err.startswith("error: ") and "Usage:" not in err and "Try '" not in err, err
    assert result.stdout == ""
    return err.replace("(see 'main", "(see 'tracker")  # CliRunner names the program after the function


@pytest.mark.parametrize("args, message", [
    (["forecast", "vienna", "0.3", "--bogus"], "error: No such option '--bogus' (see 'tracker forecast --help')"),
    (["--bogus"], "error: No such option '--bogus' (see 'tracker --help')"),
    (["forcast"], "error: No such command 'forcast'. Did you mean 'forecast'? (see 'tracker --help')"),
    (["db", "verfy"], "error: No such command 'verfy'. Did you mean 'verify'? (see 'tracker db --help')"),
    (["question", "add"], "error: Missing argument 'TEXT' (see 'tracker question add --help')"),
    (["plot", "calibration"], "error: Missing option '-o' / '--output' (see 'tracker plot --help')"),
    (["score", "--by", "colour"], "error: Invalid value for '--by': 'colour' is not one of 'analyst', 'tag', "),
    (["question", "add", "Meet", "--deadline", "31/07/2018"],
     "error: Invalid value for --deadline: '31/07/2018' is not an ISO date (YYYY-MM-DD) or a date phrase "
     "I can read (such as 'next Friday', 'end of Q3', 'in 3 months', '31 July', 'end of the year') "
     "(see 'tracker question add --help')"),
    (["check", "--tolerance", "-0.1"], "error: Invalid value for '--tolerance': -0.1 is not in the range 0<=x<=1"),
    (["plot", "history", "-o", "h.png"],
     "error: tracker plot history needs a question id: tracker plot history ID -o FILE (see 'tracker plot --help')"),
], ids=["unknown-option", "unknown-top-option", "unknown-command", "unknown-subcommand", "missing-argument",
        "missing-option", "bad-choice", "bad-date", "out-of-range", "command-usage"])
def test_usage_errors_are_one_line_with_exit_code_2(sq, args, message):
    assert usage_error(sq, *args).startswith(message)


def test_a_group_called_alone_still_shows_its_help(sq):
    result = sq("db")
    assert "Commands:" in result.output and "verify" in result.output


# A signed number is a relative update in percentage points (the analyst's
# week): read as a number, never as an unknown option.
@pytest.mark.parametrize("value, message", [
    ("-5%", "error: tester has no forecast on 'vienna' to update by -5 points: give a probability"),
    ("-10", "error: tester has no forecast on 'vienna' to update by -10 points: give a probability"),
    ("-1e-3", "error: probability '-1e-3' is outside [0, 1]"),
])
def test_a_negative_number_is_read_as_a_number_not_an_unknown_option(sq, value, message):
    result = sq.fails("forecast", "vienna", value)
    assert result.stderr.strip() == message
    assert sq.ok("show", "vienna", "--json").stdout.count('"probability"') == 0


@pytest.mark.parametrize("value", ["-0.1", "-.5"])
def test_a_signed_fraction_is_refused_as_ambiguous(sq, value):
    """(A number in exponent form is no relative update: '-1e-3' is a probability outside [0, 1].)"""
    result = sq("forecast", "vienna", value)
    assert result.exit_code == 2
    assert f"'{value}' is ambiguous: a relative update is in percentage points" in result.stderr
    assert result.stderr.count("\n") == 1


def test_a_negative_number_before_an_option_still_leaves_the_options_working(sq):
    sq.ok("forecast", "vienna", "0.25", "--rationale", "why")
    sq.ok("forecast", "vienna", "-5", "--rationale", "why")
    assert [f["probability"] for f in json.loads(sq.ok("show", "vienna", "--json").stdout)["forecasts"]] == \
        pytest.approx([0.25, 0.20])


def test_readme_states_both_exit_codes():
    text = " ".join((ROOT / "README.md").read_text().split())
    assert "exit code 1: the data was refused" in text
    assert "exit code 2: the command line itself is wrong" in text
    assert "python -m tracker" in text
