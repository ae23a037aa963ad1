"""The report assembled from loaded data: title, counts, summary, per-analyst table, phrases,
surprises, resolved and pending questions, trend. No database here.

:mod:`tracker.services.report` loads a :class:`ReportInputs` (the scope's questions, its scored
pairs from the one pairs loader, each analyst's final forecast per question for display) and
calls :func:`assemble`. Every statistic comes from :mod:`tracker.scoring`, by the functions
``tracker score`` uses for the same group, so the two give the same numbers.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Callable, Optional

import numpy as np

from . import build
from .data import (
    SURPRISE_THRESHOLD,
    FinalForecast,
    Meta,
    PendingQuestion,
    Report,
    ResolvedQuestion,
)

#: Up to this many scored pairs in the per-analyst table, each row is the full ``tracker score --by analyst``
#: summary; beyond, only what the table shows (the same numbers and intervals, without the decompositions).
MAX_FULL_SUMMARIES = 2500


@dataclass
class ReportInputs:
    """What the report is made of, as loaded from the database.

    ``questions``: every question of the scenario/tag scope (all quarters) by deadline, as dicts
    (``id``, ``text``, ``kind``, ``outcomes``, ``ordered``, ``deadline`` as a date, ``scenario_id``,
    ``phrase``, ``criteria``, ``extra``/``evidence`` as stored, ``rid`` (None: unresolved), ``outcome``,
    ``annulled``, ``reason``, ``known_at`` as stored, ``note``); ``pairs``: the scored pairs of every
    analyst and quarter of that scope (:func:`tracker.services.pairs.load_pairs`); ``finals``: question ->
    [(analyst, probability, stored vector)], each analyst's final forecast, for display; ``mine``: the
    questions the scope's analyst forecast (None: no analyst); ``n_analysts_of``: how many analysts
    forecast each unresolved question; ``clarifications``: question -> lines; ``team``: the team
    section; ``parse``: turns a stored JSON value into data, ``day``: a stored timestamp into a date;
    ``band_of(phrase, extra)``: where a phrase's band comes from (the lexicon's rule)."""

    questions: list[dict]
    pairs: Any
    finals: dict[str, list[tuple]]
    mine: Optional[set] = None
    n_analysts_of: dict[str, int] = field(default_factory=dict)
    clarifications: dict[str, list[str]] = field(default_factory=dict)
    team: Any = None
    parse: Callable[[Any], Any] = lambda v: v
    day: Callable[[Any], Optional[date]] = lambda v: v
    band_of: Callable[[str, Optional[dict]], dict] = lambda phrase, extra: {
        "band": None, "scale": None, "band_name": None, "band_source": None, "assessed": None}


def title_of(scope) -> str:
    """The report's title: its quarter (or all quarters), scenario, analyst and tag."""
    title = "Forecast report" + (f": {scope.quarter}" if scope.quarter else ": all quarters")
    if scope.scenario:
        title += f", scenario {scope.scenario}"
    if scope.analyst:
        title += f", analyst {scope.analyst}"
    if scope.tag:
        title += f", tag {scope.tag}"
    return title


def in_scope(questions: list[dict], scope, mine: Optional[set]) -> list[dict]:
    """The questions of the scope's quarter (by deadline) that its analyst forecast."""
    period = scope.period
    if period is not None:
        questions = [q for q in questions if period.start <= q["deadline"] <= period.end]
    if mine is not None:
        questions = [q for q in questions if q["id"] in mine]
    return questions


def counts_of(questions: list[dict], today: date) -> dict:
    """Questions in scope, resolved, annulled, overdue (as of ``today``) and not yet due."""
    resolved = [q for q in questions if q["rid"] is not None]
    unresolved = [q for q in questions if q["rid"] is None]
    overdue = sum(1 for q in unresolved if q["deadline"] < today)
    return {"questions": len(questions), "resolved": sum(1 for q in resolved if not q["annulled"]),
            "annulled": sum(1 for q in resolved if q["annulled"]), "overdue": overdue,
            "not_yet_due": len(unresolved) - overdue}


def mask(pairs, *, quarter: Optional[str] = None, analyst: Optional[str] = None,
         upto: Optional[str] = None) -> np.ndarray:
    """The pairs of ``quarter``, of quarters up to ``upto``, of ``analyst`` (None: no filter)."""
    m = np.ones(len(pairs.p), dtype=bool)
    if quarter:
        m &= pairs.quarter.astype(str) == quarter
    if upto:
        m &= pairs.quarter.astype(str) <= upto
    if analyst:
        m &= pairs.analyst.astype(str) == analyst
    return m


