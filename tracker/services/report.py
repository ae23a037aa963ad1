"""The team report and the plots, from the database.

Reads with a few bulk queries (the questions with their current resolution;
each analyst's final forecast per resolved question, reduced in the database;
the tags), builds the scored pairs of the "final" mode from them with the
score service's own reduction (other modes call
:func:`tracker.services.score.load_pairs`), then hands arrays to
:mod:`tracker.report.build` and :mod:`tracker.report.figures`.

Scope: ``quarter`` keeps the questions whose deadline falls in it (as
``tracker review``); ``scenario`` and ``tag`` keep those questions;
``analyst`` keeps that analyst's forecasts (and the questions they forecast),
but the relative Brier still compares them with every analyst on the same
questions. The trend covers the quarters up to the one reported on.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Optional

import numpy as np

from ..errors import ValidationError
from ..report.data import SURPRISE_THRESHOLD, FinalForecast
from ..storage import Store
from .common import T_FORECAST, T_QUESTION, T_RESOLUTION, T_TAG, aware, raw_rows
from .score import MODES, SCALES, Pairs, index_groups, load_pairs, summary_of

PLOT_KINDS = ("calibration", "history", "trend", "wep", "analysts")


# ------------------------------------------------------------------- queries


def _latest_resolution():
    from sqlalchemy import func, select

    R = T_RESOLUTION
    latest = select(R.c.question_id, func.max(R.c.id).label("rid")).group_by(R.c.question_id).subquery()
    return latest, R.alias("r")


def _scope(stmt, *, quarter: Optional[str], scenario: Optional[str], tag: Optional[str], analyst: Optional[str]):
    """Restrict a statement over the question table to the report's scope."""
    from sqlalchemy import and_, exists

    from .review import parse_quarter

    Q = T_QUESTION
    if quarter:
        _, start, end = parse_quarter(quarter)
        stmt = stmt.where(Q.c.deadline.between(start, end))
    if scenario:
        stmt = stmt.where(Q.c.scenario_id == scenario)
    if tag:
        stmt = stmt.where(exists().where(and_(T_TAG.c.question_id == Q.c.id, T_TAG.c.tag == tag)))
    if analyst:
        f = T_FORECAST.alias("f_scope")  # an alias: the statement may select from the forecast table itself
        stmt = stmt.where(exists().where(and_(f.c.question_id == Q.c.id, f.c.analyst == analyst)))
    return stmt


_JSON_CONSTANTS = {"null": None, "[]": [], "{}": {}}


def _json(value: Any) -> Any:
    """A JSON column read raw: text on SQLite (parsed here), already parsed on PostgreSQL."""
    if isinstance(value, str) and value in _JSON_CONSTANTS:
        const = _JSON_CONSTANTS[value]
        return type(const)() if const is not None else None  # a fresh empty list or dict
    if isinstance(value, (str, bytes)):
        import json

        return json.loads(value)
    return value


def _raw(column):
    """A column as the driver returns it, so that only the values needed are converted (SQLAlchemy would
    convert every row): JSON as text, dates and datetimes as ISO text on SQLite (objects on PostgreSQL)."""
    from sqlalchemy import String, type_coerce

    return type_coerce(column, String)


def _dicts(conn, stmt) -> list[dict]:
    result = conn.execute(stmt)
    try:
        keys = list(result.keys())
        return [dict(zip(keys, row)) for row in result.cursor.fetchall()]
    finally:
        result.close()


def _date(value: Any) -> Optional[date]:
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        return aware(value).date()  # the UTC date
    return value


