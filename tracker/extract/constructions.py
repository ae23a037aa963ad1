"""Hedges that govern a whole clause: "it is likely that S", "the MPC judges it more likely than
not that S", "there is a good chance that S", "the chance that S is remote", "we see S as likely",
"what is more likely is that S", and stated numbers (see :mod:`.numbers`)."""

from __future__ import annotations

import re
from typing import Optional

from .lexicon import Phrase
from .numbers import _stated_chance
from .wording import Hedge, _NEG_BE, _Patterns, _squash

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
