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
import re
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from operator import itemgetter
from typing import Any, Callable, Optional

from .. import rules
from ..errors import ConflictError, FileFormatError, TrackerError, ValidationError
# one text-decoding policy for every file read (UTF-8, a BOM allowed, no binary data)
from ..importers.common_csv import decode as decode_text
from ..jsonable import jsonable as _jsonable  # the one JSON encoder
from ..models import SLUG_RE, check_text, deadline_end, utcnow
from ..storage import HEAD, Store
from .common import (
    T_ANALYST,
    T_CLARIFICATION,
    T_SETTING,
    T_FORECAST,
    T_QUESTION,
    T_RESOLUTION,
    T_SCENARIO,
    T_TAG,
    aware,
    check_analyst_name,
    check_json_value,
    parse_binary_outcome,
    parse_date,
    parse_datetime,
    parse_probability,
    paused_gc,
)
from .log import CLOCK_SKEW

UTC = timezone.utc
FORMAT_NAME = "forecast-tracker"
FORMAT_VERSION = 1
CSV_COLUMNS = ("question", "analyst", "probability", "made_at", "deadline", "text", "tags", "outcome", "known_at")
CSV_REQUIRED = ("question", "analyst", "probability")
CSV_FIELD_LIMIT = 1_000_000

# A spreadsheet reads a cell that begins with one of these as a formula
# (OWASP, "CSV Injection"): the export writes such a text cell with a ' in
# front (shown by spreadsheets, not evaluated), and the import takes one '
# off a cell that begins with ' then one of these, so files round-trip. A
# cell that already begins with ' before one of them gets one more, which
# keeps the rule reversible.
FORMULA_START = re.compile(r"^'*[=+\-@\t\r]")


def csv_cell_safe(value: str) -> str:
    """``value`` as a spreadsheet shows it without evaluating it."""
    return "'" + value if FORMULA_START.match(value) else value


def csv_cell_read(value: str) -> str:
    """The inverse of :func:`csv_cell_safe` (a plain cell is returned as is)."""
    return value[1:] if value[:1] == "'" and FORMULA_START.match(value[1:]) else value
CHUNK = 500


# ===================================================================== JSON

TABLES = (
    ("scenarios", T_SCENARIO, "id"),
    ("analysts", T_ANALYST, "name"),
    ("questions", T_QUESTION, "id"),
    ("question_tags", T_TAG, "question_id"),
    ("forecasts", T_FORECAST, "id"),
    ("resolutions", T_RESOLUTION, "id"),
    ("clarifications", T_CLARIFICATION, "id"),
    ("team_settings", T_SETTING, "key"),
)
# settings have defaults a user may set before restoring an export: a
# restore replaces them, and they do not make a database "not empty"
SETTINGS_KEY = "team_settings"


EXPORT_CHUNK_ROWS = 5_000  # rows read (and text handed to the writer) at a time


def _records(conn, table):
    """A table's rows in primary-key order, as JSON-ready dicts, a chunk at a time."""
    from sqlalchemy import select

    result = conn.execute(select(table).order_by(*table.primary_key.columns)).mappings()
    while True:
        rows = result.fetchmany(EXPORT_CHUNK_ROWS)
        if not rows:
            return
        yield [{k: _jsonable(v) for k, v in row.items()} for row in rows]


def export_json(store: Store) -> dict:
    """Every row of every table, in primary-key order."""
    out: dict[str, Any] = {"format": FORMAT_NAME, "version": FORMAT_VERSION, "schema": HEAD}
    with store.read() as conn:
        for key, table, _ in TABLES:
            out[key] = [record for chunk in _records(conn, table) for record in chunk]
    return out