def pairs_summary(pairs, idx, *, bins: int, scale: str, mode: str) -> dict:
    """The ``tracker score`` summary of the pairs ``idx`` (:func:`tracker.scoring.group_summary`)."""
    from ..scoring import group_summary

    return group_summary(pairs.p[idx], pairs.y[idx], pairs.question[idx], bins=bins, scale=scale, bootstrap=True,
                         mode=mode, scores=pairs.brier[idx], coverage=pairs.coverage[idx])


def analyst_rows(pairs, *, quarter: Optional[str], analyst: Optional[str], bins: int, scale: str,
                 mode: str) -> tuple[list, str]:
    """The per-analyst rows, best first, and how their intervals were computed (in words). Verdicts are
    Holm-adjusted across every analyst in scope, as ``tracker score --by analyst`` does; relative scores
    compare each analyst with every other one on the same questions."""
    from ..scoring import adjust_verdicts, categorical_summary, index_groups, pair_deviations, table_summary

    factor = 2.0 if scale == "0-2" else 1.0
    idx_all = np.flatnonzero(mask(pairs, quarter=quarter))
    full = int(idx_all.size) <= MAX_FULL_SUMMARIES
    deviations = pair_deviations(pairs.question[idx_all], pairs.brier[idx_all])
    position = dict(index_groups(pairs.analyst[idx_all]))  # each analyst's positions among idx_all
    none = np.zeros(0, dtype=np.int64)
    cats: dict[str, list] = defaultdict(list)
    for c in pairs.categorical:
        if not quarter or c["quarter"] == quarter:
            cats[c["analyst"]].append(c)
    names = sorted(set(position) | set(cats))
    summaries = []
    for name in names:
        mine = idx_all[position.get(name, none)]
        if full:  # exactly the numbers of `tracker score --by analyst`
            summaries.append(pairs_summary(pairs, mine, bins=bins, scale=scale, mode=mode))
        else:  # many forecasts: only what the table shows
            summaries.append(table_summary(pairs.p[mine], pairs.y[mine], pairs.question[mine], pairs.brier[mine],
                                           scale=scale, mode=mode))
    adjust_verdicts(summaries)
    rows = []
    for name, s in zip(names, summaries):
        if analyst and name != analyst:
            continue
        mine = position.get(name, none)
        rows.append(build.analyst_row(name, s, deviations=deviations[mine], scale_factor=factor,
                                      categorical=categorical_summary(cats.get(name, []), full=False),
                                      questions=pairs.question[idx_all[mine]]))
    return build.order_analysts(rows), build.interval_label(s.get("brier_ci_method") for s in summaries)


@lru_cache(maxsize=4096)
def _pct(x: float) -> str:
    v = round(100 * float(x), 1)
    return f"{v:.0f}%" if v == int(v) else f"{v:.1f}%"


def final_forecast(q: dict, who: str, p: Optional[float], vec: Optional[dict]) -> FinalForecast:
    """An analyst's final forecast on a question as the resolved list shows it."""
    if q["kind"] == "binary":
        return FinalForecast(analyst=who, probability=p, probabilities=None, display=_pct(p) if p is not None else "-")
    vec = {k: float(v) for k, v in (vec or {}).items()}
    order = [o for o in q["outcomes"] if o in vec] or list(vec)
    if q["outcome"] and not q["annulled"] and q["outcome"] in vec:
        display = f"{_pct(vec[q['outcome']])} on {q['outcome']}"
    else:
        display = ", ".join(f"{o} {_pct(vec[o])}" for o in order)
    return FinalForecast(analyst=who, probability=None, probabilities=vec, display=display)


def resolved_and_surprises(questions: list[dict], inputs: ReportInputs,
                           threshold: float = SURPRISE_THRESHOLD) -> tuple[list[ResolvedQuestion], list[dict]]:
    """The resolved (and annulled) questions with each analyst's final forecast, and the candidate surprises:
    final forecasts that gave at most ``threshold`` to what happened."""
    surprise_items = []
    resolved = []
    for q in questions:
        if q["rid"] is None:
            continue
        shown = []
        binary = q["kind"] == "binary"
        scored = not q["annulled"] and q["outcome"] is not None
        yes = q["outcome"] == "yes"
        for who, p, vec in inputs.finals.get(q["id"], []):  # by analyst
            vec = None if binary else inputs.parse(vec)
            shown.append(final_forecast(q, who, p, vec))
            if scored:
                given = (p if yes else 1.0 - p) if binary else float((vec or {}).get(q["outcome"], 0.0))
                if given <= threshold:
                    surprise_items.append({"question_id": q["id"], "text": q["text"], "analyst": who,
                                           "outcome": q["outcome"], "probability": p if binary else None,
                                           "probabilities": None if binary else vec})
        resolved.append(ResolvedQuestion(
            id=q["id"], text=q["text"], kind=q["kind"], deadline=q["deadline"],
            status="annulled" if q["annulled"] else "resolved", outcome=None if q["annulled"] else q["outcome"],
            known_at=inputs.day(q["known_at"]) if q["known_at"] else None, reason=q["reason"], note=q["note"],
            evidence=[str(e) for e in (inputs.parse(q["evidence"]) or [])], finals=shown,
            criteria=q["criteria"], clarifications=inputs.clarifications.get(q["id"], []),
        ))
    return resolved, surprise_items


