"""Reading the forecast log: the question list (with each analyst's number
and the team median) and one question with its whole history."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Optional

from ..errors import ValidationError
from ..storage import Store
from ..storage.queries import corrections_of, forecast_counts, history, is_current, scope_filter, unresolved_ids
from .common import (
    T_FORECAST,
    T_QUESTION,
    T_RESOLUTION,
    aware,
    forecast_dict,
    question_row,
    resolution_dict,
    status_of,
    tags_of,
)
from .week import clarifications_of


# ---------------------------------------------------------------- reading


STATUSES = ("all", "open", "due", "overdue", "resolved", "annulled")


def list_questions(
    store: Store,
    *,
    status: str = "all",
    scenario: Optional[str] = None,
    tag: Optional[str] = None,
    analyst: Optional[str] = None,
    as_of: Optional[date] = None,
    within_days: int = 14,
    limit: Optional[int] = None,
    search: Optional[str] = None,
    me: Optional[str] = None,
) -> list[dict]:
    """Questions with their status, filtered. ``due``: open questions whose
    deadline is within ``within_days`` of ``as_of`` (overdue ones included);
    ``overdue``: open questions whose deadline has passed."""
    from sqlalchemy import and_, null, select

    if status not in STATUSES:
        raise ValidationError(f"unknown status {status!r} (one of {', '.join(STATUSES)})")
    from .week import team_today

    with store.read() as conn:  # one transaction: the team's date, then the list
        today = as_of or team_today(conn)
        if limit is not None and limit >= 2**62:  # more rows than any database holds
            limit = None
        # The questions first, with their current resolution (the one no later
        # record supersedes); then the forecast counts of those questions only,
        # so that a short list costs little however many forecasts are stored.
        r = T_RESOLUTION.alias("r")
        q = T_QUESTION
        current = and_(r.c.question_id == q.c.id, is_current(r))
        columns = (
            q.c.id, q.c.text, q.c.kind, q.c.outcomes, q.c.deadline, q.c.scenario_id, q.c.opened_at,
            r.c.outcome, r.c.annulled, r.c.known_at,
        )
        if status in ("open", "due", "overdue"):
            # The unresolved questions, found from the two id indexes alone (a
            # covering scan of the question ids against the resolution index),
            # then read: walking the deadline index instead reads the row of
            # every question due by the horizon, answered or not.
            stmt = select(
                *columns[:7], null().label("outcome"), null().label("annulled"), null().label("known_at")
            ).where(q.c.id.in_(unresolved_ids()))
        else:
            stmt = select(*columns).select_from(q).outerjoin(r, current)
        stmt = scope_filter(stmt, scenario=scenario, tag=tag, analyst=analyst)
        if status in ("open", "due", "overdue"):
            if status == "overdue":
                stmt = stmt.where(q.c.deadline < today)
            elif status == "due":
                try:
                    horizon = today + timedelta(days=within_days)
                except OverflowError:  # past year 9999: every deadline is within it
                    horizon = date.max
                stmt = stmt.where(q.c.deadline <= horizon)
        elif status == "resolved":
            stmt = stmt.where(r.c.annulled.is_(False))
        elif status == "annulled":
            stmt = stmt.where(r.c.annulled.is_(True))
        stmt = stmt.order_by(q.c.deadline, q.c.id)
        if limit:
            stmt = stmt.limit(limit)
        rank: dict[str, float] = {}
        if search is not None:
            from ..storage.search import search_ids

            rank = dict(search_ids(conn, search, limit=10_000))
            stmt = stmt.where(q.c.id.in_(list(rank)))
        rows = conn.execute(stmt).mappings().all()
        ids = [row["id"] for row in rows]
        tags = tags_of(conn, ids)
        counts = forecast_counts(conn, ids)
        out = _list_rows(rows, tags, counts, today)
        if me is not None:
            from .week import numbers_for, read_settings

            numbers_for(conn, out, me, blind=read_settings(conn)["blind"])
    return out


def _list_rows(rows, tags, counts, today) -> list[dict]:
    out = []
    for row in rows:
        resolution = None if row["annulled"] is None else row
        out.append(
            {
                "id": row["id"],
                "text": row["text"],
                "kind": row["kind"],
                "outcomes": list(row["outcomes"]),
                "deadline": row["deadline"],
                "status": status_of(row, resolution, today),
                "outcome": row["outcome"],
                "known_at": aware(row["known_at"]),
                "scenario_id": row["scenario_id"],
                "tags": tags[row["id"]],
                "n_forecasts": counts.get(row["id"], (0, 0))[0],
                "n_analysts": counts.get(row["id"], (0, 0))[1],
            }
        )
    return out


def _team_today(conn) -> date:
    from .week import team_today

    return team_today(conn)


def question_dict(conn, question, *, today: Optional[date] = None) -> dict:
    qid = question["id"]
    forecasts = history(conn, T_FORECAST, qid)
    resolutions = history(conn, T_RESOLUTION, qid)
    current = resolutions[-1] if resolutions else None  # the chain in the order recorded: the last is current
    res = [resolution_dict(r) for r in resolutions]
    for r in res:
        r["current"] = current is not None and r["id"] == current["id"]
    return {
        "id": qid,
        "text": question["text"],
        "kind": question["kind"],
        "outcomes": list(question["outcomes"]),
        "ordered": bool(question["ordered"]),
        "deadline": question["deadline"],
        "opened_at": aware(question["opened_at"]),
        "created_at": aware(question["created_at"]),
        "scenario_id": question["scenario_id"],
        "tags": tags_of(conn, [qid])[qid],
        "source_sentence": question["source_sentence"],
        "phrase": question["phrase"],
        "source_document": question["source_document"],
        "condition": (
            {"question_id": question["condition_question_id"], "outcome": question["condition_outcome"]}
            if question["condition_question_id"]
            else None
        ),
        "implies_question_id": question["implies_question_id"],
        "extra": question["extra"],
        "criteria": question["criteria"],
        # a correction is a new question linked to the one whose frozen definition it corrects
        "corrects": question.get("corrects_question_id"),
        "corrected_by": corrections_of(conn, qid),
        "clarifications": clarifications_of(conn, [qid])[qid],
        "status": status_of(question, current, today or _team_today(conn)),
        "outcome": current["outcome"] if current is not None else None,
        "forecasts": [forecast_dict(f) for f in forecasts],
        "resolutions": res,
    }


def show_question(store: Store, question_id: str, *, as_of: Optional[date] = None, viewer: Optional[str] = None) -> dict:
    """A question with its history. ``viewer``: the analyst looking; with
    blind forecasting on, the other analysts' forecasts on an open question
    are left out (counted in ``hidden_forecasts``) until the viewer has
    forecast it."""
    from .week import read_settings

    with store.read() as conn:
        q = question_dict(conn, question_row(conn, question_id), today=as_of)
        settings = read_settings(conn)
    blind = settings["blind"]
    q["team_timezone"] = settings["timezone"]  # the deadline day ends at midnight there
    q["hidden_forecasts"] = 0
    if viewer is not None and blind and q["status"] in ("open", "overdue"):
        if not any(f["analyst"] == viewer for f in q["forecasts"]):
            q["hidden_forecasts"] = len(q["forecasts"])
            q["forecasts"] = []
    return q

