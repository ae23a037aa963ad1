"""Scenario and resolution files: import (idempotent, all or nothing) and
export (a scenario file that imports back to the same state)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Optional

from .. import rules
from ..errors import ConflictError, FileFormatError, NotFoundError, ValidationError
from ..files.yamlio import dump_yaml, load_yaml
from ..models import utcnow
from ..storage import Store
from ..storage.queries import chunked
from ..storage.guards import FROZEN_COLUMNS  # what a resolution freezes (the database refuses it too)
from .common import (
    T_FORECAST,
    T_QUESTION,
    T_SCENARIO,
    T_TAG,
    aware,
    check_analyst_name,
    check_free_text,
    check_json_value,
    current_resolution,
    ensure_analysts,
    parse_datetime,
    question_row,
    tags_of,
)
from .log import check_forecast_time, check_links, check_forecast_value, insert_question, insert_resolution, resolve_outcome, validate_question
from .transfer import decode_text
from .week import zone_of

# Fields that define what was forecast: they cannot change once forecasts exist.
DEFINING = ("text", "kind", "outcomes", "ordered", "deadline", "condition_question_id", "condition_outcome", "implies_question_id",
            "criteria")  # criteria: once forecast, changed only by a clarification (tracker clarify)


def _as_datetime(value: Any, what: str) -> datetime:
    """A date, datetime or ISO text from a file, in UTC and in range (years
    1900-9998); YAML's own timestamps go through the same checks as text."""
    return parse_datetime(value, what)


def import_yaml(store: Store, data: bytes, *, filename: str, recorded_by: str, now: Optional[datetime] = None,
                accept_defaults: bool = False) -> dict:
    """Import a scenario file (has ``questions``) or a resolution file (has ``resolutions``).

    A draft from ``tracker extract`` whose questions still hold values marked
    ``extraction.unconfirmed`` (numbers that did not come from the text) is
    refused, naming them, unless ``accept_defaults``."""
    doc = load_yaml(decode_text(data, filename), filename)
    if not isinstance(doc, dict):
        raise FileFormatError(f"{filename}: expected a mapping with 'questions' (a scenario) or 'resolutions' (a resolution file)")
    if "resolutions" in doc:
        return import_resolutions(store, doc, filename=filename, recorded_by=recorded_by, now=now)
    if "questions" in doc or "id" in doc:
        if not accept_defaults:
            _refuse_unconfirmed(doc, filename)
        return import_scenario(store, doc, filename=filename, now=now)
    raise FileFormatError(f"{filename}: expected 'questions' (a scenario file) or 'resolutions' (a resolution file)")


# ----------------------------------------------------------------- scenario


def _refuse_unconfirmed(doc: dict, filename: str) -> None:
    questions = doc.get("questions")
    if not isinstance(questions, list) or not any(
        isinstance(q, dict) and isinstance(q.get("extraction"), dict) and "unconfirmed" in q["extraction"]
        for q in questions
    ):
        return
    from ..extract.draft import unconfirmed_entries  # only for drafts: the extractor is slow to import

    found = unconfirmed_entries(doc)
    if found:
        shown = "; ".join(found[:12]) + (f"; and {len(found) - 12} more" if len(found) > 12 else "")
        raise FileFormatError(
            f"{filename}: {len(found)} value(s) did not come from the text and are not confirmed: {shown}. "
            "Edit them (or delete their 'unconfirmed' marks), or pass --accept-defaults to import them as they are"
        )


def parse_scenario(doc: dict, filename: str):
    from pydantic import ValidationError as PydanticError

    from ..files.schemas import ScenarioFile, error_location

    try:
        return ScenarioFile.model_validate(doc)
    except PydanticError as exc:
        raise FileFormatError(f"{filename}: {error_location(exc, doc)}") from None


