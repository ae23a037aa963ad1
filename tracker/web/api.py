"""The JSON API: the same services and the same rules as the command line,
with the same keys as its ``--json`` output. Every route but ``/healthz``
needs a signed-in user (``Authorization: Bearer TOKEN``, or a session cookie
plus the ``X-CSRF-Token`` header for writes)."""

from __future__ import annotations

from datetime import date
from typing import Literal, Optional, Union

from fastapi import APIRouter, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field

from ..services import users
from .app import JSONBody, Principal, act

router = APIRouter()

Mode = Literal["final", "initial", "time-weighted"]
Status = Literal["all", "open", "due", "overdue", "resolved", "annulled"]


class QuestionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(description="The resolvable statement.", max_length=2000)
    deadline: date = Field(description="The date by which it resolves (end of that day).")
    id: Optional[str] = Field(default=None, description="A readable slug; made from the text when left out.")
    outcomes: Optional[list[str]] = Field(default=None, description="Categorical outcomes; leave out for yes/no.")
    ordered: bool = False
    tags: list[str] = []
    scenario: Optional[str] = None


class ForecastCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    probability: Optional[Union[float, str]] = Field(default=None, description="Binary: the chance of yes (0.35 or '35%').")
    probabilities: Optional[dict[str, Union[float, str]]] = Field(default=None, description="Categorical: outcome -> probability.")
    rationale: Optional[str] = Field(default=None, max_length=10_000)


class ResolutionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: str = Field(description="yes, no, a categorical outcome, or annulled.")
    known_at: Optional[str] = Field(default=None, description="When the outcome became known (default: now).")
    evidence: Union[list[str], str, None] = None
    note: Optional[str] = None
    reason: Optional[str] = Field(default=None, description="Why: required to annul or to supersede.")
    supersede: bool = False


@router.get("/healthz", tags=["server"], summary="Is the server up and its database reachable?")
def healthz(request: Request):
    store = request.app.state.store
    with store.read() as conn:
        conn.exec_driver_sql("SELECT 1")
    return JSONBody({"status": "ok", "database": store.dialect})


@router.get("/api/me", tags=["users"], summary="Who am I?")
def me(request: Request):
    who = act(request, None, lambda who, store: who, write=False)
    return JSONBody({"name": who.name, "role": who.role, "via": who.via})


@router.get("/api/questions", tags=["questions"], summary="List questions (filters as tracker list)")
def questions(request: Request, status: Status = "all", scenario: Optional[str] = None, tag: Optional[str] = None,
              analyst: Optional[str] = None, within: int = Query(14, ge=0, le=100_000), as_of: Optional[date] = None,
              limit: Optional[int] = Query(None, ge=1)):
    from ..services.log import list_questions

    return JSONBody(act(request, "read", lambda who, store: list_questions(
        store, status=status, scenario=scenario, tag=tag, analyst=analyst, as_of=as_of, within_days=within,
        limit=limit), write=False))


@router.get("/api/questions/{question_id}", tags=["questions"], summary="One question with its forecasts and resolutions")
def question(request: Request, question_id: str):
    from ..services.log import show_question

    return JSONBody(act(request, "read", lambda who, store: show_question(store, question_id), write=False))


def _body(model) -> dict:
    """The OpenAPI description of a JSON body read by hand (see _parse)."""
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": model.model_json_schema()}}}}


def _parse(model, raw: bytes):
    """The JSON body as ``model``, read after the user is known: a stranger
    learns nothing from validation messages (401 comes before 422)."""
    from pydantic import ValidationError as BodyError

    try:
        return model.model_validate_json(raw or b"")
    except BodyError as exc:
        raise RequestValidationError(exc.errors()) from None


async def _in_worker(request: Request, handler, *args):
    """Read the body on the event loop, then authenticate, validate and
    write on one worker thread (the services block on the database). At
    most as many of these threads run as the pool has connections: more
    would only wait for one, and compete for the interpreter meanwhile."""
    from anyio import to_thread

    raw = await request.body()
    return await to_thread.run_sync(handler, request, raw, *args, limiter=request.app.state.writers)


@router.post("/api/questions", status_code=201, tags=["questions"], summary="Add a question",
             openapi_extra=_body(QuestionCreate))
