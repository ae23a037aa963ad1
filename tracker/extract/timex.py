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


@_rule(rf"\b(?:{_PREP}\s+)?(?:the\s+)?{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}\b", "explicit date", keys=MONTH_KEYS, case=True)
def _dmy(m, doc, text):
    d = _safe_date(int(m["year"]), _month_num(m["mon"]), int(m["day"]))
    return d and _expr(m, "explicit date", d, doc, bound=_norm_prep(m["prep"]), rewrite=_with_prep(m, fmt_date(d)))


@_rule(rf"\b(?:{_PREP}\s+)?{_MONTH}\s+{_DAY},?\s+{_YEAR}\b", "explicit date", keys=MONTH_KEYS, case=True)
def _mdy(m, doc, text):
    d = _safe_date(int(m["year"]), _month_num(m["mon"]), int(m["day"]))
    return d and _expr(m, "explicit date", d, doc, bound=_norm_prep(m["prep"]), rewrite=_with_prep(m, fmt_date(d)))


@_rule(rf"\b(?:{_PREP}\s+)?(?P<year>(?:19|20)\d\d)-(?P<month>[01]\d)-(?P<day>[0-3]\d)\b", "explicit date", keys=YEAR_KEYS)
def _iso(m, doc, text):
    d = _safe_date(int(m["year"]), int(m["month"]), int(m["day"]))
    return d and _expr(m, "explicit date", d, doc, bound=_norm_prep(m["prep"]), rewrite=_with_prep(m, fmt_date(d)))


@_rule(rf"\b(?:{_PREP}\s+)?(?:the\s+)?{_DAY}\s+(?:of\s+)?{_MONTH}(?!\s*,?\s*\d)", "explicit date", keys=MONTH_KEYS, case=True)
def _dm(m, doc, text):
    if int(m["day"]) == 0:
        return None
    d = _next_day(doc, _month_num(m["mon"]), int(m["day"]))
    return d and _expr(m, "explicit date", d, doc, bound=_norm_prep(m["prep"]), rewrite=_with_prep(m, fmt_date(d)))


@_rule(rf"\b(?:{_PREP}\s+)?{_MONTH}\s+{_DAY}\b(?![:\d]|,?\s+\d{{4}})", "explicit date", keys=MONTH_KEYS, case=True)
def _md(m, doc, text):
    if int(m["day"]) == 0:
        return None
    d = _next_day(doc, _month_num(m["mon"]), int(m["day"]))
    return d and _expr(m, "explicit date", d, doc, bound=_norm_prep(m["prep"]), rewrite=_with_prep(m, fmt_date(d)))


@_rule(rf"\b(?:{_PREP}\s+)?(?:{_PART}[\s-]+)?{_MONTH}\s+(?:of\s+)?{_YEAR}\b", "explicit date", keys=MONTH_KEYS, case=True)
def _my(m, doc, text):
    year, month = int(m["year"]), _month_num(m["mon"])
    d = _part_day(m["part"], year, month)
    part = f"{' '.join(m['part'].split())} " if m["part"] else ""
    return _expr(m, "explicit date", d, doc, bound=_norm_prep(m["prep"]),
                 rewrite=_with_prep(m, f"{part}{MONTH_NAMES[month]} {year}"))