def export_json_text(store: Store, *, progress: Optional[Callable[[str, int, int], None]] = None):
    """:func:`export_json` as JSON text, in pieces, read and written a chunk
    of rows at a time (memory does not grow with the database): one record
    per line, the document as a whole the same JSON value.
    ``progress(phase, done, total)`` hears the rows written ("exporting")."""
    import json
    from sqlalchemy import func, select

    def encode(record: dict) -> str:
        return json.dumps(record, ensure_ascii=False, allow_nan=False)

    with store.read() as conn:
        total = sum(conn.execute(select(func.count()).select_from(table)).scalar() or 0 for _, table, _ in TABLES)
        done = 0
        yield (f'{{\n  "format": {json.dumps(FORMAT_NAME)},\n  "version": {FORMAT_VERSION},\n'
               f'  "schema": {json.dumps(HEAD)}')
        for key, table, _ in TABLES:
            first = True
            yield f',\n  "{key}": ['
            for chunk in _records(conn, table):
                yield ("\n    " if first else ",\n    ") + ",\n    ".join(map(encode, chunk))
                first = False
                done += len(chunk)
                if progress is not None:
                    progress("exporting", done, total)
            yield "]" if first else "\n  ]"
        yield "\n}\n"


def _is_empty(conn) -> bool:
    from sqlalchemy import select

    return all(conn.execute(select(table).limit(1)).first() is None for key, table, _ in TABLES if key != SETTINGS_KEY)


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
    from ..models import check_outcomes, normalize_vector

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
           imported=f["imported"])


def check_slug_rule(value: str, what: str) -> str:
    from ..models import check_slug

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
            for start in range(0, len(rows), CHUNK):
                chunk = rows[start : start + CHUNK]
                conn.execute(table.insert(), chunk)
                stored += len(chunk)
                if progress is not None and start % (40 * CHUNK) == 0:
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
        if conn.dialect.name == "postgresql":
            for table in ("forecast", "resolution", "clarification"):
                conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
                )
        if progress is not None:
            progress("storing", total, total)
        return {key: len(data[key]) for key, _, _ in TABLES}

    from sqlalchemy.exc import IntegrityError

    try:
        return store.run_write(work)
    except IntegrityError as exc:
        raise FileFormatError(f"{filename}: inconsistent export ({' '.join(str(exc.orig).split())[:200]})") from None


# ====================================================================== CSV
#
# The CSV path is a bulk path (DESIGN.md, convention 5): it parses each
# distinct value once (caches keyed by the raw text), keeps times as the
# canonical naive-UTC text SQLAlchemy stores on SQLite ('YYYY-MM-DD
# HH:MM:SS.ffffff', which sorts as it orders in time), and writes through the
# DBAPI: ``executemany`` on SQLite, ``COPY`` on PostgreSQL. The checks and
# their messages are those of the one-row-at-a-time path it replaced.

# one parsed row: (line, analyst, probability, made_at, explicit_time, info),
# info = (deadline, text, tags, outcome, known_at), one shared tuple for each
# distinct combination in the file
_LINE, _ANALYST, _P, _MADE, _EXPLICIT, _INFO = range(6)
_DEADLINE, _TEXT, _TAGS, _OUTCOME, _KNOWN = range(5)
PROGRESS_EVERY = 20_000
_JSON_NULL = "null"  # what SQLAlchemy's JSON type stores for None (none_as_null=False)
_BINARY_JSON = '["yes", "no"]'  # json.dumps(["yes", "no"]), as SQLAlchemy serializes it


def _ts(dt: datetime) -> str:
    """A datetime as the canonical naive-UTC text (SQLAlchemy's SQLite storage format)."""
    if dt.tzinfo is not None:
        dt = dt.astimezone(UTC).replace(tzinfo=None)
    return dt.isoformat(" ", "microseconds")