async def add_question(request: Request):
    return await _in_worker(request, _add_question)


def _add_question(request: Request, raw: bytes):
    from ..services.log import add_question, id_from_text

    def work(who: Principal, store):
        body = _parse(QuestionCreate, raw)
        data = {
            "id": body.id or id_from_text(body.text), "text": body.text, "deadline": body.deadline,
            "outcomes": body.outcomes, "ordered": body.ordered, "tags": body.tags, "scenario_id": body.scenario,
        }
        return add_question(store, data)

    return JSONBody(act(request, "add_question", work), status_code=201)


@router.post("/api/questions/{question_id}/forecasts", status_code=201, tags=["forecasts"],
             summary="Forecast or revise (recorded under the signed-in analyst)", openapi_extra=_body(ForecastCreate))
async def forecast(request: Request, question_id: str):
    return await _in_worker(request, _forecast, question_id)


def _forecast(request: Request, raw: bytes, question_id: str):
    from ..errors import ValidationError
    from ..services.log import add_forecast

    def work(who: Principal, store):
        body = _parse(ForecastCreate, raw)
        if (body.probability is None) == (body.probabilities is None):
            raise ValidationError("give either 'probability' (binary) or 'probabilities' (categorical)")
        value = body.probability if body.probability is not None else body.probabilities
        return add_forecast(store, question_id, value, analyst=who.name, rationale=body.rationale, source="web")

    return JSONBody(act(request, "forecast", work), status_code=201)


@router.post("/api/questions/{question_id}/resolutions", status_code=201, tags=["resolutions"],
             summary="Resolve, annul, or correct a resolution (reviewers)", openapi_extra=_body(ResolutionCreate))
async def resolution(request: Request, question_id: str):
    return await _in_worker(request, _resolution, question_id)


def _resolution(request: Request, raw: bytes, question_id: str):
    def work(who: Principal, store):
        body = _parse(ResolutionCreate, raw)
        return record_resolution(store, who, question_id, body.outcome, known_at=body.known_at,
                                 evidence=body.evidence, note=body.note, reason=body.reason,
                                 supersede=body.supersede)

    return JSONBody(act(request, "resolve", work), status_code=201)


def record_resolution(store, who: Principal, question_id: str, outcome: str, *, known_at, evidence, note, reason,
                      supersede: bool) -> dict:
    """One road from the API and the review page to ``services.log.resolve``."""
    from ..services.common import parse_datetime
    from ..services.log import resolve

    if isinstance(evidence, str):
        evidence = [e.strip() for e in evidence.splitlines() if e.strip()]
    return resolve(store, question_id, outcome, recorded_by=who.name,
                   known_at=parse_datetime(known_at, "known_at") if known_at else None,
                   evidence=evidence or [], note=note or None, reason=reason or None, supersede=supersede,
                   source="web", fields=("reason", "known_at"))


@router.get("/api/score", tags=["scores"], summary="Scores, with the keys of tracker score --json")
def score(request: Request, by: Optional[Literal["analyst", "tag", "scenario", "quarter", "question", "wep"]] = None,
          mode: Mode = "final", bins: int = Query(10, ge=1, le=1000), quarter: Optional[str] = None,
          analyst: Optional[str] = None, tag: Optional[str] = None, scenario: Optional[str] = None,
          scale: Literal["0-1", "0-2"] = "0-1", exclude_after_fact: bool = False, bootstrap: bool = True):
    from ..services.score import score

    return JSONBody(act(request, "read", lambda who, store: score(
        store, by=by, mode=mode, bins=bins, quarter=quarter, analyst=analyst, tag=tag, scenario=scenario,
        scale=scale, exclude_after_fact=exclude_after_fact, bootstrap=bootstrap), write=False))


@router.get("/api/todo", tags=["questions"], summary="My week: what to forecast, update, or see resolved")
def todo(request: Request, within: int = Query(14, ge=0, le=3650), stale: int = Query(30, ge=1, le=3650)):
    from ..services.week import todo as week_todo

    return JSONBody(act(request, "read", lambda who, store: week_todo(
        store, analyst=who.name, within_days=within, stale_days=stale), write=False))