def _datetime(value: Any) -> Optional[datetime]:
    """A stored timestamp (naive UTC text on SQLite) as an aware UTC datetime."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return aware(value)


def _questions(conn, *, scenario: Optional[str], tag: Optional[str]) -> list[dict]:
    """Every question of the scenario/tag scope (all quarters) with its current resolution, by deadline.

    ``outcomes`` and ``deadline`` are converted; ``extra``, ``evidence`` and ``known_at`` stay as stored
    (see :func:`_json`, :func:`_datetime`), converted where used."""
    from sqlalchemy import select

    Q = T_QUESTION
    latest, r = _latest_resolution()
    stmt = (
        select(Q.c.id, Q.c.text, Q.c.kind, _raw(Q.c.outcomes).label("outcomes"), Q.c.ordered,
               _raw(Q.c.deadline).label("deadline"), Q.c.scenario_id,
               Q.c.phrase, Q.c.criteria, _raw(Q.c.extra).label("extra"), r.c.id.label("rid"), r.c.outcome, r.c.annulled, r.c.reason,
               _raw(r.c.known_at).label("known_at"), _raw(r.c.evidence).label("evidence"), r.c.note)
        .select_from(Q.outerjoin(latest, latest.c.question_id == Q.c.id).outerjoin(r, r.c.id == latest.c.rid))
        .order_by(Q.c.deadline, Q.c.id)
    )
    out = []
    for q in _dicts(conn, _scope(stmt, quarter=None, scenario=scenario, tag=tag, analyst=None)):
        q["outcomes"] = _json(q["outcomes"]) if q["kind"] != "binary" else ["yes", "no"]
        q["deadline"] = _date(q["deadline"])
        q["annulled"] = bool(q["annulled"]) if q["rid"] is not None else None
        out.append(q)
    return out


def _in_scope(questions: list[dict], *, quarter: Optional[str], analyst_questions: Optional[set]) -> list[dict]:
    from .review import parse_quarter

    if quarter:
        _, start, end = parse_quarter(quarter)
        questions = [q for q in questions if start <= q["deadline"] <= end]
    if analyst_questions is not None:
        questions = [q for q in questions if q["id"] in analyst_questions]
    return questions


def _analyst_questions(conn, analyst: str) -> set:
    from sqlalchemy import select

    F = T_FORECAST
    return {qid for (qid,) in conn.execute(select(F.c.question_id).where(F.c.analyst == analyst).distinct())}


def _analyst_counts(conn, question_ids: list[str]) -> dict[str, int]:
    """How many analysts forecast each of these questions."""
    from sqlalchemy import func, select

    F = T_FORECAST
    out: dict[str, int] = {}
    for start in range(0, len(question_ids), 500):
        chunk = question_ids[start:start + 500]
        stmt = (select(F.c.question_id, func.count(func.distinct(F.c.analyst)))
                .where(F.c.question_id.in_(chunk)).group_by(F.c.question_id))
        out.update({qid: int(n) for qid, n in conn.execute(stmt)})
    return out


def _final_rows(conn, *, scenario: Optional[str], tag: Optional[str], forecasts: str = "all") -> list[tuple]:
    """(question, analyst, probability, raw vector) per pair, ordered by question and analyst: each analyst's
    last forecast (by made_at, then id) made before the outcome became known, on every resolved or annulled
    question of the scenario/tag scope.

    One query; the database keeps the last row of each pair (no later forecast of the same pair exists
    before the outcome was known: an anti-join on the (question, analyst, made_at) index), so only one row
    per pair crosses over. ``forecasts`` ("live", "history", "all") keeps one set of forecasts apart
    from the other (see :func:`tracker.services.score.forecast_set`)."""
    from sqlalchemy import and_, case, exists, null, or_, select

    from .score import forecast_condition

    F, Q = T_FORECAST, T_QUESTION
    latest, r = _latest_resolution()
    g = T_FORECAST.alias("later")
    vector = case((Q.c.kind == "binary", null()), else_=_raw(F.c.probabilities))  # only categorical rows carry one
    later = exists().where(and_(
        g.c.question_id == F.c.question_id, g.c.analyst == F.c.analyst, g.c.made_at < r.c.known_at,
        or_(g.c.made_at > F.c.made_at, and_(g.c.made_at == F.c.made_at, g.c.id > F.c.id)),
        *([] if forecasts == "all" else [forecast_condition(g, forecasts)]),
    ))
    stmt = (
        select(F.c.question_id, F.c.analyst, F.c.probability, vector)
        .select_from(F.join(Q, Q.c.id == F.c.question_id).join(latest, latest.c.question_id == F.c.question_id)
                     .join(r, r.c.id == latest.c.rid))
        .where(F.c.made_at < r.c.known_at, ~later)
        .order_by(F.c.question_id, F.c.analyst)
    )
    if forecasts != "all":
        stmt = stmt.where(forecast_condition(F, forecasts))
    return raw_rows(conn, _scope(stmt, quarter=None, scenario=scenario, tag=tag, analyst=None))


def _final_pairs(conn, questions: list[dict], rows: list[tuple]) -> Pairs:
    """The scored pairs of the "final" mode, as :func:`tracker.services.score.load_pairs` makes them, from
    the final rows already read (the same reduction code, fed one row per pair). ``n_forecasts`` (how many
    forecasts the pairs summarize) is not counted here: it stays 0."""
    from types import SimpleNamespace

    from sqlalchemy import select

    from .score import binary_pairs, categorical_pairs

    info = {
        # opened_at and known_at serve the time-weighted mode only, which load_pairs computes
        q["id"]: SimpleNamespace(id=q["id"], kind=q["kind"], outcomes=q["outcomes"], ordered=q["ordered"],
                                 deadline=q["deadline"], opened_at=None, scenario_id=q["scenario_id"],
                                 phrase=q["phrase"], outcome=q["outcome"], known_at=None)
        for q in questions if q["rid"] is not None and not q["annulled"]
    }
    binary, categorical = [], []
    for qid, who, p, vec in rows:
        q = info.get(qid)
        if q is None:  # annulled
            continue
        if q.kind == "binary":
            binary.append((qid, who, p, None, None, q.kind, q.deadline, q.outcome))
        else:
            categorical.append((qid, who, p, _json(vec), None, q.kind, q.deadline, q.outcome))
    pairs = binary_pairs(binary, info, "final")
    tags: dict[str, list[str]] = defaultdict(list)
    for qid, t in raw_rows(conn, select(T_TAG.c.question_id, T_TAG.c.tag).order_by(T_TAG.c.question_id, T_TAG.c.tag)):
        if qid in info:
            tags[qid].append(t)
    pairs.tags = dict(tags)
    pairs.categorical = categorical_pairs(categorical, info, "final")
    return pairs


def _pairs(store: Store, *, mode: str, scenario: Optional[str] = None, tag: Optional[str] = None,
           forecasts: str = "auto", progress=None) -> Pairs:
    """The scored pairs (all quarters, all analysts) of the scenario/tag scope."""
    from .score import forecast_set

    if mode != "final":
        return load_pairs(store, mode=mode, scenario=scenario, tag=tag, forecasts=forecasts, progress=progress)
    with store.read() as conn:
        which = forecast_set(conn, forecasts)
        questions = _questions(conn, scenario=scenario, tag=tag)
        pairs = _final_pairs(conn, questions, _final_rows(conn, scenario=scenario, tag=tag, forecasts=which))
    pairs.forecasts = which
    return pairs


def _load(store: Store, *, mode: str, scenario: Optional[str], tag: Optional[str], analyst: Optional[str],
          forecasts: str = "auto", progress=None):
    """Questions (all quarters), scored pairs, final forecasts per question and the analyst's question set.

    The "final" mode reads every forecast table row once, reduced in the database; other modes add
    :func:`tracker.services.score.load_pairs`."""
    from .score import forecast_set

    with store.read() as conn:
        which = forecast_set(conn, forecasts)
        questions = _questions(conn, scenario=scenario, tag=tag)
        if progress is not None:
            progress("reading forecasts", len(questions), None)
        rows = _final_rows(conn, scenario=scenario, tag=tag, forecasts=which)
        pairs = _final_pairs(conn, questions, rows) if mode == "final" else None
        mine = _analyst_questions(conn, analyst) if analyst else None
    if pairs is None:
        pairs = load_pairs(store, mode=mode, scenario=scenario, tag=tag, forecasts=which, progress=progress)
    pairs.forecasts = which
    finals: dict[str, list[tuple]] = defaultdict(list)
    for qid, who, p, vec in rows:
        if analyst is None or who == analyst:
            finals[qid].append((who, p, vec))
    return questions, pairs, finals, mine


# ------------------------------------------------------------------- phrases


def _lexicon_band(phrase: str, scale: Optional[str]) -> Optional[dict]:
    """The band of ``phrase`` on ``scale`` from the claim extractor's lexicon (None if unknown)."""
    try:
        from ..extract.lexicon import DEFAULT_SCALE, SCALES as LEX_SCALES, load_lexicon

        lex = load_lexicon()
        ph = lex.phrase(phrase)
        if ph is None:
            return None
        reading = lex.read(ph, scale if scale in LEX_SCALES else DEFAULT_SCALE)
    except Exception:  # noqa: BLE001 - the lexicon is optional for the report
        return None
    if reading is None:
        return None
    return {"band": (reading.band.low, reading.band.high), "scale": reading.scale, "band_name": reading.band.name,
            "band_source": f"lexicon: {reading.source}", "assessed": ph.assessed}


