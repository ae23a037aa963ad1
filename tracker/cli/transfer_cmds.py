"""import, export and the database commands."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from .common import db_option, emit_json, get_store, info, json_option, progress_bar


#: the largest file ``tracker import`` reads (a JSON export of several million forecasts fits)
MAX_IMPORT_BYTES = 2 << 30


def read_input(path: str) -> tuple[bytes, str]:
    from .common import read_limited

    data, name = read_limited(path, MAX_IMPORT_BYTES, what="a file to import")
    return data, ("<stdin>" if path == "-" else name)


def write_output(path: str | None, text: str, *, force: bool = True) -> None:
    """Write to stdout, or atomically to a file (temp file + rename)."""
    if not path or path == "-":
        click.echo(text, nl=not text.endswith("\n"))
        return
    write_pieces(path, [text], force=force)


def write_pieces(path: str | None, pieces, *, force: bool = True) -> None:
    """Write text produced in pieces to stdout as it comes, or to a file
    atomically: into a temporary file beside it, renamed over it only when
    the last piece is written (a failure half-way leaves no file behind)."""
    from ..errors import FileFormatError

    if not path or path == "-":
        for piece in pieces:
            click.echo(piece, nl=False)
        return
    target = Path(path)
    if target.exists() and not force:
        raise FileFormatError(f"{path} exists: pass --force to overwrite it")
    tmp = target.with_name(f".{target.name}.tmp{os.getpid()}")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            for piece in pieces:
                fh.write(piece)
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise FileFormatError(f"cannot write {path}: {exc.strerror}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _kind_of(path: str, data: bytes, fmt: str | None) -> str:
    if fmt:
        return fmt
    suffix = Path(path).suffix.lower()
    if suffix in (".json", ".csv", ".yaml", ".yml"):
        return {".yml": "yaml"}.get(suffix, suffix[1:])
    head = data.lstrip()[:1]
    return "json" if head in (b"{", b"[") else "csv"


@click.command("import")
@click.argument("path", metavar="FILE")
@click.option("--format", "fmt", type=click.Choice(["json", "csv", "yaml"]), help="Default: from the file name.")
@click.option("--reviewer", "--analyst", "who", metavar="NAME", help="Who records resolutions read from the file (default: $TRACKER_ANALYST, else the login name).")
@click.option("--from", "source", type=click.Choice(["fatebook", "metaculus", "predictionbook", "gjp"]),
              help="Another tool's export (default: detected from the file where unambiguous).")
@click.option("--analyst-map", metavar="FILE", help="With --from: rename the file's forecasters (JSON object or two-column CSV).")
@click.option("--questions", metavar="FILE", help="With --from metaculus/gjp: the question file (question_data.csv, ifps.csv).")
@click.option("--aggregates", is_flag=True, help="With --from metaculus: import aggregate forecasts as pseudo-analysts.")
@click.option("--zone", metavar="TZ", help="With --from: the zone of times written without one (default UTC).")
@click.option("--dry-run", is_flag=True, help="With --from: check and count, write nothing.")
@click.option("--accept-defaults", is_flag=True,
              help="Import a draft from 'tracker extract' even though it still holds default numbers or deadlines "
                   "that did not come from the text (marked 'unconfirmed').")
@db_option
@json_option
def import_cmd(path, fmt, who, source, analyst_map, questions, aggregates, zone, dry_run, as_json,
               accept_defaults):
    """Import a file: a JSON export, a forecast CSV, a scenario or a resolution file.

    Or another tool's export (--from fatebook, metaculus, predictionbook or
    gjp; detected from the file where unambiguous): forecasts keep their
    times and are marked imported; rows the tool cannot hold are counted
    by reason.

    The whole file lands in one transaction or not at all; importing the
    same file twice changes nothing.

    \b
    CSV columns (header required, case-insensitive):
      question, analyst, probability  required
      made_at, deadline, text, tags (;-separated), outcome (yes/no/1/0), known_at  optional

    \b
    Examples:
      tracker import forecasts.csv
      tracker import backup.json            (into an empty database)
      tracker import scenarios/trump-putin-2018.yaml
      tracker import resolutions/2018-Q3.yaml
      tracker import resolutions/2018-Q3.yaml --reviewer ana --json
      tracker import forecasts.txt --format csv
      tracker import fatebook-export.csv --from fatebook --analyst-map names.csv
      tracker import metaculus-export.zip --from metaculus --aggregates --dry-run
      tracker import predictions.json --from predictionbook
      tracker import survey_fcasts.yr1.csv --from gjp --questions ifps.csv
      tracker import fatebook-export.csv --from fatebook --zone Europe/London
      tracker import draft.yaml --accept-defaults   (keep the extractor's default numbers)
    """
    from .. import config

    data, name = read_input(path)
    if source is None and fmt is None:
        from ..importers import detect

        source = detect(data)
    if source is not None:
        from .import_foreign import import_foreign

        import_foreign(path, data, name, source, who=who, analyst_map=analyst_map, questions=questions,
                       aggregates=aggregates, dry_run=dry_run, zone=zone, as_json=as_json)
        return
    for flag, given in (("--analyst-map", analyst_map), ("--questions", questions), ("--aggregates", aggregates),
                        ("--zone", zone), ("--dry-run", dry_run)):
        if given:
            raise click.UsageError(f"{flag} applies to another tool's export: pass --from SOURCE")
    kind = _kind_of(path, data, fmt)
    store = get_store()
    if kind == "json":
        import json

        from ..errors import FileFormatError
        from ..rules import no_duplicate_keys
        from ..services.transfer import decode_text, import_json

        try:
            payload = json.loads(decode_text(data, name), object_pairs_hook=no_duplicate_keys)
        except (ValueError, RecursionError) as exc:
            raise FileFormatError(f"{name}: invalid JSON ({' '.join(str(exc).split())[:120]})") from None
        with progress_bar(f"importing {name}") as progress:
            result = import_json(store, payload, filename=name, progress=progress)
        summary = ", ".join(f"{v} {k}" for k, v in result.items())
    elif kind == "csv":
        from ..services.transfer import import_csv

        with progress_bar(f"importing {name}") as progress:
            result = import_csv(store, data, filename=name, recorded_by=config.analyst_name(who, store.url), progress=progress)
        summary = (
            f"{result['rows']} rows: {result['forecasts_added']} forecasts added "
            f"({result['forecasts_already_present']} already present), "
            f"{result['questions_created']} questions created, {result['resolutions_added']} resolutions"
        )
    else:
        from ..services.files import import_yaml

        result = import_yaml(store, data, filename=name, recorded_by=config.analyst_name(who, store.url),
                             accept_defaults=accept_defaults)
        summary = result.get("summary", "")
    if as_json:
        emit_json(result)
    else:
        info(f"imported {name}: {summary}")


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(["json", "csv", "yaml"]), default="json", show_default=True)
@click.option("--scenario", metavar="ID", help="With --format yaml: the scenario to write as a scenario file.")
@click.option("-o", "--output", metavar="FILE", help="Write to FILE (atomically) instead of stdout.")
@click.option("--raw-cells", is_flag=True,
              help="CSV: write names, texts and tags exactly as stored, even those a spreadsheet would run as a "
                   "formula (by default a cell beginning with =, +, -, @, tab or CR gets a ' in front, and "
                   "tracker import takes it off).")
@db_option
def export_cmd(fmt, scenario, output, raw_cells):
    """Export the database: lossless JSON, a forecast CSV, or a scenario file.

    \b
    Examples:
      tracker export --format json -o backup.json
      tracker export --format csv > forecasts.csv
      tracker export --format csv --raw-cells -o forecasts-raw.csv
      tracker export --scenario trump-putin-2018 --format yaml -o scenarios/trump-putin-2018.yaml
    """
    if raw_cells and fmt != "csv":
        raise click.UsageError("--raw-cells is for --format csv")
    store = get_store()
    if fmt == "yaml":
        if not scenario:
            raise click.UsageError("--format yaml writes one scenario: pass --scenario ID")
        from ..services.files import export_scenario_yaml

        write_output(output, export_scenario_yaml(store, scenario))
    else:
        from ..services.transfer import export_csv_text, export_json_text

        skipped: list[int] = []
        with progress_bar("exporting") as progress:
            if fmt == "json":
                pieces = export_json_text(store, progress=progress)
            else:
                pieces = export_csv_text(store, skipped=skipped, progress=progress, raw_cells=raw_cells)
            write_pieces(output, pieces)
        if skipped and skipped[0]:
            info(f"note: {skipped[0]} categorical forecasts left out (the CSV format carries binary forecasts; use --format json)")
    if output:
        info(f"wrote {output}")


@click.group("db")
def db_group():
    """Database administration: schema upgrades and checks."""


@db_group.command("upgrade")
@db_option
@json_option
def db_upgrade(as_json):
    """Bring the database schema to the latest revision (run after installing a new version)."""
    from ..storage import HEAD, current_revision

    store = get_store(upgrade=True)
    with store.read() as conn:
        rev = current_revision(conn)
    if as_json:
        emit_json({"revision": rev, "head": HEAD})
    else:
        click.echo(f"schema at revision {rev} (head {HEAD})")
