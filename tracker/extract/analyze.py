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

import re
from datetime import date
from typing import Optional

from .attribution import (  # noqa: F401 - PRONOUN_SOURCES, named_speaker, strip_label, strip_titles are public here
    PRONOUN_SOURCES,
    find_attribution,
    find_confidence,
    is_boilerplate,
    named_speaker,
    strip_label,
    strip_titles,
)
from .clauses import (  # noqa: F401 - condition_statement and split_clauses are public here
    _ANAPHORIC_CONDITION,
    _CONDITION_TAIL,
    _ELLIPTIC_EXPECTED,
    _ELLIPTIC_TO,
    _MID_CONDITION,
    _SHARED_SUBJECT,
    _alternatives,
    _Anchor,
    _choose,
    _complete_conjunct,
    _condition_end,
    _find_anchor,
    _is_past_verb,
    _strip_hedges,
    _verb_group_hedges,
    clean_subject,
    condition_statement,
    inflect,
    is_plural,
    split_clauses,
)
from .constructions import _PSEUDO_CLEFT, _frame_constructions
from .lexicon import Phrase
from .numbers import _STATED_PAREN, _stated_number
from .timex import find_time_expressions
from .verbs import _DEMONSTRATIVE, _VERB_GROUP_READERS, _future_time, _Work
from .vocab import DETERMINERS
from .wording import (  # noqa: F401 - the classes, Hedge and patterns are public here
    ATTRIBUTION,
    BOILERPLATE,
    CLASSES,
    ESTIMATE,
    FACT,
    FORECAST,
    _EXPECT_VERBS,
    _LEAD_CONJ,
    _POSSIBILITY_OF,
    _TO_INFINITIVE,
    ClauseResult,
    Hedge,
    SentenceResult,
    _norm,
    _Patterns,
    _squash,
    patterns,
)

__all__ = [
    "ATTRIBUTION", "BOILERPLATE", "CLASSES", "ESTIMATE", "FACT", "FORECAST", "PRONOUN_SOURCES", "ClauseResult", "Hedge",
    "SentenceResult", "analyze_clause", "analyze_sentence", "condition_statement", "find_attribution",
    "find_confidence", "is_boilerplate", "named_speaker", "patterns", "split_clauses", "strip_label", "strip_titles",
]


_HEADLINE_TO = re.compile(r"^(?P<label>(?:[^:,;]{2,40}:\s+)?)(?P<subj>(?:(?!\b(?:is|are|was|were|has|have|had|will|would)\b)"
                          r"[^,;:])+?)\s+(?P<to>to)\s+(?P<verb>[a-z]+)\b")
_TAKES_INFINITIVE = {"continue", "continues", "plan", "plans", "want", "wants", "seek", "seeks", "need", "needs", "hope",
                     "hopes", "try", "tries", "aim", "aims", "intend", "intends", "expect", "expects", "vow", "vows",
                     "threaten", "threatens", "promise", "promises", "refuse", "refuses", "agree", "agrees", "decide",
                     "decides", "appear", "appears", "seem", "seems", "tend", "tends", "begin", "begins", "start", "starts"}
_FINITE_ANY = re.compile(r"\b(?:is|are|was|were|has|have|had|will|would|may|might|could|can|should|must|did|does|do|"
                         r"shall)\b")
_LEADING_HEDGE = re.compile(r"^(?:(?:very|highly|most|quite)\s+)?(?:probably|likely|almost\s+certainly|very\s+likely)\b")


def analyze_clause(pats: _Patterns, clause: str, doc: date, *, frame: Optional[Hedge] = None,
                   override: Optional[Hedge] = None, depth: int = 0) -> ClauseResult:
    """Classify one clause and find its claim (see the module docstring). Each step below says
    what it decides; a step that settles the clause returns its result."""
    orig = clause.strip().lstrip("\"“”‘’' ").strip()
    # a quotation mark inside a verb group: is "expected to fall"
    w = _Work(pats, doc, clause, orig, _norm(orig).replace('"', " "), ClauseResult(text=orig, cls=FACT),
              frame, override, depth)
    w.res.time_exprs = find_time_expressions(orig, doc)
    _take_conditions(w)
    _take_stated_bracket(w)
    _take_frames(w)
    settled = _hedged_construction(w)
    if settled is not None:
        return settled
    _find_claim_verb(w)
    if w.anchor is None:
        return _clause_without_verb(w)
    _read_subject(w)
    _VERB_GROUP_READERS.get(w.anchor.kind, lambda _w: None)(w)
    _collect_hedges(w)
    _build_event(w)
    return _classify(w)


