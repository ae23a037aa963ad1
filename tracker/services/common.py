"""Helpers shared by the services: parsing user values, table handles,
row -> dict conversion."""

from __future__ import annotations

import contextlib
import gc
import math
from datetime import date, datetime, time, timezone
from typing import Any

from ..errors import ValidationError
from ..rules import (  # the value and name rules live in tracker.rules; kept importable here
    check_analyst_name,
    check_free_text,
    parse_probability,
    parse_vector,
)
from ..storage.bulk import ensure_analysts  # noqa: F401 (shared lookups and writes, kept importable here)
from ..storage.queries import chunked, current_resolution, question_row, raw_rows, tags_of  # noqa: F401
from ..models import BINARY_OUTCOMES, check_probability
from ..storage.tables import (  # noqa: F401 (the table handles, named once in storage)
    T_ANALYST,
    T_CLARIFICATION,
    T_FORECAST,
    T_QUESTION,
    T_RESOLUTION,
    T_SCENARIO,
    T_SETTING,
    T_TAG,
)

UTC = timezone.utc

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
