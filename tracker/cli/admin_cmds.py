"""``tracker db backup``, ``db verify``, ``db grant-analyst``, ``db grant-reviewer``.

Added here to the ``db`` group (defined with ``db upgrade`` in
``transfer_cmds``); ``tracker/cli/__init__.py`` takes the group from here.
"""

from __future__ import annotations

import click

from .transfer_cmds import db_group
from .common import db_option, emit_json, get_store, info, json_option, selected_url


@click.command("backup")
@click.argument("path", metavar="FILE")
@click.option("--force", is_flag=True, help="Overwrite FILE if it exists.")
@db_option
@json_option
def backup_cmd(path, force, as_json):
    """Copy a live SQLite database to FILE, consistently (others may keep writing).

    The copy is checked (PRAGMA integrity_check) before it takes FILE's name.
    For PostgreSQL use pg_dump.

    \b
    Examples:
      tracker db backup backups/tracker-$(date +%F).db
      tracker db backup tracker-copy.db --force
    """
    from ..services.admin import backup

    result = backup(selected_url(), path, force=force)
    if as_json:
        emit_json(result)
    else:
        rows = ", ".join(f"{n} {t}" for t, n in result["rows"].items())
        info(f"backed up {result['source']} to {result['backup']} ({result['bytes']} bytes; {rows})")


@click.command("verify")
@db_option
@json_option
def verify_cmd(as_json):
    """Check the database: integrity, schema at head, append-only triggers,
    forecast times. Exit 1 when a check fails.

    \b
    Checks:
      integrity       SQLite's integrity_check and foreign_key_check; a consistency query on PostgreSQL
      migrations      the schema is at the latest revision
      append_only     the triggers refusing UPDATE/DELETE on forecasts and resolutions are in place
      forecast_times  no forecast recorded after its question's outcome was recorded

    \b
    Examples:
      tracker db verify
      tracker db verify --json
    """
    from ..services.admin import verify

    result = verify(selected_url())
    if as_json:
        emit_json(result)
    else:
        width = max(len(c["name"]) for c in result["checks"])
        for c in result["checks"]:
            click.echo(f"{c['name']:<{width}}  {'ok' if c['ok'] else 'FAIL'}  {c['detail']}")
    if not result["ok"]:
        if not as_json:
            failed = [c["name"] for c in result["checks"] if not c["ok"]]
            info(f"error: {len(failed)} check(s) failed: {', '.join(failed)}")
        click.get_current_context().exit(1)


def _grant_command(kind: str, summary: str):
    @click.command(f"grant-{kind}", help=summary)
    @click.argument("name")
    @click.option("--password", metavar="TEXT", default=None,
                  help="Set the role's password (omit where the server trusts local connections or uses other auth).")
    @db_option
    @json_option
    def cmd(name, password, as_json):
        from ..services.admin import grant_role

        result = grant_role(get_store(), name, kind, password=password)
        if as_json:
            emit_json(result)
        else:
            state = "created" if result["created"] else "existing"
            info(f"{state} role {result['role']} is now a member of {result['group']} (schema {result['schema']})")

    return cmd


grant_analyst_cmd = _grant_command(
    "analyst",
    """Create the PostgreSQL login role NAME (if new) and make it an analyst.

    An analyst reads everything, adds new questions, its own analyst row and
    forecasts under its own name only (row-level security); it cannot change
    existing rows or record resolutions. Run as the owner of the tracker
    tables (with CREATEROLE). NAME is also the analyst name to forecast under
    (--analyst NAME or TRACKER_ANALYST=NAME).
    """,
)
grant_reviewer_cmd = _grant_command(
    "reviewer",
    """Create the PostgreSQL login role NAME (if new) and make it a reviewer.

    A reviewer reads everything and records resolutions (tracker resolve,
    resolution files); it cannot add forecasts or change existing rows. Run
    as the owner of the tracker tables (with CREATEROLE).
    """,
)

@click.command("info")
@db_option
@json_option
def info_cmd(as_json):
    """The database: where it is, its schema revision, and the team settings.

    \b
    Example:
      tracker db info
    """
    from ..storage import HEAD, current_revision, safe_url
    from ..services.week import read_settings

    store = get_store()
    with store.read() as conn:
        data = {"database": safe_url(store.url), "revision": current_revision(conn), "head": HEAD, **read_settings(conn)}
    if as_json:
        emit_json(data)
        return
    click.echo(f"database       {data['database']}")
    click.echo(f"schema         revision {data['revision']} (head {data['head']})")
    click.echo(f"team timezone {data['timezone']}  (a deadline day ends at midnight here)")
    click.echo(f"blind          {'on' if data['blind'] else 'off'}")


ADMIN_COMMANDS = [backup_cmd, verify_cmd, grant_analyst_cmd, grant_reviewer_cmd, info_cmd]
for _cmd in ADMIN_COMMANDS:
    db_group.add_command(_cmd)
