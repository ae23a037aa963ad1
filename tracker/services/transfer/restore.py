"""JSON restore: a JSON export loaded into an empty database, exactly (ids
and recording times included), after every record passed the checks of its
column types and the rules every other road applies (tracker.rules)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any, Callable, Optional

from ... import rules
from ...errors import ConflictError, FileFormatError, TrackerError, ValidationError
from ...models import SLUG_RE, check_text, utcnow
from ...storage import Store
from ...storage.bulk import CHUNK, reset_id_sequences
from ...storage.queries import chunked
from ..common import T_QUESTION, aware, check_json_value, parse_date, parse_datetime, parse_probability
from .export import FORMAT_NAME, FORMAT_VERSION, SETTINGS_KEY, TABLES

PROGRESS_EVERY = 20_000


def _is_empty(conn) -> bool:
    from sqlalchemy import select

    return all(conn.execute(select(table).limit(1)).first() is None for key, table, _ in TABLES if key != SETTINGS_KEY)


def _coerce_row(table, raw: Any, key: str, index: int) -> dict:
    """Check one JSON record against the table's columns and types."""
    from sqlalchemy import JSON, Boolean, Date, Float, Integer, String

    from ...models import UTCDateTime

    where = f"{key}[{index}]"
    if not isinstance(raw, dict):
        raise FileFormatError(f"{where}: expected an object")
    columns = {c.name: c for c in table.columns}
    unknown = [k for k in raw if k not in columns]
    if unknown:
        raise FileFormatError(f"{where}: unknown field {unknown[0]!r}")
    row: dict[str, Any] = {}
    for name, col in columns.items():
        value = raw.get(name)
        if value is None:
            if not col.nullable and not (col.primary_key and isinstance(col.type, Integer)):
                raise FileFormatError(f"{where}: field {name!r} is missing")
            row[name] = None
            continue
        typ = col.type
        try:
            if isinstance(typ, UTCDateTime):
                row[name] = parse_datetime(value, name)
            elif isinstance(typ, Date):
                row[name] = parse_date(value, name)
            elif isinstance(typ, Boolean):
                if not isinstance(value, bool):
                    raise ValidationError(f"{name} must be true or false")
                row[name] = value
            elif isinstance(typ, Integer):
                if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**62:
                    raise ValidationError(f"{name} must be a positive integer")
                row[name] = value
            elif isinstance(typ, Float):
                if isinstance(value, bool) or not isinstance(value, (int, float)):
                    raise ValidationError(f"{name} must be a number")
                row[name] = parse_probability(value, name)
            elif isinstance(typ, JSON):  # no NaN/infinity: PostgreSQL refuses them, exports could not be written
                row[name] = check_json_value(value, name)
            elif isinstance(typ, String):
                if not isinstance(value, str):
                    raise ValidationError(f"{name} must be text")
                row[name] = check_text(value, name, max_len=100_000)
            else:  # pragma: no cover - every column type is listed above
                row[name] = value
        except (ValidationError, ValueError) as exc:
            raise FileFormatError(f"{where}: {exc}") from None
    return row


def _check_json_semantics(data: dict[str, list[dict]]) -> None:
    """The rules a user's input must obey hold for imported rows too."""
    from ...models import check_outcomes, normalize_vector

    questions = {q["id"]: q for q in data["questions"]}
    for i, q in enumerate(data["questions"]):
        if not SLUG_RE.match(q["id"] or ""):
            try:
                rules.check_slug(q["id"], "question id")
            except ValueError as exc:
                raise FileFormatError(f"questions[{i}]: {exc}") from None
        outs = q["outcomes"]
        if not isinstance(outs, list) or len(outs) < 2 or not all(isinstance(o, str) for o in outs):
            raise FileFormatError(f"questions[{i}] ({q['id']}): outcomes must be a list of at least two names")
        if q["kind"] not in ("binary", "categorical") or (q["kind"] == "binary" and outs != ["yes", "no"]):
            raise FileFormatError(f"questions[{i}] ({q['id']}): kind/outcomes do not agree")
        if q["kind"] == "categorical":
            try:
                if check_outcomes(outs) != outs:
                    raise ValueError(f"outcome ids {outs!r} carry spaces")
            except ValueError as exc:
                raise FileFormatError(f"questions[{i}] ({q['id']}): {exc}") from None
    for i, f in enumerate(data["forecasts"]):
        q = questions.get(f["question_id"])
        if q is None:
            raise FileFormatError(f"forecasts[{i}]: unknown question {f['question_id']!r}")
        if q["kind"] == "binary":
            if f["probability"] is None or f["probabilities"] is not None:
                raise FileFormatError(f"forecasts[{i}]: binary question {q['id']!r} needs a probability")
        else:
            if f["probabilities"] is None or f["probability"] is not None or not isinstance(f["probabilities"], dict):
                raise FileFormatError(f"forecasts[{i}]: categorical question {q['id']!r} needs a probability vector")
            try:
                normalize_vector(q["outcomes"], f["probabilities"], f"forecasts[{i}]")
            except ValueError as exc:
                raise FileFormatError(str(exc)) from None
    for i, r in enumerate(data["resolutions"]):
        q = questions.get(r["question_id"])
        if q is None:
            raise FileFormatError(f"resolutions[{i}]: unknown question {r['question_id']!r}")
        if r["annulled"] != (r["outcome"] is None) or (r["outcome"] is not None and r["outcome"] not in q["outcomes"]):
            raise FileFormatError(f"resolutions[{i}]: outcome {r['outcome']!r} does not fit question {q['id']!r}")
        if not isinstance(r["evidence"], list):
            raise FileFormatError(f"resolutions[{i}]: evidence must be a list")