def _dt(text: str) -> datetime:
    """Canonical text back to an aware UTC datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


_ZERO = timedelta(0)
_UTC_SUFFIXES = frozenset(("", "Z", "+00:00"))


def _parse_ts(s: str, what: str) -> str:
    """``parse_datetime(s, what)`` as canonical text. The common shapes (a
    datetime with no zone, or UTC) take a short cut with the same result;
    anything else, and every error, goes through ``parse_datetime``."""
    if len(s) != 10:
        try:
            dt = datetime.fromisoformat(s)
        except ValueError:
            dt = None
        if dt is not None and 1900 <= dt.year <= 9998 and not s.endswith("z"):
            if (
                len(s) in (19, 20, 25) and s[19:] in _UTC_SUFFIXES and s[4] == "-" and s[7] == "-" and s[10] in "T " and s[13] == ":"
                and s[16] == ":" and s[11:13] < "24" and s.isascii()
            ):  # 'YYYY-MM-DDTHH:MM:SS' (+ 'Z' or '+00:00'), checked by fromisoformat
                return f"{s[:10]} {s[11:19]}.000000"
            if dt.tzinfo is None:
                return dt.isoformat(" ", "microseconds")
            if dt.utcoffset() == _ZERO:
                return dt.replace(tzinfo=None).isoformat(" ", "microseconds")
    return _ts(parse_datetime(s, what))


def _stored_ts(value: Any) -> str:
    """A made_at as read from the database (SQLite text or a datetime) -> canonical text."""
    if isinstance(value, str):
        if len(value) == 26:
            return value
        value = datetime.fromisoformat(value)
    return _ts(aware(value))


def _read_csv_rows(text: str, filename: str, now: datetime, progress=None) -> dict[str, list[tuple]]:
    """Parse and check every row; the rows grouped by question (in order of
    first appearance), each a tuple indexed by ``_LINE`` ... ``_INFO``."""
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
    iq, ia, ip = idx["question"], idx["analyst"], idx["probability"]
    im = idx.get("made_at")
    # the question-level columns are checked together, once per distinct combination
    present = [idx[n] for n in ("deadline", "text", "tags", "outcome", "known_at") if n in idx]
    get_info = itemgetter(*present) if present else (lambda record: ())
    parse_info = _info_parser(idx)
    now_ts = _ts(now)
    total = text.count("\n") + (not text.endswith("\n")) if progress is not None else 0
    # caches: raw text -> checked value (each distinct value is checked once)
    q_ok: dict[str, str] = {}
    a_ok: dict[str, str] = {}
    p_ok: dict[str, float] = {}
    m_ok: dict[str, Optional[str]] = {}
    info_ok: dict[Any, tuple] = {}
    by_question: dict[str, list[tuple]] = {}
    rows: list[tuple] = []
    last_q = None
    next_report = PROGRESS_EVERY if progress is not None else float("inf")
    line = 1
    try:
        for record in reader:
            line = reader.line_num
            if len(record) != width:
                if not record or (len(record) == 1 and not record[0].strip()):
                    continue
                raise FileFormatError(f"{filename}: line {line}: {len(record)} fields, header has {width}")
            if width == 1 and not record[0].strip():
                continue  # a blank line in a one-column file
            try:
                raw = record[iq]
                q = q_ok.get(raw)
                if q is None:
                    q = raw.strip()
                    if not SLUG_RE.match(q):
                        rules.check_slug(q, "question id")  # raises, with the message of every road
                    q_ok[raw] = q
                raw = record[ia]
                a = a_ok.get(raw)
                if a is None:
                    a = a_ok[raw] = check_analyst_name(csv_cell_read(raw))
                raw = record[ip]
                p = p_ok.get(raw)
                if p is None:
                    p = p_ok[raw] = parse_probability(raw)
                if im is not None:
                    raw = record[im]
                    m = m_ok.get(raw, False)
                    if m is False:
                        s = raw.strip()
                        m = m_ok[raw] = _parse_ts(s, "made_at") if s else None
                else:
                    m = None
                raw = get_info(record)
                info = info_ok.get(raw)
                if info is None:
                    info = info_ok[raw] = parse_info(record)
            except (ValidationError, ValueError) as exc:
                raise FileFormatError(f"{filename}: line {line}: {exc}") from None
            if q is not last_q:  # files usually hold each question's rows together
                rows = by_question.get(q)
                if rows is None:
                    rows = by_question[q] = []
                last_q = q
            rows.append((line, a, p, now_ts, False, info) if m is None else (line, a, p, m, True, info))
            if line >= next_report:
                progress("reading", min(line, total), total)
                next_report = line + PROGRESS_EVERY
    except csv.Error as exc:
        raise FileFormatError(f"{filename}: line {line}: {exc}") from None
    if progress is not None:
        progress("reading", total, total)
    return by_question


def _info_parser(idx: dict[str, int]) -> Callable[[list], tuple]:
    """A function checking a row's question-level columns, in column order,
    into (deadline, text, tags, outcome, known_at)."""
    idl, itx, itg, io_, ik = (idx.get(n) for n in ("deadline", "text", "tags", "outcome", "known_at"))
    d_ok: dict[str, Optional[date]] = {}
    t_ok: dict[str, Optional[str]] = {}
    g_ok: dict[str, Optional[tuple]] = {}
    o_ok: dict[str, Optional[str]] = {}
    k_ok: dict[str, Optional[str]] = {}

    def parse(record: list) -> tuple:
        d = t = tg = o = k = None
        if idl is not None:
            raw = record[idl]
            d = d_ok.get(raw, False)
            if d is False:
                s = raw.strip()
                d = d_ok[raw] = parse_date(s, "deadline") if s else None
        if itx is not None:
            raw = record[itx]
            t = t_ok.get(raw, False)
            if t is False:
                s = csv_cell_read(raw.strip())
                t = t_ok[raw] = check_text(s, "text", max_len=2000) if s else None
        if itg is not None:
            raw = record[itg]
            tg = g_ok.get(raw, False)
            if tg is False:
                tg = g_ok[raw] = tuple(sorted({check_text(x.strip(), "tag", max_len=120, allow_newlines=False) for x in csv_cell_read(raw.strip()).split(";") if x.strip()})) if raw.strip() else None
        if io_ is not None:
            raw = record[io_]
            o = o_ok.get(raw, False)
            if o is False:
                s = raw.strip()
                if s:
                    o = parse_binary_outcome(s)
                    if o is None:
                        raise ValidationError(f"outcome {s!r} is not yes/no/1/0/true/false")
                else:
                    o = None
                o_ok[raw] = o
        if ik is not None:
            raw = record[ik]
            k = k_ok.get(raw, False)
            if k is False:
                s = raw.strip()
                k = k_ok[raw] = _parse_ts(s, "known_at") if s else None
        return (d, t, tg, o, k)

    return parse


def import_csv(
    store: Store,
    data: bytes,
    *,
    filename: str = "<input>",
    recorded_by: str,
    now: Optional[datetime] = None,
    progress: Optional[Callable[[str, int, int], None]] = None,
) -> dict:
    """Import forecasts (and outcomes) from CSV; all or nothing.

    ``progress(phase, done, total)``, if given, is called now and then while
    the file is read (phase "reading", in lines), checked against the
    database ("checking", in questions) and stored ("storing", in
    forecasts)."""
    now = now or utcnow()
    text = decode_text(data, filename)
    with paused_gc():  # millions of small tuples, no cycles
        by_question = _read_csv_rows(text, filename, now, progress)

        def work(conn):
            return _apply_csv(conn, by_question, filename, recorded_by, now, progress)

        from .admin import explain_refusal

        with explain_refusal(store, "import"):
            return store.run_write(work)


def _existing_state(conn, qids: list[str]):
    """What the database already holds for the file's questions."""
    from sqlalchemy import String, select, type_coerce

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
    made = type_coerce(T_FORECAST.c.made_at, String) if conn.dialect.name == "sqlite" else T_FORECAST.c.made_at
    for start in range(0, len(existing_ids), CHUNK):
        chunk = existing_ids[start : start + CHUNK]
        result = conn.execute(
            select(T_FORECAST.c.question_id, T_FORECAST.c.analyst, made, T_FORECAST.c.probability)
            .where(T_FORECAST.c.question_id.in_(chunk)).order_by(T_FORECAST.c.made_at, T_FORECAST.c.id)
        )
        for qid, analyst, made_at, p in result.cursor.fetchall():  # raw DBAPI rows
            have.add((qid, analyst, _stored_ts(made_at), p))
            latest_p[(qid, analyst)] = p
    return existing, resolved, existing_tags, have, latest_p