@_rule(rf"\b(?:{_PREP}\s+)?(?:{_PART}[\s-]+)?{_MONTH}(?![\w-]|\.?\s*,?\s*\d)", "relative expression", keys=MONTH_KEYS, case=True)
def _month_alone(m, doc, text):
    if not (m["prep"] or m["part"]):
        return None
    prep = _norm_prep(m["prep"])
    month = _month_num(m["mon"])
    if prep in ("last", "since") or (m["prep"] and m["prep"].lower() == "since"):
        year = doc.year if month < doc.month else doc.year - 1
        return _expr(m, "relative expression", end_of_month(year, month), doc, bound=prep, past=True)
    if re.search(r"\b(?:last|previous|earlier|prior|latest)\s+(?:[a-z]+\s+){0,2}$", text[max(0, m.start() - 40) : m.start()]):
        # "its last forecast in July": a month already gone
        year = doc.year if month <= doc.month else doc.year - 1
        return _expr(m, "relative expression", end_of_month(year, month), doc, bound=prep, past=True)
    if prep == "in" and _reported_before(text, m.start()):
        # "the range of 2-3% seen in March", "the figure published in May": when it was said, not a deadline
        year = doc.year if month <= doc.month else doc.year - 1
        return _expr(m, "relative expression", end_of_month(year, month), doc, bound=prep, past=True)
    end = _next_month_end(doc, month)
    d = _part_day(m["part"], end.year, month)
    part = f"{' '.join(m['part'].split())} " if m["part"] else ""
    return _expr(m, "relative expression", d, doc, bound=prep,
                 rewrite=_with_prep(m, f"{part}{MONTH_NAMES[month]} {end.year}"))


_REPORTED_PARTICIPLE = re.compile(
    r"(?:\b(?P<before>[a-z']+)\s+)?\b(?:seen|forecast|projected|published|released|reported|recorded|observed|estimated|"
    r"predicted|issued|made|announced|set\s+out|presented)\s*$", re.I)
_PASSIVE_AUX = {"be", "been", "being", "is", "are", "was", "were", "will", "to", "gets", "get", "would", "could", "may"}


def _reported_before(text: str, start: int) -> bool:
    """Does a participle of reporting come right before ("seen in March"), not a future passive
    ("will be released in March")?"""
    m = _REPORTED_PARTICIPLE.search(text[max(0, start - 40) : start])
    return bool(m) and (m.group("before") or "").lower() not in _PASSIVE_AUX


@_rule(rf"\b(?P<det>his|her|its|their|the|a|an|this|next|our|upcoming|planned)\s+{_MONTH}(?=\s+(?:[a-z-]+\s+)?(?:{_EVENT_NOUN_RE})\b)",
       "relative expression", keys=MONTH_KEYS, case=True)
def _month_adjective(m, doc, text):
    month = _month_num(m["mon"])
    end = _next_month_end(doc, month)
    return _expr(m, "relative expression", end, doc, bound="in",
                 rewrite=f"{m['det']} {MONTH_NAMES[month]} {end.year}")


_QUARTERS = {"first": 3, "second": 6, "third": 9, "fourth": 12, "last": 12}


@_rule(rf"\b(?:{_PREP}\s+)?(?:the\s+)?(?:{_PART}[\s-]*)?{_YEAR}\b(?![-–/]\d|\s*[-–]\s*(?:19|20)?\d\d\b|Q[1-4]|\s*(?:percent|%|km|troops|people|dollars))",
       "explicit date", keys=YEAR_KEYS)
def _year(m, doc, text):
    year = int(m["year"])
    prep = _norm_prep(m["prep"])
    part = " ".join((m["part"] or "").lower().split())
    if not prep and not part:
        if re.match(r"\s+(?:will|is\s+(?:likely|set|expected|poised|going)|may|could|might)\b", text[m.end():]) \
                and not re.search(r"(?:\d|[A-Z][a-z]+)\s*$", text[: m.start()]):
            # "2017 will offer surprises": the year itself is the period
            d = date(year, 12, 31)
            return _expr(m, "explicit date", d, doc, bound="in", rewrite=f"in {year}")
        return None
    if prep in ("of", "for", "at", "around", "into", "over"):
        if not part and not (prep == "for" and re.search(r"(?:\d\s*%|\d\s*(?:percent|per\s+cent))\s*$", text[: m.start()])):
            return None  # "the budget for 2025" names no deadline; "4.7% for 2025" does
    after = text[m.end() : m.end() + 30]
    adjective = (re.match(r"\s+(?:US\s+|U\.S\.\s+|[a-z-]+\s+)?(?:[a-z][a-z-]+|[A-Z][a-z]+\s+(?:election|elections|summit|games|olympics|cup))\b", after)
                 and not part and re.search(r"\bthe\s+(?:19|20)\d\d$", m.group(0)))
    if adjective:
        # "before the 2020 election": the year names when the event is, not a bound
        d = date(year, 12, 31)
        return _expr(m, "explicit date", d, doc, bound="in", past=d < doc, rewrite=m.group(0))
    if part == "early":
        d = date(year, 4, 30)
    elif part == "mid":
        d = date(year, 6, 30) if prep in ("by", "before", "until", "till") else date(year, 8, 31)
    elif "first half" in part:
        d = date(year, 6, 30)
    elif "quarter" in part:
        d = end_of_month(year, _QUARTERS[part.split()[1] if part.startswith("the") else part.split()[0]])
    elif prep == "before" and not part:
        d = date(year - 1, 12, 31)
    else:
        d = date(year, 12, 31)
    past = (date(year, 12, 31) < doc) if prep not in ("since", "from") else True
    if prep in ("since",):
        past = True
    label = m.group(0)[len(m["prep"]) + 1:].strip() if m["prep"] else m.group(0)
    return _expr(m, "explicit date", d, doc, bound=prep, past=past, rewrite=_with_prep(m, label))


