"""Pydantic schemas of the reviewable files.

Scenario file (``scenarios/*.yaml``)::

    id: trump-putin-2018
    title: Trump, Putin to meet
    source: {title: ..., date: 2018-06-20, origin: assessment-2018-06.txt}
    questions:
      - id: meeting-july
        text: Trump and Putin meet in July 2018
        deadline: 2018-07-31
        outcomes: [a, b, c]         # categorical only; omit for yes/no
        ordered: false
        opened: 2018-06-20          # default: the source date
        tags: [russia]
        sentence: "..."             # the source sentence
        phrase: is expected to      # the estimative phrase as written
        criteria: "..."             # the resolution criteria (the fine print)
        condition: {question: other, outcome: "yes"}   # or "other=yes"
        implies: other              # yes here implies yes there
        joint: other                # for a conditional question: the question whose event is "this and the condition"
        corrects: old-question      # this question corrects the (resolved) definition of another
        extraction: {...}           # where the number came from (free-form)
        forecasts:
          - analyst: assessment
            probability: 0.675      # or {a: 0.2, b: 0.5, c: 0.3}
            made_at: 2018-06-20
            rationale: "..."

Resolution file (``resolutions/*.yaml``)::

    period: 2018-Q3
    reviewer: rev
    resolutions:
      - question: meeting-july
        outcome: "yes"              # or annulled (with reason); blank: not decided yet
        known_at: 2018-07-16
        evidence: [https://...]
        note: "..."
        reason: null
        supersede: false            # true (with a reason) to correct a recorded outcome
"""

from __future__ import annotations

from datetime import date, datetime
from datetime import date as _date
import re
from typing import Any, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..models import SLUG_RE, check_probability, check_text


