"""The analyst's week: what to forecast or update now (todo), finding a
question by words (search) or by a prefix of its id, clarifications of
resolution criteria, team settings (time zone, blind forecasting), and the
analysts' e-mail addresses for reminders.

Every read here touches the questions it answers about, and their
forecasts through the (question, analyst, made_at) index: never the whole
forecast table.
"""

from __future__ import annotations

import re
import statistics
from datetime import date, datetime, timedelta, timezone
from typing import Any, Optional

from ..errors import NotFoundError, ValidationError
from ..models import deadline_end, utcnow
from ..storage import Store
from ..storage.queries import chunked, current_resolutions, latest_forecasts, unresolved_ids
from .common import (
    T_ANALYST,
    T_CLARIFICATION,
    T_QUESTION,
    T_SETTING,
    aware,
    check_analyst_name,
    check_free_text,
    ensure_analysts,
    question_row,
)

UTC = timezone.utc
SETTINGS = {"timezone": "UTC", "blind": "off"}
ON_WORDS = {"on", "true", "yes", "1"}
OFF_WORDS = {"off", "false", "no", "0"}
EMAIL_RE = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+$")
GROUPS = (
    ("awaiting", "awaiting resolution (past the deadline)"),
    ("new", "not yet forecast by you"),
    ("due", "due within {within} days"),
    ("stale", "your forecast is older than {stale} days"),
)


# ------------------------------------------------------------------ settings


def read_settings(conn) -> dict:
    """The team's settings, defaults filled in: ``timezone`` (a zone name)
    and ``blind`` (bool)."""
    from sqlalchemy import select

    return settings_from({k: v for k, v in conn.execute(select(T_SETTING.c.key, T_SETTING.c.value))})


def settings_from(stored) -> dict:
    """The team's settings from the stored ones (key -> value), defaults
    filled in (see :func:`read_settings`)."""
    raw = dict(SETTINGS)
    raw.update(stored)
    return {"timezone": raw["timezone"], "blind": raw["blind"] in ON_WORDS}


def team_settings(store: Store) -> dict:
    with store.read() as conn:
        return read_settings(conn)


def team_zone(settings: dict):
    from ..config import zone

    return zone(settings["timezone"], "team time zone")


def zone_of(conn):
    """The team's zone as stored behind ``conn``: a deadline day ends at midnight there."""
    return team_zone(read_settings(conn))


def team_today(conn, now=None):
    """Today's date in the team's zone: a deadline on this date has not
    passed yet (its day ends at midnight there)."""
    return (now or utcnow()).astimezone(zone_of(conn)).date()


def store_today(store: Store, now=None):
    """:func:`team_today` read through its own short transaction."""
    with store.read() as conn:
        return team_today(conn, now)


def set_team_setting(store: Store, key: str, value: str) -> dict:
    """Set ``timezone`` (an IANA zone name) or ``blind`` (on/off)."""
    key = str(key).strip().lower()
    value = str(value).strip()
    if key == "timezone":
        from ..config import zone

        zone(value, "team time zone")
        if value.upper() in ("UTC", "Z", "GMT"):
            value = "UTC"
    elif key == "blind":
        word = value.lower()
        if word not in ON_WORDS | OFF_WORDS:
            raise ValidationError(f"blind must be on or off, not {value!r}")
        value = "on" if word in ON_WORDS else "off"
    else:
        raise ValidationError(f"unknown team setting {key!r} (timezone or blind)")

    def work(conn):
        from sqlalchemy import select

        if conn.execute(select(T_SETTING.c.key).where(T_SETTING.c.key == key)).first():
            conn.execute(T_SETTING.update().where(T_SETTING.c.key == key).values(value=value))
        else:
            conn.execute(T_SETTING.insert().values(key=key, value=value))
        return read_settings(conn)

    return store.run_write(work)


# ------------------------------------------------------------------ analysts