@_rule(r"\b(?:(?P<prep>(?i:by|before|in|during))\s+)?Q(?P<q>[1-4])\s+(?P<year>(?:19|20)\d{2})\b", "explicit date", keys=YEAR_KEYS)
def _quarter(m, doc, text):
    d = end_of_month(int(m["year"]), int(m["q"]) * 3)
    return _expr(m, "explicit date", d, doc, bound=_norm_prep(m["prep"]))


_I = re.IGNORECASE


@_rule(r"\b(?:(?P<prep>by|before|until|during|in|over|within|for)\s+)?(?:the\s+)?(?:(?P<part>end\s+of|course\s+of|early|late|later|start\s+of)\s+)?(?:the\s+)?(?P<which>next|this|the\s+coming|coming|the\s+following|following)\s+week\b", "relative expression", _I, keys=('week',))
def _week(m, doc, text):
    which = " ".join(m["which"].lower().split())
    if which == "this":
        d = end_of_week(doc)
    else:
        d = end_of_week(doc) + timedelta(days=7)
    return _expr(m, "relative expression", d, doc, bound=_norm_prep(m["prep"]), rewrite=f"by {fmt_date(d)}")


@_rule(r"\b(?:by\s+|before\s+)?(?:the\s+)?end\s+of\s+the\s+week\b|\bby\s+week'?s?\s+end\b", "relative expression", _I, keys=('week',))
def _week_end(m, doc, text):
    d = end_of_week(doc)
    return _expr(m, "relative expression", d, doc, bound="by", rewrite=f"by {fmt_date(d)}")


@_rule(r"\b(?:(?P<prep>by|before|until|during|in)\s+)?(?:the\s+)?(?:(?P<part>end\s+of|start\s+of|beginning\s+of|early|late|later|middle\s+of)\s+)?(?:the\s+)?(?P<which>next|this|the\s+coming|coming|the\s+following)\s+month\b", "relative expression", _I, keys=('month',))
def _month_rel(m, doc, text):
    which = " ".join(m["which"].lower().split())
    first = date(doc.year, doc.month, 1) if which == "this" else add_months(date(doc.year, doc.month, 1), 1)
    d = end_of_month(first.year, first.month)
    part = (m["part"] or "").lower()
    if part.startswith(("early", "start", "beginning")):
        d = date(first.year, first.month, 10)
    elif part.startswith("middle"):
        d = date(first.year, first.month, 20)
    prep = _norm_prep(m["prep"]) or "in"
    rewrite = f"{'by' if prep == 'by' else prep} {MONTH_NAMES[first.month]} {first.year}"
    return _expr(m, "relative expression", d, doc, bound=prep, rewrite=rewrite)


@_rule(r"\b(?:by\s+|before\s+)?(?:the\s+)?end\s+of\s+the\s+month\b|\bby\s+month'?s?\s+end\b", "relative expression", _I, keys=('month',))
def _month_end(m, doc, text):
    d = end_of_month(doc.year, doc.month)
    return _expr(m, "relative expression", d, doc, bound="by", rewrite=f"by {fmt_date(d)}")


