"""``tracker demo``: a guided tour on a throw-away database."""

from __future__ import annotations

import shlex

import click

from .common import info


def _run(argv: list[str]) -> None:
    from . import main

    shown = argv[2:] if argv[:1] == ["--db"] else argv
    click.echo(f"\n$ tracker {shlex.join(shown)}")
    code = main.main(args=argv, prog_name="tracker", standalone_mode=False)
    if code:
        raise click.exceptions.Exit(code)


def tour(db_url: str) -> None:
    """The everyday commands, on the database at ``db_url``."""
    from datetime import timedelta

    from ..models import utcnow

    today = utcnow().date()
    deadline = (today + timedelta(days=45)).isoformat()
    base = ["--db", db_url]
    steps = [
        ["question", "add", "Trump and Putin meet in Vienna", "--deadline", deadline, "--id", "summit-vienna", "--tag", "russia"],
        ["question", "add", "When do Trump and Putin meet?", "--deadline", deadline, "--id", "summit-timing",
         "--outcomes", "before-nato,after-london,no-meeting", "--tag", "russia"],
        ["forecast", "summit-vienna", "0.35", "--analyst", "ana", "--rationale", "Vienna is one of several venues floated"],
        ["forecast", "summit-vienna", "20%", "--analyst", "ana", "--rationale", "Helsinki now mentioned by officials"],
        ["forecast", "summit-vienna", "0.5", "--analyst", "ben"],
        ["forecast", "summit-timing", "before-nato=0.2,after-london=0.5,no-meeting=0.3", "--analyst", "ana"],
        ["list"],
        ["show", "summit-vienna"],
        ["resolve", "summit-vienna", "no", "--evidence", "https://example.org/summit-report",
         "--note", "Held in Helsinki", "--reviewer", "rev"],
        ["list", "--resolved", "--json"],
    ]
    for argv in steps:
        _run(base + argv)


@click.command("demo")
@click.option("--dir", "directory", type=click.Path(file_okay=False), help="Build the demonstration in this folder (default: a new temporary folder).")
def demo_cmd(directory):
    """A guided tour on a throw-away database: add questions, forecast, revise,
    list, show and resolve."""
    import tempfile
    from pathlib import Path

    folder = Path(directory) if directory else Path(tempfile.mkdtemp(prefix="tracker-demo-"))
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "demo.db"
    if db.exists():
        from ..errors import ValidationError

        raise ValidationError(f"{db} exists: pass an empty --dir")
    info(f"demonstration database: {db}")
    tour(str(db))
    info(f"\ndone: the database is {db}")
