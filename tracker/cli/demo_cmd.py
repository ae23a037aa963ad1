"""``tracker demo``: the worked example, end to end, on a throw-away database.

It never touches the user's own database: every step runs with ``--db`` set
to ``demo.db`` in the demonstration folder. The example files are the copies
shipped in the package (``tracker/examples/``), found with
:mod:`importlib.resources`, so it works from an installed wheel.
"""

from __future__ import annotations

import shlex

import click

from .common import info

SCENARIO = "trump-putin-2018.yaml"
RESOLUTIONS = "resolutions-2018-Q3.yaml"
QUARTER = "2018Q3"


def _run(db: str, argv: list[str]) -> None:
    """Run one ``tracker`` command on the demonstration database, showing it as a ``$ tracker ...`` line."""
    from . import main

    click.echo(f"\n$ tracker {shlex.join(argv)}")
    code = main.main(args=["--db", db, *argv], prog_name="tracker", standalone_mode=False)
    if code:
        raise click.exceptions.Exit(code)


def _copy_examples(folder) -> tuple:
    """The packaged scenario and resolution files, copied into ``folder`` so that they can be read and edited."""
    from importlib import resources

    source = resources.files("tracker.examples")
    out = []
    for name in (SCENARIO, RESOLUTIONS):
        target = folder / name
        target.write_bytes(source.joinpath(name).read_bytes())
        out.append(target)
    return tuple(out)


@click.command("demo")
@click.option("--dir", "directory", type=click.Path(file_okay=False),
              help="Build the demonstration in this folder (default: a new temporary folder).")
def demo_cmd(directory):
    """The worked example end to end, on a throw-away database.

    \b
    Imports the 2018 Trump-Putin assessment (its claims as questions, with
    forecasts) and the 2018-Q3 resolutions, scores the analysts, and writes
    report.html (the team report) and calibration.png into the folder.
    Your own database is never touched.
    """
    import os
    import tempfile
    from pathlib import Path

    from ..errors import ValidationError

    folder = Path(directory) if directory else Path(tempfile.mkdtemp(prefix="tracker-demo-"))
    # the demonstration writes demo.db, two example files, a report and figures: never over anything
    if folder.exists() and not folder.is_dir():
        raise ValidationError(f"{folder} is a file: pass a new or empty folder as --dir")
    first = next(iter(sorted(folder.iterdir())), None) if folder.is_dir() else None
    if first is not None:
        raise ValidationError(f"{folder} is not empty: {first.name} exists: pass an empty --dir or a new one "
                              f"(nothing was written)")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValidationError(f"cannot create {folder}: {exc.strerror or exc}") from None
    db = folder / "demo.db"
    folder = folder.resolve()
    db = folder / "demo.db"
    scenario, resolutions = _copy_examples(folder)
    report, plot = folder / "report.html", folder / "calibration.png"

    def rel(p: Path) -> str:
        try:
            return os.path.relpath(p)
        except ValueError:  # another drive (Windows)
            return str(p)

    info(f"demonstration folder: {folder}")
    info(f"every command below runs on its own database: tracker --db {rel(db)} ...")
    for argv in (
        ["import", rel(scenario)],
        ["import", rel(resolutions)],
        ["score", "--by", "analyst", "--quarter", QUARTER],
        ["plot", "history", "meeting-july", "-o", rel(folder / "meeting-july.png")],
        ["plot", "calibration", "--quarter", QUARTER, "-o", rel(plot)],
        ["report", "--quarter", QUARTER, "--as-of", "2018-10-15", "-o", rel(report)],
    ):
        _run(str(db), argv)
    click.echo("\nThe demonstration is ready:")
    click.echo(f"  report            {report}")
    click.echo(f"  calibration plot  {plot}")
    click.echo(f"  forecast history  {folder / 'meeting-july.png'}")
    click.echo(f"  database          {db}")
    click.echo(f"Open the report in a browser; explore further with: tracker --db {shlex.quote(str(db))} history meeting-july")
