"""Everyday commands: question add, forecast, list, show, resolve."""

from __future__ import annotations

import click

from .common import (
    db_option,
    emit_json,
    get_store,
    info,
    json_option,
    number,
    question_id as find_id,
    read_date,
    read_datetime,
    read_days,
    show_time,
    table,
    wrapped_table,
)


@click.group("question")
def question_group():
    """Create questions (see also: tracker import for files)."""


@question_group.command("add")
@click.argument("text")
@click.option("--deadline", required=True, metavar="DATE",
              help="The date by which it resolves: YYYY-MM-DD or 'end of Q3', 'next Friday', 'in 3 months' "
              "(the end of that day in the team's time zone).")
@click.option("--criteria", metavar="TEXT", help="The resolution criteria: the fine print a reviewer resolves by.")
@click.option("--id", "qid", metavar="SLUG", help="A stable readable id (default: made from the text).")
@click.option("--outcomes", metavar="A,B,C", help="A categorical question's mutually exclusive, exhaustive outcomes (default: binary yes/no).")
@click.option("--ordered", is_flag=True, help="The categorical outcomes are ordered (scored with the ranked probability score too).")
@click.option("--tag", "tags", multiple=True, metavar="TAG", help="A tag (repeatable).")
@click.option("--scenario", metavar="ID", help="The scenario it belongs to (created if new).")
@click.option("--sentence", metavar="TEXT", help="The source sentence it was taken from.")
@click.option("--phrase", metavar="WORDS", help="The estimative phrase as written (e.g. 'very likely').")
@click.option("--document", metavar="NAME", help="The source document.")
@click.option("--condition", metavar="QID=OUTCOME", help="Only scored if question QID resolves OUTCOME.")
@click.option("--implies", metavar="QID", help="This question can only be yes if QID is yes.")
@click.option("--corrects", metavar="QID", help="This question corrects QID, whose definition is frozen "
              "(resolved, or already forecast): a new, linked record; QID keeps its own history and scores.")
@click.option("--opened", metavar="DATE", help="When the question opened (default: now), e.g. the assessment's date "
              "(without a zone: your local time).")
@db_option
@json_option
def question_add(text, deadline, criteria, qid, outcomes, ordered, tags, scenario, sentence, phrase, document, condition, implies,
                 corrects, opened, as_json):
    """Create a question.

    \b
    Examples:
      tracker question add "Trump and Putin meet in Vienna" --deadline 2018-07-31 --id summit-vienna --tag russia
      tracker question add "When do they meet?" --deadline 2018-07-31 --id summit-timing \\
          --outcomes before-nato,after-london,no-meeting
      tracker question add "How many sanctions are lifted?" --deadline 2018-12-31 --id sanctions-lifted \\
          --outcomes none,some,most --ordered --scenario trump-putin-2018 --opened 2018-06-20 \\
          --sentence "Moscow may push for some sanctions to be lifted" --phrase may \\
          --document "Assessment of 20 June 2018" --condition summit-vienna=yes --json
      tracker question add "They sign a joint statement" --deadline 2018-07-31 --id joint-statement \\
          --implies summit-vienna
      tracker question add "The ECB cuts its deposit rate" --deadline "end of Q3" \\
          --criteria "An announced cut of the deposit facility rate; a cut of other rates alone does not count"
      tracker question add "Trump and Putin meet in Helsinki" --deadline 2018-07-31 --id summit-helsinki \\
          --corrects summit-vienna   (summit-vienna is resolved: its text is frozen, the correction is linked)
    """
    from ..services.log import add_question

    data = {
        "id": qid or _slugify(text),
        "text": text,
        "deadline": read_date(deadline, "--deadline"),
        "criteria": criteria,
        "outcomes": [o.strip() for o in outcomes.split(",") if o.strip()] if outcomes else None,
        "ordered": ordered,
        "tags": list(tags),
        "scenario_id": scenario,
        "source_sentence": sentence,
        "phrase": phrase,
        "source_document": document,
        "implies_question_id": implies,
        "corrects_question_id": find_id(get_store(), corrects) if corrects else None,
    }
    if ordered and not outcomes:
        raise click.BadParameter("--ordered needs --outcomes", param_hint="--ordered")
    if condition:
        if "=" not in condition:
            raise click.BadParameter("use QUESTION_ID=OUTCOME", param_hint="--condition")
        cq, _, co = condition.partition("=")
        data["condition_question_id"], data["condition_outcome"] = cq.strip(), co.strip()
        from ..services.common import parse_binary_outcome

        data["condition_outcome"] = parse_binary_outcome(co) or co.strip()
    if opened:
        data["opened_at"] = read_datetime(opened, "--opened")
    store = get_store()
    result = add_question(store, data)
    if as_json:
        emit_json(result)
    else:
        click.echo(f"added {result['id']} ({result['kind']}: {', '.join(result['outcomes'])}; deadline {result['deadline']})"
                   + (f"; corrects {result['corrects']}" if result.get("corrects") else ""))


