"""Metaculus's data export: a zip holding ``question_data.csv`` and
``forecast_data.csv`` (and a README), or the two CSVs.

Columns as the export's own README describes them. ``question_data.csv``:
``Question ID``, ``Question Title``, ``Question Type`` (binary,
multiple_choice, numeric, discrete, date), ``MC Options (All)`` (a list,
``['A', 'B']``), ``Open Time``, ``Scheduled Close Time``, ``Actual Close
Time``, ``Resolution`` (yes, no, an option, annulled, ambiguous, or empty),
``Resolution Known Time``, ... ``forecast_data.csv``: ``Question ID``,
``Forecaster ID``, ``Forecaster Username`` (for an aggregate, the method),
``Start Time``, ``End Time``, ``Probability Yes``, ``Probability Yes Per
Category`` (a list in the order of ``MC Options (All)``; ``None`` for an
option not open at the time), ...

Binary and multiple-choice questions are imported; numeric, discrete and
date questions cannot be held by the model and are reported. Rows without a
forecaster are aggregates (community prediction, ...): with
``aggregates=True`` each method becomes a pseudo-analyst
``metaculus-<method>``, otherwise they are reported. A forecast's End Time
(when it was withdrawn or expired) is not kept.
"""

from __future__ import annotations

import ast
import io
import zipfile
from datetime import tzinfo
from typing import Optional

from ..errors import FileFormatError
from .common_csv import Table, decode
from .records import Batch, ForecastRec, QuestionRec, ResolutionRec, clean_text, from_ts, outcome_ids, parse_time, probability, question_id, vector_ok

SOURCE = "metaculus"
Q_COLUMNS = {
    "id": ("Question ID",),
    "title": ("Question Title",),
    "type": ("Question Type",),
    "options": ("MC Options (All)", "MC Options"),
    "url": ("Question URL",),
    "open": ("Open Time",),
    "close": ("Scheduled Close Time",),
    "actual": ("Actual Close Time",),
    "resolution": ("Resolution",),
    "known": ("Resolution Known Time",),
    "categories": ("Categories",),
}
Q_REQUIRED = ("id", "title", "type", "open", "close", "resolution")
F_COLUMNS = {
    "qid": ("Question ID",),
    "fid": ("Forecaster ID",),
    "user": ("Forecaster Username",),
    "start": ("Start Time",),
    "p": ("Probability Yes",),
    "vector": ("Probability Yes Per Category",),
}
F_REQUIRED = ("qid", "fid", "user", "start", "p", "vector")
QUESTION_FILE = "question_data.csv"
FORECAST_FILE = "forecast_data.csv"
NOT_REPRESENTABLE = ("numeric", "discrete", "date")
ANNULLED = ("annulled", "ambiguous")