def _take_conditions(w: _Work) -> None:
    """Leading discourse words go; a condition - leading ("If X, ..."), between commas ("..., if
    pressed, ...") or trailing ("... unless X") - is recorded and cut from the text."""
    res = w.res
    m = _LEAD_CONJ.match(w.low)
    if m and m.end() < len(w.low):
        w.keep(m.end())
    end = _condition_end(w.low, expecting=w.frame is not None and w.frame.phrase.kind == "expectation")
    if end:
        res.condition = w.orig[:end].strip(" ,")
        w.keep(end)
    m = _MID_CONDITION.search(w.low)
    if m and not res.condition:
        # "CPI inflation is, conditioned on the market path for Bank Rate, likely to ...", "Russia will, if
        # pressed, escalate": a condition between commas inside the clause
        res.condition = w.orig[m.start("cond") : m.end("cond")].strip(" ,")
        w.drop(m.start(), m.end(), " ")
    m = _CONDITION_TAIL.search(w.low)
    if m and not res.condition:
        res.condition = w.orig[m.start("cond") :].strip(" ,.")
        w.keep(0, m.start())


def _take_stated_bracket(w: _Work) -> None:
    """A stated number in brackets after the claim ("El Nino will form (70-75% chance)") becomes
    the number that overrides the clause's words."""
    m = _STATED_PAREN.search(w.low)
    if m and w.override is None:
        p = _stated_number(m)
        if p is not None:
            written = _squash(w.orig[m.start() : m.end()].strip(" ()"))
            w.override = Hedge(Phrase(text=written, pos="noun", kind="stated"), written, False, percent=p, nominal=True)
            w.drop(m.start(), m.end())


def _take_frames(w: _Work) -> None:
    """An own-voice frame ("We assess that", ", we believe,") or a subject's expectation verb ("it
    expects X to ...") becomes the clause's frame and is cut; after a frame, "the possibility of" goes."""
    pats = w.pats
    m = _FRAME_ADVERB.match(w.low)
    if m and pats.frame.match(w.low[: m.end("who")] + w.low[m.end():]):
        w.drop(m.end("who"), m.end())  # "we now expect", "we still assess": the frame without its adverb
    m = pats.frame.match(w.low)
    if m:
        phrase = pats.by_text.get(("frame", _squash(m.group("frame"))))
        if phrase is not None:
            w.frame = Hedge(phrase, _squash(w.orig[m.start("frame") : m.end("frame")]), phrase.negated)
            w.keep(m.end())
    m = pats.paren_frame.search(w.low)
    if m:
        phrase = pats.by_text.get(("frame", _squash(m.group("frame"))))
        if phrase is not None:
            w.frame = Hedge(phrase, _squash(w.orig[m.start("frame") : m.end("frame")]), phrase.negated)
            w.drop(m.start(), m.end(), " ")
    if w.frame is None:
        m = _SUBJECT_DOES_NOT_EXPECT.match(w.low)
        phrase = pats.by_text.get(("frame", f"we do not {m.group('verb')}")) if m else None
        if phrase is not None:
            # "The Committee does not expect (that) it will be appropriate to cut": negated foresight
            w.frame = Hedge(phrase, _squash(w.orig[m.start("neg") : m.end("verb")]), phrase.negated)
            w.keep(m.end())
    if w.frame is None:
        m = _SUBJECT_EXPECTS.match(w.low)
        if m and _TO_INFINITIVE.search(w.low, m.end()):
            # "it expects more cases to be reported", "the bank anticipates inflation to fall"
            phrase = pats.by_text.get(("adj", "expected"))
            w.frame = Hedge(phrase, _squash(w.orig[m.start("verb") : m.end("verb")]))
            w.keep(m.end())
    w.res.frame = w.frame
    if w.frame is not None:
        m = _POSSIBILITY_OF.match(w.low)
        if m:
            w.keep(m.end())


def _hedged_construction(w: _Work) -> Optional[ClauseResult]:
    """A hedge that governs a whole clause ("it is likely that S", "there is a roughly even chance
    that S", "the chance that S is remote", "the most likely outcome is S"): the inner clause is
    analysed with the hedge as its number. None when there is no such construction."""
    if w.override is not None or w.depth >= 2:
        return None
    inner = _frame_constructions(w.pats, w.orig, w.low)
    if inner is not None:
        hedge, inner_text, negs = inner
        sub = analyze_clause(w.pats, inner_text, w.doc, frame=w.frame, override=hedge, depth=w.depth + 1)
        sub.negations += negs
        sub.text = w.clause.strip()
        sub.time_exprs = find_time_expressions(w.clause.strip(), w.doc)
        if sub.cls in (FACT, ESTIMATE) and not sub.event and hedge.phrase.kind == "likelihood" \
                and _PSEUDO_CLEFT.match(w.low) and inner_text.strip(" ."):
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
    sc = _most_likely(w.pats, w.orig, w.low, w.doc)
    if sc is not None:
        sc.frame = w.frame
        sc.text = w.clause.strip()
        sc.time_exprs = w.res.time_exprs
        return sc
    return None