def _slugify(text: str) -> str:
    from ..errors import ValidationError
    from ..services.log import id_from_text

    try:
        return id_from_text(text)
    except ValidationError as exc:
        raise click.BadParameter(f"{exc}: pass --id", param_hint="--id") from None


@click.command("forecast")
@click.argument("question_id")
@click.argument("probability")
@click.option("--rationale", "-r", metavar="TEXT", help="Why: the evidence and reasoning behind the number.")
@click.option("--analyst", metavar="NAME", help="Who forecasts (default: $TRACKER_ANALYST, else the login name).")
@click.option("--made-at", "made_at", metavar="TIME", hidden=True, expose_value=True, default=None,
              help="Refused: a forecast is stamped when it is recorded.")
@db_option
@json_option
def forecast_cmd(question_id, probability, rationale, analyst, made_at, as_json):
    """Log a forecast, or revise one (every revision is kept).

    PROBABILITY is the chance of yes for a binary question: 0.35, .35 or 35%.
    A signed number moves your latest forecast by that many percentage
    points: +5, -10, +5% (clamped to 0-100%, with a warning).
    For a categorical question give a vector that sums to 1:
    before-nato=0.2,after-london=0.5,no-meeting=0.3

    QUESTION_ID may be a unique prefix of the id.

    \b
    Examples:
      tracker forecast summit-vienna 0.35 --rationale "Vienna is one of several venues floated"
      tracker forecast summit-vienna +5 --rationale "the venue talks moved on"
      tracker forecast summit-timing before-nato=20%,after-london=50%,no-meeting=30%
      tracker forecast summit-vienna 40% --analyst ana -r "venue confirmed by the host" --json
    """
    from .. import config
    from ..services.log import add_forecast

    if made_at is not None:
        raise click.BadParameter(
            "a forecast is stamped with the time it is recorded; back-dated forecasts come in through "
            "'tracker import' (a CSV or JSON file), where they are flagged as imported",
            param_hint="--made-at",
        )
    relative = relative_points(probability)
    store = get_store()
    name = config.analyst_name(analyst, store.url)
    qid = find_id(store, question_id)
    result = add_forecast(store, qid, probability, analyst=name, rationale=rationale, relative=relative)
    for warning in result.get("warnings", []):
        info(f"warning: {warning}")
    if as_json:
        emit_json(result)
    else:
        value = result["probability"] if result["probability"] is not None else result["probabilities"]
        shown = f"{value:.3f}" if isinstance(value, float) else ", ".join(f"{k}={v:.3f}" for k, v in value.items())
        click.echo(f"forecast #{result['id']}: {name} on {qid}: {shown}")


def relative_points(text: str):
    """'+5', '-10', '+5%', '+2.5pp': a change in percentage points; None for
    an absolute probability. '+0.05' is refused: it reads as five points
    and as a twentieth of one, so it is neither."""
    import re

    m = re.fullmatch(r"\s*([+-])\s*(\d+(?:\.\d*)?|\.\d+)\s*(%|pp|points?)?\s*", str(text))
    if not m:
        return None
    amount = float(m.group(2))
    if m.group(3) is None and 0 < amount < 1:
        raise click.BadParameter(
            f"{text.strip()!r} is ambiguous: a relative update is in percentage points (write {m.group(1)}5 for five points)",
            param_hint="PROBABILITY",
        )
    return amount if m.group(1) == "+" else -amount