def _apply_csv(conn, by_question, filename, recorded_by, now, progress) -> dict:
    existing, resolved, existing_tags, have, latest_p = _existing_state(conn, list(by_question))
    have_at = {(q, a, m): p for q, a, m, p in have}  # (question, analyst, made_at) -> probability
    now_ts = _ts(now)
    soon_ts = _ts(now + CLOCK_SKEW)
    pg = conn.dialect.name != "sqlite"
    tz = "+00" if pg else ""  # PostgreSQL's COPY reads the naive text in the session's zone: say UTC
    recorded = now_ts + tz
    new_questions, new_tags, forecasts, outcomes = [], [], [], []
    analysts: set[str] = set()
    skipped = 0
    made_key = itemgetter(_MADE)
    n_questions = len(by_question)
    for done, (qid, qrows) in enumerate(by_question.items()):
        if progress is not None and done % 5000 == 0:
            progress("checking", done, n_questions)
        first = qrows[0]
        infos = {r[_INFO] for r in qrows}
        if len(infos) == 1:  # the usual case: every row says the same about its question
            (info,) = infos
            deadlines, texts, tagsets, file_outcomes, known_values = ({v} - {None} for v in info)
        else:
            deadlines, texts, tagsets, file_outcomes, known_values = ({i[k] for i in infos} - {None} for k in range(5))
        for label, values in (("deadline", deadlines), ("text", texts), ("tags", tagsets)):
            if len(values) > 1:
                raise ValidationError(f"{filename}: question {qid!r} has conflicting {label} values in the file")
        q = existing.get(qid)
        is_new = q is None
        if is_new:
            if not deadlines:
                raise ValidationError(f"{filename}: line {first[_LINE]}: question {qid!r} does not exist and has no deadline")
            deadline = deadlines.pop()
            opened = min(map(made_key, qrows))
            end_ts = _ts(deadline_end(deadline))
            q = {"id": qid, "kind": "binary", "outcomes": ["yes", "no"], "deadline": deadline, "opened_at": opened}
            late = next((r for r in qrows if r[_MADE] >= end_ts), None)
            if late is not None:
                _check_csv_forecast(f"{filename}: line {late[_LINE]}", q, None, late[_MADE], None, now)
            new_questions.append((qid, texts.pop() if texts else qid, deadline, opened))
            new_tags.extend((qid, t) for t in (tagsets.pop() if tagsets else ()))
        else:
            if q["kind"] != "binary":
                raise ValidationError(f"{filename}: line {first[_LINE]}: question {qid!r} is categorical; the CSV carries binary forecasts only")
            if deadlines and deadlines != {q["deadline"]}:
                raise ConflictError(f"{filename}: line {first[_LINE]}: deadline of {qid!r} differs from the recorded {q['deadline']}")
            if texts and texts != {q["text"]}:
                raise ConflictError(f"{filename}: line {first[_LINE]}: text of {qid!r} differs from the recorded question")
            if tagsets:
                recorded_tags = tuple(sorted(existing_tags.get(qid, [])))
                if tagsets != {recorded_tags}:
                    raise ConflictError(
                        f"{filename}: line {first[_LINE]}: tags of {qid!r} ({';'.join(next(iter(tagsets)))}) differ from the recorded ({';'.join(recorded_tags)})"
                    )
            end_ts = _ts(deadline_end(q["deadline"]))
        if len(file_outcomes) > 1:
            with_outcome = [r for r in qrows if r[_INFO][_OUTCOME] is not None]
            clash = next(r for r in with_outcome if r[_INFO][_OUTCOME] != with_outcome[0][_INFO][_OUTCOME])
            raise ValidationError(
                f"{filename}: line {clash[_LINE]}: question {qid!r} has conflicting outcomes in the file "
                f"({with_outcome[0][_INFO][_OUTCOME]} on line {with_outcome[0][_LINE]}, {clash[_INFO][_OUTCOME]} on line {clash[_LINE]})"
            )
        if not file_outcomes and known_values:
            stray = next(r for r in qrows if r[_INFO][_KNOWN] is not None)
            raise ValidationError(f"{filename}: line {stray[_LINE]}: known_at given for {qid!r} without an outcome")
        if len(known_values) > 1:
            raise ValidationError(f"{filename}: question {qid!r} has conflicting known_at values in the file")
        prior = resolved.get(qid)
        known_ts = known_values.pop() if known_values else None
        seen_rows: set[tuple] = set()
        seen_at: dict[tuple, float] = {}
        for r in sorted(qrows, key=made_key) if len(qrows) > 1 else qrows:
            line, who, p, made, explicit, _ = r
            key = (who, made, p)
            if explicit:
                # one analyst, one question, one moment: one probability
                other = seen_at.setdefault((who, made), p)
                if other == p and not is_new:
                    other = have_at.get((qid, who, made), p)
                if other != p:
                    raise ConflictError(
                        f"{filename}: line {line}: {who} already has a forecast of {other} on {qid!r} made at "
                        f"{_dt(made).isoformat()}; a second one at the same time would rewrite it"
                    )
            # a row without made_at means "now": it is already present when it
            # repeats the analyst's latest recorded forecast (re-importing adds nothing)
            if key in seen_rows or (not is_new and (
                (qid, who, made, p) in have or (not explicit and latest_p.get((qid, who)) == p)
            )):
                skipped += 1
                continue
            seen_rows.add(key)
            if prior is not None or made > soon_ts or made >= end_ts or (known_ts is not None and made > known_ts):
                _check_csv_forecast(f"{filename}: line {line}", q, prior, made, known_ts, now)
            analysts.add(who)
            # the row as stored (FORECAST_COLUMNS)
            forecasts.append((qid, who, p, _JSON_NULL, made + tz, recorded, explicit, None, "csv"))
        if file_outcomes:
            outcome = file_outcomes.pop()
            if prior is not None:
                if prior["annulled"] or prior["outcome"] != outcome:
                    was = "annulled" if prior["annulled"] else prior["outcome"]
                    raise ConflictError(f"{filename}: question {qid!r} is already resolved as {was}, the file says {outcome}")
                continue
            if known_ts is None:
                known_ts = min(max(max(map(made_key, qrows)), end_ts), now_ts)
            if known_ts > soon_ts:
                opened = q["opened_at"]  # canonical text for a question this file creates
                try:
                    rules.check_known_at(qid, _dt(known_ts), now=now, annulled=False,
                                         opened_at=_dt(opened) if isinstance(opened, str) else opened)
                except ValidationError as exc:
                    raise ValidationError(f"{filename}: {exc}") from None
            line = next(r[_LINE] for r in qrows if r[_INFO][_OUTCOME] is not None)
            outcomes.append((qid, outcome, known_ts, line, q if is_new else None))

    from .common import ensure_analysts

    ensure_analysts(conn, analysts, now)  # the analysts of the forecasts added
    _insert_questions(conn, new_questions, now_ts)
    _insert_rows(conn, T_TAG, ("question_id", "tag"), new_tags)
    _insert_rows(conn, T_FORECAST, FORECAST_COLUMNS, forecasts, progress=progress)
    _insert_csv_resolutions(conn, outcomes, filename, recorded_by, now, now_ts)
    return {
        "rows": sum(len(v) for v in by_question.values()),
        "questions_created": len(new_questions),
        "forecasts_added": len(forecasts),
        "forecasts_already_present": skipped,
        "resolutions_added": len(outcomes),
    }


