"""Time expressions: from "next week" or "before the summit on July 12th" to a
deadline, and the document's own date from its dateline.

Every rule below takes the document date ``doc`` and gives the *end* of the
period meant (a deadline is "by the end of that day"):

========================================  ===========================================
expression                                deadline
========================================  ===========================================
12 July 2018, July 12, 2018, 2018-07-12   that day
July 12th, 12 July (no year)              the next such day on or after ``doc``
in July, by July, during July             the end of the next July on or after
                                          ``doc`` (the current month counts)
early / mid / late July                   the 10th / 20th / last day of that July
July 2019, in 2019, by 2019               the end of that month / year
early / mid / late 2019                   30 April / 30 June (``by``) or 31 August
                                          (``in``) / 31 December
first / second half of 2019, Q3 2019      30 June / 31 December, end of the quarter
this week, next week                      Sunday of this / next Monday-Sunday week
this month, next month                    end of this / next calendar month
this year, by year end, next year         31 December of this / next year
early next year                           30 April next year
tomorrow, today, tonight                  the next day / ``doc``
on Monday, by Friday, next Tuesday        the next such weekday after ``doc`` (``next``:
                                          in the next Monday-Sunday week)
this / next summer, by winter             end of the (northern, meteorological) season
in the coming days / weeks / months       14 days / 6 weeks / 6 months
in the coming year / years                12 months / 3 years
within (the next) N days/weeks/months     N units after ``doc`` (a few = 3, several = 4)
in the near term, in the near future      6 months
========================================  ===========================================

Bounds: ``after`` / ``since`` / ``from`` a date give a lower bound, not a
deadline; ``before EVENT on DATE`` and ``until DATE`` give DATE. Expressions
pointing before ``doc`` (``last week``, ``in March 2017``, ``earlier this
month``, ``so far``, ``ago``) are marked ``past``.

The month is matched only with a capital letter, so the verb "may" is never a
month; a capitalised "May" is a month only with a date cue (a preposition such
as "in"/"by"/"since", a day number or a year): "Theresa May may visit" has no
month in it.

python-dateutil, when installed, reads dateline formats the rules above do
not cover ("Date: 06/20/2018"); every rule here works without it.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Callable, Optional


MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10,
    "nov": 11, "dec": 12,
}
MONTH_NAMES = [calendar.month_name[i] for i in range(13)]
WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6}
NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "eighteen": 18, "twenty": 20, "thirty": 30,
    "a few": 3, "few": 3, "several": 4, "a couple of": 2, "couple of": 2,
}
DEADLINE_BOUNDS = {"", "by", "before", "until", "till", "in", "on", "during", "through", "throughout", "at",
                   "ahead of", "prior to", "no later than", "not later than", "within", "of", "around", "for",
                   "over", "into"}
LOWER_BOUNDS = {"after", "since", "from", "following", "as of", "beyond"}

_MONTH = (r"(?P<mon>January|February|March|April|May|June|July|August|September|October|November|December"
          r"|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\b\.?)")
_MONTH_NC = (r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
             r"|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\b\.?)")
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d{2}|2100)"
_PREP = (r"(?P<prep>(?i:by|before|until|till|through|throughout|in|on|during|after|since|from|ahead\s+of|prior\s+to|"
         r"no\s+later\s+than|not\s+later\s+than|as\s+of|following|around|into|at|of|for|over|within|last|this|next))")
_PART = (r"(?P<part>(?i:early|mid|late|the\s+end\s+of|end\s+of|the\s+beginning\s+of|the\s+start\s+of|"
         r"the\s+middle\s+of|the\s+first\s+half\s+of|the\s+second\s+half\s+of|first\s+half\s+of|"
         r"second\s+half\s+of|the\s+first\s+quarter\s+of|the\s+second\s+quarter\s+of|the\s+third\s+quarter\s+of|"
         r"the\s+fourth\s+quarter\s+of|the\s+last\s+quarter\s+of))")

EVENT_NOUNS = (
    "meeting", "meetings", "summit", "summits", "talks", "visit", "visits", "trip", "trips", "tour",
    "election", "elections", "vote", "votes", "referendum", "conference", "session", "sessions",
    "negotiations", "round", "deadline", "exercise", "exercises", "drills", "parade", "inauguration",
    "hearing", "hearings", "trial", "review", "congress", "plenum", "ministerial", "meeting,", "debate",
    "launch", "test", "ceremony", "signing", "deployment", "withdrawal", "offensive", "ceasefire",
    "handover", "celebrations", "anniversary", "forum", "gathering", "assembly", "convention", "rally",
    "vacation", "recess", "budget", "census", "festival", "games", "olympics", "cup", "race", "primary",
    "primaries", "runoff", "run-off", "poll", "polls", "ballot", "announcement", "report", "decision",
    "ruling", "verdict", "auction", "sale", "meeting.", "call", "dialogue", "consultations",
)
_EVENT_NOUN_RE = "|".join(sorted({n.strip(".,") for n in EVENT_NOUNS}, key=len, reverse=True))


@dataclass(frozen=True)
class TimeExpr:
    """A time expression found in a piece of text."""

    start: int
    end: int
    text: str
    kind: str  # "explicit date" or "relative expression"
    date: date  # the end of the period the expression means
    bound: str = ""  # the preposition that governs it: by, before, after, in, on, until, ...
    past: bool = False  # the period lies before the document date
    rewrite: Optional[str] = None  # how to say it with absolute dates in an event statement

    @property
    def is_deadline(self) -> bool:
        """Does this expression give a deadline (a future period, not a lower bound)?"""
        return not self.past and self.bound not in LOWER_BOUNDS


def fmt_date(d: date) -> str:
    """``1 July 2018``."""
    return f"{d.day} {MONTH_NAMES[d.month]} {d.year}"


def end_of_month(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def add_months(d: date, months: int) -> date:
    """The same day ``months`` later, clipped to the month's last day."""
    idx = d.month - 1 + months
    year, month = d.year + idx // 12, idx % 12 + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def _month_back(d: date, months: int) -> tuple[int, int]:
    first = add_months(date(d.year, d.month, 1), -months)
    return first.year, first.month