@click.command("list")
@click.option("--open", "status", flag_value="open", help="Unresolved questions.")
@click.option("--due", "status", flag_value="due", help="Unresolved questions due within --within days (overdue included).")
@click.option("--overdue", "status", flag_value="overdue", help="Unresolved questions whose deadline has passed.")
@click.option("--resolved", "status", flag_value="resolved", help="Resolved questions.")
@click.option("--annulled", "status", flag_value="annulled", help="Annulled questions.")
@click.option("--status", "status", type=click.Choice(["all", "open", "due", "overdue", "resolved", "annulled"]), default="all", show_default=True)
@click.option("--scenario", metavar="ID", help="Only this scenario's questions.")
@click.option("--tag", metavar="TAG", help="Only questions with this tag.")
@click.option("--analyst", metavar="NAME", help="Only questions this analyst forecast.")
@click.option("--within", default="14", show_default=True, metavar="WINDOW",
              help="Window for --due: days (14, 14d), weeks (2w), months (3 months) or a date ('next Friday').")
@click.option("--as-of", metavar="DATE", help="Judge open/due/overdue as of this date (default: today).")
@click.option("--search", metavar="WORDS", help="Only questions whose id, text, criteria or tags hold these words.")
@click.option("--me", metavar="NAME", help="Whose latest number the 'mine' column shows (default: the current analyst).")
@click.option("--limit", type=click.IntRange(1), default=None, help="At most this many rows.")
@db_option
@json_option
def list_cmd(status, scenario, tag, analyst, within, as_of, search, me, limit, as_json):
    """List questions with their status (open, overdue, resolved, annulled).

    Each row shows your latest number ('mine') and the median of the team's
    current forecasts (hidden on an open question you have not forecast when
    the team forecasts blind); the text wraps to the terminal's width.

    \b
    Examples:
      tracker list --due
      tracker list --search "ecb rate"
      tracker list --resolved --tag russia --json
      tracker list --open --scenario trump-putin-2018 --analyst ana --limit 20
      tracker list --due --within 14 --as-of 2018-07-01
      tracker list --overdue
      tracker list --annulled
      tracker list --status all
      tracker list --open --me ana
    """
    from .. import config
    from ..services.log import list_questions

    store = get_store()
    rows = list_questions(
        store, status=status or "all", scenario=scenario, tag=tag, analyst=analyst,
        as_of=read_date(as_of, "--as-of") if as_of else None, within_days=read_days(within, "--within"), limit=limit,
        search=search, me=config.analyst_name(me),
    )
    if as_json:
        emit_json(rows)
        return
    if not rows:
        info("no questions match")
        return
    click.echo(
        wrapped_table(
            [(r["id"], r["deadline"], r["status"], r["outcome"], r["n_forecasts"], number(r["mine"]),
              "hidden" if r["hidden"] else number(r["median"]), r["text"]) for r in rows],
            ["id", "deadline", "status", "outcome", "forecasts", "mine", "median", "text"], wrap=7,
        )
    )


@click.command("show")
@click.argument("question_id")
@click.option("--analyst", metavar="NAME", help="Who is looking (default: the current analyst; matters when the team forecasts blind).")
@db_option
@json_option
def show_cmd(question_id, analyst, as_json):
    """Show a question with its whole forecast history and resolutions.

    QUESTION_ID may be a unique prefix of the id; a miss suggests the closest ids.

    \b
    Examples:
      tracker show summit-vienna
      tracker show summit --json
      tracker show summit --analyst ana   (as ana sees it under blind forecasting)
    """
    from .. import config
    from ..services.log import show_question

    store = get_store()
    q = show_question(store, find_id(store, question_id), viewer=config.analyst_name(analyst))
    if as_json:
        emit_json(q)
        return
    click.echo(f"{q['id']}: {q['text']}")
    click.echo(f"  kind      {q['kind']} ({', '.join(q['outcomes'])}{', ordered' if q['ordered'] else ''})")
    click.echo(f"  deadline  {q['deadline']} (ends at midnight {q['team_timezone']})   opened {show_time(q['opened_at'])}   "
               f"status {q['status']}")
    for label, key in (("scenario", "scenario_id"), ("phrase", "phrase"), ("sentence", "source_sentence"), ("document", "source_document"), ("implies", "implies_question_id")):
        if q[key]:
            click.echo(f"  {label:<9} {q[key]}")
    if q["tags"]:
        click.echo(f"  tags      {', '.join(q['tags'])}")
    if q["condition"]:
        click.echo(f"  condition {q['condition']['question_id']} = {q['condition']['outcome']}")
    if q.get("corrects"):
        click.echo(f"  corrects  {q['corrects']} (whose definition was frozen)")
    if q.get("corrected_by"):
        click.echo(f"  corrected by {', '.join(q['corrected_by'])}")
    echo_criteria(q)
    click.echo("")
    if q["hidden_forecasts"]:
        click.echo(f"{q['hidden_forecasts']} forecast(s) by others hidden: the team forecasts blind; forecast first")
    elif q["forecasts"]:
        click.echo(table(
            [(f["id"], f["made_at"], f["analyst"], _value(f), "imported" if f["imported"] else "", f["rationale"]) for f in q["forecasts"]],
            ["#", "made_at", "analyst", "forecast", "", "rationale"],
        ))
    else:
        click.echo("no forecasts yet")
    for r in q["resolutions"]:
        what = "annulled" if r["annulled"] else r["outcome"]
        mark = "" if r["current"] else " (superseded)"
        click.echo(f"\nresolution #{r['id']}{mark}: {what}, known {show_time(r['known_at'])}, recorded {show_time(r['recorded_at'])} "
                   f"by {r['recorded_by']}")
        for label in ("reason", "note"):
            if r[label]:
                click.echo(f"  {label}: {r[label]}")
        for e in r["evidence"]:
            click.echo(f"  evidence: {e}")


