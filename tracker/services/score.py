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

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Optional

import numpy as np

from ..errors import ValidationError
from ..storage import Store
from .common import T_FORECAST, T_QUESTION, T_RESOLUTION, T_TAG

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


def load_pairs(
    store: Store,
    *,
    mode: str = "final",
    quarter: Optional[str] = None,
    analyst: Optional[str] = None,
    tag: Optional[str] = None,
    scenario: Optional[str] = None,
    exclude_after_fact: bool = False,
) -> Pairs:
    """Read the scoreable forecasts with one query and reduce them to pairs."""
    from sqlalchemy import String, and_, exists, func, select, type_coerce

    from .review import parse_quarter

    if mode not in MODES:
        raise ValidationError(f"unknown mode {mode!r} (one of {', '.join(MODES)})")
    F, Q, R = T_FORECAST, T_QUESTION, T_RESOLUTION
    latest = select(R.c.question_id, func.max(R.c.id).label("rid")).group_by(R.c.question_id).subquery()
    r = R.alias("r")
    raw = store.is_sqlite  # SQLite: read datetimes as text and parse them with numpy
    made = type_coerce(F.c.made_at, String) if raw else F.c.made_at
    stmt = (
        select(F.c.question_id, F.c.analyst, F.c.probability, F.c.probabilities, made, Q.c.kind,
               Q.c.deadline, r.c.outcome)
        .select_from(F.join(Q, Q.c.id == F.c.question_id).join(latest, latest.c.question_id == F.c.question_id)
                     .join(r, r.c.id == latest.c.rid))
        .where(r.c.annulled.is_(False), F.c.made_at < r.c.known_at)
        .order_by(F.c.question_id, F.c.analyst, F.c.made_at, F.c.id)
    )
    qstmt = (
        select(Q.c.id, Q.c.kind, Q.c.outcomes, Q.c.ordered, Q.c.deadline, Q.c.opened_at, Q.c.scenario_id, Q.c.phrase, r.c.outcome, r.c.known_at)
        .select_from(Q.join(latest, latest.c.question_id == Q.c.id).join(r, r.c.id == latest.c.rid))
        .where(r.c.annulled.is_(False))
    )
    conds = []
    if exclude_after_fact:
        stmt = stmt.where(F.c.recorded_at <= r.c.known_at)
    if analyst:
        stmt = stmt.where(F.c.analyst == analyst)
    if scenario:
        conds.append(Q.c.scenario_id == scenario)
    if tag:
        conds.append(exists().where(and_(T_TAG.c.question_id == Q.c.id, T_TAG.c.tag == tag)))
    if quarter:
        _, start, end = parse_quarter(quarter)
        conds.append(Q.c.deadline.between(start, end))
    for c in conds:
        stmt = stmt.where(c)
        qstmt = qstmt.where(c)
    with store.read() as conn:
        rows = conn.execute(stmt).all()
        questions = {row.id: row for row in conn.execute(qstmt)}
        tag_rows = conn.execute(select(T_TAG.c.question_id, T_TAG.c.tag)).all()
    tags: dict[str, list[str]] = defaultdict(list)
    for qid, t in tag_rows:
        if qid in questions:
            tags[qid].append(t)
    binary = [row for row in rows if row[5] == "binary"]
    categorical = [row for row in rows if row[5] != "binary"]
    pairs = _binary_pairs(binary, questions, mode)
    pairs.tags = dict(tags)
    pairs.categorical = _categorical_pairs(categorical, questions, mode)
    pairs.n_forecasts = len(rows)
    return pairs


