"""The ``tracker`` command line. Commands are thin: parse, call one service,
render. Heavy libraries are imported inside the commands."""

from __future__ import annotations

import click

from .. import __version__
from .common import TrackerGroup
from .log_cmds import forecast_cmd, list_cmd, question_group, resolve_cmd, show_cmd
from .transfer_cmds import db_group, export_cmd, import_cmd
from .demo_cmd import demo_cmd
from .review_cmds import check_cmd, history_cmd, review_cmd
from .score_cmd import score_cmd
from .extract_cmd import extract
from .report_cmds import plot_cmd, report_cmd


@click.group(cls=TrackerGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="tracker")
@click.option("--db", metavar="URL", help="Database URL or SQLite path (default: $TRACKER_DATABASE_URL, else tracker.db in $TRACKER_HOME).")
@click.pass_context
def main(ctx: click.Context, db: str | None) -> None:
    """forecast-tracker: log, resolve and score probabilistic forecasts.

    \b
    A typical round:
      tracker question add "Trump and Putin meet in Vienna" --deadline 2018-07-31 --id summit-vienna
      tracker forecast summit-vienna 35% --rationale "one of several venues floated"
      tracker list --due
      tracker resolve summit-vienna no --known-at 2018-07-16 --evidence URL
      tracker score --by analyst

    Every command that prints data takes --json. Run 'tracker COMMAND --help' for details.
    """
    ctx.ensure_object(dict)
    if db:
        ctx.obj["db"] = db


for _cmd in (question_group, forecast_cmd, list_cmd, show_cmd, resolve_cmd, import_cmd, export_cmd, db_group, demo_cmd, review_cmd, check_cmd, history_cmd, score_cmd, extract):
    main.add_command(_cmd)

from .admin_cmds import ADMIN_COMMANDS  # noqa: E402
for _cmd in ADMIN_COMMANDS: db_group.add_command(_cmd)
main.add_command(plot_cmd)
main.add_command(report_cmd)
