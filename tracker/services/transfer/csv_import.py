"""CSV import: forecasts (and outcomes) from a CSV file, all or nothing.

Three steps, the middle one pure:

1. :func:`read_csv_rows` parses and checks every row (no database);
2. :func:`plan_csv` compares the rows with what the database holds for the
   file's questions (a :class:`CsvState`, read by :func:`read_state`) and
   returns a :class:`CsvPlan`: the questions, tags, forecasts and outcomes
   to add and the rows already present. It reads no database: tests check it
   with plain values. A refusal is raised as the error the user sees
   (:class:`ValidationError`, :class:`ConflictError`), naming the file and line;
3. :func:`write_csv_plan` writes a plan in the caller's transaction; an
   outcome on a question that is not plain (already resolved, conditional,
   or a condition of another) goes through ``insert_resolution`` and its
   checks.

The CSV path is a bulk path (DESIGN.md, convention 5): it parses each
distinct value once (caches keyed by the raw text), keeps times as the
canonical naive-UTC text of :mod:`tracker.storage.bulk` (which sorts as it
orders in time), and writes through :func:`tracker.storage.bulk.insert_rows`.
The checks and their messages are those of the one-row-at-a-time path it
replaced.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from datetime import date, datetime, timedelta
from operator import itemgetter
from typing import Any, Callable, Optional

from ... import rules
from ...errors import ConflictError, FileFormatError, TrackerError, ValidationError
# one text-decoding policy for every file read (UTF-8, a BOM allowed, no binary data)
from ...importers.common_csv import decode as decode_text
from ...models import SLUG_RE, check_text, deadline_end, utcnow
from ...storage import Store
from ...storage.bulk import SQLITE, Encoding, dt as _dt, encoding, insert_rows as _insert_rows
from ...storage.bulk import raw_time, stored_ts as _stored_ts, ts as _ts
from ...storage.queries import chunked, current_resolutions, raw_rows
from ..common import (
    T_FORECAST,
    T_QUESTION,
    T_RESOLUTION,
    T_TAG,
    aware,
    check_analyst_name,
    parse_binary_outcome,
    parse_date,
    parse_datetime,
    parse_probability,
    paused_gc,
)
from ..log import CLOCK_SKEW
from .export import CSV_COLUMNS, csv_cell_read

CSV_REQUIRED = ("question", "analyst", "probability")
CSV_FIELD_LIMIT = 1_000_000
FORECAST_COLUMNS = ("question_id", "analyst", "probability", "probabilities", "made_at", "recorded_at", "imported", "rationale", "source")

# one parsed row: (line, analyst, probability, made_at, explicit_time, info),
# info = (deadline, text, tags, outcome, known_at), one shared tuple for each
# distinct combination in the file
_LINE, _ANALYST, _P, _MADE, _EXPLICIT, _INFO = range(6)
_DEADLINE, _TEXT, _TAGS, _OUTCOME, _KNOWN = range(5)
PROGRESS_EVERY = 20_000
_JSON_NULL = "null"  # what SQLAlchemy's JSON type stores for None (none_as_null=False)
_BINARY_JSON = '["yes", "no"]'  # json.dumps(["yes", "no"]), as SQLAlchemy serializes it


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


def read_csv_rows(text: str, filename: str, now: datetime, progress=None) -> dict[str, list[tuple]]:
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
        by_question = read_csv_rows(text, filename, now, progress)

        def work(conn):
            return _apply_csv(conn, by_question, filename, recorded_by, now, progress)

        from ..admin import explain_refusal

        with explain_refusal(store, "import"):
            return store.run_write(work)


@dataclasses.dataclass
class CsvState:
    """What the database holds for a file's questions: their rows
    (``questions``, by id), current resolutions (``resolutions``), tags, the
    forecasts recorded (``have``: (question, analyst, made_at text,
    probability)) and each analyst's latest probability (``latest``)."""

    questions: dict[str, Any] = dataclasses.field(default_factory=dict)
    resolutions: dict[str, Any] = dataclasses.field(default_factory=dict)
    tags: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    have: set[tuple] = dataclasses.field(default_factory=set)
    latest: dict[tuple, float] = dataclasses.field(default_factory=dict)
    tz: Any = None  # the team's zone: a deadline day ends at midnight there (None: UTC)