def set_analyst_email(store: Store, name: str, email: Optional[str], *, now: Optional[datetime] = None) -> dict:
    """Keep an analyst's e-mail address (for ``tracker remind --send``);
    the analyst is created if new. An empty address removes it."""
    name = check_analyst_name(name)
    email = (email or "").strip() or None
    if email is not None and (len(email) > 320 or not EMAIL_RE.match(email)):
        raise ValidationError(f"{email!r} is not an e-mail address")

    def work(conn):
        ensure_analysts(conn, [name], now or utcnow())
        conn.execute(T_ANALYST.update().where(T_ANALYST.c.name == name).values(email=email))
        return {"name": name, "email": email}

    return store.run_write(work)


def analysts(store: Store) -> list[dict]:
    from sqlalchemy import select

    with store.read() as conn:
        rows = conn.execute(select(T_ANALYST.c.name, T_ANALYST.c.team, T_ANALYST.c.email).order_by(T_ANALYST.c.name))
        return [{"name": n, "team": t, "email": e} for n, t, e in rows]


# ---------------------------------------------------------------- question ids


def find_question_id(conn, text: str) -> str:
    """The question ``text`` names: its id, or a unique prefix of one. On a
    miss the error suggests the closest ids (by spelling and by words)."""
    from sqlalchemy import select

    s = str(text).strip()
    if not s:
        raise ValidationError("question id is empty")
    if conn.execute(select(T_QUESTION.c.id).where(T_QUESTION.c.id == s)).first():
        return s
    # a prefix: a range on the primary key index (ids are lowercase ASCII)
    low = s.lower()
    rows = [r[0] for r in conn.execute(
        select(T_QUESTION.c.id).where(T_QUESTION.c.id > low, T_QUESTION.c.id < low + "\U0010ffff")
        .order_by(T_QUESTION.c.id).limit(6)
    ) if r[0].startswith(low)]
    if len(rows) == 1:
        return rows[0]
    if len(rows) > 1:
        more = ", ..." if len(rows) > 5 else ""
        raise ValidationError(f"question id {s!r} is ambiguous: it begins {', '.join(rows[:5])}{more}")
    close = suggest_ids(conn, s)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise NotFoundError(f"no question with id {s!r}{hint}")


def suggest_ids(conn, text: str, n: int = 3) -> list[str]:
    """The ids closest to ``text``: by spelling, then by the words in it."""
    import difflib

    from sqlalchemy import select

    from ..storage.search import search_ids

    ids = [r[0] for r in conn.execute(select(T_QUESTION.c.id))]  # on a miss only: the id index
    out = difflib.get_close_matches(text.lower(), ids, n=n, cutoff=0.6)
    if len(out) < n:
        for qid, _ in search_ids(conn, text, limit=n, any_word=True):
            if qid not in out:
                out.append(qid)
    return out[:n]


def resolve_question_id(store: Store, text: str) -> str:
    with store.read() as conn:
        return find_question_id(conn, text)


# ------------------------------------------------------------ clarifications


def add_clarification(store: Store, question_id: str, text: str, *, analyst: str,
                      source: str = "cli", now: Optional[datetime] = None) -> dict:
    """A dated, attributed clarification of a question's resolution criteria
    (append-only)."""
    analyst = check_analyst_name(analyst)
    text = (check_free_text(text, "clarification") or "").strip()
    if not text:
        raise ValidationError("clarification is empty")

    def work(conn):
        when = now or utcnow()
        qid = find_question_id(conn, question_id)
        question_row(conn, qid)
        ensure_analysts(conn, [analyst], when)
        row = dict(question_id=qid, text=text, made_at=when, recorded_by=analyst, source=source)
        row["id"] = conn.execute(T_CLARIFICATION.insert().values(**row)).inserted_primary_key[0]
        return row

    return store.run_write(work)


def clarifications_of(conn, question_ids: list[str]) -> dict[str, list[dict]]:
    from sqlalchemy import select

    out: dict[str, list[dict]] = {q: [] for q in question_ids}
    for chunk in chunked(question_ids):
        rows = conn.execute(
            select(T_CLARIFICATION).where(T_CLARIFICATION.c.question_id.in_(chunk))
            .order_by(T_CLARIFICATION.c.made_at, T_CLARIFICATION.c.id)
        ).mappings()
        for r in rows:
            out[r["question_id"]].append({
                "id": r["id"], "text": r["text"], "made_at": aware(r["made_at"]), "recorded_by": r["recorded_by"],
            })
    return out


