"""The quarterly review, the resolution-file skeleton, coherence checks and
a question's history."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Optional

from ..errors import ValidationError
from ..models import UTC, utcnow
from ..periods import parse_quarter
from ..storage import Store
from ..storage.queries import chunked, current_resolutions, is_current, latest_forecasts
from .common import T_FORECAST, T_QUESTION, T_RESOLUTION, forecast_dict, question_row, resolution_dict, tags_of


def parse_days(text: str) -> int:
    """``30d``, ``4w``, ``30`` -> days."""
    m = re.match(r"^\s*(\d{1,6})\s*([dw]?)\s*$", str(text).lower())
    if not m:
        raise ValidationError(f"{text!r} is not a number of days such as 30d or 4w")
    n = int(m.group(1))
    return n * 7 if m.group(2) == "w" else n


def _latest_resolutions(conn, question_ids: list[str]) -> dict[str, dict]:
    return {qid: resolution_dict(row) for qid, row in current_resolutions(conn, question_ids).items()}


def review(store: Store, quarter: str, *, as_of: Optional[date] = None, stale_days: Optional[int] = None,
           scenario: Optional[str] = None) -> dict:
    from sqlalchemy import select

    from .week import store_today

    label, start, end = parse_quarter(quarter)
    today = as_of or store_today(store)
    stmt = select(T_QUESTION).where(T_QUESTION.c.deadline >= start, T_QUESTION.c.deadline <= end)
    if scenario:
        stmt = stmt.where(T_QUESTION.c.scenario_id == scenario)
    with store.read() as conn:
        questions = conn.execute(stmt.order_by(T_QUESTION.c.deadline, T_QUESTION.c.id)).mappings().all()
        ids = [q["id"] for q in questions]
        resolutions = _latest_resolutions(conn, ids)
        # as of a past date, forecasts made after it do not count (the end of that day, UTC)
        until = datetime.combine(as_of + timedelta(days=1), time(0), tzinfo=UTC) if as_of and as_of < date(9999, 12, 31) else None
        latest = latest_forecasts(conn, ids, before=until)
        tags = tags_of(conn, ids)
        from .week import clarifications_of

        notes = clarifications_of(conn, ids)
    groups: dict[str, list] = {"resolved": [], "awaiting_resolution": [], "not_yet_due": []}
    stale = []
    for q in questions:
        r = resolutions.get(q["id"])
        item = {
            "id": q["id"], "text": q["text"], "kind": q["kind"], "outcomes": list(q["outcomes"]),
            "deadline": q["deadline"], "scenario_id": q["scenario_id"], "tags": tags[q["id"]],
            "n_analysts": len(latest[q["id"]]),
            "criteria": q["criteria"], "clarifications": notes[q["id"]],
        }
        if r is not None:
            item.update(status="annulled" if r["annulled"] else "resolved", outcome=r["outcome"], reason=r["reason"],
                        known_at=r["known_at"], evidence=r["evidence"], recorded_by=r["recorded_by"])
            groups["resolved"].append(item)
            continue
        if q["deadline"] < today:
            item["status"] = "awaiting_resolution"
            item["days_overdue"] = (today - q["deadline"]).days
            groups["awaiting_resolution"].append(item)
        else:
            item["status"] = "not_yet_due"
            groups["not_yet_due"].append(item)
            if stale_days is not None:
                try:
                    cutoff = datetime.combine(today - timedelta(days=stale_days), time(0), tzinfo=UTC)
                except OverflowError:  # before year 1: nothing is that stale
                    cutoff = datetime.min.replace(tzinfo=UTC)
                for analyst, f in sorted(latest[q["id"]].items()):
                    if f["made_at"] < cutoff:
                        stale.append({
                            "question_id": q["id"], "analyst": analyst, "last_forecast_at": f["made_at"],
                            "days_since": (today - f["made_at"].date()).days,
                        })
    return {
        "quarter": label, "start": start, "end": end, "as_of": today, "stale_days": stale_days,
        "counts": {k: len(v) for k, v in groups.items()},
        **groups,
        "stale": stale,
    }


def skeleton(review_data: dict, *, reviewer: str) -> dict:
    """A resolution file for the questions awaiting resolution, to fill in."""
    entries = []
    for q in review_data["awaiting_resolution"]:
        entries.append({
            "question": q["id"],
            "text": q["text"],
            "deadline": q["deadline"],
            "outcomes": q["outcomes"],
            "outcome": "",
            "known_at": "",
            "evidence": [],
            "note": "",
        })
    return {"period": parse_quarter(review_data["quarter"]).file_label, "reviewer": reviewer, "resolutions": entries}


SKELETON_HEADER = """\
# Resolution file for {period}: fill in each question's outcome (one of its
# outcomes, or annulled with a reason), when it became known (known_at), the
# evidence (links or citations) and a note; then `tracker import` this file.
# Entries left with a blank outcome are skipped. To correct an outcome already
# recorded, add `supersede: true` and a `reason`; the earlier record is kept.
"""


# ------------------------------------------------------------------- check


def _late_forecasts(conn, scenario: Optional[str]) -> list[tuple[str, dict]]:
    """(question id, forecast) of every forecast made at or after the moment
    its question's current resolution says the outcome became known: one
    query, whatever the number of questions."""
    from sqlalchemy import select

    r = T_RESOLUTION.alias("r")
    stmt = (
        select(T_FORECAST)
        .join(r, r.c.question_id == T_FORECAST.c.question_id)
        .where(is_current(r), T_FORECAST.c.made_at >= r.c.known_at)
    )
    if scenario:
        stmt = stmt.join(T_QUESTION, T_QUESTION.c.id == T_FORECAST.c.question_id).where(T_QUESTION.c.scenario_id == scenario)
    return [(row["question_id"], forecast_dict(row)) for row in conn.execute(stmt).mappings()]


def check(store: Store, *, scenario: Optional[str] = None, tolerance: float = 0.05) -> list[dict]:
    """Every incoherence among the latest forecasts of each analyst."""
    from sqlalchemy import select

    stmt = select(T_QUESTION)
    if scenario:
        stmt = stmt.where(T_QUESTION.c.scenario_id == scenario)
    with store.read() as conn:
        questions = {q["id"]: q for q in conn.execute(stmt.order_by(T_QUESTION.c.id)).mappings()}
        linked = set()
        for q in questions.values():
            extra = q["extra"] or {}
            linked.update(x for x in (q["implies_question_id"], q["condition_question_id"], extra.get("joint_question_id")) if x)
        missing = sorted(linked - set(questions))
        if missing:
            for chunk in chunked(missing):
                for q in conn.execute(select(T_QUESTION).where(T_QUESTION.c.id.in_(chunk))).mappings():
                    questions[q["id"]] = q
        ids = sorted(questions)
        in_scope = [q for q in questions.values() if not scenario or q["scenario_id"] == scenario]
        # latest forecasts only where a check compares them: categorical
        # vectors, and the questions an implication or a conditional/joint
        # triple links (a plain binary question has nothing to compare)
        needed: set[str] = set()
        for q in in_scope:
            if q["kind"] == "categorical":
                needed.add(q["id"])
            if q["implies_question_id"]:
                needed.update((q["id"], q["implies_question_id"]))
            joint = (q["extra"] or {}).get("joint_question_id")
            if q["condition_question_id"] and joint:
                needed.update((q["id"], q["condition_question_id"], joint))
        latest = latest_forecasts(conn, sorted(needed & set(questions)))
        resolutions = _latest_resolutions(conn, ids)
        late = _late_forecasts(conn, scenario)
        order = {qid: i for i, qid in enumerate(resolutions)}
        late = sorted(((qid, resolutions[qid], f) for qid, f in late), key=lambda x: (order[x[0]], x[2]["id"]))
    issues: list[dict] = []

    def p_yes(f: dict, outcome: str = "yes") -> float:
        if f["probability"] is not None:
            return f["probability"] if outcome == "yes" else 1.0 - f["probability"]
        return float((f["probabilities"] or {}).get(outcome, 0.0))

    for q in in_scope:
        qid = q["id"]
        if q["kind"] == "categorical":
            for analyst, f in latest.get(qid, {}).items():
                total = sum((f["probabilities"] or {}).values())
                if abs(total - 1.0) > 1e-6:
                    issues.append({"check": "vector_sum", "question_id": qid, "analyst": analyst, "forecast_id": f["id"],
                                   "detail": f"probabilities sum to {total:.4f}, not 1"})
        b = q["implies_question_id"]
        if b:
            for analyst, fa in latest.get(qid, {}).items():
                fb = latest.get(b, {}).get(analyst)
                if fb is not None and p_yes(fa) > p_yes(fb) + 1e-9:
                    issues.append({"check": "implication", "question_id": qid, "other_question_id": b, "analyst": analyst,
                                   "detail": f"P({qid}) = {p_yes(fa):.3f} > P({b}) = {p_yes(fb):.3f}, but {qid} implies {b}"})
        cond, wanted = q["condition_question_id"], q["condition_outcome"]
        joint = (q["extra"] or {}).get("joint_question_id")
        if cond and joint:
            for analyst, fc in latest.get(qid, {}).items():
                fb, fj = latest.get(cond, {}).get(analyst), latest.get(joint, {}).get(analyst)
                if fb is None or fj is None:
                    continue
                implied = p_yes(fc) * p_yes(fb, wanted)
                if abs(p_yes(fj) - implied) > tolerance:
                    issues.append({"check": "conditional_joint", "question_id": qid, "other_question_id": joint, "analyst": analyst,
                                   "detail": f"P({joint}) = {p_yes(fj):.3f} but P({qid} | {cond}={wanted}) x P({cond}={wanted}) = "
                                             f"{p_yes(fc):.3f} x {p_yes(fb, wanted):.3f} = {implied:.3f}"})
        own = resolutions.get(qid)
        if cond and (own is None or not own["annulled"]):  # unresolved, or resolved as if the condition held
            rc = resolutions.get(cond)
            if rc is not None and not rc["annulled"] and rc["outcome"] != wanted:
                issues.append({"check": "condition_failed", "question_id": qid, "other_question_id": cond, "analyst": None,
                               "detail": f"{cond} resolved {rc['outcome']}, not {wanted}: {qid} should be annulled"})
    for qid, r, f in late:
        state = "annulled" if r["annulled"] else f"resolved {r['outcome']}"
        issues.append({"check": "after_resolution", "question_id": qid, "analyst": f["analyst"], "forecast_id": f["id"],
                       "detail": f"forecast made {f['made_at']:%Y-%m-%d %H:%M} after the question was {state} (known {r['known_at']:%Y-%m-%d %H:%M})"})
    for issue in issues:
        issue.setdefault("other_question_id", None)
        issue.setdefault("forecast_id", None)
    return issues


# ----------------------------------------------------------------- history


def history(store: Store, question_id: str) -> list[dict]:
    """Every forecast and resolution record of a question, in recording order."""
    from sqlalchemy import select

    with store.read() as conn:
        question_row(conn, question_id)
        forecasts = conn.execute(select(T_FORECAST).where(T_FORECAST.c.question_id == question_id)).mappings().all()
        resolutions = conn.execute(select(T_RESOLUTION).where(T_RESOLUTION.c.question_id == question_id)).mappings().all()
        from .week import clarifications_of

        notes = clarifications_of(conn, [question_id])[question_id]
    events = []
    for c in notes:  # clarifications of the resolution criteria, kept like forecasts
        events.append({"record": "clarification", "id": c["id"], "who": c["recorded_by"], "recorded_at": c["made_at"],
                       "effective_at": c["made_at"], "value": None, "imported": False, "supersedes_id": None,
                       "detail": c["text"], "evidence": []})
    for f in forecasts:
        d = forecast_dict(f)
        value = d["probability"] if d["probability"] is not None else d["probabilities"]
        events.append({"record": "forecast", "id": d["id"], "who": d["analyst"], "recorded_at": d["recorded_at"],
                       "effective_at": d["made_at"], "value": value, "imported": d["imported"], "supersedes_id": None,
                       "detail": d["rationale"], "evidence": []})  # the same keys as a resolution record
    for r in resolutions:
        d = resolution_dict(r)
        events.append({"record": "resolution", "id": d["id"], "who": d["recorded_by"], "recorded_at": d["recorded_at"],
                       "effective_at": d["known_at"], "value": "annulled" if d["annulled"] else d["outcome"],
                       "imported": False, "supersedes_id": d["supersedes_id"],
                       "detail": d["reason"] or d["note"], "evidence": d["evidence"]})
    events.sort(key=lambda e: (e["recorded_at"], e["record"] == "resolution", e["effective_at"], e["id"]))
    return events