def _band_name(band: tuple[float, float], scale: Optional[str]) -> Optional[str]:
    try:
        from ..extract.lexicon import SCALES as LEX_SCALES, band_for

        if scale in LEX_SCALES:
            return band_for((band[0] + band[1]) / 2, scale).name
    except Exception:  # noqa: BLE001
        return None
    return None


def phrase_band(phrase: str, extra: Optional[dict]) -> dict:
    """Where the band of a question's phrase comes from: the question's own ``extra.band`` (set when it was
    extracted from an assessment), else the lexicon's reading of the phrase on ``extra.scale`` (ICD 203
    by default; unassessed words such as "may" read on the reader surveys)."""
    extra = extra or {}
    scale = extra.get("scale")
    band = extra.get("band")
    if isinstance(band, (list, tuple)) and len(band) == 2:
        try:
            lo, hi = float(band[0]), float(band[1])
        except (TypeError, ValueError):
            lo = hi = None
        if lo is not None and 0 <= lo <= hi <= 1:
            return {"band": (lo, hi), "scale": scale, "band_name": _band_name((lo, hi), scale),
                    "band_source": f"the question ({scale or 'no scale named'})", "assessed": extra.get("assessed")}
    found = _lexicon_band(phrase, scale)
    if found is not None:
        return found
    return {"band": None, "scale": scale, "band_name": None, "band_source": None, "assessed": extra.get("assessed")}


