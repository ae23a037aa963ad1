"""The Good Judgment Project's data release (IARPA ACE tournament).

``survey_fcasts.yrN.csv``: one row per answer option of a forecast,
``ifp_id``, ``user_id``, ``forecast_id`` (groups the option rows of one
forecast), ``answer_option`` (a letter), ``value`` (the probability; some
derived copies call it ``probability``), ``fcast_date``, ``timestamp``, ...
``ifps.csv`` (passed as the question file): ``ifp_id``, ``q_type`` (0 a
plain question, 1-5 conditional ones, 6 ordered outcomes), ``q_text``,
``q_status`` (closed or voided), ``date_start``, ``date_to_close``,
``date_closed``, ``outcome`` (the option letter), ``n_opts``, ``options``
(``(a) Yes, (b) No``); dates as M/D/YY. A forecast file that carries the
question columns itself (``options``, ``resolved_option``, ``date_start``,
``date_closed``, ``q_type``, ``n_opts``: the derived samples) needs no
question file.

A question whose options are exactly Yes and No becomes a binary question
(the probability of Yes); any other a categorical one, ordered for q_type 6.
A conditional question (q_types 1-5) is imported as a plain question whose
text carries its condition. A voided question is annulled. A forecast
whose option rows do not cover every option once, or do not sum to 1, is
reported. Times without a zone are read in the given zone (default UTC).
"""

from __future__ import annotations

import functools
import re
from datetime import date, tzinfo
from typing import Optional

from ..errors import FileFormatError
from .common_csv import Table, decode
from .records import Batch, ForecastRec, QuestionRec, ResolutionRec, clean_text, day_end, outcome_ids, parse_mdy, parse_time, probability, question_id, ts, vector_ok

SOURCE = "gjp"
F_COLUMNS = {
    "ifp": ("ifp_id",),
    "user": ("user_id",),
    "fid": ("forecast_id",),
    "option": ("answer_option",),
    "value": ("value", "probability"),
    "date": ("fcast_date",),
    "timestamp": ("timestamp",),
    # question columns some derived files carry
    "q_type": ("q_type",),
    "n_opts": ("n_opts",),
    "options": ("options",),
    "outcome": ("resolved_option", "outcome"),
    "start": ("date_start",),
    "closed": ("date_closed",),
    "title": ("short_title", "q_text"),
    "brier": ("brier_0_2_forecast",),
}
F_REQUIRED = ("ifp", "user", "fid", "option", "value")
Q_COLUMNS = {
    "ifp": ("ifp_id",),
    "q_type": ("q_type",),
    "text": ("q_text",),
    "status": ("q_status",),
    "start": ("date_start",),
    "to_close": ("date_to_close",),
    "closed": ("date_closed",),
    "outcome": ("outcome",),
    "n_opts": ("n_opts",),
    "options": ("options",),
    "title": ("short_title",),
}
Q_REQUIRED = ("ifp", "q_type", "text", "start", "closed", "outcome", "options")
_OPTION = re.compile(r"\(([a-z])\)\s*(.*?)\s*(?=,\s*\([a-z]\)|$)", re.S)


@functools.lru_cache(maxsize=4096)
def parse_options(text: str) -> tuple[str, list[tuple[str, str]]]:
    """``If X? :  (a) Yes, (b) No`` -> (``If X?``, [("a", "Yes"), ("b", "No")])."""
    s = text.strip()
    first = s.find("(a)")
    if first < 0:
        return s, []
    condition = s[:first].strip().rstrip(":").strip()
    return condition, [(m.group(1), m.group(2).strip()) for m in _OPTION.finditer(s[first:])]


def _date(batch: Batch, raw: str, where: str, what: str) -> Optional[date]:
    s = raw.strip()
    if not s or s.lower() == "nan":
        return None
    try:
        return parse_mdy(s)
    except ValueError:
        raise batch.error(where, f"{what} {s!r} is not a date (M/D/YY)") from None


def _question(batch: Batch, where: str, ifp: str, q_type: str, text: str, options: str, outcome: str,
              start: Optional[date], to_close: Optional[date], closed: Optional[date], voided: bool) -> dict:
    condition, opts = parse_options(options)
    if len(opts) < 2 or [o for o, _ in opts] != [chr(97 + i) for i in range(len(opts))]:
        raise batch.error(where, f"options {options[:60]!r} are not '(a) ..., (b) ...'")
    letters = [o for o, _ in opts]
    labels = [label for _, label in opts]
    binary = [label.lower() for label in labels] == ["yes", "no"]
    outcomes = None if binary else outcome_ids(labels)
    qt = q_type.strip().split(".")[0]
    if start is None:
        raise batch.error(where, f"question {ifp}: date_start is missing")
    deadline = max(d for d in (to_close, closed, start) if d is not None)
    text = clean_text(text) or ifp
    if condition:
        text = clean_text(f"{text} [{condition}]")
    extra = {"source": SOURCE, "ifp_id": ifp, "q_type": int(qt) if qt.isdigit() else qt, "options": dict(zip(letters, labels))}
    qid = question_id(SOURCE, ifp)
    rec = QuestionRec(qid, text, outcomes, deadline, ts_of(start), ordered=(qt == "6" and not binary), extra=extra, where=where)
    res = None
    o = outcome.strip().lower()
    if voided:
        res = ResolutionRec(qid, None, day_end(closed or deadline), "voided by the Good Judgment Project", where)
    elif o and o != "nan":
        if o not in letters:
            raise batch.error(where, f"outcome {outcome!r} is not one of the options {', '.join(letters)}")
        if closed is None:
            raise batch.error(where, f"question {ifp} has an outcome but no date_closed")
        value = ("yes" if o == "a" else "no") if binary else outcomes[letters.index(o)]
        res = ResolutionRec(qid, value, day_end(closed), None, where)
    return {"rec": rec, "res": res, "letters": letters, "binary": binary}


