"""The scored (question, analyst) pairs of a scope: the one loader behind ``tracker score``,
the report and the plots.

One bulk query into numpy arrays, then one row per pair. Modes:

- ``final``: the analyst's last forecast made before the question closed
  (the earlier of the end of the deadline and the moment the outcome became
  known);
- ``initial``: the analyst's first forecast;
- ``time-weighted``: the mean Brier score over the open window, carrying
  the latest forecast forward; time before the analyst's first forecast is
  scored at the team's median forecast, and the share of the window the analyst
  covered is reported. Calibration statistics in this mode use the final
  forecasts (a time-weighted score has no single probability).

Binary questions feed every statistic. Categorical questions are scored
apart (Brier summed over outcomes, 0-2; ordered ones also by the ranked
probability score). Annulled questions (and conditional questions whose
condition failed, which are annulled) are not scored. Forecasts made at or
after the moment the outcome became known are never scored.
"""

from __future__ import annotations

import json
import operator
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from types import SimpleNamespace
from typing import Any, Callable, Optional

import numpy as np

from ..errors import ValidationError
from ..periods import quarter_label
from ..scope import FORECAST_SETS, MODES, Scope
from ..storage import Store
from ..storage.queries import chunked
from .common import T_FORECAST, T_QUESTION, T_RESOLUTION, T_TAG, paused_gc, raw_rows

@dataclass
class Pairs:
    """One row per scored binary (question, analyst) pair."""

    question: np.ndarray  # object
    analyst: np.ndarray  # object
    p: np.ndarray  # the forecast scored (final, initial) or the final one (time-weighted)
    y: np.ndarray  # 1 = yes
    brier: np.ndarray  # per pair, 0-1 scale, in the chosen mode
    coverage: np.ndarray  # time-weighted mode: share of the window covered; else NaN
    scenario: np.ndarray
    quarter: np.ndarray
    phrase: np.ndarray
    tags: dict[str, list[str]] = field(default_factory=dict)
    categorical: list[dict] = field(default_factory=list)
    n_forecasts: int = 0
    forecasts: str = "all"  # the set scored: "live", "history" or "all"


def live_condition(table):
    """A live forecast: logged through the tool when it was made (not
    imported, and recorded no later than the time it claims). The tool
    refuses forecasts made after the outcome became known, so a live
    forecast was recorded before its outcome was known; every other row
    (imported, restored, recorded later than claimed) is history, whose
    times nobody witnessed."""
    from sqlalchemy import and_

    return and_(table.c.imported.is_(False), table.c.recorded_at <= table.c.made_at)


def forecast_condition(table, which: str):
    """The SQL condition selecting forecast set ``which`` of ``table`` (None: all rows)."""
    from sqlalchemy import not_

    if which == "live":
        return live_condition(table)
    if which == "history":
        return not_(live_condition(table))
    return None


def forecast_set(conn, which: str = "auto", *, analyst: Optional[str] = None) -> str:
    """Resolve ``which`` to "live", "history" or "all". "auto" (the default
    of scores and the report) is "live" when the database (or, given
    ``analyst``, that analyst) holds a live forecast on a resolved question,
    else "history": imported history is never mixed with live forecasts
    unless asked for (``all``)."""
    from sqlalchemy import exists, select

    if which not in FORECAST_SETS:
        raise ValidationError(f"unknown forecast set {which!r} (one of {', '.join(FORECAST_SETS)})")
    if which != "auto":
        return which
    F = T_FORECAST
    stmt = select(F.c.id).where(live_condition(F), exists().where(T_RESOLUTION.c.question_id == F.c.question_id))
    if analyst:
        stmt = stmt.where(F.c.analyst == analyst)  # through the analyst's index, not the whole table
    live = conn.execute(stmt.limit(1)).first()
    return "live" if live is not None else "history"


def _epoch_us(values: list) -> np.ndarray:
    """Datetimes (objects or SQLite's text) -> int64 microseconds since 1970, UTC."""
    if not values:
        return np.zeros(0, dtype=np.int64)
    if isinstance(values[0], str):
        return np.array(values, dtype="datetime64[us]").astype(np.int64)
    return np.array([round(v.timestamp() * 1_000_000) for v in values], dtype=np.int64)


