"""The team report and the plots: what they need, read from the database.

The scored pairs come from the one pairs loader (:func:`tracker.services.pairs.load_pairs`, as for
``tracker score``); beside them this module reads the scope's questions with their current
resolution, each analyst's final forecast per question (shown in the resolved list and the
surprises), the analysts of pending questions and the clarifications. The report is assembled by
:mod:`tracker.report.assemble`, the figures by :mod:`tracker.report.plots`.

Scope: ``quarter`` keeps the questions whose deadline falls in it (as
``tracker review``); ``scenario`` and ``tag`` keep those questions;
``analyst`` keeps that analyst's forecasts (and the questions they forecast),
but the relative Brier still compares them with every analyst on the same
questions. The trend covers the quarters up to the one reported on.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Optional

import numpy as np

from ..errors import ValidationError
from ..report.plots import MAX_ANALYST_ROWS, MAX_PANELS, MAX_TREND_LINES  # noqa: F401 - the plots' limits
from ..scope import Scope, check_scale
from ..storage import Store
from ..storage.queries import chunked, is_current, scope_filter
from .common import T_FORECAST, T_QUESTION, T_RESOLUTION, aware, raw_rows
from .pairs import Pairs, forecast_condition, forecast_set, json_column as _json, load_pairs

PLOT_KINDS = ("calibration", "history", "trend", "wep", "analysts")


# ------------------------------------------------------------------- queries


def _latest_resolution():
    """(current, r): a subquery of each resolved question's current resolution id (``rid``, the one no
    later record supersedes: :func:`tracker.storage.queries.is_current`) and an alias of the resolution
    table to join it to."""
    from sqlalchemy import select

    R = T_RESOLUTION
    cur = R.alias("cur")
    latest = select(cur.c.question_id, cur.c.id.label("rid")).where(is_current(cur)).subquery()
    return latest, R.alias("r")


def _scope(stmt, scope: Scope):
    """Restrict a statement over the question table to the scenario and tag of ``scope`` (every quarter)."""
    return scope_filter(stmt, scenario=scope.scenario, tag=scope.tag)


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


def _questions(conn, scope: Scope) -> list[dict]:
    """Every question of the scenario/tag scope (all quarters) with its current resolution, by deadline.

    ``outcomes`` and ``deadline`` are converted; ``extra``, ``evidence`` and ``known_at`` stay as stored,
    converted where used."""
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
    for q in _dicts(conn, _scope(stmt, scope)):
        q["outcomes"] = _json(q["outcomes"]) if q["kind"] != "binary" else ["yes", "no"]
        q["deadline"] = _date(q["deadline"])
        q["annulled"] = bool(q["annulled"]) if q["rid"] is not None else None
        out.append(q)
    return out


def _analyst_questions(conn, analyst: str) -> set:
    from sqlalchemy import select

    F = T_FORECAST
    return {qid for (qid,) in conn.execute(select(F.c.question_id).where(F.c.analyst == analyst).distinct())}


def _analyst_counts(conn, question_ids: list[str]) -> dict[str, int]:
    """How many analysts forecast each of these questions."""
    from sqlalchemy import func, select

    F = T_FORECAST
    out: dict[str, int] = {}
    for chunk in chunked(question_ids):
        stmt = (select(F.c.question_id, func.count(func.distinct(F.c.analyst)))
                .where(F.c.question_id.in_(chunk)).group_by(F.c.question_id))
        out.update({qid: int(n) for qid, n in conn.execute(stmt)})
    return out


def _final_forecasts(conn, scope: Scope, forecasts: str) -> dict[str, list[tuple]]:
    """question -> [(analyst, probability, raw vector)] by analyst: each analyst's last forecast (by made_at,
    then id) made before the outcome became known, on every resolved or annulled question of the
    scenario/tag scope (of the scope's analyst only, if any), in the forecast set ``forecasts``. For display
    (the resolved list and its surprises), whatever the mode scored: the scores come from the pairs.

    One query; the database keeps the last row of each pair (an anti-join on the (question, analyst,
    made_at) index), so only one row per pair crosses over."""
    from sqlalchemy import and_, case, exists, null, or_, select

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
    if scope.analyst:
        stmt = stmt.where(F.c.analyst == scope.analyst)
    finals: dict[str, list[tuple]] = {}
    for qid, who, p, vec in raw_rows(conn, _scope(stmt, scope)):
        finals.setdefault(qid, []).append((who, p, vec))
    return finals


def _pairs(store: Store, scope: Scope, progress=None) -> Pairs:
    """The scored pairs of every analyst and quarter of the scope's scenario and tag (the trend and the
    relative scores need them all)."""
    return load_pairs(store, scope.but(quarter=None, analyst=None), progress=progress)


def _check(mode: str, scale: str, quarter: Optional[str], **scope) -> Scope:
    out = Scope.make(quarter=quarter, mode=mode, **scope)
    check_scale(scale)
    return out


# --------------------------------------------------------------------- report


def build_report(store: Store, *, quarter: Optional[str] = None, scenario: Optional[str] = None,
                 analyst: Optional[str] = None, tag: Optional[str] = None, mode: str = "final",
                 scale: str = "0-1", bins: int = 10, as_of: Optional[date] = None,
                 now: Optional[datetime] = None, forecasts: str = "auto", progress=None):
    """The report data (:class:`tracker.report.data.Report`) for the scope given.

    ``forecasts``: which set is scored, "live", "history", "all" or "auto"
    (see :func:`tracker.services.pairs.forecast_set`); the report says which.

    ``progress(phase, done, total)``, if given, hears the phases: reading
    (questions, then forecasts), then scoring."""
    from .. import __version__
    from ..models import utcnow
    from ..report.assemble import ReportInputs, assemble, in_scope, mask
    from ..report.team import team_section
    from .week import clarifications_of

    from .week import store_today

    scope = _check(mode, scale, quarter, scenario=scenario, analyst=analyst, tag=tag, forecasts=forecasts)
    now = now or utcnow()
    today = as_of or store_today(store, now)  # a deadline day ends at midnight in the team's zone
    if progress is not None:
        progress("reading questions", 0, None)
    with store.read() as conn:
        which = forecast_set(conn, scope.forecasts)
        everything = _questions(conn, scope)
        if progress is not None:
            progress("reading forecasts", len(everything), None)
        finals = _final_forecasts(conn, scope, which)
        mine = _analyst_questions(conn, analyst) if scope.analyst else None
    pairs = _pairs(store, scope.but(forecasts=which), progress)
    if progress is not None:
        progress("scoring", len(pairs.p), None)
    questions = in_scope(everything, scope, mine)
    unresolved = [q["id"] for q in questions if q["rid"] is None]
    with store.read() as conn:
        n_analysts_of = _analyst_counts(conn, unresolved) if unresolved else {}
        notes = {qid: [f"{c['made_at']:%Y-%m-%d} by {c['recorded_by']}: {c['text']}" for c in cs]
                 for qid, cs in clarifications_of(conn, [q["id"] for q in questions]).items()}
    team = team_section(pairs, np.flatnonzero(mask(pairs, quarter=scope.quarter)), scale=scale)  # every analyst
    inputs = ReportInputs(questions=everything, pairs=pairs, finals=finals, mine=mine, n_analysts_of=n_analysts_of,
                          clarifications=notes, team=team, parse=_json, day=_date, band_of=phrase_band)
    return assemble(inputs, scope, scale=scale, bins=bins, today=today, now=now, version=__version__)


# ----------------------------------------------------------------------- plots


def question_history(store: Store, question_id: str):
    """A question's forecasts per analyst over time and its current resolution, for the history plot."""
    from sqlalchemy import select

    from ..models import utcnow
    from ..report.data import HistorySeries, QuestionHistory
    from .common import question_row

    F = T_FORECAST
    latest, r = _latest_resolution()
    from ..models import deadline_end
    from .week import zone_of

    with store.read() as conn:
        q = question_row(conn, question_id)
        ends = deadline_end(q["deadline"], zone_of(conn))
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
        known_at=None if res is None else aware(res.known_at), as_of=utcnow(), deadline_ends_at=ends,
    )



