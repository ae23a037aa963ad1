"""The team as a forecaster: its combined forecast over time, scored like
an analyst, and the recalibration of analysts' (and the team's) numbers.

The team's forecast on a question changes whenever an analyst forecasts:
at each moment it combines every analyst's standing (latest) forecast
(``tracker.scoring.aggregate``). As a forecaster the team then has a
revision history like an analyst's, and ``tracker score --team`` scores it
with the same code and in the same modes: ``final`` the team's last
forecast before the question closed (every analyst's final forecast
combined), ``initial`` its first (the forecasts of the first moment
anyone forecast), ``time-weighted`` the step function over the window.

The extremized aggregate uses, on each question, a factor fitted without
that question: on every other resolved question in scope
(leave-one-question-out, the default) or on the questions whose outcome was
known before the team's forecast being scored was made (``cv="time"``).
The factor is fitted on each question's final log-odds mean.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

import numpy as np

from ..errors import ValidationError
from ..storage import Store

METHODS = ("mean", "median", "logodds", "extremized")
CVS = ("loo", "time")


def team_label(method: str) -> str:
    return f"team ({method})"


def _check(methods, cv) -> list[str]:
    methods = list(methods or METHODS)
    for m in methods:
        if m not in METHODS:
            raise ValidationError(f"unknown aggregation method {m!r} (one of {', '.join(METHODS)})")
    if cv not in CVS:
        raise ValidationError(f"unknown cross-validation {cv!r} (loo or time)")
    return methods


# ------------------------------------------------------------ the revisions


def _question_bounds(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = codes.size
    change = np.flatnonzero(codes[1:] != codes[:-1]) + 1
    return np.concatenate(([0], change)), np.concatenate((change, [n]))


def final_aggregates(raw: dict, method: str, factor_by_code=None) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Per question (the codes in use): the aggregate of every analyst's last
    forecast, the question codes, the time of the last of those forecasts
    (microseconds), and the clip count. ``factor_by_code``: the extremizing
    factor of each question code (extremized only)."""
    from ..scoring.aggregate import aggregate_groups

    qc, ac, prob, made = raw["qc"], raw["ac"], raw["prob"], raw["made"]
    if qc.size == 0:
        return np.zeros(0), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), 0
    last = np.flatnonzero(np.append((qc[1:] != qc[:-1]) | (ac[1:] != ac[:-1]), True))
    used, g = np.unique(qc[last], return_inverse=True)
    f = 1.0 if factor_by_code is None else np.asarray(factor_by_code)[used]
    value, _, clipped = aggregate_groups(g, prob[last], method=method, factor=f)
    when = np.zeros(used.size, dtype=np.int64)
    np.maximum.at(when, g, made[last])
    return value, used, when, clipped


def _first_times(raw: dict, used: np.ndarray) -> np.ndarray:
    qc, made = raw["qc"], raw["made"]
    first = np.full(int(qc.max()) + 1 if qc.size else 0, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first, qc, made)
    return first[used]


