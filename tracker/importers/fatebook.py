"""Fatebook's CSV export (one row per forecast).

The format is the one Fatebook's own export writes (its ``questionsToCsv``:
``Question title``, ``Multiple choice option``, ``Forecast created by``,
``Forecast (scale = 0-1)``, ``Forecast created at``, ``Question created
by``, ``Question created at``, ``Question resolve by``, ``Resolution``,
``Resolved at``, ``Your Brier score for this question``, ``Your relative
Brier score for this question``, ``Question notes``, ``Question shared
with``, ``Question shared publicly``, ``Question comments``, and in newer
exports ``Question tags``; older exports name the resolution columns
``Question resolution`` and ``Question resolved at``).

Quirks handled: times carry no zone and their fields are not zero-padded
(``2025-01-15 03:50:4``); a question has no id, so it is keyed by its title
and creation time; AMBIGUOUS means annulled; a multiple-choice question
writes one row per option and forecast, with the option's own YES/NO in
``Resolution`` (or the winning option's text): those rows become one
categorical question and one probability vector per forecast.

The export's ``Your Brier score for this question`` is Fatebook's
time-averaged two-outcome Brier score (0-2) of the exporting user; it is
recomputed from the imported forecasts with Fatebook's rule (see
:func:`fatebook_brier`) and the agreement is reported.
"""

from __future__ import annotations

import math
from datetime import tzinfo
from typing import Optional

from .common_csv import Table, decode
from .records import Batch, ForecastRec, QuestionRec, ResolutionRec, clean_text, from_ts, outcome_ids, parse_time, probability, question_id, short_hash, vector_ok

SOURCE = "fatebook"
COLUMNS = {
    "title": ("Question title",),
    "option": ("Multiple choice option",),
    "by": ("Forecast created by",),
    "p": ("Forecast (scale = 0-1)",),
    "made": ("Forecast created at",),
    "q_by": ("Question created by",),
    "q_created": ("Question created at",),
    "resolve_by": ("Question resolve by",),
    "resolution": ("Resolution", "Question resolution"),
    "resolved_at": ("Resolved at", "Question resolved at"),
    "brier": ("Your Brier score for this question",),
    "relative": ("Your relative Brier score for this question",),
    "notes": ("Question notes",),
    "comments": ("Question comments",),
    "tags": ("Question tags",),
}
REQUIRED = ("title", "by", "p", "made", "q_created", "resolve_by")
SIGNATURE = "forecast (scale = 0-1)"
BRIER_TOL = 1e-4  # the export's times are whole seconds; Fatebook's are milliseconds


def read(data: bytes, filename: str, *, zone: Optional[tzinfo] = None) -> Batch:
    text = decode(data, filename)
    table = Table(text, filename, COLUMNS, REQUIRED)
    batch = Batch(SOURCE, filename)
    ix = table.idx

    def get(record, key):
        i = ix[key]
        return record[i].strip() if i is not None else ""

    times: dict[str, str] = {}

    def when(raw: str, line: int, what: str) -> str:
        t = times.get(raw)
        if t is None:
            try:
                t = times[raw] = parse_time(raw, zone)
            except ValueError:
                raise batch.error(f"line {line}", f"{what} {raw!r} is not a time") from None
        return t

    questions: dict[tuple, dict] = {}
    for line, record in table.rows():
        batch.rows += 1
        title = get(record, "title")
        if not title:
            raise batch.error(f"line {line}", "Question title is empty")
        created = when(get(record, "q_created"), line, "Question created at")
        key = (title, created)
        q = questions.get(key)
        if q is None:
            resolve_by = get(record, "resolve_by")
            try:
                deadline = from_ts(parse_time(resolve_by, zone)).date()
            except ValueError:
                raise batch.error(f"line {line}", f"Question resolve by {resolve_by!r} is not a date") from None
            q = questions[key] = {
                "line": line, "title": title, "created": created, "deadline": deadline, "options": [],
                "rows": [], "resolutions": {}, "resolved_at": set(), "brier": set(),
                "notes": get(record, "notes"), "tags": get(record, "tags"), "by": get(record, "q_by"),
                "comments": get(record, "comments"),
            }
        option = get(record, "option")
        if option and option not in q["options"]:
            q["options"].append(option)
        raw_p = get(record, "p")
        try:
            p = probability(raw_p, "Forecast (scale = 0-1)")
        except ValueError:
            raise batch.error(f"line {line}", f"Forecast (scale = 0-1) {raw_p!r} is not a probability") from None
        who = get(record, "by")
        if not who:
            raise batch.error(f"line {line}", "Forecast created by is empty")
        made = when(get(record, "made"), line, "Forecast created at")
        q["rows"].append((line, who, made, option, p))
        res = get(record, "resolution").upper()
        if res:
            q["resolutions"][option] = (get(record, "resolution"), line)
            at = get(record, "resolved_at")
            if at:
                q["resolved_at"].add(when(at, line, "Resolved at"))
        brier = get(record, "brier")
        if brier:
            try:
                q["brier"].add(float(brier))
            except ValueError:
                raise batch.error(f"line {line}", f"Your Brier score {brier!r} is not a number") from None
    checks = {"questions_with_brier": 0, "brier_agrees": 0, "brier_disagrees": []}
    for q in questions.values():
        _question(batch, q, checks)
    batch.checks["fatebook_brier"] = checks
    return batch


