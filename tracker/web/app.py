"""The application: who is asking (session cookie or API token), what they
may do, CSRF on forms, login rate limits, and errors as one-line JSON or a
plain page, never a stack trace."""

from __future__ import annotations

import collections
import threading
import time
from dataclasses import dataclass
from typing import Any, Optional

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..jsonable import dumps
from ..errors import (AuthError, ConflictError, DatabaseError, ForbiddenError, NotFoundError, TrackerError,
                      ValidationError)
from ..services import users
from ..storage import Store, open_store

SESSION_COOKIE = "tracker_session"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
MAX_BODY = 1_000_000  # bytes: no form or JSON body of this tool comes near it

STATUS = [
    (AuthError, 401),
    (ForbiddenError, 403),
    (NotFoundError, 404),
    (ConflictError, 409),
    (ValidationError, 422),
    (DatabaseError, 503),
    (TrackerError, 400),
]


def status_of(exc: TrackerError) -> int:
    return next(code for kind, code in STATUS if isinstance(exc, kind))


class JSONBody(Response):
    """JSON encoded as the command line's ``--json`` encodes it."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return dumps(content, indent=None).encode("utf-8")


@dataclass
class Principal:
    """The signed-in user of a request and how they proved it."""

    user: dict
    via: str  # "session" or "token"
    csrf: Optional[str] = None

    @property
    def name(self) -> str:
        return self.user["name"]

    @property
    def role(self) -> str:
        return self.user["role"]


class LoginLimiter:
    """At most ``per_name`` failed sign-ins per user name and ``per_client``
    per client address in a sliding window; beyond it, sign-in is refused
    (HTTP 429) until the window has passed. Kept in memory, per process."""

    def __init__(self, per_name: int = 5, per_client: int = 20, window: float = 900.0):
        self.per_name, self.per_client, self.window = per_name, per_client, window
        self._failures: dict[str, collections.deque] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> collections.deque:
        q = self._failures.setdefault(key, collections.deque())
        while q and q[0] <= now - self.window:
            q.popleft()
        return q

    def retry_after(self, name: str, client: str) -> Optional[int]:
        now = time.monotonic()
        with self._lock:
            waits = []
            for key, limit in ((f"name:{name}", self.per_name), (f"client:{client}", self.per_client)):
                q = self._recent(key, now)
                if len(q) >= limit:
                    waits.append(int(q[0] + self.window - now) + 1)
            return max(waits) if waits else None

    def failed(self, name: str, client: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in (f"name:{name}", f"client:{client}"):
                self._recent(key, now).append(now)

    def succeeded(self, name: str) -> None:
        with self._lock:
            self._failures.pop(f"name:{name}", None)


class TooManyAttempts(TrackerError):
    def __init__(self, seconds: int):
        super().__init__(f"too many failed sign-ins: try again in {seconds} seconds")
        self.seconds = seconds


def wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api") and request.url.path != "/healthz"


def _credentials(request: Request) -> tuple[str, str]:
    """("token", value) from ``Authorization: Bearer``, else ("session",
    cookie); AuthError when the request carries neither."""
    auth = request.headers.get("authorization", "")
    if auth:
        scheme, _, value = auth.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise users.AuthError("use 'Authorization: Bearer TOKEN' (make one with: tracker user token NAME)")
        return "token", value.strip()
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        raise users.AuthError("sign in, or send an API token")
    return "session", cookie


def _look_up(conn, kind: str, value: str, *, act: bool) -> Principal:
    if kind == "token":
        return Principal(users.token_user(conn, value, act=act), "token")
    user, csrf = users.session_user_in(conn, value, act=act)
    return Principal(user, "session", csrf)


def principal(request: Request) -> Principal:
    """The user behind this request (API token first, then the session
    cookie), or AuthError. Cached on the request."""
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    kind, value = _credentials(request)
    with request.app.state.store.read() as conn:
        found = _look_up(conn, kind, value, act=False)
    request.state.principal = found
    return found


def act(request: Request, action: Optional[str], work, *, csrf: Optional[str] = None, write: bool = True):
    """``work(who, store)`` for the signed-in user, in one transaction on one
    connection: the user is looked up in it (the token or session checked
    afresh: a revoked token is refused at once), on PostgreSQL the same
    statement makes the transaction act as the user's role (so grants,
    row-level security and triggers apply), the CSRF token and the role's
    right to ``action`` (None: any signed-in user) are checked, and then
    ``work`` acts through ``store``, bound to that transaction. ``write``:
    a write transaction (retried whole on a lock or a lost race), else a
    read. Nothing touches the database before the request shows
    credentials, and nothing reads the body's content before the user is
    known (401 comes before 422)."""
    base: Store = request.app.state.store
    kind, value = _credentials(request)

    def transaction(conn):
        who = _look_up(conn, kind, value, act=True)
        request.state.principal = who
        check_csrf(request, who, csrf)
        if action is not None:
            users.require(who.user, action)
        return work(who, base.bound(conn))

    if write:
        return base.run_write(transaction)
    with base.read() as conn:
        return transaction(conn)


def check_csrf(request: Request, who: Principal, submitted: Optional[str]) -> None:
    """A state-changing request authenticated by cookie must carry the
    session's CSRF token (a form field or the X-CSRF-Token header); one
    authenticated by token needs none (a browser never sends it by itself)."""
    if who.via != "session":
        return
    token = submitted or request.headers.get(CSRF_HEADER)
    if not users.same_secret(token, who.csrf):
        raise users.ForbiddenError("the form's CSRF token is missing or wrong: reload the page and try again")


def authorize(request: Request, action: str, csrf: Optional[str] = None) -> tuple[Principal, Store]:
    """For a state-changing request: the signed-in user, their CSRF token
    checked (``csrf`` from a form, else the header) and their role allowed
    ``action``, and the store to act through as that user."""
    who = principal(request)
    check_csrf(request, who, csrf)
    users.require(who.user, action)
    return who, acting_store(request, who)


def acting_store(request: Request, who: Principal) -> Store:
    """The store a request writes and reads through: as the user's own
    database role on PostgreSQL."""
    return request.app.state.store.as_role(who.name)


_CSP = (
    b"default-src 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    b"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
# no script runs on any page of this server (the API docs too are plain
# HTML); figures are inline SVG or data: images
SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", _CSP),
)


class Guard:
    """Refuse bodies over :data:`MAX_BODY` (by their Content-Length) and add
    the security headers to every answer. A plain ASGI middleware: it wraps
    ``send`` instead of running each request in a task of its own."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_guarded(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {k.lower() for k, _ in headers}
                headers.extend(h for h in SECURITY_HEADERS if h[0] not in present)
                message = {**message, "headers": headers}
            await send(message)

        length = next((v for k, v in scope["headers"] if k == b"content-length"), None)
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY):
            response = _error(Request(scope), 413, f"request body larger than {MAX_BODY} bytes")
            return await response(scope, receive, send_guarded)
        return await self.app(scope, receive, send_guarded)


