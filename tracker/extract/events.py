"""Events named in the text, with their dates, so that "the upcoming meeting"
finds the deadline of the meeting announced for July.

A *mention* is an event noun with a date: "the NATO summit in Brussels on
July 12th", "his July trip", or the event of a forecast whose own deadline is
explicit ("Trump is expected to visit Putin in July" mentions a visit and a
meeting ending 31 July). A *reference* is an event noun with a determiner and
no date of its own: "the upcoming meeting", "this meeting", "the summit".

A reference is resolved to the mention with the same head noun whose specific
modifiers include the reference's ("the NATO summit" needs "NATO"), preferring
the mention whose sentence names the same people, then the one with the
fewest extra modifiers (the generic meeting over the "pre-NATO meeting"), then
the first mentioned. Only mentions on or after the document date count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Optional

from .timex import _EVENT_NOUN_RE, TimeExpr
from .vocab import DETERMINERS, GAZETTEER, GENERIC_EVENT_MODS, STOPWORDS, TITLE_WORDS

_HEAD_RE = re.compile(rf"\b(?P<head>{_EVENT_NOUN_RE})\b", re.I)
_REF_RE = re.compile(
    rf"\b(?P<det>the|this|that|these|those|its|his|her|their|our|next|upcoming)\s+(?P<mods>(?:[\w'’-]+\s+){{0,3}}?)(?P<head>{_EVENT_NOUN_RE})\b",
    re.I,
)
_NAME_RE = re.compile(r"\b[A-Z][\w'’-]*")
_MONTHS = {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"}
_NOT_NAMES = {"The", "This", "That", "These", "Those", "A", "An", "In", "On", "At", "By", "For", "We", "Our", "It",
              "He", "She", "They", "But", "And", "However", "While", "If", "According", "There", "Some", "US"}


def _head(word: str) -> str:
    w = word.lower()
    if w.endswith("s") and w not in ("talks", "negotiations", "games", "olympics", "elections", "polls", "primaries",
                                      "drills", "celebrations", "consultations", "exercises"):
        return w[:-1]
    if w == "elections":
        return "election"
    return w


_DEMONYMS = {n for names in GAZETTEER.values() for n in names if n.endswith(("an", "ese", "ish", "i"))}


@lru_cache(maxsize=1024)
def people_in(text: str) -> frozenset[str]:
    """The actors a sentence names: capitalised words, lower case, without
    titles, demonyms ("Russian"), months and acronyms ("NATO", "CNN")."""
    out = set()
    for m in _NAME_RE.finditer(text):
        word = re.sub(r"['’]s?$", "", m.group(0))
        low = word.lower()
        if word in _NOT_NAMES or word in _MONTHS or len(word) < 2 or word.isupper():
            continue
        if low in TITLE_WORDS or low in _DEMONYMS or low in STOPWORDS:
            continue
        out.add(low)
    return frozenset(out)


def _specific(words: list[str]) -> frozenset[str]:
    out = set()
    for w in words:
        wl = w.lower().strip(",.;:'’\"“”")
        if not wl or wl in GENERIC_EVENT_MODS or wl in STOPWORDS or wl in DETERMINERS:
            continue
        if wl.endswith(("'s", "’s")):
            wl = wl[:-2]
        out.add(wl)
    return frozenset(out)


@dataclass(frozen=True)
class Mention:
    head: str
    mods: frozenset[str]
    people: frozenset[str]
    date: date
    order: int
    text: str

    @property
    def known(self) -> frozenset[str]:
        """Every word a reference's modifiers may match."""
        return self.mods | self.people | frozenset(w.lower().strip(",.;:“”\"") for w in self.text.split())


@dataclass(frozen=True)
class Reference:
    head: str
    mods: frozenset[str]
    text: str
    start: int
    end: int


def mentions_in(text: str, exprs: list[TimeExpr], order: int) -> list[Mention]:
    """Event nouns that a date in the same phrase attaches to."""
    people = people_in(text)
    out: list[Mention] = []
    for e in exprs:
        if e.kind not in ("explicit date", "relative expression") or e.bound == "past":
            continue
        # "his July trip": the event noun follows the month
        right = text[e.end : e.end + 40]
        m = re.match(rf"\s+(?:([\w-]+)\s+)?(?P<head>{_EVENT_NOUN_RE})\b", right, re.I)
        if m and e.text.split()[0].lower() in ("his", "her", "its", "their", "the", "a", "an", "this", "next", "our",
                                                "upcoming", "planned"):
            after = re.match(r"[^,.;]{0,40}", text[e.end + m.end() :]).group(0)
            mods = _specific(([m.group(1)] if m.group(1) else []) + after.split())
            out.append(Mention(_head(m.group("head")), mods, people, e.date, order, text[e.start : e.end + m.end()]))
            continue
        # "the NATO summit in Brussels on July 12th": the event noun before the date
        window = text[max(0, e.start - 80) : e.start]
        heads = list(_HEAD_RE.finditer(window))
        if not heads:
            continue
        h = heads[-1]
        between = window[h.end() :]
        if re.search(r"[,;:]|\b(?:or|and|but|which|that|who|will|would|could|may|might)\b", between):
            continue
        before = window[: h.start()].split()[-4:]
        pre = []
        for w in reversed(before):
            if w.lower() in DETERMINERS or w.lower() in ("before", "after", "during", "at", "in", "on", "for", "of", "to"):
                break
            pre.insert(0, w)
        mods = _specific(pre + between.split())
        out.append(Mention(_head(h.group("head")), mods, people, e.date, order, _squash(" ".join(pre) + " " + window[h.start():] + e.text)))
    return out


def references_in(text: str) -> list[Reference]:
    out = []
    for m in _REF_RE.finditer(text):
        mods = _specific(m.group("mods").split())
        out.append(Reference(_head(m.group("head")), mods, m.group(0), m.start(), m.end()))
    return out


def _squash(text: str) -> str:
    return " ".join(text.split())


class Registry:
    """The dated events of one document."""

    def __init__(self, doc: date):
        self.doc = doc
        self.mentions: list[Mention] = []
        self._by_head: dict[str, list[tuple[Mention, frozenset[str]]]] = {}

    def add(self, mention: Mention) -> None:
        if mention.date >= self.doc:
            self.mentions.append(mention)
            self._by_head.setdefault(mention.head, []).append((mention, mention.known))

    def add_all(self, mentions) -> None:
        for m in mentions:
            self.add(m)

    def lookup(self, ref: Reference, people: frozenset[str], order: int) -> Optional[Mention]:
        """The mention a reference in sentence number ``order`` points to.

        Preference: the same people named; then fewest modifiers the reference
        does not have; then a mention before the reference over one after it;
        then the first mentioned (the event a text is about comes first).
        """
        best = None
        best_key = None
        for m, known in self._by_head.get(ref.head, ()):
            if not ref.mods <= known:
                continue
            key = (len(people & m.people), -len(m.mods - ref.mods), m.order <= order, -m.order)
            if best_key is None or key > best_key:
                best, best_key = m, key
        return best