def _question(batch: Batch, q: dict, checks: dict) -> None:
    where = f"line {q['line']}"
    qid = question_id(SOURCE, f"{q['title'][:60]}-{short_hash(q['title'], q['created'])}")
    options = q["options"]
    mc = bool(options)
    if mc and any(not r[3] for r in q["rows"]):
        raise batch.error(where, f"question {q['title']!r} mixes multiple-choice and binary rows")
    outcomes = outcome_ids(options) if mc else None
    if mc and len(options) < 2:
        batch.refuse("multiple-choice question with fewer than two options", len(q["rows"]))
        return
    # the resolution
    outcome, annulled = None, False
    if q["resolutions"]:
        values = {v.upper() for v, _ in q["resolutions"].values()}
        line = min(l for _, l in q["resolutions"].values())
        if "AMBIGUOUS" in values:
            annulled = True
        elif not mc:
            if values - {"YES", "NO"} or len(values) > 1:
                raise batch.error(f"line {line}", f"Resolution {sorted(values)[0]!r} is not YES, NO or AMBIGUOUS")
            outcome = values.pop().lower()
        else:
            winners = [o for o, (v, _) in q["resolutions"].items() if v.upper() == "YES"]
            named = [o for o in options if o.upper() in values]
            if values <= {"YES", "NO"} and len(winners) == 1:
                outcome = outcomes[options.index(winners[0])]
            elif len(named) == 1 and len(values) == 1:
                outcome = outcomes[options.index(named[0])]
            elif values <= {"YES", "NO"} and not winners:
                outcome = None  # no option resolved YES yet: treat as open
            else:
                raise batch.error(f"line {line}", f"Resolution of {q['title']!r} names no single option")
    resolved_at = max(q["resolved_at"]) if q["resolved_at"] else None
    deadline = q["deadline"]
    if (outcome is not None or annulled) and resolved_at is None:
        raise batch.error(where, f"question {q['title']!r} is resolved but has no Resolved at")
    if resolved_at is not None and (outcome is not None or annulled):
        deadline = max(deadline, from_ts(resolved_at).date())
    first = min(r[2] for r in q["rows"])
    extra = {"source": SOURCE, "created_by": q["by"], "resolve_by": q["deadline"].isoformat()}
    if mc:
        extra["options"] = dict(zip(outcomes, options))
    if q["notes"]:
        extra["notes"] = q["notes"]
    if q["comments"]:
        extra["comments"] = q["comments"]
    tags = tuple(sorted({t.strip()[:120] for t in q["tags"].replace(";", ",").split(",") if t.strip()}))
    batch.questions[qid] = QuestionRec(qid, clean_text(q["title"]), outcomes, deadline, min(first, q["created"]),
                                       tags=tags, extra=extra, where=where)
    if outcome is not None or annulled:
        batch.resolutions[qid] = ResolutionRec(qid, outcome, resolved_at, "AMBIGUOUS in Fatebook" if annulled else None, where)
    if not mc:
        for line, who, made, _, p in q["rows"]:
            batch.forecasts.append(ForecastRec(qid, who, p, None, made, None, f"line {line}"))
    else:
        groups: dict[tuple, dict] = {}
        for line, who, made, option, p in q["rows"]:
            g = groups.setdefault((who, made), {"lines": [], "p": {}})
            g["lines"].append(line)
            g["p"][option] = p
        for (who, made), g in groups.items():
            if len(g["p"]) != len(options) or len(g["lines"]) != len(options):
                batch.refuse("multiple-choice forecast that does not give every option once", len(g["lines"]))
                continue
            vec = tuple(g["p"][o] for o in options)
            if not vector_ok(list(vec)):
                batch.refuse("multiple-choice forecast whose probabilities do not sum to 1", len(g["lines"]))
                continue
            batch.forecasts.append(ForecastRec(qid, who, None, vec, made, None, f"line {min(g['lines'])}"))
    if q["brier"] and outcome is not None and not mc:
        checks["questions_with_brier"] += 1
        y = 1.0 if outcome == "yes" else 0.0
        by_user: dict[str, list] = {}
        for _, who, made, _, p in q["rows"]:
            by_user.setdefault(who, []).append((made, p))
        scores = {who: fatebook_brier(sorted(fs), q["created"], resolved_at, y) for who, fs in by_user.items()}
        target = next(iter(q["brier"])) if len(q["brier"]) == 1 else None
        if target is not None and any(s is not None and abs(s - target) <= BRIER_TOL for s in scores.values()):
            checks["brier_agrees"] += 1
        else:
            checks["brier_disagrees"].append({"question": qid, "export": sorted(q["brier"]),
                                              "recomputed": {w: s for w, s in sorted(scores.items())}})


