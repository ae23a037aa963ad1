"""Writing another tool's history (a :class:`tracker.importers.records.Batch`)
into the database.

The same rules as the forecast CSV import, through the same bulk writer
(``tracker.storage.bulk.insert_rows``: ``executemany`` on SQLite, ``COPY``
on PostgreSQL): one transaction, all or nothing; a second import of the same
file adds nothing (questions keyed by the id derived from the source's key,
forecasts by question, analyst, time and value); forecasts keep their
original times and are marked imported. A forecast the model cannot hold
(made after its question's deadline or after the outcome was known) is
counted under its reason, never dropped silently.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Callable, Optional

from ..errors import ConflictError, TrackerError, ValidationError
from ..models import deadline_end, utcnow
from ..storage import Store
from .common import T_FORECAST, T_QUESTION, T_RESOLUTION, T_TAG, aware, check_analyst_name, ensure_analysts, paused_gc
from .log import CLOCK_SKEW
from ..importers.records import from_ts
from ..storage.bulk import encoding, insert_rows as _insert_rows, raw_time, stored_ts as _stored_ts, ts as _ts
from ..storage.queries import chunked, current_resolutions, raw_rows
from .transfer import FORECAST_COLUMNS

QUESTION_COLUMNS = ("id", "text", "kind", "outcomes", "ordered", "deadline", "opened_at", "created_at", "extra", "source_document")
RESOLUTION_COLUMNS = ("question_id", "outcome", "annulled", "reason", "known_at", "recorded_at", "recorded_by", "evidence", "source")


class _DryRun(Exception):
    def __init__(self, result: dict):
        self.result = result


def read_analyst_map(data: bytes, filename: str) -> dict[str, str]:
    """``--analyst-map``: a JSON object {"name in the file": "analyst"} or a
    CSV with a header and two columns (name in the file, analyst)."""
    import csv
    import io

    from ..errors import FileFormatError
    from .transfer import decode_text

    text = decode_text(data, filename)
    if text.lstrip().startswith("{"):
        try:
            mapping = json.loads(text)
        except ValueError as exc:
            raise FileFormatError(f"{filename}: invalid JSON ({exc})") from None
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()):
            raise FileFormatError(f"{filename}: the analyst map must map names to names")
        items = list(mapping.items())
    else:
        reader = csv.reader(io.StringIO(text, newline=""))
        rows = list(reader)
        if not rows:
            raise FileFormatError(f"{filename}: empty analyst map")
        items = []
        for line, row in enumerate(rows[1:], 2):
            if not row or not "".join(row).strip():
                continue
            if len(row) != 2:
                raise FileFormatError(f"{filename}: line {line}: expected two columns (name in the file, analyst)")
            items.append((row[0].strip(), row[1]))
    out = {}
    for key, value in items:
        try:
            out[key] = check_analyst_name(value)
        except TrackerError as exc:
            raise FileFormatError(f"{filename}: {key!r}: {exc}") from None
    return out


def import_batch(
    store: Store,
    batch,
    *,
    recorded_by: str,
    analyst_map: Optional[dict[str, str]] = None,
    dry_run: bool = False,
    now: Optional[datetime] = None,
    progress: Optional[Callable[[str, int, int], None]] = None,
) -> dict:
    """Write a batch in one transaction (``dry_run``: check everything, count
    what would be added, write nothing). Returns the counts."""
    now = now or utcnow()
    recorded_by = check_analyst_name(recorded_by)
    with paused_gc():
        forecasts = _mapped(batch, analyst_map or {})

        def work(conn):
            result = _apply(conn, batch, forecasts, recorded_by, now, progress)
            if dry_run:
                raise _DryRun(result)
            return result

        try:
            result = store.run_write(work)
        except _DryRun as done:
            result = done.result
    result["dry_run"] = dry_run
    return result


def _mapped(batch, mapping: dict[str, str]) -> list:
    """The batch's forecasts with analysts renamed and checked."""
    names: dict[str, str] = {}
    out = []
    for f in batch.forecasts:
        who = names.get(f.analyst)
        if who is None:
            try:
                who = names[f.analyst] = check_analyst_name(mapping.get(f.analyst, f.analyst))
            except TrackerError as exc:
                raise ValidationError(f"{batch.filename}: {f.where}: {exc}") from None
        out.append(f if who == f.analyst else f._replace(analyst=who))
    return out


