"""What logging one forecast needs to read, in one query.

A forecast is checked against its question, the question's current
resolution (the one with the highest id: no later record supersedes it) and
the team's settings (the time zone whose midnight ends the deadline day),
and its analyst must have a row. The command line reads these one by one;
the team server logs forecasts by the thousand, so :func:`forecast_context`
reads them together, in the forecast's own transaction, with one statement
built once per process. The rules themselves stay in :mod:`tracker.rules`.
"""

from __future__ import annotations

import functools
from typing import Any, Mapping, Optional

from ..errors import NotFoundError
from ..models import Analyst, Forecast, Question, Resolution, TeamSetting

# the team settings the forecast rules read (see tracker.services.week.SETTINGS)
SETTING_KEYS = ("timezone", "blind")
# what the forecast rules read of the question and of its current resolution, and no more
# (each column of a result costs the driver and SQLAlchemy some work, per request)
QUESTION_COLUMNS = ("id", "kind", "outcomes", "deadline", "opened_at")
RESOLUTION_COLUMNS = ("id", "outcome", "annulled", "known_at")


@functools.lru_cache(maxsize=None)
def _statement():
    from sqlalchemy import bindparam, exists, select

    q = Question.__table__
    r = Resolution.__table__.alias("r")
    s = TeamSetting.__table__
    a = Analyst.__table__

    def setting(key: str):
        return select(s.c.value).where(s.c.key == key).scalar_subquery().label(f"s_{key}")

    known = exists().where(a.c.name == bindparam("analyst")).label("analyst_known")
    return (
        select(*(q.c[name] for name in QUESTION_COLUMNS), *(r.c[name].label(f"r_{name}") for name in RESOLUTION_COLUMNS),
               *(setting(k) for k in SETTING_KEYS), known)
        .select_from(q.outerjoin(r, r.c.question_id == q.c.id))
        .where(q.c.id == bindparam("question_id"))
        .order_by(r.c.id.desc())
        .limit(1)
    )


@functools.lru_cache(maxsize=None)
def insert_forecast():
    """The forecast insert, built once (values are passed as parameters)."""
    return Forecast.__table__.insert()


def forecast_context(conn, question_id: str, analyst: str) -> tuple[Mapping, Optional[dict], dict[str, str], bool]:
    """(the question's row and its current resolution's row or None, in the
    columns the forecast rules read (``QUESTION_COLUMNS``, ``RESOLUTION_COLUMNS``), the team
    settings stored (key -> value, only those set), whether ``analyst`` has
    a row), or NotFoundError when there is no such question."""
    row = conn.execute(_statement(), {"question_id": question_id, "analyst": analyst}).mappings().first()
    if row is None:
        raise NotFoundError(f"no question with id {question_id!r}")
    question: dict[str, Any] = {name: row[name] for name in QUESTION_COLUMNS}
    resolution = None
    if row["r_id"] is not None:
        resolution = {name: row[f"r_{name}"] for name in RESOLUTION_COLUMNS}
    settings = {k: row[f"s_{k}"] for k in SETTING_KEYS if row[f"s_{k}"] is not None}
    return question, resolution, settings, bool(row["analyst_known"])
