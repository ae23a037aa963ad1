"""The extractor's shared vocabulary: the statement classes, the result records of a clause and
a sentence, text normalisation, and the verb-group patterns compiled from the lexicon."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Optional

from .lexicon import Lexicon, Phrase
from .timex import TimeExpr
from .vocab import FILLER_ADVERBS

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


# adverbs that split an infinitive: "is projected to increasingly experience"
_SPLIT_INFINITIVE = ("increasingly|gradually|significantly|substantially|sharply|slowly|rapidly|steadily|fully|further|"
                     "quickly|largely|broadly|partly|partially|only|still|also|eventually|soon|again|even|ever|more")
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
        rf"(?P<adj>{_alt(adjs)})\s+to\s+(?:(?:{_SPLIT_INFINITIVE})\s+)?(?P<verb>[a-z][a-z'-]*)"
    )
    sched = re.compile(
        rf"\b(?P<be>{_BE})\s+(?P<neg>not\s+)?(?:(?:{adv_alt})\s+){{0,2}}(?P<adj>(?:tentatively\s+)?(?:scheduled|set|slated|"
        rf"planned|due|expected|anticipated|pencil+ed\s+in|seen|forecast|projected|estimated))\s+(?P<prep>for|on|in|at)\b"
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


_LEAD_CONJ = re.compile(
    r"^(?:(?:and|but|so|yet|or|then|however|meanwhile|moreover|furthermore|nevertheless|nonetheless|still|also|separately|"
    r"overall|finally|indeed|thus|therefore|in\s+addition|additionally|at\s+the\s+same\s+time|in\s+turn|"
    r"for\s+(?:its|their|his|her)\s+part|as\s+a\s+result|consequently)\b\s*,?\s*)+",
    re.I,
)


def patterns(lex: Lexicon) -> _Patterns:
    """The compiled patterns for a lexicon (cached)."""
    return _patterns(lex)