def end_of_week(d: date) -> date:
    """The Sunday closing the Monday-Sunday week of ``d``."""
    return d + timedelta(days=6 - d.weekday())


def _month_num(token: str) -> int:
    return MONTHS[token.rstrip(".").lower()]


def _next_month_end(doc: date, month: int) -> date:
    year = doc.year if month >= doc.month else doc.year + 1
    return end_of_month(year, month)


def _next_day(doc: date, month: int, day: int) -> Optional[date]:
    for year in (doc.year, doc.year + 1, doc.year + 2):
        try:
            d = date(year, month, day)
        except ValueError:
            continue
        if d >= doc:
            return d
    return None


def _safe_date(year: int, month: int, day: int) -> Optional[date]:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _part_day(part: str | None, year: int, month: int) -> date:
    part = (part or "").lower()
    if part in ("early", "the beginning of", "the start of"):
        return date(year, month, 10)
    if part in ("mid", "the middle of"):
        return date(year, month, 20)
    return end_of_month(year, month)


def _norm_prep(prep: str | None) -> str:
    return " ".join((prep or "").lower().split())


def _may_guard(text: str, m: re.Match, has_number: bool) -> bool:
    """A capitalised "May" is a month only with a date cue."""
    mon = m.groupdict().get("mon")
    if not mon or mon.rstrip(".") != "May":
        return True
    if has_number or m.groupdict().get("prep") or m.groupdict().get("part") or m.groupdict().get("det"):
        return True
    return False


# ----------------------------------------------------------------------------
# Rules. Each returns a TimeExpr or None for a match.

Rule = Callable[[re.Match, date, str], Optional[TimeExpr]]
_RULES: list[tuple[re.Pattern, frozenset, Rule]] = []

# Cheap substring tests that tell which rules can match at all (most sentences
# name no time, and a rule is skipped unless one of its keys is in the text).
MONTH_KEYS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
YEAR_KEYS = ("19", "20", "2100")