def read_state(conn, qids: list[str]) -> CsvState:
    """What the database already holds for the file's questions."""
    from sqlalchemy import select

    from ..common import tags_of

    from ..week import zone_of

    state = CsvState(tz=zone_of(conn))
    for chunk in chunked(qids):
        for row in conn.execute(select(T_QUESTION).where(T_QUESTION.c.id.in_(chunk))).mappings():
            state.questions[row["id"]] = row
    existing_ids = [q for q in qids if q in state.questions]
    R = T_RESOLUTION
    state.resolutions = current_resolutions(conn, existing_ids, columns=(R.c.outcome, R.c.annulled, R.c.known_at, R.c.id))
    state.tags = tags_of(conn, existing_ids)
    made = raw_time(conn, T_FORECAST.c.made_at)
    for chunk in chunked(existing_ids):
        for qid, analyst, made_at, p in raw_rows(conn, (
            select(T_FORECAST.c.question_id, T_FORECAST.c.analyst, made, T_FORECAST.c.probability)
            .where(T_FORECAST.c.question_id.in_(chunk)).order_by(T_FORECAST.c.made_at, T_FORECAST.c.id)
        )):
            state.have.add((qid, analyst, _stored_ts(made_at), p))
            state.latest[(qid, analyst)] = p
    return state


@dataclasses.dataclass
class CsvPlan:
    """What a CSV file adds: ``new_questions`` (id, text, deadline, opened_at
    text), ``new_tags`` (question, tag), ``forecasts`` (rows of
    FORECAST_COLUMNS, times spelt by the plan's :class:`Encoding`),
    ``outcomes`` (question, outcome, known_at text, line, the new question's
    dict or None for an existing one), the ``analysts`` of the forecasts,
    the rows ``skipped`` as already present, and the file's ``rows``."""

    rows: int
    new_questions: list[tuple]
    new_tags: list[tuple]
    forecasts: list[tuple]
    outcomes: list[tuple]
    analysts: set[str]
    skipped: int

    def summary(self) -> dict:
        return {
            "rows": self.rows,
            "questions_created": len(self.new_questions),
            "forecasts_added": len(self.forecasts),
            "forecasts_already_present": self.skipped,
            "resolutions_added": len(self.outcomes),
        }


def _apply_csv(conn, by_question, filename, recorded_by, now, progress) -> dict:
    state = read_state(conn, list(by_question))
    plan = plan_csv(by_question, state, filename=filename, now=now, enc=encoding(conn), progress=progress)
    write_csv_plan(conn, plan, filename=filename, recorded_by=recorded_by, now=now, progress=progress)
    return plan.summary()


def plan_csv(by_question: dict[str, list[tuple]], state: CsvState, *, filename: str, now: datetime,
             enc: Encoding = SQLITE, progress=None) -> CsvPlan:
    """The plan for the rows of :func:`read_csv_rows` against ``state``;
    reads no database. Raises the refusal (with the file and line) when
    the file cannot land whole."""
    existing, resolved, existing_tags, have, latest_p = (
        state.questions, state.resolutions, state.tags, state.have, state.latest)
    have_at = {(q, a, m): p for q, a, m, p in have}  # (question, analyst, made_at) -> probability
    now_ts = _ts(now)
    soon_ts = _ts(now + CLOCK_SKEW)
    tz = enc.tz
    recorded = enc.ts(now_ts)
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
            end_ts = _ts(deadline_end(deadline, state.tz))
            q = {"id": qid, "kind": "binary", "outcomes": ["yes", "no"], "deadline": deadline, "opened_at": opened}
            late = next((r for r in qrows if r[_MADE] >= end_ts), None)
            if late is not None:
                _check_csv_forecast(f"{filename}: line {late[_LINE]}", q, None, late[_MADE], None, now, state.tz)
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
            end_ts = _ts(deadline_end(q["deadline"], state.tz))
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
                _check_csv_forecast(f"{filename}: line {line}", q, prior, made, known_ts, now, state.tz)
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

    return CsvPlan(rows=sum(len(v) for v in by_question.values()), new_questions=new_questions, new_tags=new_tags,
                   forecasts=forecasts, outcomes=outcomes, analysts=analysts, skipped=skipped)


