"""Import and export: the lossless JSON dump and the forecast CSV.

JSON: ``export_json`` writes every row of every table (ids and recording
times included); ``import_json`` into an empty database reproduces it
exactly.

CSV: one row per binary forecast with the columns in ``CSV_COLUMNS``; the
whole file lands in one transaction or not at all.
"""

from __future__ import annotations

import csv
import io
import math
from collections import defaultdict
from datetime import date, datetime
from typing import Any, Callable, Optional

from ..errors import ConflictError, FileFormatError, TrackerError, ValidationError
from ..models import SLUG_RE, check_text, deadline_end, utcnow
from ..storage import HEAD, Store
from .common import (
    T_ANALYST,
    T_FORECAST,
    T_QUESTION,
    T_RESOLUTION,
    T_SCENARIO,
    T_TAG,
    aware,
    check_analyst_name,
    parse_binary_outcome,
    parse_date,
    parse_datetime,
    parse_probability,
)
from .log import CLOCK_SKEW

FORMAT_NAME = "forecast-tracker"
FORMAT_VERSION = 1
CSV_COLUMNS = ("question", "analyst", "probability", "made_at", "deadline", "text", "tags", "outcome", "known_at")
CSV_REQUIRED = ("question", "analyst", "probability")
CSV_FIELD_LIMIT = 1_000_000
CHUNK = 500


def decode_text(data: bytes, filename: str) -> str:
    if b"\x00" in data[:65536]:
        raise FileFormatError(f"{filename}: binary data (NUL byte), not a text file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileFormatError(f"{filename}: not UTF-8 text (bad byte at offset {exc.start})") from None


# ===================================================================== JSON

TABLES = (
    ("scenarios", T_SCENARIO, "id"),
    ("analysts", T_ANALYST, "name"),
    ("questions", T_QUESTION, "id"),
    ("question_tags", T_TAG, "question_id"),
    ("forecasts", T_FORECAST, "id"),
    ("resolutions", T_RESOLUTION, "id"),
)


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return aware(value).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    return value


def export_json(store: Store) -> dict:
    """Every row of every table, in primary-key order."""
    from sqlalchemy import select

    out: dict[str, Any] = {"format": FORMAT_NAME, "version": FORMAT_VERSION, "schema": HEAD}
    with store.read() as conn:
        for key, table, _ in TABLES:
            order = [c for c in table.primary_key.columns]
            rows = conn.execute(select(table).order_by(*order)).mappings()
            out[key] = [{k: _jsonable(v) for k, v in row.items()} for row in rows]
    return out


def _is_empty(conn) -> bool:
    from sqlalchemy import select

    return all(conn.execute(select(table).limit(1)).first() is None for _, table, _ in TABLES)


def _coerce_row(table, raw: Any, key: str, index: int) -> dict:
    """Check one JSON record against the table's columns and types."""
    from sqlalchemy import JSON, Boolean, Date, Float, Integer, String

    from ..models import UTCDateTime

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
            elif isinstance(typ, JSON):
                row[name] = value
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
    from ..models import normalize_vector

    questions = {q["id"]: q for q in data["questions"]}
    for i, q in enumerate(data["questions"]):
        if not SLUG_RE.match(q["id"] or ""):
            raise FileFormatError(f"questions[{i}]: id {q['id']!r} is not a valid id")
        outs = q["outcomes"]
        if not isinstance(outs, list) or len(outs) < 2 or not all(isinstance(o, str) for o in outs):
            raise FileFormatError(f"questions[{i}] ({q['id']}): outcomes must be a list of at least two names")
        if q["kind"] not in ("binary", "categorical") or (q["kind"] == "binary" and outs != ["yes", "no"]):
            raise FileFormatError(f"questions[{i}] ({q['id']}): kind/outcomes do not agree")
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


def import_json(store: Store, payload: Any, *, filename: str = "<input>") -> dict:
    """Load a JSON export into an empty database, exactly."""
    if not isinstance(payload, dict) or payload.get("format") != FORMAT_NAME:
        raise FileFormatError(f"{filename}: not a forecast-tracker JSON export (no \"format\": \"{FORMAT_NAME}\")")
    if payload.get("version") != FORMAT_VERSION:
        raise FileFormatError(f"{filename}: export format version {payload.get('version')!r} is not supported")
    extra = set(payload) - {"format", "version", "schema", "exported_at"} - {k for k, _, _ in TABLES}
    if extra:
        raise FileFormatError(f"{filename}: unknown section {sorted(extra)[0]!r}")
    data: dict[str, list[dict]] = {}
    for key, table, _ in TABLES:
        records = payload.get(key, [])
        if not isinstance(records, list):
            raise FileFormatError(f"{filename}: {key} must be a list")
        data[key] = [_coerce_row(table, raw, key, i) for i, raw in enumerate(records)]
    _check_json_semantics(data)

    def work(conn):
        if not _is_empty(conn):
            raise ConflictError(
                "JSON import needs an empty database (it restores a whole export); "
                "merge into a database with CSV or scenario files"
            )
        for key, table, _ in TABLES:
            rows = data[key]
            if key == "questions":
                # conditions and implications may point forward: insert, then link
                links = [(r["id"], r["condition_question_id"], r["implies_question_id"]) for r in rows]
                rows = [dict(r, condition_question_id=None, implies_question_id=None) for r in rows]
            for start in range(0, len(rows), CHUNK):
                conn.execute(table.insert(), rows[start : start + CHUNK])
            if key == "questions":
                for qid, cond, imp in links:
                    if cond or imp:
                        conn.execute(
                            T_QUESTION.update().where(T_QUESTION.c.id == qid).values(
                                condition_question_id=cond, implies_question_id=imp
                            )
                        )
        if conn.dialect.name == "postgresql":
            for table in ("forecast", "resolution"):
                conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
                )
        return {key: len(data[key]) for key, _, _ in TABLES}

    from sqlalchemy.exc import IntegrityError

    try:
        return store.run_write(work)
    except IntegrityError as exc:
        raise FileFormatError(f"{filename}: inconsistent export ({' '.join(str(exc.orig).split())[:200]})") from None