def _rule(pattern: str, kind: str, flags: int = 0, *, keys: tuple[str, ...], case: bool = False):
    """Register a rule that runs only when one of ``keys`` occurs in the text
    (case-sensitively with ``case``, else in the lower-cased text)."""
    def deco(fn: Rule) -> Rule:
        _RULES.append((re.compile(pattern, flags), frozenset(keys), fn))
        (_CASE_KEYS if case else _LOWER_KEYS).update(keys)
        return fn

    return deco


_CASE_KEYS: set[str] = set()
_LOWER_KEYS: set[str] = set()
_KEY_RES: list[tuple[re.Pattern, bool, dict[str, frozenset]]] = []


def _present_keys(text: str) -> set[str]:
    """Which rule keys occur in the text (two regex scans). A match also
    counts for the shorter keys inside it ("days" holds "day")."""
    if not _KEY_RES:
        for keys, case in ((_CASE_KEYS, True), (_LOWER_KEYS, False)):
            alt = "|".join(re.escape(k) for k in sorted(keys, key=len, reverse=True))
            inside = {k: frozenset(k2 for k2 in keys if k2 in k) for k in keys}
            _KEY_RES.append((re.compile(alt), case, inside))
    present: set[str] = set()
    lowered = None
    for pattern, case, inside in _KEY_RES:
        if case:
            found = pattern.findall(text)
        else:
            lowered = lowered if lowered is not None else text.lower()
            found = pattern.findall(lowered)
        for k in found:
            present.update(inside[k])
    return present


def _expr(m: re.Match, kind: str, d: date, doc: date, *, bound: str = "", rewrite: str | None = None,
          past: bool | None = None) -> TimeExpr:
    return TimeExpr(m.start(), m.end(), m.group(0), kind, d, bound,
                    (d < doc) if past is None else past, rewrite)


def _with_prep(m: re.Match, body: str) -> str:
    prep = m.groupdict().get("prep")
    return f"{' '.join(prep.split())} {body}" if prep else body


_BEYOND = re.compile(r"\b(?:beyond|after|past)\s+$", re.I)
_PREP_WORD = re.compile(r"^(?:by|in|on|during|through|throughout|until|before)\s+")


def find_time_expressions(text: str, doc: date) -> list[TimeExpr]:
    """All time expressions in ``text``, resolved against the document date.

    Overlapping matches keep the longest (then the earliest). Explicit dates
    governed by "before"/"after" further back in the same phrase ("before the
    NATO summit in Brussels on July 12th") get that bound.
    """
    return list(_find_cached(text, doc))


@lru_cache(maxsize=4096)
def _find_cached(text: str, doc: date) -> tuple[TimeExpr, ...]:
    present = _present_keys(text)
    if not present:
        return ()
    found: list[TimeExpr] = []
    for pattern, keys, fn in _RULES:
        if keys.isdisjoint(present):
            continue
        for m in pattern.finditer(text):
            has_number = bool(m.groupdict().get("day") or m.groupdict().get("year"))
            if not _may_guard(text, m, has_number):
                continue
            expr = fn(m, doc, text)
            if expr is not None and expr.bound not in LOWER_BOUNDS and _BEYOND.search(text, 0, expr.start):
                # "unable to sustain operations beyond the end of the month": a lower bound, not a deadline
                expr = TimeExpr(expr.start, expr.end, expr.text, expr.kind, expr.date, "beyond", expr.past,
                                _PREP_WORD.sub("", expr.rewrite) if expr.rewrite else None)
            if expr is not None:
                found.append(expr)
    found.sort(key=lambda e: (e.start, -(e.end - e.start)))
    chosen: list[TimeExpr] = []
    for e in sorted(found, key=lambda e: (-(e.end - e.start), e.start)):
        if all(e.end <= c.start or e.start >= c.end for c in chosen):
            chosen.append(e)
    chosen.sort(key=lambda e: e.start)
    return tuple(_outer_bound(text, e) for e in chosen)


