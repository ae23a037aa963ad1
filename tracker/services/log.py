"""The forecast log: questions, forecasts and resolutions.

Every write goes through one transaction; forecasts and resolutions are only
ever inserted.
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any, Optional

from .. import rules
from ..errors import ConflictError, NotFoundError, ValidationError
from ..models import QuestionIn, utcnow
from ..storage import Store
from .common import (
    T_FORECAST,
    T_QUESTION,
    T_RESOLUTION,
    T_SCENARIO,
    T_TAG,
    aware,
    check_analyst_name,
    check_free_text,
    check_json_value,
    current_resolution,
    ensure_analysts,
    forecast_dict,
    parse_binary_outcome,
    parse_probability,
    parse_vector,
    question_row,
    resolution_dict,
)

# A forecast may claim a time a little ahead of the recording clock (clock skew).
CLOCK_SKEW = rules.CLOCK_SKEW


def _pydantic_message(exc) -> str:
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err.get("loc", ()) if p != "__root__")
    msg = err.get("msg", "invalid value").removeprefix("Value error, ")
    inp = err.get("input")
    if loc and isinstance(inp, (str, int, float)) and str(inp) not in msg:
        return f"{loc}: {msg} (got {str(inp)[:60]!r})"
    return f"{loc}: {msg}" if loc else msg


def validate_question(data: dict) -> QuestionIn:
    from pydantic import ValidationError as PydanticError

    try:
        q = QuestionIn(**data)
    except PydanticError as exc:
        raise ValidationError(_pydantic_message(exc)) from None
    for field in ("source_sentence", "phrase", "source_document"):
        check_free_text(getattr(q, field), field.replace("_", " "))
    if q.extra is not None:
        q.extra = check_json_value(q.extra, "extra")
    return q


# --------------------------------------------------------------- questions


def check_links(conn, q: QuestionIn) -> None:
    """A question's condition and implication must point at existing questions
    with matching outcomes (binary questions for 'implies')."""
    from sqlalchemy import select

    def lookup(qid):
        return conn.execute(select(T_QUESTION).where(T_QUESTION.c.id == qid)).mappings().first()

    rules.check_question_links(q.id, q.kind, condition=q.condition_question_id, condition_outcome=q.condition_outcome,
                               implies=q.implies_question_id, lookup=lookup, corrects=q.corrects_question_id)


def insert_question(conn, q: QuestionIn, now: datetime, *, create_scenario: bool = True) -> dict:
    """Insert one checked question inside the caller's transaction."""
    from sqlalchemy import select

    if conn.execute(select(T_QUESTION.c.id).where(T_QUESTION.c.id == q.id)).first():
        raise ConflictError(f"a question with id {q.id!r} already exists")
    opened = aware(q.opened_at) or now
    rules.check_question_dates(q.id, q.deadline, opened, now)
    if q.scenario_id is not None:
        from ..models import check_slug

        try:
            check_slug(q.scenario_id, "scenario id")
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
        exists = conn.execute(select(T_SCENARIO.c.id).where(T_SCENARIO.c.id == q.scenario_id)).first()
        if not exists:
            if not create_scenario:
                raise NotFoundError(f"no scenario with id {q.scenario_id!r}")
            conn.execute(T_SCENARIO.insert().values(id=q.scenario_id, title=q.scenario_id, created_at=now))
    check_links(conn, q)
    conn.execute(
        T_QUESTION.insert().values(
            id=q.id,
            text=q.text,
            kind=q.kind,
            outcomes=q.outcome_list,
            ordered=bool(q.ordered and q.kind == "categorical"),
            deadline=q.deadline,
            opened_at=opened,
            created_at=now,
            scenario_id=q.scenario_id,
            source_sentence=q.source_sentence,
            phrase=q.phrase,
            source_document=q.source_document,
            condition_question_id=q.condition_question_id,
            condition_outcome=q.condition_outcome,
            implies_question_id=q.implies_question_id,
            extra=q.extra,
            criteria=q.criteria,
            corrects_question_id=q.corrects_question_id,
        )
    )
    if q.tags:
        conn.execute(T_TAG.insert(), [{"question_id": q.id, "tag": t} for t in q.tags])
    out = {"id": q.id, "kind": q.kind, "outcomes": q.outcome_list, "deadline": q.deadline, "opened_at": opened}
    if q.criteria:
        out["criteria"] = q.criteria
    if q.corrects_question_id:
        out["corrects"] = q.corrects_question_id
    return out


