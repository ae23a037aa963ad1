"""The ``tracker`` command line. Commands are thin: parse, call one service,
render. Heavy libraries are imported inside the commands, and a command's
module is imported only when that command runs (or when help lists it), so
``tracker forecast`` does not pay for the report's imports."""

from __future__ import annotations

import importlib

import click

from .. import __version__
from .common import TrackerGroup

# command name -> ("module:attribute" relative to this package, the first
# paragraph of its help); the summaries let ``tracker --help`` list the
# commands without importing them (a test keeps them equal to the help)
COMMANDS = {
    "aggregate": ("aggregate_cmds:aggregate_cmd", "The team's combined forecast on a question, after each forecast."),
    "analyst": ("week_cmds:analyst_group", "Analysts: their e-mail addresses for reminders."),
    "check": ("review_cmds:check_cmd", "List incoherent forecasts; exit 1 when there are any."),
    "clarify": ("week_cmds:clarify_cmd", "Add a dated, attributed clarification of a question's resolution criteria."),
    "db": ("admin_cmds:db_group", "Database administration: schema upgrades and checks."),
    "demo": ("demo_cmd:demo_cmd", "The worked example end to end, on a throw-away database."),
    "export": ("transfer_cmds:export_cmd", "Export the database: lossless JSON, a forecast CSV, or a scenario file."),
    "extract": ("extract_cmd:extract", "Propose the forecasts in an assessment's estimative language."),
    "forecast": ("log_cmds:forecast_cmd", "Log a forecast, or revise one (every revision is kept)."),
    "history": ("review_cmds:history_cmd", "Every forecast and resolution record of a question, in the order recorded."),
    "import": ("transfer_cmds:import_cmd",
               "Import a file: a JSON export, a forecast CSV, a scenario or a resolution file."),
    "list": ("log_cmds:list_cmd", "List questions with their status (open, overdue, resolved, annulled)."),
    "plot": ("report_cmds:plot_cmd", "Draw a figure and save it (png, svg or pdf, from the file name)."),
    "question": ("log_cmds:question_group", "Create questions (see also: tracker import for files)."),
    "recalibrate": ("aggregate_cmds:recalibrate_cmd",
                    "What the numbers have meant: \"when you say 70%, it happened 82% of the time\"."),
    "remind": ("week_cmds:remind_cmd", "Reminders: each analyst's todo as a digest, an iCalendar file, or mail."),
    "report": ("report_cmds:report_cmd",
               "The team's calibration report: one self-contained HTML file (or JSON, or Markdown)."),
    "resolve": ("log_cmds:resolve_cmd", "Record what happened: OUTCOME is yes/no, a categorical outcome, or annulled."),
    "review": ("review_cmds:review_cmd",
               "The quarterly resolution review: resolved, awaiting resolution, not yet due."),
    "score": ("score_cmd:score_cmd", "Score resolved questions: Brier, log score, decompositions, calibration."),
    "serve": ("server_cmds:serve_cmd", "Run the team server: web pages and a JSON API over the same database."),
    "search": ("week_cmds:search_cmd", "Find questions by words in their id, text, resolution criteria or tags."),
    "show": ("log_cmds:show_cmd", "Show a question with its whole forecast history and resolutions."),
    "team": ("week_cmds:team_group", "Team settings: the deadline time zone and blind forecasting."),
    "todo": ("week_cmds:todo_cmd", "Your open questions: not yet forecast, due soon, stale, awaiting resolution."),
    "user": ("server_cmds:user_group", "Accounts of the team server: add users, make and revoke API tokens."),
}


def shorten(text: str, limit: int) -> str:
    """``text`` cut at a word to at most ``limit`` characters, marked '...'."""
    if len(text) <= limit:
        return text
    cut = text[: max(1, limit - 3)].rsplit(" ", 1)[0].rstrip(" ,;:")
    return cut + "..."


class LazyGroup(TrackerGroup):
    """A group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(COMMANDS) | set(self.commands))

    def get_command(self, ctx: click.Context, name: str):
        if name not in self.commands and name in COMMANDS:
            module, attr = COMMANDS[name][0].split(":")
            self.commands[name] = getattr(importlib.import_module(f".{module}", __name__), attr)
        return self.commands.get(name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(map(len, names))
        rows = []
        for name in names:
            if name in COMMANDS and name not in self.commands:
                rows.append((name, shorten(COMMANDS[name][1], limit)))
            else:
                rows.append((name, self.commands[name].get_short_help_str(limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
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

    \b
    Every command takes --db (else $TRACKER_DATABASE_URL, the config file, or tracker.db
    in $TRACKER_HOME); every command that prints data takes --json:
      tracker --db team.db list --due
      tracker list --due --json --db postgresql+psycopg://ana@db.example.org/forecasts

    Run 'tracker COMMAND --help' for details.
    """
    ctx.ensure_object(dict)
    if db:
        ctx.obj["db"] = db
