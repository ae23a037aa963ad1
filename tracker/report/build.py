"""Report parts built from arrays and scoring results (no database here).

:mod:`tracker.services.report` reads the database and calls these; they can
also be used on their own, from a notebook, with any arrays of forecasts and
outcomes.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable, Optional, Sequence

import numpy as np

from ..scoring.calibration import EQUIVALENCE_MARGIN, MIN_FOR_TESTS, slope_verdict  # noqa: F401 - shared with tracker score
from ..scoring.groups import mean_interval, relative_score, wilson_interval  # noqa: F401 - the report's intervals
from .data import (
    MAX_SURPRISES,
    MIN_FOR_CURVE,
    SURPRISE_THRESHOLD,
    AnalystRow,
    BinRow,
    CalibrationData,
    Decomposition,
    PhraseRow,
    Summary,
    Surprise,
    Term,
    TrendRow,
)

#: Above this many distinct forecast values, the CORP curve and band use forecasts rounded to 2 decimals.
MAX_CORP_DISTINCT = 1000
HIST_BINS = 20


def _pct(x: Optional[float]) -> str:
    return "-" if x is None else f"{100 * x:.0f}%"


def _interval(ci: Optional[Sequence[float]], digits: int = 2) -> str:
    if not ci or ci[0] is None or ci[1] is None:
        return ""
    return f"[{ci[0]:.{digits}f}, {ci[1]:.{digits}f}]"


# -------------------------------------------------------------------- intervals


def interval_label(methods: Iterable[Optional[str]]) -> str:
    """The methods of a table's intervals, in words (see :data:`tracker.scoring.intervals.METHODS`)."""
    from ..scoring.intervals import METHODS, MIN_QUESTIONS

    used = [m for m in dict.fromkeys(methods) if m]
    text = "; ".join(METHODS[m] for m in used) if used else "none computed"
    return f"{text}; no interval below {MIN_QUESTIONS} questions"


# ------------------------------------------------------------------ calibration


