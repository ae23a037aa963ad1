"""The rules that read time expressions (see :mod:`.timex` for what each one gives); importing
this module registers them, in this order, which decides ties between equally long matches."""

from __future__ import annotations

import re
from datetime import date, timedelta

from .timex import (
    MONTH_NAMES,
    NUMBERS,
    WEEKDAYS,
    YEAR_KEYS,
    MONTH_KEYS,
    _DAY,
    _EVENT_NOUN_RE,
    _MONTH,
    _MONTH_NC,
    _PART,
    _PREP,
    _YEAR,
    _expr,
    _month_back,
    _month_num,
    _next_day,
    _next_month_end,
    _norm_prep,
    _part_day,
    _rule,
    _safe_date,
    _with_prep,
    add_months,
    end_of_month,
    end_of_week,
    fmt_date,
)

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


@_rule(r"\b(?:(?P<prep>by|before|until|during|in|within|throughout|through|over|for)\s+)?(?:the\s+)?(?:(?P<part>end\s+of|start\s+of|beginning\s+of|first\s+half\s+of|second\s+half\s+of|early|late|later|middle\s+of)\s+)?(?:the\s+)?(?P<which>next|this|the\s+coming|coming|the\s+current|current)\s+year\b(?!'s|’s)", "relative expression", _I, keys=('year',))
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
    elif prep in ("throughout", "through", "over", "for", "during") and not part:
        rewrite = f"{prep} {year}"  # "throughout the next year" -> "throughout 2025"
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
    if which == "the" and not m["year"] and (_SEASON_MODIFIER.match(text, m.end())
                                             or re.match(r"\s+of\s+(?!(?:19|20)\d\d)", text[m.end():])):
        # "the spring predictability barrier", "the fall of the regime": a noun, not a time
        return None
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
    # "into the summer": the word before stays, "the summer" becomes "summer 2023"
    rewrite = label if which == "the" else f"{prep} {label}"
    return _expr(m, "relative expression", d, doc, bound=prep, rewrite=rewrite)


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
    # "in the third quarter" -> "in Q3 2024"; "before the end of the third quarter" -> "by 30 September 2024"
    rewrite = f"in Q{q} {year}" if prep in ("in", "during") and not m["part"] else f"{prep or 'by'} {fmt_date(d)}"
    return _expr(m, "relative expression", d, doc, bound=prep or "by", rewrite=rewrite)


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
