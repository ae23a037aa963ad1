"""The analyst's week: todo, search, clarify, team settings, analysts'
addresses, and reminders."""

from __future__ import annotations

import click

from .common import (
    db_option,
    emit_json,
    get_store,
    info,
    json_option,
    number,
    question_id,
    read_days,
    show_time,
    wrapped_table,
)

WITHIN_HELP = "Deadlines within this window count as due: 14d, 2w, 3 months, or a date ('next Friday')."
STALE_HELP = "A forecast older than this needs an update: 30d, 6w, 2 months."


def _days(value: str, what: str) -> int:
    return read_days(value, what)


@click.command("todo")
@click.option("--analyst", metavar="NAME", help="Whose list (default: $TRACKER_ANALYST, else the login name).")
@click.option("--within", default="14d", show_default=True, metavar="WINDOW", help=WITHIN_HELP)
@click.option("--stale", default="30d", show_default=True, metavar="AGE", help=STALE_HELP)
@db_option
@json_option
def todo_cmd(analyst, within, stale, as_json):
    """Your open questions: not yet forecast, due soon, stale, awaiting resolution.

    Each line shows your latest number, when you made it, the deadline and
    the team median of current forecasts (hidden until you forecast when
    the team forecasts blind). A clarification made after your last
    forecast is flagged with '!'.

    \b
    Examples:
      tracker todo
      tracker todo --analyst alice --within 7d --stale 2w --json
    """
    from .. import config
    from ..services.week import todo

    name = config.analyst_name(analyst)
    result = todo(get_store(), analyst=name, within_days=_days(within, "--within"), stale_days=_days(stale, "--stale"))
    if as_json:
        emit_json(result)
        return
    click.echo(render_todo(result))


def render_todo(result: dict, *, markdown: bool = False, width: int | None = None) -> str:
    """A digest of ``todo``: one section per non-empty group."""
    from .common import analyst_zone

    tz = analyst_zone()  # once: it may read the config file
    lines = []
    head = f"todo for {result['analyst']} (as of {show_time(result['as_of'], tz)}; deadlines end at midnight {result['team_timezone']}"
    head += "; blind forecasting)" if result["blind"] else ")"
    lines.append(("# " if markdown else "") + head)
    empty = True
    for group in result["groups"]:
        qs = group["questions"]
        if not qs:
            continue
        empty = False
        lines.append("")
        lines.append((f"## {group['title']} ({len(qs)})" if markdown else f"{group['title']} ({len(qs)})"))
        if markdown:
            for q in qs:
                lines.append(f"- **{q['id']}** (deadline {q['deadline']}): {q['text']} — mine {number(q['mine'])}"
                             f"{' on ' + show_time(q['mine_at'], tz) if q['mine_at'] else ''}, team median "
                             f"{'hidden' if q['hidden'] else number(q['median'])}"
                             f"{' — clarified since your forecast' if q['clarified_since_mine'] else ''}")
        else:
            rows = [
                (("! " if q["clarified_since_mine"] else "") + q["id"], number(q["mine"]),
                 show_time(q["mine_at"], tz) if q["mine_at"] else "-", q["deadline"],
                 "hidden" if q["hidden"] else number(q["median"]), q["text"])
                for q in qs
            ]
            lines.append(wrapped_table(rows, ["id", "mine", "when", "deadline", "median", "text"], wrap=5, width=width))
    if empty:
        lines.append("")
        lines.append("nothing to do: every open question has a recent forecast of yours")
    elif any(q["clarified_since_mine"] for g in result["groups"] for q in g["questions"]) and not markdown:
        lines.append("")
        lines.append("! a clarification was made after your last forecast: see 'tracker show ID'")
    return "\n".join(lines)


@click.command("search")
@click.argument("words", nargs=-1, required=True)
@click.option("--limit", type=click.IntRange(1, 10_000), default=20, show_default=True, help="At most this many questions.")
@click.option("--analyst", metavar="NAME", help="Whose numbers to show as 'mine' (default: the current analyst).")
@db_option
@json_option
def search_cmd(words, limit, analyst, as_json):
    """Find questions by words in their id, text, resolution criteria or tags.

    Best matches first; each word may be the start of a word ('sanct'
    finds 'sanctions').

    \b
    Examples:
      tracker search ecb rate cut
      tracker search summit helsinki --json
      tracker search sanctions --limit 5 --analyst ana
    """
    from .. import config
    from ..services.week import search

    rows = search(get_store(), " ".join(words), me=config.analyst_name(analyst), limit=limit)
    if as_json:
        emit_json(rows)
        return
    if not rows:
        info("no question matches")
        return
    click.echo(wrapped_table(
        [(r["id"], r["deadline"], r["status"], number(r["mine"]), "hidden" if r["hidden"] else number(r["median"]), r["text"])
         for r in rows],
        ["id", "deadline", "status", "mine", "median", "text"], wrap=5,
    ))


@click.command("clarify")
@click.argument("question")
@click.argument("text")
@click.option("--analyst", metavar="NAME", help="Who clarifies (default: $TRACKER_ANALYST, else the login name).")
@db_option
@json_option
def clarify_cmd(question, text, analyst, as_json):
    """Add a dated, attributed clarification of a question's resolution criteria.

    Clarifications are kept like forecasts: never changed or removed.

    \b
    Example:
      tracker clarify summit-vienna "A meeting on the margins of a multilateral summit counts"
      tracker clarify summit-vienna "Helsinki counts as a neutral venue" --analyst rita
    """
    from .. import config
    from ..services.week import add_clarification

    row = add_clarification(get_store(), question, text, analyst=config.analyst_name(analyst))
    if as_json:
        emit_json(row)
    else:
        click.echo(f"clarification #{row['id']} on {row['question_id']} by {row['recorded_by']} at {show_time(row['made_at'])}")