def _phrase_questions(questions: list[dict], pairs: Pairs, sel: np.ndarray) -> list[dict]:
    """Resolved binary questions with a phrase, as :func:`tracker.report.build.phrase_rows` takes them."""
    by_q: dict[str, list[float]] = defaultdict(list)
    for q, p in zip(pairs.question[sel].tolist(), pairs.p[sel].tolist()):
        by_q[q].append(p)
    cache: dict[tuple, dict] = {}
    out = []
    for q in questions:
        if q["kind"] != "binary" or not q["phrase"] or q["rid"] is None or q["annulled"] or q["outcome"] is None:
            continue
        key = (q["phrase"], q["extra"] if isinstance(q["extra"], (str, type(None))) else repr(q["extra"]))
        if key not in cache:
            cache[key] = phrase_band(q["phrase"], _json(q["extra"]))
        out.append(dict(cache[key], phrase=q["phrase"], y=1 if q["outcome"] == "yes" else 0, forecasts=by_q.get(q["id"], [])))
    return out


# --------------------------------------------------------------------- report


def _mask(pairs: Pairs, *, quarter: Optional[str] = None, analyst: Optional[str] = None,
          upto: Optional[str] = None) -> np.ndarray:
    m = np.ones(len(pairs.p), dtype=bool)
    if quarter:
        m &= pairs.quarter.astype(str) == quarter
    if upto:
        m &= pairs.quarter.astype(str) <= upto
    if analyst:
        m &= pairs.analyst.astype(str) == analyst
    return m


def _categorical(items: list[dict]) -> dict:
    if not items:
        return {"n": 0, "brier": None}
    return {"n": len(items), "brier": float(np.mean([i["brier"] for i in items]))}


def _check(mode: str, scale: str, quarter: Optional[str]) -> Optional[str]:
    from .review import parse_quarter

    if mode not in MODES:
        raise ValidationError(f"unknown mode {mode!r} (one of {', '.join(MODES)})")
    if scale not in SCALES:
        raise ValidationError(f"unknown Brier scale {scale!r} (0-1 or 0-2)")
    return parse_quarter(quarter)[0] if quarter else None


def _lean_summary(pairs: Pairs, idx: np.ndarray, *, factor: float) -> dict:
    """The part of a ``tracker score`` summary object the per-analyst table shows: n, Brier with its
    interval, skill over the base rate, calibration slope with its interval and p-value (the same
    functions, :func:`tracker.scoring.group_interval` for the interval)."""
    from ..scoring import calibration_slope, group_interval
    from ..scoring.calibration import MIN_FOR_TESTS

    n = int(idx.size)
    if n == 0:
        return {"n": 0, "brier": None, "brier_ci": None, "brier_ci_method": None, "brier_skill": None,
                "calibration": {"slope": None, "slope_ci": None, "p_value": None, "slope_ci_method": None}}
    per_pair = pairs.brier[idx]
    y = pairs.y[idx]
    base = float(y.mean())
    ref = base * (1.0 - base)
    cal = calibration_slope(pairs.p[idx], y, questions=pairs.question[idx]) if n >= MIN_FOR_TESTS else None
    gi = group_interval(per_pair * factor, pairs.question[idx])
    return {
        "n": n, "brier": float(per_pair.mean() * factor),
        "brier_ci": [gi.low, gi.high] if gi.low is not None else None, "brier_ci_method": gi.method,
        "brier_skill": 1.0 - float(per_pair.mean()) / ref if ref > 0 else None,
        "calibration": {"slope": cal.slope if cal else None,
                        "slope_ci": list(cal.slope_ci) if cal and cal.slope_ci else None,
                        "p_value": cal.p_value if cal else None,
                        "slope_ci_method": cal.ci_method if cal else None},
    }


