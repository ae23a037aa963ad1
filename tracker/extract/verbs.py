"""The verb group of a claim and whether it points forward: "will" (unless it carries an
obligation), "may/could" (unless about the past or the present), "would" (only with a condition in
the present tense), "is expected to", "is scheduled for", "is likely". Each reader fills in the
clause under analysis (:class:`_Work`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Optional

from .clauses import _Anchor, _is_participle, _modal_hedge, _trim_fillers, _verb_group_hedges
from .timex import TimeExpr
from .wording import _NEG_BE, _PAST_BE, ClauseResult, Hedge, _norm, _Patterns, _squash

@dataclass
class _Work:
    """A clause under analysis: the text still to read (``orig`` as written, ``low`` normalised, the
    same length) and what the steps have found so far."""

    pats: _Patterns
    doc: date
    clause: str
    orig: str
    low: str
    res: ClauseResult
    frame: Optional[Hedge]
    override: Optional[Hedge]
    depth: int
    negs: int = 0
    hedges: list = field(default_factory=list)
    anchor: Optional[_Anchor] = None
    expecting: bool = False
    subject: str = ""
    future: bool = False
    judgment: bool = False  # a would/should/must/can statement: an estimate, never a fact
    verb: str = ""
    rest_start: int = 0

    def keep(self, start: int, end: Optional[int] = None) -> None:
        """Read on in ``[start:end]`` only."""
        self.orig, self.low = self.orig[start:end], self.low[start:end]

    def drop(self, start: int, end: int, joint: str = "") -> None:
        """Cut ``[start:end]`` out of the text still to read."""
        self.orig = self.orig[:start] + joint + self.orig[end:]
        self.low = self.low[:start] + joint + self.low[end:]


def _read_modal(w: _Work) -> None:
    """``will|may|could|would|... [adverbs] VERB``: does the modal point forward? "will" does (unless
    it carries an obligation: "will need to", not under a hedge), "may/could" do unless about the
    past ("may have met") or the present ("may be the reason"), "would" only with a condition in
    the present tense; should/must/can are judgments."""
    pats, res, low, orig, mt = w.pats, w.res, w.low, w.orig, w.anchor.match
    modal = mt.group("modal")
    adv_hedges, negs = _verb_group_hedges(pats, low[mt.start() : mt.start("verb")], orig[mt.start() : mt.start("verb")])
    mh, mnegs, base = _modal_hedge(pats, modal, orig[mt.start("modal") : mt.end("modal")])
    w.negs += negs + mnegs
    w.hedges.extend(adv_hedges)
    w.verb = orig[mt.start("verb") : mt.end("verb")]
    vlow = w.verb.lower()
    nxt = low[mt.end("verb") :].split()
    nxt_word = nxt[0].strip(",.;:!?\"”’)") if nxt else ""  # "may have met." ends a sentence
    hedged = w.override is not None and w.override.phrase.kind in ("likelihood", "stated")
    if base in ("will", "shall") and _NORMATIVE_WILL.match(low[mt.start("verb"):]) and not hedged:
        # ("it is likely that rates will need to rise" is a forecast that rates rise)
        w.future = False
        w.judgment = True
        res.notes.append("a 'will' of obligation or importance ('will need to', 'will be crucial'): normative, not a forecast")
    elif base in ("will", "shall"):
        w.future = True
    elif base in ("may", "might", "could"):
        if vlow == "have" and nxt_word and _is_participle(nxt_word):
            w.future = False
            res.notes.append("possibility about the past")
        elif vlow == "be" and nxt_word and not (_is_participle(nxt_word) or nxt_word.endswith("ing")):
            # "may be imminent", "could be high if the virus spreads", "(we expect that) firming
            # may be appropriate": forward-looking; "may be the reason": a guess about the present
            w.future = (_future_time(res.time_exprs) or nxt_word.strip(",.") in _FUTURE_ADJ
                        or bool(res.condition) or (w.frame is not None and w.frame.phrase.kind == "expectation"))
        else:
            w.future = True
    elif base == "would" and res.condition and not _COUNTERFACTUAL.search(
            _RELATIVE_TAIL.sub("", _norm(res.condition))):
        w.future = True  # "The Committee would adjust policy if risks emerge": a conditional forecast
    elif base == "would" and any(h.phrase.kind == "likelihood" for h in adv_hedges) \
            and not (vlow == "have" and nxt_word and _is_participle(nxt_word)):
        w.future = True  # "the rise would most likely be temporary": a hedged prediction, not a counterfactual
    else:  # would, should, must, can
        w.future = False
        w.judgment = True
        res.notes.append(f"'{base}' is conditional, normative or about ability, not a forecast")
    if mh is not None:
        w.hedges.append(mh)
    group_text = _trim_fillers(orig[mt.start() : mt.start("verb")])
    for h in adv_hedges + ([mh] if mh is not None else []):
        h.group = group_text
    if vlow == "have" and base in ("will", "shall") and nxt_word and _is_participle(nxt_word):
        w.future = True


def _read_be_to(w: _Work) -> None:
    """``is|are [not] [adverbs] ADJ to VERB`` ("is expected to visit", "is unlikely to give up"):
    forward unless the be is in the past tense and no future time is named."""
    pats, res, low, orig, mt = w.pats, w.res, w.low, w.orig, w.anchor.match
    be = mt.group("be")
    phrase = pats.by_text.get(("adj", _squash(mt.group("adj"))))
    mid_low = low[mt.start("mid") : mt.end("mid")] if mt.group("mid") else ""
    mid_orig = orig[mt.start("mid") : mt.end("mid")] if mt.group("mid") else ""
    adv_hedges, negs = _verb_group_hedges(pats, mid_low, mid_orig)
    if mt.group("pre"):
        pre_hedges, pre_negs = _verb_group_hedges(pats, low[mt.start("pre") : mt.end("pre")],
                                                  orig[mt.start("pre") : mt.end("pre")])
        adv_hedges = pre_hedges + adv_hedges
        negs += pre_negs
    w.hedges.extend(adv_hedges)
    w.negs += negs + (1 if mt.group("neg") else 0) + (1 if be in _NEG_BE else 0)
    if phrase is not None:
        w.hedges.append(Hedge(phrase, _squash(orig[mt.start("be") : mt.start("verb")]).rstrip(), phrase.negated))
        if adv_hedges:
            group = _trim_fillers(orig[mt.start() : mt.start("verb")])
            for h in adv_hedges + [w.hedges[-1]]:
                h.group = group
    w.verb = orig[mt.start("verb") : mt.end("verb")]
    w.future = be not in _PAST_BE or _future_time(res.time_exprs)
    if be in _PAST_BE and not w.future:
        res.notes.append("an expectation reported in the past tense")


def _read_to(w: _Work) -> None:
    """The infinitive under an expectation ("we expect Moscow to withdraw"): forward."""
    mt = w.anchor.match
    w.verb = w.orig[mt.start("verb") : mt.end("verb")]
    w.future = True


def _read_sched(w: _Work) -> None:
    """``is scheduled|set|expected for|in|on TIME``: forward when a future time is named, or for
    "expected"/"anticipated" in the present ("outbreaks are expected in the north")."""
    pats, res, orig, mt = w.pats, w.res, w.orig, w.anchor.match
    adj = _squash(mt.group("adj")).replace("tentatively ", "")
    figure = adj in _FIGURE_WORDS  # "inflation is seen at 4.7% for 2025": a projected figure, not an event
    phrase = pats.by_text.get(("adj", adj)) or pats.by_text.get(("adj", "expected" if figure else "scheduled"))
    w.negs += (1 if mt.group("neg") else 0) + (1 if mt.group("be") in _NEG_BE else 0)
    w.hedges.append(Hedge(phrase, _squash(orig[mt.start("be") : mt.end("prep")])))
    w.verb = "be" if figure else "take place"
    w.rest_start = mt.end("adj")
    w.future = mt.group("be") not in _PAST_BE and (
        _future_time(res.time_exprs) or adj in ("expected", "anticipated"))  # "outbreaks are expected in the north"
    if figure:
        w.rest_start = mt.start("prep")


_FIGURE_WORDS = {"seen", "forecast", "projected", "estimated"}


def _read_pred(w: _Work) -> None:
    """``is|are [adverbs] ADJ`` with nothing but time after it ("a deal is unlikely before June"):
    forward, except an estimate of the present ("is likely preparing", "is likely under pressure")
    or an expectation in the past tense."""
    pats, res, low, orig, mt = w.pats, w.res, w.low, w.orig, w.anchor.match
    phrase = pats.by_text.get(("adj", _squash(mt.group("adj"))))
    mid_low = low[mt.start("mid") : mt.end("mid")] if mt.group("mid") else ""
    mid_orig = orig[mt.start("mid") : mt.end("mid")] if mt.group("mid") else ""
    adv_hedges, negs = _verb_group_hedges(pats, mid_low, mid_orig)
    w.hedges.extend(adv_hedges)
    w.negs += negs + (1 if mt.group("neg") else 0) + (1 if mt.group("be") in _NEG_BE else 0)
    if phrase is not None:
        w.hedges.append(Hedge(phrase, _squash(orig[mt.start("adj") : mt.end("adj")]), phrase.negated,
                              group=_trim_fillers(orig[mt.start("be") : mt.end("adj")])))
    w.verb = ""
    be = mt.group("be")
    following = low[mt.end() :].split()
    if phrase is not None and phrase.kind == "expectation":
        # "further cases are expected (among travellers)": the present tense expects them
        w.future = be not in _PAST_BE and (_future_time(res.time_exprs) or not _DEMONSTRATIVE.match(w.subject.strip())
                                           and not low[mt.end():].lstrip().startswith(("by ", "from ")))
    elif following and following[0].endswith("ing") and not _future_time(res.time_exprs):
        w.future = False  # "is likely preparing": an estimate of the present
        res.notes.append("about the present")
    elif following and following[0] not in _PRED_FUTURE_OK and not _future_time(res.time_exprs) \
            and phrase is not None and phrase.pos == "adj" and mt.group("adj") in ("likely", "probably", "possibly"):
        w.future = False  # "are likely combat ineffective", "is likely under pressure": the present
        res.notes.append("about the present")
    else:
        w.future = be not in _PAST_BE


_VERB_GROUP_READERS = {"modal": _read_modal, "be_to": _read_be_to, "to": _read_to, "sched": _read_sched,
                       "pred": _read_pred}
_RELATIVE_TAIL = re.compile(r"\s+(?:that|which|who)\s.*$")
_COUNTERFACTUAL = re.compile(r"\b(?:were|had|did|was|could|would|[a-z]{3,}ed)\b")
_FUTURE_ADJ = {"imminent", "inevitable", "forthcoming", "unavoidable", "next", "able", "unable"}
_NORMATIVE_WILL = re.compile(r"(?:need|have|has)\s+to\b|require\b|be\s+(?:crucial|critical|essential|important|vital|key|necessary|"
                             r"needed|required|paramount|imperative)\b"
                             # "the pace of cuts will depend on the data": a policy rule, not a forecast
                             r"|(?:\w+ly\s+)?(?:depend|hinge|rest)s?\s+(?:\w+\s+)?(?:on|upon)\b")
_PRED_FUTURE_OK = {"to", "that", "for", "and", "or", "but", "if", "unless", "as", "given", "because", "since", "so",
                   "in", "by", "before", "after", "within", "during", "until", "over", "this", "next", "soon", "again",
                   "too", "also", "eventually", "now", "either", "despite", "amid", "even", "though", "although",
                   "while", "when", "once", "at", "on", "with", "without"}
_DEMONSTRATIVE = re.compile(r"^(?:this|that|it|such\s+an?\s+[\w-]+|(?:this|that|these|those)\s+[\w-]+(?:\s+[\w-]+)?)$", re.I)


def _future_time(exprs: list[TimeExpr]) -> bool:
    return any(e.is_deadline for e in exprs)