def ts_of(d: date) -> str:
    return f"{d.isoformat()} 00:00:00.000000"


def read_questions(data: bytes, filename: str) -> dict[str, dict]:
    batch = Batch(SOURCE, filename)
    table = Table(decode(data, filename), filename, Q_COLUMNS, Q_REQUIRED)
    out: dict[str, dict] = {}

    def get(record, key):
        i = table.idx[key]
        return record[i] if i is not None else ""

    for line, record in table.rows():
        where = f"line {line}"
        ifp = get(record, "ifp").strip()
        if not ifp:
            raise batch.error(where, "ifp_id is empty")
        voided = get(record, "status").strip().lower() == "voided"
        out[ifp] = _question(batch, where, ifp, get(record, "q_type"), get(record, "text"), get(record, "options"),
                             get(record, "outcome"), _date(batch, get(record, "start"), where, "date_start"),
                             _date(batch, get(record, "to_close"), where, "date_to_close"),
                             _date(batch, get(record, "closed"), where, "date_closed"), voided)
    return out


def read(data: bytes, filename: str, *, questions: Optional[dict] = None, zone: Optional[tzinfo] = None) -> Batch:
    batch = Batch(SOURCE, filename)
    table = Table(decode(data, filename), filename, F_COLUMNS, F_REQUIRED)
    ix = table.idx
    own = all(ix[k] is not None for k in ("options", "outcome", "start", "closed"))
    if questions is None and not own:
        raise FileFormatError(f"{filename}: this GJP forecast file carries no question columns: pass the question file (ifps.csv) with --questions")
    info: dict[str, dict] = dict(questions or {})

    def get(record, key):
        i = ix[key]
        return record[i] if i is not None else ""

    times: dict[str, str] = {}
    values: dict[str, float] = {}
    groups: dict[str, list] = {}  # forecast_id -> [ifp, user, made, first line, [(option, p), ...]]
    i_ifp, i_fid, i_opt, i_val, i_user = ix["ifp"], ix["fid"], ix["option"], ix["value"], ix["user"]
    i_time = ix["timestamp"] if ix["timestamp"] is not None else ix["date"]
    for line, record in table.rows():
        fid = record[i_fid]
        g = groups.get(fid)
        if g is None:
            ifp = record[i_ifp].strip()
            if ifp not in info:
                where = f"line {line}"
                if not own:
                    raise batch.error(where, f"ifp_id {ifp!r} is not in the question file")
                info[ifp] = _question(batch, where, ifp, get(record, "q_type") or "0", get(record, "title"), get(record, "options"),
                                      get(record, "outcome"), _date(batch, get(record, "start"), where, "date_start"), None,
                                      _date(batch, get(record, "closed"), where, "date_closed"), False)
            if not fid.strip():
                raise batch.error(f"line {line}", "forecast_id is empty")
            stamp = record[i_time].strip() if i_time is not None else ""
            made = times.get(stamp)
            if made is None:
                try:
                    made = times[stamp] = parse_time(stamp, zone) if "/" not in stamp else ts_of(parse_mdy(stamp))
                except ValueError:
                    raise batch.error(f"line {line}", f"timestamp {stamp!r} is not a time") from None
            user = record[i_user].strip()
            if user.endswith(".0"):
                user = user[:-2]
            g = groups[fid] = [ifp, f"gjp-{user}" if user else None, made, line, []]
        elif record[i_ifp].strip() != g[0]:
            raise batch.error(f"line {line}", f"forecast_id {fid} spans two questions ({g[0]}, {record[i_ifp].strip()})")
        raw = record[i_val]
        p = values.get(raw)
        if p is None:
            try:
                p = values[raw] = probability(raw, "value")
            except ValueError:
                raise batch.error(f"line {line}", f"value {raw!r} is not a probability") from None
        g[4].append((record[i_opt], p))
    batch.rows = sum(len(g[4]) for g in groups.values())
    used: set[str] = set()
    for g in groups.values():
        ifp, user, made, first_line, opts = g
        q = info[ifp]
        letters = q["letters"]
        if user is None:
            batch.refuse("forecast without a user_id (no forecaster to give it to)", len(opts))
            continue
        given = {o.strip().lower(): p for o, p in opts}
        if len(opts) != len(letters) or given.keys() != set(letters):
            batch.refuse("forecast whose option rows do not cover every option once", len(opts))
            continue
        vec = [given[o] for o in letters]
        if not vector_ok(vec):
            batch.refuse("forecast whose probabilities do not sum to 1", len(opts))
            continue
        rec = q["rec"]
        where = f"line {first_line}"
        if q["binary"]:
            batch.forecasts.append(ForecastRec(rec.id, user, vec[0], None, made, None, where))
        else:
            batch.forecasts.append(ForecastRec(rec.id, user, None, tuple(vec), made, None, where))
        used.add(ifp)
        if made < rec.opened:
            rec.opened = made
    for ifp in used:
        q = info[ifp]
        batch.questions[q["rec"].id] = q["rec"]
        if q["res"] is not None:
            batch.resolutions[q["rec"].id] = q["res"]
    return batch