def id_from_text(text: str) -> str:
    """A readable question id made from its text (the first eight words, ASCII, lowercase)."""
    import re
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    slug = "-".join(slug.split("-")[:8])[:60].strip("-")
    if not slug:
        raise ValidationError("cannot make an id from this text")
    return slug


def add_question(store: Store, data: dict, *, now: Optional[datetime] = None) -> dict:
    q = validate_question(data)
    now = now or utcnow()
    from .admin import explain_refusal

    with explain_refusal(store, "question"):
        return store.run_write(lambda conn: insert_question(conn, q, now))


# --------------------------------------------------------------- forecasts


def check_forecast_value(question, value: Any) -> tuple[Optional[float], Optional[dict]]:
    """A binary probability or a categorical vector, checked against the question."""
    if question["kind"] == "binary":
        if isinstance(value, dict):
            keys = set(value)
            if keys <= {"yes", "no"} and "yes" in keys:
                p = parse_probability(value["yes"])
                if "no" in value and abs(parse_probability(value["no"]) + p - 1) > 1e-6:
                    raise ValidationError("yes and no probabilities do not sum to 1")
                return p, None
            raise ValidationError(f"question {question['id']!r} is binary: give one probability, not a vector")
        if isinstance(value, str) and "=" in value:
            raise ValidationError(f"question {question['id']!r} is binary: give one probability, not a vector")
        return parse_probability(value), None
    outcomes = list(question["outcomes"])
    if isinstance(value, dict):
        from ..models import normalize_vector

        try:
            return None, normalize_vector(outcomes, value)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
    if isinstance(value, str) and "=" in value:
        return None, parse_vector(value, outcomes)
    raise ValidationError(
        f"question {question['id']!r} is categorical: give a vector such as "
        + ",".join(f"{o}=..." for o in outcomes)
    )


def check_forecast_time(question, resolution, made_at: datetime, now: datetime, *, imported: bool, tz=None) -> None:
    """The forecast rules (tracker.rules) for one forecast on a stored question; ``tz``: the team's
    zone, whose midnight ends the deadline day (UTC when None)."""
    rules.check_forecast_open(question["id"], resolution)
    rules.check_forecast_time(question["id"], made_at, deadline=question["deadline"], now=now,
                              opened_at=question["opened_at"], imported=imported, tz=tz)


def add_forecast(
    store: Store,
    question_id: str,
    value: Any,
    *,
    analyst: str,
    rationale: Optional[str] = None,
    source: str = "cli",
    now: Optional[datetime] = None,
    relative: Optional[float] = None,
) -> dict:
    """Log one forecast now. Historical (back-dated) forecasts come in through
    the importers only, where they are flagged as imported.

    ``relative``: instead of ``value``, a change of the analyst's latest
    probability in percentage points (binary questions); a result outside
    0-100% is clamped, and the result says so in ``warnings``."""
    analyst = check_analyst_name(analyst)
    rationale = check_free_text(rationale, "rationale")

    def work(conn):
        from ..storage.forecast_context import forecast_context, insert_forecast
        from .week import settings_from, team_zone

        when = now or utcnow()
        # the question, its current resolution, the team's settings and whether
        # the analyst has a row: one query (the server logs forecasts by the thousand)
        question, resolution, settings, analyst_known = forecast_context(conn, question_id, analyst)
        warnings: list[str] = []
        if relative is not None:
            value_ = _relative_value(conn, question, analyst, relative, warnings)
        else:
            value_ = value
        probability, vector = check_forecast_value(question, value_)
        tz = team_zone(settings_from(settings))
        check_forecast_time(question, resolution, when, when, imported=False, tz=tz)
        if not analyst_known:
            ensure_analysts(conn, [analyst], when)
        row = dict(
            question_id=question_id,
            analyst=analyst,
            probability=probability,
            probabilities=vector,
            made_at=when,
            recorded_at=when,
            imported=False,
            rationale=rationale,
            source=source,
        )
        result = conn.execute(insert_forecast(), row)
        row["id"] = result.inserted_primary_key[0]
        out = forecast_dict(row)
        if warnings:
            out["warnings"] = warnings
        return out

    from .admin import explain_refusal

    with explain_refusal(store, "forecast"):
        return store.run_write(work)


