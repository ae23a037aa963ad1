"""Helpers shared by the services: parsing user values, table handles,
row -> dict conversion."""

from __future__ import annotations

import contextlib
import gc
import math
from datetime import date, datetime, time, timezone
from typing import Any, Iterable

from ..errors import NotFoundError, ValidationError
from ..rules import (  # the value and name rules live in tracker.rules; kept importable here
    check_analyst_name,
    check_free_text,
    parse_probability,
    parse_vector,
)
from ..storage.bulk import insert_ignoring_duplicates
from ..storage.queries import chunked, current_resolution, raw_rows  # noqa: F401 (shared lookups, kept importable here)
from ..models import (
    BINARY_OUTCOMES,
    Analyst,
    Clarification,
    Forecast,
    Question,
    QuestionTag,
    Resolution,
    Scenario,
    TeamSetting,
    check_probability,
)

UTC = timezone.utc
T_SCENARIO = Scenario.__table__
T_ANALYST = Analyst.__table__
T_QUESTION = Question.__table__
T_TAG = QuestionTag.__table__
T_FORECAST = Forecast.__table__
T_RESOLUTION = Resolution.__table__
T_CLARIFICATION = Clarification.__table__
T_SETTING = TeamSetting.__table__

TRUE_WORDS = {"yes", "y", "true", "1", "1.0"}
FALSE_WORDS = {"no", "n", "false", "0", "0.0"}


def parse_datetime(value: Any, what: str) -> datetime:
    """An ISO date or datetime; UTC when no zone is given. A date means 00:00."""
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, date):
        dt = datetime.combine(value, time(0))
    else:
        s = str(value).strip()
        if not s:
            raise ValidationError(f"{what} is empty")
        if s.endswith(("Z", "z")):
            s = s[:-1] + "+00:00"
        try:
            if len(s) == 10:
                dt = datetime.combine(date.fromisoformat(s), time(0))
            else:
                dt = datetime.fromisoformat(s)
        except ValueError:
            raise ValidationError(f"{what} {str(value)!r} is not an ISO date or datetime") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    try:
        dt = dt.astimezone(UTC)
    except (OverflowError, ValueError):
        raise ValidationError(f"{what} {str(value)!r} is out of range") from None
    if not 1900 <= dt.year <= 9998:
        raise ValidationError(f"{what} {str(value)!r} is out of range (years 1900-9998)")
    return dt