#: Up to this many scored pairs in the per-analyst table, each row is the full ``tracker score --by analyst``
#: summary; beyond, only what the table shows (the same numbers, without the decompositions it does not show).
MAX_FULL_SUMMARIES = 2500


def _analyst_rows(pairs: Pairs, *, quarter: Optional[str], analyst: Optional[str], bins: int, scale: str,
                  mode: str) -> tuple[list, str]:
    """The per-analyst rows, best first, and how their intervals were computed (in words). Verdicts are
    Holm-adjusted across every analyst in scope, as ``tracker score --by analyst`` does."""
    from ..report import build
    from .score import adjust_verdicts

    factor = 2.0 if scale == "0-2" else 1.0
    everyone = _mask(pairs, quarter=quarter)
    idx_all = np.flatnonzero(everyone)
    full = int(idx_all.size) <= MAX_FULL_SUMMARIES
    deviations = build.relative_deviations(pairs.question[idx_all], pairs.analyst[idx_all], pairs.brier[idx_all])
    position = dict(index_groups(pairs.analyst[idx_all]))  # each analyst's positions among idx_all
    none = np.zeros(0, dtype=np.int64)
    cats: dict[str, list] = defaultdict(list)
    for c in pairs.categorical:
        if not quarter or c["quarter"] == quarter:
            cats[c["analyst"]].append(c)
    names = sorted(set(position) | set(cats))
    summaries = []
    for name in names:
        mine = position.get(name, none)
        if full:  # exactly the numbers of `tracker score --by analyst`
            summaries.append(summary_of(pairs, idx_all[mine], bins=bins, scale=scale, bootstrap=True, mode=mode))
        else:  # many forecasts: only what the table shows
            summaries.append(_lean_summary(pairs, idx_all[mine], factor=factor))
    adjust_verdicts(summaries)
    rows = []
    for name, s in zip(names, summaries):
        if analyst and name != analyst:
            continue
        mine = position.get(name, none)
        rows.append(build.analyst_row(name, s, deviations=deviations[mine], scale_factor=factor,
                                      categorical=_categorical(cats.get(name, [])),
                                      questions=pairs.question[idx_all[mine]]))
    methods = [s.get("brier_ci_method") for s in summaries]
    return build.order_analysts(rows), build.interval_label(methods)