def write_csv_plan(conn, plan: CsvPlan, *, filename: str, recorded_by: str, now: datetime, progress=None) -> None:
    """Write ``plan`` (made with this connection's encoding) in the caller's transaction."""
    from ..common import ensure_analysts

    now_ts = _ts(now)
    ensure_analysts(conn, plan.analysts, now)  # the analysts of the forecasts added
    _insert_questions(conn, plan.new_questions, now_ts)
    _insert_rows(conn, T_TAG, ("question_id", "tag"), plan.new_tags)
    _insert_rows(conn, T_FORECAST, FORECAST_COLUMNS, plan.forecasts, progress=progress)
    _insert_csv_resolutions(conn, plan.outcomes, filename, recorded_by, now, now_ts)


def _check_csv_forecast(where: str, q, prior, made: str, known_ts: Optional[str], now: datetime, tz=None) -> None:
    """The forecast rules (tracker.rules) for one CSV row the text
    comparisons picked out: the rules give the verdict and the message."""
    try:
        rules.check_forecast_open(q["id"], prior)
        rules.check_forecast_time(q["id"], _dt(made), deadline=q["deadline"], now=now,
                                  known_at=_dt(known_ts) if known_ts is not None else None, imported=True, tz=tz)
    except ValidationError as exc:
        raise ValidationError(f"{where}: {exc}") from None


def _insert_questions(conn, new_questions: list[tuple], now_ts: str) -> None:
    """New binary questions from (id, text, deadline, opened_at text) tuples."""
    if not new_questions:
        return
    enc = encoding(conn)
    created = enc.ts(now_ts)
    rows = [
        (qid, text, "binary", _BINARY_JSON, enc.false, deadline.isoformat(), enc.ts(opened), created, _JSON_NULL)
        for qid, text, deadline, opened in new_questions
    ]
    _insert_rows(conn, T_QUESTION, ("id", "text", "kind", "outcomes", "ordered", "deadline", "opened_at", "created_at", "extra"), rows)


def _insert_csv_resolutions(conn, outcomes: list[tuple], filename: str, recorded_by: str, now: datetime, now_ts: str) -> None:
    """The file's outcomes, in file order, with the checks of
    :func:`insert_resolution`. A question created by this file, or an
    existing one with no resolution, no condition and no question
    conditional on it (checked with its row locked), gets its row in bulk;
    any other goes through :func:`insert_resolution` itself."""
    from ..log import insert_resolution

    pending: list[tuple] = []
    enc = encoding(conn)
    evidence = "[]"  # json.dumps([])

    def flush():
        if pending:
            _insert_rows(conn, T_RESOLUTION, ("question_id", "outcome", "annulled", "known_at", "recorded_at",
                                              "recorded_by", "evidence", "source"), pending)
            pending.clear()

    simple = _plain_existing(conn, [qid for qid, _, _, _, new_q in outcomes if new_q is None])
    recorded = enc.ts(now_ts)
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
            pending.append((qid, outcome, enc.false, enc.ts(known_ts), recorded,
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
    out: dict[str, str] = {}
    for chunk in chunked(qids):
        stmt = select(T_QUESTION.c.id, T_QUESTION.c.opened_at, T_QUESTION.c.condition_question_id).where(
            T_QUESTION.c.id.in_(chunk)
        ).order_by(T_QUESTION.c.id).with_for_update()  # a row lock on PostgreSQL; SQLite's writer holds the file
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
