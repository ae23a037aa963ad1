"""An analyst's week: the open questions grouped by what they ask of the
analyst, with the analyst's latest number beside the team's median."""

from __future__ import annotations

import statistics
from datetime import date, datetime, time, timedelta
from typing import Optional

from ..models import UTC, utcnow
from ..storage import Store
from .common import check_analyst_name
from .log import list_questions
from .review import _latest_forecasts

GROUPS = ("not_forecast", "due_soon", "stale", "awaiting_resolution")


def team_median(question: dict, latest: dict[str, dict]) -> Optional[object]:
    """The median of the analysts' current forecasts: a probability, or per
    outcome for a categorical question (renormalized to sum to 1)."""
    if not latest:
        return None
    if question["kind"] == "binary":
        return float(statistics.median(f["probability"] for f in latest.values()))
    medians = {o: statistics.median((f["probabilities"] or {}).get(o, 0.0) for f in latest.values())
               for o in question["outcomes"]}
    total = sum(medians.values())
    return {o: (v / total if total else 1 / len(medians)) for o, v in medians.items()}


def my_week(store: Store, analyst: str, *, within_days: int = 14, stale_days: int = 30,
            today: Optional[date] = None) -> dict:
    """The open questions of ``analyst``'s week:

    - ``not_forecast``: open, not yet past the deadline, no forecast of mine;
    - ``due_soon``: forecast by me, deadline within ``within_days``;
    - ``stale``: my latest forecast older than ``stale_days`` (not due soon);
    - ``awaiting_resolution``: past the deadline, not yet resolved.

    Each item carries my latest number and when I made it, and the team
    median of every analyst's current forecast."""
    analyst = check_analyst_name(analyst)
    today = today or utcnow().date()
    horizon = today + timedelta(days=within_days)
    cutoff = datetime.combine(today - timedelta(days=stale_days), time(0), tzinfo=UTC)
    open_questions = list_questions(store, status="open", as_of=today)
    with store.read() as conn:
        latest = _latest_forecasts(conn, [q["id"] for q in open_questions])
    groups: dict[str, list] = {g: [] for g in GROUPS}
    for q in open_questions:
        current = latest.get(q["id"], {})
        mine = current.get(analyst)
        item = {
            "id": q["id"], "text": q["text"], "kind": q["kind"], "outcomes": q["outcomes"], "deadline": q["deadline"],
            "tags": q["tags"], "days_left": (q["deadline"] - today).days, "n_analysts": len(current),
            "my_forecast": None if mine is None else (mine["probability"] if q["kind"] == "binary" else mine["probabilities"]),
            "my_forecast_at": None if mine is None else mine["made_at"],
            "team_median": team_median(q, current),
        }
        if q["deadline"] < today:
            groups["awaiting_resolution"].append(item)
        elif mine is None:
            groups["not_forecast"].append(item)
        elif q["deadline"] <= horizon:
            groups["due_soon"].append(item)
        elif mine["made_at"] < cutoff:
            groups["stale"].append(item)
    return {"analyst": analyst, "as_of": today, "within_days": within_days, "stale_days": stale_days,
            "counts": {g: len(v) for g, v in groups.items()}, **groups}