def _question_data(entry, scenario) -> dict:
    opened = entry.opened
    if opened is None and scenario.source is not None and scenario.source.date is not None:
        opened = scenario.source.date
    made = [_as_datetime(f.made_at, "made_at") for f in entry.forecasts]
    opened_dt = _as_datetime(opened, "opened") if opened is not None else None
    if made and entry.opened is None:
        # only a default opening (none, or the scenario's source date) moves back to the first forecast;
        # an opening declared on the question is kept, and forecasts before it count from it
        first = min(made)
        opened_dt = first if opened_dt is None else min(opened_dt, first)
    extra = check_json_value(dict(entry.extraction), "extraction") if entry.extraction else {}
    if entry.joint:
        extra["joint_question_id"] = entry.joint
    return {
        "id": entry.id,
        "text": entry.text,
        "deadline": entry.deadline,
        "outcomes": entry.outcomes,
        "ordered": entry.ordered,
        "opened_at": opened_dt,
        "scenario_id": scenario.id,
        "tags": entry.tags,
        "source_sentence": entry.sentence,
        "phrase": entry.phrase,
        "source_document": (scenario.source.title or scenario.source.origin) if scenario.source else None,
        "condition_question_id": entry.condition.question if entry.condition else None,
        "condition_outcome": entry.condition.outcome if entry.condition else None,
        "implies_question_id": entry.implies,
        "extra": extra or None,
        "criteria": entry.criteria,
        "corrects_question_id": entry.corrects,
    }


def _dependency_order(entries: list) -> list:
    """Questions before the ones whose condition/implies/joint point at them."""
    by_id = {e.id: e for e in entries}
    order, state = [], {}

    def visit(e, path):
        if state.get(e.id) == "done":
            return
        if state.get(e.id) == "busy":
            raise ValidationError(rules.cycle_message(path + [e.id]))
        state[e.id] = "busy"
        for ref in (e.condition.question if e.condition else None, e.implies, e.joint, e.corrects):
            if ref in by_id:
                visit(by_id[ref], path + [e.id])
        state[e.id] = "done"
        order.append(e)

    for e in entries:
        visit(e, [])
    return order


def import_scenario(store: Store, doc: dict, *, filename: str, now: Optional[datetime] = None) -> dict:
    now = now or utcnow()
    scenario = parse_scenario(doc, filename)
    try:
        check_free_text(scenario.title, "title", max_len=2000)
        check_free_text(scenario.description, "description")
        if scenario.source is not None:
            check_free_text(scenario.source.title, "source title", max_len=2000)
            check_free_text(scenario.source.origin, "source origin", max_len=2000)
    except ValidationError as exc:
        raise FileFormatError(f"{filename}: {exc}") from None
    for entry in scenario.questions:
        try:
            validate_question(_question_data(entry, scenario))
            for f in entry.forecasts:
                check_free_text(f.rationale, f"rationale of {f.analyst}'s forecast")
        except ValidationError as exc:
            raise FileFormatError(f"{filename}: question {entry.id}: {exc}") from None

    def work(conn):
        return _apply_scenario(conn, scenario, filename, now)

    from .admin import explain_refusal

    with explain_refusal(store, "import"):
        return store.run_write(work)