def _find_claim_verb(w: _Work) -> None:
    """The verb group that carries the claim (modal, "is ... to", "is scheduled for", "is likely");
    under an expectation ("we expect Moscow to withdraw") the infinitive carries it. The override
    and the frame are the first hedges."""
    w.anchor = _find_anchor(w.pats, w.low, w.orig)
    frame = w.frame
    if w.anchor is None and frame is None and w.override is None and _future_time(w.res.time_exprs):
        m = _HEADLINE_TO.match(w.low)
        if m and not _FINITE_ANY.search(w.low) and not re.search(r"\b[a-z]{3,}ed\b", w.low[m.end():]) \
                and not any(_is_past_verb(x) for x in m.group("subj").split()) \
                and (m.group("label") or not w.orig.rstrip().endswith((".", "!", "?"))) \
                and m.group("subj").split()[-1] not in _TAKES_INFINITIVE:
            # a headline ("Source: X to VERB <time>" or a line without a full stop), not "surveys continue to suggest"
            # a headline's infinitive with a future time: "Fighting in the east to intensify over next weeks"
            w.keep(m.end("label"))
            m = _HEADLINE_TO.match(w.low)
            w.anchor = _Anchor("to", m.start("to"), m.end(), m)
    w.expecting = frame is not None and (frame.phrase.kind == "expectation"
                                         or re.search(r"\b(?:expect|anticipate|foresee|predict|project|forecast)s?$",
                                                      frame.text.lower()) is not None)
    if w.expecting:
        # "we (do not) expect Moscow to withdraw": the infinitive carries the claim
        m = _TO_INFINITIVE.search(w.low)
        if m and (w.anchor is None or m.start() < w.anchor.start) and re.search(r"[a-z]", w.low[: m.start()]) \
                and m.group("verb") not in DETERMINERS and not re.search(r"\b[a-z]{3,}ing\b", w.low[: m.start()]):
            w.anchor = _Anchor("to", m.start(), m.end(), m)
    if w.override is not None:
        w.hedges.append(w.override)
    if frame is not None:
        w.hedges.append(frame)


def _clause_without_verb(w: _Work) -> ClauseResult:
    """No verb group: a framed noun phrase ("we expect a ceasefire by March", "we cannot rule out an
    incursion") or a chance noun phrase ("a good chance of a ceasefire") is a forecast; "We doubt
    this." is the own voice on the claim before; otherwise an estimate if hedged or framed, else a fact."""
    res, frame, override, hedges = w.res, w.frame, w.override, w.hedges
    if frame is not None and (frame.phrase.kind == "rule_out" or w.expecting) and w.low.strip(" ."):
        res.hedges = hedges
        res.governing = _choose(hedges)
        res.event = _squash(w.orig.strip(" .;"))
        res.subject = res.event
        res.cls = FORECAST
        return res
    if frame is not None and _DEMONSTRATIVE.match(w.orig.strip(" .;")):
        res.hedges = hedges
        res.governing = frame
        res.cls = ESTIMATE
        res.endorsement = True
        return res
    for hm in w.pats.hedge_any.finditer(w.low):
        key = _squash(hm.group(0))
        phrase = w.pats.by_text.get(("adv", key)) or w.pats.by_text.get(("adj", key)) or w.pats.by_text.get(("noun", key))
        if phrase is not None:
            hedges.append(Hedge(phrase, _squash(w.orig[hm.start() : hm.end()])))
    res.hedges = hedges
    res.governing = _choose(hedges)
    if frame is None and override is None and res.governing is not None and res.governing.phrase.kind == "likelihood" \
            and _future_time(res.time_exprs) and _LEADING_HEDGE.match(w.low):
        # "Probably, too, the fall of the regime within a year or two": a forecast without a verb
        res.event = _squash(re.sub(r"^(?:too|also)\s*,\s*", "", _strip_hedges(w.pats, w.orig).strip(" ,.;"), flags=re.I))
        res.subject = res.event
        res.cls = FORECAST
        return res
    if override is not None and override.nominal:
        # "there is a good chance of a ceasefire before 2019", "the chance of a breakthrough is slim"
        res.event = _squash(w.orig.strip(" .;"))
        res.subject = res.event
        res.governing = override
        res.cls = FORECAST
        return res
    res.cls = ESTIMATE if (frame is not None or res.governing is not None or override is not None) else FACT
    return res


