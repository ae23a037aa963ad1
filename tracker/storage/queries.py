"""Lookups the services share, each written once.

- :func:`question_row` (optionally locked), :func:`tags_of`;
- :func:`chunked`: ids in ``IN`` lists of at most :data:`CHUNK` (SQLite's
  and the drivers' parameter limits);
- the current resolution of a question: the one no later record supersedes,
  i.e. the question's resolution with the highest id (:func:`is_current`
  for a statement, :func:`current_resolution` and
  :func:`current_resolutions` for rows);
- :func:`unresolved_ids`: the questions without any resolution;
- :func:`latest_forecasts`: each analyst's latest forecast on each question;
  :func:`forecast_counts`: how many forecasts and analysts each has;
  :func:`history`: a question's forecasts or resolutions in order;
- :func:`scope_filter`: a statement over the question table restricted to a
  scope (deadlines in a period such as a quarter, scenario, tag, analyst).
"""

from __future__ import annotations

import functools
import json
from datetime import datetime, timezone
from typing import Iterable, Iterator, Optional, Sequence

from ..errors import NotFoundError
from .tables import T_FORECAST, T_QUESTION, T_RESOLUTION, T_TAG

CHUNK = 500
UTC = timezone.utc


def chunked(ids: Iterable, size: int = CHUNK) -> Iterator[list]:
    """``ids`` in lists of at most ``size``, for ``IN`` clauses."""
    ids = ids if isinstance(ids, Sequence) else list(ids)
    for start in range(0, len(ids), size):
        yield list(ids[start : start + size])


# ------------------------------------------------------------- questions


def question_row(conn, question_id: str, *, lock: bool = False):
    """The question's row; ``lock`` holds it (PostgreSQL row lock) until the
    transaction ends, so that concurrent resolutions of it serialize."""
    row = conn.execute(_question_by_id(lock), {"question_id": question_id}).mappings().first()
    if row is None:
        raise NotFoundError(f"no question with id {question_id!r}")
    return row


@functools.cache
def _question_by_id(lock: bool):
    """Built once: a file of thousands of entries looks a question up per
    entry, and building the statement cost more than running it."""
    from sqlalchemy import bindparam, select

    stmt = select(T_QUESTION).where(T_QUESTION.c.id == bindparam("question_id"))
    return stmt.with_for_update() if lock else stmt


def tags_of(conn, question_ids: Iterable[str]) -> dict[str, list[str]]:
    from sqlalchemy import select

    ids = list(question_ids)
    out: dict[str, list[str]] = {q: [] for q in ids}
    for chunk in chunked(ids):
        rows = conn.execute(
            select(T_TAG.c.question_id, T_TAG.c.tag).where(T_TAG.c.question_id.in_(chunk)).order_by(T_TAG.c.tag)
        )
        for qid, tag in rows:
            out[qid].append(tag)
    return out


# ------------------------------------------------------- current resolution


def is_current(r):
    """The condition that resolution row ``r`` (the table or an alias) is
    its question's current one: no later record supersedes it."""
    from sqlalchemy import and_, exists

    newer = _newer()
    return ~exists().where(and_(newer.c.question_id == r.c.question_id, newer.c.id > r.c.id))


@functools.cache
def _newer():
    """The alias of the resolution table that :func:`is_current` compares
    against, built once (an alias builds a proxy of every column)."""
    return T_RESOLUTION.alias("newer")


def current_resolution(conn, question_id: str, *, columns=None):
    """The question's current resolution row (a mapping), or None."""
    if columns is not None:
        return current_resolutions(conn, [question_id], columns=columns).get(question_id)
    return conn.execute(_current_of_one(), {"question_id": question_id}).mappings().first()


@functools.cache
def _current_of_one():
    from sqlalchemy import bindparam, select

    return select(T_RESOLUTION).where(T_RESOLUTION.c.question_id == bindparam("question_id"), is_current(T_RESOLUTION))


def current_resolutions(conn, question_ids: Iterable[str], *, columns=None) -> dict:
    """question id -> its current resolution row (a mapping), for those of
    ``question_ids`` that have one. ``columns``: the columns to read
    (``question_id`` is always among them); all by default."""
    from sqlalchemy import select

    R = T_RESOLUTION
    cols = list(R.c) if columns is None else [R.c.question_id, *(c for c in columns if c.name != "question_id")]
    out: dict = {}
    for chunk in chunked(question_ids):
        stmt = select(*cols).where(R.c.question_id.in_(chunk), is_current(R))
        for row in conn.execute(stmt).mappings():
            out[row["question_id"]] = row
    return out


def unresolved_ids():
    """A subquery of the ids of questions with no resolution, found from the
    two id indexes alone (a covering scan of the question ids against the
    resolution index)."""
    from sqlalchemy import select

    qi = T_QUESTION.alias("qi")
    return select(qi.c.id).where(qi.c.id.not_in(select(T_RESOLUTION.c.question_id)))


