"""``tracker import FILE --from SOURCE``: another tool's export (the
foreign-import half of the import command)."""

from __future__ import annotations

from pathlib import Path

import click

from .common import emit_json, get_store, info, progress_bar


def import_foreign(path: str, data: bytes, name: str, source: str, *, who, analyst_map, questions, aggregates,
                   dry_run, zone, as_json) -> None:
    from .. import config, importers
    from ..errors import FileFormatError
    from ..services.foreign import import_batch, read_analyst_map
    from .transfer_cmds import read_input

    tz = None
    if zone:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            tz = ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise click.BadParameter(f"unknown time zone {zone!r} (e.g. UTC, America/New_York)", param_hint="--zone") from None
    qfile = read_input(questions) if questions else None
    mapping = read_analyst_map(*read_input(analyst_map)) if analyst_map else None

    def sibling(fname: str):
        if path == "-":
            return None
        p = Path(path).with_name(fname)
        return p.read_bytes() if p.is_file() else None

    batch = importers.read(source, data, name, questions=qfile, aggregates=aggregates, zone=tz, sibling=sibling)
    if not batch.questions and not batch.refused and batch.rows == 0:
        raise FileFormatError(f"{name}: no forecasts in the file")
    store = get_store()
    with progress_bar(f"importing {name}") as progress:
        result = import_batch(store, batch, recorded_by=config.analyst_name(who), analyst_map=mapping,
                              dry_run=dry_run, progress=progress)
    if as_json:
        emit_json(result)
        return
    verb = "would import" if dry_run else "imported"
    info(
        f"{verb} {name} ({source}): {result['rows']} rows: {result['forecasts_added']} forecasts added "
        f"({result['forecasts_already_present']} already present), {result['questions_created']} questions created "
        f"({result['questions_already_present']} already present), {result['resolutions_added']} resolutions, "
        f"{result['annulled']} annulled"
    )
    for reason, n in result["not_imported"].items():
        info(f"  not imported: {n} {'row' if n == 1 else 'rows'}: {reason}")
    check = result["checks"].get("fatebook_brier")
    if check and check["questions_with_brier"]:
        info(f"  Fatebook's Brier column: recomputed from the imported forecasts, {check['brier_agrees']} of "
             f"{check['questions_with_brier']} questions agree")
        for d in check["brier_disagrees"][:10]:
            info(f"    {d['question']}: export {d['export']}, recomputed {d['recomputed']}")
