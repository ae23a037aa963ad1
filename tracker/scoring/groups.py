"""Statistics of a group of (question, analyst) pairs: the numbers ``tracker score`` prints per
row and the report shows in its summary, per-analyst table and trend, from one set of functions.

Every interval here is :func:`tracker.scoring.group_interval` (resampling questions, none
below 10 questions) fed question *ids*, so the same group gives the same interval whoever
asks (``tracker score``, the report, a plot, a notebook).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Iterable, Optional

import numpy as np

from .calibration import MIN_FOR_TESTS, slope_verdict
from .comparison import relative_deviations as _deviations
from .intervals import group_interval, holm
from .summary import summarize

#: Fewest forecasts for calibration statistics in a score summary.
MIN_FOR_CURVE = 2
#: In the time-weighted mode these statistics are computed from the final forecasts (and say so).
FROM_FINAL = ("log_score", "murphy", "corp", "spiegelhalter", "calibration")


def _question_ids(questions, n: int) -> np.ndarray:
    """Question ids as strings (None: each value its own question)."""
    if questions is None:
        return np.arange(n).astype(str)
    return np.asarray(questions, dtype=object).astype(str)


def mean_interval(values, questions=None) -> tuple[Optional[list[float]], Optional[str]]:
    """95% interval of the mean of ``values`` and the method that gave it, by :func:`group_interval`
    (resampling questions; ``questions``: the question id of each value, None: each value is its own
    question). (None, None) with no values or fewer than 10 questions."""
    values = np.asarray(values, dtype=np.float64)
    if values.size == 0:
        return None, None
    gi = group_interval(values, _question_ids(questions, values.size))
    if gi.low is None:
        return None, None
    return [gi.low, gi.high], gi.method


def wilson_interval(events: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for ``events`` out of ``n``: the one of :func:`tracker.scoring.reliability_binned`
    (one bin)."""
    from .reliability import reliability_binned

    y = np.zeros(n, dtype=np.int8)
    y[:events] = 1
    b = reliability_binned(np.full(n, 0.5), y, bins=1, level=level).bins[0]
    return float(b.wilson_low), float(b.wilson_high)


def index_groups(labels) -> list[tuple[str, np.ndarray]]:
    """(label, positions of that label) for each distinct label, in label order, from one sort."""
    if len(labels) == 0:
        return []
    uniq, inverse = np.unique(np.asarray(labels).astype(str), return_inverse=True)
    order = np.argsort(inverse, kind="stable")
    bounds = np.searchsorted(inverse[order], np.arange(len(uniq) + 1))
    return [(str(u), order[bounds[i]:bounds[i + 1]]) for i, u in enumerate(uniq)]


# ------------------------------------------------------------------- relative scores


def pair_deviations(questions, scores, relative_to: str = "others") -> np.ndarray:
    """Each pair's score minus its question's reference: the mean of the other analysts' scores
    (``"others"``, NaN where nobody else forecast the question) or the median score (``"median-score"``).
    Their mean per analyst (NaN left out) is :func:`tracker.scoring.relative_brier`."""
    scores = np.asarray(scores, dtype=np.float64)
    if scores.size == 0:
        return np.zeros(0)
    _, q_code = np.unique(_question_ids(questions, scores.size), return_inverse=True)
    return _deviations(q_code, scores, relative_to)


def relative_score(deviations, questions) -> dict:
    """An analyst's relative score from their pairs' deviations (:func:`pair_deviations`, NaN left
    out) with its interval over questions: ``{"relative_brier", "relative_brier_n",
    "relative_brier_ci", "relative_brier_ci_method"}``."""
    d = np.asarray(deviations, dtype=np.float64)
    ok = ~np.isnan(d)
    d = d[ok]
    if d.size == 0:
        return {"relative_brier": None, "relative_brier_n": 0, "relative_brier_ci": None,
                "relative_brier_ci_method": None}
    ci, method = mean_interval(d, _question_ids(questions, ok.size)[ok])
    return {"relative_brier": float(d.mean()), "relative_brier_n": int(d.size), "relative_brier_ci": ci,
            "relative_brier_ci_method": method}


def reference_deviations(questions, scores, reference) -> np.ndarray:
    """Each pair's score minus a reference score of its question (``reference``: question id -> score, such
    as the team's aggregate forecast's Brier); NaN where the question has no reference."""
    q = _question_ids(questions, len(scores)).tolist()
    ref = np.array([reference.get(x, np.nan) for x in q], dtype=np.float64)
    return np.asarray(scores, dtype=np.float64) - ref