def create_app(url: str, *, pool_size: int = 8, secure_cookies: Optional[bool] = None,
               limiter: Optional[LoginLimiter] = None, store: Optional[Store] = None) -> FastAPI:
    """The team server's application over the database at ``url``.

    ``secure_cookies``: mark the session cookie Secure (None: when the request
    arrived over HTTPS, as a TLS-terminating proxy reports it)."""
    from . import api, docs, pages

    app = FastAPI(
        title="forecast-tracker",
        version=_version(),
        description="Log, revise, resolve and score probabilistic forecasts: the team server's JSON API. "
        "Authenticate with 'Authorization: Bearer TOKEN' (tracker user token NAME).",
        default_response_class=JSONBody,
        docs_url=None,  # FastAPI's Swagger UI and ReDoc load their scripts from a CDN:
        redoc_url=None,  # /docs is our own page, served from here (tracker.web.docs)
    )
    app.state.store = store or open_store(url, pool_size=pool_size)
    from anyio import CapacityLimiter

    app.state.writers = CapacityLimiter(_pool_size(app.state.store, pool_size))
    app.state.limiter = limiter or LoginLimiter()
    app.state.secure_cookies = secure_cookies

    app.add_middleware(Guard)

    @app.exception_handler(TrackerError)
    async def tracker_error(request: Request, exc: TrackerError):
        if isinstance(exc, TooManyAttempts):
            response = _error(request, 429, str(exc))
            response.headers["Retry-After"] = str(exc.seconds)
            return response
        code = status_of(exc)
        if code == 401 and wants_html(request) and request.method == "GET":
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            from urllib.parse import quote

            return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
        return _error(request, code, str(exc))

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError):
        return _error(request, 422, _validation_message(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        message = exc.detail if isinstance(exc.detail, str) else "request refused"
        if exc.status_code == 404 and message == "Not Found":
            message = f"no such page: {request.url.path}"
        if exc.status_code == 405:
            message = f"{request.method} is not allowed on {request.url.path}"
        return _error(request, exc.status_code, message)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):  # never a stack trace to the client
        import logging

        logging.getLogger("tracker.web").exception("unexpected error on %s %s", request.method, request.url.path)
        return _error(request, 500, f"internal error ({type(exc).__name__}); the server log has the details")

    app.include_router(api.router)
    app.include_router(docs.router)
    app.include_router(pages.router)
    return app


def _pool_size(store: Store, default: int) -> int:
    size = getattr(store.engine.pool, "size", None)
    return max(1, size() if callable(size) else default)


def _version() -> str:
    from .. import __version__

    return __version__


def _validation_message(exc: RequestValidationError) -> str:
    errors = exc.errors()
    if not errors:
        return "invalid request"
    first = errors[0]
    where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path"))
    if first.get("type") == "json_invalid":
        return "the request body is not valid JSON"
    message = str(first.get("msg", "invalid value")).removeprefix("Value error, ")
    return " ".join(f"{where}: {message}".split()) if where else " ".join(message.split())


def _error(request: Request, code: int, message: str) -> Response:
    message = " ".join(str(message).split())
    if wants_html(request):
        from .pages import error_page

        return error_page(request, code, message)
    return JSONBody({"error": message, "status": code}, status_code=code)


__all__ = ["create_app", "principal", "act", "check_csrf", "acting_store", "Principal", "LoginLimiter", "JSONBody",
           "SESSION_COOKIE", "CSRF_FIELD", "TooManyAttempts", "HTMLResponse"]