# ====================================================================== CSV


class _Row:
    __slots__ = ("line", "question", "analyst", "probability", "made_at", "explicit_time", "deadline", "text", "tags", "outcome", "known_at")


def _read_csv_rows(text: str, filename: str, now: datetime) -> list[_Row]:
    csv.field_size_limit(CSV_FIELD_LIMIT)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise FileFormatError(f"{filename}: empty file (a header row is required)") from None
    except csv.Error as exc:
        raise FileFormatError(f"{filename}: line 1: {exc}") from None
    names = [h.strip().lower() for h in header]
    for n in names:
        if n not in CSV_COLUMNS:
            raise FileFormatError(f"{filename}: unknown column {n!r} (known: {', '.join(CSV_COLUMNS)})")
    seen = set()
    for n in names:
        if n in seen:
            raise FileFormatError(f"{filename}: column {n!r} appears twice")
        seen.add(n)
    for n in CSV_REQUIRED:
        if n not in names:
            raise FileFormatError(f"{filename}: required column {n!r} is missing")
    idx = {n: names.index(n) for n in names}
    width = len(names)
    get = {n: idx.get(n) for n in CSV_COLUMNS}
    rows: list[_Row] = []
    analysts_ok: set[str] = set()
    dt_cache: dict[str, datetime] = {}
    date_cache: dict[str, date] = {}
    line = 1
    try:
        for record in reader:
            line = reader.line_num
            if not record or (len(record) == 1 and not record[0].strip()):
                continue
            if len(record) != width:
                raise FileFormatError(f"{filename}: line {line}: {len(record)} fields, header has {width}")
            r = _Row()
            r.line = line
            try:
                q = record[get["question"]].strip()
                if not SLUG_RE.match(q):
                    raise ValidationError(f"question id {q!r} is not a valid id")
                r.question = q
                a = record[get["analyst"]]
                if a not in analysts_ok:
                    a = check_analyst_name(a)
                    analysts_ok.add(a)
                r.analyst = a.strip()
                r.probability = parse_probability(record[get["probability"]])
                m = record[get["made_at"]].strip() if get["made_at"] is not None else ""
                if m:
                    dt = dt_cache.get(m)
                    if dt is None:
                        dt = dt_cache[m] = parse_datetime(m, "made_at")
                    r.made_at, r.explicit_time = dt, True
                else:
                    r.made_at, r.explicit_time = now, False
                d = record[get["deadline"]].strip() if get["deadline"] is not None else ""
                if d:
                    dd = date_cache.get(d)
                    if dd is None:
                        dd = date_cache[d] = parse_date(d, "deadline")
                    r.deadline = dd
                else:
                    r.deadline = None
                t = record[get["text"]].strip() if get["text"] is not None else ""
                r.text = check_text(t, "text", max_len=2000) if t else None
                tg = record[get["tags"]] if get["tags"] is not None else ""
                r.tags = tuple(sorted({check_text(x.strip(), "tag", max_len=120, allow_newlines=False) for x in tg.split(";") if x.strip()})) if tg.strip() else None
                o = record[get["outcome"]].strip() if get["outcome"] is not None else ""
                if o:
                    word = parse_binary_outcome(o)
                    if word is None:
                        raise ValidationError(f"outcome {o!r} is not yes/no/1/0/true/false")
                    r.outcome = word
                else:
                    r.outcome = None
                k = record[get["known_at"]].strip() if get["known_at"] is not None else ""
                r.known_at = parse_datetime(k, "known_at") if k else None
            except (ValidationError, ValueError) as exc:
                raise FileFormatError(f"{filename}: line {line}: {exc}") from None
            rows.append(r)
    except csv.Error as exc:
        raise FileFormatError(f"{filename}: line {line}: {exc}") from None
    return rows