FETCH_ROWS = 100_000  # rows read from the cursor at a time (bounds the memory of raw rows)


class _Codes(dict):
    """Value -> small integer code, assigned on first sight."""

    def __missing__(self, key):
        code = self[key] = len(self)
        return code


class _Lookup(dict):
    """Question id -> code; -1 for a question not in scope."""

    def __missing__(self, key):
        return -1


@dataclass
class _Questions:
    """The scoreable questions in scope (read raw, parsed lazily), indexed by code."""

    ids: list
    rows: list  # raw (id, kind, outcomes, ordered, deadline, opened_at, scenario_id, phrase, outcome, known_at)
    code: dict  # id -> code
    tz: Any = None  # the team's zone: a deadline day ends at midnight there (None: UTC)

    def info(self, code: int) -> SimpleNamespace:
        """One question's facts as typed values (as SQLAlchemy would give them)."""
        qid, kind, outcomes, ordered, deadline, opened_at, scenario_id, phrase, outcome, known_at = self.rows[code]
        return SimpleNamespace(
            id=qid, kind=kind, outcomes=json.loads(outcomes) if isinstance(outcomes, str) else outcomes,
            ordered=bool(ordered), deadline=_as_date(deadline), opened_at=_as_datetime(opened_at),
            scenario_id=scenario_id, phrase=phrase, outcome=outcome, known_at=_as_datetime(known_at),
        )