def _not_number(value: Any, what: str) -> Any:
    """Before type checks: an id YAML read as a number (2018, 0755) gets a useful message."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise ValueError(f"{what} {value!r} was read as a number: quote it")
    return value


def _slug(value: Any, what: str) -> str:
    if not isinstance(value, str) or not SLUG_RE.match(value):
        from ..rules import check_slug

        check_slug(value, what)  # raises, with the message of every road
    return value


_ISO_WHEN = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[Tt ].*)?$")


def _when(value: Any, *, date_only: bool = False) -> Any:
    """YAML gives dates and datetimes; a string must be an ISO date or
    datetime (the loader leaves an impossible one, such as 2018-13-45, as its
    text so that the message can name the entry). A number is refused: YAML
    and pydantic would read ``0`` or ``20180731`` as a Unix time."""
    what = "date (YYYY-MM-DD)" if date_only else "date or time (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS+00:00)"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise ValueError(f"{value!r} was read as a number, not a date: write an ISO {what}")
    if isinstance(value, str):
        text = value.strip()
        if not _ISO_WHEN.match(text):
            raise ValueError(f"{style_value(text)} is not an ISO {what}")
        try:
            parsed = datetime.fromisoformat(text) if len(text) > 10 else date.fromisoformat(text)
        except ValueError as exc:
            reason = str(exc)
            if "offset" in reason:
                reason = "the UTC offset must lie strictly between -24:00 and +24:00"
            raise ValueError(f"{style_value(text)} is not a valid {what.split(' (')[0]}: {reason}") from None
        value = parsed
    if date_only and isinstance(value, datetime):
        if value.tzinfo is None and value.time() == datetime.min.time():
            return value.date()
        raise ValueError(f"{value.isoformat()!r} has a time; a {what} is expected")
    return value


def style_value(text: str, limit: int = 40) -> str:
    """A value quoted for a message, cut to ``limit`` characters."""
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class SourceEntry(Strict):
    title: Optional[str] = None
    date: Optional[_date] = None
    origin: Optional[str] = None

    @field_validator("date", mode="before")
    @classmethod
    def _source_date(cls, v):
        return None if v is None else _when(v, date_only=True)


class ConditionEntry(Strict):
    question: str
    outcome: str

    @field_validator("question", mode="before")
    @classmethod
    def _q_number(cls, v):
        return _not_number(v, "condition question")

    @field_validator("question")
    @classmethod
    def _q(cls, v):
        return _slug(v, "condition question")

    @field_validator("outcome", mode="before")
    @classmethod
    def _o(cls, v):
        if isinstance(v, bool):  # true/false written for yes/no
            return "yes" if v else "no"
        return v


class ForecastEntry(Strict):
    analyst: str
    probability: Optional[Union[float, dict[str, float]]] = None
    made_at: Union[datetime, date]
    rationale: Optional[str] = None

    @field_validator("analyst")
    @classmethod
    def _analyst(cls, v):
        v = check_text(v, "analyst", max_len=120, allow_newlines=False).strip()
        if not v:
            raise ValueError("analyst is empty")
        return v

    @field_validator("probability", mode="before")
    @classmethod
    def _prob(cls, v):
        if v is None:
            raise ValueError("probability is missing")
        if isinstance(v, dict):
            return {str(k): check_probability(p, f"probability of {k!r}") for k, p in v.items()}
        if isinstance(v, str) and v.strip().endswith("%"):
            try:
                v = float(v.strip()[:-1]) / 100
            except ValueError:
                raise ValueError(f"probability {v!r} is not a number") from None
        return check_probability(v)

    @field_validator("made_at", mode="before")
    @classmethod
    def _made(cls, v):
        return _when(v)


class QuestionEntry(Strict):
    id: str
    text: str
    deadline: date
    outcomes: Optional[list[str]] = None
    ordered: bool = False
    opened: Optional[Union[datetime, date]] = None
    tags: list[str] = Field(default_factory=list)
    sentence: Optional[str] = None
    phrase: Optional[str] = None
    criteria: Optional[str] = None
    condition: Optional[ConditionEntry] = None
    implies: Optional[str] = None
    joint: Optional[str] = None
    corrects: Optional[str] = None
    extraction: Optional[dict[str, Any]] = None
    forecasts: list[ForecastEntry] = Field(default_factory=list)

    @field_validator("id", mode="before")
    @classmethod
    def _id_number(cls, v):
        return _not_number(v, "question id")

    @field_validator("implies", "joint", "corrects", mode="before")
    @classmethod
    def _links_number(cls, v):
        return _not_number(v, "linked question id")

    @field_validator("id")
    @classmethod
    def _id(cls, v):
        return _slug(v, "question id")

    @field_validator("implies", "joint", "corrects")
    @classmethod
    def _links(cls, v):
        return None if v is None else _slug(v, "linked question id")

    @field_validator("condition", mode="before")
    @classmethod
    def _cond(cls, v):
        if isinstance(v, str):
            if "=" not in v:
                raise ValueError("condition must be QUESTION=OUTCOME or {question: ..., outcome: ...}")
            q, _, o = v.partition("=")
            return {"question": q.strip(), "outcome": o.strip()}
        return v

    @field_validator("outcomes", mode="before")
    @classmethod
    def _outcomes(cls, v):
        if isinstance(v, str):
            v = [o.strip() for o in v.split(",")]
        return v

    @field_validator("tags", mode="before")
    @classmethod
    def _tags(cls, v):
        if v is None:
            return []
        if isinstance(v, str):
            return [t.strip() for t in v.split(",") if t.strip()]
        return v

    @field_validator("forecasts", mode="before")
    @classmethod
    def _forecasts(cls, v):
        return [] if v is None else v

    @field_validator("opened", mode="before")
    @classmethod
    def _opened(cls, v):
        return _when(v)

    @field_validator("deadline", mode="before")
    @classmethod
    def _deadline(cls, v):
        return _when(v, date_only=True)


class ScenarioFile(Strict):
    id: str
    title: str
    source: Optional[SourceEntry] = None
    description: Optional[str] = None
    questions: list[QuestionEntry] = Field(default_factory=list)

    @field_validator("id", mode="before")
    @classmethod
    def _id_number(cls, v):
        return _not_number(v, "scenario id")

    @field_validator("id")
    @classmethod
    def _id(cls, v):
        return _slug(v, "scenario id")

    @field_validator("questions", mode="before")
    @classmethod
    def _questions(cls, v):
        return [] if v is None else v

    @model_validator(mode="after")
    def _unique(self):
        seen = set()
        for q in self.questions:
            if q.id in seen:
                raise ValueError(f"question id {q.id!r} appears twice")
            seen.add(q.id)
        return self


class ResolutionEntry(Strict):
    question: str
    outcome: Optional[str] = None
    known_at: Optional[Union[datetime, date]] = None
    evidence: list[str] = Field(default_factory=list)
    note: Optional[str] = None
    reason: Optional[str] = None
    supersede: bool = False
    # informational fields written into skeletons; ignored on import
    text: Optional[str] = None
    deadline: Optional[date] = None
    outcomes: Optional[list[str]] = None

    @field_validator("question", mode="before")
    @classmethod
    def _q_number(cls, v):
        return _not_number(v, "question id")

    @field_validator("question")
    @classmethod
    def _q(cls, v):
        return _slug(v, "question id")

    @field_validator("outcome", mode="before")
    @classmethod
    def _outcome(cls, v):
        if isinstance(v, bool):
            return "yes" if v else "no"
        if isinstance(v, (int, float)) and v in (0, 1):
            return "yes" if v == 1 else "no"
        if isinstance(v, str) and not v.strip():
            return None
        return v

    @field_validator("note", "reason", mode="before")
    @classmethod
    def _blank(cls, v):
        return None if isinstance(v, str) and not v.strip() else v

    @field_validator("evidence", mode="before")
    @classmethod
    def _evidence(cls, v):
        if v is None:
            return []
        if isinstance(v, str):
            return [v]
        return v

    @field_validator("known_at", mode="before")
    @classmethod
    def _known(cls, v):
        if isinstance(v, str) and not v.strip():
            return None
        return _when(v)

    @field_validator("deadline", mode="before")
    @classmethod
    def _deadline(cls, v):
        return None if v is None else _when(v, date_only=True)


class ResolutionFile(Strict):
    period: Optional[str] = None
    reviewer: Optional[str] = None
    resolutions: list[ResolutionEntry] = Field(default_factory=list)

    @field_validator("period", mode="before")
    @classmethod
    def _period(cls, v):
        return None if v is None else str(v)

    @field_validator("resolutions", mode="before")
    @classmethod
    def _res(cls, v):
        return [] if v is None else v

    @model_validator(mode="after")
    def _unique(self):
        seen = set()
        for r in self.resolutions:
            if r.question in seen:
                raise ValueError(f"question {r.question!r} appears twice")
            seen.add(r.question)
        return self


_UNION_FIELDS = {"made_at", "known_at", "opened", "probability"}
_UNION_MEMBERS = {"datetime", "date", "float", "dict[str,float]"}


def error_location(exc, data: Any) -> str:
    """'question <id>, field <name>: <message>' for a pydantic error."""
    err = exc.errors()[0]
    loc = list(err.get("loc", ()))
    msg = err.get("msg", "invalid value").removeprefix("Value error, ")
    parts = []
    node = data
    field_path = []
    i = 0
    while i < len(loc):
        key = loc[i]
        if key in ("questions", "resolutions", "forecasts") and i + 1 < len(loc) and isinstance(loc[i + 1], int):
            idx = loc[i + 1]
            try:
                node = node[key][idx]
            except (KeyError, IndexError, TypeError):
                node = None
            ident = None
            if isinstance(node, dict):
                ident = node.get("id") or node.get("question") or node.get("analyst")
            label = {"questions": "question", "resolutions": "question", "forecasts": "forecast"}[key]
            parts.append(f"{label} {ident}" if ident else f"{label} #{idx + 1}")
            i += 2
            continue
        # pydantic names the member of a Union it tried (made_at.datetime): not a field
        if not (field_path and field_path[-1] in _UNION_FIELDS and key in _UNION_MEMBERS):
            field_path.append(str(key))
        i += 1
    if field_path:
        parts.append(f"field {'.'.join(field_path)}")
    where = ", ".join(parts)
    return f"{where}: {msg}" if where else msg
