"""review, check and history."""

from __future__ import annotations

import click

from .common import db_option, emit_json, fmt, get_store, info, json_option, read_date, table


@click.command("review")
@click.option("--quarter", required=True, metavar="YYYYQN", help="The review period, e.g. 2018Q3: the questions whose deadline falls in it.")
@click.option("--stale", metavar="DAYS", help="Also list forecasts on open questions with no update in this long (e.g. 30d, 4w).")
@click.option("--as-of", metavar="DATE", help="Judge what is due as of this date (default: today).")
@click.option("--scenario", metavar="ID", help="Only this scenario's questions.")
@click.option("--write", "write_path", metavar="FILE", help="Write a resolution-file skeleton of the questions awaiting resolution.")
@click.option("--reviewer", metavar="NAME", help="The reviewer named in the skeleton (default: $TRACKER_ANALYST, else the login name).")
@click.option("--force", is_flag=True, help="Overwrite FILE if it exists.")
@db_option
@json_option
def review_cmd(quarter, stale, as_of, scenario, write_path, reviewer, force, as_json):
    """The quarterly resolution review: resolved, awaiting resolution, not yet due.

    \b
    Examples:
      tracker review --quarter 2018Q3
      tracker review --quarter 2018Q3 --stale 30d --json
      tracker review --quarter 2018Q3 --write resolutions/2018-Q3.yaml   (then fill it in and import it)
      tracker review --quarter 2018Q3 --scenario trump-putin-2018 --as-of 2018-10-01 \
          --write resolutions/2018-Q3.yaml --reviewer ana --force
    """
    from ..services.review import parse_days, review

    store = get_store()
    data = review(store, quarter, as_of=read_date(as_of, "--as-of") if as_of else None,
                  stale_days=parse_days(stale) if stale else None, scenario=scenario)
    if write_path:
        from .. import config
        from ..files.yamlio import dump_yaml
        from ..services.review import SKELETON_HEADER, skeleton
        from .transfer_cmds import write_output

        doc = skeleton(data, reviewer=config.analyst_name(reviewer))
        write_output(write_path, SKELETON_HEADER.format(period=doc["period"]) + dump_yaml(doc), force=force)
        info(f"wrote {write_path}: {len(doc['resolutions'])} questions awaiting resolution")
    if as_json:
        emit_json(data)
        return
    if write_path:
        return
    c = data["counts"]
    click.echo(f"review {data['quarter']} ({data['start']} to {data['end']}), as of {data['as_of']}: "
               f"{c['resolved']} resolved, {c['awaiting_resolution']} awaiting resolution, {c['not_yet_due']} not yet due")
    sections = (
        ("resolved", ["id", "deadline", "status", "outcome", "text"], lambda q: (q["id"], q["deadline"], q["status"], q["outcome"], q["text"])),
        ("awaiting_resolution", ["id", "deadline", "days overdue", "text"], lambda q: (q["id"], q["deadline"], q["days_overdue"], q["text"])),
        ("not_yet_due", ["id", "deadline", "analysts", "text"], lambda q: (q["id"], q["deadline"], q["n_analysts"], q["text"])),
    )
    for key, headers, row in sections:
        click.echo(f"\n{key.replace('_', ' ')} ({len(data[key])})")
        if data[key]:
            click.echo(table([row(q) for q in data[key]], headers))
        if key == "awaiting_resolution":
            from .log_cmds import echo_criteria

            for q in data[key]:
                if q["criteria"] or q["clarifications"]:
                    click.echo(f"\n{q['id']}: resolve by")
                    echo_criteria(q)
    if data["stale_days"] is not None:
        click.echo(f"\nstale forecasts: no update in {data['stale_days']} days ({len(data['stale'])})")
        if data["stale"]:
            click.echo(table([(s["question_id"], s["analyst"], s["last_forecast_at"], s["days_since"]) for s in data["stale"]],
                             ["question", "analyst", "last forecast", "days"]))


@click.command("check")
@click.option("--scenario", metavar="ID", help="Only this scenario's questions.")
@click.option("--tolerance", type=click.FloatRange(0, 1), default=0.05, show_default=True,
              help="How far a joint forecast may sit from conditional x marginal before it is flagged.")
@db_option
@json_option
def check_cmd(scenario, tolerance, as_json):
    """List incoherent forecasts; exit 1 when there are any.

    \b
    Checks, on each analyst's latest forecasts:
      vector_sum         a categorical vector that does not sum to 1
      implication        P(A) > P(B) where A implies B
      conditional_joint  P(joint) far from P(A | B) x P(B)
      condition_failed   a conditional question whose condition failed but is not annulled
      after_resolution   forecasts made after the outcome became known

    \b
    Examples:
      tracker check
      tracker check --scenario trump-putin-2018 --tolerance 0.1 --json
    """
    from ..services.review import check

    store = get_store()
    issues = check(store, scenario=scenario, tolerance=tolerance)
    if as_json:
        emit_json(issues)
    elif issues:
        click.echo(table([(i["check"], i["question_id"], i["analyst"], i["detail"]) for i in issues],
                         ["check", "question", "analyst", "detail"], max_width=120))
    else:
        info("no incoherence found")
    if issues:
        if not as_json:
            info(f"{len(issues)} incoherent forecasts")
        click.get_current_context().exit(1)


@click.command("history")
@click.argument("question_id")
@db_option
@json_option
def history_cmd(question_id, as_json):
    """Every forecast and resolution record of a question, in the order recorded.

    Clarifications of the resolution criteria are records too; the criteria
    are printed above the table. QUESTION_ID may be a unique prefix.

    \b
    Example:
      tracker history summit-vienna
    """
    from ..services.log import show_question
    from ..services.review import history
    from .common import question_id as find_id
    from .log_cmds import echo_criteria

    store = get_store()
    question_id = find_id(store, question_id)
    events = history(store, question_id)
    if as_json:
        emit_json(events)
        return
    q = show_question(store, question_id)
    if q["criteria"] or q["clarifications"]:
        click.echo(f"{q['id']}: {q['text']}")
        echo_criteria({"criteria": q["criteria"], "clarifications": []})
        click.echo("")
    if not events:
        info(f"{question_id}: no records yet")
        return

    def value(e):
        v = e["value"]
        if isinstance(v, dict):
            return " ".join(f"{k}={p:.2f}" for k, p in v.items())
        return fmt(v)

    click.echo(table(
        [(e["recorded_at"], e["record"], e["who"], e["effective_at"], value(e),
          ("imported" if e["imported"] else "") + (f"supersedes #{e['supersedes_id']}" if e.get("supersedes_id") else ""), e["detail"])
         for e in events],
        ["recorded", "record", "who", "effective", "value", "", "detail"],
    ))
