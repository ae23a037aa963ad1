"""The neutral records every importer produces, and the parsing helpers
they share.

An importer reads another tool's export into one :class:`Batch`: the
questions (keyed by a stable id derived from the source's own key, so that a
second import of the same file finds them), the forecasts, the resolutions,
and a count of the rows that cannot be represented here, by reason. Nothing
in this package touches the database; ``tracker.services.foreign`` writes a
batch.

Times are kept as the canonical naive-UTC text the bulk paths store
(``YYYY-MM-DD HH:MM:SS.ffffff``), which sorts as it orders in time.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import Any, NamedTuple, Optional

from ..errors import FileFormatError
from ..models import SLUG_RE, check_outcomes

UTC = timezone.utc
PROB_TOL = 1e-6


class ForecastRec(NamedTuple):
    """One forecast: a probability (binary) or a vector in the question's
    outcome order (categorical); ``where`` names the row(s) it came from."""

    question: str
    analyst: str
    probability: Optional[float]
    vector: Optional[tuple]
    made: str
    rationale: Optional[str]
    where: str


@dataclass
class QuestionRec:
    id: str
    text: str
    outcomes: Optional[list[str]]  # None: binary yes/no
    deadline: date
    opened: str  # canonical UTC text
    ordered: bool = False
    tags: tuple = ()
    extra: dict = field(default_factory=dict)
    where: str = ""

    @property
    def kind(self) -> str:
        return "binary" if self.outcomes is None else "categorical"

    @property
    def outcome_list(self) -> list[str]:
        return ["yes", "no"] if self.outcomes is None else list(self.outcomes)


@dataclass
class ResolutionRec:
    question: str
    outcome: Optional[str]  # None: annulled
    known: str  # canonical UTC text
    reason: Optional[str] = None
    where: str = ""


@dataclass
class Batch:
    """What one file holds, in the tracker's terms."""

    source: str
    filename: str
    rows: int = 0
    questions: dict = field(default_factory=dict)  # id -> QuestionRec
    forecasts: list = field(default_factory=list)  # ForecastRec
    resolutions: dict = field(default_factory=dict)  # question id -> ResolutionRec
    refused: Counter = field(default_factory=Counter)  # reason -> rows
    checks: dict = field(default_factory=dict)  # source-specific cross-checks

    def refuse(self, reason: str, n: int = 1) -> None:
        if n:
            self.refused[reason] += n

    def error(self, where: str, message: str) -> FileFormatError:
        return FileFormatError(f"{self.filename}: {where}: {message}")


# ------------------------------------------------------------------ times


def ts(dt: datetime) -> str:
    """An aware (or naive UTC) datetime as canonical naive-UTC text."""
    if dt.tzinfo is not None:
        dt = dt.astimezone(UTC).replace(tzinfo=None)
    if not 1900 <= dt.year <= 9998:
        raise ValueError(f"{dt.isoformat()} is out of range (years 1900-9998)")
    return dt.isoformat(" ", "microseconds")


def day_end(d: date) -> str:
    """The moment a day ends (UTC), as canonical text."""
    return ts(datetime.combine(d + timedelta(days=1), time(0)))


def from_ts(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


_LOOSE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,6}))?$")
_MDY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")


def parse_time(text: str, zone: Optional[tzinfo] = None) -> str:
    """A time as the tools write it -> canonical UTC text.

    Accepts ISO 8601 with or without a zone, the zone-less, unpadded form
    of Fatebook's export (``2025-01-15 03:50:4``) and a plain date (its
    start). A time without a zone is in ``zone`` (default UTC)."""
    s = text.strip()
    if len(s) == 19 and s[10] in " T" and s[4] == "-" and s[13] == ":" and s.isascii():  # padded, no zone: C speed
        try:
            dt = datetime.fromisoformat(s)
        except ValueError:
            dt = None
        if dt is not None and (zone is None or zone is UTC) and 1900 <= dt.year <= 9998:
            return f"{s[:10]} {s[11:]}.000000"
    m = _LOOSE.match(s)
    if m:
        y, mo, d, h, mi, se, frac = m.groups()
        dt = datetime(int(y), int(mo), int(d), int(h), int(mi), int(se), int((frac or "0").ljust(6, "0")))
    else:
        if s.endswith(("Z", "z")):
            s = s[:-1] + "+00:00"
        if len(s) == 10:
            dt = datetime.combine(date.fromisoformat(s), time(0))
        else:
            dt = datetime.fromisoformat(s)
    if dt.tzinfo is None:
        if zone is None or zone is UTC:  # the common case: already UTC, no conversion
            if not 1900 <= dt.year <= 9998:
                raise ValueError(f"{s} is out of range (years 1900-9998)")
            return dt.isoformat(" ", "microseconds")
        dt = dt.replace(tzinfo=zone)
    elif dt.utcoffset() == _ZERO:
        dt = dt.replace(tzinfo=None)
    return ts(dt)


_ZERO = timedelta(0)


def parse_mdy(text: str) -> date:
    """``9/1/11`` or ``12/30/11 0:00`` (the Good Judgment release) -> a date;
    ISO dates are accepted too. Two-digit years are 20YY."""
    s = text.strip()
    m = _MDY.match(s)
    if m:
        mo, d, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
        return date(y + 2000 if y < 100 else y, mo, d)
    return date.fromisoformat(s[:10])


# ------------------------------------------------------------- values


def slug(text: str, limit: int = 60) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-")
    return s[:limit].rstrip("-")


def short_hash(*parts: str) -> str:
    return hashlib.sha1("\x00".join(parts).encode("utf-8")).hexdigest()[:8]


def question_id(prefix: str, key: str) -> str:
    qid = f"{prefix}-{slug(key, 100)}"[:120].rstrip("-")
    if not SLUG_RE.match(qid):
        raise ValueError(f"cannot make a question id from {key!r}")
    return qid


def outcome_ids(labels: list[str]) -> list[str]:
    """Readable, distinct outcome ids for option labels (``Medvedev`` ->
    ``medvedev``); a label with no letters or digits, or a repeat, gets
    ``o<n>``."""
    out: list[str] = []
    for i, label in enumerate(labels, 1):
        s = slug(label, 40) or f"o{i}"
        if s == "annulled" or s in out or not SLUG_RE.match(s):
            s = f"o{i}-{s}"[:40].rstrip("-")
        out.append(s)
    return check_outcomes(out)


def probability(value: Any, what: str = "probability") -> float:
    p = float(value)
    if math.isnan(p) or not 0.0 <= p <= 1.0:
        raise ValueError(f"{what} {value!r} is outside [0, 1]")
    return p


def vector_ok(values: list[float]) -> bool:
    return abs(math.fsum(values) - 1.0) <= PROB_TOL


def clean_text(value: Any, limit: int = 2000) -> str:
    s = "" if value is None else str(value)
    s = "".join(c if (ord(c) >= 32 and ord(c) != 127) or c in "\n\t" else " " for c in s).strip()
    return s[:limit]