def import_csv(
    store: Store,
    data: bytes,
    *,
    filename: str = "<input>",
    recorded_by: str,
    now: Optional[datetime] = None,
    progress: Optional[Callable[[int], None]] = None,
) -> dict:
    """Import forecasts (and outcomes) from CSV; all or nothing."""
    now = now or utcnow()
    text = decode_text(data, filename)
    rows = _read_csv_rows(text, filename, now)
    by_question: dict[str, list[_Row]] = defaultdict(list)
    for r in rows:
        by_question[r.question].append(r)

    def work(conn):
        return _apply_csv(conn, by_question, filename, recorded_by, now, progress)

    return store.run_write(work)


def _apply_csv(conn, by_question, filename, recorded_by, now, progress) -> dict:
    from sqlalchemy import select

    from .log import insert_resolution

    qids = list(by_question)
    existing: dict[str, Any] = {}
    resolved: dict[str, Any] = {}
    have: set[tuple] = set()
    latest_p: dict[tuple, float] = {}  # (question, analyst) -> latest recorded probability
    for start in range(0, len(qids), CHUNK):
        chunk = qids[start : start + CHUNK]
        for row in conn.execute(select(T_QUESTION).where(T_QUESTION.c.id.in_(chunk))).mappings():
            existing[row["id"]] = row
        for row in conn.execute(
            select(T_RESOLUTION.c.question_id, T_RESOLUTION.c.outcome, T_RESOLUTION.c.annulled, T_RESOLUTION.c.known_at, T_RESOLUTION.c.id)
            .where(T_RESOLUTION.c.question_id.in_(chunk)).order_by(T_RESOLUTION.c.id)
        ).mappings():
            resolved[row["question_id"]] = row
    existing_ids = [q for q in qids if q in existing]
    from .common import tags_of

    existing_tags = tags_of(conn, existing_ids)
    for start in range(0, len(existing_ids), CHUNK):
        chunk = existing_ids[start : start + CHUNK]
        for qid, analyst, made_at, p in conn.execute(
            select(T_FORECAST.c.question_id, T_FORECAST.c.analyst, T_FORECAST.c.made_at, T_FORECAST.c.probability).where(
                T_FORECAST.c.question_id.in_(chunk)
            ).order_by(T_FORECAST.c.made_at, T_FORECAST.c.id)
        ):
            have.add((qid, analyst, aware(made_at), p))
            latest_p[(qid, analyst)] = p

    new_questions, new_tags, forecasts, outcomes = [], [], [], []
    skipped = 0
    analysts: set[str] = set()
    for qid, qrows in by_question.items():
        first = qrows[0]
        deadlines = {r.deadline for r in qrows if r.deadline is not None}
        texts = {r.text for r in qrows if r.text is not None}
        tagsets = {r.tags for r in qrows if r.tags is not None}
        for label, values in (("deadline", deadlines), ("text", texts), ("tags", tagsets)):
            if len(values) > 1:
                raise ValidationError(f"{filename}: question {qid!r} has conflicting {label} values in the file")
        q = existing.get(qid)
        if q is None:
            if not deadlines:
                raise ValidationError(f"{filename}: line {first.line}: question {qid!r} does not exist and has no deadline")
            deadline = deadlines.pop()
            opened = min(r.made_at for r in qrows)
            late = next((r for r in qrows if r.made_at >= deadline_end(deadline)), None)
            if late is not None:
                raise ValidationError(f"{filename}: line {late.line}: made_at {late.made_at.date()} is after the deadline of {qid!r} ({deadline})")
            q = {"id": qid, "kind": "binary", "outcomes": ["yes", "no"], "deadline": deadline, "opened_at": opened}
            new_questions.append(
                dict(id=qid, text=texts.pop() if texts else qid, kind="binary", outcomes=["yes", "no"], ordered=False,
                     deadline=deadline, opened_at=opened, created_at=now, scenario_id=None, source_sentence=None,
                     phrase=None, source_document=None, condition_question_id=None, condition_outcome=None,
                     implies_question_id=None, extra=None)
            )
            new_tags.extend({"question_id": qid, "tag": t} for t in (tagsets.pop() if tagsets else ()))
        else:
            if q["kind"] != "binary":
                raise ValidationError(f"{filename}: line {first.line}: question {qid!r} is categorical; the CSV carries binary forecasts only")
            if deadlines and deadlines != {q["deadline"]}:
                raise ConflictError(f"{filename}: line {first.line}: deadline of {qid!r} differs from the recorded {q['deadline']}")
            if texts and texts != {q["text"]}:
                raise ConflictError(f"{filename}: line {first.line}: text of {qid!r} differs from the recorded question")
            if tagsets:
                recorded = tuple(sorted(existing_tags.get(qid, [])))
                if tagsets != {recorded}:
                    raise ConflictError(
                        f"{filename}: line {first.line}: tags of {qid!r} ({';'.join(next(iter(tagsets)))}) differ from the recorded ({';'.join(recorded)})"
                    )
        file_outcomes = {r.outcome for r in qrows if r.outcome is not None}
        if len(file_outcomes) > 1:
            with_outcome = [r for r in qrows if r.outcome is not None]
            clash = next(r for r in with_outcome if r.outcome != with_outcome[0].outcome)
            raise ValidationError(
                f"{filename}: line {clash.line}: question {qid!r} has conflicting outcomes in the file "
                f"({with_outcome[0].outcome} on line {with_outcome[0].line}, {clash.outcome} on line {clash.line})"
            )
        if not file_outcomes:
            stray = next((r for r in qrows if r.known_at is not None), None)
            if stray is not None:
                raise ValidationError(f"{filename}: line {stray.line}: known_at given for {qid!r} without an outcome")
        known_values = {r.known_at for r in qrows if r.known_at is not None}
        if len(known_values) > 1:
            raise ValidationError(f"{filename}: question {qid!r} has conflicting known_at values in the file")
        prior = resolved.get(qid)
        known_at = known_values.pop() if known_values else None
        end = deadline_end(q["deadline"])
        seen_rows: set[tuple] = set()
        for r in sorted(qrows, key=lambda r: r.made_at):
            key = (qid, r.analyst, r.made_at, r.probability)
            # a row without made_at means "now": it is already present when it
            # repeats the analyst's latest recorded forecast (re-importing adds nothing)
            if key in have or key in seen_rows or (not r.explicit_time and latest_p.get((qid, r.analyst)) == r.probability):
                skipped += 1
                continue
            seen_rows.add(key)
            where = f"{filename}: line {r.line}"
            if prior is not None:
                raise ValidationError(f"{where}: question {qid!r} is already resolved: no more forecasts")
            if r.made_at > now + CLOCK_SKEW:
                raise ValidationError(f"{where}: made_at {r.made_at.isoformat()} is in the future")
            if r.made_at >= end:
                raise ValidationError(f"{where}: made_at {r.made_at.date()} is after the deadline of {qid!r} ({q['deadline']})")
            if known_at is not None and r.made_at > known_at:
                raise ValidationError(f"{where}: made_at {r.made_at.isoformat()} is after the outcome of {qid!r} became known")
            analysts.add(r.analyst)
            forecasts.append((qid, r.analyst, r.probability, r.made_at, now, r.explicit_time))
        if file_outcomes:
            outcome = file_outcomes.pop()
            if prior is not None:
                if prior["annulled"] or prior["outcome"] != outcome:
                    was = "annulled" if prior["annulled"] else prior["outcome"]
                    raise ConflictError(f"{filename}: question {qid!r} is already resolved as {was}, the file says {outcome}")
                continue
            latest = max((r.made_at for r in qrows), default=q["opened_at"])
            if known_at is None:
                known_at = min(max(latest, end), now)
            if known_at > now + CLOCK_SKEW:
                raise ValidationError(f"{filename}: known_at of {qid!r} is in the future")
            outcomes.append((qid, outcome, known_at, next(r.line for r in qrows if r.outcome is not None)))

    from .common import ensure_analysts

    ensure_analysts(conn, analysts, now)
    for start in range(0, len(new_questions), CHUNK):
        conn.execute(T_QUESTION.insert(), new_questions[start : start + CHUNK])
    for start in range(0, len(new_tags), CHUNK):
        conn.execute(T_TAG.insert(), new_tags[start : start + CHUNK])
    insert_forecasts(conn, forecasts, source="csv", progress=progress)
    for qid, outcome, known_at, line in outcomes:
        try:
            insert_resolution(conn, qid, outcome, known_at=known_at, recorded_by=recorded_by, source="csv", now=now)
        except TrackerError as exc:  # name the file and line; the transaction rolls back
            raise type(exc)(f"{filename}: line {line}: {exc}") from None
    return {
        "rows": sum(len(v) for v in by_question.values()),
        "questions_created": len(new_questions),
        "forecasts_added": len(forecasts),
        "forecasts_already_present": skipped,
        "resolutions_added": len(outcomes),
    }