def calibration_data(
    p,
    y,
    *,
    label: str = "team",
    bins: int = 10,
    brier_scale: str = "0-1",
    n_resamples: int = 1000,
    seed: Optional[int] = 42,
    min_n: int = MIN_FOR_CURVE,
) -> CalibrationData:
    """Binned reliability (Wilson 95%), the CORP isotonic curve with its 90% consistency band, and a histogram.

    The binned points are :func:`tracker.scoring.reliability_binned`, the curve
    and band :func:`tracker.scoring.reliability_corp`. With more than
    ``MAX_CORP_DISTINCT`` distinct forecast values the curve is fitted on the
    forecasts rounded to 2 decimals (said in ``corp_rounded_to``) so the band
    stays cheap; the binned points always use the forecasts as given.
    Below ``min_n`` forecasts there is no curve, and ``message`` says why.
    """
    from ..scoring import reliability_binned, reliability_corp
    from ..scoring.reliability import MAX_BAND_CELLS

    p = np.asarray(p, dtype=np.float64)
    y = np.asarray(y)
    n = int(p.size)
    edges = np.linspace(0.0, 1.0, HIST_BINS + 1)
    if n == 0:
        return CalibrationData(label=label, n=0, enough=False, brier_scale=brier_scale,
                               message="No resolved binary forecasts yet: there is no calibration to show.",
                               hist_edges=edges.tolist(), hist_counts=[0] * HIST_BINS)
    factor = 2.0 if brier_scale == "0-2" else 1.0
    brier = float(factor * np.mean(np.square(p - y)))
    binned = reliability_binned(p, y, bins=bins)
    counts, _ = np.histogram(p, bins=edges)
    out = CalibrationData(
        label=label, n=n, enough=n >= min_n, message=None, brier=brier, brier_scale=brier_scale, level=binned.level,
        bins=[BinRow(**b.as_dict()) for b in binned.bins],
        hist_edges=edges.tolist(), hist_counts=[int(c) for c in counts],
    )
    if not out.enough:
        out.message = (f"Too few resolved forecasts for a calibration curve: {n} "
                       f"(at least {min_n} are needed).")
        return out
    q = p
    distinct = np.unique(p).size
    if distinct > MAX_CORP_DISTINCT:
        q = np.round(p, 2)
        out.corp_rounded_to = 2
        distinct = np.unique(q).size
    resamples = max(1, min(n_resamples, MAX_BAND_CELLS // max(distinct, 1)))
    corp = reliability_corp(q, y, n_resamples=resamples, seed=seed)
    out.corp_x = corp.x.tolist()
    out.corp_fitted = corp.fitted.tolist()
    out.corp_lower = corp.lower.tolist()
    out.corp_upper = corp.upper.tolist()
    out.corp_level = corp.level
    out.corp_resamples = corp.n_resamples
    return out


# ------------------------------------------------------------------- verdicts


def verdict_sentence(who: str, s: dict) -> str:
    """The calibration verdict of a ``tracker score`` summary object, as one plain sentence."""
    n = s.get("n") or 0
    if n == 0:
        return "No resolved questions yet: there is nothing to judge calibration on."
    cal = s.get("calibration") or {}
    slope, ci = cal.get("slope"), cal.get("slope_ci")
    base = s.get("base_rate")
    mean_p = s.get("mean_forecast")
    tail = ""
    if base is not None and mean_p is not None:
        tail = f" On average the forecasts said {_pct(mean_p)}; {_pct(base)} of the events happened."
    if n < MIN_FOR_CURVE:
        return (f"Too few resolved forecasts ({n}) to judge calibration; "
                f"a calibration curve needs at least {MIN_FOR_CURVE}.{tail}")
    verdict = cal.get("verdict") or slope_verdict(slope, ci, cal.get("p_adjusted"))
    if n < MIN_FOR_TESTS:
        return (f"Too few resolved forecasts ({n}) to judge calibration; "
                f"a test needs at least {MIN_FOR_TESTS}.{tail}")
    if verdict == "too little data" and slope is not None:  # a team on too few questions for a clustered interval
        return (f"Calibration cannot be judged yet: the calibration slope is {slope:.2f}, but the analysts share "
                f"too few questions (fewer than 10) for an interval that allows for their shared outcomes.{tail}")
    if verdict == "too little data":
        return (f"Calibration cannot be judged yet: with {n} forecasts the calibration slope cannot be "
                f"estimated (the forecasts separate what happened from what did not, or only one outcome occurred).{tail}")
    where = f"calibration slope {slope:.2f}, 95% CI {_interval(ci)}"
    if cal.get("slope_ci_method") == "cluster-jackknife":
        where += " allowing for the outcomes the analysts share"
    low, high = EQUIVALENCE_MARGIN
    if verdict == "no evidence either way":
        return (f"No evidence either way: the {where} neither lies inside the margin {low:g}-{high:g} that "
                f"would show calibration nor shows over- or underconfidence after adjusting for the "
                f"groups shown together.{tail}")
    if verdict == "overconfident":
        return f"{who} is overconfident: the forecasts are too extreme ({where}, below 1).{tail}"
    if verdict == "underconfident":
        return f"{who} is underconfident: the forecasts are not extreme enough ({where}, above 1).{tail}"
    owner = "the team's" if who == "The team" else f"{who}'s"
    return (f"Calibrated within the margin: {owner} {where} lies inside {low:g}-{high:g}, so any "
            f"miscalibration is small.{tail}")


def brier_sentence(s: dict) -> str:
    n = s.get("n") or 0
    if n == 0 or s.get("brier") is None:
        return "No resolved binary forecasts to score yet."
    scale = s.get("brier_scale", "0-1")
    ci = _interval(s.get("brier_ci"), 3)
    text = f"Brier score {s['brier']:.3f} on the {scale} scale (lower is better"
    text += f"; 95% bootstrap interval {ci})" if ci else ")"
    text += f" over {n} forecasts."
    skill, base = s.get("brier_skill"), s.get("base_rate")
    if skill is not None and base is not None:
        ref = base * (1 - base) * (2.0 if scale == "0-2" else 1.0)
        better = "better than" if skill > 0 else ("no better than" if skill == 0 else "worse than")
        text += (f" Skill over the base rate {skill:+.2f}: {better} always forecasting the base rate "
                 f"of {_pct(base)} (which would score {ref:.3f}).")
    else:
        text += " Skill over the base rate is undefined: every question came out the same way."
    return text


def summary(s: dict, *, who: str = "The team", counts: Optional[dict] = None, categorical: Optional[dict] = None,
            n_binary_questions: int = 0, n_analysts: int = 0, mean_forecast: Optional[float] = None) -> Summary:
    """The report's summary from a ``tracker score`` summary object and the review counts."""
    counts = counts or {}
    s = dict(s, mean_forecast=mean_forecast)
    cal = s.get("calibration") or {}
    sp = s.get("spiegelhalter") or {}
    base = s.get("base_rate")
    factor = 2.0 if s.get("brier_scale") == "0-2" else 1.0
    out = Summary(
        n_questions=counts.get("questions", 0),
        n_resolved=counts.get("resolved", 0),
        n_annulled=counts.get("annulled", 0),
        n_overdue=counts.get("overdue", 0),
        n_not_yet_due=counts.get("not_yet_due", 0),
        n_pairs=int(s.get("n") or 0),
        n_binary_questions=n_binary_questions,
        n_analysts=n_analysts,
        brier=s.get("brier"),
        brier_ci=list(s["brier_ci"]) if s.get("brier_ci") else None,
        base_rate=base,
        reference_brier=None if base is None else factor * base * (1 - base),
        skill=s.get("brier_skill"),
        mean_forecast=mean_forecast,
        log_score=s.get("log_score"),
        calibration_slope=cal.get("slope"),
        calibration_slope_ci=list(cal["slope_ci"]) if cal.get("slope_ci") else None,
        calibration_intercept=cal.get("intercept"),
        spiegelhalter_z=sp.get("z"),
        spiegelhalter_p=sp.get("p_value"),
        verdict="no data" if not s.get("n") else (
            "too little data" if s["n"] < MIN_FOR_CURVE
            else cal.get("verdict") or slope_verdict(cal.get("slope"), cal.get("slope_ci"), cal.get("p_adjusted"))),
        verdict_sentence=verdict_sentence(who, s),
        brier_sentence=brier_sentence(s),
        notes=list(s.get("notes") or []) if s.get("n") else [],  # with nothing scored, the report says so itself
    )
    if categorical:
        out.n_categorical_pairs = int(categorical.get("n") or 0)
        out.categorical_brier = categorical.get("brier")
    return out


# -------------------------------------------------------------- decomposition

MURPHY_TERMS = (
    ("REL", "reliability", "+", "how far each bin's mean forecast is from how often its events happened (lower is better)"),
    ("RES", "resolution", "-", "how far the bins' event frequencies spread from the base rate: telling likelier from less likely (higher is better)"),
    ("UNC", "uncertainty", "+", "base rate x (1 - base rate): how unpredictable the questions were, whoever forecast them"),
    ("WBV", "within-bin variance", "+", "how much forecasts vary inside each bin (a correction that makes the sum exact)"),
    ("WBC", "within-bin covariance", "-", "how forecasts inside a bin move with the outcomes (a correction that makes the sum exact)"),
)
CORP_TERMS = (
    ("MCB", "miscalibration", "+", "how much the score would improve if the forecasts were recalibrated by isotonic regression (lower is better)"),
    ("DSC", "discrimination", "-", "how much better the recalibrated forecasts do than always forecasting the base rate (higher is better)"),
    ("UNC", "uncertainty", "+", "base rate x (1 - base rate), as above"),
)
_MURPHY_KEYS = {"REL": "reliability", "RES": "resolution", "UNC": "uncertainty", "WBV": "within_bin_variance",
                "WBC": "within_bin_covariance"}
_CORP_KEYS = {"MCB": "mcb", "DSC": "dsc", "UNC": "unc"}


def decomposition(s: dict) -> Decomposition:
    """Murphy and CORP terms of a ``tracker score`` summary object, each with a one-line meaning (0-1 scale)."""
    n = int(s.get("n") or 0)
    murphy, corp = s.get("murphy") or {}, s.get("corp") or {}
    factor = 2.0 if s.get("brier_scale") == "0-2" else 1.0
    return Decomposition(
        n=n,
        brier=None if s.get("brier") is None else s["brier"] / factor,
        bins=int(murphy.get("bins") or 10),
        murphy=[Term(sym, name, murphy.get(_MURPHY_KEYS[sym]), sign, meaning) for sym, name, sign, meaning in MURPHY_TERMS],
        corp=[Term(sym, name, corp.get(_CORP_KEYS[sym]), sign, meaning) for sym, name, sign, meaning in CORP_TERMS],
    )


# ------------------------------------------------------------------- analysts


def relative_deviations(question, analyst, scores, relative_to: str = "others") -> np.ndarray:
    """Each pair's score minus its question's reference (:func:`tracker.scoring.pair_deviations`;
    ``analyst`` is not needed and kept for callers)."""
    from ..scoring import pair_deviations

    return pair_deviations(question, scores, relative_to)


def analyst_row(name: str, s: dict, *, deviations: Optional[np.ndarray] = None, scale_factor: float = 1.0,
                categorical: Optional[dict] = None, questions=None) -> AnalystRow:
    """One row of the per-analyst table from the analyst's ``tracker score`` summary and relative deviations
    (with ``questions``, the question of each deviation, for its interval: :func:`mean_interval`)."""
    cal = s.get("calibration") or {}
    rel = rel_ci = None
    if deviations is not None:
        r = relative_score(np.asarray(deviations, dtype=np.float64) * scale_factor, questions)
        rel, rel_ci = r["relative_brier"], r["relative_brier_ci"]
    n = int(s.get("n") or 0)
    verdict = "no data" if n == 0 else ("too little data" if n < MIN_FOR_CURVE else cal.get("verdict") or
                                        slope_verdict(cal.get("slope"), cal.get("slope_ci"), cal.get("p_adjusted")))
    return AnalystRow(
        name=name, n=n, brier=s.get("brier"), brier_ci=list(s["brier_ci"]) if s.get("brier_ci") else None,
        relative_brier=rel, relative_ci=rel_ci, skill=s.get("brier_skill"),
        slope=cal.get("slope"), slope_ci=list(cal["slope_ci"]) if cal.get("slope_ci") else None,
        verdict=verdict,
        n_categorical=int((categorical or {}).get("n") or 0),
        categorical_brier=(categorical or {}).get("brier"),
    )


def order_analysts(rows: list[AnalystRow]) -> list[AnalystRow]:
    """Best (lowest) Brier first; analysts with nothing scored last; ties by name."""
    return sorted(rows, key=lambda r: (r.brier is None, r.brier if r.brier is not None else 0.0, r.name))


# -------------------------------------------------------------------- phrases


def wilson(events: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for ``events`` out of ``n`` (:func:`tracker.scoring.wilson_interval`)."""
    return wilson_interval(events, n, level)


def phrase_rows(questions: Iterable[dict]) -> list[PhraseRow]:
    """Per estimative phrase (and band), the realized frequency of its questions against the band.

    ``questions``: one dict per resolved binary question with a phrase:
    ``phrase``, ``y`` (1 yes / 0 no), ``band`` (``(low, high)`` or None),
    ``band_name``, ``scale``, ``band_source``, ``assessed`` and ``forecasts``
    (the scored probabilities of the question's analysts, possibly empty).
    The unit is the question: each counts once, however many analysts
    forecast it.
    """
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for q in questions:
        band = tuple(q["band"]) if q.get("band") else None
        groups[(q["phrase"], q.get("scale"), band)].append(q)
    rows = []
    for (phrase, scale, band), items in groups.items():
        n = len(items)
        yes = int(sum(int(q["y"]) for q in items))
        low, high = wilson(yes, n)
        freq = yes / n
        forecasts = [f for q in items for f in q.get("forecasts") or []]
        first = items[0]
        if band is None:
            verdict = "no band"
            sentence = (f"When we wrote '{phrase}', it happened {_pct(freq)} of the time "
                        f"({yes} of {n}); no scale gives this phrase a band.")
        else:
            lo, hi = band
            span = f"{_pct(lo)}-{_pct(hi)}"
            if lo <= freq <= hi:
                verdict = "within the band"
            elif high < lo:
                verdict = "less often than the band"
            elif low > hi:
                verdict = "more often than the band"
            else:
                verdict = "outside the band, within the noise"
            sentence = (f"When we wrote '{phrase}', it happened {_pct(freq)} of the time ({yes} of {n}; "
                        f"95% interval {_pct(low)}-{_pct(high)}); the band says {span}: {verdict}.")
        rows.append(PhraseRow(
            phrase=phrase, scale=scale, band_name=first.get("band_name"),
            band_low=None if band is None else band[0], band_high=None if band is None else band[1],
            band_source=first.get("band_source"), assessed=first.get("assessed"),
            n_questions=n, n_yes=yes, frequency=freq, ci_low=low, ci_high=high,
            mean_forecast=float(np.mean(forecasts)) if forecasts else None,
            verdict=verdict, sentence=sentence,
        ))
    rows.sort(key=lambda r: (r.band_low if r.band_low is not None else 2.0, r.phrase, r.scale or ""))
    return rows


# ------------------------------------------------------------------ surprises


def surprises(items: Iterable[dict], *, threshold: float = SURPRISE_THRESHOLD, limit: int = MAX_SURPRISES) -> list[Surprise]:
    """Confident forecasts that missed: those that gave at most ``threshold`` to what happened, worst first.

    ``items``: dicts with ``question_id``, ``text``, ``analyst``, ``outcome``
    and either ``probability`` (binary, of yes) or ``probabilities``
    (categorical, outcome -> probability).
    """
    found = []
    for it in items:
        outcome = it["outcome"]
        if it.get("probability") is not None:
            p_yes = float(it["probability"])
            y = 1.0 if outcome == "yes" else 0.0
            given = p_yes if y else 1.0 - p_yes
            if given > threshold:
                continue
            shown = f"{_pct(p_yes)} yes"
            brier, scale = (p_yes - y) ** 2, "0-1"
        else:
            vec = it.get("probabilities") or {}
            given = float(vec.get(outcome, 0.0))
            if given > threshold:
                continue
            top = max(vec.items(), key=lambda kv: kv[1]) if vec else None
            shown = f"{_pct(given)} {outcome}"
            if top and top[0] != outcome:
                shown += f" (most on {top[0]}, {_pct(top[1])})"
            brier = sum((float(v) - (1.0 if k == outcome else 0.0)) ** 2 for k, v in vec.items())
            scale = "0-2"
        found.append(Surprise(question_id=it["question_id"], text=it["text"], analyst=it["analyst"], outcome=outcome,
                              probability_of_outcome=given, forecast=shown, brier=float(brier), brier_scale=scale))
    found.sort(key=lambda s: (s.probability_of_outcome, s.question_id, s.analyst))
    return found[:limit]


# ---------------------------------------------------------------------- trend


def trend_rows(quarter, analyst, scores, *, by_analyst: bool = True, scale_factor: float = 1.0,
               quarters: Optional[Sequence[str]] = None, team_label: str = "team",
               questions=None) -> list[TrendRow]:
    """Mean score with a 95% interval per quarter, for everyone together (group ``team_label``)
    and, with ``by_analyst``, each analyst.

    ``scores`` are per (question, analyst) pair on the 0-1 scale;
    ``scale_factor`` 2 reports them on the 0-2 scale. ``questions`` (the
    question of each score) makes the intervals resample questions, as
    ``tracker score`` does for the same group (:func:`mean_interval`);
    without it each score counts as its own question.
    """
    quarter = np.asarray(quarter, dtype=object).astype(str)
    analyst = np.asarray(analyst, dtype=object)
    scores = np.asarray(scores, dtype=np.float64) * scale_factor
    questions = np.arange(scores.size).astype(str) if questions is None else np.asarray(questions, dtype=object).astype(str)
    rows: list[TrendRow] = []
    keep = sorted(set(quarter.tolist())) if quarters is None else list(quarters)
    for q in keep:
        mask = quarter == q
        if not mask.any():
            continue

        def row(group: str, values: np.ndarray, qs: np.ndarray) -> TrendRow:
            ci, method = mean_interval(values, qs)
            return TrendRow(quarter=q, group=group, n=int(values.size), brier=float(values.mean()),
                            brier_ci=ci, brier_ci_method=method)

        rows.append(row(team_label, scores[mask], questions[mask]))
        if by_analyst:
            names = analyst[mask].astype(str)
            vals = scores[mask]
            qs = questions[mask]
            for name in sorted(set(names.tolist())):
                rows.append(row(name, vals[names == name], qs[names == name]))
    return rows
