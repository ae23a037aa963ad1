"""Reading one sentence: who speaks, what kind of statement it is, and which
estimative words carry its likelihood.

The order of the rules (classification before mapping):

1. **Boilerplate**: headings and titles, classification markings, questions,
   "This assessment was prepared by ..." and similar notes.
2. **Attribution**: "reports claim", "CNN sources said that", "according to
   sources cited by Reuters", "Some analysts believe that", "he said",
   "reportedly"/"allegedly". The reported words are analysed like any other,
   and the claim records ``attributed_to``.
3. **Confidence**: "with moderate confidence", "we have high confidence that",
   "high-confidence judgment" is kept as its own field and removed; it is
   never turned into a probability.
4. **Clauses**: a sentence is split at ";" and at "and"/"but"/"while" ... when
   both sides have their own subject and estimative verb group ("Moscow may
   attempt ..., and the two leaders may discuss trade" gives two claims). An
   own-voice frame ("We assess that ...") carries over to the later clauses.
5. **Per clause**, in this order: a leading condition ("If ..., ") makes the
   clause a conditional *estimate* (the tool does not propose conditional
   questions); own-voice frames ("we believe", "we doubt", "we cannot rule
   out", "our assessment is"); "it is likely that S", "there is a roughly even
   chance that S", "the chance that S is remote"; then the verb group that
   carries the claim:

   * modal: ``[adverbs] will|shall|may|might|could [not] [adverbs] VERB`` -
     "will likely meet", "probably will not give up", "could also discuss";
   * ``is|are|remains [not] [adverbs] ADJ to VERB`` - "is expected to visit",
     "is unlikely to give up", "is set to", "is going to";
   * ``is|are ADJ`` with nothing after it but time - "a deal is unlikely
     before the end of the year";
   * ``is scheduled|set|planned for TIME``.

   The verb group must be in the main clause (not "leaks that could favour"),
   and its verb must point forward: "may have met" is an estimate of the
   past, "would"/"should"/"must"/"can" are conditional, normative or about
   ability (estimates), "was expected to" looks back unless a future time is
   named.

Which word gives the number: a likelihood word of the lexicon ("likely",
"very unlikely", "almost certainly not", "a roughly even chance") first; then
"cannot rule out" (remote to unlikely) and "the most likely" (names the
likeliest scenario, no band); then an unassessed possibility (may, might,
could, possibly); then expectation and schedule words ("expected", "set");
then an own-voice frame ("we believe ... will" reads as likely); last a plain
"will" (read as very likely). Negations outside that word ("will not",
"is not expected to", "we do not expect", "never") flip it to its mirror
level and the claim keeps the positive event: "unlikely to give up" and
"probably will not give up" are both forecasts that the subject gives up, at
the unlikely band.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Optional

from .lexicon import Lexicon, Phrase
from .timex import TimeExpr, find_time_expressions
from .vocab import (
    CORE_TITLES,
    COUNTABLE_SINGULAR_S,
    DETERMINERS,
    ED_NOT_VERBS,
    FILLER_ADVERBS,
    INTRO_WORDS,
    IRREGULAR_PAST,
    PARTICIPLES,
    PREPOSITIONS,
    REPORT_VERBS,
    SINGULAR_S_NAMES,
    SOURCE_NOUNS,
    SUBORDINATORS,
    TITLE_WORDS,
)

FORECAST, ESTIMATE, FACT, ATTRIBUTION, BOILERPLATE = "forecast", "estimate", "fact", "attribution", "boilerplate"
CLASSES = (FORECAST, ESTIMATE, FACT, ATTRIBUTION, BOILERPLATE)

_APOS = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "´": "'"})


def _norm(text: str) -> str:
    """Same length as ``text``: straight quotes, lower case (for matching only)."""
    out = text.translate(_APOS)
    low = out.lower()
    if len(low) != len(out):  # a character whose lower case is longer (rare)
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in out)
    return low


def _squash(text: str) -> str:
    return " ".join(text.split())


@dataclass
class Hedge:
    """An estimative phrase found in a clause, as written.

    ``group`` is the whole verb group it sits in ("probably will not",
    "is highly unlikely"): that is what the claim shows as its phrase.
    """

    phrase: Phrase
    text: str
    negation_inside: bool = False
    percent: Optional[float] = None
    group: Optional[str] = None
    nominal: bool = False  # from "there is a X chance of NP" / "the chance of NP is X": the NP is the event

    @property
    def written(self) -> str:
        return self.group or self.text


@dataclass
class ClauseResult:
    text: str
    cls: str
    subject: str = ""
    verb: str = ""
    rest: str = ""
    event: str = ""
    hedges: list[Hedge] = field(default_factory=list)
    governing: Optional[Hedge] = None
    negations: int = 0
    time_exprs: list[TimeExpr] = field(default_factory=list)
    alternatives: Optional[list[str]] = None
    condition: Optional[str] = None
    notes: list[str] = field(default_factory=list)
    frame: Optional[Hedge] = None
    endorsement: bool = False  # "We judge this is likely": the own voice's number for the claim before

    @property
    def negated(self) -> bool:
        return self.negations % 2 == 1

    @property
    def phrase_as_written(self) -> str:
        words = []
        if self.frame is not None and self.frame is not self.governing and self.governing is not None:
            words.append(self.frame.written)
        if self.governing is not None:
            words.append(self.governing.written)
            if self.governing is self.frame:
                # "We believe ... will": the frame gives the number, the verb group the tense
                group = next((h.group for h in self.hedges if h is not self.frame and h.group), None)
                if group:
                    words.append(group)
        elif self.frame is not None:
            words.append(self.frame.written)
        return " ... ".join(words)


@dataclass
class SentenceResult:
    text: str
    cls: str
    clauses: list[ClauseResult]
    attributed_to: Optional[str] = None
    confidence: Optional[str] = None
    confidence_only: bool = False
    note: Optional[str] = None


# ----------------------------------------------------------------------------
# Patterns built from the lexicon (once).


def _alt(texts) -> str:
    """A regex alternation of phrases, longest first, spaces flexible."""
    items = sorted(set(texts), key=lambda t: (-len(t.split()), -len(t)))
    return "|".join(r"\s+".join(re.escape(w) for w in t.split()) for t in items)


_MODALS = r"will|shall|may|might|could|would|should|must|can|cannot|won't|wouldn't|can't|couldn't|shan't|mustn't|shouldn't|'ll"
_BE = (r"is|are|was|were|be|been|being|remains?|remained|seems?|seemed|appears?|appeared|looks?|looked|'s|'re|am|"
       r"isn't|aren't|wasn't|weren't")
_NEG_BE = {"isn't", "aren't", "wasn't", "weren't"}
_EXPECT_VERBS = {"expect", "expects", "expected", "anticipate", "anticipates", "anticipated", "predict", "predicts",
                 "predicted", "forecast", "forecasts", "project", "projects", "projected"}
_TO_INFINITIVE = re.compile(r"\bto\s+(?P<verb>[a-z][a-z'-]*)")
_POSSIBILITY_OF = re.compile(r"^(?:the\s+)?(?:possibility|prospect|chance|likelihood|risk)\s+(?:that|of)\s+", re.I)
_PAST_BE = {"was", "were", "wasn't", "weren't", "seemed", "appeared", "looked", "remained", "been"}


@dataclass
class _Patterns:
    lexicon: Lexicon
    hedge_any: re.Pattern
    modal: re.Pattern
    be_to: re.Pattern
    sched: re.Pattern
    pred: re.Pattern
    it_that: re.Pattern
    there_is: re.Pattern
    chance_is: re.Pattern
    frame: re.Pattern
    paren_frame: re.Pattern
    most_likely: re.Pattern
    most_likely_pred: re.Pattern
    adv_only: re.Pattern
    strip_hedges: re.Pattern
    by_text: dict


@lru_cache(maxsize=4)
def _patterns(lex: Lexicon) -> _Patterns:
    by_text: dict[tuple[str, str], Phrase] = {(p.pos, p.text): p for p in lex.phrases}
    advs = [p.text for p in lex.phrases if p.pos == "adv"]
    adjs = [p.text for p in lex.phrases if p.pos == "adj"]
    pred_adjs = [p.text for p in lex.phrases if p.pos == "adj" and p.kind in ("likelihood", "unassessed")]
    nouns = [p.text for p in lex.phrases if p.pos == "noun"]
    chance_adjs = [p.text for p in lex.phrases if p.pos == "chance"] + pred_adjs
    frames = [p.text for p in lex.phrases if p.pos == "frame"]
    adv_alt = _alt(advs + sorted(FILLER_ADVERBS) + ["not", "never"])
    # words that make a verbless or backward-looking clause an estimate
    hedged = [p.text for p in lex.phrases
              if (p.pos in ("adv", "adj", "noun") and p.kind == "likelihood" and p.text not in ("certain", "sure"))
              or (p.pos == "adv" and p.kind == "unassessed")]
    hedge_any = re.compile(rf"\b(?:{_alt(hedged)})\b")
    modal = re.compile(
        rf"(?P<pre>(?:\b(?:{adv_alt})\s+){{0,3}})\b(?P<modal>{_MODALS})(?![\w'])(?P<neg>\s+not\b|\s+never\b)?"
        rf"(?P<post>(?:,?\s+(?:{adv_alt})\b,?)*)\s+(?P<verb>[a-z][a-z'-]*)"
    )
    be_to = re.compile(
        rf"(?P<pre>(?:\b(?:{adv_alt})\s+){{0,2}})\b(?P<be>{_BE})\s+(?P<neg>not\s+|never\s+)?(?P<mid>(?:(?:{adv_alt})\s+){{0,2}})"
        rf"(?P<adj>{_alt(adjs)})\s+to\s+(?P<verb>[a-z][a-z'-]*)"
    )
    sched = re.compile(
        rf"\b(?P<be>{_BE})\s+(?P<neg>not\s+)?(?:(?:{adv_alt})\s+){{0,2}}(?P<adj>(?:tentatively\s+)?(?:scheduled|set|slated|"
        rf"planned|due|expected|anticipated|pencil+ed\s+in))\s+(?P<prep>for|on|in|at)\b"
    )
    pred = re.compile(
        rf"\b(?P<be>{_BE})\s+(?P<neg>not\s+)?(?P<mid>(?:(?:{adv_alt})\s+){{0,2}})(?P<adj>{_alt(pred_adjs + ['expected', 'anticipated'])})"
        rf"\b(?!\s+(?:to|that|for)\b)(?!-)"
    )
    it_that = re.compile(
        rf"^it\s+(?P<be>{_BE})\s+(?P<neg>not\s+)?(?P<mid>(?:(?:{adv_alt})\s+){{0,2}})(?P<adj>{_alt(adjs)})\s+(?:that\s+)?"
    )
    there_is = re.compile(
        rf"^there\s+(?:is|remains|exists|'s|was|will\s+be)\s+(?:(?:only|still|now|also)\s+)?(?:(?:a|an)\s+)?"
        rf"(?:(?P<pct>\d{{1,3}}(?:\.\d+)?)\s*(?:%|percent|per\s+cent)\s+(?:chance|probability|likelihood|risk)|"
        rf"(?P<noun>{_alt(nouns)}))\s+(?:that|of)\s+"
    )
    chance_is = re.compile(
        rf"^(?:the\s+)?(?P<what>chances?|likelihood|probability|odds|prospects?|risk|possibility)\s+(?:that|of|for)\s+(?P<inner>.+?)\s+"
        rf"(?:is|are|remains?|appears?|seems?|looks?)\s+(?P<neg>not\s+)?(?:(?:considered|assessed|judged|deemed|estimated|seen|rated)\s+(?:as\s+|to\s+be\s+)?)?"
        rf"(?P<adj>{_alt(chance_adjs)})\b(?P<tail>.*)$"
    )
    frame = re.compile(
        rf"^(?P<frame>{_alt(frames)})\b\s*,?\s*(?:(?:that|whether)\s+)?"
    )
    paren_frame = re.compile(r",\s*(?P<frame>we\s+(?:believe|assess|judge|think|expect|estimate)|in\s+our\s+(?:view|judgment|assessment)),\s*")
    most_likely = re.compile(
        r"^(?:.{0,120}?(?:,\s*but|;)\s+)?the\s+most\s+likely(?:\s+(?P<noun>(?!is\b|will\b)[a-z-]+(?:\s+of\s+action)?))?\s+(?:is|will\s+be|remains|would\s+be)\s+(?:that\s+|for\s+)?(?P<inner>.+)$"
    )
    most_likely_pred = re.compile(
        r"^(?P<subj>.+?)\s+(?:is|are|remains?|will\s+be)\s+the\s+most\s+likely\s+(?P<noun>[a-z-]+)(?P<tail>.*)$"
    )
    adv_only = re.compile(rf"\b(?:{_alt(advs)})\b")
    strip_hedges = re.compile(rf"\s*,?\s*\b(?:{_alt(advs + ['also'])})\b\s*,?", re.I)
    result = _Patterns(lex, hedge_any, modal, be_to, sched, pred, it_that, there_is, chance_is, frame, paren_frame,
                       most_likely, most_likely_pred, adv_only, strip_hedges, by_text)
    # "Western intelligence suggests a high probability of destabilisation", "which implies that there is a
    # risk of importation": a chance noun after a reporting verb, mid-sentence
    result.lex_nouns_strong = set(nouns)
    result.nominal_mid = re.compile(
        rf"\b(?:there\s+(?:is|remains|exists)|suggests?|suggesting|suggested|implies|implying|implied|indicates?|"
        rf"indicating|sees?|saw|shows?|showed|points?\s+to|warns?\s+of|warned\s+of|underlines?|underlined|"
        rf"highlights?|highlighted|flags?|flagged)\s+(?:that\s+there\s+is\s+)?(?:(?:a|an|the)\s+)?\s*(?P<noun>{_alt(nouns)})\s*"
        rf"\s+(?:of|that|for)\s+")
    return result


# ----------------------------------------------------------------------------
# Boilerplate

_BOILER = re.compile(
    r"^(?:\(u\)|\(u//fouo\)|unclassified|secret|top secret|confidential|for official use only|fouo|noforn|"
    r"key judgments?|scope note|summary|bottom line|background|sources?:|note:|notes:|image:|photo:|read more|"
    r"related:|subscribe|click here|copyright|all rights reserved|share this|follow us|advertisement)\b"
    r"|^this\s+(?:product|assessment|report|paper|memo|memorandum|analysis|estimate|brief|document)\s+(?:was|is|has\s+been|were)\s+"
    r"(?:prepared|coordinated|produced|drafted|written|issued|published|reviewed|based)"
    r"|^(?:prepared|produced|coordinated|drafted|issued)\s+by\b"
    r"|^(?:comments|questions|queries)\s+(?:and\s+\w+\s+)?(?:may|can|should)\s+be\s+(?:directed|addressed|sent)"
    r"|^we\s+use\s+(?:phrases|terms|words)\s+such\s+as"
    r"|^(?:©|\(c\))",
    re.I,
)


_HEADLINE_FORECAST = re.compile(
    r"\b\d{1,3}(?:\.\d+)?\s*(?:%|percent|per\s+cent)\)?\s+(?:chance|likelihood|probability|odds)\s+(?:that|of|for)\b"
    r"|^(?:(?:very|highly|extremely)\s+)?(?:likely|unlikely|probable|improbable)\s+that\b", re.I)


def is_boilerplate(text: str, heading: bool) -> bool:
    if heading:
        # a key message written as a headline ("80% likelihood of a record year before 2028",
        # "Likely that one of the next five years will be the warmest") is read; other headings are not
        return not _HEADLINE_FORECAST.search(text.strip())
    t = text.strip()
    if t.endswith("?"):
        return True
    if _BOILER.search(t):
        return True
    letters = [c for c in t if c.isalpha()]
    if letters and len(letters) >= 4 and all(c.isupper() for c in letters) and len(t.split()) <= 12:
        return True  # CLASSIFICATION BANNER or SECTION TITLE
    return False


# ----------------------------------------------------------------------------
# Attribution


_ACCORDING_LEAD = re.compile(r"^(?P<intro>(?:[^,]{0,40},\s*)?)according\s+to\s+(?P<who>[^,;]+?)\s*,\s*", re.I)
_ACCORDING_ANY = re.compile(r"\s*,?\s*\baccording\s+to\s+(?P<who>[^,;.]+?)\s*(?=[,;.!?]|$)", re.I)
_PASSIVE_REPORT = re.compile(
    r"^(?:it\s+(?:is|was|has\s+been|had\s+been)\s+(?:widely\s+)?(?:reported|said|claimed|alleged|rumou?red|understood|revealed|"
    r"suggested|believed|speculated)\s+(?:that\s+)?)", re.I)
_REPORT_ADVERB = re.compile(r"\b(?:reportedly|allegedly|purportedly|ostensibly|supposedly)\b\s*,?\s*", re.I)
_SAID_TO = re.compile(r"\b(?:is|are|was|were)\s+(?:said|reported|rumou?red|believed|thought|understood|alleged)\s+to\b", re.I)
_TRAILING = re.compile(
    r"(?P<sep>,\s*|\"\s*,?\s*|\s+-\s+|\s+—\s*)(?P<who>(?:he|she|they|it|[a-z][\w.'-]*(?:\s+[\w.'-]+){0,7}?))\s+"
    r"(?P<verb>said|says|claim|claims|claimed|added|adds|noted|notes|reported|reports|report|told\s+[\w.'-]+(?:\s+[\w.'-]+)?|"
    r"warned|argued|argues|stated|insisted|wrote|explained|suggested|suggest|suggests|believe|believes|"
    r"predicted|predict|predicts|announced|confirmed|stressed)"
    r"(?P<tail>(?:\s+(?:on|in|last|this|earlier|later|at|during)\b[^,.;]{0,30})?)\s*(?P<end>[.!?]?\s*$|,)",
)
_MID_SAID = re.compile(
    r",\s*(?P<who>(?:he|she|they|[a-z][\w.'-]*(?:\s+[\w.'-]+){0,5}?))\s+(?P<verb>said|says|added|noted|claimed|argued|"
    r"believe|believes|told\s+[\w.'-]+)\s*,\s*"
)
_WHO_OK_WORDS = SOURCE_NOUNS | {"he", "she", "they", "some", "many", "several", "other", "senior", "unnamed",
                                "anonymous", "western", "two", "three", "most", "the", "a", "an", "of", "and",
                                "cited", "by", "close", "to", "familiar", "with", "matter", "in", "at", "from",
                                "one", "both", "local", "foreign", "russian", "state", "news", "then", "on", "it"}
_NOT_WHO = {"we", "i", "our", "us", "this", "these", "that", "there", "which", "who"}
_AUX = {"have", "has", "had", "also", "reportedly", "previously", "repeatedly", "publicly", "privately", "recently",
        "now", "again", "further", "openly", "long", "already", "widely", "often", "frequently", "consistently",
        "firmly", "strongly", "generally", "do", "does", "did", "continue", "continues", "to", "would", "will",
        "currently", "still", "today", "yesterday", "also", "now"}
_REPORT_LEAD_VERBS = REPORT_VERBS | {"pointed", "point", "points", "anticipate", "anticipates", "anticipated",
                                     "foresee", "foresees", "projected", "forecasts"}


def _who_like(words: list[str], original: list[str]) -> bool:
    """Do these words name a source ("CNN sources", "US intelligence agencies", "he")?"""
    if not words:
        return False
    if words[0] in _NOT_WHO and not (words[0] == "us" and original[0] in ("US", "U.S.")):
        return False
    if len(words) > 12:
        return False
    has_head = False
    for w, o in zip(words, original):
        bare = w.strip(",()[]")
        o = o.strip("()[]") or o
        if bare in SOURCE_NOUNS or bare in ("he", "she", "they", "it"):
            has_head = True
        elif o[:1].isupper() or bare in TITLE_WORDS:
            has_head = True
        elif bare in _WHO_OK_WORDS or bare.endswith("'s") or "-" in bare:
            continue
        else:
            return False
    return has_head


_FINITE = re.compile(r"\b(?:will|would|may|might|could|can|should|must|shall|is|are|was|were|has|have|had)\b")


def _leading_source(core: str, low: str) -> Optional[tuple[str, int, str]]:
    """``US intelligence agencies believe that ...`` -> (who, index where the claim starts, verb)."""
    # skip introductory phrases ("In March 2017, ", "However, ") and discourse words ("Nevertheless he said")
    pos = 0
    for _ in range(3):
        m = re.match(r"\s*([A-Za-z][\w'-]*)([^,]{0,60}?),\s*", low[pos:])
        if not m or m.group(1) not in INTRO_WORDS or _FINITE.search(m.group(2)):
            break  # "This week, ..." is an introduction; "This will probably include X, ..." is the claim
        pos += m.end()
    m = _LEAD_CONJ.match(low[pos:])
    if m:
        pos += m.end()
    tokens = list(re.finditer(r"[\w.'’-]+,?", core[pos:]))
    for i, tok in enumerate(tokens[:16]):
        word = low[pos + tok.start() : pos + tok.end()].rstrip(",")
        capitalised = core[pos + tok.start()].isupper()
        if word in _REPORT_LEAD_VERBS and i > 0 and not capitalised:
            # who = tokens before, minus auxiliaries at the end
            j = i
            while j > 0 and low[pos + tokens[j - 1].start() : pos + tokens[j - 1].end()].rstrip(",") in _AUX:
                j -= 1
            if j == 0:
                return None
            who_low = [low[pos + t.start() : pos + t.end()] for t in tokens[:j]]
            who_orig = [core[pos + t.start() : pos + t.end()] for t in tokens[:j]]
            if not _who_like(who_low, who_orig):
                return None
            who = core[pos + tokens[0].start() : pos + tokens[j - 1].end()].strip(" ,")
            end = pos + tok.end()
            rest = low[end:]
            m = re.match(r"\s*(?:out|up)?\s*(?:to\s+[\w.'-]+(?:\s+[\w.'-]+)?\s+)?" + _REPORT_TIME + r"[,:]?\s*(?:that\s*,?\s*)?", rest)
            # "told Reuters that", "said:", "pointed out", "said on Monday that"
            end += m.end() if m else 0
            if word in ("pointed", "point", "points") and not rest.lstrip().startswith("out"):
                return None
            return who, end, word
        if word in ("will", "would", "may", "might", "could", "is", "are", "was", "were", "can", "should"):
            return None
    return None


_REPORT_TIME = (r"(?:,?\s*(?:(?:on|last|this|earlier|late)\s+(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
                r"week|month|morning|evening|night)|yesterday|today)\s*,?\s*)?")
_DATELINE_LABEL = re.compile(r"^(?:[A-Z][A-Z .'-]{2,40}|\(?[A-Z]{2,10}\)?)\s*[:—–-]\s+(?=[A-Z\"“])")
_LIST_LABEL = re.compile(r"^(?:\(?[A-Za-z0-9]{1,2}[.)]|[IVX]{1,4}\.|[-•*])\s+(?=[A-Z\"“])")
_SPEAKER_LABEL = re.compile(r"^(?P<who>(?:(?:Mr|Ms|Mrs|Dr|Gen|Adm|Prof)\.?\s+)?[A-Z][a-z][\w'’.-]*(?:\s+(?:[A-Z][\w'’.-]*|de|van|von|al-?)){0,3})"
                            r"\s*:\s+(?=[A-Z\"“])")
_NOT_SPEAKERS = {"Note", "Notes", "Source", "Sources", "Summary", "Background", "Update", "Key Judgments", "Scope Note",
                 "Bottom Line", "Image", "Photo", "Quote", "Details", "Previously", "Overview", "Example", "Q", "A"}


def strip_label(text: str) -> tuple[str, Optional[str]]:
    """Remove a leading dateline ("WASHINGTON: "), list label ("A. ", "2) ", "- ") or speaker
    label ("Ted Carpenter: "); return (text, speaker or None)."""
    for _ in range(2):
        m = _DATELINE_LABEL.match(text) or _LIST_LABEL.match(text)
        if not m:
            break
        text = text[m.end():]
    m = _SPEAKER_LABEL.match(text)
    if m and m.group("who") not in _NOT_SPEAKERS and len(m.group("who").split()) >= 2:
        return text[m.end():], m.group("who")
    return text, None


def find_attribution(text: str) -> tuple[Optional[str], str, Optional[str]]:
    """Who a sentence reports, the reported words, and the reporting verb when it leads
    ("Officials expect ..." -> expect)."""
    who: Optional[str] = None
    verb: Optional[str] = None
    text, label = strip_label(text)
    if label:
        who, verb = label, None
    low = _norm(text)
    core, core_low = text, low
    if who is not None:
        return _squash(who), core.strip(), verb

    m = _ACCORDING_LEAD.match(core_low)
    if m:
        who = core[m.start("who") : m.end("who")]
        core, core_low = core[m.end() :], core_low[m.end() :]
    else:
        m = _ACCORDING_ANY.search(core_low)
        if m:
            who = core[m.start("who") : m.end("who")]
            core, core_low = core[: m.start()] + core[m.end() :], core_low[: m.start()] + core_low[m.end() :]
    if who is None:
        m = _PASSIVE_REPORT.match(core_low)
        if m:
            who = "unnamed sources"
            core, core_low = core[m.end() :], core_low[m.end() :]
    if who is None:
        lead = _leading_source(core, core_low)
        if lead:
            who, start, verb = lead
            core, core_low = core[start:], core_low[start:]
    if who is None:
        for m in _TRAILING.finditer(core_low):
            wl = core_low[m.start("who") : m.end("who")].split()
            wo = core[m.start("who") : m.end("who")].split()
            if _who_like(wl, wo) and m.start() > 10:
                who = core[m.start("who") : m.end("who")]
                cut = m.start() + (1 if core_low[m.start()] == '"' else 0)
                if core[m.start() : m.start() + 1] in "\"”":
                    cut = m.start() + 1
                tail = core[m.end() :] if m.group("end") == "," else ""
                tail = re.sub(r"^\s*(?:adding|noting)\b.*$", "", tail)
                core = core[:cut].rstrip(" ,") + (", " + tail if tail.strip() else "")
                core_low = _norm(core)
                break
    if who is None:
        m = _MID_SAID.search(core_low)
        if m:
            wl = core_low[m.start("who") : m.end("who")].split()
            wo = core[m.start("who") : m.end("who")].split()
            if _who_like(wl, wo):
                who = core[m.start("who") : m.end("who")]
                core = core[: m.start()] + " " + core[m.end() :]
                core_low = _norm(core)
    if who is None and (_REPORT_ADVERB.search(core_low) or _SAID_TO.search(core_low)):
        who = "unnamed sources"
    if who is not None:
        m = _REPORT_ADVERB.search(core_low)
        while m:
            core = core[: m.start()] + core[m.end() :]
            core_low = _norm(core)
            m = _REPORT_ADVERB.search(core_low)
        core = re.sub(r",\s*”", "”", core)
        core = re.sub(r',\s*"', '"', core)
    if who:
        who = _WHO_TIME_TAIL.sub("", _squash(who)) or who
    return (_squash(who) if who else None), core.strip(), verb


_WHO_TIME_TAIL = re.compile(r"\s+(?:on|last|this|earlier|late)\s+(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|"
                            r"week|month|year|night|morning|evening)$")
PRONOUN_SOURCES = {"he", "she", "they", "it", "him", "her", "them"}
_NAMED_SPEAKER = re.compile(
    r"(?P<who>(?:(?:Mr|Ms|Mrs|Dr|Gen|Sir|Dame|Prof)\.?\s+)?[A-Z][a-z][\w'’-]*(?:\s+[A-Z][\w'’-]*){0,3})\s*,?\s+"
    r"(?:\([^)]{1,60}\)\s+)?(?:said|says|told|wrote|writes|noted|notes|added|adds|warned|warns|argued|argues|"
    r"predicted|predicts|believes|thinks|expects|stated|explained)\b"
    r"|(?:said|says|according\s+to|told)\s+(?P<who2>(?:(?:Mr|Ms|Mrs|Dr|Gen|Sir)\.?\s+)?[A-Z][a-z][\w'’-]*(?:\s+[A-Z][\w'’-]*){0,3})")


def named_speaker(text: str) -> Optional[str]:
    """The last named speaker of a sentence ("..., Johnson said" -> Johnson), if any."""
    found = None
    for m in _NAMED_SPEAKER.finditer(text):
        who = m.group("who") or m.group("who2")
        if who and who.split()[0] not in ("The", "This", "That", "It", "He", "She", "They", "We", "I", "But", "And"):
            found = who
    return found


# ----------------------------------------------------------------------------
# Confidence

_CONF_WITH = re.compile(r"\s*,?\s*\bwith\s+(?P<level>low|moderate|medium|high)\s+confidence\b\s*,?", re.I)
_CONF_HAVE = re.compile(
    r"^(?P<frame>we\s+(?:have|hold|place)|(?:the\s+)?(?:ic|intelligence\s+community)\s+has)\s+(?P<level>low|moderate|medium|high)\s+confidence\s+(?:(?:that|in)\s+)?",
    re.I,
)
_CONF_ANY = re.compile(r"\b(?P<level>low|moderate|medium|high)[\s-]+confidence\b|\bconfidence\s+(?:is|was|remains)\s+(?P<level2>low|moderate|medium|high)\b", re.I)
_CONF_ONLY = re.compile(
    r"^(?:we\s+have|we\s+hold|we\s+place|our\s+confidence|confidence)\b.*\b(?:this|these|that|our|the)\s+(?:judgments?|assessments?|estimates?|conclusions?|analysis)\b"
    r"|^(?:this|these|that|our)\s+(?:judgments?|assessments?|estimates?)\s+(?:is|are)\s+(?:held\s+|made\s+)?(?:with\s+)?(?:low|moderate|medium|high)",
    re.I,
)


def _level(word: str) -> str:
    word = word.lower()
    return "moderate" if word == "medium" else word


def find_confidence(core: str) -> tuple[Optional[str], str, bool, bool]:
    """(confidence, text without it, confidence-only statement, 'we have X confidence that' frame)."""
    low = _norm(core)
    if _CONF_ONLY.search(low):
        m = _CONF_ANY.search(low)
        if m:
            return _level(m.group("level") or m.group("level2")), core, True, False
    m = _CONF_HAVE.match(low)
    if m:
        return _level(m.group("level")), core[m.end() :], False, True
    m = _CONF_WITH.search(low)
    if m:
        return _level(m.group("level")), (core[: m.start()] + " " + core[m.end() :]).strip(), False, False
    m = _CONF_ANY.search(low)
    if m:
        return _level(m.group("level") or m.group("level2")), core, False, False
    return None, core, False, False


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


_LEAD_CONJ = re.compile(
    r"^(?:(?:and|but|so|yet|or|then|however|meanwhile|moreover|furthermore|nevertheless|nonetheless|still|also|separately|"
    r"overall|finally|indeed|thus|therefore|in\s+addition|additionally|at\s+the\s+same\s+time|in\s+turn|"
    r"for\s+(?:its|their|his|her)\s+part|as\s+a\s+result|consequently)\b\s*,?\s*)+",
    re.I,
)
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
    low = _norm(subject)
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


def analyze_clause(pats: _Patterns, clause: str, doc: date, *, frame: Optional[Hedge] = None,
                   override: Optional[Hedge] = None, depth: int = 0) -> ClauseResult:
    """Classify one clause and find its claim (see the module docstring)."""
    orig = clause.strip().lstrip("\"“”‘’' ").strip()
    low = _norm(orig).replace('"', " ")  # a quotation mark inside a verb group: is "expected to fall"
    res = ClauseResult(text=orig, cls=FACT)
    res.time_exprs = find_time_expressions(orig, doc)
    extra_negs = 0

    # leading discourse words and conditions
    m = _LEAD_CONJ.match(low)
    if m and m.end() < len(low):
        orig, low = orig[m.end() :], low[m.end() :]
    end = _condition_end(low, expecting=frame is not None and frame.phrase.kind == "expectation")
    if end:
        res.condition = orig[:end].strip(" ,")
        orig, low = orig[end:], low[end:]
    m = _MID_CONDITION.search(low)
    if m and not res.condition:
        # "CPI inflation is, conditioned on the market path for Bank Rate, likely to ...", "Russia will, if
        # pressed, escalate": a condition between commas inside the clause
        res.condition = orig[m.start("cond") : m.end("cond")].strip(" ,")
        orig, low = orig[: m.start()] + " " + orig[m.end() :], low[: m.start()] + " " + low[m.end() :]
    m = _CONDITION_TAIL.search(low)
    if m and not res.condition:
        res.condition = orig[m.start("cond") :].strip(" ,.")
        orig, low = orig[: m.start()], low[: m.start()]

    # a stated number in brackets after the claim: "El Nino will form (70-75% chance)"
    m = _STATED_PAREN.search(low)
    if m and override is None:
        p = _stated_number(m)
        if p is not None:
            written = _squash(orig[m.start() : m.end()].strip(" ()"))
            override = Hedge(Phrase(text=written, pos="noun", kind="stated"), written, False, percent=p, nominal=True)
            orig, low = orig[: m.start()] + orig[m.end() :], low[: m.start()] + low[m.end() :]

    # own-voice frames
    m = pats.frame.match(low)
    if m:
        phrase = pats.by_text.get(("frame", _squash(m.group("frame"))))
        if phrase is not None:
            frame = Hedge(phrase, _squash(orig[m.start("frame") : m.end("frame")]), phrase.negated)
            orig, low = orig[m.end() :], low[m.end() :]
    m = pats.paren_frame.search(low)
    if m:
        phrase = pats.by_text.get(("frame", _squash(m.group("frame"))))
        if phrase is not None:
            frame = Hedge(phrase, _squash(orig[m.start("frame") : m.end("frame")]), phrase.negated)
            orig, low = orig[: m.start()] + " " + orig[m.end() :], low[: m.start()] + " " + low[m.end() :]
    if frame is None:
        m = _SUBJECT_EXPECTS.match(low)
        if m and _TO_INFINITIVE.search(low, m.end()):
            # "it expects more cases to be reported", "the bank anticipates inflation to fall"
            phrase = pats.by_text.get(("adj", "expected"))
            frame = Hedge(phrase, _squash(orig[m.start("verb") : m.end("verb")]))
            orig, low = orig[m.end() :], low[m.end() :]
    res.frame = frame
    if frame is not None:
        m = _POSSIBILITY_OF.match(low)
        if m:
            orig, low = orig[m.end() :], low[m.end() :]

    # "it is likely that S", "there is a roughly even chance that S", "the chance that S is remote"
    if override is None and depth < 2:
        inner = _frame_constructions(pats, orig, low)
        if inner is not None:
            hedge, inner_text, negs = inner
            sub = analyze_clause(pats, inner_text, doc, frame=frame, override=hedge, depth=depth + 1)
            sub.negations += negs
            sub.text = clause.strip()
            sub.time_exprs = find_time_expressions(clause.strip(), doc)
            if sub.cls in (FACT, ESTIMATE) and not sub.event and hedge.phrase.kind == "likelihood" \
                    and _PSEUDO_CLEFT.match(low) and inner_text.strip(" ."):
                # "what is more likely is that one side collapses": the that-clause is the event
                sub.event = _squash(inner_text.strip(" .;"))
                sub.subject = sub.event
                sub.governing = hedge
                sub.hedges = [hedge]
                sub.cls = FORECAST
                return sub
            if sub.cls in (FACT,) and hedge.phrase.kind != "unassessed":
                # "a ceasefire is unlikely" style noun phrase: no verb inside
                sub.cls = FORECAST if _future_time(sub.time_exprs) or sub.event else ESTIMATE
            return sub
        sc = _most_likely(pats, orig, low, doc)
        if sc is not None:
            sc.frame = frame
            sc.text = clause.strip()
            sc.time_exprs = res.time_exprs
            return sc

    anchor = _find_anchor(pats, low, orig)
    expecting = frame is not None and (frame.phrase.kind == "expectation"
                                       or re.search(r"\b(?:expect|anticipate|foresee|predict|project|forecast)s?$",
                                                    frame.text.lower()) is not None)
    if expecting:
        # "we (do not) expect Moscow to withdraw": the infinitive carries the claim
        m = _TO_INFINITIVE.search(low)
        if m and (anchor is None or m.start() < anchor.start) and re.search(r"[a-z]", low[: m.start()]) \
                and m.group("verb") not in DETERMINERS and not re.search(r"\b[a-z]{3,}ing\b", low[: m.start()]):
            anchor = _Anchor("to", m.start(), m.end(), m)
    hedges: list[Hedge] = []
    if override is not None:
        hedges.append(override)
    if frame is not None:
        hedges.append(frame)

    if anchor is None and frame is not None and (frame.phrase.kind == "rule_out" or expecting) and low.strip(" ."):
        # "we cannot rule out a limited incursion ...", "we expect a ceasefire by March"
        res.hedges = hedges
        res.governing = _choose(hedges)
        res.event = _squash(orig.strip(" .;"))
        res.subject = res.event
        res.cls = FORECAST
        return res

    if anchor is None and frame is not None and _DEMONSTRATIVE.match(orig.strip(" .;")):
        # "We doubt this.", "We believe so." style: the own voice on the claim before
        res.hedges = hedges
        res.governing = frame
        res.cls = ESTIMATE
        res.endorsement = True
        return res

    if anchor is None:
        # no verb group: an estimate if hedged or framed, else a fact
        for hm in pats.hedge_any.finditer(low):
            key = _squash(hm.group(0))
            phrase = pats.by_text.get(("adv", key)) or pats.by_text.get(("adj", key)) or pats.by_text.get(("noun", key))
            if phrase is not None:
                hedges.append(Hedge(phrase, _squash(orig[hm.start() : hm.end()])))
        res.hedges = hedges
        res.governing = _choose(hedges)
        if override is not None and override.nominal:
            # "there is a good chance of a ceasefire before 2019", "the chance of a breakthrough is slim"
            res.event = _squash(orig.strip(" .;"))
            res.subject = res.event
            res.governing = override
            res.cls = FORECAST
            return res
        res.cls = ESTIMATE if (frame is not None or res.governing is not None or override is not None) else FACT
        return res

    subject_raw = orig[: anchor.start]
    subject, cond = clean_subject(subject_raw)
    if cond and not res.condition:
        res.condition = cond
    res.subject = subject
    mt = anchor.match
    future = False
    judgment = False  # a would/should/must/can statement: an estimate, never a fact
    verb = ""
    rest_start = anchor.end
    group_text = ""

    if anchor.kind == "modal":
        modal = mt.group("modal")
        group_low = low[mt.start() : mt.start("verb")]
        group_orig = orig[mt.start() : mt.start("verb")]
        adv_hedges, negs = _verb_group_hedges(pats, group_low, group_orig)
        mh, mnegs, base = _modal_hedge(pats, modal, orig[mt.start("modal") : mt.end("modal")])
        extra_negs += negs + mnegs
        hedges.extend(adv_hedges)
        verb = orig[mt.start("verb") : mt.end("verb")]
        vlow = verb.lower()
        nxt = low[mt.end("verb") :].split()
        nxt_word = nxt[0] if nxt else ""
        hedged = override is not None and override.phrase.kind in ("likelihood", "stated")
        if base in ("will", "shall") and _NORMATIVE_WILL.match(low[mt.start("verb"):]) and not hedged:
            # ("it is likely that rates will need to rise" is a forecast that rates rise)
            future = False
            judgment = True
            res.notes.append("a 'will' of obligation or importance ('will need to', 'will be crucial'): normative, not a forecast")
        elif base in ("will", "shall"):
            future = True
        elif base in ("may", "might", "could"):
            if vlow == "have" and nxt_word and _is_participle(nxt_word):
                future = False
                res.notes.append("possibility about the past")
            elif vlow == "be" and nxt_word and not (_is_participle(nxt_word) or nxt_word.endswith("ing")):
                # "may be imminent", "could be high if the virus spreads", "(we expect that) firming
                # may be appropriate": forward-looking; "may be the reason": a guess about the present
                future = (_future_time(res.time_exprs) or nxt_word.strip(",.") in _FUTURE_ADJ
                          or bool(res.condition) or (frame is not None and frame.phrase.kind == "expectation"))
            else:
                future = True
        elif base == "would" and res.condition and not _COUNTERFACTUAL.search(
                _RELATIVE_TAIL.sub("", _norm(res.condition))):
            future = True  # "The Committee would adjust policy if risks emerge": a conditional forecast
        else:  # would, should, must, can
            future = False
            judgment = True
            res.notes.append(f"'{base}' is conditional, normative or about ability, not a forecast")
        if mh is not None:
            hedges.append(mh)
        group_text = _trim_fillers(orig[mt.start() : mt.start("verb")])
        for h in adv_hedges + ([mh] if mh is not None else []):
            h.group = group_text
        if vlow == "have" and base in ("will", "shall") and nxt_word and _is_participle(nxt_word):
            future = True
    elif anchor.kind == "be_to":
        be = mt.group("be")
        adj = _squash(mt.group("adj"))
        phrase = pats.by_text.get(("adj", adj))
        mid_low = low[mt.start("mid") : mt.end("mid")] if mt.group("mid") else ""
        mid_orig = orig[mt.start("mid") : mt.end("mid")] if mt.group("mid") else ""
        adv_hedges, negs = _verb_group_hedges(pats, mid_low, mid_orig)
        if mt.group("pre"):
            pre_hedges, pre_negs = _verb_group_hedges(pats, low[mt.start("pre") : mt.end("pre")],
                                                      orig[mt.start("pre") : mt.end("pre")])
            adv_hedges = pre_hedges + adv_hedges
            negs += pre_negs
        hedges.extend(adv_hedges)
        extra_negs += negs + (1 if mt.group("neg") else 0) + (1 if be in _NEG_BE else 0)
        if phrase is not None:
            hedges.append(Hedge(phrase, _squash(orig[mt.start("be") : mt.start("verb")]).rstrip(), phrase.negated))
            if adv_hedges:
                group = _trim_fillers(orig[mt.start() : mt.start("verb")])
                for h in adv_hedges + [hedges[-1]]:
                    h.group = group
        verb = orig[mt.start("verb") : mt.end("verb")]
        future = be not in _PAST_BE or _future_time(res.time_exprs)
        if be in _PAST_BE and not future:
            res.notes.append("an expectation reported in the past tense")
    elif anchor.kind == "to":
        verb = orig[mt.start("verb") : mt.end("verb")]
        future = True
    elif anchor.kind == "sched":
        adj = _squash(mt.group("adj")).replace("tentatively ", "")
        phrase = pats.by_text.get(("adj", adj)) or pats.by_text.get(("adj", "scheduled"))
        extra_negs += (1 if mt.group("neg") else 0) + (1 if mt.group("be") in _NEG_BE else 0)
        hedges.append(Hedge(phrase, _squash(orig[mt.start("be") : mt.end("prep")])))
        verb = "take place"
        rest_start = mt.end("adj")
        future = mt.group("be") not in _PAST_BE and (
            _future_time(res.time_exprs) or adj in ("expected", "anticipated"))  # "outbreaks are expected in the north"
    elif anchor.kind == "pred":
        adj = _squash(mt.group("adj"))
        phrase = pats.by_text.get(("adj", adj))
        mid_low = low[mt.start("mid") : mt.end("mid")] if mt.group("mid") else ""
        mid_orig = orig[mt.start("mid") : mt.end("mid")] if mt.group("mid") else ""
        adv_hedges, negs = _verb_group_hedges(pats, mid_low, mid_orig)
        hedges.extend(adv_hedges)
        extra_negs += negs + (1 if mt.group("neg") else 0) + (1 if mt.group("be") in _NEG_BE else 0)
        if phrase is not None:
            hedges.append(Hedge(phrase, _squash(orig[mt.start("adj") : mt.end("adj")]), phrase.negated,
                                group=_trim_fillers(orig[mt.start("be") : mt.end("adj")])))
        verb = ""
        be = mt.group("be")
        following = low[mt.end() :].split()
        if phrase is not None and phrase.kind == "expectation":
            # "further cases are expected (among travellers)": the present tense expects them
            future = be not in _PAST_BE and (_future_time(res.time_exprs) or not _DEMONSTRATIVE.match(subject.strip())
                                             and not low[mt.end():].lstrip().startswith(("by ", "from ")))
        elif following and following[0].endswith("ing") and not _future_time(res.time_exprs):
            future = False  # "is likely preparing": an estimate of the present
            res.notes.append("about the present")
        elif following and following[0] not in _PRED_FUTURE_OK and not _future_time(res.time_exprs) \
                and phrase is not None and phrase.pos == "adj" and mt.group("adj") in ("likely", "probably", "possibly"):
            future = False  # "are likely combat ineffective", "is likely under pressure": the present
            res.notes.append("about the present")
        else:
            future = be not in _PAST_BE

    # trailing likelihood adverbs: "will meet, probably in July"
    tail_low = low[rest_start:]
    if not any(h.phrase.kind in ("likelihood",) for h in hedges):
        tail_orig = orig[rest_start:]
        more, _ = _verb_group_hedges(pats, tail_low, tail_orig)
        hedges.extend(h for h in more if h.phrase.kind == "likelihood")
    res.hedges = hedges
    res.governing = _choose(hedges)
    res.negations = extra_negs
    res.verb = verb

    rest = orig[rest_start:].strip()
    rest = re.sub(r"^(?:not|never)\b\s*", "", rest)
    rest = rest.rstrip(" .;:!")
    res.rest = rest
    res.alternatives = _alternatives(rest)

    plural = is_plural(subject)
    if anchor.kind == "pred" and res.governing is not None and res.governing.phrase.kind == "expectation":
        event = f"{subject} {inflect('occur', plural)} {_strip_hedges(pats, rest)}".strip()  # "cases are expected"
    elif anchor.kind == "pred":
        event = f"{subject} {_strip_hedges(pats, rest)}".strip()
    elif verb:
        words = verb.split()
        event = f"{subject} {inflect(words[0], plural)}{(' ' + ' '.join(words[1:])) if len(words) > 1 else ''} {_strip_hedges(pats, rest)}"
        if anchor.kind == "sched":
            event = re.sub(r"\b(take|takes) place (?:for|at)\s+", r"\1 place ", event)
            event = re.sub(r"\b(take|takes) place (?=\d)", r"\1 place on ", event)
            event = re.sub(r"\b(take|takes) place (?=(?:early |mid-|late )?(?:January|February|March|April|May|June|July|"
                           r"August|September|October|November|December|(?:19|20)\d\d)\b)", r"\1 place in ", event)
    else:
        event = subject
    res.event = _squash(event).strip(" ,")

    if res.condition and not future:
        res.cls = ESTIMATE
        res.notes.append(f"conditional judgment ({_squash(res.condition)})")
    elif future:
        res.cls = FORECAST
    elif judgment or (res.governing is not None and res.governing.phrase.kind != "plain") or frame is not None:
        res.cls = ESTIMATE
    else:
        res.cls = ESTIMATE if any(h.phrase.kind != "plain" for h in hedges) else FACT
    if res.cls == FORECAST and res.time_exprs and all(e.past for e in res.time_exprs) and anchor.kind != "modal":
        res.cls = ESTIMATE
    if anchor.kind == "pred" and _DEMONSTRATIVE.match(subject.strip()) and res.governing is not None:
        # "This is likely.", "We judge that this is unlikely": a number for the claim before, not a new claim
        res.cls = ESTIMATE
        res.endorsement = True
    return res


_SUBJECT_EXPECTS = re.compile(
    r"^(?:it|they|he|she|the\s+[a-z-]+(?:\s+[a-z-]+)?)\s+(?:also\s+|still\s+|now\s+|further\s+)?"
    r"(?P<verb>expects|anticipates|predicts|foresees|projects|forecasts)\s+(?!that\b|to\b)")
_EMBEDDED_WH = re.compile(r"\b(?:how|what|whether|why|where)\b(?:\s+[a-z'-]+){0,6}$")
_RELATIVE_TAIL = re.compile(r"\s+(?:that|which|who)\s.*$")
_COUNTERFACTUAL = re.compile(r"\b(?:were|had|did|was|could|would|[a-z]{3,}ed)\b")
_FUTURE_ADJ = {"imminent", "inevitable", "forthcoming", "unavoidable", "next", "able", "unable"}
_NORMATIVE_WILL = re.compile(r"(?:need|have|has)\s+to\b|require\b|be\s+(?:crucial|critical|essential|important|vital|key|necessary|"
                             r"needed|required|paramount|imperative)\b")
_PRED_FUTURE_OK = {"to", "that", "for", "and", "or", "but", "if", "unless", "as", "given", "because", "since", "so",
                   "in", "by", "before", "after", "within", "during", "until", "over", "this", "next", "soon", "again",
                   "too", "also", "eventually", "now", "either", "despite", "amid", "even", "though", "although",
                   "while", "when", "once", "at", "on", "with", "without"}
_DEMONSTRATIVE = re.compile(r"^(?:this|that|it|such\s+an?\s+[\w-]+|(?:this|that|these|those)\s+[\w-]+(?:\s+[\w-]+)?)$", re.I)


def _future_time(exprs: list[TimeExpr]) -> bool:
    return any(e.is_deadline for e in exprs)


def _frame_constructions(pats: _Patterns, orig: str, low: str) -> Optional[tuple[Hedge, str, int]]:
    """``it is likely that S`` / ``there is a X chance that S`` / ``the chance that S is remote``."""
    m = _PSEUDO_CLEFT.match(low)
    if m:
        adj = _squash(m.group("adj"))
        phrase = pats.by_text.get(("adj", adj)) or pats.by_text.get(("adj", adj.split()[-1]))
        if phrase is not None:
            return Hedge(phrase, _squash(orig[: m.end("adj")]), phrase.negated), orig[m.end():], 0
    stated = _stated_chance(orig, low)
    if stated is not None:
        return stated
    m = _SEE_AS.search(low)
    if m:
        adj = _squash(m.group("adj"))
        phrase = pats.by_text.get(("adj", adj)) or pats.by_text.get(("adj", adj.split()[-1]))
        if phrase is not None:
            written = _squash(orig[m.start("adj") : m.end("adj")])
            inner = orig[m.start("inner") : m.end("inner")] + orig[m.start("tail") : m.end("tail")]
            return Hedge(phrase, written, phrase.negated, nominal=True), inner, 0
    m = getattr(pats, "nominal_mid", None) and (pats.nominal_mid.search(low) or _NOMINAL_START.match(low))
    if m and (m.start() > 0 or m.re is _NOMINAL_START) and m.group("noun") in pats.lex_nouns_strong:
        phrase = pats.by_text.get(("noun", _squash(m.group("noun"))))
        if phrase is not None and not _PRESENT_RISK.search(low[: m.start()]):
            written = _squash(orig[m.start("noun") : m.end("noun")])
            return Hedge(phrase, written, phrase.negated, nominal=True), orig[m.end():], 0
    m = pats.it_that.match(low)
    if not m and _BARE_ADJ_THAT.match(low) and pats.it_that.match("it is " + low):
        orig, low = "it is " + orig, "it is " + low  # "Likely that one of the next five years will be ..."
        m = pats.it_that.match(low)
    if not m:
        # "... indicates that within weeks, it is likely that S"; "the MPC judges it more likely than not that S"
        for k in _IT_AFTER.finditer(low):
            at = k.end()
            m = pats.it_that.match(low[at:])
            if m is None:  # "judges it likely that": read as "it is likely that"
                m = pats.it_that.match("it is " + low[at + 3 :])
                if m is not None:
                    orig, low = "it is " + orig[at + 3 :], "it is " + low[at + 3 :]
                    break
            elif pats.by_text.get(("adj", _squash(m.group("adj")))) is not None:
                orig, low = orig[at:], low[at:]
                break
            m = None
    if m:
        adj = _squash(m.group("adj"))
        phrase = pats.by_text.get(("adj", adj))
        if phrase is not None:
            negs = (1 if m.group("neg") else 0) + (1 if m.group("be") in _NEG_BE else 0)
            written = _squash(orig[: m.end("adj")])
            return Hedge(phrase, written, phrase.negated), orig[m.end() :], negs
    m = pats.there_is.match(low)
    if m:
        if m.group("pct"):
            pct = float(m.group("pct"))
            if 0 <= pct <= 100:
                phrase = Phrase(text=_squash(orig[m.start("pct") : m.end()]).rsplit(" ", 1)[0], pos="noun", kind="stated")
                written = _squash(orig[: m.end()]).rsplit(" ", 1)[0]
                return Hedge(phrase, written, False, percent=pct / 100, nominal=True), orig[m.end() :], 0
        else:
            noun = _squash(m.group("noun"))
            phrase = pats.by_text.get(("noun", noun))
            if phrase is not None:
                written = _squash(orig[: m.end("noun")])
                return Hedge(phrase, written, phrase.negated, nominal=True), orig[m.end() :], 0
    m = pats.chance_is.match(low)
    if not m:
        k = _JUDGE_CHANCE.search(low)  # "experts consider the likelihood that S is very low"
        if k:
            orig, low = orig[k.end():], low[k.end():]
            m = pats.chance_is.match(low)
    if m:
        adj = _squash(m.group("adj"))
        phrase = pats.by_text.get(("chance", adj)) or pats.by_text.get(("adj", adj))
        if phrase is not None:
            inner = orig[m.start("inner") : m.end("inner")]
            tail = orig[m.start("tail") : m.end("tail")]
            written = _squash(f"{orig[: m.start('inner')].strip()} ... {orig[m.end('inner') : m.end('adj')].strip()}")
            return Hedge(phrase, written, phrase.negated, nominal=True), f"{inner}{tail}", 1 if m.group("neg") else 0
    return None


_BARE_ADJ_THAT = re.compile(r"^(?:(?:very|highly|extremely)\s+)?(?:likely|unlikely|probable|improbable)\s+that\s")
_IT_AFTER = re.compile(r"(?:^|,\s*|\bthat\s+|\b(?P<verb>judges?|judged|considers?|considered|thinks?|thought|deems?|deemed|"
                       r"finds?|found|believes?|believed)\s+)(?=it\s)")
_JUDGE_CHANCE = re.compile(r"\b(?:consider|considers|considered|see|sees|judge|judges|assess|assesses|believe|believes|"
                           r"estimate|estimates|think|thinks|put|puts|rate|rates)\s+(?=the\s+(?:likelihood|probability|"
                           r"chances?|odds|risk|possibility|prospects?)\s+(?:that|of|for)\b)")
_SEE_AS = re.compile(r"\b(?:see|sees|saw|regard|regards|regarded|view|views|viewed|consider|considers|considered)\s+"
                     r"(?P<inner>[^,;]{3,120}?)\s+as\s+(?P<adj>(?:(?:very|highly|extremely|increasingly|more|less)\s+)?"
                     r"(?:likely|unlikely|probable|improbable|possible|imminent))\b(?P<tail>[^,;]*)")
_NOMINAL_START = re.compile(r"^\s*(?:(?:a|an)\s+)\s*(?P<noun>(?:very\s+)?(?:high|low|good|strong|slight|slim|remote|real|realistic|serious|distinct)\s+"
                            r"(?:probability|likelihood|chance|possibility))\s+(?:of|that)\s+")
_PRESENT_RISK = re.compile(r"\b(?:current|currently|at\s+present|presently|today|now)\b")
_PSEUDO_CLEFT = re.compile(
    r"^what\s+(?:is|seems|appears|looks)\s+(?P<adj>(?:(?:much|far|rather|even)\s+)?(?:more|most|less)?\s*likely)\s+"
    r"(?:to\s+happen\s+)?is\s+(?:that\s+)?")
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


def _most_likely(pats: _Patterns, orig: str, low: str, doc: date) -> Optional[ClauseResult]:
    """``The most likely outcome is X`` / ``X is the most likely successor``: a scenario, not a band."""
    phrase = pats.by_text.get(("scenario", "the most likely"))
    if phrase is None:
        return None
    m = pats.most_likely.match(low)
    if m:
        inner = orig[m.start("inner") :].strip(" .")
        sub = analyze_clause(pats, inner, doc, depth=2)
        event = sub.event if sub.cls == FORECAST and sub.event else inner
        res = ClauseResult(text=orig, cls=FORECAST, subject=sub.subject or inner, event=_squash(event))
        written = _squash(orig[: m.start("inner")])
        written = written[written.lower().rfind("the most likely"):] if "the most likely" in written.lower() else written
        res.hedges = [Hedge(phrase, written)]
        res.governing = res.hedges[0]
        res.notes.append("'most likely' names the likeliest of several scenarios, not a band")
        return res
    m = pats.most_likely_pred.match(low)
    if m:
        subj = orig[m.start("subj") : m.end("subj")]
        noun = orig[m.start("noun") : m.end("noun")]
        tail = orig[m.start("tail") :].strip(" .")
        subj, _ = clean_subject(subj)
        res = ClauseResult(text=orig, cls=FORECAST, subject=subj,
                           event=_squash(f"{subj} {'are' if is_plural(subj) else 'is'} the {noun} {tail}"))
        res.hedges = [Hedge(phrase, _squash(orig[m.end("subj") : m.end("noun")]))]
        res.governing = res.hedges[0]
        res.notes.append("'most likely' names the likeliest of several scenarios, not a band")
        return res
    return None


def analyze_sentence(pats: _Patterns, text: str, doc: date, *, heading: bool = False) -> SentenceResult:
    """Classify a sentence and analyse each of its clauses."""
    if is_boilerplate(text, heading):
        return SentenceResult(text, BOILERPLATE, [])
    who, core, report_verb = find_attribution(text)
    confidence, core, conf_only, conf_frame = find_confidence(core)
    if conf_only:
        return SentenceResult(text, ESTIMATE, [], who, confidence, True,
                              note="a confidence statement about the judgment before it")
    frame: Optional[Hedge] = None
    if conf_frame:
        phrase = pats.by_text.get(("frame", "we assess"))
        frame = Hedge(phrase, _squash(text[: len(text) - len(core)]).strip())
    elif report_verb in _EXPECT_VERBS:
        # "US officials expect the sanctions to take effect": the source's expectation
        phrase = pats.by_text.get(("adj", "expected"))
        frame = Hedge(phrase, report_verb)
    clauses = []
    inherited = frame
    for i, clause in enumerate(split_clauses(pats, core) or [core]):
        if clauses and clauses[-1].subject and _SHARED_SUBJECT.match(_norm(clause)) \
                and not _find_anchor(pats, _norm(clause), clause):
            # "X will seek to retain ... and is unlikely to give them up": the subject carries over
            clause = f"{clauses[-1].subject} {clause}"
        if clauses and (_ELLIPTIC_TO.match(_norm(clause)) or _ELLIPTIC_EXPECTED.match(_norm(clause))):
            clause = _complete_conjunct(pats, clauses[-1].text, clauses[-1].subject, clause)
        res = analyze_clause(pats, clause, doc, frame=inherited)
        if i == 0 and res.frame is not None:
            inherited = res.frame
        if not res.condition and clauses and clauses[0].condition and res.cls == FORECAST \
                and not _ANAPHORIC_CONDITION.match(condition_statement(clauses[0].condition)[0]):
            res.condition = clauses[0].condition  # "If X, A will ... and B will ...": both depend on X
        if res.condition and clauses and _ANAPHORIC_CONDITION.match(condition_statement(res.condition)[0]):
            # "Belarus is unlikely to join, but if it does, the regime will be weakened": the condition
            # is the claim before
            before = next((c for c in reversed(clauses) if c.event), None)
            if before is not None:
                res.condition = "if " + before.event
        clauses.append(res)
    if any(c.cls == FORECAST for c in clauses):
        cls = FORECAST
    elif who is not None:
        cls = ATTRIBUTION
    elif any(c.cls == ESTIMATE for c in clauses):
        cls = ESTIMATE
    else:
        cls = FACT
    return SentenceResult(text, cls, clauses, who, confidence)


def patterns(lex: Lexicon) -> _Patterns:
    """The compiled patterns for a lexicon (cached)."""
    return _patterns(lex)


def strip_titles(text: str) -> str:
    """``US President Donald Trump`` -> ``Donald Trump`` (job titles before a name)."""
    tokens = text.split(" ")
    out: list[str] = []
    i = 0
    while i < len(tokens):
        j = i
        run: list[str] = []
        while j < len(tokens):
            tok = tokens[j]
            bare = tok.strip(",.;:()\"“”'’")
            if not bare:
                break
            if bare[:1].isupper() or bare.lower() in TITLE_WORDS:
                run.append(tok)
                j += 1
                if tok != bare and not tok.endswith((".",)) or tok.endswith((",", ";", ":")):
                    break
            else:
                break
        if len(run) >= 2:
            lows = [r.strip(",.;:()\"“”'’").lower() for r in run]
            last_title = max((k for k, w in enumerate(lows) if w in CORE_TITLES), default=-1)
            names = run[last_title + 1 :]
            if last_title >= 0 and names and all(n.strip(",.;:()\"“”'’")[:1].isupper() for n in names):
                out.extend(names)
                i = j
                continue
        if run:
            out.extend(run)
            i = j
        else:
            out.append(tokens[i])
            i += 1
    return " ".join(out)
