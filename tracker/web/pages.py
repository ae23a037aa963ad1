"""The pages: server-rendered HTML that works without JavaScript, with
labelled forms a keyboard can drive and a layout that reads on a phone.
Every form carries the session's CSRF token; every write goes through the
same services (and rules) as the command line."""

from __future__ import annotations

import functools
from datetime import date
from typing import Any, Optional
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..errors import TrackerError
from ..services import users
from .app import SESSION_COOKIE, Principal, TooManyAttempts, acting_store, authorize, check_csrf, principal

router = APIRouter(include_in_schema=False)


@functools.lru_cache(maxsize=1)
def _env():
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("tracker.web", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["pct"] = _pct
    env.filters["when"] = _when
    env.filters["value"] = _value
    env.filters["safe_link"] = _safe_link
    env.filters["q"] = lambda s: quote(str(s), safe="")
    return env


def _pct(p: Any) -> str:
    return "-" if p is None else f"{100 * float(p):.0f}%"


def _when(value: Any) -> str:
    if value is None:
        return "-"
    if hasattr(value, "strftime") and hasattr(value, "hour"):
        return value.strftime("%Y-%m-%d %H:%M UTC")
    return str(value)


def _value(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, dict):
        return ", ".join(f"{k} {_pct(x)}" for k, x in v.items())
    return _pct(v)


def _safe_link(text: Any) -> Optional[str]:
    """The text when it is a plain web address (shown as a link), else None
    (shown as text): no javascript:, data: or other schemes become links."""
    s = str(text or "").strip()
    lower = s.lower()
    if (lower.startswith("https://") or lower.startswith("http://")) and not any(c.isspace() or ord(c) < 32 for c in s):
        return s
    return None


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    who = getattr(request.state, "principal", None)
    html = _env().get_template(template).render(request=request, who=who, csrf=who.csrf if who else "", **context)
    return HTMLResponse(html, status_code=status_code)


def error_page(request: Request, code: int, message: str) -> HTMLResponse:
    return render(request, "error.html", status_code=code, code=code, message=message)


def _page_user(request: Request) -> Principal:
    return principal(request)


def _safe_next(target: Optional[str]) -> str:
    """Where to go after signing in: a path on this server only."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


# ------------------------------------------------------------------ sign in


@router.get("/login")
def login_form(request: Request, next: Optional[str] = None):
    return render(request, "login.html", next=_safe_next(next), error=None, name="")


@router.post("/login")
def login(request: Request, name: str = Form(""), password: str = Form(""), next: str = Form("/")):
    store = request.app.state.store
    limiter = request.app.state.limiter
    client = _client(request)
    wait = limiter.retry_after(name, client)
    if wait is not None:
        raise TooManyAttempts(wait)
    try:
        user = users.authenticate(store, name, password)
    except users.AuthError as exc:
        limiter.failed(name, client)
        return render(request, "login.html", status_code=401, next=_safe_next(next), error=str(exc), name=name)
    limiter.succeeded(name)
    value, _ = users.start_session(store, user["name"])
    response = RedirectResponse(_safe_next(next), status_code=303)
    secure = request.app.state.secure_cookies
    if secure is None:
        secure = request.url.scheme == "https"
    response.set_cookie(SESSION_COOKIE, value, max_age=users.SESSION_HOURS * 3600, httponly=True, samesite="lax",
                        secure=bool(secure), path="/")
    return response


@router.post("/logout")
def logout(request: Request, csrf: str = Form("")):
    who = _page_user(request)
    check_csrf(request, who, csrf)
    users.end_session(request.app.state.store, request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# ------------------------------------------------------------------ my week


@router.get("/")
def week(request: Request):
    from ..services.week import todo

    who = _page_user(request)
    data = todo(acting_store(request, who), analyst=who.name)
    return render(request, "week.html", data=data)


@router.get("/questions")
def questions(request: Request, status: str = "open", tag: Optional[str] = None):
    from ..services.log import STATUSES, list_questions

    who = _page_user(request)
    if status not in STATUSES:
        status = "open"
    rows = list_questions(acting_store(request, who), status=status, tag=tag or None, limit=500)
    return render(request, "questions.html", rows=rows, status=status, statuses=STATUSES, tag=tag or "")


# ---------------------------------------------------------------- questions


@router.get("/questions/new")
def new_question_form(request: Request):
    who = _page_user(request)
    users.require(who.user, "add_question")
    return render(request, "new_question.html", error=None, form={})


@router.post("/questions/new")
def new_question(request: Request, text: str = Form(""), deadline: str = Form(""), qid: str = Form(""),
                 outcomes: str = Form(""), tags: str = Form(""), csrf: str = Form("")):
    from ..services.common import parse_date
    from ..services.log import add_question, id_from_text

    who, store = authorize(request, "add_question", csrf)
    form = {"text": text, "deadline": deadline, "qid": qid, "outcomes": outcomes, "tags": tags}
    try:
        data = {
            "id": qid.strip() or id_from_text(text),
            "text": text,
            "deadline": parse_date(deadline, "deadline"),
            "outcomes": [o.strip() for o in outcomes.split(",") if o.strip()] or None,
            "tags": [t.strip() for t in tags.split(",") if t.strip()],
        }
        result = add_question(store, data)
    except (users.AuthError, users.ForbiddenError):
        raise
    except TrackerError as exc:
        return render(request, "new_question.html", status_code=_code(exc), error=str(exc), form=form)
    return RedirectResponse(f"/questions/{quote(result['id'], safe='')}?saved=question", status_code=303)


def _question_page(request: Request, who: Principal, question_id: str, *, status_code: int = 200,
                   error: Optional[str] = None, saved: Optional[str] = None) -> HTMLResponse:
    from ..services.log import show_question
    from ..services.week import team_median

    q = show_question(acting_store(request, who), question_id, viewer=who.name)
    latest: dict[str, dict] = {}
    for f in q["forecasts"]:  # in the order made: each analyst's last one stays
        latest[f["analyst"]] = f
    mine = latest.get(who.name)
    hidden = q.get("hidden_forecasts", 0)  # blind forecasting: others' numbers wait for mine
    return render(request, "question.html", status_code=status_code, q=q, error=error, saved=saved, mine=mine,
                  median=None if hidden else team_median(latest, q["outcomes"]), n_current=len(latest),
                  hidden=hidden,
                  can_forecast=users.allowed(who.role, "forecast") and q["status"] in ("open", "overdue"),
                  can_resolve=users.allowed(who.role, "resolve"))


@router.get("/questions/{question_id}")
def question_page(request: Request, question_id: str, saved: Optional[str] = None):
    who = _page_user(request)
    return _question_page(request, who, question_id, saved=saved if saved in ("forecast", "question") else None)


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


async def _handle_form(request: Request, handler, question_id: str):
    """Read a form (async), then run ``handler`` on a worker thread: the
    services block on the database."""
    from starlette.concurrency import run_in_threadpool

    form = await _form(request)
    return await run_in_threadpool(handler, request, question_id, form)


@router.post("/questions/{question_id}/forecast")
async def forecast(request: Request, question_id: str):
    """Forecast or revise in one step: a percentage for a binary question,
    one percentage per outcome for a categorical one (they must sum to 100)."""
    return await _handle_form(request, _record_forecast, question_id)


def _record_forecast(request: Request, question_id: str, form: dict[str, str]):
    from ..errors import ValidationError
    from ..services.log import add_forecast, show_question

    who, store = authorize(request, "forecast", form.get("csrf"))
    try:
        q = show_question(store, question_id)
        if q["kind"] == "binary":
            value: Any = _percent(form.get("probability", ""), "probability")
        else:
            value = {o: _percent(form.get(f"p_{o}", ""), o) for o in q["outcomes"]}
            if any(v is None for v in value.values()):
                raise ValidationError("give a percentage for every outcome")
        if value is None:
            raise ValidationError("give a probability, e.g. 35")
        add_forecast(store, question_id, value, analyst=who.name, rationale=form.get("rationale") or None, source="web")
    except (users.AuthError, users.ForbiddenError):
        raise
    except TrackerError as exc:
        return _question_page(request, who, question_id, status_code=_code(exc), error=str(exc))
    return RedirectResponse(f"/questions/{quote(question_id, safe='')}?saved=forecast", status_code=303)


def _percent(text: str, what: str) -> Optional[float]:
    """A percentage typed in a form ("35", "35%", "7.5") as a probability."""
    from ..services.common import parse_probability

    text = (text or "").strip().rstrip("%").strip()
    if not text:
        return None
    return parse_probability(text + "%", what)


@router.get("/questions/{question_id}/history.svg")
def history_svg(request: Request, question_id: str):
    from ..report import figures
    from ..services.report import question_history

    who = _page_user(request)
    h = question_history(acting_store(request, who), question_id)
    return Response(figures.to_bytes(figures.history_figure(h), "svg"), media_type="image/svg+xml")


# ------------------------------------------------------------------- review


def _current_quarter(today: date) -> str:
    from ..periods import quarter_label

    return quarter_label(today)


@router.get("/review")
def review_page(request: Request, quarter: Optional[str] = None):
    from ..models import utcnow
    from ..services.review import review

    who = _page_user(request)
    quarter = quarter or _current_quarter(utcnow().date())
    try:
        data = review(acting_store(request, who), quarter)
    except (users.AuthError, users.ForbiddenError):
        raise
    except TrackerError as exc:
        return error_page(request, _code(exc), str(exc))
    return render(request, "review.html", data=data, quarter=quarter, error=None,
                  can_resolve=users.allowed(who.role, "resolve"))


@router.post("/review/{question_id}")
async def resolve(request: Request, question_id: str):
    """Resolve or annul one question from the review page; ticking
    "correct" records a superseding resolution (the earlier one is kept)."""
    return await _handle_form(request, _record_resolution, question_id)


def _record_resolution(request: Request, question_id: str, form: dict[str, str]):
    from ..models import utcnow
    from ..services.review import review
    from .api import record_resolution

    who, store = authorize(request, "resolve", form.get("csrf"))
    quarter = form.get("quarter") or _current_quarter(utcnow().date())
    try:
        record_resolution(store, who, question_id, form.get("outcome", ""), known_at=form.get("known_at") or None,
                          evidence=form.get("evidence", ""), note=form.get("note"), reason=form.get("reason"),
                          supersede=form.get("supersede") == "on")
    except (users.AuthError, users.ForbiddenError):
        raise
    except TrackerError as exc:
        data = review(store, quarter)
        return render(request, "review.html", status_code=_code(exc), data=data, quarter=quarter,
                      error=f"{question_id}: {exc}", can_resolve=True)
    return RedirectResponse(f"/review?quarter={quote(quarter, safe='')}#q-{quote(question_id, safe='')}",
                            status_code=303)


# ------------------------------------------------------------------- report


@router.get("/report")
def report_page(request: Request, quarter: Optional[str] = None, scenario: Optional[str] = None,
                analyst: Optional[str] = None, mode: str = "final"):
    from ..report.render import render as render_report
    from ..services.report import build_report

    who = _page_user(request)
    data = build_report(acting_store(request, who), quarter=quarter or None, scenario=scenario or None,
                        analyst=analyst or None, mode=mode)
    return HTMLResponse(render_report(data, "html"))


def _code(exc: TrackerError) -> int:
    from .app import status_of

    return status_of(exc)