def echo_criteria(q: dict) -> None:
    """The resolution criteria and the clarifications, under a question."""
    import textwrap

    from .common import terminal_width

    width = terminal_width() - 12
    if q.get("criteria"):
        lines = textwrap.wrap(q["criteria"], width) or [""]
        click.echo(f"  criteria  {lines[0]}")
        for line in lines[1:]:
            click.echo(f"            {line}")
    for c in q.get("clarifications") or []:
        head = f"clarified {show_time(c['made_at'])} by {c['recorded_by']}: "
        lines = textwrap.wrap(head + c["text"], width) or [""]
        click.echo(f"  {lines[0]}")
        for line in lines[1:]:
            click.echo(f"    {line}")


def _value(f: dict) -> str:
    if f["probability"] is not None:
        return f"{f['probability']:.3f}"
    return " ".join(f"{k}={v:.2f}" for k, v in (f["probabilities"] or {}).items())


@click.command("resolve")
@click.argument("question_id")
@click.argument("outcome")
@click.option("--known-at", metavar="DATE", help="When the outcome became known (default: now).")
@click.option("--evidence", multiple=True, metavar="URL", help="A link or citation (repeatable).")
@click.option("--note", metavar="TEXT", help="What happened, in a sentence.")
@click.option("--reason", metavar="TEXT", help="Why it is annulled, or why a correction is made.")
@click.option("--supersede", is_flag=True, help="Correct an earlier resolution (the earlier record is kept).")
@click.option("--reviewer", metavar="NAME", help="Who records it (default: $TRACKER_ANALYST, else the login name).")
@db_option
@json_option
def resolve_cmd(question_id, outcome, known_at, evidence, note, reason, supersede, reviewer, as_json):
    """Record what happened: OUTCOME is yes/no, a categorical outcome, or annulled.

    \b
    Examples:
      tracker resolve summit-vienna no --known-at 2018-07-16 --evidence https://... --note "Held in Helsinki"
      tracker resolve summit-agenda annulled --reason "the agenda was never published"
      tracker resolve summit-vienna yes --supersede --reason "misread the report"
      tracker resolve summit-timing after-london --reviewer ana --json
    """
    from .. import config
    from ..services.log import resolve

    store = get_store()
    question_id = find_id(store, question_id)
    result = resolve(
        store, question_id, outcome,
        recorded_by=config.analyst_name(reviewer, store.url),
        known_at=read_datetime(known_at, "--known-at") if known_at else None,
        evidence=list(evidence), note=note, reason=reason, supersede=supersede,
    )
    if as_json:
        emit_json(result)
        return
    what = "annulled" if result["annulled"] else result["outcome"]
    extra = f" (supersedes #{result['supersedes_id']})" if result["supersedes_id"] else ""
    click.echo(f"resolved {question_id}: {what}{extra}")
    for dep in result["annulled_dependents"]:  # the whole chain, each with the reason recorded
        click.echo(f"annulled {dep}: {result.get('annulled_reasons', {}).get(dep) or 'its condition failed'}")
    for dep in result["still_annulled_dependents"]:
        click.echo(
            f"note: {dep} stays annulled from the earlier resolution of {question_id}; its condition holds now: "
            f"resolve it with 'tracker resolve {dep} OUTCOME --supersede --reason ...'",
            err=True,
        )