def _check_csv_forecast(where: str, q, prior, made: str, known_ts: Optional[str], now: datetime) -> None:
    """The forecast rules (tracker.rules) for one CSV row the text
    comparisons picked out: the rules give the verdict and the message."""
    try:
        rules.check_forecast_open(q["id"], prior)
        rules.check_forecast_time(q["id"], _dt(made), deadline=q["deadline"], now=now,
                                  known_at=_dt(known_ts) if known_ts is not None else None, imported=True)
    except ValidationError as exc:
        raise ValidationError(f"{where}: {exc}") from None


# ----------------------------------------------------------- bulk writes


def _insert_rows(conn, table, columns: tuple[str, ...], rows: list[tuple], *, progress=None, phase: str = "storing") -> None:
    """Insert already-formatted rows through the DBAPI: ``executemany`` on
    SQLite (values as SQLAlchemy would store them), ``COPY`` on PostgreSQL
    (timestamps as text with ``+00``), SQLAlchemy Core elsewhere."""
    if not rows:
        return
    total = len(rows)
    dialect = conn.dialect.name
    if dialect == "sqlite":
        _executemany(conn, table, columns, "?", rows, 20_000, progress, phase)
    elif dialect == "postgresql" and conn.exec_driver_sql(f"SELECT row_security_active('{table.name}')").scalar():
        # COPY FROM refuses tables under row-level security (an analyst or a
        # reviewer role): plain INSERTs, which the policies check row by row
        _executemany(conn, table, columns, "%s", rows, 5_000, progress, phase)
    elif dialect == "postgresql":
        cur = conn.connection.driver_connection.cursor()
        step = 20_000
        try:
            with cur.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
                write = copy.write_row
                for start in range(0, total, step):
                    for row in rows[start : start + step]:
                        write(row)
                    if progress is not None:
                        progress(phase, min(start + step, total), total)
        finally:
            cur.close()
    else:  # pragma: no cover - the two supported backends are above
        for start in range(0, total, CHUNK):
            conn.execute(table.insert(), [dict(zip(columns, r)) for r in rows[start : start + CHUNK]])


