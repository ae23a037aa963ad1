"""Numbers stated in the text: "a 70 percent chance that", "one in three odds", "a 50-55% chance",
"the chances of X are only at 20%", "(70-75% chance)"."""

from __future__ import annotations

import re
from typing import Optional

from .lexicon import Phrase
from .wording import Hedge, _squash

_APPROX = r"(?:(?:about|around|roughly|approximately|nearly|almost|some|only|just|over|under|at\s+least|at\s+most|more\s+than|less\s+than|no\s+more\s+than|not\s+more\s+than|up\s+to)\s+)?"
_NUMBER_WORD = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
                "a": 1, "an": 1}
_FRACTION = r"(?P<num>one|two|three|four|five|six|seven|eight|nine|a|an|\d{1,2})\s+in\s+(?P<den>two|three|four|five|six|seven|eight|nine|ten|\d{1,4})"
_PCT_RANGE = r"(?:(?P<pct0>\d{1,3}(?:\.\d+)?)\s*(?:%|percent|per\s+cent)?\s*(?:-|–|to)\s*)?"
_STATED = re.compile(
    rf"(?:^|\b(?:is|are|was|shows?|gives?|puts?|sees?|estimates?|assesses?|of|with|at|gave|put|saw|estimated|assessed|"
    rf"have|has|had|carry|carries|carried|"
    rf"indicates?|suggests?|finds?|found|means?)\s+|^(?:we|they|it|the\s+\w+)\s+(?:estimate|assess|judge|put|see|give)s?\s+)"
    rf"(?:there\s+(?:is|was)\s+)?(?:(?:a|an)\s+)?(?:(?:[a-z-]+,?\s+){{1,4}}?\()?{_APPROX}(?:(?:a|an)\s+)?"
    rf"(?:{_PCT_RANGE}(?P<pct>\d{{1,3}}(?:\.\d+)?)\s*(?:%|percent|per\s+cent|-percent)\)?|{_FRACTION}|(?P<even>50[:/]50))\s+"
    rf"(?P<what>chance|chances|probability|likelihood|risk|odds|possibility)\s+(?:that|of|for)\s+")
_STATED_PAREN = re.compile(
    rf"\s*\((?:with\s+)?(?:a\s+|an\s+)?{_APPROX}(?:a\s+|an\s+)?{_PCT_RANGE}(?P<pct>\d{{1,3}}(?:\.\d+)?)\s*(?:%|percent|per\s+cent)\s+"
    rf"(?:chance|probability|likelihood|odds)\)")
_STATED_AFTER = re.compile(
    rf"^(?:the\s+)?(?P<what>chances?|probability|likelihood|odds|risk)\s+(?:that|of|for)\s+(?P<inner>.+?)\s+"
    rf"(?:is|are|was|stands?|remains?)\s+(?:only\s+)?(?:at\s+)?{_APPROX}(?:(?P<pct>\d{{1,3}}(?:\.\d+)?)\s*(?:%|percent|per\s+cent)|{_FRACTION})"
    rf"(?P<tail>.*)$")


def _stated_number(m: re.Match) -> Optional[float]:
    if m.groupdict().get("pct"):
        value = float(m.group("pct")) / 100
        if m.groupdict().get("pct0"):
            low = float(m.group("pct0")) / 100
            if not low < value:
                return None
            value = (low + value) / 2  # "a 50-55% chance": the middle of the range
    elif m.groupdict().get("num"):
        num, den = m.group("num"), m.group("den")
        n = int(num) if num.isdigit() else _NUMBER_WORD.get(num)
        d = int(den) if den.isdigit() else _NUMBER_WORD.get(den)
        if not n or not d or n > d:
            return None
        value = n / d
    elif m.groupdict().get("even"):
        value = 0.5
    else:
        return None
    return round(value, 4) if 0 <= value <= 1 else None


def _stated_chance(orig: str, low: str) -> Optional[tuple[Hedge, str, int]]:
    """``there is about a 40% chance of X``, ``we estimate a 70 percent chance that S``, ``one in three
    odds that S``, ``an 86% probability that S``, ``the chances of X are only at 20%``: a stated number."""
    m = _STATED.search(low)
    if m:
        p = _stated_number(m)
        if p is not None:
            start = (m.start("pct0") if m.group("pct0") else m.start("pct")) if m.group("pct") else (
                m.start("num") if m.group("num") else m.start("even"))
            if m.start() == 0:
                start = 0  # "There is a 30 percent chance": the whole construction as written
            written = _squash(orig[start : m.end("what")])
            phrase = Phrase(text=written, pos="noun", kind="stated")
            return Hedge(phrase, written, False, percent=p, nominal=True), orig[m.end():], 0
    m = _STATED_AFTER.match(low)
    if m:
        p = _stated_number(m)
        if p is not None:
            written = _squash(f"{orig[: m.start('inner')].strip()} ... {orig[m.end('inner') : m.start('tail')].strip()}")
            phrase = Phrase(text=written, pos="noun", kind="stated")
            inner = orig[m.start("inner") : m.end("inner")] + orig[m.start("tail"):]
            return Hedge(phrase, written, False, percent=p, nominal=True), inner, 0
    return None
