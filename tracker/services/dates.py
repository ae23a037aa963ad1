"""Dates as people write them: ISO dates and datetimes, and phrases ("next
Friday", "end of Q3", "in 3 months", "31 July", "end of the year"), read
against today in the analyst's time zone.

Phrases go through the same resolver as ``tracker extract``
(:func:`tracker.extract.timex.find_time_expressions`), so a deadline typed
on the command line and one read from an assessment mean the same day. A
quarter without a year ("end of Q3") is the next such quarter end.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone
from typing import Optional

from ..errors import ValidationError

UTC = timezone.utc
PHRASES = "'next Friday', 'end of Q3', 'in 3 months', '31 July', 'end of the year'"
EXAMPLES = "YYYY-MM-DD, " + PHRASES
_FILLER = {"by", "before", "on", "in", "at", "the", "end", "of", "until", "till", "no", "later", "than", "", "within"}
_QUARTER = re.compile(r"^(?:(?:by|before|until)\s+)?(?:the\s+)?(?:end\s+of\s+)?(?:the\s+)?q(?P<q>[1-4])(?:\s+(?P<year>\d{4}))?$", re.I)
_THIS_QUARTER = re.compile(r"^(?:(?:by|before|until)\s+)?(?:the\s+)?(?:end\s+of\s+)?(?:the\s+)?(?P<which>this|the|next)\s+quarter$", re.I)
_DURATION = re.compile(r"^(?P<n>\d{1,5})\s*(?P<unit>d|days?|w|wks?|weeks?|m|mo|months?|y|yrs?|years?)?$", re.I)


def _end_of_quarter(year: int, q: int) -> date:
    from ..extract.timex import end_of_month

    return end_of_month(year, 3 * q)


def now_utc() -> datetime:
    """The clock the phrases are read against (one place, so tests can set it)."""
    return datetime.now(UTC)


def today_in(tz, now: Optional[datetime] = None) -> date:
    """Today's date where the analyst is."""
    return (now or now_utc()).astimezone(tz).date()


def _iso_date(s: str) -> Optional[date]:
    try:
        return date.fromisoformat(s) if len(s) == 10 else None
    except ValueError:
        return None


def _check_range(d: date, what: str, text: str) -> date:
    if not 1900 <= d.year <= 9999:
        raise ValidationError(f"{what} {text!r} is out of range (years 1900-9999)")
    return d


def resolve_date(text: str, what: str, *, today: date, iso: str = "an ISO date (YYYY-MM-DD)") -> tuple[date, Optional[str]]:
    """A calendar date from what a user typed, and the phrase it came from
    (None for an ISO date). ``iso`` names the ISO forms in the message."""
    s = " ".join(str(text).split())
    if not s:
        raise ValidationError(f"{what} is empty")
    d = _iso_date(s)
    if d is not None:
        return _check_range(d, what, s), None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ].+", s):  # a datetime where a date is wanted: its day
        dt = _iso_datetime(s, what, UTC)
        return dt.date(), None
    m = _QUARTER.match(s)
    if m:
        q = int(m["q"])
        if m["year"]:
            return _check_range(_end_of_quarter(int(m["year"]), q), what, s), s
        end = _end_of_quarter(today.year, q)
        return (end if end >= today else _end_of_quarter(today.year + 1, q)), s
    m = _THIS_QUARTER.match(s)
    if m:
        q = (today.month - 1) // 3 + 1
        if m["which"].lower() == "next":
            return (_end_of_quarter(today.year, q + 1) if q < 4 else _end_of_quarter(today.year + 1, 1)), s
        return _end_of_quarter(today.year, q), s
    lowered = s.lower()
    if lowered in ("today", "tonight"):
        return today, s
    from ..extract.timex import find_time_expressions

    found = [e for e in find_time_expressions(s, today) if not e.past]
    if len(found) == 1:
        e = found[0]
        rest = (s[: e.start] + " " + s[e.end :]).lower()
        if all(w in _FILLER for w in re.split(r"[\s,.;]+", rest)):
            return _check_range(e.date, what, s), s
    # a capitalised month the extractor reads only with a cue ("31 july", "may 5")
    if s != s.title() and s.lower() == s:
        retry = re.sub(r"\b([a-z]{3,9})\b", lambda m: m[1].capitalize() if _is_month(m[1]) else m[1], s)
        if retry != s:
            try:
                d, _ = resolve_date(retry, what, today=today, iso=iso)
            except ValidationError:
                pass
            else:
                return d, s
    raise ValidationError(f"{what} {s!r} is not {iso} or a date phrase I can read (such as {PHRASES})")


def _is_month(word: str) -> bool:
    from ..extract.timex import MONTHS

    return word.lower() in MONTHS


def _iso_datetime(s: str, what: str, tz) -> datetime:
    t = s[:-1] + "+00:00" if s.endswith(("Z", "z")) else s
    try:
        dt = datetime.fromisoformat(t)
    except ValueError:
        raise ValidationError(f"{what} {s!r} is not an ISO date or datetime") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=tz)
    try:
        return dt.astimezone(UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00+05:00 is before year 1 in UTC
        raise ValidationError(f"{what} {s!r} is out of range") from None


def resolve_datetime(text: str, what: str, *, tz, now: Optional[datetime] = None) -> tuple[datetime, Optional[str]]:
    """A moment from what a user typed: an ISO datetime (without a zone: in
    ``tz``, the analyst's zone), or a date or phrase (the start of that day
    in ``tz``). Returns it in UTC, with the phrase it came from."""
    s = " ".join(str(text).split())
    if not s:
        raise ValidationError(f"{what} is empty")
    if s.lower() == "now":
        return (now or now_utc()).astimezone(UTC), s
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ].+", s):
        dt = _iso_datetime(s, what, tz)
        _check_range(dt.date(), what, s)
        return dt, None
    d, label = resolve_date(s, what, today=today_in(tz, now), iso="an ISO date or datetime")
    return datetime.combine(d, time(0), tzinfo=tz).astimezone(UTC), label


def resolve_days(text: str, what: str, *, today: date) -> tuple[int, Optional[str]]:
    """A window in days: '14d', '2w', '3 months', '14' (days), or a date or
    phrase ('next Friday': the days from today until then)."""
    s = " ".join(str(text).split())
    m = _DURATION.match(s)
    if m:
        n = int(m["n"])
        unit = (m["unit"] or "d").lower()[0]
        if unit == "d":
            return n, None
        if unit == "w":
            return 7 * n, s
        from ..extract.timex import add_months

        months = n if unit == "m" else 12 * n
        try:
            return (add_months(today, months) - today).days, s
        except (ValueError, OverflowError):
            raise ValidationError(f"{what} {s!r} is out of range") from None
    d, label = resolve_date(s, what, today=today)
    if d < today:
        raise ValidationError(f"{what} {s!r} ({d.isoformat()}) is in the past")
    return (d - today).days, label or s


def describe(what: str, value, label: Optional[str]) -> str:
    """How a resolved date is echoed: 'deadline 2026-09-30 (end of Q3)'."""
    shown = value.isoformat() if isinstance(value, date) and not isinstance(value, datetime) else value
    if isinstance(value, datetime):
        shown = value.strftime("%Y-%m-%d %H:%M %Z")
    return f"{what} {shown} ({label})" if label else f"{what} {shown}"