def _apply_scenario(conn, scenario, filename: str, now: datetime) -> dict:
    from sqlalchemy import select

    counts = {"questions_created": 0, "questions_updated": 0, "forecasts_added": 0, "forecasts_already_present": 0}
    src = scenario.source
    values = dict(
        title=scenario.title,
        source_title=src.title if src else None,
        source_date=src.date if src else None,
        source_origin=src.origin if src else None,
        description=scenario.description,
    )
    row = conn.execute(select(T_SCENARIO).where(T_SCENARIO.c.id == scenario.id)).mappings().first()
    if row is None:
        conn.execute(T_SCENARIO.insert().values(id=scenario.id, created_at=now, **values))
        counts["scenario"] = "created"
    elif any(_differs(row[k], v) for k, v in values.items()):
        conn.execute(T_SCENARIO.update().where(T_SCENARIO.c.id == scenario.id).values(**values))
        counts["scenario"] = "updated"
    else:
        counts["scenario"] = "unchanged"

    analysts = {f.analyst for e in scenario.questions for f in e.forecasts}
    ensure_analysts(conn, analysts, now)
    team_tz = zone_of(conn)  # a deadline day ends at midnight in the team's zone
    for entry in _dependency_order(scenario.questions):
        where = f"{filename}: question {entry.id}"
        q = validate_question(_question_data(entry, scenario))
        existing = conn.execute(select(T_QUESTION).where(T_QUESTION.c.id == entry.id)).mappings().first()
        try:
            if existing is None:
                insert_question(conn, q, now)
                counts["questions_created"] += 1
            else:
                if counts_update := _update_question(conn, existing, q, where):
                    counts["questions_updated"] += counts_update
            _check_joint(conn, entry)
        except (ValidationError, NotFoundError, ConflictError) as exc:
            raise type(exc)(f"{where}: {exc}") from None
        question = conn.execute(select(T_QUESTION).where(T_QUESTION.c.id == entry.id)).mappings().first()
        have = {
            (a, aware(m), p if p is not None else tuple(sorted((v or {}).items())))
            for a, m, p, v in conn.execute(
                select(T_FORECAST.c.analyst, T_FORECAST.c.made_at, T_FORECAST.c.probability, T_FORECAST.c.probabilities).where(
                    T_FORECAST.c.question_id == entry.id
                )
            )
        }
        recorded_times = {(a, m) for a, m, _ in have}  # forecasts stored before this import
        resolution = current_resolution(conn, entry.id)
        for i, f in enumerate(entry.forecasts):
            fwhere = f"{where}, forecast {i + 1} ({f.analyst})"
            try:
                probability, vector = check_forecast_value(question, f.probability)
            except ValidationError as exc:
                raise ValidationError(f"{fwhere}: {exc}") from None
            made = _as_datetime(f.made_at, "made_at")
            key = (f.analyst, made, probability if probability is not None else tuple(sorted(vector.items())))
            if key in have:
                counts["forecasts_already_present"] += 1
                continue
            if (f.analyst, made) in recorded_times:
                raise ConflictError(
                    f"{fwhere}: a different forecast by {f.analyst} made at {made.isoformat()} is already recorded: "
                    "changing it would rewrite history; add a revision with a later made_at instead"
                )
            try:
                check_forecast_time(question, resolution, made, now, imported=True, tz=team_tz)
            except ValidationError as exc:
                raise ValidationError(f"{fwhere}: {exc}") from None
            conn.execute(
                T_FORECAST.insert().values(
                    question_id=entry.id, analyst=f.analyst, probability=probability, probabilities=vector,
                    made_at=made, recorded_at=now, imported=True, rationale=f.rationale, source=f"scenario:{scenario.id}",
                )
            )
            have.add(key)
            counts["forecasts_added"] += 1
    counts["summary"] = (
        f"scenario {scenario.id} {counts['scenario']}; {counts['questions_created']} questions created, "
        f"{counts['questions_updated']} updated; {counts['forecasts_added']} forecasts added "
        f"({counts['forecasts_already_present']} already present)"
    )
    return counts


def _check_joint(conn, entry) -> None:
    """``joint`` names an existing binary question, on a binary conditional question."""
    from sqlalchemy import select

    if not entry.joint:
        return
    if entry.condition is None:
        raise ValidationError("'joint' is only meaningful on a conditional question (set 'condition')")
    if entry.joint == entry.id:
        raise ValidationError("'joint' cannot name the question itself")
    row = conn.execute(select(T_QUESTION.c.kind).where(T_QUESTION.c.id == entry.joint)).first()
    if row is None:
        raise NotFoundError(f"joint names unknown question {entry.joint!r}")
    if row[0] != "binary" or entry.outcomes is not None:
        raise ValidationError("'joint' links two binary questions")