def _check_json_rules(data: dict[str, list[dict]], now: datetime) -> None:
    """A restore stores only what the other roads could have recorded: every
    row passes the rules of tracker.rules, judged at the time it was
    recorded (its ``created_at``/``recorded_at``), with the same messages."""
    questions = {q["id"]: q for q in data["questions"]}

    def at(where: str, check, *args, **kwargs):
        try:
            return check(*args, **kwargs)
        except TrackerError as exc:
            raise FileFormatError(f"{where}: {exc}") from None

    from ..week import team_zone

    # the deadline day ends at midnight in the team's zone, as the file's settings give it (UTC unless set)
    zone_name = next((r["value"] for r in data.get(SETTINGS_KEY) or [] if r.get("key") == "timezone"), "UTC")
    team_tz = at(SETTINGS_KEY, team_zone, {"timezone": zone_name})

    def recorded(where: str, when: datetime, field: str) -> None:
        if aware(when) > now + rules.CLOCK_SKEW:
            raise FileFormatError(f"{where}: {field} {aware(when).isoformat()} is in the future")

    for i, sc in enumerate(data["scenarios"]):
        where = f"scenarios[{i}] ({sc['id']})"
        at(where, check_slug_rule, sc["id"], "scenario id")
        at(where, rules.check_free_text, sc["title"], "title", max_len=rules.TITLE_MAX)
        for field in ("source_title", "source_origin"):
            at(where, rules.check_free_text, sc[field], field.replace("_", " "), max_len=rules.TITLE_MAX)
        at(where, rules.check_free_text, sc["description"], "description")
        recorded(where, sc["created_at"], "created_at")
    for i, a in enumerate(data["analysts"]):
        at(f"analysts[{i}]", check_stored_name, a["name"])
    for i, q in enumerate(data["questions"]):
        where = f"questions[{i}] ({q['id']})"
        text = at(where, rules.check_free_text, q["text"], "question text", max_len=rules.QUESTION_TEXT_MAX)
        if not text.strip():
            raise FileFormatError(f"{where}: question text is empty")
        for field in ("source_sentence", "phrase", "source_document"):
            at(where, rules.check_free_text, q[field], field.replace("_", " "))
        if q["scenario_id"] is not None:
            at(where, check_slug_rule, q["scenario_id"], "scenario id")
        recorded(where, q["created_at"], "created_at")
        at(where, rules.check_question_dates, q["id"], q["deadline"], q["opened_at"], aware(q["created_at"]))
        at(where, rules.check_question_links, q["id"], q["kind"], condition=q["condition_question_id"],
           condition_outcome=q["condition_outcome"], implies=q["implies_question_id"], lookup=questions.get,
           corrects=q.get("corrects_question_id"))
    cycle = rules.find_cycle({q["id"]: [r for r in (q["condition_question_id"], q["implies_question_id"],
                                                    q.get("corrects_question_id")) if r]
                              for q in data["questions"]})
    if cycle:
        raise FileFormatError(rules.cycle_message(cycle))
    for i, t in enumerate(data["question_tags"]):
        at(f"question_tags[{i}]", rules.check_tag, t["tag"])
    # resolutions: each question's chain in the order recorded
    chains: dict[str, list[dict]] = defaultdict(list)
    for i, r in enumerate(data["resolutions"]):
        qid = r["question_id"]
        where = f"resolutions[{i}] ({qid})"
        q = questions[qid]
        previous = chains[qid][-1] if chains[qid] else None
        if previous is not None and r["id"] is not None and previous["id"] is not None and r["id"] < previous["id"]:
            raise FileFormatError(f"{where}: resolutions are not in the order recorded (id {r['id']} after {previous['id']})")
        at(where, check_stored_name, r["recorded_by"], "recorded_by")
        for field in ("note", "reason"):
            at(where, rules.check_free_text, r[field], field)
        for line in r["evidence"]:
            at(where, rules.check_free_text, line, "evidence")
        recorded(where, r["recorded_at"], "recorded_at")
        if previous is not None and aware(r["recorded_at"]) < aware(previous["recorded_at"]):
            raise FileFormatError(f"{where}: recorded_at is before that of the resolution it follows")
        if r["annulled"]:
            at(where, rules.check_annulment, qid, r["reason"])
        at(where, rules.check_known_at, qid, r["known_at"], now=aware(r["recorded_at"]), opened_at=q["opened_at"],
           annulled=r["annulled"])
        at(where, rules.check_supersedes, qid, r["supersedes_id"], previous)
        if previous is not None:
            at(where, rules.check_correction, qid, r["reason"])
        chains[qid].append(r)
    for i, f in enumerate(data["forecasts"]):
        qid = f["question_id"]
        where = f"forecasts[{i}] ({qid})"
        q = questions[qid]
        at(where, check_stored_name, f["analyst"])
        at(where, rules.check_free_text, f["rationale"], "rationale")
        recorded(where, f["recorded_at"], "recorded_at")
        when = aware(f["recorded_at"])
        earlier = [r for r in chains[qid] if aware(r["recorded_at"]) < when]
        at(where, rules.check_forecast_open, qid, earlier[-1] if earlier else None)
        # recorded with its outcome (one import): made before the outcome became known
        together = next((r for r in chains[qid] if aware(r["recorded_at"]) == when), None)
        at(where, rules.check_forecast_time, qid, f["made_at"], deadline=q["deadline"], now=when,
           opened_at=q["opened_at"], known_at=together["known_at"] if together is not None else None,
           imported=f["imported"], tz=team_tz)


