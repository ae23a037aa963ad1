"""How a claim is named: its event as a short resolvable statement with absolute dates, a
readable id ("us-planners-feel-pinch"), its outcome slugs, its topic tags, the scenario's slug."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, Optional

from .analyze import FORECAST, ClauseResult, strip_titles
from .timex import MONTH_NAMES
from .vocab import GAZETTEER, GENERIC_VERBS, STOPWORDS

if TYPE_CHECKING:  # pragma: no cover - for the annotation only (claims imports this module)
    from .claims import Claim

_PREP_START = re.compile(r"^(before|after|ahead of|prior to|following|in|at|on|during|by|with|from|through|via|under)\b\s*", re.I)


def _outcome_slugs(alternatives: list[str]) -> list[str]:
    """``before the NATO summit in Brussels on July 12th`` -> ``before-nato``."""
    slugs: list[str] = []
    for alt in alternatives:
        m = _PREP_START.match(alt)
        prep = m.group(1).lower().replace(" ", "-") if m else ""
        body = alt[m.end() :] if m else alt
        words = re.findall(r"[\w'’-]+", body)
        names = [w for w in words if w[:1].isupper() and w.rstrip(".") not in MONTH_NAMES and w.lower() not in STOPWORDS]
        if names:
            key = [names[0]]
        else:
            key = [w for w in words if w.lower() not in STOPWORDS and not w.isdigit() and w not in MONTH_NAMES][:1]
        slug = slugify("-".join(([prep] if prep else []) + key)) or f"option-{len(slugs) + 1}"
        while slug in slugs:
            slug = f"{slug}-{len(slugs) + 1}"
        slugs.append(slug)
    return slugs


_THIS_START = re.compile(r"^(?:this|that)\s+(?!(?:is|are|was|were|will|would|could|may|might|has|have|had|can|should|remains?)\b)", re.I)
_THIS_EVENT = re.compile(r"\b(?:this|that)\s+(meeting|summit|visit|trip|talks|election|vote)\b")


def _event_text(c: ClauseResult) -> str:
    """The claim as a short, resolvable statement with absolute dates."""
    text = c.event or c.subject or c.text
    if (c.subject or "").strip().lower() not in ("this", "that"):
        text = _THIS_START.sub("the ", text)  # "this offensive will ..." -> "the offensive ..."; "This will" stays
    text = _THIS_EVENT.sub(r"the \1", text)
    for e in sorted(c.time_exprs, key=lambda e: -len(e.text)):
        if e.rewrite and not e.past and e.text in text:
            text = text.replace(e.text, e.rewrite, 1)
    text = strip_titles(text)
    if text.count('"') % 2 or (text.count("“") != text.count("”")):
        text = re.sub(r'["“”]', "", text)  # an unbalanced quotation mark left from a cut quotation
    text = re.sub(r"\s+([,.;:])", r"\1", text)
    text = " ".join(text.split()).strip(" ,;")
    if text:
        text = text[0].upper() + text[1:]
    return text


def slugify(text: str, max_len: int = 60) -> str:
    s = text.lower().replace("’", "").replace("'", "")
    s = re.sub(r"(?<=[a-z])\.(?=[a-z])|(?<=\b[a-z])\.(?=-|\s|$)", "", s)  # "U.S." -> "us", not "u.s"
    s = re.sub(r"[^a-z0-9]+", "-", s).strip("-.")
    s = re.sub(r"-{2,}", "-", s)
    return s[:max_len].strip("-.")


_DEMONYM = re.compile(r"(?:an|ian|ese|ish|ic|i)$")


def _names(text: str) -> list[str]:
    """The last word of each capitalised name ("Donald Trump" -> trump), demonyms before a noun left out."""
    tokens = re.findall(r"[A-Za-z][\w'’.-]*|\d+|[,;]", text)
    names = []
    for i, tok in enumerate(tokens):
        bare = re.sub(r"['’]s$", "", tok.rstrip("."))
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        if i == 0 and bare.lower() in STOPWORDS:
            continue
        if bare[:1].isupper() and bare not in MONTH_NAMES and bare.lower() not in STOPWORDS:
            if _DEMONYM.search(bare) and nxt[:1].islower() and nxt.lower() not in STOPWORDS:
                continue
            if nxt[:1].isupper() and nxt not in MONTH_NAMES and not tok.endswith(("'s", "’s")):
                continue  # keep the last word of a name
            names.append(bare.lower())
    return names


def _subject_words(subject: str) -> list[str]:
    """Names in the subject (last word of each) and its head noun: "the two leaders" -> [leaders]."""
    subject = strip_titles(subject)
    head_part = re.split(r"\s+(?:of|in|from|with|at|on|for|between|among|to|by|within|over|under)\s+", subject, maxsplit=1)[0]
    names = _names(head_part)
    plain = re.findall(r"[A-Za-z][\w'’-]*", head_part)
    head = re.sub(r"['’]s$", "", plain[-1]).lower() if plain else ""
    out = [w for w in names if w != head][:2]
    if head and head not in out and head not in STOPWORDS:
        out.append(head)
    return out[:3]


def _object_words(rest: str, prefer_names: bool) -> list[str]:
    """The first noun phrase after the verb (two words at most), and a name from the rest."""
    rest = strip_titles(rest)
    names = _names(rest)
    if prefer_names and names:
        return names[:2]
    tokens = re.findall(r"[A-Za-z][\w'’.-]*|\d+|[,;]", rest)
    phrase: list[str] = []
    started = False
    for i, tok in enumerate(tokens):
        low = re.sub(r"['’]s$", "", tok.lower().rstrip("."))
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        if tok in (",", ";"):
            if started:
                break
            continue
        if low in STOPWORDS or low.isdigit() or tok in MONTH_NAMES:
            if started and low in ("of", "in", "to", "for", "with", "at", "on", "by", "from", "into", "during", "and", "or"):
                break
            continue
        if tok[:1].isupper() and nxt[:1].isupper() and nxt not in MONTH_NAMES:
            continue  # "Vladimir Putin" -> putin
        started = True
        phrase.append(low)
        if len(phrase) == 2:
            break
    out = phrase[:2]
    if len(out) < 2:
        for n in names:
            if n not in out:
                out.append(n)
                break
    elif names and names[0] not in out:
        out = out[:1] + [names[0]]
    return out


def suggest_id(subject: str, verb: str, rest: str, *, month: Optional[str] = None,
               outcomes: Optional[list[str]] = None) -> str:
    """A readable slug for a question: who, the verb, what, and the month when one is named.

    ``Trump`` + ``visit`` + ``Russian President Vladimir Putin`` + July ->
    ``trump-visit-putin-july``; a categorical question on timing (outcomes
    "before-..."/"after-...") -> ``meeting-timing``.
    """
    subj = _subject_words(subject)
    if outcomes:
        timing = all(o.startswith(("before", "after", "ahead", "prior", "following")) for o in outcomes if o != "neither")
        return slugify("-".join(subj[:2] + (["timing"] if timing else ["options"]))) or "question"
    verb_words = verb.lower().split()
    v = verb_words[0] if verb_words else ""
    generic = v in GENERIC_VERBS
    if generic:
        m = re.match(r"^\s*to\s+([a-z][a-z-]*)\b(.*)$", rest)
        if m:
            v, rest, generic = m.group(1), m.group(2), m.group(1) in GENERIC_VERBS
    obj = _object_words(rest, prefer_names=generic)
    words = subj[:2] + ([v] if v and not generic else []) + obj + ([month.lower()] if month else [])
    seen: list[str] = []
    for w in words:
        if w and w not in seen:
            seen.append(w)
    return slugify("-".join(seen[:6])) or "claim"


def _assign_ids(claims: list[Claim]) -> None:
    """Make ids unique in the list (``-2``, ``-3`` ...); non-forecasts get ``CLASS-PARAGRAPH``."""
    used: set[str] = set()
    for c in claims:
        base = c.id if (c.cls == FORECAST and c.id) else slugify(f"{c.cls}-{c.paragraph}")
        slug = base or "claim"
        n = 2
        while slug in used:
            slug = f"{base}-{n}"
            n += 1
        used.add(slug)
        c.id = slug


def _gazetteer_patterns() -> tuple[re.Pattern, re.Pattern, dict[str, str], dict[str, str]]:
    """Two scans for all tags: names that ignore case, and acronyms ("US", "EU") that do not."""
    folded: dict[str, str] = {}
    exact: dict[str, str] = {}
    for tag, names in GAZETTEER.items():
        for n in names:
            if n.isupper() or (n[:1].isupper() and "-" in n):
                exact.setdefault(n, tag)
            else:
                folded.setdefault(n.lower(), tag)

    def alternation(names) -> str:
        return "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))

    fold_re = re.compile(rf"(?<![\w-])(?:{alternation(folded)})(?![\w-])", re.I)
    exact_re = re.compile(rf"(?<![\w-])(?:{alternation(exact)})(?![\w-])")
    return fold_re, exact_re, folded, exact


_GAZ_FOLD, _GAZ_EXACT, _GAZ_FOLDED, _GAZ_EXACT_NAMES = _gazetteer_patterns()
_TAG_ORDER = {tag: i for i, tag in enumerate(GAZETTEER)}


@lru_cache(maxsize=1024)
def _tags_cached(sentence: str) -> tuple[str, ...]:
    found = {_GAZ_FOLDED[m.lower()] for m in _GAZ_FOLD.findall(sentence)}
    found.update(_GAZ_EXACT_NAMES[m] for m in _GAZ_EXACT.findall(sentence))
    return tuple(sorted(found, key=_TAG_ORDER.__getitem__))


def _tags(sentence: str) -> list[str]:
    """Places, demonyms and institutions the sentence names, as tags (russia, nato, sanctions ...)."""
    return list(_tags_cached(sentence))
