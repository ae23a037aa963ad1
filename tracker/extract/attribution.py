"""Who speaks and what a sentence is: boilerplate (headings, markings, notes), attribution
("officials said", "according to Reuters", "Ted Carpenter: ..."), and confidence statements
("with moderate confidence"), which are kept apart and never turned into a number."""

from __future__ import annotations

import re
from typing import Optional

from .vocab import CORE_TITLES, INTRO_WORDS, REPORT_VERBS, SOURCE_NOUNS, TITLE_WORDS
from .wording import _LEAD_CONJ, _norm, _squash

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
    modifier = 0  # words of a phrase after the head ("the models in the IRI/CPC plume")
    for w, o in zip(words, original):
        bare = w.strip(",()[]")
        o = o.strip("()[]") or o
        if has_head and bare in ("in", "of", "from", "at", "on"):
            modifier = 4
            continue
        if modifier:
            modifier -= 1
            continue
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

_CONF_WITH = re.compile(r"\s*,?\s*\bwith\s+(?P<level>low|moderate|medium|high)\s+confidence\b\s*,?"
                        # the IPCC's bracket after the statement: "(high confidence)", "(medium confidence)"
                        r"|\s*\((?:very\s+)?(?P<level3>low|moderate|medium|high)\s+confidence\)", re.I)
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
        level = _level(m.group("level") or m.group("level3"))
        return level, (core[: m.start()] + " " + core[m.end() :]).strip(), False, False
    m = _CONF_ANY.search(low)
    if m:
        return _level(m.group("level") or m.group("level2")), core, False, False
    return None, core, False, False


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