@_rule(r"\b(?:(?P<prep>by|before|until|during|in|within)\s+)?(?:the\s+)?(?:(?P<part>end\s+of|start\s+of|beginning\s+of|first\s+half\s+of|second\s+half\s+of|early|late|later|middle\s+of)\s+)?(?:the\s+)?(?P<which>next|this|the\s+coming|coming|the\s+current|current)\s+year\b(?!'s|’s)", "relative expression", _I, keys=('year',))
def _year_rel(m, doc, text):
    which = " ".join(m["which"].lower().split())
    if which == "next" and re.match(r"(?i)(?:in|within|over)\s+the\s+next", m.group(0)):
        return None  # "in the next year": the coming twelve months (see _coming)
    year = doc.year + 1 if which in ("next", "the coming", "coming") else doc.year
    part = (m["part"] or "").lower()
    if which in ("the coming", "coming") and not part:
        d = add_months(doc, 12)
        return _expr(m, "relative expression", d, doc, bound=_norm_prep(m["prep"]), rewrite=f"by {fmt_date(d)}")
    if part.startswith(("early", "start", "beginning")):
        d = date(year, 4, 30)
    elif part.startswith(("middle", "first half")):
        d = date(year, 6, 30)
    else:
        d = date(year, 12, 31)
    prep = _norm_prep(m["prep"])
    if part.startswith("end") or prep in ("by", "before", "until"):
        rewrite = f"{prep or 'by'} the end of {year}"
    elif part.startswith(("early", "start", "beginning")):
        rewrite = f"{prep + ' ' if prep else 'in '}early {year}"
    else:
        rewrite = f"in {year}"
    return _expr(m, "relative expression", d, doc, bound=prep, rewrite=rewrite)


@_rule(r"\b(?:(?P<prep>by|before|until|for|during|over|through|throughout|in)\s+)?(?:the\s+)?(?:(?:end|rest|remainder|balance|course)\s+of\s+(?:the\s+)?year|year[- ]end|year'?s\s+end|end[- ]of[- ]year)\b", "relative expression", _I, keys=('year',))
def _year_end(m, doc, text):
    d = date(doc.year, 12, 31)
    return _expr(m, "relative expression", d, doc, bound=_norm_prep(m["prep"]) or "by",
                 rewrite=f"{_norm_prep(m['prep']) or 'by'} the end of {doc.year}")


@_rule(r"\b(?:(?P<prep>in|over|during|within)\s+)?(?P<the>the\s+)?(?:(?P<which>coming|upcoming|next\s+few|next\s+couple\s+of|following|next)\s+(?P<unit>days|weeks|months|quarters|year|years)(?:\s+(?:and|or|to)\s+(?P<unit3>weeks|months|quarters|years))?|(?P<unit2>days|weeks|months|quarters|years)\s+ahead)\b", "relative expression", _I, keys=('days', 'weeks', 'months', 'quarters', 'year', 'ahead'))
def _coming(m, doc, text):
    if not m["the"] and not (m["prep"] and (m["which"] or "").lower() in ("coming", "upcoming")):
        return None  # "in coming days" is the coming days; "coming weeks" alone is not a time
    unit = (m["unit3"] or m["unit"] or m["unit2"]).lower()  # "in coming weeks and months": the later end
    which = " ".join((m["which"] or "coming").lower().split())
    which = "coming" if which == "upcoming" else which
    if which == "next" and unit != "year":
        return None  # "the next months" is rare; "the next N months" is handled below
    if which == "next couple of" and unit in ("days", "weeks", "months", "years"):
        # "in the next couple of months": two of them
        d = (doc + timedelta(days=2) if unit == "days" else doc + timedelta(weeks=2) if unit == "weeks"
             else add_months(doc, 2 if unit == "months" else 24))
    elif unit == "days":
        d = doc + timedelta(days=14 if which != "next few" else 7)
    elif unit == "weeks":
        d = doc + timedelta(weeks=6 if which != "next few" else 4)
    elif unit in ("months", "quarters"):
        d = add_months(doc, 3 if which == "next few" and unit == "months" else 6)
    elif unit == "year":
        d = add_months(doc, 12)
    else:
        d = add_months(doc, 36)
    return _expr(m, "relative expression", d, doc, bound=_norm_prep(m["prep"]) or "in", rewrite=f"by {fmt_date(d)}")