def parse_date(value: Any, what: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        d = value
    else:
        s = str(value).strip()
        try:
            d = date.fromisoformat(s)
        except ValueError:
            raise ValidationError(f"{what} {s!r} is not an ISO date (YYYY-MM-DD)") from None
    if not 1900 <= d.year <= 9998:
        raise ValidationError(f"{what} {d.isoformat()} is out of range (years 1900-9998)")
    return d


def parse_binary_outcome(text: Any) -> str | None:
    s = str(text).strip().lower()
    if s in TRUE_WORDS:
        return "yes"
    if s in FALSE_WORDS:
        return "no"
    return None


def aware(dt: datetime | None) -> datetime | None:
    if dt is None:
        return None
    if dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def question_row(conn, question_id: str, *, lock: bool = False):
    """The question's row; ``lock`` holds it (PostgreSQL row lock) until the
    transaction ends, so that concurrent resolutions of it serialize."""
    from sqlalchemy import select

    stmt = select(T_QUESTION).where(T_QUESTION.c.id == question_id)
    if lock:
        stmt = stmt.with_for_update()
    row = conn.execute(stmt).mappings().first()
    if row is None:
        raise NotFoundError(f"no question with id {question_id!r}")
    return row


def tags_of(conn, question_ids: Iterable[str]) -> dict[str, list[str]]:
    from sqlalchemy import select

    ids = list(question_ids)
    out: dict[str, list[str]] = {q: [] for q in ids}
    for chunk in chunked(ids):
        rows = conn.execute(
            select(T_TAG.c.question_id, T_TAG.c.tag).where(T_TAG.c.question_id.in_(chunk)).order_by(T_TAG.c.tag)
        )
        for qid, tag in rows:
            out[qid].append(tag)
    return out


def ensure_analysts(conn, names: Iterable[str], now: datetime) -> None:
    """Insert the analysts that do not exist yet."""
    from sqlalchemy import select

    wanted = sorted(set(names))
    if not wanted:
        return
    existing: set[str] = set()
    for chunk in chunked(wanted):
        existing.update(r[0] for r in conn.execute(select(T_ANALYST.c.name).where(T_ANALYST.c.name.in_(chunk))))
    new = [{"name": n, "team": None, "created_at": now} for n in wanted if n not in existing]
    if new:
        # Another transaction may add the same analyst between the SELECT and
        # the INSERT (PostgreSQL, READ COMMITTED): let the first one win.
        conn.execute(insert_ignoring_duplicates(conn, T_ANALYST, ["name"]), new)


def check_json_value(value: Any, what: str) -> Any:
    """A value for a JSON column: dates become ISO text; NaN, infinity and
    anything JSON cannot represent are refused (PostgreSQL rejects them, and
    an export could not be written)."""
    import json

    def convert(v, depth=0):
        if depth > 64:
            raise ValidationError(f"{what} is nested too deeply")
        if isinstance(v, (datetime, date)):  # free-form data: kept as written
            return v.isoformat()
        if isinstance(v, dict):
            out = {}
            for k, item in v.items():
                if not isinstance(k, str):
                    raise ValidationError(f"{what} has a key that is not text ({k!r})")
                out[k] = convert(item, depth + 1)
            return out
        if isinstance(v, (list, tuple)):
            return [convert(item, depth + 1) for item in v]
        if isinstance(v, float) and not math.isfinite(v):
            raise ValidationError(f"{what} holds {v!r}, which JSON cannot represent")
        if v is None or isinstance(v, (str, bool, int, float)):
            return v
        raise ValidationError(f"{what} holds a {type(v).__name__}, which JSON cannot represent")

    out = convert(value)
    try:
        json.dumps(out, allow_nan=False)
    except (ValueError, TypeError, RecursionError) as exc:
        raise ValidationError(f"{what} cannot be stored as JSON: {exc}") from None
    return out


def forecast_dict(row) -> dict:
    return {
        "id": row["id"],
        "question_id": row["question_id"],
        "analyst": row["analyst"],
        "probability": row["probability"],
        "probabilities": row["probabilities"],
        "made_at": aware(row["made_at"]),
        "recorded_at": aware(row["recorded_at"]),
        "imported": bool(row["imported"]),
        "rationale": row["rationale"],
        "source": row["source"],
    }


def resolution_dict(row) -> dict:
    return {
        "id": row["id"],
        "question_id": row["question_id"],
        "outcome": row["outcome"],
        "annulled": bool(row["annulled"]),
        "reason": row["reason"],
        "known_at": aware(row["known_at"]),
        "recorded_at": aware(row["recorded_at"]),
        "recorded_by": row["recorded_by"],
        "evidence": list(row["evidence"] or []),
        "note": row["note"],
        "supersedes_id": row["supersedes_id"],
        "source": row["source"],
    }


def status_of(question, resolution, today: date) -> str:
    if resolution is not None:
        return "annulled" if resolution["annulled"] else "resolved"
    return "overdue" if question["deadline"] < today else "open"


BINARY = list(BINARY_OUTCOMES)


@contextlib.contextmanager
def paused_gc(*, freeze: bool = False):
    """The cyclic garbage collector off while a bulk path builds millions of
    small objects (none of them in a cycle): left on, it walks them again and
    again, which costs about as much as the work itself. ``freeze`` also
    moves what exists already (the imported modules) out of its later passes."""
    enabled = gc.isenabled()
    if freeze:
        gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
