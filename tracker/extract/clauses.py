"""A sentence's clauses and their parts: splitting at ";", "and", commas between claims and
elliptic conjuncts ("and to reach", "and expected to"); conditions ("If X, ...", "..., if pressed,
...", "with X, ... could"); the subject (introductions removed, number for the verb); and the verb
group that carries a claim, with its hedging adverbs."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Optional

from .numbers import _STATED
from .vocab import (
    COUNTABLE_SINGULAR_S,
    DETERMINERS,
    ED_NOT_VERBS,
    INTRO_WORDS,
    IRREGULAR_PAST,
    PARTICIPLES,
    PREPOSITIONS,
    REPORT_VERBS,
    SINGULAR_S_NAMES,
    SUBORDINATORS,
)
from .wording import Hedge, _LEAD_CONJ, _norm, _Patterns, _squash

# ----------------------------------------------------------------------------
# Clauses


_SPLIT = re.compile(r"\s*;\s*|,\s*(?:and|but|while|whereas|although|though|yet|so)\s+|\s+(?:and|but|whereas)\s+|"
                    r",\s+(?!(?:which|who|whom|whose|that|where|when|as|because|since|although|though|while|if|unless|"
                    r"so|such|even|especially|particularly|including|not|or|it\s+(?:is|was|seems|appears))\b)")


def _anchor_starts(pats: _Patterns, low: str) -> list[int]:
    """Where a verb group (modal or "is ... to") starts, for the whole sentence at once."""
    starts = {m.start("modal") for m in pats.modal.finditer(low)}
    starts.update(m.start() for m in pats.be_to.finditer(low))
    return sorted(starts)


def _has_anchor(starts: list[int], low: str, a: int, b: int) -> bool:
    """Is there a verb group in low[a:b] with some words before it (its subject)?"""
    i = bisect.bisect_left(starts, a)
    while i < len(starts) and starts[i] < b:
        if _WORD.search(low, a, starts[i]):
            return True
        i += 1
    return False


_WORD = re.compile(r"[a-z]")


def split_clauses(pats: _Patterns, text: str) -> list[str]:
    """Split at ";" and coordinating words when both sides carry their own claim."""
    low = _norm(text)
    starts = _anchor_starts(pats, low)
    parts: list[tuple[int, int]] = []
    start = 0
    m = _CONCESSIVE.match(low)
    if m and not _in_quotes(low, m.end()):
        # "While the likelihood of an attack is low, Russia is still the biggest threat": two statements
        parts.append((len(m.group("lead")), m.end("body")))
        start = m.end()
    for m in _SPLIT.finditer(low, start):
        if _in_quotes(low, m.start()):
            continue
        if m.group(0).strip() == "," and _condition_end(low[start:]) > m.start() - start:
            continue  # a comma inside or closing a leading condition ("If X, despite Y, can Z, ...")
        own_voice = (m.group(0).strip(" ,") in ("and", "but") and pats.frame.match(low[m.end():]) is not None
                     and _has_anchor(starts, low, m.end(), len(low)))
        if m.group(0).strip(" ,") == "and" and _elliptic_conjunct(pats, low[start : m.start()], low[m.end():]):
            # "X is expected to reach A by 2024 and to reach B by 2025", "X is estimated at A, and expected
            # to rise to B", "a 50% chance of A and a 65% chance of B": one subject, two claims
            parts.append((start, m.start()))
            start = m.end()
            continue
        if m.group(0).strip() == ";" or own_voice or (_has_anchor(starts, low, start, m.start())
                                                      and (_has_anchor(starts, low, m.end(), len(low))
                                                           or _SHARED_SUBJECT.match(low, m.end()))):
            parts.append((start, m.start()))
            start = m.end()
    parts.append((start, len(low)))
    return [text[a:b].strip(" ,;") for a, b in parts if text[a:b].strip(" ,;")]


_ELLIPTIC_EXPECTED = re.compile(r"(?:also\s+)?(?:(?:is|are)\s+)?(?:now\s+)?(?:expected|projected|forecast|predicted|seen|set|"
                                r"likely|unlikely|poised)\s+to\s+[a-z]")
_ELLIPTIC_TO = re.compile(r"to\s+[a-z]+\b")
_STATED_START = re.compile(r"(?:a|an)\s+(?:about\s+|around\s+)?\d{1,3}(?:\.\d+)?\s*(?:%|percent|per\s+cent)\s+"
                           r"(?:chance|likelihood|probability)\s+(?:of|that)\s")


def _elliptic_conjunct(pats: _Patterns, left: str, right: str) -> bool:
    """Does ``right`` continue ``left``'s subject with a verb group of its own ("and to reach",
    "and expected to rise") or a second stated chance ("and a 65% chance of ...")?"""
    if _ELLIPTIC_EXPECTED.match(right):
        return re.search(r"\b(?:is|are)\b", left) is not None
    if _ELLIPTIC_TO.match(right):
        return pats.be_to.search(left) is not None and not re.search(r"\b(?:will|would|may|might|could)\b", left)
    if _STATED_START.match(right):
        return _STATED.search(left) is not None
    return False


def _complete_conjunct(pats: _Patterns, before: str, subject: str, clause: str) -> str:
    """Give an elliptic conjunct its subject and verb group back (see :func:`_elliptic_conjunct`)."""
    low = _norm(clause)
    if _ELLIPTIC_TO.match(low) and not _ELLIPTIC_EXPECTED.match(low):
        m = pats.be_to.search(_norm(before))
        if m and subject:
            return f"{subject} {before[m.start('be') : m.end('adj')]} {clause}"
    if _ELLIPTIC_EXPECTED.match(low) and not re.match(r"(?:also\s+)?(?:is|are)\b", low):
        subject = subject or (re.match(r"^(.+?)\s+(?:is|are)\b", before) or [None, ""])[1]
        if subject:
            return f"{subject} {'are' if is_plural(subject) else 'is'} {clause}"
    return clause


_CONCESSIVE = re.compile(r"^(?P<lead>(?:while|although|though|whereas)\s+)(?P<body>[^,;]{8,200}?),\s+")
_SHARED_SUBJECT = re.compile(
    r"(?:(?:also|still|then|even|probably|likely|almost\s+certainly|possibly|perhaps)\s+)*"
    r"(?:will|may|might|could|would|shall|is|are|remains?|seems?|appears?)\s+(?:not\s+|never\s+)?"
    r"(?:(?:also|still|even|probably|likely|very|highly|almost\s+certainly|possibly|perhaps)\s+)*"
    r"(?:likely|unlikely|expected|set|poised|going|bound|due|certain|[a-z]+)\b")


def _in_quotes(low: str, pos: int) -> bool:
    return low[:pos].count('"') % 2 == 1
_COND_LEAD = (r"(?:if|unless|should|provided(?:\s+that)?|in\s+the\s+event(?:\s+that|\s+of)?|assuming(?:\s+that)?|were|"
              r"as\s+long\s+as|so\s+long\s+as|once|when|whenever|even\s+if|only\s+if|in\s+case)")
_CONDITION = re.compile(rf"^(?!once\s+again|once\s+more|when\s+asked)(?P<cond>{_COND_LEAD}\b[^,]{{2,200}}?)(?:,\s*|\s+then\s+)(?:then\s+)?", re.I)
_CONDITION_TAIL = re.compile(r"\s*,?\s+(?P<cond>(?:if|unless|provided\s+that|in\s+the\s+event\s+(?:that|of)|as\s+long\s+as|"
                             r"so\s+long\s+as|even\s+if|only\s+if)\b.+)$", re.I)
_COND_WORDS = re.compile(rf"^(?P<lead>{_COND_LEAD}|(?:conditioned|conditional)\s+on|with)\b\s*", re.I)
_MID_CONDITION = re.compile(r",\s*(?P<cond>(?:(?:conditioned|conditional)\s+on|if|unless|provided\s+that)\b[^,]{2,160}?)\s*,\s*")
_MAIN_CLAUSE = re.compile(r"\s*(?:then\s+)?[a-z\"'][^,]{0,100}?\s(?:will|would|may|might|could|can|should|shall|is|are|was|were|"
                          r"remains?|has|have)\b")
_WITH_LEAD = re.compile(r"^with\s+[^,]{4,160}?,\s*(?=[^,]{1,100}?\b(?:could|may|might|would)\b)")
_WITH_LEAD_EXPECTED = re.compile(r"^with\s+[^,]{4,160}?,\s*(?=[^,]{1,100}?\b(?:will|could|may|might|would)\b)")


def _condition_end(low: str, expecting: bool = False) -> int:
    """Where a leading condition ends (0: none). The condition runs to the comma before the main
    clause (a subject and a verb group with no comma between), so that "If populists, despite their
    losses, gain influence, aid may fall" keeps its parenthesis inside the condition. A leading
    "with ..." phrase is a condition before could/may/might/would ("With new tariffs, prices could
    rise")."""
    m = _CONDITION.match(low)
    if not m:
        m = (_WITH_LEAD_EXPECTED if expecting else _WITH_LEAD).match(low)
        return m.end() if m else 0
    if m.group(0).rstrip().endswith(","):
        for c in re.finditer(r",\s*", low[: 240]):
            if c.start() < m.end() - len(m.group(0)) + len(m.group("cond")):
                continue
            if _MAIN_CLAUSE.match(low, c.end()):
                return c.end()
    return m.end()


_ANAPHORIC_CONDITION = re.compile(r"^(?:it|they|he|she|this|that|so|that\s+happens|this\s+happens)(?:\s+(?:does|do|did|happens|so))*$",
                                  re.I)


def condition_statement(cond: str) -> tuple[str, bool]:
    """``"If progress on disinflation continues"`` -> ("progress on disinflation continues", True);
    ``"unless deep reductions occur"`` -> ("deep reductions occur", False): the condition as a
    statement, and whether the forecast needs it true (False: it needs it false)."""
    text = _squash(cond.strip(" ,.;:"))
    m = _COND_WORDS.match(text)
    positive = True
    if m:
        positive = not m.group("lead").lower().startswith("unless")
        text = text[m.end():]
    text = re.sub(r"\s+then$", "", text).strip(" ,")
    return text, positive


def _is_past_verb(word: str) -> bool:
    w = word.lower()
    if w in IRREGULAR_PAST:
        return True
    return w.endswith("ed") and w not in ED_NOT_VERBS and len(w) > 4


def _is_participle(word: str) -> bool:
    w = word.lower()
    return w in PARTICIPLES or (w.endswith("ed") and w not in ED_NOT_VERBS and len(w) > 3) or w.endswith("en")


def _content_after_that(subject_low: str) -> Optional[int]:
    """In "Trump proposed that Russia", where the real subject starts (complementizer "that")."""
    for m in reversed(list(re.finditer(r"\bthat\s+", subject_low))):
        before = subject_low[: m.start()].split()
        if before and (before[-1] in REPORT_VERBS or before[-1] in ("is", "was", "likely", "possible", "clear", "unlikely")):
            return m.end()
    return None


def clean_subject(subject: str) -> tuple[str, Optional[str]]:
    """Strip discourse words and introductory phrases; return (subject, condition)."""
    s = subject.strip(" ,;:")
    condition = None
    s = _LEAD_CONJ.sub("", s)
    # "... and that it will seek ...": a complementizer before a pronoun or a name, not "that move"
    s = re.sub(r"^that\s+(?=(?:it|they|he|she|we|there|[A-Z])\b)", "", s)
    m = _CONDITION.match(s)
    if m:
        condition = m.group("cond")
        s = s[m.end() :]
    for _ in range(3):
        m = re.match(r"^([A-Za-z][\w'-]*)([^,\"“”]{0,80}?),\s+(?=\S)", s)
        if not m:
            break
        first = m.group(1).lower()
        if first in SUBORDINATORS and condition is None and first in ("if", "unless"):
            condition = s[: m.end()].strip(" ,")
            s = s[m.end() :]
        elif first in INTRO_WORDS:
            s = s[m.end() :]
        else:
            break
    s = _LEAD_CONJ.sub("", s)
    low = _norm(s)
    cut = _content_after_that(low)
    if cut is not None:
        s = s[cut:]
    return s.strip(" ,"), condition


_PRONOUN_PLURAL = {"they", "we", "you", "i", "both", "these", "those", "many", "several", "few", "others", "some"}
_SINGULAR_HEADS = {"he", "she", "it", "this", "that", "one", "each", "everyone", "nobody", "neither", "either",
                   "someone", "somebody", "anyone", "everybody"}


def is_plural(subject: str) -> bool:
    """A rough number for a subject noun phrase ("Trump and Putin" plural, "the meeting" singular)."""
    low = re.sub(r"\s(?:that|which|who)\s.*$", "", _norm(subject))  # "events that occurred ...": the head is before
    words = re.findall(r"[a-z][a-z'.-]*", low)
    if not words:
        return False
    head_words = []
    for w in words:
        if w in PREPOSITIONS and head_words:
            break
        head_words.append(w)
    if re.search(r"\band\b|&", " ".join(head_words)):
        return True
    head = head_words[-1].strip(".'")
    if head in _SINGULAR_HEADS:
        return False
    if head in _PRONOUN_PLURAL:
        return True
    # capitalised words ending in s are mostly names ("Brussels", "the United States")
    orig_words = re.findall(r"[A-Za-z][A-Za-z'.-]*", subject)
    orig_head = next((o for o in orig_words if o.lower().strip(".'") == head), head)
    first = bool(orig_words) and orig_words[0].lower().strip(".'") == head
    if head in SINGULAR_S_NAMES:
        return False
    if orig_head[:1].isupper() and not first:
        return False  # a name ("the United States", "Mattis"), unless merely capitalised as the first word
    if head in COUNTABLE_SINGULAR_S:
        return False
    return head.endswith("s") and not head.endswith(("ss", "us", "is", "'s"))


_IRREGULAR_3SG = {"be": "is", "have": "has", "do": "does", "go": "goes"}
_IRREGULAR_PL = {"be": "are"}


def inflect(verb: str, plural: bool) -> str:
    """Present tense of a base verb for a subject of the given number."""
    v = verb.lower()
    if plural:
        return _IRREGULAR_PL.get(v, verb)
    if v in _IRREGULAR_3SG:
        return _IRREGULAR_3SG[v]
    if v.endswith(("s", "sh", "ch", "x", "z", "o")):
        return verb + "es"
    if len(v) > 1 and v.endswith("y") and v[-2] not in "aeiou":
        return verb[:-1] + "ies"
    return verb + "s"


def _strip_hedges(pats: _Patterns, text: str) -> str:
    """Remove likelihood adverbs and "also" from an event statement."""
    return _squash(pats.strip_hedges.sub(" ", text))


def _alternatives(rest: str) -> Optional[list[str]]:
    """``either before X, or after Y`` -> ["before X", "after Y"]."""
    m = re.search(r"\b(?:either|whether)\s+(?P<body>.+)$", rest, re.I)
    if not m:
        return None
    body = m.group("body").strip().rstrip(".!?;")
    pieces = re.split(r"\s*,?\s+or\s+|\s*,\s+(?=(?:before|after|in|at|on|during|by|with|from)\b)", body)
    pieces = [p.strip(" ,") for p in pieces if p.strip(" ,")]
    if len(pieces) < 2:
        return None
    return pieces


@dataclass
class _Anchor:
    kind: str  # modal, be_to, sched, pred
    start: int
    end: int
    match: re.Match
    modal: Optional[str] = None


def _overlapping(pattern: re.Pattern, text: str, group: str):
    """Matches that may overlap: "Theresa May may call" gives "May may" and "may call"."""
    pos = 0
    while True:
        m = pattern.search(text, pos)
        if not m:
            return
        yield m
        pos = m.start(group) + 1


def _find_anchor(pats: _Patterns, low: str, orig: str) -> Optional[_Anchor]:
    """The verb group carrying the clause's claim (the leftmost valid one)."""
    candidates: list[_Anchor] = []
    for m in _overlapping(pats.modal, low, "modal"):
        modal = m.group("modal")
        ms = m.start("modal")
        before = low[:ms].split()
        if before and before[-1] in ("the", "a", "political", "popular", "free", "good", "ill", "of", "his", "her",
                                     "their", "its", "our", "national", "own", "goodwill", "last"):
            continue
        if orig[ms : ms + 1].isupper() and ms > 0 and modal in ("may", "will", "might", "can"):
            prev = orig[:ms].rstrip().split()
            if prev and prev[-1][:1].isupper():
                continue  # a name: "Theresa May", "Prime Minister May"
        if m.group("verb") in DETERMINERS or m.group("verb") in ("he", "she", "it", "they", "we", "i", "you"):
            continue  # a question: "could the talks ..."
        candidates.append(_Anchor("modal", m.start(), m.end(), m, modal))
    for kind, pattern in (("be_to", pats.be_to), ("sched", pats.sched), ("pred", pats.pred)):
        for m in pattern.finditer(low):
            candidates.append(_Anchor(kind, m.start(), m.end(), m))
    candidates.sort(key=lambda a: (a.start, {"modal": 0, "be_to": 1, "sched": 2, "pred": 3}[a.kind]))
    for a in candidates:
        subject = low[: a.start].strip(" ,")
        if not re.search(r"[a-z0-9]", subject):
            continue
        words = subject.split()
        if words[-1] in ("that", "which", "who", "whom", "whose", "where", "so"):
            continue  # relative or purpose clause: "leaks that could favour"
        if _EMBEDDED_WH.search(subject):
            continue  # an embedded question: "how the Kremlin will cope", "what the future might hold"
        return a
    return None


def _verb_group_hedges(pats: _Patterns, segment: str, orig_segment: str) -> tuple[list[Hedge], int]:
    """Lexicon adverbs in a verb group and the negations outside them."""
    hedges: list[Hedge] = []
    spans: list[tuple[int, int]] = []
    for m in pats.adv_only.finditer(segment):
        phrase = pats.by_text.get(("adv", _squash(m.group(0))))
        if phrase:
            hedges.append(Hedge(phrase, _squash(orig_segment[m.start() : m.end()]), phrase.negated))
            spans.append((m.start(), m.end()))
    negs = 0
    for m in re.finditer(r"\b(?:not|never)\b|n't\b", segment):
        if not any(a <= m.start() < b for a, b in spans):
            negs += 1
    return hedges, negs


def _modal_hedge(pats: _Patterns, modal: str, orig: str) -> tuple[Optional[Hedge], int, Optional[str]]:
    """(hedge for the modal, negations it carries, a kind note)."""
    negs = 0
    base = modal
    if modal in ("won't",):
        base, negs = "will", 1
    elif modal in ("cannot", "can't"):
        base, negs = "can", 1
    elif modal.endswith("n't"):
        base, negs = modal[:-3], 1
        if base == "sha":
            base = "shall"
    elif modal == "'ll":
        base = "will"
    phrase = pats.by_text.get(("modal", base))
    if phrase is None:
        return None, negs, base
    return Hedge(phrase, orig.strip()), negs, base


_EDGE_FILLERS = re.compile(
    r"^(?:(?:also|still|then|eventually|soon|again|ultimately|further|now|indeed|only|even|already|finally|"
    r"nonetheless|nevertheless|therefore|thus|well)\b[\s,]*)+|(?:[\s,]+\b(?:also|still|then|eventually|soon|again|"
    r"ultimately|further|now|indeed|only|even|already|finally)\b)+$",
    re.I,
)


def _trim_fillers(group: str) -> str:
    """A verb group without the filler adverbs at its edges: "could also" -> "could"."""
    return _squash(_EDGE_FILLERS.sub("", group.strip(" ,")).strip(" ,"))


def _choose(hedges: list[Hedge]) -> Optional[Hedge]:
    order = {"stated": -1, "likelihood": 0, "rule_out": 0, "scenario": 0, "unassessed": 1, "expectation": 2,
             "scheduled": 2, "frame": 3, "plain": 4}
    best = None
    for h in hedges:
        if best is None or order.get(h.phrase.kind, 5) < order.get(best.phrase.kind, 5):
            best = h
    return best
_EMBEDDED_WH = re.compile(r"\b(?:how|what|whether|why|where)\b(?:\s+[a-z'-]+){0,6}$")