_NUMBER_WORDS = r"\d{1,3}|a\s+few|a\s+couple\s+of|several|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|eighteen|twenty|thirty"
_NUM = rf"(?P<n>{_NUMBER_WORDS})"
_NUM2 = rf"(?P<n2>{_NUMBER_WORDS})"


@_rule(rf"\b(?:(?P<prep>within|in|over|during|inside|for)\s+|(?=the\s+next\b))(?:the\s+course\s+of\s+)?(?:the\s+)?(?:(?P<which>next|coming|following)\s+)?(?:{_NUM}\s*(?:to|or|-|–)\s*)?{_NUM2}\s+(?P<unit>days?|weeks?|months?|years?|decades?)(?:\s+or\s+(?P<n3>two|three|so))?(?:'|’)?(?:\s+time)?\b(?!\s+(?:ago|earlier|before|prior))", "relative expression", _I, keys=("day", "week", "month", "year", "decade"))
def _within(m, doc, text):
    raw = " ".join((m["n2"] or "").lower().split())
    n = int(raw) if raw.isdigit() else NUMBERS.get(raw)
    if n and m["n3"] and m["n3"].lower() != "so":
        n = max(n, NUMBERS[m["n3"].lower()])  # "within a year or two": the later end
    if not n:
        return None
    prep = (m["prep"] or "").lower()
    if prep in ("over", "during", "for") and not m["which"]:
        return None  # "over two years" is a duration, not a deadline
    if raw == "a few" and m["unit"].lower().startswith("week"):
        n = 4  # "in a few weeks": as "over the next few weeks"
    unit = m["unit"].lower().rstrip("s")
    if unit == "day":
        d = doc + timedelta(days=n)
    elif unit == "week":
        d = doc + timedelta(weeks=n)
    elif unit == "month":
        d = add_months(doc, n)
    elif unit == "year":
        d = add_months(doc, 12 * n)
    else:
        d = add_months(doc, 120 * n)
    return _expr(m, "relative expression", d, doc, bound="within", rewrite=f"by {fmt_date(d)}")


@_rule(rf"\b(?:at\s+least\s+)?(?:one|any|each|some)\s+of\s+(?:the\s+)?(?:next|coming|following)\s+{_NUM2}\s+(?P<unit>days|weeks|months|years)\b", "relative expression", _I, keys=("day", "week", "month", "year"))
def _one_of_next(m, doc, text):
    """``in at least one of the next five years``: the end of the span."""
    raw = " ".join(m["n2"].lower().split())
    n = int(raw) if raw.isdigit() else NUMBERS.get(raw)
    if not n:
        return None
    unit = m["unit"].lower()
    d = (doc + timedelta(days=n) if unit == "days" else doc + timedelta(weeks=n) if unit == "weeks"
         else add_months(doc, n) if unit == "months" else add_months(doc, 12 * n))
    return _expr(m, "relative expression", d, doc, bound="within", rewrite=m.group(0))


@_rule(r"\b(?:(?P<prep>in|over)\s+)?the\s+(?:near|short)[- ]term\b|\bin\s+the\s+near\s+future\b|\bnear[- ]term\b", "relative expression", _I, keys=('term', 'future'))
def _near_term(m, doc, text):
    d = add_months(doc, 6)
    return _expr(m, "relative expression", d, doc, bound="in", rewrite=f"by {fmt_date(d)}")


