"""Claims -> a draft scenario file (the dict that ``dump_yaml`` writes).

The shape is the scenario file of :mod:`tracker.files` (see DESIGN.md)::

    id, title, source: {title, date, origin}, questions: [
      {id, text, deadline, [outcomes, ordered], tags, sentence, phrase,
       extraction: {scale, band, band_name, assessed, confidence, attributed_to,
                    deadline_source, deadline_text, note[, suggested_probability]},
       forecasts: [{analyst, probability, made_at, rationale}] or []}]

Only forecasts become questions. A question gets a forecast from the
assessment's own voice; an attributed claim ("reports claim", "CNN sources
said") gets none (``forecasts: []``) and keeps the number its source's words
stand for as ``extraction.suggested_probability``, for the analyst to adopt or
not - unless the assessment's own voice gives a number right after it ("We
judge this is unlikely"), which becomes the forecast (``endorsed: true``). Unassessed possibilities (may/could/might) do get the default number,
with ``assessed: false`` and the note "unassessed possibility: set your own
number". A claim with no number at all ("the most likely outcome") gets no
forecast either.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Iterable, Optional

from ..errors import ValidationError
from .claims import FORECAST, Claim

_SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]{0,119}$")
DEFAULT_ANALYST = "assessment"


def _fresh(d: Optional[date]) -> Optional[date]:
    """A new date object: YAML writers turn one object used twice into an alias
    (``&id001``/``*id001``), which the tracker's YAML reader refuses."""
    return None if d is None else date(d.year, d.month, d.day)


def _check_slug(value: str, what: str) -> str:
    if not isinstance(value, str) or not _SLUG.match(value):
        raise ValidationError(
            f"{what} {value!r} is not a valid id: use 1-120 lowercase letters, digits, '.', '_' or '-'"
        )
    return value


def question_for(claim: Claim, *, doc_date: date, analyst: str = DEFAULT_ANALYST) -> dict[str, Any]:
    """One scenario-file question for a forecast claim."""
    q: dict[str, Any] = {"id": claim.id, "text": claim.event or claim.sentence, "deadline": _fresh(claim.deadline)}
    if claim.outcomes:
        q["outcomes"] = list(claim.outcomes)
        q["ordered"] = False
    q["tags"] = list(claim.tags)
    q["sentence"] = claim.sentence
    q["phrase"] = claim.phrase
    extraction: dict[str, Any] = {
        "scale": claim.scale,
        "band": list(claim.band) if claim.band is not None else None,
        "band_name": claim.band_name,
        "assessed": claim.assessed,
        "confidence": claim.confidence,
        "attributed_to": claim.attributed_to,
        "deadline_source": claim.deadline_source,
        "deadline_text": claim.deadline_text,
        "note": claim.note,
    }
    if claim.endorsed:
        extraction["endorsed"] = True
    forecasts: list[dict[str, Any]] = []
    if claim.probability is not None:
        if claim.attributed_to is None or claim.endorsed:
            forecasts.append({
                "analyst": analyst,
                "probability": dict(claim.probability) if isinstance(claim.probability, dict) else claim.probability,
                "made_at": _fresh(doc_date),
                "rationale": _rationale(claim),
            })
        else:
            extraction["suggested_probability"] = (
                dict(claim.probability) if isinstance(claim.probability, dict) else claim.probability
            )
    unconfirmed = _unconfirmed(claim, forecasts)
    if unconfirmed:
        extraction["unconfirmed"] = unconfirmed
    q["extraction"] = extraction
    q["forecasts"] = forecasts
    return q


def _unconfirmed(claim: Claim, forecasts: list[dict[str, Any]]) -> dict[str, Any]:
    """The numbers of a question that did not come from the text, with why.

    ``tracker import`` refuses a draft while a marked value is unchanged (see
    :func:`unconfirmed_entries`); editing the value or deleting its mark
    confirms it."""
    marks: dict[str, Any] = {}
    if forecasts and claim.assessed is False:
        marks["probability"] = {
            "value": forecasts[0]["probability"],
            "why": f"reader-survey default for '{claim.phrase}', which the text does not assess",
        }
    if claim.deadline is not None and claim.deadline_source in UNCONFIRMED_DEADLINES:
        why = claim.deadline_source
        if claim.deadline_text:
            why += f' for "{claim.deadline_text}"'
        marks["deadline"] = {"value": claim.deadline.isoformat(), "why": why}
    return marks


UNCONFIRMED_DEADLINES = ("default horizon", "horizon for an open-ended time", "event date not known")


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    try:
        return abs(float(a) - float(b)) < 1e-9
    except (TypeError, ValueError):
        return str(a).strip() == str(b).strip()