def fatebook_brier(forecasts: list[tuple[str, float]], created: str, resolved: str, y: float) -> Optional[float]:
    """Fatebook's absolute Brier score of one user on a binary question.

    Fatebook cuts the time from the question's creation to its resolution
    into days (the last one fractional); in each day the user's forecast is
    the time-weighted mean of the forecast standing at the day's start and
    those made during it; the day's score is the two-outcome Brier score
    (p - y)^2 + ((1 - p) - (1 - y))^2 of that mean (0-2); days before the
    user's first forecast have no score. The result is the sum of the
    days' scores (the last weighted by its fraction) divided by the number
    of days (whole plus fraction; a question shorter than a day: the one
    day's score). Times are the canonical texts; ``forecasts`` in time order."""
    day = 86400.0
    t0 = from_ts(created).timestamp()
    t1 = from_ts(resolved).timestamp()
    fs = [(from_ts(m).timestamp(), p) for m, p in forecasts]
    n = len(fs)
    days = (t1 - t0) / day
    whole = math.floor(days)
    frac = days - whole
    scores = []
    j = t0
    end = t0 + math.ceil(days) * day
    upto = 0  # forecasts made at or before the interval's start: fs[:upto]
    while j < end:
        stop = j + day if j + day < t1 else t1
        start = j if j < t1 else t1
        length = stop - start
        while upto < n and fs[upto][0] <= start:
            upto += 1
        recent = fs[upto - 1][1] if upto else None
        first = upto
        while first > 0 and fs[first - 1][0] == start:  # made exactly at the start: inside too
            first -= 1
        last = upto
        while last < n and fs[last][0] < stop:
            last += 1
        inside = fs[first:last]
        if recent is not None and inside:
            weight = (inside[0][0] - start) / length
            total, avg = weight, weight * recent
        elif recent is not None:
            total, avg = None, recent
        elif not inside:
            total, avg = None, None
        else:
            total, avg = 0.0, 0.0
        if total is not None:
            for (t, p), (t_next, _) in zip(inside, inside[1:]):
                w = (t_next - t) / length
                total += w
                avg += w * p
            avg += (1 - total) * inside[-1][1]
        if avg is not None:
            scores.append((avg - y) ** 2 + ((1 - avg) - (1 - y)) ** 2)
        j += day
    if not scores:
        return None
    if whole == 0:
        return sum(scores)
    if abs(frac) > 1e-9:
        return (sum(scores[:-1]) + scores[-1] * frac) / (whole + frac)
    return sum(scores) / whole
