"""Deadlines the text does not date outright: a known calendar ("before the US election"), an
event named but not dated, open-ended times ("sooner or later"), and which of several times is
the claim's own."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Optional

from .analyze import ClauseResult
from .timex import TimeExpr

_OPEN_ENDED = re.compile(r"\b(?:sooner\s+or\s+later|at\s+some\s+(?:point|stage)|some\s+day|one\s+day|eventually|"
                         r"in\s+the\s+(?:long|longer)\s+(?:run|term)|over\s+the\s+long(?:er)?\s+term|in\s+due\s+course|"
                         r"over\s+time)\b", re.I)
_US_ELECTION = re.compile(
    r"\b(?P<prep>before|ahead\s+of|by|until|prior\s+to|in|at|during)\s+(?:the\s+)?(?:(?P<year>(?:19|20)\d\d)\s+)?"
    r"(?P<next>next\s+|upcoming\s+|coming\s+)?(?:(?P<us>US|U\.S\.|American|United\s+States)\s+)?"
    r"(?P<kind>presidential\s+|midterm\s+|mid-term\s+|congressional\s+|general\s+)?elections?\b")
_EVENT_BOUND = re.compile(
    r"\b(?P<prep>before|ahead\s+of|by|until|prior\s+to|in\s+time\s+for|at|during)\s+(?:the|its|their|his|her|next|this)\s+"
    r"(?:[A-Za-z][\w-]*\s+){0,3}?(?P<noun>summit|meeting|talks|visit|election|elections|vote|referendum|conference|"
    r"congress|plenum|anniversary|games|olympics|inauguration|ceasefire|negotiations|session)\b", re.I)


def us_election_day(year: int) -> date:
    """The US federal election day: the Tuesday after the first Monday of November."""
    first = date(year, 11, 1)
    monday = first + timedelta(days=(0 - first.weekday()) % 7)
    return monday + timedelta(days=1)


def _known_calendar(text: str, doc_date: date) -> Optional[tuple[date, str]]:
    """``before the US election`` -> the day before the next US federal election after the document."""
    for m in _US_ELECTION.finditer(text):
        kind = (m["kind"] or "").strip().lower()
        if not (m["us"] or kind in ("presidential", "midterm", "mid-term", "congressional")):
            continue
        if m["year"]:
            year = int(m["year"])
            if year % 2:
                continue
        else:
            year = doc_date.year if doc_date <= us_election_day(doc_date.year) else doc_date.year + 1
            step = 4 if kind == "presidential" else 2
            want = 0 if kind == "presidential" else (2 if kind in ("midterm", "mid-term") else None)
            while year % 2 or (want is not None and year % 4 != want) or us_election_day(year) < doc_date:
                year += 1
            del step
        day = us_election_day(year)
        prep = " ".join(m["prep"].lower().split())
        if prep in ("before", "ahead of", "prior to"):
            day -= timedelta(days=1)
        return day, m.group(0)
    return None


def _latest_specific(exprs: list[TimeExpr]) -> TimeExpr:
    """Of several deadlines in one claim, the latest - but a bare year ("in 2019") gives way to a
    more precise date inside it ("between 9 and 14 August")."""
    def bare_year(e: TimeExpr) -> bool:
        return e.date.month == 12 and e.date.day == 31 and not re.search(r"[A-Za-z]{3,}\s+\d|\d\s+[A-Z][a-z]{2,}|quarter|half|mid|end|Q[1-4]", e.text)
    keep = [e for e in exprs
            if not (bare_year(e) and any(o is not e and o.date.year == e.date.year and o.date < e.date for o in exprs))]
    return max(keep or exprs, key=lambda e: e.date)


def _own_deadline(clause: ClauseResult) -> Optional[TimeExpr]:
    for e in clause.time_exprs:
        if e.is_deadline:
            return e
    return None


def _before_period(e: TimeExpr) -> date:
    """The last day before the period an expression names: "until 2025" -> 31 December 2024,
    "until July" -> 30 June, "until 12 July" -> 11 July (a negated "until" is "not before")."""
    d = e.date
    if d.month == 12 and d.day == 31 and re.search(r"\b(?:19|20)\d\d\b", e.text) \
            and not re.search(r"December|Dec\b|\d{1,2}\s+Dec|Dec\w*\s+\d", e.text):
        return date(d.year - 1, 12, 31)  # a year
    if re.search(r"\b\d{1,2}(?:st|nd|rd|th)?\b(?!\d)", re.sub(r"(?:19|20)\d\d", "", e.text)):
        return d - timedelta(days=1)  # a day
    return date(d.year, d.month, 1) - timedelta(days=1)  # a month or season: the day before it begins