@click.group("team")
def team_group():
    """Team settings: the deadline time zone and blind forecasting."""


@team_group.command("show")
@db_option
@json_option
def team_show(as_json):
    """Show the team settings.

    \b
    Example:
      tracker team show
    """
    from ..services.week import team_settings

    settings = team_settings(get_store())
    if as_json:
        emit_json(settings)
        return
    click.echo(f"timezone  {settings['timezone']}  (a deadline day ends at midnight here)")
    click.echo(f"blind     {'on' if settings['blind'] else 'off'}  (others' numbers hidden until you forecast)")


@team_group.command("set")
@click.argument("key", type=click.Choice(["timezone", "blind"]))
@click.argument("value")
@db_option
@json_option
def team_set(key, value, as_json):
    """Set a team setting: timezone (an IANA zone) or blind (on/off).

    \b
    Examples:
      tracker team set timezone America/New_York
      tracker team set blind on
    """
    from ..services.week import set_team_setting

    settings = set_team_setting(get_store(), key, value)
    if as_json:
        emit_json(settings)
    else:
        shown = settings[key] if key == "timezone" else ("on" if settings[key] else "off")
        click.echo(f"team {key} is {shown}")


@click.group("analyst")
def analyst_group():
    """Analysts: their e-mail addresses for reminders."""


@analyst_group.command("set")
@click.argument("name")
@click.option("--email", required=True, metavar="ADDR", help="The address reminders go to ('' removes it).")
@db_option
@json_option
def analyst_set(name, email, as_json):
    """Keep an analyst's e-mail address.

    \b
    Example:
      tracker analyst set alice --email alice@example.org
    """
    from ..services.week import set_analyst_email

    row = set_analyst_email(get_store(), name, email)
    if as_json:
        emit_json(row)
    else:
        click.echo(f"{row['name']}: {row['email'] or 'no e-mail address'}")


@analyst_group.command("list")
@db_option
@json_option
def analyst_list(as_json):
    """List the analysts with their e-mail addresses.

    \b
    Example:
      tracker analyst list --json
    """
    from ..services.week import analysts

    rows = analysts(get_store())
    if as_json:
        emit_json(rows)
        return
    from .common import table

    click.echo(table([(r["name"], r["team"], r["email"]) for r in rows], ["name", "team", "email"]))


@click.command("remind")
@click.option("--analyst", "names", multiple=True, metavar="NAME", help="Whose digest (repeatable; default: the current analyst).")
@click.option("--all", "everyone", is_flag=True, help="A digest for every analyst.")
@click.option("--within", default="14d", show_default=True, metavar="WINDOW", help=WITHIN_HELP)
@click.option("--stale", default="30d", show_default=True, metavar="AGE", help=STALE_HELP)
@click.option("--format", "fmt_", type=click.Choice(["text", "md", "json", "ics"]), default="text", show_default=True,
              help="ics: an iCalendar file of the deadlines (stable UIDs: a re-import updates, never duplicates).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="Write to this file instead of stdout.")
@click.option("--send", is_flag=True, help="Mail each analyst their digest (addresses: tracker analyst set).")
@click.option("--smtp", metavar="HOST:PORT", default="localhost:25", show_default=True, help="The mail server for --send.")
@click.option("--from", "sender", metavar="ADDR", help="The sender address for --send.")
@db_option
def remind_cmd(names, everyone, within, stale, fmt_, output, send, smtp, sender):
    """Reminders: each analyst's todo as a digest, an iCalendar file, or mail.

    \b
    Examples:
      tracker remind --all --format md
      tracker remind --analyst alice --within 7d --stale 2w
      tracker remind --analyst alice --format ics -o alice.ics
      tracker remind --all --send --smtp mail.example.org:25 --from tracker@example.org
    """
    from .. import config
    from ..services.remind import calendar, send_digests
    from ..services.week import all_analysts, digests

    if everyone and names:
        raise click.UsageError("give --analyst or --all, not both")
    if send and not sender:
        raise click.UsageError("--send needs --from ADDR")
    store = get_store()
    who = all_analysts(store) if everyone else (list(names) or [config.analyst_name(None)])
    data = digests(store, who, within_days=_days(within, "--within"), stale_days=_days(stale, "--stale"))
    if send:
        host, _, port = smtp.rpartition(":")
        if not host or not port.isdigit():
            raise click.BadParameter("use HOST:PORT", param_hint="--smtp")
        sent = send_digests(data, host=host, port=int(port), sender=sender,
                            render=lambda d: render_todo(d, width=100))
        for line in sent["skipped"]:
            info(f"skipped {line}")
        info(f"sent {len(sent['sent'])} digest(s) through {smtp}")
        return
    if fmt_ == "json":
        from .common import to_json

        text = to_json(data) + "\n"
    elif fmt_ == "ics":
        text = calendar(data)
    else:
        text = "\n\n".join(render_todo(d, markdown=fmt_ == "md") for d in data) + "\n"
    if output:
        with open(output, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        info(f"wrote {output}")
    elif fmt_ == "ics":
        from .common import emit_raw

        emit_raw(text)  # CRLF line ends are the format's, not control characters to show
    else:
        click.echo(text, nl=False)