def _read_subject(w: _Work) -> None:
    """The words before the verb group are the subject, cleaned of introductions (a condition found
    there is kept)."""
    subject, cond = clean_subject(w.orig[: w.anchor.start])
    if cond and not w.res.condition:
        w.res.condition = cond
    w.res.subject = w.subject = subject
    w.rest_start = w.anchor.end


def _collect_hedges(w: _Work) -> None:
    """A trailing likelihood adverb counts when the verb group had none ("will meet, probably in
    July"); the governing hedge is chosen (stated number, likelihood word, possibility, expectation,
    frame, plain "will")."""
    tail_low = w.low[w.rest_start:]
    if not any(h.phrase.kind in ("likelihood",) for h in w.hedges):
        more, _ = _verb_group_hedges(w.pats, tail_low, w.orig[w.rest_start:])
        w.hedges.extend(h for h in more if h.phrase.kind == "likelihood")
    res = w.res
    res.hedges = w.hedges
    res.governing = _choose(w.hedges)
    res.negations = w.negs
    res.verb = w.verb


def _build_event(w: _Work) -> None:
    """The event: the subject, the verb in the present tense and the rest of the clause, without
    its hedges ("Moscow will likely withdraw by May" -> "Moscow withdraws by May"); options named
    in the rest ("either A or B") are kept as alternatives."""
    pats, res, subject = w.pats, w.res, w.subject
    rest = w.orig[w.rest_start:].strip()
    rest = re.sub(r"^(?:not|never)\b\s*", "", rest)
    rest = rest.rstrip(" .;:!")
    res.rest = rest
    res.alternatives = _alternatives(rest)
    plural = is_plural(subject)
    kind = w.anchor.kind
    if kind == "pred" and res.governing is not None and res.governing.phrase.kind == "expectation":
        event = f"{subject} {inflect('occur', plural)} {_strip_hedges(pats, rest)}".strip()  # "cases are expected"
    elif kind == "pred":
        event = f"{subject} {_strip_hedges(pats, rest)}".strip()
    elif w.verb:
        words = w.verb.split()
        event = f"{subject} {inflect(words[0], plural)}{(' ' + ' '.join(words[1:])) if len(words) > 1 else ''} {_strip_hedges(pats, rest)}"
        if kind == "sched":
            event = re.sub(r"\b(take|takes) place (?:for|at)\s+", r"\1 place ", event)
            event = re.sub(r"\b(take|takes) place (?=\d|(?:January|February|March|April|May|June|July|August|September|"
                           r"October|November|December)\s+\d)", r"\1 place on ", event)
            event = re.sub(r"\b(take|takes) place (?=(?:early |mid-|late )?(?:January|February|March|April|May|June|July|"
                           r"August|September|October|November|December|(?:19|20)\d\d)\b)", r"\1 place in ", event)
    else:
        event = subject
    res.event = _squash(event).strip(" ,")


def _classify(w: _Work) -> ClauseResult:
    """Forecast when the verb group points forward (a conditional one when a condition was found);
    a conditional judgment, a would/should/must, a hedge or a frame make an estimate; else a fact.
    A claim whose every time lies in the past is an estimate; "This is likely." is the own voice on
    the claim before."""
    res = w.res
    if res.condition and not w.future:
        res.cls = ESTIMATE
        res.notes.append(f"conditional judgment ({_squash(res.condition)})")
    elif w.future:
        res.cls = FORECAST
    elif w.judgment or (res.governing is not None and res.governing.phrase.kind != "plain") or w.frame is not None:
        res.cls = ESTIMATE
    else:
        res.cls = ESTIMATE if any(h.phrase.kind != "plain" for h in w.hedges) else FACT
    if res.cls == FORECAST and res.time_exprs and all(e.past for e in res.time_exprs) and w.anchor.kind != "modal":
        res.cls = ESTIMATE
    if w.anchor.kind == "pred" and _DEMONSTRATIVE.match(w.subject.strip()) and res.governing is not None:
        # "This is likely.", "We judge that this is unlikely": a number for the claim before, not a new claim
        res.cls = ESTIMATE
        res.endorsement = True
    return res