def build_report(store: Store, *, quarter: Optional[str] = None, scenario: Optional[str] = None,
                 analyst: Optional[str] = None, tag: Optional[str] = None, mode: str = "final",
                 scale: str = "0-1", bins: int = 10, as_of: Optional[date] = None,
                 now: Optional[datetime] = None, forecasts: str = "auto", progress=None):
    """The report data (:class:`tracker.report.data.Report`) for the scope given.

    ``forecasts``: which set is scored, "live", "history", "all" or "auto"
    (see :func:`tracker.services.score.forecast_set`); the report says which.

    ``progress(phase, done, total)``, if given, hears the phases: reading
    (questions, then forecasts), then scoring."""
    from .. import __version__
    from ..models import utcnow
    from ..report import build
    from ..report.data import Meta, PendingQuestion, Report, ResolvedQuestion
    from .review import parse_quarter

    label = _check(mode, scale, quarter)
    now = now or utcnow()
    today = as_of or now.date()
    factor = 2.0 if scale == "0-2" else 1.0
    if progress is not None:
        progress("reading questions", 0, None)
    everything, pairs, finals, mine = _load(store, mode=mode, scenario=scenario, tag=tag, analyst=analyst,
                                            forecasts=forecasts, progress=progress)
    if progress is not None:
        progress("scoring", len(pairs.p), None)
    questions = _in_scope(everything, quarter=label, analyst_questions=mine)
    unresolved = [q for q in questions if q["rid"] is None]
    with store.read() as conn:
        n_analysts_of = _analyst_counts(conn, [q["id"] for q in unresolved]) if unresolved else {}
        from .week import clarifications_of

        notes = {qid: [f"{c['made_at']:%Y-%m-%d} by {c['recorded_by']}: {c['text']}" for c in cs]
                 for qid, cs in clarifications_of(conn, [q["id"] for q in questions]).items()}

    title = "Forecast report" + (f": {label}" if label else ": all quarters")
    if scenario:
        title += f", scenario {scenario}"
    if analyst:
        title += f", analyst {analyst}"
    if tag:
        title += f", tag {tag}"
    start = end = None
    if label:
        _, start, end = parse_quarter(label)
    meta = Meta(title=title, generated_at=now, as_of=today, version=__version__, quarter=label, period_start=start,
                period_end=end, scenario=scenario, analyst=analyst, tag=tag, mode=mode, brier_scale=scale,
                forecasts=pairs.forecasts)

    # ---- scores
    sel = _mask(pairs, quarter=label, analyst=analyst)
    idx = np.flatnonzero(sel)
    s = summary_of(pairs, idx, bins=bins, scale=scale, bootstrap=True, mode=mode)
    cats = [c for c in pairs.categorical if (not label or c["quarter"] == label) and (not analyst or c["analyst"] == analyst)]
    counts = {"questions": len(questions)}
    resolved_q = [q for q in questions if q["rid"] is not None]
    counts["resolved"] = sum(1 for q in resolved_q if not q["annulled"])
    counts["annulled"] = sum(1 for q in resolved_q if q["annulled"])
    counts["overdue"] = sum(1 for q in unresolved if q["deadline"] < today)
    counts["not_yet_due"] = len(unresolved) - counts["overdue"]
    who = analyst if analyst else "The team"
    summary = build.summary(
        s, who=who, counts=counts, categorical=_categorical(cats),
        n_binary_questions=len(set(pairs.question[idx].tolist())),
        n_analysts=len(set(pairs.analyst[idx].tolist()) | {c["analyst"] for c in cats}),
        mean_forecast=float(pairs.p[idx].mean()) if idx.size else None,
    )
    if analyst and not mine:
        summary.notes.insert(0, f"{analyst} has made no forecasts{' in this scope' if scenario or tag else ''}")
    if scenario and not everything:
        summary.notes.insert(0, f"scenario {scenario!r} has no questions")
    calibration = build.calibration_data(pairs.p[idx], pairs.y[idx], label=analyst or "team", bins=bins,
                                         brier_scale=scale)
    calibration.brier = s["brier"]
    decomposition = build.decomposition(s)
    analysts, method = _analyst_rows(pairs, quarter=label, analyst=analyst, bins=bins, scale=scale, mode=mode)
    meta.group_intervals = method
    phrases = build.phrase_rows(_phrase_questions(questions, pairs, sel))

    # ---- questions
    surprise_items = []
    resolved = []
    threshold = SURPRISE_THRESHOLD
    for q in resolved_q:
        shown = []
        binary = q["kind"] == "binary"
        scored = not q["annulled"] and q["outcome"] is not None
        yes = q["outcome"] == "yes"
        for who_, p, vec in finals.get(q["id"], []):  # by analyst
            vec = None if binary else _json(vec)
            shown.append(_final(q, who_, p, vec))
            if scored:  # a candidate surprise: at most the threshold on what happened
                given = (p if yes else 1.0 - p) if binary else float((vec or {}).get(q["outcome"], 0.0))
                if given <= threshold:
                    surprise_items.append({"question_id": q["id"], "text": q["text"], "analyst": who_,
                                           "outcome": q["outcome"], "probability": p if binary else None,
                                           "probabilities": None if binary else vec})
        resolved.append(ResolvedQuestion(
            id=q["id"], text=q["text"], kind=q["kind"], deadline=q["deadline"],
            status="annulled" if q["annulled"] else "resolved", outcome=None if q["annulled"] else q["outcome"],
            known_at=_date(q["known_at"]) if q["known_at"] else None, reason=q["reason"], note=q["note"],
            evidence=[str(e) for e in (_json(q["evidence"]) or [])], finals=shown,
            criteria=q["criteria"], clarifications=notes.get(q["id"], []),
        ))
    pending = [
        PendingQuestion(id=q["id"], text=q["text"], deadline=q["deadline"],
                        status="awaiting_resolution" if q["deadline"] < today else "not_yet_due",
                        days_overdue=(today - q["deadline"]).days if q["deadline"] < today else None,
                        n_analysts=n_analysts_of.get(q["id"], 0),
                        criteria=q["criteria"], clarifications=notes.get(q["id"], []))
        for q in unresolved
    ]
    pending.sort(key=lambda p: (p.status != "awaiting_resolution", p.deadline, p.id))

    # ---- trend
    tmask = _mask(pairs, analyst=analyst, upto=label)
    trend = build.trend_rows(pairs.quarter[tmask], pairs.analyst[tmask], pairs.brier[tmask],
                             by_analyst=False, scale_factor=factor, team_label=analyst or "team",
                             questions=pairs.question[tmask])
    meta.trend_intervals = build.interval_label(r.brier_ci_method for r in trend)

    from .aggregate import team_section

    return Report(meta=meta, summary=summary, calibration=calibration, decomposition=decomposition,
                  analysts=analysts, phrases=phrases, surprises=build.surprises(surprise_items),
                  resolved=resolved, pending=pending, trend=trend,
                  team=team_section(pairs, np.flatnonzero(_mask(pairs, quarter=label)), scale=scale))  # every analyst