def _relative_value(conn, question, analyst: str, points: float, warnings: list[str]) -> float:
    """The analyst's latest probability moved by ``points`` percentage points."""
    from sqlalchemy import select

    qid = question["id"]
    if question["kind"] != "binary":
        raise ValidationError(f"question {qid!r} is categorical: a relative update needs a binary question; give the vector")
    last = conn.execute(
        select(T_FORECAST.c.probability).where(T_FORECAST.c.question_id == qid, T_FORECAST.c.analyst == analyst)
        .order_by(T_FORECAST.c.made_at.desc(), T_FORECAST.c.id.desc()).limit(1)
    ).first()
    if last is None:
        raise ValidationError(f"{analyst} has no forecast on {qid!r} to update by {points:+g} points: give a probability")
    old = last[0]
    new = round(old * 100 + points, 9) / 100
    if new < 0 or new > 1:
        clamped = min(1.0, max(0.0, new))
        warnings.append(f"{old:.0%} {points:+g} points is {new * 100:.4g}%: recorded {clamped:.0%}")
        new = clamped
    return new


# ------------------------------------------------------------- resolutions


def resolve_outcome(question, outcome: str) -> str:
    text = str(outcome).strip()
    if question["kind"] == "binary":
        word = parse_binary_outcome(text)
        if word is None:
            raise ValidationError(f"outcome {text!r} is not yes or no (question {question['id']!r} is binary)")
        return word
    if text not in question["outcomes"]:
        raise ValidationError(
            f"outcome {text!r} is not an outcome of {question['id']!r} ({', '.join(question['outcomes'])})"
        )
    return text


def insert_resolution(
    conn,
    question_id: str,
    outcome: Optional[str],
    *,
    recorded_by: str,
    known_at: Optional[datetime] = None,
    evidence: list[str] | None = None,
    note: Optional[str] = None,
    reason: Optional[str] = None,
    supersede: bool = False,
    source: str = "cli",
    now: datetime,
    fields: tuple[str, str] = ("--reason", "known-at"),
) -> dict:
    """Record a resolution inside the caller's transaction. ``fields`` names
    the reason and the known-at time in messages as the user wrote them
    (command-line flags by default; a file passes its keys)."""
    reason_field, known_field = fields
    recorded_by = check_analyst_name(recorded_by)
    note = check_free_text(note, "note")
    reason = check_free_text(reason, "reason")
    evidence = [check_free_text(str(e), "evidence") for e in (evidence or [])]
    question = question_row(conn, question_id, lock=True)
    annulled = str(outcome).strip().lower() in ("annulled", "annul", "void") if outcome is not None else False
    if annulled:
        rules.check_annulment(question_id, reason, reason_field)
        outcome_value = None
    else:
        if outcome is None:
            raise ValidationError(f"no outcome given for {question_id!r}")
        outcome_value = resolve_outcome(question, outcome)
    previous = current_resolution(conn, question_id)
    if known_at is not None:
        known = aware(known_at)
    elif supersede and previous is not None:
        known = aware(previous["known_at"])  # a correction keeps when it became known
    else:
        known = now
    rules.check_known_at(question_id, known, now=now, opened_at=question["opened_at"], annulled=annulled, field=known_field)
    evidence = [str(e).strip() for e in (evidence or []) if str(e).strip()]
    if previous is not None:
        same = bool(previous["annulled"]) == annulled and previous["outcome"] == outcome_value
        if not supersede:
            state = "annulled" if previous["annulled"] else f"resolved as {previous['outcome']!r}"
            raise ConflictError(
                f"question {question_id!r} is already {state}; to correct it use --supersede with a --reason"
            )
        rules.check_correction(question_id, reason, reason_field)
        if same and aware(previous["known_at"]) == known:
            raise ConflictError(f"question {question_id!r} already has that resolution; nothing to correct")
    elif supersede:
        raise ValidationError(f"question {question_id!r} has no resolution to supersede")
    if not annulled and question["condition_question_id"]:
        cond = current_resolution(conn, question["condition_question_id"])
        if cond is not None and not cond["annulled"] and cond["outcome"] != question["condition_outcome"]:
            raise ValidationError(
                f"question {question_id!r} is conditional on {question['condition_question_id']} = "
                f"{question['condition_outcome']}, which resolved {cond['outcome']}: annul it instead"
            )
    row = dict(
        question_id=question_id,
        outcome=outcome_value,
        annulled=annulled,
        reason=reason,
        known_at=known,
        recorded_at=now,
        recorded_by=recorded_by,
        evidence=evidence,
        note=note,
        supersedes_id=previous["id"] if previous is not None else None,
        source=source,
    )
    result = conn.execute(T_RESOLUTION.insert(), row)
    row["id"] = result.inserted_primary_key[0]
    out = resolution_dict(row)
    out["annulled_dependents"], out["still_annulled_dependents"], out["annulled_reasons"] = _annul_failed_conditions(
        conn, question_id, out, recorded_by, now, source
    )
    return out