def relative_scores(questions, analysts, scores, *, relative_to: str = "others", factor: float = 1.0,
                    reference=None) -> dict:
    """Each analyst's relative score (:func:`relative_score`), keyed by analyst, on the scale ``factor``
    (2 for the 0-2 Brier scale): against the other analysts (``relative_to``, see :func:`pair_deviations`)
    or, given ``reference`` (question id -> score), against that reference (:func:`reference_deviations`)."""
    if reference is not None:
        dev = reference_deviations(questions, scores, reference) * factor
    else:
        dev = pair_deviations(questions, scores, relative_to) * factor
    q = _question_ids(questions, dev.size)
    return {name: relative_score(dev[idx], q[idx]) for name, idx in index_groups(np.asarray(analysts, dtype=object))}


# ------------------------------------------------------------------------ summaries


def empty_summary(*, bins: int, scale: str, mode: str) -> dict:
    """The score summary of a group with nothing scored."""
    return {
        "n": 0, "brier": None, "brier_scale": scale, "log_score": None, "log_score_clipped": 0, "base_rate": None,
        "brier_skill": None, "brier_ci": None, "brier_ci_method": None,
        "murphy": {"bins": bins, "reliability": None, "resolution": None, "uncertainty": None,
                   "within_bin_variance": None, "within_bin_covariance": None},
        "corp": {"mcb": None, "dsc": None, "unc": None},
        "spiegelhalter": {"z": None, "p_value": None},
        "calibration": {"slope": None, "intercept": None, "slope_ci": None, "p_value": None, "n_clipped": 0,
                        "slope_ci_method": None, "p_adjusted": None, "verdict": "too little data"},
        "mode": mode, "coverage": None, "from_final_forecasts": list(FROM_FINAL) if mode == "time-weighted" else [],
        "notes": ["no resolved binary forecasts to score"],
    }


def group_summary(p, y, questions, *, bins: int = 10, scale: str = "0-1", bootstrap: bool = True,
                  mode: str = "final", scores=None, coverage=None) -> dict:
    """The ``tracker score`` object for one group of pairs: :func:`summarize` of the scored forecasts
    ``p`` against ``y``, the Brier interval resampling ``questions`` (the question id of each pair).

    In the time-weighted mode ``p`` are the final forecasts and ``scores`` each pair's time-weighted
    Brier (0-1 scale), ``coverage`` the share of each pair's window it covered: Brier, its interval and
    skill are the time-weighted ones, the rest comes from the final forecasts (``from_final_forecasts``
    says which). ``calibration.verdict`` is the group's own; :func:`adjust_verdicts` redoes it across
    groups shown together."""
    p = np.asarray(p, dtype=np.float64)
    n = int(p.size)
    if n == 0:
        return empty_summary(bins=bins, scale=scale, mode=mode)
    if mode == "time-weighted":
        out = _time_weighted_summary(p, y, questions, np.asarray(scores, dtype=np.float64), coverage,
                                     bins=bins, scale=scale, bootstrap=bootstrap)
    else:
        out = summarize(p, y, bins=bins, scale=scale, bootstrap=bootstrap, questions=_question_ids(questions, n))
        out.update(mode=mode, coverage=None, from_final_forecasts=[])
    if n < MIN_FOR_CURVE:
        out["notes"].append(f"only {n} forecast(s): too few for calibration statistics")
    adjust_verdicts([out])
    return out


def _time_weighted_summary(p, y, questions, scores, coverage, *, bins: int, scale: str, bootstrap: bool) -> dict:
    factor = 2.0 if scale == "0-2" else 1.0
    # questions: the slope's interval is clustered by question (from the final forecasts)
    out = summarize(p, y, bins=bins, scale=scale, bootstrap=False, questions=_question_ids(questions, scores.size))
    if bootstrap:
        out["notes"] = [x for x in out["notes"] if not x.startswith("brier_ci not computed")]
    out.update(mode="time-weighted", brier=float(scores.mean() * factor), brier_ci=None, brier_ci_method=None)
    if bootstrap:
        gi = group_interval(scores * factor, _question_ids(questions, scores.size))
        out["brier_ci"] = [gi.low, gi.high] if gi.low is not None else None
        out["brier_ci_method"] = gi.method
        if gi.reason:
            out["notes"].append(f"brier_ci: {gi.reason}")
    out["coverage"] = None if coverage is None else float(np.nanmean(coverage))
    base = out["base_rate"]
    if base is not None and 0 < base < 1:
        out["brier_skill"] = 1.0 - float(scores.mean()) / (base * (1 - base))
    out["notes"].append("time-weighted Brier and skill; log score, Murphy, CORP, Spiegelhalter and the calibration "
                        "slope are from the final forecasts (the Murphy and CORP terms add up to the final "
                        "forecasts' Brier, not to the time-weighted one)")
    out["from_final_forecasts"] = list(FROM_FINAL)
    return out