def _executemany(conn, table, columns, placeholder: str, rows: list, step: int, progress, phase: str) -> None:
    """INSERTs of ``rows`` through the driver's executemany, ``step`` rows a call."""
    cur = conn.connection.driver_connection.cursor()
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join([placeholder] * len(columns))})"
    total = len(rows)
    try:
        for start in range(0, total, step):
            cur.executemany(sql, rows[start : start + step])
            if progress is not None:
                progress(phase, min(start + step, total), total)
    finally:
        cur.close()


def _db_ts(conn, text: str) -> str:
    """Canonical UTC text as the backend takes it in bulk writes."""
    return text if conn.dialect.name == "sqlite" else text + "+00"


def _insert_questions(conn, new_questions: list[tuple], now_ts: str) -> None:
    """New binary questions from (id, text, deadline, opened_at text) tuples."""
    if not new_questions:
        return
    pg = conn.dialect.name != "sqlite"
    created = _db_ts(conn, now_ts)
    false = False if pg else 0
    rows = [
        (qid, text, "binary", _BINARY_JSON, false, deadline.isoformat(), opened + "+00" if pg else opened, created, _JSON_NULL)
        for qid, text, deadline, opened in new_questions
    ]
    _insert_rows(conn, T_QUESTION, ("id", "text", "kind", "outcomes", "ordered", "deadline", "opened_at", "created_at", "extra"), rows)


