"""From assessment text to claims: the pipeline behind :func:`extract_claims`.

1. Normalise the text, strip Markdown, split it into paragraphs and headings,
   the paragraphs into sentences; drop repeated sentences (a teaser or
   headline that repeats the lead, a truncated "... since Trump.." line).
2. Analyse each sentence (:mod:`.analyze`): boilerplate, attribution,
   confidence, clauses, class, estimative phrase, event statement.
3. Collect the dated events of the whole document (:mod:`.events`), so that
   "the upcoming meeting" can borrow the meeting's deadline.
4. For each forecast clause pick the deadline, in this order:

   * a date or relative expression in the clause itself ("explicit date" /
     "relative expression"); lower bounds ("after the London visit on July
     13th") and past dates do not count;
   * an event named in the clause and dated elsewhere in the text
     ("event named in the text");
   * the event deadline of the previous forecast in the same paragraph, when
     that one came from a named event ("the two leaders may discuss trade"
     after "... in the upcoming meeting"); also "event named in the text";
   * the default horizon: document date + ``horizon_days`` ("default horizon").

   A categorical "either before X on DATE1, or after Y on DATE2" question
   needs a deadline after both, so it takes the named event's deadline, or
   the latest date when no alternative is an "after", or else the default
   horizon (never earlier than the last date named).
5. Read the number off the phrase on the chosen scale (:mod:`.lexicon`).
   Categorical claims: with an assessed phrase the named options share its
   probability evenly and "neither" takes the rest; with an unassessed one
   (could/may/might) the options are named but not weighed, so the default
   spreads the probability evenly over all outcomes, "neither" included.
   Vectors are rounded to 3 decimals and the last entry is set so that the
   sum is exactly 1.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Optional, Union

from ..errors import ValidationError
from .analyze import (
    ATTRIBUTION,
    BOILERPLATE,
    ESTIMATE,
    FACT,
    FORECAST,
    ClauseResult,
    SentenceResult,
    PRONOUN_SOURCES,
    analyze_sentence,
    condition_statement,
    named_speaker,
    patterns,
)
from .deadlines import _EVENT_BOUND, _OPEN_ENDED, _before_period, _known_calendar, _latest_specific, _own_deadline
from .events import Mention, Registry, mentions_in, people_in, references_in
from .lexicon import DEFAULT_SCALE, Lexicon, load_lexicon
from .sentences import Sentence, dedupe, split_sentences
from .text import blocks, find_title, normalize_text, strip_front_matter
from .naming import _assign_ids, _event_text, _outcome_slugs, _tags, _tags_cached, slugify, suggest_id
from .timex import MONTH_NAMES, find_time_expressions, fmt_date
from .timex import find_document_date as _find_document_date
from .vocab import EVENT_VERBS, STOPWORDS


DEADLINE_SOURCES = ("explicit date", "relative expression", "event named in the text", "event in a known calendar",
                    "default horizon", "horizon for an open-ended time", "event date not known")


_PERSON = re.compile(r"^(?:(?:Mr|Ms|Mrs|Dr|Gen|Sir|Dame|Prof|President|Minister|Governor)\.?\s+)?[A-Z][a-z]+(?:\s+[A-Z][a-z]+){0,2}$")
_INSTITUTION_SUBJECT = re.compile(r"^(?:The\s+)?(?:[A-Z][\w&'’-]*\s+)*(?:of\s+(?:the\s+)?[A-Z][\w&'’-]*(?:\s+[A-Z][\w&'’-]*)*\s+)?"
                                  r"(?=(?:has|have|had|published|released|issued|said|says|is|was|will|expects|projects|"
                                  r"forecasts|announced|reported)\b)")
UNASSESSED_NOTE = "unassessed possibility: set your own number"


@dataclass
class Claim:
    """One statement found in an assessment.

    ``cls`` is the class (``as_dict`` writes it as ``class``): forecast,
    estimate, fact, attribution or boilerplate. Only forecasts have an event,
    a deadline and (usually) a probability. ``probability`` is the number the
    estimative phrase stands for on ``scale`` (a mapping outcome -> number for
    a categorical claim); for attributed claims it is the source's words, not
    the analyst's, and a draft scenario records no forecast for them.
    """

    id: str
    cls: str
    sentence: str
    event: Optional[str] = None
    phrase: Optional[str] = None
    probability: Union[float, dict[str, float], None] = None
    band: Optional[list[float]] = None
    band_name: Optional[str] = None
    scale: Optional[str] = None
    assessed: Optional[bool] = None
    negated: bool = False
    confidence: Optional[str] = None
    deadline: Optional[date] = None
    deadline_source: Optional[str] = None
    deadline_text: Optional[str] = None
    attributed_to: Optional[str] = None
    outcomes: Optional[list[str]] = None
    tags: list[str] = field(default_factory=list)
    note: Optional[str] = None
    paragraph: int = 0
    rationale: Optional[str] = None
    endorsed: bool = False  # an attributed claim the assessment's own voice gave a number to
    condition: Optional[str] = None  # a conditional forecast's condition, as a statement
    condition_holds: bool = True  # False: the forecast is for the condition failing ("unless ...")

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: stable snake_case keys, ISO dates."""
        return {
            "id": self.id,
            "class": self.cls,
            "sentence": self.sentence,
            "event": self.event,
            "phrase": self.phrase,
            "probability": self.probability,
            "band": self.band,
            "band_name": self.band_name,
            "scale": self.scale,
            "assessed": self.assessed,
            "negated": self.negated,
            "confidence": self.confidence,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "deadline_source": self.deadline_source,
            "deadline_text": self.deadline_text,
            "condition": self.condition,
            "condition_holds": self.condition_holds if self.condition else None,
            "attributed_to": self.attributed_to,
            "outcomes": self.outcomes,
            "tags": list(self.tags),
            "note": self.note,
            "paragraph": self.paragraph,
            "rationale": self.rationale,
            "endorsed": self.endorsed,
        }