def check_slug_rule(value: str, what: str) -> str:
    from ...models import check_slug

    try:
        return check_slug(value, what)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None


def check_stored_name(name: str, what: str = "analyst name") -> str:
    """A stored name passes the rules as it is (no spaces left to strip)."""
    checked = rules.check_analyst_name(name, what)
    if checked != name:
        raise ValidationError(f"{what} {name!r} has leading or trailing spaces")
    return name


def import_json(store: Store, payload: Any, *, filename: str = "<input>",
                progress: Optional[Callable[[str, int, int], None]] = None) -> dict:
    """Load a JSON export into an empty database, exactly.

    ``progress(phase, done, total)``, if given, hears the records checked
    ("checking") and stored ("storing")."""
    if not isinstance(payload, dict) or payload.get("format") != FORMAT_NAME:
        raise FileFormatError(f"{filename}: not a forecast-tracker JSON export (no \"format\": \"{FORMAT_NAME}\")")
    if payload.get("version") != FORMAT_VERSION:
        raise FileFormatError(f"{filename}: export format version {payload.get('version')!r} is not supported")
    extra = set(payload) - {"format", "version", "schema", "exported_at"} - {k for k, _, _ in TABLES}
    if extra:
        raise FileFormatError(f"{filename}: unknown section {sorted(extra)[0]!r}")
    data: dict[str, list[dict]] = {}
    for key, _, _ in TABLES:
        if not isinstance(payload.get(key, []), list):
            raise FileFormatError(f"{filename}: {key} must be a list")
    total = sum(len(payload.get(key, [])) for key, _, _ in TABLES)
    done = 0
    for key, table, _ in TABLES:
        records = payload.get(key, [])
        rows = data[key] = []
        for i, raw in enumerate(records):
            rows.append(_coerce_row(table, raw, key, i))
            if progress is not None and i % PROGRESS_EVERY == 0:
                progress("checking", done + i, total)
        done += len(records)
    _check_json_semantics(data)
    _check_json_rules(data, utcnow())

    def work(conn):
        stored = 0
        if not _is_empty(conn):
            raise ConflictError(
                "JSON import needs an empty database (it restores a whole export); "
                "merge into a database with CSV or scenario files"
            )
        for key, table, _ in TABLES:
            rows = data[key]
            if key == SETTINGS_KEY and rows:
                conn.execute(table.delete())
            if key == "questions":
                # conditions and implications may point forward: insert, then link
                # (a condition's question and outcome go in together: the database checks the pair)
                links = [(r["id"], r["condition_question_id"], r["condition_outcome"], r["implies_question_id"],
                          r.get("corrects_question_id")) for r in rows]
                rows = [dict(r, condition_question_id=None, condition_outcome=None, implies_question_id=None,
                             corrects_question_id=None) for r in rows]
            for i, chunk in enumerate(chunked(rows, CHUNK)):
                conn.execute(table.insert(), chunk)
                stored += len(chunk)
                if progress is not None and i % 40 == 0:
                    progress("storing", stored, total)
            if key == "questions":
                for qid, cond, cond_outcome, imp, corrects in links:
                    if cond or cond_outcome or imp or corrects:
                        conn.execute(
                            T_QUESTION.update().where(T_QUESTION.c.id == qid).values(
                                condition_question_id=cond, condition_outcome=cond_outcome, implies_question_id=imp,
                                corrects_question_id=corrects,
                            )
                        )
        reset_id_sequences(conn, ("forecast", "resolution", "clarification"))
        if progress is not None:
            progress("storing", total, total)
        return {key: len(data[key]) for key, _, _ in TABLES}

    from sqlalchemy.exc import IntegrityError

    try:
        return store.run_write(work)
    except IntegrityError as exc:
        raise FileFormatError(f"{filename}: inconsistent export ({' '.join(str(exc.orig).split())[:200]})") from None