# --------------------------------------------------------- current numbers


def current_forecasts(conn, question_ids: list[str]) -> dict[str, dict[str, dict]]:
    """Each analyst's latest forecast on each question (by the time it
    claims): :func:`tracker.storage.queries.latest_forecasts`."""
    import json

    return latest_forecasts(conn, question_ids)


def team_median(latest: dict[str, dict], outcomes: list[str]) -> Any:
    """The median of the analysts' current forecasts: a number for a binary
    question, a per-outcome median for a categorical one; None without any."""
    if not latest:
        return None
    binary = [f["probability"] for f in latest.values() if f["probability"] is not None]
    if binary:
        return statistics.median(binary)
    vectors = [f["probabilities"] for f in latest.values() if f["probabilities"]]
    if not vectors:
        return None
    return {o: statistics.median(v.get(o, 0.0) for v in vectors) for o in outcomes}


def numbers_for(conn, rows: list[dict], me: Optional[str], *, blind: bool, resolved: set[str] = frozenset()) -> None:
    """Add ``mine``, ``mine_at``, ``median``, ``n_analysts`` and ``hidden``
    to question rows (dicts with ``id``, ``outcomes``). With blind
    forecasting on, an open question's team numbers stay hidden from an
    analyst who has not forecast it."""
    ids = [r["id"] for r in rows]
    current = current_forecasts(conn, ids)
    for r in rows:
        latest = current[r["id"]]
        my = latest.get(me) if me else None
        hidden = bool(blind and my is None and r["id"] not in resolved and r.get("status", "open") in ("open", "overdue"))
        r["mine"] = None if my is None else (my["probability"] if my["probability"] is not None else my["probabilities"])
        r["mine_at"] = None if my is None else my["made_at"]
        r["median"] = None if hidden else team_median(latest, list(r["outcomes"]))
        r["n_analysts"] = len(latest)
        r["hidden"] = hidden


# ---------------------------------------------------------------------- todo


def _open_questions(conn, *, ids: Optional[list[str]] = None) -> list[dict]:
    """The unresolved questions, found from the two id indexes alone (a
    covering scan of the question ids against the resolution index), then
    read: only their rows are."""
    from sqlalchemy import select

    Q = T_QUESTION
    unresolved = Q.c.id.in_(unresolved_ids())
    stmt = select(Q.c.id, Q.c.text, Q.c.kind, Q.c.outcomes, Q.c.deadline, Q.c.opened_at, Q.c.criteria).where(unresolved)
    if ids is not None:
        stmt = stmt.where(Q.c.id.in_(ids))
    return [dict(r) for r in conn.execute(stmt.order_by(Q.c.deadline, Q.c.id)).mappings()]


def todo(store: Store, *, analyst: str, within_days: int = 14, stale_days: int = 30,
         now: Optional[datetime] = None) -> dict:
    """One analyst's open questions, grouped: ``awaiting`` (past the
    deadline, not resolved), ``new`` (not yet forecast by them), ``due``
    (deadline within ``within_days``), ``stale`` (their latest forecast is
    older than ``stale_days``). Each question is in the first group that
    fits; questions with nothing to do are left out."""
    analyst = check_analyst_name(analyst)
    now = now or utcnow()
    with store.read() as conn:
        settings = read_settings(conn)
        tz = team_zone(settings)
        rows = _open_questions(conn)
        for r in rows:
            r["status"] = "overdue" if deadline_end(r["deadline"], tz) <= now else "open"
        numbers_for(conn, rows, analyst, blind=settings["blind"])
        clar = clarifications_of(conn, [r["id"] for r in rows])
    return _group(rows, clar, analyst=analyst, within_days=within_days, stale_days=stale_days, now=now,
                  tz=tz, settings=settings)