def _as_date(value):
    from datetime import date

    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _value_key(p, vector):
    return p if vector is None else vector


def _existing(conn, qids: list[str]):
    from sqlalchemy import select

    questions, have = {}, set()
    made = raw_time(conn, T_FORECAST.c.made_at)
    for chunk in chunked(qids):
        for row in conn.execute(select(T_QUESTION.c.id, T_QUESTION.c.kind, T_QUESTION.c.outcomes, T_QUESTION.c.deadline)
                                .where(T_QUESTION.c.id.in_(chunk))).mappings():
            questions[row["id"]] = row
    present = [q for q in qids if q in questions]
    R = T_RESOLUTION
    resolved = current_resolutions(conn, present, columns=(R.c.outcome, R.c.annulled, R.c.known_at))
    for chunk in chunked(present):
        for qid, who, made_at, p, vec in raw_rows(conn, select(
            T_FORECAST.c.question_id, T_FORECAST.c.analyst, made, T_FORECAST.c.probability, T_FORECAST.c.probabilities
        ).where(T_FORECAST.c.question_id.in_(chunk))):
            if vec is not None and isinstance(vec, str):
                vec = json.loads(vec)
            order = questions[qid]["outcomes"]
            if isinstance(order, str):
                order = json.loads(order)
            key = p if vec is None else tuple(float(vec[o]) for o in order)
            have.add((qid, who, _stored_ts(made_at), key))
    return questions, resolved, have