def unconfirmed_entries(doc: Any) -> list[str]:
    """``question-id: probability 0.5 (why)`` for every value of a scenario file
    (as read from YAML) still marked ``extraction.unconfirmed`` and not edited
    since the draft was written."""
    found: list[str] = []
    questions = doc.get("questions") if isinstance(doc, dict) else None
    for q in questions if isinstance(questions, list) else []:
        if not isinstance(q, dict) or not isinstance(q.get("extraction"), dict):
            continue
        marks = q["extraction"].get("unconfirmed")
        if not isinstance(marks, dict):
            continue
        for what in ("probability", "deadline"):
            mark = marks.get(what)
            if not isinstance(mark, dict) or "value" not in mark:
                continue
            if what == "deadline":
                current = q.get("deadline")
                current = current.isoformat() if isinstance(current, date) else current
            else:
                forecasts = q.get("forecasts") or []
                if not forecasts or not isinstance(forecasts[0], dict):
                    continue
                current = forecasts[0].get("probability")
            if current is not None and _same(current, mark["value"]):
                why = f" ({mark['why']})" if mark.get("why") else ""
                found.append(f"{q.get('id')}: {what} {_show(current)}{why}")
    return found


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {v}" for k, v in value.items()) + "}"
    return str(value)


def condition_question(claim: Claim, *, doc_date: date) -> dict[str, Any]:
    """The proposed question for a conditional forecast's condition: no forecast of its own
    (the text gives none), the forecast's deadline, marked for the analyst to confirm."""
    from .claims import slugify

    text = claim.condition[:1].upper() + claim.condition[1:]
    slug = slugify(claim.condition, max_len=48) or "condition"
    deadline = claim.deadline or doc_date
    return {
        "id": f"if-{slug}",
        "text": text,
        "deadline": _fresh(deadline),
        "tags": list(claim.tags),
        "sentence": claim.sentence,
        "extraction": {
            "proposed_condition": True,
            "note": "the condition of a conditional forecast in the text: edit its wording and deadline",
            "unconfirmed": {"deadline": {"value": deadline.isoformat(),
                                         "why": "the deadline of the forecast that depends on it"}},
        },
        "forecasts": [],
    }


def _rationale(claim: Claim) -> str:
    text = claim.rationale or f"from '{claim.phrase}'"
    if claim.assessed is False:
        text += "; unassessed possibility: set your own number"
    if claim.confidence:
        text += f"; {claim.confidence} confidence (not part of the number)"
    return text


def draft_scenario(
    claims: Iterable[Claim],
    *,
    scenario_id: str,
    title: str,
    doc_date: date,
    origin: Optional[str] = None,
    analyst: str = DEFAULT_ANALYST,
) -> dict[str, Any]:
    """A draft scenario (dict) holding one question per forecast claim."""
    _check_slug(scenario_id, "scenario id")
    if not isinstance(title, str) or not title.strip():
        raise ValidationError("scenario title is empty")
    if not isinstance(analyst, str) or not analyst.strip() or "\n" in analyst:
        raise ValidationError(f"analyst name {analyst!r} is empty or not one line")
    if not isinstance(doc_date, date):
        raise ValidationError(f"doc_date must be a date, not {type(doc_date).__name__}")
    questions = []
    used: set[str] = set()
    conditions: dict[str, dict[str, Any]] = {}
    by_event: dict[str, dict[str, Any]] = {}  # a forecast question whose event another forecast is conditional on

    def fresh_id(base: str) -> str:
        qid, n = base, 2
        while qid in used:
            qid = f"{base}-{n}"
            n += 1
        _check_slug(qid, "question id")
        used.add(qid)
        return qid

    for claim in claims:
        if claim.cls != FORECAST:
            continue
        q = question_for(claim, doc_date=doc_date, analyst=analyst.strip())
        q["id"] = fresh_id(q["id"])
        if claim.condition:
            # a conditional forecast: on a proposed question for its condition (one per condition)
            key = " ".join(claim.condition.lower().split())
            cq = conditions.get(key) or by_event.get(key)
            if cq is None:
                cq = condition_question(claim, doc_date=doc_date)
                cq["id"] = fresh_id(cq["id"])
                conditions[key] = cq
                questions.append(cq)
            elif claim.deadline and cq["deadline"] < claim.deadline:
                cq["deadline"] = _fresh(claim.deadline)
            q["condition"] = {"question": cq["id"], "outcome": "yes" if claim.condition_holds else "no"}
        elif not claim.outcomes and claim.event:
            by_event.setdefault(" ".join(claim.event.lower().split()), q)
        questions.append(q)
    source: dict[str, Any] = {"title": title.strip(), "date": _fresh(doc_date)}
    if origin:
        source["origin"] = origin
    return {"id": scenario_id, "title": title.strip(), "source": source, "questions": questions}