@lru_cache(maxsize=4096)
def _pct(x: float) -> str:
    v = round(100 * float(x), 1)
    return f"{v:.0f}%" if v == int(v) else f"{v:.1f}%"


def _final(q: dict, who: str, p: Optional[float], vec: Optional[dict]):
    if q["kind"] == "binary":
        return FinalForecast(analyst=who, probability=p, probabilities=None, display=_pct(p) if p is not None else "-")
    vec = {k: float(v) for k, v in (vec or {}).items()}
    order = [o for o in q["outcomes"] if o in vec] or list(vec)
    if q["outcome"] and not q["annulled"] and q["outcome"] in vec:
        display = f"{_pct(vec[q['outcome']])} on {q['outcome']}"
    else:
        display = ", ".join(f"{o} {_pct(vec[o])}" for o in order)
    return FinalForecast(analyst=who, probability=None, probabilities=vec, display=display)


# ----------------------------------------------------------------------- plots


def question_history(store: Store, question_id: str):
    """A question's forecasts per analyst over time and its current resolution, for the history plot."""
    from sqlalchemy import select

    from ..models import utcnow
    from ..report.data import HistorySeries, QuestionHistory
    from .common import question_row

    F = T_FORECAST
    latest, r = _latest_resolution()
    with store.read() as conn:
        q = question_row(conn, question_id)
        rows = conn.execute(select(F.c.analyst, F.c.made_at, F.c.probability, F.c.probabilities)
                            .where(F.c.question_id == question_id).order_by(F.c.analyst, F.c.made_at, F.c.id)).all()
        res = conn.execute(select(r.c.outcome, r.c.annulled, r.c.known_at)
                           .select_from(latest.join(r, r.c.id == latest.c.rid))
                           .where(latest.c.question_id == question_id)).first()
    series: dict[str, HistorySeries] = {}
    for who, made, p, vec in rows:
        s = series.setdefault(who, HistorySeries(analyst=who, times=[], values=[]))
        s.times.append(aware(made))
        s.values.append(p if q["kind"] == "binary" else dict(vec or {}))
    status = "open" if res is None else ("annulled" if res.annulled else "resolved")
    return QuestionHistory(
        id=q["id"], text=q["text"], kind=q["kind"], outcomes=list(q["outcomes"]), deadline=q["deadline"],
        opened_at=aware(q["opened_at"]), series=list(series.values()), status=status,
        outcome=None if res is None or res.annulled else res.outcome,
        known_at=None if res is None else aware(res.known_at), as_of=utcnow(),
    )


#: the most analysts a plot draws (the figure grows with each; past these it is neither quick nor readable):
#: the ones with the most scored forecasts are drawn, and a note says how many were left out
MAX_PANELS = 24  # calibration --by analyst: one small diagram each
MAX_ANALYST_ROWS = 30  # analysts: one row each (as in the report)
MAX_TREND_LINES = 10  # trend --by analyst: one line each, beside the team


def _shown_note(shown: int, total: int, what: str) -> str:
    return (f"{shown:,} of {total:,} analysts drawn ({what} for those with the most scored forecasts; "
            f"--analyst NAME draws anyone)")


def _most_active(analysts: np.ndarray, limit: int, what: str) -> tuple[list[str], Optional[str]]:
    """The analysts (sorted by name) with the most entries in ``analysts``, at most ``limit`` of them, and a
    note when some were left out."""
    names, counts = np.unique(analysts, return_counts=True)
    if names.size <= limit:
        return names.tolist(), None
    order = np.lexsort((names, -counts))[:limit]
    return sorted(names[order].tolist()), _shown_note(limit, int(names.size), what)


