"""SQLModel tables and pydantic input schemas.

Timestamps are timezone-aware UTC in Python. A deadline is a calendar date and
means "by the end of that day" (UTC). Forecasts and resolutions are
append-only: an update is a new row and nothing is overwritten.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Optional

from pydantic import field_validator, model_validator
from pydantic import BaseModel
from sqlalchemy import JSON, Column, DateTime, ForeignKey, Index, String, types
from sqlmodel import Field, SQLModel

from .rules import (  # the value checks live in tracker.rules (standard library); kept importable here
    BINARY_OUTCOMES,
    PROB_TOL,
    SLUG_RE,
    check_outcomes,
    check_probability,
    check_slug,
    check_text,
    deadline_end,
    normalize_vector,
)

UTC = timezone.utc


class UTCDateTime(types.TypeDecorator):
    """A timezone-aware UTC datetime on every backend.

    SQLite keeps no zone: values are stored as naive UTC and come back aware.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


# --------------------------------------------------------------------- tables


class Scenario(SQLModel, table=True):
    __tablename__ = "scenario"

    id: str = Field(primary_key=True, max_length=120)
    title: str
    source_title: Optional[str] = None
    source_date: Optional[date] = None
    source_origin: Optional[str] = None
    description: Optional[str] = None
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class Analyst(SQLModel, table=True):
    __tablename__ = "analyst"

    name: str = Field(primary_key=True, max_length=120)
    team: Optional[str] = None
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    email: Optional[str] = Field(default=None, max_length=320)


class Question(SQLModel, table=True):
    __tablename__ = "question"
    __table_args__ = (Index("ix_question_deadline", "deadline"),)

    id: str = Field(primary_key=True, max_length=120)
    text: str
    kind: str = Field(max_length=16)  # "binary" or "categorical"
    outcomes: list = Field(sa_column=Column(JSON, nullable=False))
    ordered: bool = False
    deadline: date
    opened_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    scenario_id: Optional[str] = Field(
        default=None,
        sa_column=Column(String(120), ForeignKey("scenario.id"), nullable=True, index=True),
    )
    source_sentence: Optional[str] = None
    phrase: Optional[str] = None
    source_document: Optional[str] = None
    condition_question_id: Optional[str] = Field(
        default=None, sa_column=Column(String(120), ForeignKey("question.id"), nullable=True, index=True)
    )
    condition_outcome: Optional[str] = None
    implies_question_id: Optional[str] = Field(
        default=None, sa_column=Column(String(120), ForeignKey("question.id"), nullable=True)
    )
    extra: Optional[dict] = Field(default=None, sa_column=Column(JSON, nullable=True))
    criteria: Optional[str] = None  # the resolution criteria: the fine print a reviewer resolves by
    # the resolved (or forecast) question whose definition this one corrects: set when made, never changed
    corrects_question_id: Optional[str] = Field(
        default=None, sa_column=Column(String(120), ForeignKey("question.id"), nullable=True, index=True)
    )


class QuestionTag(SQLModel, table=True):
    __tablename__ = "question_tag"
    __table_args__ = (Index("ix_question_tag_tag", "tag"),)

    question_id: str = Field(
        sa_column=Column(String(120), ForeignKey("question.id"), primary_key=True)
    )
    tag: str = Field(primary_key=True, max_length=120)