# --------------------------------------------------------- latest forecasts


def latest_forecasts(conn, question_ids: list[str], *, before: Optional[datetime] = None) -> dict[str, dict[str, dict]]:
    """question -> analyst -> the analyst's latest forecast on it (by the time
    it claims, then by id), as ``{"made_at", "probability", "probabilities",
    "id"}``; among those made before ``before`` when given. Read through the
    forecast index for these questions only; rows come raw from the driver,
    in an order that leaves each analyst's latest last, and only the kept
    rows are converted."""
    from sqlalchemy import select

    F = T_FORECAST
    out: dict[str, dict[str, dict]] = {q: {} for q in question_ids}
    for chunk in chunked(question_ids):
        stmt = (
            select(F.c.question_id, F.c.analyst, F.c.made_at, F.c.id, F.c.probability, F.c.probabilities)
            .where(F.c.question_id.in_(chunk))
            .order_by(F.c.question_id, F.c.analyst, F.c.made_at, F.c.id)
        )
        if before is not None:
            stmt = stmt.where(F.c.made_at < before)
        for qid, analyst, made_at, fid, p, vector in raw_rows(conn, stmt):
            out[qid][analyst] = (made_at, fid, p, vector)
    for latest in out.values():
        for analyst, (made_at, fid, p, vector) in latest.items():
            if isinstance(made_at, str):  # SQLite: naive UTC text
                made_at = datetime.fromisoformat(made_at)
            made_at = made_at.replace(tzinfo=UTC) if made_at.tzinfo is None else made_at.astimezone(UTC)
            if isinstance(vector, str):  # SQLite: JSON text
                vector = json.loads(vector)
            latest[analyst] = {"made_at": made_at, "probability": p, "probabilities": vector, "id": fid}
    return out


def raw_rows(conn, stmt) -> list:
    """All rows of ``stmt`` as the DBAPI returns them: no per-row type
    processing (bulk reads convert the columns that need it where used)."""
    result = conn.execute(stmt)
    try:
        return result.cursor.fetchall()
    finally:
        result.close()


def forecast_counts(conn, question_ids: list[str]) -> dict[str, tuple[int, int]]:
    """question -> (forecasts, distinct analysts), read from the forecast
    index for these questions only (those without any are left out)."""
    from sqlalchemy import func, select

    F = T_FORECAST
    out: dict[str, tuple[int, int]] = {}
    for chunk in chunked(question_ids):
        stmt = (
            select(F.c.question_id, func.count(), func.count(F.c.analyst.distinct()))
            .where(F.c.question_id.in_(chunk))
            .group_by(F.c.question_id)
        )
        for qid, n, n_analysts in conn.execute(stmt):
            out[qid] = (n, n_analysts)
    return out


def history(conn, table, question_id: str) -> list:
    """A question's forecasts (by the time they claim, then id) or
    resolutions (in the order recorded: the last is the current one), as
    row mappings."""
    from sqlalchemy import select

    order = (table.c.made_at, table.c.id) if table is T_FORECAST else (table.c.id,)
    return conn.execute(select(table).where(table.c.question_id == question_id).order_by(*order)).mappings().all()


def corrections_of(conn, question_id: str) -> list[str]:
    """The ids of the questions that correct ``question_id`` (each made with
    ``corrects``), in the order they were made."""
    from sqlalchemy import select

    stmt = (select(T_QUESTION.c.id).where(T_QUESTION.c.corrects_question_id == question_id)
            .order_by(T_QUESTION.c.created_at, T_QUESTION.c.id))
    return [r[0] for r in conn.execute(stmt)]


# ------------------------------------------------------------------ scope


def scope_filter(stmt, *, start=None, end=None, scenario: Optional[str] = None, tag: Optional[str] = None,
                 analyst: Optional[str] = None, question=None):
    """Restrict ``stmt`` (over the question table, or ``question``, an alias
    of it) to questions due between ``start`` and ``end`` (dates, both
    included), of a scenario, with a tag, forecast by an analyst."""
    from sqlalchemy import and_, exists

    Q = T_QUESTION if question is None else question
    if start is not None:
        stmt = stmt.where(Q.c.deadline >= start)
    if end is not None:
        stmt = stmt.where(Q.c.deadline <= end)
    if scenario:
        stmt = stmt.where(Q.c.scenario_id == scenario)
    if tag:
        stmt = stmt.where(exists().where(and_(T_TAG.c.question_id == Q.c.id, T_TAG.c.tag == tag)))
    if analyst:
        stmt = stmt.where(exists().where(and_(T_FORECAST.c.question_id == Q.c.id, T_FORECAST.c.analyst == analyst)))
    return stmt