@dataclass
class Document:
    """A parsed assessment: its title, date (if written in it) and sentences."""

    title: Optional[str]
    date: Optional[date]
    sentences: list[Sentence]
    meta: dict[str, str]


def parse_document(text: str) -> Document:
    """Normalise, split into sentences and drop duplicates."""
    norm = normalize_text(text)
    body, meta = strip_front_matter(norm)
    blks = blocks(body)
    title = meta.get("title") or find_title(blks)
    sentences = dedupe(split_sentences(blks))
    return Document(title, _find_document_date(norm), sentences, meta)


def find_document_date(text: str) -> Optional[date]:
    """The date an assessment was written, from its header or dateline, or None
    (see :func:`tracker.extract.timex.find_document_date` for the formats)."""
    return _find_document_date(normalize_text(text))


def extract_claims(
    text: str,
    *,
    doc_date: date,
    scale: str = DEFAULT_SCALE,
    horizon_days: int = 90,
    include_all: bool = False,
) -> list[Claim]:
    """The claims of an assessment, in document order.

    ``doc_date`` is when it was written (relative expressions count from it);
    ``scale`` one of icd203 (default), phia, kent, survey; ``horizon_days``
    the deadline of forecasts that name no time. With ``include_all`` the
    list also holds one claim per non-forecast sentence (class estimate,
    fact, attribution or boilerplate), with no event or deadline.
    """
    if not isinstance(doc_date, date):
        raise ValidationError(f"doc_date must be a date, not {type(doc_date).__name__}")
    if isinstance(horizon_days, bool) or not isinstance(horizon_days, int) or horizon_days < 1:
        raise ValidationError(f"horizon must be a whole number of days of at least 1, not {horizon_days!r}")
    lex = load_lexicon()
    lex.check_scale(scale)
    doc = parse_document(text)
    return _claims_for(doc, lex, doc_date=doc_date, scale=scale, horizon_days=horizon_days, include_all=include_all)