def _apply(conn, batch, forecasts, recorded_by, now, progress) -> dict:
    from collections import Counter

    fname = batch.filename
    refused = Counter(batch.refused)  # this attempt's count (run_write may run it again)
    now_ts = _ts(now)
    soon_ts = _ts(now + CLOCK_SKEW)
    qids = list(batch.questions)
    existing, resolved, have = _existing(conn, qids)
    # questions: new ones, or the same question already recorded
    new_q = []
    for qid, q in batch.questions.items():
        old = existing.get(qid)
        if old is None:
            new_q.append(q)
            continue
        outs = old["outcomes"] if not isinstance(old["outcomes"], str) else json.loads(old["outcomes"])
        if old["kind"] != q.kind or list(outs) != q.outcome_list:
            raise ConflictError(f"{fname}: {q.where}: question {qid!r} exists with other outcomes ({', '.join(outs)})")
    # resolutions: the file's, or the one already recorded (which must agree)
    known: dict[str, str] = {}
    new_r, late_r = [], []
    for qid, r in batch.resolutions.items():
        if r.known > soon_ts:
            raise ValidationError(f"{fname}: {r.where}: the outcome of {qid!r} is known only in the future ({r.known[:19]})")
        q = batch.questions[qid]
        if r.outcome is not None and r.known[:10] < q.opened[:10]:
            raise ValidationError(f"{fname}: {r.where}: the outcome of {qid!r} is known ({r.known[:10]}) before it opened ({q.opened[:10]})")
        prior = resolved.get(qid)
        if prior is not None:
            if bool(prior["annulled"]) != (r.outcome is None) or (r.outcome is not None and prior["outcome"] != r.outcome):
                was = "annulled" if prior["annulled"] else prior["outcome"]
                raise ConflictError(f"{fname}: {r.where}: question {qid!r} is already resolved as {was}, the file says {r.outcome or 'annulled'}")
        elif qid in existing:
            late_r.append(r)
        else:
            new_r.append(r)
        known[qid] = r.known
    for qid, prior in resolved.items():
        if qid not in known:
            known[qid] = _ts(aware(prior["known_at"]))
    # forecasts
    rows, analysts, skipped = [], set(), 0
    enc = encoding(conn)
    tz = enc.tz
    recorded = enc.ts(now_ts)
    # a question already recorded keeps its deadline, whose day ends at midnight in the team's zone
    from .week import zone_of

    team_tz = zone_of(conn)
    ends = {qid: _ts(deadline_end(_as_date(existing[qid]["deadline"]) if qid in existing else q.deadline, team_tz))
            for qid, q in batch.questions.items()}
    seen = set()
    total = len(forecasts)
    for i, f in enumerate(forecasts):
        if progress is not None and i % 20000 == 0:
            progress("checking", i, total)
        qid = f.question
        if f.made > soon_ts:
            raise ValidationError(f"{fname}: {f.where}: made at {f.made[:19]}, in the future")
        if f.made >= ends[qid]:
            refused["made after the question's deadline"] += 1
            continue
        k = known.get(qid)
        if k is not None and f.made > k:
            refused["made after the outcome was known"] += 1
            continue
        key = (qid, f.analyst, f.made, _value_key(f.probability, f.vector))
        if key in seen or key in have:
            skipped += 1
            continue
        seen.add(key)
        analysts.add(f.analyst)
        vec = "null" if f.vector is None else json.dumps(dict(zip(batch.questions[qid].outcomes, f.vector)))
        rows.append((qid, f.analyst, f.probability, vec, f.made + tz, recorded, True, f.rationale, batch.source))
    # write
    ensure_analysts(conn, analysts, now)
    created = now_ts + tz
    qrows, trows = [], []
    for q in new_q:
        qrows.append((q.id, q.text, q.kind, json.dumps(q.outcome_list), enc.bool(q.ordered),
                      q.deadline.isoformat(), q.opened + tz, created, json.dumps(q.extra) if q.extra else "null",
                      f"{batch.source}: {fname}"))
        trows.extend((q.id, t) for t in q.tags)
    _insert_rows(conn, T_QUESTION, QUESTION_COLUMNS, qrows)
    _insert_rows(conn, T_TAG, ("question_id", "tag"), trows)
    _insert_rows(conn, T_FORECAST, FORECAST_COLUMNS, rows, progress=progress)
    false, true = enc.false, enc.true
    rrows = [(r.question, r.outcome, true if r.outcome is None else false,
              (r.reason or f"annulled in {batch.source}") if r.outcome is None else None,
              r.known + tz, recorded, recorded_by, "[]", batch.source) for r in new_r]
    _insert_rows(conn, T_RESOLUTION, RESOLUTION_COLUMNS, rrows)
    if late_r:
        from .log import insert_resolution

        for r in late_r:  # a question imported before it resolved: the checks of every resolution
            try:
                insert_resolution(conn, r.question, r.outcome if r.outcome is not None else "annulled",
                                  recorded_by=recorded_by, known_at=from_ts(r.known),
                                  reason=(r.reason or f"annulled in {batch.source}") if r.outcome is None else None,
                                  source=batch.source, now=now, fields=("reason", "known_at"))
            except TrackerError as exc:
                raise type(exc)(f"{fname}: {r.where}: {exc}") from None
    if progress is not None:
        progress("storing", total, total)
    annulled = sum(1 for r in new_r + late_r if r.outcome is None)
    return {
        "source": batch.source,
        "file": fname,
        "rows": batch.rows,
        "questions_created": len(new_q),
        "questions_already_present": len(batch.questions) - len(new_q),
        "forecasts_added": len(rows),
        "forecasts_already_present": skipped,
        "resolutions_added": len(new_r) + len(late_r) - annulled,
        "annulled": annulled,
        "not_imported": dict(sorted(refused.items(), key=lambda kv: (-kv[1], kv[0]))),
        "checks": batch.checks,
    }
