"""Scoring from the database: one bulk query into numpy arrays, then the
pure functions of ``tracker.scoring``.

The unit scored is one (question, analyst) pair. Modes:

- ``final``: the analyst's last forecast made before the question closed
  (the earlier of the end of the deadline and the moment the outcome became
  known);
- ``initial``: the analyst's first forecast;
- ``time-weighted``: the mean Brier score over the open window, carrying
  the latest forecast forward; time before the analyst's first forecast is
  excluded and reported as coverage. Calibration statistics in this mode use
  the final forecasts (a time-weighted score has no single probability).

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
from ..storage import Store
from .common import T_FORECAST, T_QUESTION, T_RESOLUTION, T_TAG, paused_gc, raw_rows

MODES = ("final", "initial", "time-weighted")
GROUPS = ("analyst", "tag", "scenario", "quarter", "question", "wep")
SCALES = ("0-1", "0-2")
MIN_FOR_CURVE = 2


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


def _epoch_us(values: list) -> np.ndarray:
    """Datetimes (objects or SQLite's text) -> int64 microseconds since 1970, UTC."""
    if not values:
        return np.zeros(0, dtype=np.int64)
    if isinstance(values[0], str):
        return np.array(values, dtype="datetime64[us]").astype(np.int64)
    return np.array([round(v.timestamp() * 1_000_000) for v in values], dtype=np.int64)


def _quarter_label(d: date) -> str:
    return f"{d.year}Q{(d.month - 1) // 3 + 1}"


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
    *,
    mode: str = "final",
    quarter: Optional[str] = None,
    analyst: Optional[str] = None,
    tag: Optional[str] = None,
    scenario: Optional[str] = None,
    exclude_after_fact: bool = False,
    progress: Optional[Callable[[str, int, Optional[int]], None]] = None,
    raw: Optional[dict] = None,
) -> Pairs:
    """Read the scoreable forecasts with one query and reduce them to pairs.

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

    from .review import parse_quarter

    if mode not in MODES:
        raise ValidationError(f"unknown mode {mode!r} (one of {', '.join(MODES)})")
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
    if quarter:
        _, start, end = parse_quarter(quarter)
        conds.append(Q.c.deadline.between(start, end))
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
    with store.read() as conn, paused_gc():
        qrows = raw_rows(conn, qstmt)
        questions = _Questions([row[0] for row in qrows], qrows, _Lookup((row[0], i) for i, row in enumerate(qrows)))
        tag_stmt = select(T_TAG.c.question_id, T_TAG.c.tag)
        if conds or analyst:  # the tags of the questions in scope only
            tag_stmt = tag_stmt.where(T_TAG.c.question_id.in_(select(qstmt.order_by(None).subquery().c.id)))
        tag_rows = raw_rows(conn, tag_stmt.order_by(T_TAG.c.question_id, T_TAG.c.tag))
        chunks = _read_forecasts(conn, stmt, questions, "time-weighted" if raw is not None else mode, progress)
        # categorical forecasts (their vectors), read apart for their questions only
        cat_ids = [row[0] for row in qrows if row[1] != "binary"]
        categorical: list[tuple] = []
        for start in range(0, len(cat_ids), 500):
            cstmt = stmt.add_columns(F.c.probabilities).where(F.c.question_id.in_(cat_ids[start : start + 500]))
            for qid, who, p, made, vec in raw_rows(conn, cstmt):
                if made < questions.rows[questions.code[qid]][9]:
                    categorical.append((qid, who, p, json.loads(vec) if isinstance(vec, str) else vec))
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
    pairs.categorical = categorical_pairs(categorical, infos, mode)
    pairs.n_forecasts = n_rows + len(categorical)
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
    from ..scoring.timeweighted import time_weighted_many

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
    labels = {d: _quarter_label(_as_date(d)) for d in {row[4] for row in rows}}
    quarter_q = _object_array([labels[row[4]] for row in rows])
    pq = qc[pick]
    q = _object_array(questions.ids)[pq]
    a = _object_array(analysts)[ac[pick]]
    p = prob[pick]
    yes = yes_q[pq]
    coverage = np.full(len(pick), np.nan)
    if mode == "time-weighted":
        opened_q = np.full(len(rows), np.nan)
        closed_q = np.full(len(rows), np.nan)
        for i in used.tolist():
            info = questions.info(i)
            opened_q[i] = _epoch_us([info.opened_at])[0] / 1e6
            closed_q[i] = min(_epoch_us([deadline_end(info.deadline)])[0], _epoch_us([info.known_at])[0]) / 1e6
        per_forecast = (prob - yes_q[qc]) ** 2
        brier, coverage = time_weighted_many(made / 1e6, per_forecast, starts, ends, opened_q[pq], closed_q[pq])
        keep = ~np.isnan(brier)
        q, a, p, yes, brier, coverage, pq = q[keep], a[keep], p[keep], yes[keep], brier[keep], coverage[keep], pq[keep]
    else:
        brier = (p - yes) ** 2
    return Pairs(q, a, p, yes, brier, coverage, scen_q[pq], quarter_q[pq], phrase_q[pq])


def binary_pairs(rows: list, questions: dict, mode: str) -> Pairs:
    """Pairs from binary forecast rows (question_id, analyst, probability,
    probabilities, made_at, ...) sorted by question, analyst and time, with
    ``questions`` mapping id -> facts (attributes kind, outcomes, ordered,
    deadline, opened_at, scenario_id, phrase, outcome, known_at)."""
    if not rows:
        return _empty_pairs()
    cols = list(zip(*rows))
    qcode = _Codes()
    analysts = _Codes()
    qc = np.fromiter(map(qcode.__getitem__, cols[0]), dtype=np.int64, count=len(rows))
    ac = np.fromiter(map(analysts.__getitem__, cols[1]), dtype=np.int64, count=len(rows))
    prob = np.array(cols[2], dtype=np.float64)
    made = _epoch_us(list(cols[4])) if mode == "time-weighted" else None
    qrows = []
    for qid in qcode:
        info = questions[qid]
        qrows.append((qid, info.kind, info.outcomes, info.ordered, info.deadline, info.opened_at, info.scenario_id,
                      info.phrase, info.outcome, info.known_at))
    return _pairs_of(qc, ac, prob, made, _Questions(list(qcode), qrows, dict(qcode)), list(analysts), mode)


def categorical_pairs(rows: list, questions: dict, mode: str) -> list[dict]:
    from ..scoring import categorical_brier_scores, ranked_probability_scores

    by_pair: dict[tuple, list] = {}
    for row in rows:
        by_pair.setdefault((row[0], row[1]), []).append(row)
    out = []
    for (qid, who), revs in by_pair.items():
        info = questions[qid]
        outcomes = list(info.outcomes)
        chosen = revs[0] if mode == "initial" else revs[-1]
        vec = np.array([[float(chosen[3][o]) for o in outcomes]])
        k = np.array([outcomes.index(info.outcome)])
        item = {
            "question": qid, "analyst": who, "outcome": info.outcome,
            "brier": float(categorical_brier_scores(vec, k)[0]),
            "rps": float(ranked_probability_scores(vec, k)[0]) if info.ordered else None,
            "scenario": info.scenario_id, "quarter": _quarter_label(info.deadline), "phrase": info.phrase,
        }
        out.append(item)
    return out


# ------------------------------------------------------------------ summary


def summary_of(pairs: Pairs, idx: Optional[np.ndarray], *, bins: int, scale: str, bootstrap: bool, mode: str) -> dict:
    """The ``tracker score`` object for a subset of pairs (``idx`` None: all)."""
    from ..scoring import bootstrap_ci, summarize

    p = pairs.p if idx is None else pairs.p[idx]
    y = pairs.y if idx is None else pairs.y[idx]
    per_pair = pairs.brier if idx is None else pairs.brier[idx]
    n = int(len(p))
    factor = 2.0 if scale == "0-2" else 1.0
    if n == 0:
        return {
            "n": 0, "brier": None, "brier_scale": scale, "log_score": None, "log_score_clipped": 0, "base_rate": None,
            "brier_skill": None, "brier_ci": None,
            "murphy": {"bins": bins, "reliability": None, "resolution": None, "uncertainty": None,
                       "within_bin_variance": None, "within_bin_covariance": None},
            "corp": {"mcb": None, "dsc": None, "unc": None},
            "spiegelhalter": {"z": None, "p_value": None},
            "calibration": {"slope": None, "intercept": None, "slope_ci": None},
            "mode": mode, "coverage": None,
            "notes": ["no resolved binary forecasts to score"],
        }
    out = summarize(p, y, bins=bins, scale=scale, bootstrap=bootstrap and mode != "time-weighted")
    out["mode"] = mode
    out["coverage"] = None
    if mode == "time-weighted":
        out["brier"] = float(per_pair.mean() * factor)
        if bootstrap:
            ci = bootstrap_ci(per_pair * factor)
            out["brier_ci"] = [ci.low, ci.high] if ci.low is not None else None
        out["coverage"] = float(np.nanmean(pairs.coverage if idx is None else pairs.coverage[idx]))
        base = out["base_rate"]
        if base is not None and 0 < base < 1:
            out["brier_skill"] = 1.0 - float(per_pair.mean()) / (base * (1 - base))
        out["notes"] = [x for x in out["notes"] if not x.startswith("brier_ci not computed")] if bootstrap else out["notes"]
        out["notes"].append("time-weighted Brier; calibration statistics use the final forecasts")
    if n < MIN_FOR_CURVE:
        out["notes"].append(f"only {n} forecast(s): too few for calibration statistics")
    return out


def _categorical_summary(items: list[dict]) -> dict:
    if not items:
        return {"n": 0, "brier": None, "brier_scale": "0-2", "rps": None, "n_ordered": 0}
    rps = [i["rps"] for i in items if i["rps"] is not None]
    return {
        "n": len(items),
        "brier": float(np.mean([i["brier"] for i in items])),
        "brier_scale": "0-2",
        "rps": float(np.mean(rps)) if rps else None,
        "n_ordered": len(rps),
    }


def _group_keys(pairs: Pairs, by: str) -> list[tuple[str, np.ndarray]]:
    """(group value, index array) for each group."""
    if by == "tag":
        members: dict[str, list[int]] = defaultdict(list)
        for i, q in enumerate(pairs.question):
            for t in pairs.tags.get(q, []) or ["(untagged)"]:
                members[t].append(i)
        return [(k, np.array(v, dtype=np.int64)) for k, v in sorted(members.items())]
    column = {
        "analyst": pairs.analyst, "scenario": pairs.scenario, "quarter": pairs.quarter,
        "question": pairs.question, "wep": pairs.phrase,
    }[by]
    return index_groups(np.array(["(none)" if v is None else str(v) for v in column], dtype=object))


def index_groups(labels: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """(label, positions of that label) for each distinct label, in label
    order, from one sort (not one comparison pass per label)."""
    if len(labels) == 0:
        return []
    uniq, inverse = np.unique(np.asarray(labels).astype(str), return_inverse=True)
    order = np.argsort(inverse, kind="stable")
    bounds = np.searchsorted(inverse[order], np.arange(len(uniq) + 1))
    return [(str(u), order[bounds[i]:bounds[i + 1]]) for i, u in enumerate(uniq)]


def _categorical_group(items: list[dict], by: str, pairs: Pairs) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = defaultdict(list)
    for it in items:
        if by == "tag":
            for t in pairs.tags.get(it["question"], []) or ["(untagged)"]:
                out[t].append(it)
        else:
            key = {"analyst": it["analyst"], "scenario": it["scenario"], "quarter": it["quarter"],
                   "question": it["question"], "wep": it["phrase"]}[by]
            out["(none)" if key is None else str(key)].append(it)
    return out


def score(
    store: Store,
    *,
    by: Optional[str] = None,
    mode: str = "final",
    bins: int = 10,
    scale: str = "0-1",
    quarter: Optional[str] = None,
    analyst: Optional[str] = None,
    tag: Optional[str] = None,
    scenario: Optional[str] = None,
    exclude_after_fact: bool = False,
    bootstrap: bool = True,
    progress: Optional[Callable[[str, int, Optional[int]], None]] = None,
    team: bool = False,
    team_methods: Optional[list] = None,
    team_cv: str = "loo",
    relative_to: Optional[str] = None,
) -> Any:
    """One summary object, or (with ``by``) a list of them each with ``group``.

    ``team`` (with ``by`` None or "analyst"): the team's aggregates scored as
    forecasters (services.aggregate.team_rows), appended as rows with
    ``by="analyst"``, else under the key ``team``.

    ``progress(phase, done, total)``, if given, hears how far the work is:
    "reading" forecasts (total unknown), then "scoring" groups."""
    if by is not None and by not in GROUPS:
        raise ValidationError(f"unknown grouping {by!r} (one of {', '.join(GROUPS)})")
    if scale not in SCALES:
        raise ValidationError(f"unknown Brier scale {scale!r} (0-1 or 0-2)")
    if not isinstance(bins, int) or not 1 <= bins <= 1000:
        raise ValidationError(f"bins must be between 1 and 1000, not {bins!r}")
    if team and by not in (None, "analyst"):
        raise ValidationError("--team goes with --by analyst (or no --by)")
    raw: Optional[dict] = {} if team or relative_to == "team" else None
    pairs = load_pairs(store, mode=mode, quarter=quarter, analyst=analyst, tag=tag, scenario=scenario,
                       exclude_after_fact=exclude_after_fact, progress=progress, raw=raw)
    team_out: list = []
    if team:
        from .aggregate import team_rows

        team_out = team_rows(pairs, raw, mode=mode, methods=team_methods, cv=team_cv, bins=bins, scale=scale,
                             bootstrap=bootstrap)
    if by is None:
        out = summary_of(pairs, None, bins=bins, scale=scale, bootstrap=bootstrap, mode=mode)
        out["categorical"] = _categorical_summary(pairs.categorical)
        out["n_analysts"] = int(len(set(pairs.analyst))) if len(pairs.analyst) else 0
        out["n_questions"] = int(len(set(pairs.question))) if len(pairs.question) else 0
        if team:
            out["team"] = team_out
        return out
    groups = _group_keys(pairs, by)
    cat_groups = _categorical_group(pairs.categorical, by, pairs)
    relative = None
    if by == "analyst" and len(pairs.question):
        relative = _relative_by_analyst(pairs)
    results = []
    names = sorted({g for g, _ in groups} | set(cat_groups))
    index = dict(groups)
    empty = np.zeros(0, dtype=np.int64)
    summaries = _map_groups(
        lambda name: summary_of(pairs, index.get(name, empty), bins=bins, scale=scale, bootstrap=bootstrap, mode=mode),
        names, len(pairs.p), progress,
    )
    for name, summary in zip(names, summaries):
        item = {"group": name}
        item.update(summary)
        item["categorical"] = _categorical_summary(cat_groups.get(name, []))
        if by == "analyst":
            rel = relative.get(name) if relative is not None else None
            item["relative_brier"] = None if rel is None else float(rel.value) * (2.0 if scale == "0-2" else 1.0)
        results.append(item)
    if relative_to == "team" and by == "analyst":  # each analyst against the team's extremized forecast
        from .aggregate import relative_to_team, team_label

        rel_team = relative_to_team(pairs, raw, mode=mode, cv=team_cv)
        for item in results:
            value = rel_team.get(item["group"])
            item["relative_brier"] = None if value is None else value * (2.0 if scale == "0-2" else 1.0)
            item["relative_to"] = team_label("extremized")
    results.extend(team_out)
    return results


# Threads pay only where each group's work is mostly numpy on large arrays
# (which lets go of the GIL): many pairs, and many pairs a group. Many small
# groups (PredictionBook: 1,958 analysts, half with one or two pairs) are
# Python-bound and run faster on one thread than on several.
PARALLEL_MIN_PAIRS = 50_000
PARALLEL_MIN_PAIRS_PER_GROUP = 500
MAX_WORKERS = 4


def _map_groups(fn: Callable[[str], dict], names: list[str], n_pairs: int, progress) -> list[dict]:
    """``fn`` of each group, in order. Over many pairs in large groups the
    groups are scored on a few threads: the statistics (above all the
    bootstrap's resampling) run in numpy, which lets go of the GIL; every
    group draws from its own seeded generator, so the numbers do not depend
    on the threads."""
    import os

    total = len(names)
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        cpus = os.cpu_count() or 1
    big = n_pairs >= PARALLEL_MIN_PAIRS and n_pairs >= PARALLEL_MIN_PAIRS_PER_GROUP * total
    workers = min(cpus, MAX_WORKERS, total) if big else 1
    out: list[dict] = []
    if workers <= 1:
        for done, name in enumerate(names):
            if progress is not None:
                progress("scoring", done, total)
            out.append(fn(name))
    else:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(workers, thread_name_prefix="tracker-score") as pool:
            for done, result in enumerate(pool.map(fn, names)):
                if progress is not None:
                    progress("scoring", done, total)
                out.append(result)
    if progress is not None:
        progress("scoring", total, total)
    return out


def _relative_by_analyst(pairs: Pairs) -> dict:
    """``relative_brier`` of the pairs, keyed by analyst. The ids go in as
    integer codes (analysts numbered in sorted order): the same arithmetic
    on the same rows, without sorting a quarter of a million strings."""
    from ..scoring import relative_brier

    n = len(pairs.question)
    qcodes = _Codes()
    qc = np.fromiter(map(qcodes.__getitem__, pairs.question.tolist()), dtype=np.int64, count=n)
    names = sorted(set(pairs.analyst.tolist()))
    acode = {name: i for i, name in enumerate(names)}
    ac = np.fromiter(map(acode.__getitem__, pairs.analyst.tolist()), dtype=np.int64, count=n)
    result = relative_brier(qc, ac, pairs.brier)
    return {names[int(a)]: result[a] for a in result}