def _claims_for(doc: Document, lex: Lexicon, *, doc_date: date, scale: str, horizon_days: int,
                include_all: bool) -> list[Claim]:
    pats = patterns(lex)
    analyses: list[tuple[Sentence, SentenceResult]] = [
        (s, analyze_sentence(pats, s.text, doc_date, heading=s.heading)) for s in doc.sentences
    ]

    registry = Registry(doc_date)
    for order, (s, a) in enumerate(analyses):
        if a.cls == BOILERPLATE:
            continue
        exprs = [e for c in a.clauses for e in c.time_exprs] or find_time_expressions(s.text, doc_date)
        registry.add_all(mentions_in(s.text, exprs, order))
        for c in a.clauses:
            if c.cls == FORECAST:
                # "X is expected to visit Y in July" also names a July visit/meeting
                own = _own_deadline(c)
                verb = c.verb.split()[0].lower() if c.verb else ""
                if own is not None and verb in EVENT_VERBS:
                    actors = people_in(s.text) | _actor_words(c.subject)
                    for noun in EVENT_VERBS[verb]:
                        registry.add(Mention(noun, frozenset(), actors, own.date, order, s.text))

    # "he said" / "it added": the speaker named in the sentences before
    last_person: Optional[str] = None
    last_thing: Optional[str] = None  # an institution or a report: what "it" refers to
    for s, a in analyses:
        if a.attributed_to and a.attributed_to.lower() in PRONOUN_SOURCES:
            pronoun = a.attributed_to.lower()
            found = last_thing if pronoun == "it" else last_person
            a.attributed_to = found or f"an unnamed source ('{a.attributed_to}')"
        elif a.attributed_to:
            if _PERSON.match(a.attributed_to):
                last_person = a.attributed_to
            else:
                last_thing = a.attributed_to
        speaker = named_speaker(s.text)
        if speaker:
            last_person = speaker
        m = _INSTITUTION_SUBJECT.match(s.text)
        if m:
            last_thing = m.group(0).strip()

    claims: list[Claim] = []
    horizon = doc_date + timedelta(days=horizon_days)
    carry: dict[int, tuple[date, str]] = {}
    last_conf_targets: list[Claim] = []
    for order, (s, a) in enumerate(analyses):
        if a.confidence_only:
            for c in last_conf_targets:
                if c.confidence is None:
                    c.confidence = a.confidence
            if include_all:
                claims.append(Claim(id="", cls=ESTIMATE, sentence=s.text, confidence=a.confidence, paragraph=s.block,
                                    note=a.note))
            continue
        endorsement = next((c for c in a.clauses if c.endorsement), None)
        if endorsement is not None and last_conf_targets:
            for target in last_conf_targets:
                _endorse(target, endorsement, lex, scale, s.text)
            if include_all:
                claims.append(_other_claim(s, a, lex, scale))
            continue
        made: list[Claim] = []
        for clause in a.clauses:
            if clause.cls != FORECAST:
                continue
            claim = _forecast_claim(s, a, clause, lex, scale, doc_date, registry, carry, horizon, order)
            if claim.deadline_source == "default horizon" and made \
                    and made[-1].deadline_source in ("explicit date", "relative expression") \
                    and not _OPEN_ENDED.search(clause.text):
                # "the planet is on track to warm by 3C by century's end, and temperatures could rise by
                # 2C even if ...": the time of the clause before covers the one that names none
                claim.deadline, claim.deadline_source = made[-1].deadline, made[-1].deadline_source
                claim.deadline_text = f"{made[-1].deadline_text} (carried from the clause before)"
            made.append(claim)
        if made:
            claims.extend(made)
            last_conf_targets = made
        elif include_all:
            claims.append(_other_claim(s, a, lex, scale))
            last_conf_targets = []
        else:
            last_conf_targets = []
    _assign_ids(claims)
    return claims


def _endorse(claim: Claim, clause: ClauseResult, lex: Lexicon, scale: str, sentence: str) -> None:
    """The assessment's own number for the claim before ("Reports claim X. We judge this is unlikely.")."""
    if claim.outcomes or clause.governing is None or clause.governing.percent is not None:
        return
    reading = lex.read(clause.governing.phrase, scale, negated=clause.negated)
    if reading is None:
        return
    claim.phrase = clause.phrase_as_written
    claim.probability, claim.band, claim.band_name, claim.scale = (
        reading.probability, reading.band.bounds, reading.band.name, reading.scale)
    claim.assessed = clause.governing.phrase.assessed
    claim.endorsed = claim.attributed_to is not None
    claim.rationale = f"from '{claim.phrase}' in the next sentence ({reading.source})"
    own = f"the assessment's own number, from: {sentence}"
    notes = [n for n in (claim.note or "").split("; ")
             if n and not n.startswith(("plain ", "unassessed possibility", "attributed to "))]
    if claim.attributed_to:
        notes.append(f"attributed to {claim.attributed_to}")
    if not claim.assessed:
        notes.insert(0, UNASSESSED_NOTE)
    claim.note = "; ".join(notes + [own])


def _actor_words(subject: str) -> frozenset[str]:
    """Content words of a clause subject ("the two presidents" -> {presidents})."""
    return frozenset(w for w in re.findall(r"[a-z][a-z'-]+", subject.lower()) if w not in STOPWORDS)