def _auto_annulled_by(resolution, question_id: str) -> bool:
    """Whether a dependent's resolution is the automatic annulment that a
    resolution of ``question_id`` recorded."""
    reason = resolution["reason"] or ""
    return bool(resolution["annulled"]) and (
        reason.startswith(f"condition failed: {question_id} resolved ")
        or reason == f"condition question {question_id} was annulled"
    )


@functools.cache
def _dependents():
    """The questions conditional on one (built once: a resolution file asks per entry)."""
    from sqlalchemy import bindparam, select

    return select(T_QUESTION.c.id, T_QUESTION.c.condition_outcome).where(
        T_QUESTION.c.condition_question_id == bindparam("question_id"))


def _annul_failed_conditions(conn, question_id, resolution, recorded_by, now, source) -> tuple[list[str], list[str], dict]:
    """Questions conditional on this one whose condition failed are annulled
    (a dependent already resolved with an outcome is corrected to annulled:
    its condition no longer holds), and so on down the chain: questions
    conditional on an annulled one are annulled too. Returns the ids annulled
    now, the whole chain (each dependent followed by those it annulled in
    turn), the ids of dependents whose condition holds again after a
    correction but which stay annulled from before (the caller tells the
    user: only a reviewer can resolve them), and the reason recorded for each
    id annulled."""
    done, still, reasons = [], [], {}
    rows = conn.execute(_dependents(), {"question_id": question_id}).all()
    for dep_id, wanted in rows:
        current = current_resolution(conn, dep_id)
        if not resolution["annulled"] and wanted == resolution["outcome"]:
            if current is not None and _auto_annulled_by(current, question_id):
                still.append(dep_id)
            continue
        if current is not None and current["annulled"]:
            continue
        if resolution["annulled"]:
            reason = f"condition question {question_id} was annulled"
        else:
            reason = f"condition failed: {question_id} resolved {resolution['outcome']}, not {wanted}"
        inner = insert_resolution(
            conn, dep_id, "annulled", known_at=resolution["known_at"], recorded_by=recorded_by,
            reason=reason, source=source, now=now, supersede=current is not None,
        )
        done.append(dep_id)
        reasons[dep_id] = reason
        done.extend(inner["annulled_dependents"])  # the chain below it
        still.extend(inner["still_annulled_dependents"])
        reasons.update(inner["annulled_reasons"])
    return done, still, reasons


def resolve(store: Store, question_id: str, outcome: str, *, recorded_by: str, now: Optional[datetime] = None, **kwargs) -> dict:
    recorded_by = check_analyst_name(recorded_by)
    from .admin import explain_refusal

    with explain_refusal(store, "resolve"):
        return store.run_write(lambda conn: insert_resolution(conn, question_id, outcome, recorded_by=recorded_by, now=now or utcnow(), **kwargs))


# the reading side (list, show) lives in services.questions; its names stay importable from here,
# imported when first asked for (a forecast does not read lists)
_READS = ("STATUSES", "list_questions", "question_dict", "show_question")


def __getattr__(name: str):
    if name not in _READS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from . import questions

    return getattr(questions, name)