def plot(store: Store, kind: str, *, question: Optional[str] = None, quarter: Optional[str] = None,
         scenario: Optional[str] = None, analyst: Optional[str] = None, tag: Optional[str] = None,
         mode: str = "final", by: Optional[str] = None, scale: str = "0-1", bins: int = 10,
         forecasts: str = "auto", progress=None) -> tuple[Any, Optional[str]]:
    """The figure of ``kind`` and, when there is nothing to draw, a plain message about it.
    ``progress(phase, done, total)``, if given, hears the phases: reading, then drawing."""
    from ..report import figures, plots
    from ..report.assemble import in_scope, mask
    from ..report.phrases import phrase_questions

    if kind not in PLOT_KINDS:
        raise ValidationError(f"unknown plot {kind!r} (one of {', '.join(PLOT_KINDS)})")
    scope = _check(mode, scale, quarter, scenario=scenario, analyst=analyst, tag=tag, forecasts=forecasts)
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
    pairs = _pairs(store, scope, progress)
    wep = None
    if kind == "wep":
        with store.read() as conn:
            questions = in_scope(_questions(conn, scope), scope,
                                 _analyst_questions(conn, analyst) if scope.analyst else None)
        sel = mask(pairs, quarter=scope.quarter, analyst=scope.analyst)
        wep = phrase_questions(questions, pairs.question[sel], pairs.p[sel], _json, phrase_band)
    if progress is not None:
        progress("drawing", int(mask(pairs, quarter=scope.quarter, analyst=scope.analyst).sum()), None)
    return plots.figure(kind, pairs, scope, by=by, scale=scale, bins=bins, phrase_questions=wep)


def phrase_band(phrase: str, extra: Optional[dict]) -> dict:
    """:func:`tracker.extract.lexicon.phrase_band`, imported when first asked (the claim extractor's package
    takes a quarter of a second to import)."""
    from ..extract.lexicon import phrase_band as band

    return band(phrase, extra)


__all__ = ["build_report", "plot", "question_history", "phrase_band", "PLOT_KINDS"]