def insert_forecasts(conn, forecasts: list[tuple], *, source: str, progress=None, rationale=None) -> None:
    """Bulk insert binary forecasts given as
    (question_id, analyst, probability, made_at, recorded_at, imported) tuples."""
    keys = ("question_id", "analyst", "probability", "made_at", "recorded_at", "imported")
    batch = 5000
    for start in range(0, len(forecasts), batch):
        chunk = forecasts[start : start + batch]
        conn.execute(
            T_FORECAST.insert(),
            [dict(zip(keys, f), probabilities=None, rationale=rationale, source=source) for f in chunk],
        )
        if progress is not None:
            progress(len(chunk))


def export_csv(store: Store) -> tuple[str, int]:
    """Binary forecasts as CSV; returns the text and the number of categorical
    forecasts left out (the CSV format carries binary forecasts only)."""
    from sqlalchemy import func, select

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    latest = (
        select(T_RESOLUTION.c.question_id, func.max(T_RESOLUTION.c.id).label("rid"))
        .group_by(T_RESOLUTION.c.question_id).subquery()
    )
    r = T_RESOLUTION.alias("r")
    f, q = T_FORECAST, T_QUESTION
    stmt = (
        select(f.c.question_id, f.c.analyst, f.c.probability, f.c.made_at, q.c.deadline, q.c.text, r.c.outcome, r.c.annulled, r.c.known_at)
        .select_from(f.join(q, q.c.id == f.c.question_id))
        .outerjoin(latest, latest.c.question_id == f.c.question_id)
        .outerjoin(r, r.c.id == latest.c.rid)
        .where(q.c.kind == "binary")
        .order_by(f.c.question_id, f.c.made_at, f.c.id)
    )
    with store.read() as conn:
        from .common import tags_of

        rows = conn.execute(stmt).all()
        tags = tags_of(conn, sorted({row[0] for row in rows}))
        skipped = conn.execute(
            select(func.count()).select_from(f.join(q, q.c.id == f.c.question_id)).where(q.c.kind != "binary")
        ).scalar()
    for qid, analyst, p, made_at, deadline, text, outcome, annulled, known_at in rows:
        resolved = outcome is not None and not annulled
        writer.writerow([
            qid, analyst, repr(float(p)) if not math.isnan(p) else "", _jsonable(made_at), deadline.isoformat(),
            text, ";".join(tags[qid]), outcome if resolved else "", _jsonable(known_at) if resolved else "",
        ])
    return out.getvalue(), int(skipped or 0)