@_rule(r"\b(?:(?P<prep>by|before|until)\s+)?tomorrow\b", "relative expression", _I, keys=('tomorrow',))
def _tomorrow(m, doc, text):
    d = doc + timedelta(days=1)
    return _expr(m, "relative expression", d, doc, bound=_norm_prep(m["prep"]) or "on", rewrite=f"on {fmt_date(d)}")


@_rule(r"\b(?:later\s+)?(?:today|tonight)\b", "relative expression", _I, keys=('today', 'tonight'))
def _today(m, doc, text):
    return _expr(m, "relative expression", doc, doc, bound="on", rewrite=f"on {fmt_date(doc)}", past=False)


_WEEKDAY = r"(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"


@_rule(rf"\b(?:(?P<which>(?i:on|by|before|until|next|this|coming|last|on\s+or\s+before))\s+)?{_WEEKDAY}\b(?!,?\s+(?:\d|{_MONTH_NC}))", "relative expression", keys=('day',))
def _weekday(m, doc, text):
    which = " ".join((m["which"] or "").lower().split())
    if not which:
        return None
    wd = WEEKDAYS[m["wd"].lower()]
    if which == "on" and _said_before(text, m.start()):
        # "Lagarde said on Monday that ...": when it was said, not a deadline
        delta = (doc.weekday() - wd) % 7
        return _expr(m, "relative expression", doc - timedelta(days=delta), doc, bound="on", past=True)
    if which == "last":
        delta = (doc.weekday() - wd) % 7 or 7
        return _expr(m, "relative expression", doc - timedelta(days=delta), doc, bound="last", past=True)
    if which == "next":
        d = end_of_week(doc) + timedelta(days=1 + wd)
    elif which == "this":
        d = doc + timedelta(days=wd - doc.weekday()) if wd >= doc.weekday() else doc + timedelta(days=(wd - doc.weekday()) % 7)
    else:
        d = doc + timedelta(days=(wd - doc.weekday()) % 7 or 7)
    bound = "by" if which in ("by", "before", "until", "on or before") else "on"
    return _expr(m, "relative expression", d, doc, bound=bound, rewrite=f"{bound} {fmt_date(d)}")


_SAID = re.compile(r"\b(?:said|say|says|told|added|noted|warned|announced|stated|wrote|explained|argued|projected|"
                   r"predicted|forecast|reported|published|released|testified|commented|suggested|estimated|"
                   r"indicated|cautioned|signalled|signaled)\s*(?:,\s*)?$", re.I)


def _said_before(text: str, start: int) -> bool:
    return bool(_SAID.search(text[max(0, start - 30) : start]))


_SEASONS = {"spring": (5, 0), "summer": (8, 0), "autumn": (11, 0), "fall": (11, 0), "winter": (2, 1)}


_SEASON_MODIFIER = re.compile(r"\s+(?!(?:and|or|of|to|in|on|at|by|for|with|when|while|as|if|is|are|was|were|will|would|may|"
                              r"could|should|months?|season|period|quarter)\b)[a-z]{3,}\b")