def plot(store: Store, kind: str, *, question: Optional[str] = None, quarter: Optional[str] = None,
         scenario: Optional[str] = None, analyst: Optional[str] = None, tag: Optional[str] = None,
         mode: str = "final", by: Optional[str] = None, scale: str = "0-1", bins: int = 10,
         forecasts: str = "auto", progress=None) -> tuple[Any, Optional[str]]:
    """The figure of ``kind`` and, when there is nothing to draw, a plain message about it.
    ``progress(phase, done, total)``, if given, hears the phases: reading, then drawing."""
    from ..report import build, figures

    if kind not in PLOT_KINDS:
        raise ValidationError(f"unknown plot {kind!r} (one of {', '.join(PLOT_KINDS)})")
    label = _check(mode, scale, quarter)
    if kind == "history":
        if not question:
            raise ValidationError("tracker plot history needs a question id")
        h = question_history(store, question)
        return figures.history_figure(h), (None if h.series else f"no forecasts on {question} yet")
    if question:
        raise ValidationError(f"a question id is only taken by 'history', not by {kind!r}")
    if by not in (None, "team", "analyst"):
        raise ValidationError(f"--by takes team or analyst, not {by!r}")
    if by == "analyst" and kind not in ("calibration", "trend"):
        raise ValidationError(f"--by analyst is for calibration and trend plots, not {kind!r}")
    if progress is not None:
        progress("reading forecasts", 0, None)
    pairs = _pairs(store, mode=mode, scenario=scenario, tag=tag, forecasts=forecasts, progress=progress)
    sel = _mask(pairs, quarter=label, analyst=analyst)
    idx = np.flatnonzero(sel)
    if progress is not None:
        progress("drawing", int(idx.size), None)
    factor = 2.0 if scale == "0-2" else 1.0
    empty = None if idx.size else "no resolved binary forecasts in this scope yet"
    if kind == "calibration":
        if by == "analyst":
            names, note = _most_active(pairs.analyst[idx].astype(str), MAX_PANELS, "calibration diagrams")
            groups = []
            for name in names:
                m = idx[pairs.analyst[idx].astype(str) == name]
                d = build.calibration_data(pairs.p[m], pairs.y[m], label=name, bins=bins, brier_scale=scale)
                d.brier = float(pairs.brier[m].mean() * factor)
                groups.append(d)
            return figures.calibration_grid(groups, note=note), empty or note
        d = build.calibration_data(pairs.p[idx], pairs.y[idx], label=analyst or "team", bins=bins, brier_scale=scale)
        if idx.size:
            d.brier = float(pairs.brier[idx].mean() * factor)
        return figures.calibration_figure(data=d), empty or d.message
    if kind == "trend":
        tmask = _mask(pairs, analyst=analyst, upto=label)
        note = None
        if by == "analyst":
            names, note = _most_active(pairs.analyst[tmask].astype(str), MAX_TREND_LINES, "lines")
            team = build.trend_rows(pairs.quarter[tmask], pairs.analyst[tmask], pairs.brier[tmask],
                                    by_analyst=False, scale_factor=factor,
                                    questions=pairs.question[tmask])
            tmask &= np.isin(pairs.analyst.astype(str), names)
            rows = team + [r for r in build.trend_rows(pairs.quarter[tmask], pairs.analyst[tmask], pairs.brier[tmask],
                                                       by_analyst=True, scale_factor=factor,
                                                       questions=pairs.question[tmask]) if r.group != "team"]
        else:
            rows = build.trend_rows(pairs.quarter[tmask], pairs.analyst[tmask], pairs.brier[tmask],
                                    by_analyst=False, scale_factor=factor,
                                    questions=pairs.question[tmask])
        return figures.trend_figure(rows, brier_scale=scale, note=note), (note if rows else "no resolved quarters yet")
    if kind == "analysts":
        rows, _ = _analyst_rows(pairs, quarter=label, analyst=analyst, bins=bins, scale=scale, mode=mode)
        rows = [r for r in rows if r.n]
        note = None
        if len(rows) > MAX_ANALYST_ROWS:
            keep = {r.name for r in sorted(rows, key=lambda r: (-r.n, r.name))[:MAX_ANALYST_ROWS]}
            note = _shown_note(MAX_ANALYST_ROWS, len(rows), "rows")
            rows = [r for r in rows if r.name in keep]
        return figures.analysts_figure(rows, brier_scale=scale, note=note), empty or note
    # wep
    with store.read() as conn:
        questions = _questions(conn, scenario=scenario, tag=tag)
        mine = _analyst_questions(conn, analyst) if analyst else None
    questions = _in_scope(questions, quarter=label, analyst_questions=mine)
    rows = build.phrase_rows(_phrase_questions(questions, pairs, sel))
    return figures.wep_figure(rows), (None if rows else "no resolved questions with an estimative phrase yet")


__all__ = ["build_report", "plot", "question_history", "phrase_band", "PLOT_KINDS"]