def _pair_bounds(qcol: np.ndarray, acol: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and end (exclusive) index of each (question, analyst) run in sorted rows."""
    n = len(qcol)
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    change = np.flatnonzero((qcol[1:] != qcol[:-1]) | (acol[1:] != acol[:-1])) + 1
    starts = np.concatenate(([0], change))
    ends = np.concatenate((change, [n]))
    return starts, ends


def _binary_pairs(rows: list, questions: dict, mode: str) -> Pairs:
    from ..models import deadline_end
    from ..scoring import time_weighted_score

    n = len(rows)
    if n == 0:
        empty = np.zeros(0)
        obj = np.zeros(0, dtype=object)
        return Pairs(obj, obj, empty, np.zeros(0, dtype=np.int8), empty, empty, obj, obj, obj)
    cols = list(zip(*rows))
    qcol = np.array(cols[0], dtype=object)
    acol = np.array(cols[1], dtype=object)
    prob = np.array(cols[2], dtype=np.float64)
    starts, ends = _pair_bounds(qcol, acol)
    pick = starts if mode == "initial" else ends - 1
    q = qcol[pick]
    a = acol[pick]
    p = prob[pick]
    yes = np.array([questions[x].outcome == "yes" for x in q], dtype=np.int8)
    coverage = np.full(len(pick), np.nan)
    if mode == "time-weighted":
        made = _epoch_us(list(cols[4]))
        brier = np.empty(len(pick))
        for i, (s, e) in enumerate(zip(starts, ends)):
            info = questions[q[i]]
            opened = _epoch_us([info.opened_at])[0]
            closed = min(_epoch_us([deadline_end(info.deadline)])[0], _epoch_us([info.known_at])[0])
            res = time_weighted_score(made[s:e] / 1e6, prob[s:e], opened=opened / 1e6, closed=closed / 1e6, outcome=int(yes[i]))
            brier[i] = np.nan if res.score is None else res.score
            coverage[i] = res.coverage if res.coverage is not None else np.nan
        keep = ~np.isnan(brier)
        q, a, p, yes, brier, coverage = q[keep], a[keep], p[keep], yes[keep], brier[keep], coverage[keep]
    else:
        brier = (p - yes) ** 2
    scen = np.array([questions[x].scenario_id for x in q], dtype=object)
    quarter = np.array([_quarter_label(questions[x].deadline) for x in q], dtype=object)
    phrase = np.array([(questions[x].phrase or None) for x in q], dtype=object)
    return Pairs(q, a, p, yes, brier, coverage, scen, quarter, phrase)


def _categorical_pairs(rows: list, questions: dict, mode: str) -> list[dict]:
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
    labels = np.array(["(none)" if v is None else str(v) for v in column], dtype=object)
    if len(labels) == 0:
        return []
    uniq, inverse = np.unique(labels.astype(str), return_inverse=True)
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
) -> Any:
    """One summary object, or (with ``by``) a list of them each with ``group``."""
    if by is not None and by not in GROUPS:
        raise ValidationError(f"unknown grouping {by!r} (one of {', '.join(GROUPS)})")
    if scale not in SCALES:
        raise ValidationError(f"unknown Brier scale {scale!r} (0-1 or 0-2)")
    if not isinstance(bins, int) or not 1 <= bins <= 1000:
        raise ValidationError(f"bins must be between 1 and 1000, not {bins!r}")
    pairs = load_pairs(store, mode=mode, quarter=quarter, analyst=analyst, tag=tag, scenario=scenario,
                       exclude_after_fact=exclude_after_fact)
    if by is None:
        out = summary_of(pairs, None, bins=bins, scale=scale, bootstrap=bootstrap, mode=mode)
        out["categorical"] = _categorical_summary(pairs.categorical)
        out["n_analysts"] = int(len(set(pairs.analyst))) if len(pairs.analyst) else 0
        out["n_questions"] = int(len(set(pairs.question))) if len(pairs.question) else 0
        return out
    groups = _group_keys(pairs, by)
    cat_groups = _categorical_group(pairs.categorical, by, pairs)
    relative = None
    if by == "analyst" and len(pairs.question):
        from ..scoring import relative_brier

        relative = relative_brier(pairs.question, pairs.analyst, pairs.brier)
    results = []
    names = sorted({g for g, _ in groups} | set(cat_groups))
    index = dict(groups)
    empty = np.zeros(0, dtype=np.int64)
    for name in names:
        item = {"group": name}
        item.update(summary_of(pairs, index.get(name, empty), bins=bins, scale=scale, bootstrap=bootstrap, mode=mode))
        item["categorical"] = _categorical_summary(cat_groups.get(name, []))
        if by == "analyst":
            rel = relative.get(name) if relative is not None else None
            item["relative_brier"] = None if rel is None else float(rel.value) * (2.0 if scale == "0-2" else 1.0)
        results.append(item)
    return results