def _forecast_claim(s: Sentence, a: SentenceResult, c: ClauseResult, lex: Lexicon, scale: str, doc_date: date,
                    registry: Registry, carry: dict, horizon: date, order: int) -> Claim:
    notes: list[str] = []
    # --- deadline
    deadline: Optional[date] = None
    source = None
    dtext = None
    deadline_exprs = [e for e in c.time_exprs if e.is_deadline]
    has_after = any(e.bound in ("after", "since", "from", "following") and not e.past for e in c.time_exprs)
    refs = references_in(c.text)
    people = people_in(s.text) | _actor_words(c.subject)
    if c.alternatives and has_after:
        deadline_exprs = []
    not_until = False
    if deadline_exprs:
        chosen = max(deadline_exprs, key=lambda e: e.date) if c.alternatives else _latest_specific(deadline_exprs)
        deadline, dtext = chosen.date, chosen.text
        source = "explicit date" if chosen.kind == "explicit date" else "relative expression"
        not_until = chosen.bound in ("until", "till") and c.negated
        if not_until:
            deadline = _before_period(chosen)  # "not expected to return to target until 2025": before 2025
    if deadline is None:
        known = _known_calendar(c.text, doc_date)
        if known is not None:
            deadline, dtext = known
            source = "event in a known calendar"
    if deadline is None:
        for ref in refs:
            found = registry.lookup(ref, people, order)
            if found is not None:
                deadline, source, dtext = found.date, "event named in the text", ref.text
                break
    if deadline is None and s.block in carry:
        deadline, dtext = carry[s.block]
        source = "event named in the text"
        dtext = f"{dtext} (carried from the sentence before)"
    if deadline is None:
        deadline, source, dtext = horizon, "default horizon", None
        open_ended = _OPEN_ENDED.search(c.text)
        bound = _EVENT_BOUND.search(c.text)
        if open_ended:
            source, dtext = "horizon for an open-ended time", open_ended.group(0)
            notes.append(f"'{dtext}' names no time: the deadline is the horizon, set your own")
        elif bound:
            source, dtext = "event date not known", bound.group(0)
            notes.append(f"'{dtext}': the event's date is not in the text, set the deadline")
        later = [e.date for e in c.time_exprs if not e.past]
        if later and max(later) >= deadline:
            deadline = max(later) + timedelta(days=30)
            notes.append("default horizon moved past the last date named")
    if source == "event named in the text" and "carried" not in (dtext or ""):
        carry[s.block] = (deadline, dtext)

    # --- number
    gov = c.governing
    phrase_text = c.phrase_as_written or None
    probability: Union[float, dict, None] = None
    band = None
    band_name = None
    used_scale = None
    assessed = True
    rationale = None
    if gov is not None and gov.percent is not None:
        p = gov.percent if not c.negated else round(1 - gov.percent, 4)
        # the scale's word for the stated number (shared edges go to the band nearer to even odds)
        probability, band, used_scale, band_name = p, [p, p], "stated", lex.phrase_for(p, scale)
        rationale = f"from '{gov.text}' (a number stated in the text)"
    elif gov is not None:
        reading = lex.read(gov.phrase, scale, negated=c.negated)
        assessed = gov.phrase.assessed
        if reading is None:
            notes.append("'most likely' names the likeliest of several scenarios, not a band: set your own number")
        else:
            probability, band, used_scale, band_name = reading.probability, reading.band.bounds, reading.scale, reading.band.name
            rationale = f"from '{phrase_text}' ({reading.source})"
            if gov.phrase.note:
                notes.append(gov.phrase.note)
            if c.negated:
                notes.append("negated: the number is for the positive event")
    if gov is None:
        # "the Committee would act if ...", a headline's infinitive: no word of likelihood at all
        assessed = False
        notes.insert(0, "no estimative word in the text: set your own number")
    elif not assessed:
        notes.insert(0, UNASSESSED_NOTE)

    outcomes = None
    if c.alternatives:
        outcomes = _outcome_slugs(c.alternatives)
        outcomes.append("neither" if "neither" not in outcomes else "none-of-these")
        n_named = len(outcomes) - 1
        if not assessed or probability is None:
            shares = [1 / len(outcomes)] * len(outcomes)
            used_scale, band, band_name = "uniform", None, "even split"
            notes.append(f"options named but not weighed: the default spreads the probability evenly over the "
                         f"{len(outcomes)} outcomes")
            rationale = f"from '{phrase_text}': unassessed, split evenly over {len(outcomes)} outcomes"
        else:
            p = float(probability)
            shares = [p / n_named] * n_named + [1 - p]
            rationale = f"from '{phrase_text}' ({band_name}): the named options share {p:g}, 'neither' takes the rest"
        probability = dict(zip(outcomes, _round_vector(shares)))

    if a.attributed_to:
        notes.append(f"attributed to {a.attributed_to}: the source's words, no analyst forecast")
    for n in c.notes:
        if n not in notes:
            notes.append(n)

    condition, holds = (None, True)
    if c.condition:
        condition, holds = condition_statement(c.condition)
        notes.append(f"conditional: {'if' if holds else 'unless'} {condition}")
    event = _event_text(c)
    if deadline_exprs and not_until:
        event = re.sub(r"\b(?:until|till)\b", "before", event, count=1)  # the positive event: "returns before 2025"
    month = next((m for m in MONTH_NAMES[1:] if dtext and re.search(rf"\b{m}\b", dtext)), None)
    rest_wo_time = c.rest
    for e in c.time_exprs:
        rest_wo_time = rest_wo_time.replace(e.text, " ")
    slug = suggest_id(c.subject or event, c.verb, rest_wo_time, month=month, outcomes=outcomes)
    return Claim(
        id=slug,
        cls=FORECAST,
        sentence=s.text,
        event=event,
        phrase=phrase_text,
        probability=probability,
        band=band,
        band_name=band_name,
        scale=used_scale,
        assessed=assessed,
        negated=c.negated,
        confidence=a.confidence,
        deadline=deadline,
        deadline_source=source,
        deadline_text=dtext,
        attributed_to=a.attributed_to,
        outcomes=outcomes,
        tags=_tags(s.text),
        note="; ".join(notes) if notes else None,
        paragraph=s.block,
        rationale=rationale,
        condition=condition,
        condition_holds=holds,
    )