FORECAST_COLUMNS = ("question_id", "analyst", "probability", "probabilities", "made_at", "recorded_at", "imported", "rationale", "source")


def _insert_csv_resolutions(conn, outcomes: list[tuple], filename: str, recorded_by: str, now: datetime, now_ts: str) -> None:
    """The file's outcomes, in file order, with the checks of
    :func:`insert_resolution`. A question created by this file, or an
    existing one with no resolution, no condition and no question
    conditional on it (checked with its row locked), gets its row in bulk;
    any other goes through :func:`insert_resolution` itself."""
    from .log import insert_resolution

    pending: list[tuple] = []
    pg = conn.dialect.name != "sqlite"
    evidence = "[]"  # json.dumps([])

    def flush():
        if pending:
            _insert_rows(conn, T_RESOLUTION, ("question_id", "outcome", "annulled", "known_at", "recorded_at",
                                              "recorded_by", "evidence", "source"), pending)
            pending.clear()

    simple = _plain_existing(conn, [qid for qid, _, _, _, new_q in outcomes if new_q is None])
    recorded = _db_ts(conn, now_ts)
    reviewer = None
    for qid, outcome, known_ts, line, new_q in outcomes:
        opened_ts = new_q["opened_at"] if new_q is not None else simple.get(qid)
        if opened_ts is not None:
            if reviewer is None:  # insert_resolution's check of who records it
                try:
                    reviewer = check_analyst_name(recorded_by)
                except TrackerError as exc:
                    raise type(exc)(f"{filename}: line {line}: {exc}") from None
            if known_ts[:10] < opened_ts[:10]:
                raise ValidationError(
                    f"{filename}: line {line}: known_at {known_ts[:10]} is before {qid!r} opened ({opened_ts[:10]})"
                )
            pending.append((qid, outcome, False if pg else 0, known_ts + "+00" if pg else known_ts, recorded,
                            reviewer, evidence, "csv"))
            continue
        flush()
        try:
            insert_resolution(conn, qid, outcome, known_at=_dt(known_ts), recorded_by=recorded_by, source="csv", now=now,
                              fields=("reason", "known_at"))
        except TrackerError as exc:  # name the file and line; the transaction rolls back
            raise type(exc)(f"{filename}: line {line}: {exc}") from None
    flush()