def team_revisions(raw: dict, method: str, factor_by_code: Optional[np.ndarray], mode: str):
    """The team's forecast revisions as rows (question code, time in
    microseconds, probability), sorted by question and time, and the number
    of clipped forecasts. ``final`` and ``initial`` need only the last and
    the first revision; ``time-weighted`` all of them."""
    from ..scoring.aggregate import CLIP, aggregate_groups, clipped_logit

    qc, ac, prob, made = raw["qc"], raw["ac"], raw["prob"], raw["made"]
    n = qc.size
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0), 0
    if mode == "final":
        value, used, when, clipped = final_aggregates(raw, method, factor_by_code)
        return used, when, value, clipped
    if mode == "initial":
        first_by_code = np.full(int(qc.max()) + 1, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(first_by_code, qc, made)
        at_first = made == first_by_code[qc]
        # the state at the first moment: each analyst's last forecast made at it
        idx = np.flatnonzero(at_first)
        keep = np.append((qc[idx][1:] != qc[idx][:-1]) | (ac[idx][1:] != ac[idx][:-1]), True)
        idx = idx[keep]
        used, g = np.unique(qc[idx], return_inverse=True)
        f = 1.0 if factor_by_code is None else factor_by_code[used]
        value, _, clipped = aggregate_groups(g, prob[idx], method=method, factor=f)
        return used, first_by_code[used], value, clipped
    # time-weighted: every revision
    if method == "median":
        return _median_revisions(qc, ac, prob, made)
    if method == "mean":
        x, clipped = prob, 0
    else:
        x, clipped = clipped_logit(prob, CLIP)
    same = (qc[1:] == qc[:-1]) & (ac[1:] == ac[:-1])
    delta = x.copy()
    delta[1:][same] -= x[:-1][same]
    new = np.ones(n)
    new[1:][same] = 0.0
    o = np.lexsort((np.arange(n), made, qc))
    qs, ms = qc[o], made[o]
    starts, ends = _question_bounds(qs)
    S = np.cumsum(delta[o])
    C = np.cumsum(new[o])
    before = np.repeat(np.concatenate(([0.0], S[ends[:-1] - 1])), ends - starts)
    before_c = np.repeat(np.concatenate(([0.0], C[ends[:-1] - 1])), ends - starts)
    mean = (S - before) / (C - before_c)
    last = np.append((qs[1:] != qs[:-1]) | (ms[1:] != ms[:-1]), True)  # the state after all forecasts of a moment
    qs, ms, mean = qs[last], ms[last], mean[last]
    if method == "mean":
        return qs, ms, np.clip(mean, 0.0, 1.0), 0
    a = 1.0 if method == "logodds" else factor_by_code[qs]
    return qs, ms, 0.5 * (1.0 + np.tanh(0.5 * a * mean)), clipped


def _median_revisions(qc, ac, prob, made):
    """Median of the standing forecasts after each moment (a loop per question;
    ``statistics.median`` averages the two middle values, as numpy's does)."""
    from statistics import median

    o = np.lexsort((np.arange(qc.size), made, qc))
    qs, as_, ps, ms = qc[o], ac[o], prob[o], made[o]
    starts, ends = _question_bounds(qs)
    out_q, out_t, out_v = [], [], []
    for s, e in zip(starts.tolist(), ends.tolist()):
        standing: dict = {}
        a_list, p_list, t_list = as_[s:e].tolist(), ps[s:e].tolist(), ms[s:e].tolist()
        for i in range(e - s):
            standing[a_list[i]] = p_list[i]
            if i + 1 < e - s and t_list[i + 1] == t_list[i]:
                continue
            out_q.append(qs[s])
            out_t.append(t_list[i])
            out_v.append(median(standing.values()))
    return np.array(out_q, dtype=np.int64), np.array(out_t, dtype=np.int64), np.array(out_v), 0


# --------------------------------------------------------------- the factor


def _known_us(questions, used: np.ndarray) -> np.ndarray:
    from .pairs import _epoch_us

    return _epoch_us([questions.rows[int(i)][9] for i in used])


def fit_factor_for(raw: dict, mode: str, cv: str):
    """The extremizing fit over the questions in ``raw`` and the factor each
    question is scored with (indexed by question code)."""
    from ..scoring.aggregate import CLIP, clipped_logit, fit_extremizing

    qc, ac, prob = raw["qc"], raw["ac"], raw["prob"]
    questions = raw["questions"]
    last = np.flatnonzero(np.append((qc[1:] != qc[:-1]) | (ac[1:] != ac[:-1]), True)) if qc.size else np.zeros(0, dtype=np.int64)
    used, g = np.unique(qc[last], return_inverse=True)
    lx, _ = clipped_logit(prob[last], CLIP)
    counts = np.bincount(g, minlength=used.size)
    m = np.bincount(g, weights=lx, minlength=used.size) / np.maximum(counts, 1)
    y = np.array([questions.rows[int(i)][8] == "yes" for i in used], dtype=np.int64)
    kwargs: dict = {}
    if cv == "time":
        known = _known_us(questions, used) / 1e6
        if mode == "final":
            asof = np.zeros(used.size, dtype=np.int64)
            np.maximum.at(asof, g, raw["made"][last])
        else:
            asof = _first_times(raw, used)
        kwargs = {"known": known, "asof": asof / 1e6}
    if used.size == 0:
        return None, np.zeros(0)
    fit = fit_extremizing(m, y, cv=cv, **kwargs)
    by_code = np.ones(len(questions.rows))
    by_code[used] = fit.oos_factor
    return fit, by_code


def fit_summary(fit) -> Optional[dict]:
    if fit is None:
        return None
    return {
        "factor": fit.factor, "factor_ci": None if fit.low is None else [fit.low, fit.high], "level": fit.level,
        "interval": fit.interval, "cv": fit.cv, "n_questions": fit.n_questions,
        "oos_factor_range": [float(fit.oos_factor.min()), float(fit.oos_factor.max())] if fit.n_questions else None,
        "n_default": fit.n_default, "at_bound": fit.at_bound,
        "brier_oos": fit.brier_oos, "brier_in_sample": fit.brier_in_sample, "brier_logodds": fit.brier_logodds,
        "notes": list(fit.notes),
    }


# -------------------------------------------------------- team rows in score


def team_rows(pairs, raw: dict, *, mode: str, methods, cv: str, bins: int, scale: str, bootstrap: bool) -> list[dict]:
    """One ``tracker score`` row per aggregation method, scored by the same
    code as an analyst's pairs (``services.pairs._pairs_of`` and
    ``summary_of``), with ``relative_brier`` against the median analyst on
    the same questions and a ``team`` object (method, factor, clip count)."""
    from ..scoring.aggregate import CLIP, aggregate_groups
    from ..scoring import categorical_summary, relative_scores
    from .pairs import _pairs_of, summary_of

    methods = _check(methods, cv)
    questions = raw["questions"]
    fit, by_code = (None, None)
    if "extremized" in methods:
        fit, by_code = fit_factor_for(raw, mode, cv)
    # the median analyst's score per question, for relative_brier
    med_by_q: dict = {}
    if len(pairs.question):
        names, g = np.unique(pairs.question.astype(str), return_inverse=True)
        med, _, _ = aggregate_groups(g, np.clip(pairs.brier, 0.0, 1.0), method="median")
        med_by_q = dict(zip(names.tolist(), med.tolist()))
    factor2 = 2.0 if scale == "0-2" else 1.0
    rows = []
    for method in methods:
        label = team_label(method)
        qs, ts, vs, clipped = team_revisions(raw, method, by_code, mode)
        tp = _pairs_of(qs, np.zeros(qs.size, dtype=np.int64), np.clip(vs, 0.0, 1.0),
                       ts if mode == "time-weighted" else None, questions, [label], mode)
        item = {"group": label}
        item.update(summary_of(tp, None, bins=bins, scale=scale, bootstrap=bootstrap, mode=mode))
        item["categorical"] = categorical_summary([])
        rel = relative_scores(tp.question, tp.analyst, tp.brier, reference=med_by_q, factor=factor2).get(label)
        item.update(rel or {"relative_brier": None, "relative_brier_n": 0, "relative_brier_ci": None,
                            "relative_brier_ci_method": None})
        team: dict[str, Any] = {"method": method, "n_clipped": int(clipped), "clip": CLIP if method in ("logodds", "extremized") else None}
        if method == "extremized":
            team["fit"] = fit_summary(fit)
            item["notes"] = list(item["notes"]) + list(fit.notes if fit is not None else [])
        if clipped:
            item["notes"] = list(item["notes"]) + [f"{clipped} forecast(s) at or beyond {CLIP} / {1 - CLIP} clipped before the log-odds"]
        item["team"] = team
        rows.append(item)
    return rows


def team_scores(raw: dict, *, mode: str, cv: str, method: str = "extremized") -> dict:
    """The team's ``method`` aggregate's Brier score (0-1 scale, in ``mode``) per question id: the reference
    of ``tracker score --by analyst --relative-to team``."""
    from .pairs import _pairs_of

    by_code = fit_factor_for(raw, mode, cv)[1] if method == "extremized" else None
    qs, ts, vs, _ = team_revisions(raw, method, by_code, mode)
    tp = _pairs_of(qs, np.zeros(qs.size, dtype=np.int64), np.clip(vs, 0.0, 1.0),
                   ts if mode == "time-weighted" else None, raw["questions"], [team_label(method)], mode)
    return dict(zip(tp.question.tolist(), tp.brier.tolist()))


# ------------------------------------------------------ one question's path


def question_aggregate(store: Store, question_id: str, *, method: str = "extremized", cv: str = "loo",
                       horizon_days: Optional[float] = None, half_life_days: Optional[float] = None,
                       factor: Optional[float] = None) -> dict:
    """A question's team forecast after each forecast moment.

    The extremizing factor is ``factor`` if given, else fitted on the team's
    other resolved questions (every one but this, leave-one-question-out).
    With ``horizon_days`` a forecast older than that at the moment counts not
    at all; with ``half_life_days`` it counts half as much per half-life."""
    from ..scoring.aggregate import DEFAULT_FACTOR, aggregate, aggregate_categorical, recency_weights
    from .report import question_history

    _check([method], cv)
    if horizon_days is not None and horizon_days <= 0:
        raise ValidationError("--horizon must be a positive number of days")
    if half_life_days is not None and half_life_days <= 0:
        raise ValidationError("--half-life must be a positive number of days")
    if factor is not None and factor <= 0:
        raise ValidationError("--factor must be positive")
    h = question_history(store, question_id)
    notes: list[str] = []
    fit_info = None
    a = 1.0
    if method == "extremized":
        if factor is not None:
            a = float(factor)
            fit_info = {"factor": a, "source": "given"}
        else:
            raw: dict = {}
            from .pairs import load_pairs

            load_pairs(store, raw=raw)
            if question_id in raw["questions"].code and raw["questions"].code[question_id] >= 0:
                keep = raw["qc"] != raw["questions"].code[question_id]
                raw = dict(raw, qc=raw["qc"][keep], ac=raw["ac"][keep], prob=raw["prob"][keep], made=raw["made"][keep])
            fit, _ = fit_factor_for(raw, "final", "loo")
            if fit is None:
                a = DEFAULT_FACTOR
                notes.append(f"no other resolved questions: the default factor {DEFAULT_FACTOR:g} (no extremizing)")
                fit_info = {"factor": a, "source": "default"}
            else:
                a = fit.factor
                fit_info = dict(fit_summary(fit), source="fitted on the team's other resolved questions")
                notes.extend(fit.notes)
    events = sorted({t for s in h.series for t in s.times})
    points = []
    total_clipped = 0
    for t in events:
        standing = []
        for s in h.series:
            last = None
            for when, value in zip(s.times, s.values):
                if when <= t:
                    last = (when, value)
            if last is not None:
                standing.append((s.analyst, last[0], last[1]))
        ages = np.array([(t - w).total_seconds() / 86400.0 for _, w, _ in standing])
        weights = recency_weights(ages, horizon=horizon_days, half_life=half_life_days)
        if not (weights > 0).any():
            points.append({"at": t.isoformat(), "n": 0, "value": None, "n_clipped": 0})
            continue
        if h.kind == "binary":
            agg = aggregate([v for _, _, v in standing], method=method, factor=a, weights=weights)
            value: Any = agg.value
        else:
            P = np.array([[float(v.get(o, 0.0)) for o in h.outcomes] for _, _, v in standing])
            if method == "mean":
                value = dict(zip(h.outcomes, (weights @ P / weights.sum()).tolist()))
                agg = None
            elif method == "median":
                med = np.median(P[weights > 0], axis=0)
                value = dict(zip(h.outcomes, (med / med.sum()).tolist()))
                agg = None
            else:
                agg = aggregate_categorical(P, factor=a, weights=weights)
                value = dict(zip(h.outcomes, agg.value.tolist()))
        clipped = agg.n_clipped if agg is not None else 0
        total_clipped = max(total_clipped, clipped)
        points.append({"at": t.isoformat(), "n": int((weights > 0).sum()), "value": value, "n_clipped": clipped})
    if total_clipped:
        from ..scoring.aggregate import CLIP

        notes.append(f"forecasts at 0 or 1 are clipped into [{CLIP}, {1 - CLIP}] for the log-odds (counted per point)")
    if h.kind != "binary" and method in ("logodds", "extremized"):
        notes.append("categorical: the normalized geometric mean of the probabilities")
    return {
        "question": h.id, "text": h.text, "kind": h.kind, "outcomes": h.outcomes, "method": method,
        "factor": a if method == "extremized" else (1.0 if method == "logodds" else None), "fit": fit_info,
        "horizon_days": horizon_days, "half_life_days": half_life_days,
        "status": h.status, "outcome": h.outcome, "points": points, "notes": notes,
        "analysts": [{"analyst": s.analyst, "times": [t.isoformat() for t in s.times], "values": s.values} for s in h.series],
    }


# ------------------------------------------------------------ recalibration


def recalibration(store: Store, *, analyst: Optional[str] = None, team: bool = False, by_phrase: bool = False,
                  mode: str = "final", quarter: Optional[str] = None, scenario: Optional[str] = None,
                  tag: Optional[str] = None,
                  progress: Optional[Callable[[str, int, Optional[int]], None]] = None) -> dict:
    """Logistic recalibration, fitted out of sample, of one analyst's final
    forecasts (``analyst``), of the team's extremized forecasts (``team``;
    the fitted factor out of sample, then recalibrated), or of every pair
    (the default); with ``by_phrase`` also what each estimative phrase has
    meant: its realized frequency (Wilson interval) and the recalibrated
    value of its typical number."""
    from ..scoring.recalibrate import recalibrate, realized_frequency
    from ..scope import Scope
    from .pairs import load_pairs

    if analyst and team:
        raise ValidationError("choose --analyst NAME or --team, not both")
    raw: Optional[dict] = {} if team else None
    scope = Scope.make(mode=mode, analyst=analyst, quarter=quarter, scenario=scenario, tag=tag)
    pairs = load_pairs(store, scope, progress=progress, raw=raw)
    who = analyst or ("team (extremized)" if team else "all analysts")
    if team:
        fit, by_code = fit_factor_for(raw, "final", "loo")
        qs, _, vs, _ = team_revisions(raw, "extremized", by_code, "final")
        p = np.clip(vs, 0.0, 1.0)
        y = np.array([raw["questions"].rows[int(i)][8] == "yes" for i in qs], dtype=np.int64)
        clusters = qs
        phrases = np.array([raw["questions"].rows[int(i)][7] or None for i in qs], dtype=object)
    else:
        p, y, clusters, phrases = pairs.p, pairs.y.astype(np.int64), pairs.question, pairs.phrase
    if len(p) == 0:
        raise ValidationError(f"no resolved binary forecasts{' by ' + analyst if analyst else ''} to recalibrate")
    r = recalibrate(p, y, clusters=clusters)
    out = r.as_dict()
    out.pop("oos_p", None)
    out["who"] = who
    out["mode"] = mode
    if out["brier_oos"] is not None:
        out["improvement"] = out["brier"] - out["brier_oos"]
    out["notes"] = list(out["notes"])
    if by_phrase:
        rows = []
        labels = np.array(["" if x is None else str(x) for x in phrases], dtype=object)
        for phrase in sorted(set(labels.tolist()) - {""}):
            idx = np.flatnonzero(labels == phrase)
            freq, lo, hi = realized_frequency(y[idx])
            stated = float(np.median(p[idx]))
            rec = None
            if r.slope is not None:
                from ..scoring.aggregate import clipped_logit

                lx, _ = clipped_logit([stated])
                rec = float(0.5 * (1 + np.tanh(0.5 * (r.intercept + r.slope * lx[0]))))
            rows.append({"phrase": phrase, "n": int(idx.size), "stated": stated, "happened": freq,
                         "low": lo, "high": hi, "recalibrated": rec})
        out["phrases"] = rows
    return out


# -------------------------------------------------------------------- plots


def plot(store: Store, kind: str, *, question: Optional[str] = None, analyst: Optional[str] = None,
         quarter: Optional[str] = None, scenario: Optional[str] = None, tag: Optional[str] = None,
         progress=None, **_ignored):
    """(figure, note) for ``tracker plot aggregate ID`` / ``tracker plot recalibration``."""
    from ..report.team import aggregate_figure, recalibration_figure
    from .report import question_history

    if kind == "aggregate":
        path = question_aggregate(store, question, method="extremized")
        fig = aggregate_figure(question_history(store, question), path)
        return fig, "; ".join(path["notes"]) or None
    out = recalibration(store, analyst=analyst, quarter=quarter, scenario=scenario, tag=tag, progress=progress)
    return recalibration_figure(out), "; ".join(out["notes"]) or None