def _other_claim(s: Sentence, a: SentenceResult, lex: Lexicon, scale: str) -> Claim:
    phrase = None
    probability = band = band_name = used_scale = None
    assessed = None
    notes = []
    for c in a.clauses:
        if c.governing is not None:
            phrase = c.phrase_as_written
            if c.governing.percent is None:
                reading = lex.read(c.governing.phrase, scale, negated=c.negated)
                if reading is not None:
                    probability, band, band_name, used_scale = reading.probability, reading.band.bounds, reading.band.name, reading.scale
                assessed = c.governing.phrase.assessed
            notes.extend(c.notes)
            break
    if any(c.endorsement for c in a.clauses):
        notes = ["the assessment's own number for the claim before"]
    elif a.cls == ESTIMATE and not notes:
        notes.append("about the past or present: nothing to resolve later")
    return Claim(id="", cls=a.cls, sentence=s.text, phrase=phrase, probability=probability, band=band,
                 band_name=band_name, scale=used_scale, assessed=assessed, confidence=a.confidence,
                 attributed_to=a.attributed_to, paragraph=s.block, note="; ".join(notes) if notes else a.note)


def _round_vector(shares: list[float]) -> list[float]:
    """Round to 3 decimals; the last entry takes what makes the sum exactly 1."""
    rounded = [round(x, 3) for x in shares[:-1]]
    rounded.append(round(1 - sum(rounded), 3))
    return rounded


def clear_caches() -> None:
    """Forget the per-text caches (time expressions, names, tags); the lexicon
    and compiled patterns stay. For benchmarks that time repeated runs."""
    from .timex import _find_cached

    _find_cached.cache_clear()
    people_in.cache_clear()
    _tags_cached.cache_clear()


def document_title(text: str) -> Optional[str]:
    """The assessment's title: front-matter ``title`` or its first heading line."""
    return parse_document(text).title


def scenario_slug(title: Optional[str], doc_date: date, fallback: str = "assessment") -> str:
    """``Trump, Putin to meet`` + 2018-06-20 -> ``trump-putin-meet-2018``."""
    words = [w for w in re.findall(r"[A-Za-z0-9][\w'’-]*", title or "") if w.lower() not in STOPWORDS and w.lower() != "to"]
    base = slugify("-".join(words[:5])) or slugify(fallback) or "assessment"
    return f"{base}-{doc_date.year}"[:120]


__all__ = [
    "Claim",
    "clear_caches",
    "Document",
    "DEADLINE_SOURCES",
    "extract_claims",
    "find_document_date",
    "parse_document",
    "document_title",
    "scenario_slug",
    "slugify",
    "ATTRIBUTION",
    "BOILERPLATE",
    "ESTIMATE",
    "FACT",
    "FORECAST",
    "fmt_date",
]