def _plain_existing(conn, qids: list[str]) -> dict[str, str]:
    """Of these existing questions, those with no resolution, no condition
    and no question conditional on them: id -> opened_at (canonical text).
    On PostgreSQL their rows stay locked (FOR UPDATE) to the end of the
    transaction, as :func:`insert_resolution` holds the one it resolves."""
    from sqlalchemy import select

    if not qids:
        return {}
    pg = conn.dialect.name != "sqlite"
    out: dict[str, str] = {}
    for start in range(0, len(qids), CHUNK):
        chunk = qids[start : start + CHUNK]
        stmt = select(T_QUESTION.c.id, T_QUESTION.c.opened_at, T_QUESTION.c.condition_question_id).where(
            T_QUESTION.c.id.in_(chunk)
        ).order_by(T_QUESTION.c.id)
        if pg:
            stmt = stmt.with_for_update()
        rows = conn.execute(stmt).all()
        resolved = {r[0] for r in conn.execute(select(T_RESOLUTION.c.question_id).where(T_RESOLUTION.c.question_id.in_(chunk)))}
        for qid, opened, condition in rows:
            if condition is None and qid not in resolved:
                out[qid] = _ts(aware(opened))
    if out:  # questions conditional on any (one pass over the question table)
        for (cond,) in conn.execute(
            select(T_QUESTION.c.condition_question_id).where(T_QUESTION.c.condition_question_id.is_not(None)).distinct()
        ):
            out.pop(cond, None)
    return out


def export_csv_text(store: Store, *, skipped: Optional[list] = None,
                    progress: Optional[Callable[[str, int, int], None]] = None, raw_cells: bool = False):
    """Binary forecasts as CSV (the format carries binary forecasts only), in
    pieces of text, a chunk of rows at a time; the number of categorical
    forecasts left out is appended to ``skipped`` before the first piece.
    ``progress(phase, done, total)`` hears the rows written ("exporting").
    Text cells that a spreadsheet would evaluate as a formula get a ' in
    front (:func:`csv_cell_safe`) unless ``raw_cells``."""
    safe = (lambda v: v) if raw_cells else csv_cell_safe
    from sqlalchemy import func, select

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
    binary = f.join(q, q.c.id == f.c.question_id)
    with store.read() as conn:
        left_out = conn.execute(select(func.count()).select_from(binary).where(q.c.kind != "binary")).scalar()
        total = conn.execute(select(func.count()).select_from(binary).where(q.c.kind == "binary")).scalar() or 0
        if skipped is not None:
            skipped.append(int(left_out or 0))
        tags: dict[str, list[str]] = defaultdict(list)
        for qid, tag in conn.execute(select(T_TAG.c.question_id, T_TAG.c.tag).order_by(T_TAG.c.question_id, T_TAG.c.tag)):
            tags[qid].append(tag)
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        # a text holding a carriage return is quoted (csv quotes only the line terminator's characters):
        # unquoted, a reader would take it for the end of the row
        quoted = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
        writer.writerow(CSV_COLUMNS)
        result = conn.execute(stmt)
        done = 0
        while True:
            rows = result.fetchmany(EXPORT_CHUNK_ROWS)
            if not rows:
                break
            for qid, analyst, p, made_at, deadline, text, outcome, annulled, known_at in rows:
                resolved = outcome is not None and not annulled
                (quoted if "\r" in text else writer).writerow([
                    qid, safe(analyst), repr(float(p)) if not math.isnan(p) else "", _jsonable(made_at),
                    deadline.isoformat(), safe(text), safe(";".join(tags.get(qid, ()))), outcome if resolved else "",
                    _jsonable(known_at) if resolved else "",
                ])
            done += len(rows)
            yield out.getvalue()
            out.seek(0)
            out.truncate()
            if progress is not None:
                progress("exporting", done, total)
        if done == 0:
            yield out.getvalue()