def _group(rows, clar, *, analyst, within_days, stale_days, now, tz, settings) -> dict:
    groups: dict[str, list[dict]] = {key: [] for key, _ in GROUPS}
    try:
        horizon = now + timedelta(days=within_days)
    except OverflowError:
        horizon = datetime.max.replace(tzinfo=UTC)
    stale_before = now - timedelta(days=stale_days)
    for r in rows:
        end = deadline_end(r["deadline"], tz)
        notes = clar[r["id"]]
        last = notes[-1]["made_at"] if notes else None
        item = {
            "id": r["id"], "text": r["text"], "kind": r["kind"], "outcomes": list(r["outcomes"]),
            "deadline": r["deadline"], "deadline_ends_at": end, "criteria": r["criteria"],
            "mine": r["mine"], "mine_at": r["mine_at"], "median": r["median"], "hidden": r["hidden"],
            "n_analysts": r["n_analysts"], "clarifications": len(notes), "last_clarification_at": last,
            "clarified_since_mine": bool(last is not None and r["mine_at"] is not None and last > r["mine_at"]),
        }
        if end <= now:
            key = "awaiting"
        elif r["mine_at"] is None:
            key = "new"
        elif end <= horizon:
            key = "due"
        elif r["mine_at"] < stale_before or item["clarified_since_mine"]:
            key = "stale"
        else:
            continue
        item["group"] = key
        groups[key].append(item)
    return {
        "analyst": analyst, "as_of": now, "within_days": within_days, "stale_days": stale_days,
        "team_timezone": settings["timezone"], "blind": settings["blind"],
        "groups": [{"key": key, "title": title.format(within=within_days, stale=stale_days), "questions": groups[key]}
                   for key, title in GROUPS],
    }


def digests(store: Store, names: list[str], **kwargs) -> list[dict]:
    """``todo`` for each analyst, with their e-mail address."""
    from sqlalchemy import select

    with store.read() as conn:
        emails = dict(conn.execute(select(T_ANALYST.c.name, T_ANALYST.c.email)).all())
    out = []
    for name in names:
        d = todo(store, analyst=name, **kwargs)
        d["email"] = emails.get(name)
        out.append(d)
    return out


def all_analysts(store: Store) -> list[str]:
    from sqlalchemy import select

    with store.read() as conn:
        return [r[0] for r in conn.execute(select(T_ANALYST.c.name).order_by(T_ANALYST.c.name))]


# -------------------------------------------------------------------- search


def search(store: Store, words: str, *, me: Optional[str] = None, limit: int = 50,
           today: Optional[date] = None) -> list[dict]:
    """Questions matching ``words`` (in the id, text, criteria or tags),
    best match first, with my latest number and the team median."""
    from sqlalchemy import select

    from ..storage.search import search_ids
    from .common import status_of

    if not str(words).strip():
        raise ValidationError("nothing to search for")
    today = today or store_today(store)
    with store.read() as conn:
        settings = read_settings(conn)
        hits = search_ids(conn, words, limit=limit)
        if not hits:
            return []
        rank = {qid: score for qid, score in hits}
        Q = T_QUESTION
        rows = [dict(r) for r in conn.execute(
            select(Q.c.id, Q.c.text, Q.c.kind, Q.c.outcomes, Q.c.deadline, Q.c.criteria).where(Q.c.id.in_(list(rank)))
        ).mappings()]
        resolved = set()
        current = current_resolutions(conn, [r["id"] for r in rows])
        for r in rows:
            res = current.get(r["id"])
            r["status"] = status_of(r, res, today)
            r["outcome"] = res["outcome"] if res is not None else None
            if res is not None:
                resolved.add(r["id"])
        numbers_for(conn, rows, me, blind=settings["blind"], resolved=resolved)
    rows.sort(key=lambda r: (-rank[r["id"]], r["id"]))
    for r in rows:
        r["outcomes"] = list(r["outcomes"])
        r["rank"] = round(rank[r["id"]], 6)
    return rows