def _show(value: Any) -> str:
    """A recorded value for a message: dates in ISO 8601."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return repr(value)


def _update_question(conn, existing, q, where: str) -> int:
    """Apply metadata edits; refuse edits that would rewrite what was forecast."""
    from sqlalchemy import func, select

    new = {
        "text": q.text, "kind": q.kind, "outcomes": q.outcome_list, "ordered": bool(q.ordered and q.kind == "categorical"),
        "deadline": q.deadline, "condition_question_id": q.condition_question_id,
        "condition_outcome": q.condition_outcome, "implies_question_id": q.implies_question_id,
        "criteria": q.criteria,
    }
    if existing.get("corrects_question_id") != q.corrects_question_id and existing.get("corrects_question_id") is not None:
        raise ConflictError(
            f"corrects {existing['corrects_question_id']!r} as recorded; a correction link is fixed once made "
            f"(the file says {q.corrects_question_id!r})"
        )
    if existing.get("corrects_question_id") is None and q.corrects_question_id is not None:
        raise ConflictError(
            f"already exists without a correction link; a correction is a new question: give it a new id "
            f"and 'corrects: {q.corrects_question_id}'"
        )
    changed = [k for k in DEFINING if _differs(existing[k], new[k]) and not (k == "outcomes" and list(existing[k]) == new[k])]
    if changed:
        n = conn.execute(select(func.count()).select_from(T_FORECAST).where(T_FORECAST.c.question_id == q.id)).scalar()
        if n:
            field = changed[0]
            raise ConflictError(
                f"{field} differs from the recorded question ({_show(existing[field])} -> {_show(new[field])}) and it already has "
                f"{n} forecasts: that would rewrite history; make a new question instead (with 'corrects: {q.id}')"
            )
        if existing["scenario_id"] not in (None, q.scenario_id):
            raise ConflictError(f"belongs to scenario {existing['scenario_id']!r}")
        check_links(conn, q)
    meta = {"source_sentence": q.source_sentence, "phrase": q.phrase, "extra": q.extra, "scenario_id": q.scenario_id}
    if existing["scenario_id"] not in (None, q.scenario_id):
        raise ConflictError(f"already belongs to scenario {existing['scenario_id']!r}")
    updates = {k: v for k, v in {**new, **meta}.items() if _differs(existing[k], v) and not (k == "outcomes" and list(existing[k]) == v)}
    if q.opened_at is not None and aware(q.opened_at) < aware(existing["opened_at"]):
        # a revision dated before the question opened moves the opening back, as on a first import
        updates["opened_at"] = aware(q.opened_at)
    frozen = [k for k in updates if k in FROZEN_COLUMNS]
    resolution = current_resolution(conn, q.id) if frozen else None
    if resolution is not None:
        field = frozen[0]
        state = "annulled" if resolution["annulled"] else f"resolved ({resolution['outcome']})"
        raise ConflictError(
            f"the question is already {state} and its definition frozen: {field} differs from the recorded "
            f"({_show(existing[field])} -> {_show(updates[field])}); record a correction as a new question "
            f"with 'corrects: {q.id}'"
        )
    tags_now = tags_of(conn, [q.id])[q.id]
    if updates:
        conn.execute(T_QUESTION.update().where(T_QUESTION.c.id == q.id).values(**updates))
    tags_differ = sorted({t.strip() for t in tags_now}) != sorted(q.tags)
    if tags_differ:
        conn.execute(T_TAG.delete().where(T_TAG.c.question_id == q.id))
        if q.tags:
            conn.execute(T_TAG.insert(), [{"question_id": q.id, "tag": t} for t in q.tags])
    return int(bool(updates) or tags_differ)


def _differs(stored, new) -> bool:
    """Whether a file's value differs from the stored one. A file's text is read with its leading and
    trailing white space removed; a stored text may still carry it (an older import, a JSON restore), so
    texts are compared the same way: exporting a scenario and importing it back changes nothing."""
    if isinstance(stored, str) and isinstance(new, str):
        return stored.strip() != new.strip()
    return stored != new


def export_scenario(store: Store, scenario_id: str) -> dict:
    """The scenario as a scenario-file dict (every forecast revision included)."""
    from sqlalchemy import select

    with store.read() as conn:
        srow = conn.execute(select(T_SCENARIO).where(T_SCENARIO.c.id == scenario_id)).mappings().first()
        if srow is None:
            raise NotFoundError(f"no scenario with id {scenario_id!r}")
        questions = conn.execute(
            select(T_QUESTION).where(T_QUESTION.c.scenario_id == scenario_id).order_by(T_QUESTION.c.created_at, T_QUESTION.c.id)
        ).mappings().all()
        tags = tags_of(conn, [q["id"] for q in questions])
        forecasts: dict[str, list] = {q["id"]: [] for q in questions}
        ids = list(forecasts)
        for chunk in chunked(ids):
            for f in conn.execute(
                select(T_FORECAST).where(T_FORECAST.c.question_id.in_(chunk)).order_by(T_FORECAST.c.made_at, T_FORECAST.c.id)
            ).mappings():
                forecasts[f["question_id"]].append(f)
    doc: dict[str, Any] = {"id": srow["id"], "title": srow["title"]}
    source = {k: v for k, v in (("title", srow["source_title"]), ("date", srow["source_date"]), ("origin", srow["source_origin"])) if v is not None}
    if source:
        doc["source"] = source
    if srow["description"]:
        doc["description"] = srow["description"]
    doc["questions"] = []
    for q in questions:
        entry: dict[str, Any] = {"id": q["id"], "text": q["text"], "deadline": q["deadline"]}
        if q["kind"] == "categorical":
            entry["outcomes"] = list(q["outcomes"])
            if q["ordered"]:
                entry["ordered"] = True
        entry["opened"] = _compact_time(aware(q["opened_at"]))
        if tags[q["id"]]:
            entry["tags"] = tags[q["id"]]
        if q["source_sentence"]:
            entry["sentence"] = q["source_sentence"]
        if q["phrase"]:
            entry["phrase"] = q["phrase"]
        if q["criteria"]:
            entry["criteria"] = q["criteria"]
        if q["condition_question_id"]:
            entry["condition"] = {"question": q["condition_question_id"], "outcome": q["condition_outcome"]}
        if q["implies_question_id"]:
            entry["implies"] = q["implies_question_id"]
        if q.get("corrects_question_id"):
            entry["corrects"] = q["corrects_question_id"]
        extra = dict(q["extra"] or {})
        if extra.get("joint_question_id"):
            entry["joint"] = extra.pop("joint_question_id")
        if extra:
            entry["extraction"] = extra
        entry["forecasts"] = [
            {k: v for k, v in (
                ("analyst", f["analyst"]),
                ("probability", f["probability"] if f["probability"] is not None else dict(f["probabilities"])),
                ("made_at", _compact_time(aware(f["made_at"]))),
                ("rationale", f["rationale"]),
            ) if v is not None}
            for f in forecasts[q["id"]]
        ]
        doc["questions"].append(entry)
    return doc


def _compact_time(dt: datetime):
    """A date when the time is midnight UTC, else the full datetime."""
    if dt.hour == dt.minute == dt.second == dt.microsecond == 0:
        return dt.date()
    return dt


def export_scenario_yaml(store: Store, scenario_id: str) -> str:
    return dump_yaml(export_scenario(store, scenario_id))


# -------------------------------------------------------------- resolutions


def parse_resolution_file(doc: dict, filename: str):
    from pydantic import ValidationError as PydanticError

    from ..files.schemas import ResolutionFile, error_location

    try:
        return ResolutionFile.model_validate(doc)
    except PydanticError as exc:
        raise FileFormatError(f"{filename}: {error_location(exc, doc)}") from None


ANNUL_WORDS = ("annulled", "annul", "void")  # as insert_resolution reads them


def _conditions_first(conn, entries: list) -> list:
    """Entries ordered so that a condition question is resolved before the
    questions conditional on it (whose automatic annulment depends on it)."""
    from sqlalchemy import select

    in_file = {e.question for e in entries}
    parent: dict[str, str] = {}
    ids = sorted(in_file)
    for chunk in chunked(ids):
        for qid, cond in conn.execute(
            select(T_QUESTION.c.id, T_QUESTION.c.condition_question_id).where(T_QUESTION.c.id.in_(chunk))
        ):
            if cond in in_file:
                parent[qid] = cond

    def depth(qid: str) -> int:
        seen, n = {qid}, 0
        while qid in parent and parent[qid] not in seen:
            qid = parent[qid]
            seen.add(qid)
            n += 1
        return n

    return sorted(entries, key=lambda e: depth(e.question))  # stable: file order otherwise


def import_resolutions(store: Store, doc: dict, *, filename: str, recorded_by: str, now: Optional[datetime] = None) -> dict:
    """Apply every entry of a resolution file in one transaction, or none."""
    now = now or utcnow()
    rfile = parse_resolution_file(doc, filename)
    try:
        reviewer = check_analyst_name(rfile.reviewer) if rfile.reviewer else recorded_by
    except ValidationError as exc:
        raise FileFormatError(f"{filename}: reviewer: {exc}") from None

    def work(conn):
        counts = {"resolved": 0, "annulled": 0, "superseded": 0, "unchanged": 0, "left_blank": 0, "auto_annulled": [],
                  "still_annulled": []}
        for entry in _conditions_first(conn, rfile.resolutions):
            where = f"{filename}: question {entry.question}"
            if entry.outcome is None:
                counts["left_blank"] += 1
                continue
            try:
                known = _as_datetime(entry.known_at, "known_at") if entry.known_at is not None else None
                question = question_row(conn, entry.question, lock=True)
                prior = current_resolution(conn, entry.question)
                if prior is not None:
                    annul = entry.outcome.strip().lower() in ANNUL_WORDS
                    outcome = None if annul else resolve_outcome(question, entry.outcome)
                    same = bool(prior["annulled"]) == annul and prior["outcome"] == outcome
                    if same and (annul or known is None or aware(prior["known_at"]) == known):
                        counts["unchanged"] += 1  # re-import, also of an applied correction
                        continue
                if prior is not None and not entry.supersede:
                    was = (f"annulled ({prior['reason']})" if prior["reason"] else "annulled") if prior["annulled"] \
                        else f"resolved as {prior['outcome']!r}"
                    raise ConflictError(
                        f"already {was} (recorded {aware(prior['recorded_at']):%Y-%m-%d} by {prior['recorded_by']}); "
                        "to change it set supersede: true with a reason"
                    )
                result = insert_resolution(
                    conn, entry.question, entry.outcome, known_at=known, recorded_by=reviewer,
                    evidence=entry.evidence, note=entry.note, reason=entry.reason, supersede=entry.supersede,
                    source=f"resolutions:{rfile.period or filename}", now=now, fields=("reason", "known_at"),
                )
            except (ValidationError, NotFoundError, ConflictError) as exc:
                raise type(exc)(f"{where}: {exc}") from None
            if result["supersedes_id"]:
                counts["superseded"] += 1
            elif result["annulled"]:
                counts["annulled"] += 1
            else:
                counts["resolved"] += 1
            counts["auto_annulled"].extend(result["annulled_dependents"])
            counts["still_annulled"].extend(result["still_annulled_dependents"])
        counts["summary"] = (
            f"{counts['resolved']} resolved, {counts['annulled']} annulled, {counts['superseded']} corrected, "
            f"{counts['unchanged']} unchanged, {counts['left_blank']} left blank"
            + (f"; annulled because their condition failed: {', '.join(counts['auto_annulled'])}" if counts["auto_annulled"] else "")
            + (f"; still annulled though their condition holds now (resolve them with supersede): "
               f"{', '.join(counts['still_annulled'])}" if counts["still_annulled"] else "")
        )
        return counts

    from .admin import explain_refusal

    with explain_refusal(store, "resolve"):
        return store.run_write(work)