class Forecast(SQLModel, table=True):
    __tablename__ = "forecast"
    __table_args__ = (
        Index("ix_forecast_question_analyst_made", "question_id", "analyst", "made_at"),
        Index("ix_forecast_analyst", "analyst"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    question_id: str = Field(sa_column=Column(String(120), ForeignKey("question.id"), nullable=False))
    analyst: str = Field(sa_column=Column(String(120), ForeignKey("analyst.name"), nullable=False))
    probability: Optional[float] = None
    probabilities: Optional[dict] = Field(default=None, sa_column=Column(JSON, nullable=True))
    made_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    recorded_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    imported: bool = False
    rationale: Optional[str] = None
    source: Optional[str] = Field(default=None, max_length=200)


class Resolution(SQLModel, table=True):
    __tablename__ = "resolution"

    id: Optional[int] = Field(default=None, primary_key=True)
    question_id: str = Field(
        sa_column=Column(String(120), ForeignKey("question.id"), nullable=False, index=True)
    )
    outcome: Optional[str] = None
    annulled: bool = False
    reason: Optional[str] = None
    known_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    recorded_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    recorded_by: str
    evidence: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    note: Optional[str] = None
    supersedes_id: Optional[int] = Field(
        default=None, sa_column=Column(ForeignKey("resolution.id"), nullable=True, unique=True)
    )
    source: Optional[str] = Field(default=None, max_length=200)


class Clarification(SQLModel, table=True):
    """A dated, attributed note on a question's resolution criteria.
    Append-only, like forecasts (the database refuses UPDATE and DELETE)."""

    __tablename__ = "clarification"

    id: Optional[int] = Field(default=None, primary_key=True)
    question_id: str = Field(
        sa_column=Column(String(120), ForeignKey("question.id"), nullable=False, index=True)
    )
    text: str
    made_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    recorded_by: str = Field(sa_column=Column(String(120), ForeignKey("analyst.name"), nullable=False))
    source: Optional[str] = Field(default=None, max_length=200)


class TeamSetting(SQLModel, table=True):
    """One team-wide setting (``timezone``: the zone whose midnight ends a
    deadline day, default UTC; ``blind``: hide others' numbers until one has
    forecast, default off). A missing row means the default."""

    __tablename__ = "team_setting"

    key: str = Field(primary_key=True, max_length=64)
    value: str


class AppUser(SQLModel, table=True):
    """Someone who signs in to the team server: an analyst, a reviewer or a
    lead. The name is the analyst name forecasts are recorded under (and, on
    PostgreSQL, the database role the server acts as)."""

    __tablename__ = "app_user"

    name: str = Field(primary_key=True, max_length=120)
    role: str = Field(max_length=16)  # analyst, reviewer or lead
    password_hash: str = Field(nullable=False)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    disabled: bool = Field(default=False, nullable=False)


class ApiToken(SQLModel, table=True):
    """An API token: only its SHA-256 is kept; revoked tokens stay listed."""

    __tablename__ = "api_token"

    id: Optional[int] = Field(default=None, primary_key=True)
    user_name: str = Field(sa_column=Column(String(120), ForeignKey("app_user.name"), nullable=False, index=True))
    token_hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    label: Optional[str] = Field(default=None, max_length=200)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    revoked_at: Optional[datetime] = Field(default=None, sa_type=UTCDateTime, nullable=True)


class WebSession(SQLModel, table=True):
    """A signed-in browser: the cookie holds a random value whose SHA-256 is
    the key here; the CSRF token of its forms is kept beside it."""

    __tablename__ = "web_session"

    id_hash: str = Field(sa_column=Column(String(64), primary_key=True))
    user_name: str = Field(sa_column=Column(String(120), ForeignKey("app_user.name"), nullable=False, index=True))
    csrf: str = Field(sa_column=Column(String(64), nullable=False))
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


# ------------------------------------------------------------- input schemas


class QuestionIn(BaseModel):
    """A new question, as typed by a user or read from a file."""

    id: str
    text: str
    deadline: date
    outcomes: Optional[list[str]] = None  # None: binary yes/no
    ordered: bool = False
    opened_at: Optional[datetime] = None
    scenario_id: Optional[str] = None
    tags: list[str] = []
    source_sentence: Optional[str] = None
    phrase: Optional[str] = None
    source_document: Optional[str] = None
    condition_question_id: Optional[str] = None
    condition_outcome: Optional[str] = None
    implies_question_id: Optional[str] = None
    extra: Optional[dict] = None
    criteria: Optional[str] = None
    corrects_question_id: Optional[str] = None

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        return check_slug(v, "question id")

    @field_validator("text")
    @classmethod
    def _text(cls, v: str) -> str:
        v = check_text(v, "question text", max_len=2000).strip()
        if not v:
            raise ValueError("question text is empty")
        return v

    @field_validator("criteria")
    @classmethod
    def _criteria(cls, v: Optional[str]) -> Optional[str]:
        if v is None:
            return None
        v = check_text(v, "criteria", max_len=10_000).strip()
        return v or None

    @field_validator("tags")
    @classmethod
    def _tags(cls, v: list[str]) -> list[str]:
        out: dict[str, None] = {}  # first appearance order, each tag once, in linear time
        for t in v:
            t = check_text(t, "tag", max_len=120, allow_newlines=False).strip()
            if t:
                out[t] = None
        return list(out)

    @field_validator("outcomes")
    @classmethod
    def _outcomes(cls, v: Optional[list[str]]) -> Optional[list[str]]:
        return None if v is None else check_outcomes(v)

    @field_validator("opened_at")
    @classmethod
    def _opened(cls, v: Optional[datetime]) -> Optional[datetime]:
        if v is not None and v.tzinfo is None:
            v = v.replace(tzinfo=UTC)
        return v

    @model_validator(mode="after")
    def _consistent(self) -> "QuestionIn":
        if self.deadline.year < 1900 or self.deadline.year > 9998:
            raise ValueError(f"deadline {self.deadline.isoformat()} is out of range")
        if (self.condition_question_id is None) != (self.condition_outcome is None):
            raise ValueError("a condition needs both a question and an outcome")
        if self.condition_question_id is not None and self.condition_question_id == self.id:
            raise ValueError("a question cannot be conditional on itself")
        if self.implies_question_id is not None and self.implies_question_id == self.id:
            raise ValueError("a question cannot imply itself")
        return self

    @property
    def kind(self) -> str:
        return "binary" if self.outcomes is None else "categorical"

    @property
    def outcome_list(self) -> list[str]:
        return list(BINARY_OUTCOMES) if self.outcomes is None else list(self.outcomes)