def pending_of(questions: list[dict], inputs: ReportInputs, today: date) -> list[PendingQuestion]:
    """The unresolved questions: overdue ones first (oldest deadline first), then those not yet due."""
    pending = [
        PendingQuestion(id=q["id"], text=q["text"], deadline=q["deadline"],
                        status="awaiting_resolution" if q["deadline"] < today else "not_yet_due",
                        days_overdue=(today - q["deadline"]).days if q["deadline"] < today else None,
                        n_analysts=inputs.n_analysts_of.get(q["id"], 0),
                        criteria=q["criteria"], clarifications=inputs.clarifications.get(q["id"], []))
        for q in questions if q["rid"] is None
    ]
    pending.sort(key=lambda p: (p.status != "awaiting_resolution", p.deadline, p.id))
    return pending


def trend_of(pairs, scope, *, scale: str) -> list:
    """The mean score per quarter, up to the scope's quarter, of its analyst (else everyone), with intervals."""
    tmask = mask(pairs, analyst=scope.analyst, upto=scope.quarter)
    return build.trend_rows(pairs.quarter[tmask], pairs.analyst[tmask], pairs.brier[tmask], by_analyst=False,
                            scale_factor=2.0 if scale == "0-2" else 1.0, team_label=scope.analyst or "team",
                            questions=pairs.question[tmask])


def assemble(inputs: ReportInputs, scope, *, scale: str, bins: int, today: date, now: datetime,
             version: str) -> Report:
    """The report (:class:`tracker.report.data.Report`) of ``scope`` from what was loaded."""
    from ..scoring import categorical_summary
    from .phrases import phrase_questions

    pairs = inputs.pairs
    label, analyst = scope.quarter, scope.analyst
    period = scope.period
    questions = in_scope(inputs.questions, scope, inputs.mine)
    meta = Meta(title=title_of(scope), generated_at=now, as_of=today, version=version, quarter=label,
                period_start=period.start if period else None, period_end=period.end if period else None,
                scenario=scope.scenario, analyst=analyst, tag=scope.tag, mode=scope.mode, brier_scale=scale,
                forecasts=pairs.forecasts)

    sel = mask(pairs, quarter=label, analyst=analyst)
    idx = np.flatnonzero(sel)
    s = pairs_summary(pairs, idx, bins=bins, scale=scale, mode=scope.mode)
    cats = [c for c in pairs.categorical if (not label or c["quarter"] == label) and (not analyst or c["analyst"] == analyst)]
    summary = build.summary(
        s, who=analyst or "The team", counts=counts_of(questions, today),
        categorical=categorical_summary(cats, full=False),
        n_binary_questions=len(set(pairs.question[idx].tolist())),
        n_analysts=len(set(pairs.analyst[idx].tolist()) | {c["analyst"] for c in cats}),
        mean_forecast=float(pairs.p[idx].mean()) if idx.size else None,
    )
    if analyst and not inputs.mine:
        summary.notes.insert(0, f"{analyst} has made no forecasts{' in this scope' if scope.scenario or scope.tag else ''}")
    if scope.scenario and not inputs.questions:
        summary.notes.insert(0, f"scenario {scope.scenario!r} has no questions")
    calibration = build.calibration_data(pairs.p[idx], pairs.y[idx], label=analyst or "team", bins=bins,
                                         brier_scale=scale)
    calibration.brier = s["brier"]
    analysts, meta.group_intervals = analyst_rows(pairs, quarter=label, analyst=analyst, bins=bins, scale=scale,
                                                  mode=scope.mode)
    phrases = build.phrase_rows(phrase_questions(questions, pairs.question[sel], pairs.p[sel], inputs.parse,
                                                 inputs.band_of))
    resolved, surprise_items = resolved_and_surprises(questions, inputs)
    trend = trend_of(pairs, scope, scale=scale)
    meta.trend_intervals = build.interval_label(r.brier_ci_method for r in trend)
    return Report(meta=meta, summary=summary, calibration=calibration, decomposition=build.decomposition(s),
                  analysts=analysts, phrases=phrases, surprises=build.surprises(surprise_items),
                  resolved=resolved, pending=pending_of(questions, inputs, today), trend=trend, team=inputs.team)


__all__ = ["ReportInputs", "assemble", "title_of", "in_scope", "counts_of", "mask", "analyst_rows",
           "final_forecast", "resolved_and_surprises", "pending_of", "trend_of", "MAX_FULL_SUMMARIES"]