def unzip(data: bytes, filename: str) -> tuple[bytes, bytes]:
    """The two CSVs of an export zip (found by name, in any folder)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = {n.rsplit("/", 1)[-1].lower(): n for n in zf.namelist()}
            missing = [n for n in (QUESTION_FILE, FORECAST_FILE) if n not in names]
            if missing:
                raise FileFormatError(f"{filename}: no {missing[0]} in the zip (not a Metaculus data export?)")
            return zf.read(names[QUESTION_FILE]), zf.read(names[FORECAST_FILE])
    except zipfile.BadZipFile:
        raise FileFormatError(f"{filename}: not a readable zip file") from None


def _list(raw: str, where: str, batch: Batch, what: str) -> list:
    s = raw.strip()
    if not s:
        return []
    try:
        value = ast.literal_eval(s)
    except (ValueError, SyntaxError):
        raise batch.error(where, f"{what} {s[:60]!r} is not a list") from None
    if not isinstance(value, (list, tuple)):
        raise batch.error(where, f"{what} {s[:60]!r} is not a list")
    return list(value)


def read(questions: bytes, forecasts: bytes, filename: str, *, questions_name: str = QUESTION_FILE,
         aggregates: bool = False, zone: Optional[tzinfo] = None) -> Batch:
    batch = Batch(SOURCE, filename)
    qbatch = Batch(SOURCE, questions_name)  # errors in the question file name it
    qt = Table(decode(questions, questions_name), questions_name, Q_COLUMNS, Q_REQUIRED)

    def get(table, record, key):
        i = table.idx[key]
        return record[i].strip() if i is not None else ""

    def when(raw, where, what, b):
        try:
            return parse_time(raw, zone)
        except ValueError:
            raise b.error(where, f"{what} {raw!r} is not a time") from None

    info: dict[str, dict] = {}
    for line, record in qt.rows():
        where = f"line {line}"
        mid = get(qt, record, "id")
        if not mid:
            raise qbatch.error(where, "Question ID is empty")
        if mid in info:
            raise qbatch.error(where, f"Question ID {mid} appears twice")
        kind = get(qt, record, "type").lower().replace(" ", "_")
        if kind in NOT_REPRESENTABLE:
            info[mid] = {"skip": f"{kind} question (not representable)"}
            continue
        if kind not in ("binary", "multiple_choice"):
            raise qbatch.error(where, f"Question Type {kind!r} is not binary, multiple_choice, numeric, discrete or date")
        labels = [str(o) for o in _list(get(qt, record, "options"), where, qbatch, "MC Options")] if kind == "multiple_choice" else None
        if labels is not None and len(labels) < 2:
            raise qbatch.error(where, "a multiple-choice question needs at least two MC Options")
        outcomes = outcome_ids(labels) if labels is not None else None
        opened = when(get(qt, record, "open"), where, "Open Time", qbatch)
        close = when(get(qt, record, "close"), where, "Scheduled Close Time", qbatch)
        actual = get(qt, record, "actual")
        known_raw = get(qt, record, "known") or actual
        res = get(qt, record, "resolution")
        outcome, annulled = None, False
        if res:
            low = res.lower()
            if low in ANNULLED:
                annulled = True
            elif outcomes is None:
                if low not in ("yes", "no"):
                    raise qbatch.error(where, f"Resolution {res!r} of a binary question is not yes, no, annulled or ambiguous")
                outcome = low
            else:
                if res not in labels:
                    raise qbatch.error(where, f"Resolution {res!r} is not one of the MC Options")
                outcome = outcomes[labels.index(res)]
        known = None
        if outcome is not None or annulled:
            if not known_raw:
                raise qbatch.error(where, "a resolved question needs its Resolution Known Time")
            known = when(known_raw, where, "Resolution Known Time", qbatch)
        deadline = from_ts(close).date()
        if known is not None:
            deadline = max(deadline, from_ts(known).date())
        qid = question_id(SOURCE, mid)
        extra = {"source": SOURCE, "metaculus_id": mid, "url": get(qt, record, "url")}
        if labels is not None:
            extra["options"] = dict(zip(outcomes, labels))
        tags = ()
        if qt.idx["categories"] is not None:
            try:
                tags = tuple(sorted({str(c)[:120] for c in _list(get(qt, record, "categories"), where, qbatch, "Categories") if str(c).strip()}))
            except FileFormatError:
                tags = ()
        info[mid] = {"qid": qid, "outcomes": outcomes, "rec": QuestionRec(qid, clean_text(get(qt, record, "title")) or qid, outcomes, deadline,
                                                                        opened, tags=tags, extra=extra, where=f"{questions_name}: {where}"),
                     "res": (outcome, annulled, known, where)}
    ft = Table(decode(forecasts, filename), filename, F_COLUMNS, F_REQUIRED)
    for line, record in ft.rows():
        batch.rows += 1
        where = f"line {line}"
        mid = get(ft, record, "qid")
        q = info.get(mid)
        if q is None:
            raise batch.error(where, f"Question ID {mid!r} is not in {questions_name}")
        if "skip" in q:
            batch.refuse(q["skip"])
            continue
        fid = get(ft, record, "fid")
        user = get(ft, record, "user")
        if not fid:
            if not aggregates:
                batch.refuse("aggregate forecast (pass --aggregates to import it)")
                continue
            user = f"metaculus-{user or 'aggregate'}"
        elif not user:
            user = f"metaculus-user-{fid}"
        made = when(get(ft, record, "start"), where, "Start Time", batch)
        if q["outcomes"] is None:
            raw = get(ft, record, "p")
            try:
                p = probability(raw, "Probability Yes")
            except ValueError:
                raise batch.error(where, f"Probability Yes {raw!r} is not a probability") from None
            rec = ForecastRec(q["qid"], user, p, None, made, None, where)
        else:
            values = _list(get(ft, record, "vector"), where, batch, "Probability Yes Per Category")
            if len(values) != len(q["outcomes"]):
                raise batch.error(where, f"Probability Yes Per Category has {len(values)} values for {len(q['outcomes'])} options")
            if any(v is None for v in values):
                batch.refuse("multiple-choice forecast made before every option existed")
                continue
            try:
                vec = tuple(probability(v, "Probability Yes Per Category") for v in values)
            except (TypeError, ValueError):
                raise batch.error(where, f"Probability Yes Per Category {values!r} holds a value outside [0, 1]") from None
            if not vector_ok(list(vec)):
                batch.refuse("multiple-choice forecast whose probabilities do not sum to 1")
                continue
            rec = ForecastRec(q["qid"], user, None, vec, made, None, where)
        batch.forecasts.append(rec)
    for mid, q in info.items():
        if "skip" in q:
            continue
        rec = q["rec"]
        batch.questions[rec.id] = rec
        outcome, annulled, known, where = q["res"]
        if outcome is not None or annulled:
            batch.resolutions[rec.id] = ResolutionRec(rec.id, outcome, known, "annulled or ambiguous on Metaculus" if annulled else None,
                                                      f"{questions_name}: {where}")
    earliest: dict[str, str] = {}
    for f in batch.forecasts:
        if f.made < earliest.get(f.question, "~"):
            earliest[f.question] = f.made
    for qid, t in earliest.items():
        rec = batch.questions[qid]
        if t < rec.opened:
            rec.opened = t
    return batch