@_rule(r"\b(?:(?P<which>this|next|last|the\s+coming|coming|by|in|during|over|until|before|through|throughout|the)\s+(?:the\s+)?)?(?:(?:Northern|Southern)\s+Hemisphere\s+)?(?:(?P<part>early|mid|late)[- ])?(?P<season>spring|summer|autumn|fall|winter)\b(?:\s+(?:of\s+)?(?P<year>(?:19|20)\d{2}))?", "relative expression", _I, keys=('spring', 'summer', 'autumn', 'fall', 'winter'))
def _season(m, doc, text):
    which = " ".join((m["which"] or "").lower().split())
    season = m["season"].lower()
    part = (m["part"] or "").lower()
    if not which and not m["year"] and not part:
        return None
    if season == "fall" and not m["year"] and not part and which not in ("this", "next", "by", "last", "the coming", "coming") \
            and not re.search(r"\bthe\s+(?:(?:northern|southern)\s+hemisphere\s+)?fall$", m.group(0), re.I):
        return None  # "fall" is also a verb ("prices will fall in ...")
    if which == "the" and not m["year"] and _SEASON_MODIFIER.match(text, m.end()):
        return None  # "the spring predictability barrier", "the winter campaign": a noun modifier, not a time
    end_month, year_shift = _SEASONS[season]
    if m["year"]:
        d = end_of_month(int(m["year"]) + year_shift, end_month)
    else:
        d = end_of_month(doc.year + year_shift, end_month)
        if season == "winter" and doc.month <= 2:
            d = end_of_month(doc.year, 2)  # the winter under way
        if d < doc:
            d = end_of_month(doc.year + 1 + year_shift, end_month)
        if which == "next" and d - doc < timedelta(days=300) and add_months(d, -2) <= doc:
            d = end_of_month(d.year + 1, end_month)  # "next summer" said in July; said in March, the coming one
        if which == "last":
            d = end_of_month(d.year - 1, end_month)
            return _expr(m, "relative expression", d, doc, bound="last", past=True)
    if part in ("early", "mid"):
        d = end_of_month(*_month_back(d, 2 if part == "early" else 1))  # "early fall": September
    label = f"{season} {d.year - year_shift}" if season != "winter" else f"winter {d.year - 1}-{str(d.year)[2:]}"
    label = f"{part} {label}" if part else label
    prep = which if which in ("by", "in", "during", "until", "before", "through", "throughout") else "in"
    return _expr(m, "relative expression", d, doc, bound=prep, rewrite=f"{prep} {label}")


