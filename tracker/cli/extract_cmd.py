"""``tracker extract``: propose the forecasts hidden in an assessment's prose.

Thin by design: read the file, call :mod:`tracker.extract`, render. The
extractor is imported inside the command so that ``tracker --help`` stays fast.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Optional

import click

from .common import info, json_option, parse_date_arg

SCALE_CHOICES = ("icd203", "phia", "ipcc", "kent", "survey")
_HORIZON = re.compile(r"^\s*(\d{1,5})\s*(d|days?|w|weeks?|m|months?|y|years?)?\s*$", re.I)
_UNIT_DAYS = {"d": 1, "w": 7, "m": 30, "y": 365}


def parse_horizon(value: str) -> int:
    """``90d`` / ``12w`` / ``6m`` / ``1y`` / ``90`` -> days (a month is 30 days, a year 365)."""
    from ..errors import ValidationError

    m = _HORIZON.match(value or "")
    if not m:
        raise ValidationError(f"--horizon {value!r} is not a duration such as 90d, 12w, 6m or 1y")
    days = int(m.group(1)) * _UNIT_DAYS[(m.group(2) or "d")[0].lower()]
    if days < 1:
        raise ValidationError("--horizon must be at least one day")
    return days


def _read_input(path: str) -> tuple[str, str]:
    """(text, origin) from a file path or ``-`` (standard input)."""
    from ..extract import decode_bytes
    from ..extract.text import MAX_BYTES
    from .common import read_limited

    data, name = read_limited(path, MAX_BYTES, what="an assessment")
    if path == "-":
        return decode_bytes(data, "standard input"), "stdin"
    return decode_bytes(data, path), Path(path).name


def _pct(p: float) -> str:
    v = round(p * 100, 1)
    return f"{v:g}%"


def _band_text(c) -> str:
    if c.band is None:
        return c.band_name or ""
    lo, hi = c.band
    span = _pct(lo) if lo == hi else f"{_pct(lo)[:-1]}-{_pct(hi)}"
    return f"{c.scale} {c.band_name}, {span}"


def render_claims(claims: list, *, include_all: bool) -> str:
    """The readable list printed without --json."""
    lines: list[str] = []
    for c in claims:
        if c.cls != "forecast":
            if include_all:
                extra = f" (attributed to {c.attributed_to})" if c.attributed_to else ""
                lines.append(f"[{c.cls}]{extra} {c.sentence}")
                lines.append("")
            continue
        where = f"{c.deadline_source}"
        if c.deadline_text:
            where += f': "{c.deadline_text}"'
        lines.append(f"{c.id}    deadline {c.deadline.isoformat()} ({where})")
        lines.append(f"  {c.event}")
        if isinstance(c.probability, dict):
            number = ", ".join(f"{k} {_pct(v)}" for k, v in c.probability.items())
        elif c.probability is None:
            number = "no number"
        else:
            number = _pct(c.probability)
        detail = _band_text(c)
        said = f'"{c.phrase}"' if c.phrase else "(no estimative word)"
        line = f"  {said} -> {number}" + (f"  ({detail})" if detail else "")
        lines.append(line)
        flags = []
        if c.assessed is False:
            flags.append("UNASSESSED: set your own number")
        if c.attributed_to:
            flags.append(f"attributed to {c.attributed_to}: no analyst forecast")
        if c.confidence:
            flags.append(f"{c.confidence} confidence")
        if c.negated:
            flags.append("negated: the number is for the event as stated")
        if c.condition:
            flags.append(f"conditional: {'if' if c.condition_holds else 'unless'} {c.condition}")
        if c.deadline_source in ("default horizon", "horizon for an open-ended time", "event date not known"):
            flags.append(f"deadline is the {c.deadline_source}: confirm it")
        if flags:
            lines.append("  " + "; ".join(flags))
        lines.append("")
    return "\n".join(lines).rstrip()


def _write_atomically(path: Path, text: str, force: bool) -> None:
    from ..errors import ConflictError, FileFormatError

    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise FileFormatError(f"cannot write {path}: folder {parent} does not exist")
    if path.is_dir():
        raise FileFormatError(f"cannot write {path}: it is a folder")
    if path.exists() and not force:
        raise ConflictError(f"{path} already exists: pass --force to overwrite it")
    import tempfile

    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise FileFormatError(f"cannot write {path}: {exc.strerror or exc}") from None


@click.command("extract")
@click.argument("path", metavar="FILE")
@click.option("--date", "date_text", metavar="YYYY-MM-DD",
              help="When the assessment was written; relative expressions ('next week', 'in July') count from it. "
                   "Default: the date in the text's header or dateline; required when it has none.")
@click.option("--scale", type=click.Choice(SCALE_CHOICES), default="icd203", show_default=True,
              help="Which scale turns words into numbers (see above).")
@click.option("--horizon", default="90d", show_default=True, metavar="DURATION",
              help="Deadline for forecasts that name no time: 90d, 12w, 6m (30 days each) or 1y.")
@click.option("--analyst", default="assessment", show_default=True, metavar="NAME",
              help="Analyst name for the forecasts written into the draft (-o).")
@click.option("--all", "include_all", is_flag=True, help="Also list the sentences that are not forecasts, with their class.")
@json_option
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None, metavar="FILE.yaml",
              help="Write a draft scenario file (YAML) instead of listing the claims.")
@click.option("--force", is_flag=True, help="With -o: overwrite an existing file.")
@click.option("--id", "scenario_id", metavar="SLUG", help="Scenario id in the draft (default: from the title and year).")
@click.option("--title", metavar="TEXT", help="Scenario title in the draft (default: the text's first heading, else the file name).")
def extract(path: str, date_text: Optional[str], scale: str, horizon: str, analyst: str, include_all: bool,
            as_json: bool, output: Optional[Path], force: bool, scenario_id: Optional[str], title: Optional[str]) -> None:
    """Propose the forecasts in an assessment's estimative language.

    Reads FILE (plain text or Markdown, UTF-8 or UTF-16 with a BOM; '-' reads
    standard input) and turns sentences such as "X is expected to visit Y in
    July", "Moscow may push for ..." or "we believe ... will" into claims: a
    short resolvable event, the estimative phrase as written, a probability
    with the band it came from, and a deadline. Statements about the past or
    present, facts, reported claims and boilerplate are classified and left
    out (--all shows them).

    \b
    Examples:
      tracker extract assessment.txt --date 2018-06-20
      tracker extract assessment.txt --date 2018-06-20 --json
      tracker extract assessment.txt --date 2018-06-20 --all
      tracker extract assessment.txt --date 2018-06-20 -o scenarios/trump-putin.yaml
      tracker extract notes.md --scale phia --horizon 6m --analyst ana -o draft.yaml
      tracker extract assessment.txt --date 2018-06-20 -o draft.yaml --force \
          --id trump-putin-2018 --title "Trump-Putin summit, June 2018"

    \b
    Scales (--scale):
      icd203  US ICD 203 (default): almost no chance 1-5%, very unlikely 5-20%,
              unlikely 20-45%, roughly even chance 45-55%, likely 55-80%,
              very likely 80-95%, almost certain 95-99%
      phia    UK PHIA yardstick: remote chance 0-5%, highly unlikely 10-20%,
              unlikely 25-35%, realistic possibility 40-50%, likely 55-75%,
              highly likely 80-90%, almost certain 95-100%
      ipcc    IPCC calibrated language (nested ranges): very likely 90-100%,
              likely 66-100%, about as likely as not 33-66%, unlikely 0-33%,
              very unlikely 0-10%, ... (for climate assessments)
      kent    Sherman Kent 1964: probable 63-87%, probably not 20-40%, ...
      survey  how readers read each phrase: median of the reader surveys,
              band = interquartile range
    The number is the band midpoint (the survey median for 'survey'). A
    number on a shared band edge belongs to the band nearer to even odds.

    \b
    How words are read:
      may / could / might   unassessed possibility: a survey-median default,
                            flagged "set your own number"
      we believe ... will   likely;  plain "will" (own voice): very likely
      we cannot rule out    remote to unlikely
      will not, we doubt    the mirror band, for the positive event
      with high confidence  kept as confidence, never a probability
      reports claim, X said attributed: recorded, but no analyst forecast

    \b
    Deadlines: explicit dates ("July 12th" = the next 12 July), "in July"
    (end of that month), "next week" (Sunday of next Mon-Sun week), "by year
    end", "within 30 days", "in the coming months" (6 months), an event named
    elsewhere in the text ("the upcoming meeting"), else --horizon.

    With -o the draft scenario file is written (never over an existing file
    without --force) and a one-line summary goes to stderr; review it, then
    import it.
    """
    from ..errors import ValidationError
    from ..extract import (
        document_title,
        draft_scenario,
        extract_claims,
        find_document_date,
        scenario_slug,
    )

    horizon_days = parse_horizon(horizon)
    text, origin = _read_input(path)
    if date_text:
        doc_date = parse_date_arg(date_text, "--date")
    else:
        doc_date = find_document_date(text)
        if doc_date is None:
            raise ValidationError(
                f"{origin}: the text gives no date it was written: pass --date YYYY-MM-DD "
                "('next week' and 'in July' count from it)"
            )
        info(f"document date {doc_date.isoformat()} (found in the text; --date overrides it)")

    claims = extract_claims(text, doc_date=doc_date, scale=scale, horizon_days=horizon_days, include_all=include_all)
    forecasts = [c for c in claims if c.cls == "forecast"]
    if not forecasts:
        info(f"no forecasts found in {origin}: no estimative language about the future"
             + (" (empty draft written)" if output else ""))

    if output is not None:
        from ..files.yamlio import dump_yaml

        doc_title = title or document_title(text) or Path(origin).stem or "Assessment"
        sid = scenario_id or scenario_slug(doc_title, doc_date, fallback=Path(origin).stem)
        scenario = draft_scenario(forecasts, scenario_id=sid, title=doc_title, doc_date=doc_date,
                                  origin=origin, analyst=analyst)
        header = (
            f"# Draft scenario proposed by `tracker extract` from {origin} (written {doc_date.isoformat()}, "
            f"scale {scale}).\n"
            "# Review every question: event wording, deadline, outcomes and the numbers. Questions with\n"
            "# 'assessed: false' carry a default for an unassessed possibility; attributed claims have no forecast.\n"
            "# Values under 'unconfirmed' did not come from the text: `tracker import` refuses them until you\n"
            "# edit them or delete their marks (or pass --accept-defaults). A conditional forecast points at a\n"
            "# proposed question for its condition ('proposed_condition: true').\n"
        )
        _write_atomically(output, header + dump_yaml(scenario), force)
        with_numbers = sum(1 for q in scenario["questions"] if q["forecasts"])
        unassessed = sum(1 for c in forecasts if c.assessed is False)
        attributed = sum(1 for c in forecasts if c.attributed_to)
        conditional = sum(1 for q in scenario["questions"] if q.get("condition"))
        unconfirmed = sum(1 for q in scenario["questions"] if q.get("extraction", {}).get("unconfirmed"))
        info(f"wrote {output}: {len(scenario['questions'])} questions ({with_numbers} with a forecast, "
             f"{unassessed} unassessed, {attributed} attributed, {conditional} conditional, "
             f"{unconfirmed} with unconfirmed values)")
        if as_json:
            from .common import emit_json

            emit_json([c.as_dict() for c in claims])
        return

    if as_json:
        from .common import emit_json

        emit_json([c.as_dict() for c in claims])
        return
    rendered = render_claims(claims, include_all=include_all)
    if rendered:
        click.echo(rendered)
