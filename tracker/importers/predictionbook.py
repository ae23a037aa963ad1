"""PredictionBook's JSON: the pages of its API's ``my_predictions`` (the
shape Fatebook's own PredictionBook importer reads).

``{"user": {...}, "predictions": [{"id", "description", "created_at",
"deadline", "outcome" (true, false or null), "withdrawn", "responses":
[{"user_label", "confidence" (0-100 or null), "comment", "created_at"}]}]}``;
a list of such pages is read as one file. Optional ``judged_at`` on a
prediction gives when its outcome became known; without it, the later of
its deadline and its last response.

A withdrawn prediction's responses and a response without a confidence (a
comment alone) are reported, not imported; a response's comment becomes
the forecast's rationale.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone, tzinfo
from typing import Any, Optional

from ..errors import FileFormatError
from .common_csv import decode
from .records import Batch, ForecastRec, QuestionRec, ResolutionRec, clean_text, from_ts, parse_time, question_id, ts

SOURCE = "predictionbook"


def looks_like(payload: Any) -> bool:
    pages = payload if isinstance(payload, list) else [payload]
    return bool(pages) and all(isinstance(p, dict) and isinstance(p.get("predictions"), list) and "format" not in p for p in pages)


def read(data: bytes, filename: str, *, zone: Optional[tzinfo] = None, payload: Any = None) -> Batch:
    batch = Batch(SOURCE, filename)
    if payload is None:
        try:
            payload = json.loads(decode(data, filename))
        except (ValueError, RecursionError) as exc:
            raise FileFormatError(f"{filename}: invalid JSON ({' '.join(str(exc).split())[:120]})") from None
    pages = payload if isinstance(payload, list) else [payload]
    if not looks_like(payload):
        raise FileFormatError(f"{filename}: not PredictionBook JSON (expected an object with a \"predictions\" list)")
    seen: set = set()
    for pi, page in enumerate(pages):
        for i, pred in enumerate(page["predictions"]):
            where = f"predictions[{i}]" if len(pages) == 1 else f"page {pi + 1}, predictions[{i}]"
            _prediction(batch, pred, where, zone, seen)
    return batch


def _time(batch, value, where, what, zone) -> str:
    if not isinstance(value, str) or not value.strip():
        raise batch.error(where, f"{what} is missing")
    try:
        return parse_time(value, zone)
    except ValueError:
        raise batch.error(where, f"{what} {value!r} is not a time") from None


def _prediction(batch: Batch, pred: Any, where: str, zone, seen: set) -> None:
    if not isinstance(pred, dict):
        raise batch.error(where, "expected an object")
    pid = pred.get("id")
    if isinstance(pid, bool) or not isinstance(pid, (int, str)) or not str(pid).strip():
        raise batch.error(where, "id is missing")
    responses = pred.get("responses") or []
    if not isinstance(responses, list):
        raise batch.error(where, "responses must be a list")
    batch.rows += len(responses)
    if str(pid) in seen:
        raise batch.error(where, f"prediction {pid} appears twice")
    seen.add(str(pid))
    created = _time(batch, pred.get("created_at"), where, "created_at", zone)
    deadline_ts = _time(batch, pred.get("deadline"), where, "deadline", zone)
    outcome = pred.get("outcome")
    if outcome not in (True, False, None):
        raise batch.error(where, f"outcome {outcome!r} is not true, false or null")
    if pred.get("withdrawn"):
        batch.refuse("withdrawn prediction", len(responses) or 1)
        return
    qid = question_id(SOURCE, str(pid))
    forecasts = []
    for j, r in enumerate(responses):
        rwhere = f"{where}.responses[{j}]"
        if not isinstance(r, dict):
            raise batch.error(rwhere, "expected an object")
        conf = r.get("confidence")
        if conf is None:
            batch.refuse("response without a confidence")
            continue
        if isinstance(conf, bool) or not isinstance(conf, (int, float)) or not 0 <= conf <= 100:
            raise batch.error(rwhere, f"confidence {conf!r} is not a number from 0 to 100")
        who = r.get("user_label") or r.get("user")
        if isinstance(who, dict):
            who = who.get("login") or who.get("name")
        if not isinstance(who, str) or not who.strip():
            raise batch.error(rwhere, "user_label is missing")
        made = _time(batch, r.get("created_at"), rwhere, "created_at", zone)
        comment = r.get("comment")
        rationale = clean_text(comment, 10_000) or None if isinstance(comment, str) else None
        forecasts.append(ForecastRec(qid, who.strip(), conf / 100.0, None, made, rationale, rwhere))
    deadline = from_ts(deadline_ts).date()
    opened = min([created] + [f.made for f in forecasts])
    text = clean_text(pred.get("description")) or f"PredictionBook prediction {pid}"
    if outcome is not None:
        judged = pred.get("judged_at")
        if judged:
            known = _time(batch, judged, where, "judged_at", zone)
        else:
            # judged early (before its deadline) or late: not said; the later of
            # the deadline and the last response, never after the import
            known = min(max([deadline_ts] + [f.made for f in forecasts]), ts(datetime.now(timezone.utc)))
        deadline = max(deadline, from_ts(known).date())
        batch.resolutions[qid] = ResolutionRec(qid, "yes" if outcome else "no", known, None, where)
    batch.questions[qid] = QuestionRec(qid, text, None, deadline, opened,
                                       extra={"source": SOURCE, "predictionbook_id": pid, "deadline_at": deadline_ts[:19]},
                                       where=where)
    batch.forecasts.extend(forecasts)