_OUTER = re.compile(r"\b(before|after|ahead of|prior to|following|until|by|since)\b(?![^,;]*\b(?:before|after|ahead of|prior to|following|until|by|since)\b)[^,;]{0,80}$", re.I)
_BREAK = re.compile(r"\b(?:or|and|but|while|which|that|who|when)\b|[,;]", re.I)


def _outer_bound(text: str, e: TimeExpr) -> TimeExpr:
    """``before the summit in Brussels on July 12th``: the date is bounded by "before"."""
    if e.bound not in ("on", "in", "") or e.kind != "explicit date":
        return e
    window = text[max(0, e.start - 90) : e.start]
    m = _OUTER.search(window)
    if not m or _BREAK.search(window[m.end(1) :]):
        return e
    bound = " ".join(m.group(1).lower().split())
    return TimeExpr(e.start, e.end, e.text, e.kind, e.date, bound, e.past, e.rewrite)


# ----------------------------------------------------------------------------
# The document date.

_HEADER_FULL = [
    re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}\b"),
    re.compile(rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b"),
    re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<month>[01]\d)-(?P<day>[0-3]\d)\b"),
]
_HEADER_FIELD = re.compile(
    r"^\s*(?:date|dated|published|updated|posted|issued|as\s+of|date\s+of\s+information|written)\s*[:\-–—]?\s*(?P<value>.+)$",
    re.I,
)


def _full_date(m: re.Match) -> Optional[date]:
    g = m.groupdict()
    month = int(g["month"]) if g.get("month") else _month_num(g["mon"])
    return _safe_date(int(g["year"]), month, int(g["day"]))


def find_document_date(text: str, *, max_lines: int = 15) -> Optional[date]:
    """The date an assessment was written, from its header, or None.

    Looks at a ``date:`` field of front matter, then at the first
    ``max_lines`` non-empty lines (title block and dateline) for a complete
    date: "20 June 2018", "June 20, 2018", "2018-06-20", or a labelled field
    such as "Date: 06/20/2018" (read with python-dateutil when installed).
    Dates in the body of the text are events, not the document's date, and
    are not used.
    """
    lines = [ln.strip() for ln in text.replace("\r", "\n").split("\n") if ln.strip()]
    if lines and lines[0] == "---":
        for ln in lines[1:40]:
            if ln == "---":
                break
            key, _, value = ln.partition(":")
            if key.strip().lower() in ("date", "published", "created"):
                found = _date_in(value)
                if found:
                    return found
    for ln in lines[:max_lines]:
        found = _date_in(ln, dateline_only=len(ln.split()) > 12)
        if found:
            return found
        field_match = _HEADER_FIELD.match(ln)
        if field_match:
            found = _dateutil_parse(field_match.group("value"))
            if found:
                return found
    return None


_DATELINE_END = re.compile(r"^\s*(?:\([^)]{1,30}\)\s*)?(?:[-–—:|]|$)")


def _date_in(line: str, *, dateline_only: bool = False) -> Optional[date]:
    """A complete date in a header line; in a long line only as a dateline
    ("WASHINGTON, June 20, 2018 (Reuters) - ..."), never a date in prose."""
    for pattern in _HEADER_FULL:
        m = pattern.search(line)
        if not m:
            continue
        if dateline_only and (m.start() > 45 or not _DATELINE_END.match(line[m.end() :])):
            continue
        d = _full_date(m)
        if d:
            return d
    return None


def _dateutil_parse(value: str) -> Optional[date]:
    try:
        from dateutil import parser as du_parser
    except ImportError:  # pragma: no cover - dateutil is a dependency, but optional here
        return None
    value = value.strip()[:60]
    if not re.search(r"\d", value):
        return None
    try:
        parsed = du_parser.parse(value, fuzzy=True)
    except (ValueError, OverflowError, TypeError):
        return None
    if not re.search(r"(?:19|20)\d\d|\b\d{1,2}[/.]\d{1,2}[/.]\d{2}\b", value):
        return None  # no year written: dateutil would silently take this year
    return parsed.date()


from . import timex_rules  # noqa: E402,F401 - registers the rules (they use the helpers above)