@_rule(r"\b(?:(?P<prep>between|in|by|into|over|during|for|from|through|throughout|of)\s+)?(?P<y1>(?:19|20)\d\d)\s*(?:[-–]|to|and)\s*(?P<y2>(?:19|20)\d\d|\d\d)\b(?![-–]\d)", "explicit date", _I, keys=YEAR_KEYS)
def _year_range(m, doc, text):
    """``between 2021-2025``, ``2020-24``, ``into 2024-2025``: the end of the last year."""
    y1, raw = int(m["y1"]), m["y2"]
    y2 = int(raw) if len(raw) == 4 else (y1 // 100) * 100 + int(raw)
    if y2 <= y1 or y2 - y1 > 100:
        return None
    d = date(y2, 12, 31)
    prep = _norm_prep(m["prep"])
    return _expr(m, "explicit date", d, doc, bound="by" if prep in ("between", "from", "") else prep,
                 past=d < doc, rewrite=f"by the end of {y2}")


@_rule(r"\b(?:(?P<prep>by|before|in|during)\s+)?(?:(?P<year>(?:19|20)\d\d)\s*Q(?P<q>[1-4])|(?P<q2>[1-4])Q\s*(?P<year2>(?:19|20)\d\d))\b", "explicit date", keys=YEAR_KEYS)
def _quarter_compact(m, doc, text):
    """``2023Q3``, ``3Q 2023``."""
    year, q = int(m["year"] or m["year2"]), int(m["q"] or m["q2"])
    return _expr(m, "explicit date", end_of_month(year, q * 3), doc, bound=_norm_prep(m["prep"]))


@_rule(r"\b(?:(?P<prep>by|before|until|in|during|through)\s+)?(?:the\s+)?(?:(?P<part>end\s+of|start\s+of|beginning\s+of)\s+)?(?:the\s+)?(?:(?P<q>first|second|third|fourth|last)\s+quarter|(?P<which>this|next|the\s+current|current|the\s+coming|coming)\s+quarter)\b(?!\s+of)", "relative expression", _I, keys=("quarter",))
def _quarter_rel(m, doc, text):
    """``before the end of the third quarter`` (of the current year), ``next quarter``."""
    this_q = (doc.month - 1) // 3 + 1
    if m["q"]:
        q = {"first": 1, "second": 2, "third": 3, "fourth": 4, "last": 4}[m["q"].lower()]
        year = doc.year if q >= this_q else doc.year + 1
    else:
        which = " ".join(m["which"].lower().split())
        q, year = this_q, doc.year
        if which in ("next", "the coming", "coming"):
            q, year = (1, doc.year + 1) if this_q == 4 else (this_q + 1, doc.year)
    d = end_of_month(year, q * 3)
    prep = _norm_prep(m["prep"])
    return _expr(m, "relative expression", d, doc, bound=prep or "by", rewrite=f"{prep or 'by'} {fmt_date(d)}")


@_rule(r"\b(?:(?P<prep>by|before|until|in|during|within|over|through|throughout)\s+)?(?:at\s+least\s+)?(?:the\s+)?(?:(?P<mid>mid)[- ]?(?:21st[- ])?century|(?:end\s+of\s+(?:the|this)\s+century|century'?s\s+end|(?:21st|twenty-first|this)\s+century))\b", "relative expression", _I, keys=("century",))
def _century(m, doc, text):
    """``during the 21st century``, ``by century's end`` (31 December 2100), ``mid-century`` (2050)."""
    d = date(2050, 12, 31) if m["mid"] else date(2100, 12, 31)
    return _expr(m, "relative expression", d, doc, bound=_norm_prep(m["prep"]) or "by", rewrite=f"by {fmt_date(d)}")


@_rule(r"\b(?:(?P<prep>over|during|within|by\s+the\s+end\s+of|at\s+the\s+end\s+of)\s+)the\s+(?:forecast|projection)\s+(?:period|horizon)\b", "relative expression", _I, keys=("period", "horizon"))
def _forecast_period(m, doc, text):
    """``over the forecast period`` of a central bank projection: three years (the Bank of England's)."""
    d = add_months(doc, 36)
    return _expr(m, "relative expression", d, doc, bound="by", rewrite=f"by {fmt_date(d)}")


@_rule(r"\b(?:(?P<prep>by|before|until|in|within|over|during)\s+)?(?:the\s+)?(?:end\s+of\s+)?(?:this|the\s+current)\s+decade\b", "relative expression", _I, keys=("decade",))
def _this_decade(m, doc, text):
    d = date(doc.year // 10 * 10 + 9, 12, 31)
    return _expr(m, "relative expression", d, doc, bound="by", rewrite=f"by {fmt_date(d)}")


@_rule(r"\b(?:(?P<prep>at|by)\s+)?the\s+(?P<n>two|three|one|four|five|\d)[- ]year\s+(?:point|horizon|mark)\b", "relative expression", _I, keys=("year",))
def _year_point(m, doc, text):
    """``at the two-year point`` of a projection."""
    raw = m["n"].lower()
    n = int(raw) if raw.isdigit() else NUMBERS[raw]
    d = add_months(doc, 12 * n)
    return _expr(m, "relative expression", d, doc, bound="by", rewrite=f"by {fmt_date(d)}")


@_rule(rf"\b{_WEEKDAY}(?:'s|’s)(?=\s+[a-z-]*\s*(?:{_EVENT_NOUN_RE})\b)", "relative expression", keys=("day",))
def _weekday_event(m, doc, text):
    """``during Tuesday's hearing``: the next such day."""
    wd = WEEKDAYS[m["wd"].lower()]
    d = doc + timedelta(days=(wd - doc.weekday()) % 7)
    return _expr(m, "relative expression", d, doc, bound="on", rewrite=f"on {fmt_date(d)}")


# Expressions about the past: not deadlines, but they tell the tense.
@_rule(r"\b(?:last|earlier\s+this|the\s+previous|the\s+past)\s+(?:week|month|year|decade|spring|summer|autumn|fall|winter)\b|\byesterday\b|\b(?:\w+\s+){1,2}(?:days?|weeks?|months?|years?|decades?)\s+ago\b|\b(?:so|thus)\s+far\b|\bto\s+date\b|\bin\s+recent\s+(?:days|weeks|months|years)\b|\bpreviously\b|\brecently\b|\bin\s+the\s+past\b", "past", _I, keys=('last', 'earlier', 'previous', 'past', 'yesterday', 'ago', 'far', 'to date', 'recent'))
def _past(m, doc, text):
    return _expr(m, "relative expression", doc - timedelta(days=1), doc, bound="past", past=True)


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