def _as_date(value: Any) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _as_datetime(value: Any) -> Any:
    """SQLite's stored text or a driver's datetime -> aware UTC datetime (UTCDateTime's result)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value is None:
        return None
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def load_pairs(
    store: Store,
    scope: Scope = Scope(),
    *,
    exclude_after_fact: bool = False,
    progress: Optional[Callable[[str, int, Optional[int]], None]] = None,
    raw: Optional[dict] = None,
) -> Pairs:
    """The scored pairs of ``scope`` (its questions, its analyst's forecasts, its mode and forecast set),
    read with one query and reduced to one row per pair. ``tracker score``, the report and the plots
    all read their pairs here.

    ``raw``, if given, is filled with the binary forecast rows themselves
    (``qc``, ``ac``, ``prob``, ``made`` in microseconds, sorted by question,
    analyst and time; ``questions`` and ``analysts`` decode the codes), for
    the team's aggregate (services.aggregate).

    A bulk path (DESIGN.md, convention 5): the rows come from the DBAPI
    cursor as they are (no per-row type processing), a chunk at a time, and
    become integer codes and float arrays at once; question facts are read
    once per question. ``progress(phase, done, total)`` is told how many
    forecasts have been read ("reading", total unknown)."""
    from sqlalchemy import and_, exists, select

    mode, analyst, tag, scenario, forecasts = scope.mode, scope.analyst, scope.tag, scope.scenario, scope.forecasts
    if mode not in MODES:
        raise ValidationError(f"unknown mode {mode!r} (one of {', '.join(MODES)})")
    period = scope.period
    F, Q = T_FORECAST, T_QUESTION
    r, newer = T_RESOLUTION.alias("r"), T_RESOLUTION.alias("newer")
    current = ~exists().where(and_(newer.c.question_id == r.c.question_id, newer.c.id > r.c.id))
    qstmt = (
        select(Q.c.id, Q.c.kind, Q.c.outcomes, Q.c.ordered, Q.c.deadline, Q.c.opened_at, Q.c.scenario_id, Q.c.phrase,
               r.c.outcome, r.c.known_at)
        .select_from(Q.join(r, r.c.question_id == Q.c.id))
        .where(current, r.c.annulled.is_(False))
        .order_by(Q.c.id)
    )
    conds = []
    if scenario:
        conds.append(Q.c.scenario_id == scenario)
    if tag:
        conds.append(exists().where(and_(T_TAG.c.question_id == Q.c.id, T_TAG.c.tag == tag)))
    if period is not None:
        conds.append(Q.c.deadline.between(period.start, period.end))
    for c in conds:
        qstmt = qstmt.where(c)
    if analyst:
        # only the questions this analyst forecast: the cost follows the analyst, not the database
        qstmt = qstmt.where(Q.c.id.in_(select(F.c.question_id).where(F.c.analyst == analyst)))
    # the forecast rows: (question, analyst, probability, made_at[, vector])
    cols = [F.c.question_id, F.c.analyst, F.c.probability, F.c.made_at]
    if conds or exclude_after_fact:
        # a part of the database: joined and filtered in SQL
        stmt = (
            select(*cols)
            .select_from(Q.join(r, r.c.question_id == Q.c.id).join(F, F.c.question_id == Q.c.id))
            .where(current, r.c.annulled.is_(False), F.c.made_at < r.c.known_at, *conds)
            .order_by(F.c.question_id, F.c.analyst, F.c.made_at, F.c.id)
        )
        if exclude_after_fact:
            stmt = stmt.where(F.c.recorded_at <= r.c.known_at)
    else:
        # all of it: one scan of the forecast index, in the order asked; the
        # question facts (current resolution, known_at) are applied per row
        # in Python, which costs less than reading a question and a
        # resolution row from the database for every forecast
        stmt = (
            select(*cols)
            .where(exists().where(T_RESOLUTION.c.question_id == F.c.question_id))
            .order_by(F.c.question_id, F.c.analyst, F.c.made_at, F.c.id)
        )
    if analyst:
        stmt = stmt.where(F.c.analyst == analyst)
    from .week import zone_of

    with store.read() as conn, paused_gc():
        which = forecast_set(conn, forecasts, analyst=analyst)
        chosen = forecast_condition(F, which)
        if chosen is not None:
            stmt = stmt.where(chosen)
        qrows = raw_rows(conn, qstmt)
        questions = _Questions([row[0] for row in qrows], qrows, _Lookup((row[0], i) for i, row in enumerate(qrows)),
                               zone_of(conn))
        tag_stmt = select(T_TAG.c.question_id, T_TAG.c.tag)
        if conds or analyst:  # the tags of the questions in scope only
            tag_stmt = tag_stmt.where(T_TAG.c.question_id.in_(select(qstmt.order_by(None).subquery().c.id)))
        tag_rows = raw_rows(conn, tag_stmt.order_by(T_TAG.c.question_id, T_TAG.c.tag))
        chunks = _read_forecasts(conn, stmt, questions, "time-weighted" if raw is not None else mode, progress)
        # categorical forecasts (their vectors), read apart for their questions only
        cat_ids = [row[0] for row in qrows if row[1] != "binary"]
        categorical: list[tuple] = []
        for chunk in chunked(cat_ids):
            cstmt = stmt.add_columns(F.c.probabilities).where(F.c.question_id.in_(chunk))
            for qid, who, p, made, vec in raw_rows(conn, cstmt):
                if made < questions.rows[questions.code[qid]][9]:
                    categorical.append((qid, who, p, json.loads(vec) if isinstance(vec, str) else vec, made))
    tags: dict[str, list[str]] = defaultdict(list)
    for qid, t in tag_rows:
        if qid in questions.code:
            tags[qid].append(t)
    qc, ac, prob, made, analysts, n_rows = chunks
    pairs = _pairs_of(qc, ac, prob, made, questions, analysts, mode)
    if raw is not None:
        raw.update(qc=qc, ac=ac, prob=prob, made=made, questions=questions, analysts=analysts)
    pairs.tags = dict(tags)
    infos = {qid: questions.info(questions.code[qid]) for qid in dict.fromkeys(row[0] for row in categorical)}
    pairs.categorical = categorical_pairs(categorical, infos, mode, questions.tz)
    pairs.n_forecasts = n_rows + len(categorical)
    pairs.forecasts = which
    return pairs


def _read_forecasts(conn, stmt, questions: _Questions, mode: str, progress):
    """The scoreable binary forecast rows as arrays: question code, analyst
    code, probability, made_at in microseconds (time-weighted mode; else
    None); the analysts (by code) and the number of rows. A row counts when
    its question is in scope (resolved, not annulled, within the filters)
    and it was made before the outcome became known (the comparison SQL
    makes: stored text on SQLite, timestamps on PostgreSQL)."""
    qcode = questions.code
    known = [row[9] for row in questions.rows]
    binary = [row[1] == "binary" for row in questions.rows]
    all_binary = all(binary)
    analysts = _Codes()
    q_parts, a_parts, p_parts, m_parts = [], [], [], []
    timed = mode == "time-weighted"
    n_rows = 0
    result = conn.execute(stmt)
    try:
        cursor = result.cursor
        while True:
            rows = cursor.fetchmany(FETCH_ROWS)
            if not rows:
                break
            cols = list(zip(*rows))
            codes = list(map(qcode.__getitem__, cols[0]))
            if min(codes) < 0:  # a question out of scope (annulled, or resolved after the questions were read)
                rows = [row for row, c in zip(rows, codes) if c >= 0]
                cols = list(zip(*rows)) if rows else [()] * 4
                codes = list(map(qcode.__getitem__, cols[0]))
            keep = list(map(operator.lt, cols[3], map(known.__getitem__, codes)))
            if not all(keep) or not (all_binary or all(map(binary.__getitem__, codes))):  # (categorical: read apart)
                rows = [row for row, c, ok in zip(rows, codes, keep) if ok and binary[c]]
                cols = list(zip(*rows)) if rows else [()] * 4
                codes = list(map(qcode.__getitem__, cols[0]))
            del rows
            if codes:
                n_rows += len(codes)
                q_parts.append(np.array(codes, dtype=np.int64))
                a_parts.append(np.fromiter(map(analysts.__getitem__, cols[1]), dtype=np.int64, count=len(codes)))
                p_parts.append(np.array(cols[2], dtype=np.float64))
                if timed:
                    m_parts.append(_epoch_us(list(cols[3])))
            del cols
            if progress is not None:
                progress("reading", n_rows, None)
    finally:
        result.close()

    def join(parts, dtype):
        return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)

    made = join(m_parts, np.int64) if timed else None
    return join(q_parts, np.int64), join(a_parts, np.int64), join(p_parts, np.float64), made, list(analysts), n_rows


def _pair_bounds(qcol: np.ndarray, acol: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and end (exclusive) index of each (question, analyst) run in sorted rows."""
    n = len(qcol)
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    change = np.flatnonzero((qcol[1:] != qcol[:-1]) | (acol[1:] != acol[:-1])) + 1
    starts = np.concatenate(([0], change))
    ends = np.concatenate((change, [n]))
    return starts, ends


def _object_array(values: list) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _empty_pairs() -> Pairs:
    empty = np.zeros(0)
    obj = np.zeros(0, dtype=object)
    return Pairs(obj, obj, empty, np.zeros(0, dtype=np.int8), empty, empty, obj, obj, obj)


def _pairs_of(qc: np.ndarray, ac: np.ndarray, prob: np.ndarray, made: Optional[np.ndarray], questions: _Questions,
              analysts: list, mode: str) -> Pairs:
    """Binary forecasts (codes sorted by question, analyst, time) -> one row per pair."""
    from ..models import deadline_end

    if len(qc) == 0:
        return _empty_pairs()
    starts, ends = _pair_bounds(qc, ac)
    pick = starts if mode == "initial" else ends - 1
    used = np.unique(qc)  # the questions scored
    rows = questions.rows
    # each question's facts, once per question (arrays indexed by question code)
    yes_q = np.array([row[8] == "yes" for row in rows], dtype=np.int8)
    scen_q = _object_array([row[6] for row in rows])
    phrase_q = _object_array([row[7] or None for row in rows])
    labels = {d: quarter_label(_as_date(d)) for d in {row[4] for row in rows}}
    quarter_q = _object_array([labels[row[4]] for row in rows])
    pq = qc[pick]
    q = _object_array(questions.ids)[pq]
    a = _object_array(analysts)[ac[pick]]
    p = prob[pick]
    yes = yes_q[pq]
    coverage = np.full(len(pick), np.nan)
    if mode == "time-weighted":
        opened_q = np.full(len(rows), np.nan)
        end_q = np.full(len(rows), np.nan)
        known_q = np.full(len(rows), np.nan)
        for i in used.tolist():
            info = questions.info(i)
            opened_q[i] = _epoch_us([info.opened_at])[0] / 1e6
            end_q[i] = _epoch_us([deadline_end(info.deadline, questions.tz)])[0] / 1e6
            known_q[i] = _epoch_us([info.known_at])[0] / 1e6
        brier, coverage = _time_weighted_runs(made / 1e6, prob, yes_q[qc].astype(np.float64), starts, ends, pq,
                                              opened_q, end_q, known_q)
        keep = ~np.isnan(brier)
        q, a, p, yes, brier, coverage, pq = q[keep], a[keep], p[keep], yes[keep], brier[keep], coverage[keep], pq[keep]
    else:
        brier = (p - yes) ** 2
    return Pairs(q, a, p, yes, brier, coverage, scen_q[pq], quarter_q[pq], phrase_q[pq])


def _time_weighted_runs(made: np.ndarray, prob: np.ndarray, yes: np.ndarray, starts: np.ndarray, ends: np.ndarray,
                        run_question: np.ndarray, opened_q: np.ndarray, end_q: np.ndarray, known_q: np.ndarray,
                        score_of: Optional[Callable] = None, default: float = 0.25) -> tuple[np.ndarray, np.ndarray]:
    """:func:`tracker.scoring.time_weighted_score` of every (question, analyst) run, with the time
    before each analyst's first forecast scored at the team's median forecast in force
    (:func:`tracker.scoring.timeweighted.median_path` over the question's analysts). ``made`` in
    seconds; ``prob`` one value (binary) or vector (categorical) per forecast; ``score_of(p, row)``
    the per-forecast score (default the binary Brier ``(p - yes)^2``); ``default`` the uninformed
    forecast's score. Returns (score, coverage) per run, NaN where undefined."""
    from ..scoring.timeweighted import _time_weighted, median_path

    if score_of is None:
        def score_of(p, rows):
            return (p - yes[rows]) ** 2
    n_runs = len(starts)
    score = np.full(n_runs, np.nan)
    coverage = np.full(n_runs, np.nan)
    bounds = np.flatnonzero(np.diff(run_question)) + 1
    for r0, r1 in zip(np.concatenate(([0], bounds)).tolist(), np.concatenate((bounds, [n_runs])).tolist()):
        qi = int(run_question[r0])
        opened, end = float(opened_q[qi]), float(end_q[qi])
        stop = min(end, float(known_q[qi]))
        runs = [(int(starts[r]), int(ends[r])) for r in range(r0, r1)]
        points, med = median_path([np.maximum(made[a:b], opened) for a, b in runs], [prob[a:b] for a, b in runs])
        fill = score_of(med, np.full(len(points), runs[0][0])) if len(points) else np.zeros(0)
        for r, (a, b) in zip(range(r0, r1), runs):
            tw = _time_weighted(made[a:b], score_of(prob[a:b], np.arange(a, b)), opened, end, stop, points, fill,
                                default, "0-1")
            if tw.score is not None:
                score[r], coverage[r] = tw.score, tw.coverage
    return score, coverage


def categorical_pairs(rows: list, questions: dict, mode: str, tz=None) -> list[dict]:
    """One item per categorical (question, analyst) pair from rows (question_id, analyst, probability,
    vector, made_at, ...) sorted by question, analyst and time. In the time-weighted mode the Brier
    score (and the RPS of ordered questions) is time-weighted by the rules of the binary questions
    (:func:`tracker.scoring.time_weighted_score`), the team's median vector filling the time before
    each analyst's first forecast; ``mode`` says which."""
    from ..models import deadline_end
    from ..scoring import categorical_brier_scores, ranked_probability_scores

    by_pair: dict[tuple, list] = {}
    for row in rows:
        by_pair.setdefault((row[0], row[1]), []).append(row)
    timed: dict[tuple, tuple] = {}
    if mode == "time-weighted" and by_pair:
        by_question: dict[str, list] = defaultdict(list)
        for key in by_pair:
            by_question[key[0]].append(key)
        for qid, keys in by_question.items():
            info = questions[qid]
            outcomes = list(info.outcomes)
            k = outcomes.index(info.outcome)
            made = np.concatenate([_epoch_us([r[4] for r in by_pair[key]]) for key in keys]) / 1e6
            vecs = np.array([[float(r[3][o]) for o in outcomes] for key in keys for r in by_pair[key]])
            sizes = [len(by_pair[key]) for key in keys]
            ends = np.cumsum(sizes)
            starts = ends - np.array(sizes)
            opened = _epoch_us([info.opened_at])[0] / 1e6
            end = _epoch_us([deadline_end(info.deadline, tz)])[0] / 1e6  # the end of the day in the team's zone
            known = _epoch_us([info.known_at])[0] / 1e6
            results = {}
            scorers = [("brier", categorical_brier_scores)] + ([("rps", ranked_probability_scores)] if info.ordered else [])
            for name, fn in scorers:
                uniform = float(fn(np.full((1, len(outcomes)), 1.0 / len(outcomes)), [k])[0])
                results[name] = _time_weighted_runs(
                    made, vecs, None, starts, ends, np.zeros(len(keys), dtype=np.int64), np.array([opened]),
                    np.array([end]), np.array([known]), score_of=lambda p, _rows, fn=fn: fn(p, np.full(len(p), k)),
                    default=uniform)[0]
            for i, key in enumerate(keys):
                timed[key] = (results["brier"][i], results["rps"][i] if "rps" in results else None)
    out = []
    for (qid, who), revs in by_pair.items():
        info = questions[qid]
        outcomes = list(info.outcomes)
        chosen = revs[0] if mode == "initial" else revs[-1]
        vec = np.array([[float(chosen[3][o]) for o in outcomes]])
        k = np.array([outcomes.index(info.outcome)])
        brier = float(categorical_brier_scores(vec, k)[0])
        rps = float(ranked_probability_scores(vec, k)[0]) if info.ordered else None
        if (qid, who) in timed:
            brier, rps = timed[(qid, who)]
            if np.isnan(brier):
                continue
            brier, rps = float(brier), None if rps is None else float(rps)
        item = {
            "question": qid, "analyst": who, "outcome": info.outcome, "brier": brier, "rps": rps,
            "scenario": info.scenario_id, "quarter": quarter_label(info.deadline), "phrase": info.phrase,
        }
        out.append(item)
    return out


# ---------------------------------------------------------------- subsets

_JSON_CONSTANTS = {"null": None, "[]": [], "{}": {}}


def json_column(value: Any) -> Any:
    """A JSON column read raw: text on SQLite (parsed here), already parsed on PostgreSQL."""
    if isinstance(value, str) and value in _JSON_CONSTANTS:
        const = _JSON_CONSTANTS[value]
        return type(const)() if const is not None else None  # a fresh empty list or dict
    if isinstance(value, (str, bytes)):
        return json.loads(value)
    return value


def summary_of(pairs: Pairs, idx: Optional[np.ndarray], *, bins: int, scale: str, bootstrap: bool, mode: str) -> dict:
    """The ``tracker score`` object for a subset of pairs (``idx`` None: all):
    :func:`tracker.scoring.group_summary` of their forecasts, scores and questions."""
    from ..scoring import group_summary

    sel = slice(None) if idx is None else idx
    return group_summary(pairs.p[sel], pairs.y[sel], pairs.question[sel], bins=bins, scale=scale, bootstrap=bootstrap,
                         mode=mode, scores=pairs.brier[sel], coverage=pairs.coverage[sel])


__all__ = ["Pairs", "load_pairs", "forecast_set", "forecast_condition", "live_condition", "categorical_pairs",
           "summary_of", "json_column", "MODES", "FORECAST_SETS"]
