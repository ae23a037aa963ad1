"""``tracker score`` from the database: the scope's pairs (:func:`tracker.services.pairs.load_pairs`)
grouped and summarized by the functions of :mod:`tracker.scoring` (one summary per group,
verdicts Holm-adjusted across the groups shown together).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Callable, Optional

import numpy as np

from ..errors import ValidationError
from ..scope import FORECAST_SETS, MODES, SCALES, Scope, check_scale  # noqa: F401 - also importable from here
from ..scoring import adjust_verdicts, categorical_summary, index_groups, relative_scores
from ..storage import Store
from ..storage.queries import chunked
from .common import T_QUESTION, raw_rows
from .pairs import (  # noqa: F401 - the pairs' names, also importable from here
    Pairs,
    _epoch_us,
    _object_array,
    _pairs_of,
    categorical_pairs,
    forecast_condition,
    forecast_set,
    live_condition,
    load_pairs,
    summary_of,
)

GROUPS = ("analyst", "tag", "scenario", "quarter", "question", "wep", "wep-source")
RELATIVE_TO = ("others", "median-score", "team")


def _mapping_pairs(store: Store, pairs: Pairs) -> Pairs:
    """The phrase-to-number mapping as forecasts: one pseudo-forecast per scored binary question with
    an estimative phrase, the middle of the phrase's band (the question's own band, else the
    lexicon's on its scale; :func:`tracker.extract.lexicon.phrase_band`) against the outcome.
    Questions without a band are left out."""
    from sqlalchemy import select

    from ..extract.lexicon import phrase_band
    from .pairs import json_column as _json

    first: dict[str, int] = {}
    for i, q in enumerate(pairs.question.tolist()):
        first.setdefault(q, i)
    ids = [q for q in first if pairs.phrase[first[q]] is not None]
    extras: dict[str, Any] = {}
    with store.read() as conn:
        for chunk in chunked(ids):
            stmt = select(T_QUESTION.c.id, T_QUESTION.c.extra).where(T_QUESTION.c.id.in_(chunk))
            extras.update((qid, _json(extra)) for qid, extra in raw_rows(conn, stmt))
    keep, mapped = [], []
    for qid in ids:
        i = first[qid]
        band = phrase_band(pairs.phrase[i], extras.get(qid)).get("band")
        if band is not None:
            keep.append(i)
            mapped.append(0.5 * (band[0] + band[1]))
    idx = np.array(keep, dtype=np.int64)
    p = np.array(mapped, dtype=np.float64)
    y = pairs.y[idx]
    analyst = _object_array(["(mapping)"] * len(idx))
    return Pairs(pairs.question[idx], analyst, p, y, (p - y) ** 2, np.full(len(idx), np.nan), pairs.scenario[idx],
                 pairs.quarter[idx], pairs.phrase[idx], tags=pairs.tags)


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


def _categorical_group(items: list[dict], by: str, pairs: Pairs) -> dict[str, list[dict]]:
    from ..scoring.groups import group_items

    if by == "tag":
        return group_items(items, lambda it: pairs.tags.get(it["question"], []) or ["(untagged)"])
    field = {"analyst": "analyst", "scenario": "scenario", "quarter": "quarter", "question": "question",
             "wep": "phrase"}[by]
    return group_items(items, lambda it: it[field])


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
    forecasts: str = "auto",
    bootstrap: bool = True,
    relative_to: str = "others",
    progress: Optional[Callable[[str, int, Optional[int]], None]] = None,
    team: bool = False,
    team_methods: Optional[list] = None,
    team_cv: str = "loo",
) -> Any:
    """One summary object, or (with ``by``) a list of them each with ``group``.

    With ``by="analyst"`` each row also holds ``relative_brier`` against
    ``relative_to``: "others" (default; the mean of the other analysts' scores
    on the same questions, leave-one-out, unbiased for equally skilled
    analysts) or "median-score" (Good Judgment Open's median of the scores,
    which Brier's skew biases upwards) or "team" (the team's
    extremized forecast, fitted out of sample), with ``relative_to``,
    ``relative_brier_n`` and an interval over questions.

    ``team`` (with ``by`` None or "analyst"): the team's aggregates scored as
    forecasters (services.aggregate.team_rows), appended as rows with
    ``by="analyst"``, else under the key ``team``.

    ``progress(phase, done, total)``, if given, hears how far the work is:
    "reading" forecasts (total unknown), then "scoring" groups."""
    if by is not None and by not in GROUPS:
        raise ValidationError(f"unknown grouping {by!r} (one of {', '.join(GROUPS)})")
    factor = check_scale(scale)
    if relative_to not in RELATIVE_TO:
        raise ValidationError(f"unknown reference {relative_to!r} for relative scores (one of {', '.join(RELATIVE_TO)})")
    if not isinstance(bins, int) or not 1 <= bins <= 1000:
        raise ValidationError(f"bins must be between 1 and 1000, not {bins!r}")
    if team and by not in (None, "analyst"):
        raise ValidationError("--team goes with --by analyst (or no --by)")
    raw: Optional[dict] = {} if team or relative_to == "team" else None
    scope = Scope.make(quarter=quarter, analyst=analyst, tag=tag, scenario=scenario, mode=mode, forecasts=forecasts)
    pairs = load_pairs(store, scope, exclude_after_fact=exclude_after_fact, progress=progress, raw=raw)
    team_out: list = []
    if team:
        from .aggregate import team_rows

        team_out = team_rows(pairs, raw, mode=mode, methods=team_methods, cv=team_cv, bins=bins, scale=scale,
                             bootstrap=bootstrap)
    if by is None:
        out = summary_of(pairs, None, bins=bins, scale=scale, bootstrap=bootstrap, mode=mode)
        out["forecasts"] = pairs.forecasts
        out["categorical"] = categorical_summary(pairs.categorical)
        out["n_analysts"] = int(len(set(pairs.analyst))) if len(pairs.analyst) else 0
        out["n_questions"] = int(len(set(pairs.question))) if len(pairs.question) else 0
        if team:
            out["team"] = team_out
        return out
    view = None
    if by == "wep":
        pairs = _mapping_pairs(store, pairs)
        view = "phrase-to-number mapping"
    elif by == "wep-source":
        view = "accuracy by source phrase"
    groups = _group_keys(pairs, "wep" if by == "wep-source" else by)
    cat_groups = _categorical_group(pairs.categorical, "wep" if by == "wep-source" else by, pairs)
    relative = None
    if by == "analyst" and len(pairs.question):
        reference = None
        if relative_to == "team":  # each analyst against the team's extremized forecast on the same questions
            from .aggregate import team_scores

            reference = team_scores(raw, mode=mode, cv=team_cv)
        relative = relative_scores(pairs.question, pairs.analyst, pairs.brier, relative_to=relative_to,
                                   factor=factor, reference=reference)
    results = []
    names = sorted({g for g, _ in groups} | set(cat_groups))
    index = dict(groups)
    empty = np.zeros(0, dtype=np.int64)
    summaries = _map_groups(
        lambda name: summary_of(pairs, index.get(name, empty), bins=bins, scale=scale, bootstrap=bootstrap,
                                mode="final" if by == "wep" else mode),  # the mapping has no revisions
        names, len(pairs.p), progress,
    )
    for name, summary in zip(names, summaries):
        item = {"group": name}
        item.update(summary)
        item["forecasts"] = pairs.forecasts
        item["categorical"] = categorical_summary(cat_groups.get(name, []))
        if view is not None:
            item["view"] = view
        if by == "wep" and name in index and len(index[name]):
            item["mapped_probability"] = float(pairs.p[index[name][0]])
        if by == "analyst":
            rel = (relative or {}).get(name) or {"relative_brier": None, "relative_brier_n": 0,
                                                 "relative_brier_ci": None, "relative_brier_ci_method": None}
            item.update(rel)
            item["relative_to"] = relative_to
            if relative_to == "team":
                from .aggregate import team_label

                item["relative_to"] = team_label("extremized")
        results.append(item)
    results.extend(team_out)
    adjust_verdicts(results)  # verdicts control their error rate across the groups shown together
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