def table_summary(p, y, questions, scores, *, scale: str = "0-1", mode: str = "final") -> dict:
    """The part of :func:`group_summary` a per-analyst table shows, without the decompositions: n, Brier
    (``scores``: each pair's Brier on the 0-1 scale, in the mode scored) with its interval, skill over
    the base rate, calibration slope with its interval and p-value. The same computations as
    :func:`group_summary` (and :func:`summarize`), so the same numbers to the last digit."""
    from . import _validation as v
    from ._table import tabulate
    from .calibration import _brier_skill, _calibration_slope, cluster_robust_slope

    factor = 2.0 if scale == "0-2" else 1.0
    scores = np.asarray(scores, dtype=np.float64)
    n = int(scores.size)
    if n == 0:
        return {"n": 0, "brier": None, "brier_ci": None, "brier_ci_method": None, "brier_skill": None,
                "calibration": {"slope": None, "slope_ci": None, "p_value": None, "slope_ci_method": None}}
    pv, yv = v.probabilities(p), v.outcomes(y)
    table = tabulate(pv, yv)
    cal = None
    if n >= MIN_FOR_TESTS:  # forecasts sharing a question share its outcome: the cluster-robust interval
        cal = cluster_robust_slope(_calibration_slope(table, 0.95), pv, yv, _question_ids(questions, n))
    if mode == "time-weighted":
        brier = float(scores.mean())
        base = table.base_rate
        skill = 1.0 - brier / (base * (1 - base)) if base is not None and 0 < base < 1 else None
    else:
        brier, skill = table.brier, _brier_skill(table).skill
    gi = group_interval(scores * factor, _question_ids(questions, n))
    return {
        "n": n, "brier": factor * brier,
        "brier_ci": [gi.low, gi.high] if gi.low is not None else None, "brier_ci_method": gi.method,
        "brier_skill": skill,
        "calibration": {"slope": cal.slope if cal else None,
                        "slope_ci": list(cal.slope_ci) if cal and cal.slope_ci else None,
                        "p_value": cal.p_value if cal else None,
                        "slope_ci_method": cal.ci_method if cal else None},
    }


def adjust_verdicts(summaries: Iterable[dict]) -> None:
    """Holm-adjust the slope p-values across ``summaries`` (the groups shown together) and set each
    ``calibration.p_adjusted`` and ``calibration.verdict`` (:func:`slope_verdict`)."""
    cals = [s["calibration"] for s in summaries]
    adjusted = holm([c.get("p_value") for c in cals])
    for c, pa in zip(cals, adjusted):
        c["p_adjusted"] = pa
        c["verdict"] = slope_verdict(c.get("slope"), c.get("slope_ci"), pa)


def categorical_summary(items: list[dict], *, full: bool = True) -> dict:
    """Categorical pairs (dicts with ``brier`` on 0-2 and ``rps``, None where unordered) summarized: n and mean
    Brier, and with ``full`` the scale and the mean RPS of the ordered ones."""
    if not full:
        return {"n": len(items), "brier": float(np.mean([i["brier"] for i in items])) if items else None}
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


def group_items(items: Iterable[dict], key) -> dict[str, list[dict]]:
    """Items by ``key(item)`` (a label, or a list of labels for an item in several groups)."""
    out: dict[str, list[dict]] = defaultdict(list)
    for it in items:
        k: Any = key(it)
        for label in (k if isinstance(k, list) else [k]):
            out["(none)" if label is None else str(label)].append(it)
    return out


__all__ = [
    "mean_interval", "wilson_interval", "index_groups", "pair_deviations", "reference_deviations", "relative_score",
    "relative_scores",
    "group_summary", "table_summary", "empty_summary", "adjust_verdicts", "categorical_summary", "group_items",
    "FROM_FINAL", "MIN_FOR_CURVE",
]