_FRAME_ADVERB = re.compile(r"^(?P<who>we|i)(?:\s+(?:now|still|also|therefore|thus|generally|further|continue\s+to|"
                           r"broadly|firmly|strongly))+(?=\s)")
_SUBJECT_DOES_NOT_EXPECT = re.compile(
    r"^(?:it|they|he|she|(?:the\s+)?[a-z][a-z-]*(?:\s+[a-z][a-z-]*){0,2}?)\s+(?P<neg>(?:does|do|did)\s+not|doesn't|don't|didn't)\s+"
    r"(?:currently\s+|now\s+|yet\s+)?(?P<verb>expect|anticipate|foresee|believe|think|predict)\s+(?:that\s+)?")
_SUBJECT_EXPECTS = re.compile(
    r"^(?:it|they|he|she|the\s+[a-z-]+(?:\s+[a-z-]+)?)\s+(?:also\s+|still\s+|now\s+|further\s+)?"
    r"(?P<verb>expects|anticipates|predicts|foresees|projects|forecasts)\s+(?!that\b|to\b)")


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


_LATER_CHANCE = re.compile(r",\s*(?:increasing|rising|climbing|growing|falling|decreasing|dropping|declining)\s+to\s+"
                           r"(?:about\s+|around\s+|roughly\s+)?(?:(?P<pct0>\d{1,3})\s*%?\s*[-–]\s*)?(?P<pct>\d{1,3})\s*%")


def _later_stated_chance(res: ClauseResult) -> Optional[ClauseResult]:
    """"a 50-55% chance of El Nino during the fall, increasing to 65-70% during the winter": the
    second number is a claim of its own, about the same event in the later period."""
    gov = res.governing
    m = _LATER_CHANCE.search(res.text) if res.cls == FORECAST and gov is not None and gov.percent is not None else None
    if m is None:
        return None
    p = _stated_number(m)
    before = [e for e in res.time_exprs if e.end <= m.start()]
    after = [e for e in res.time_exprs if e.start >= m.end()]
    if p is None or not after:
        return None
    cut = res.event.find(res.text[m.start() : m.start() + 12].strip(" ,"))
    first_event = res.event[:cut].rstrip(" ,") if cut > 0 else res.event
    base = first_event
    for e in before:
        k = base.find(e.text)
        if k > 0:
            base = base[:k].rstrip(" ,")
            break
    written = _squash(res.text[m.start() : m.end()].strip(" ,"))
    hedge = Hedge(Phrase(text=written, pos="noun", kind="stated"), written, False, percent=p, nominal=True)
    later = ClauseResult(text=res.text, cls=FORECAST, subject=res.subject, event=_squash(f"{base} {after[0].text}"),
                         hedges=[hedge], governing=hedge, time_exprs=after, frame=res.frame)
    res.event, res.time_exprs = first_event, before
    return later


_POLL = re.compile(r"\b(?:majorities|a\s+majority|most\s+(?:people|respondents|voters))\b[^.;]{0,40}?\s(?:believe|think|expect|say)\b"
                   r"|\b(?:survey|poll|opinion\s+poll)\s+(?:shows|showed|found|finds|suggests|suggested)\b"
                   r"|\b\d{1,3}(?:\.\d+)?\s*(?:%|percent|per\s+cent)\s+of\s+(?:the\s+)?(?:[A-Za-z-]+\s+){0,2}?"
                   r"(?:respondents|people|voters|adults|those\s+(?:polled|surveyed|asked)|citizens|residents|public|"
                   r"[A-Z][a-z]+(?:ns|ers|ese|is))\s+(?:believe|believed|say|said|think|thought|expect|expected|feel|felt|"
                   r"fear|feared)\b")


def analyze_sentence(pats: _Patterns, text: str, doc: date, *, heading: bool = False) -> SentenceResult:
    """Classify a sentence and analyse each of its clauses."""
    if is_boilerplate(text, heading):
        return SentenceResult(text, BOILERPLATE, [])
    who, core, report_verb = find_attribution(text)
    if _POLL.search(text):
        # "73% of respondents believe the war is very likely": what people believe now, not a forecast
        return SentenceResult(text, ATTRIBUTION if who else ESTIMATE, [], who, None, note="a poll result")
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
        later = _later_stated_chance(res)
        if later is not None:
            clauses.append(later)
    if any(c.cls == FORECAST for c in clauses):
        cls = FORECAST
    elif who is not None:
        cls = ATTRIBUTION
    elif any(c.cls == ESTIMATE for c in clauses):
        cls = ESTIMATE
    else:
        cls = FACT
    return SentenceResult(text, cls, clauses, who, confidence)
