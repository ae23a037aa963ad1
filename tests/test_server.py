"""The team server through its HTTP interface (FastAPI's test client): who
may do what, CSRF, sessions and tokens, inert user text, errors as one line,
the same rules and numbers as the command line, and no leaked connections."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")

from fastapi.testclient import TestClient  # noqa: E402

from tracker.models import utcnow  # noqa: E402
from tracker.services import users  # noqa: E402
from tracker.services.log import add_forecast, add_question  # noqa: E402
from tracker.storage import open_store  # noqa: E402
from tracker.web import create_app  # noqa: E402
from tracker.web.app import LoginLimiter  # noqa: E402

PASSWORD = "correct horse battery"
FUTURE = (utcnow().date() + timedelta(days=60)).isoformat()
SOON = (utcnow().date() + timedelta(days=5)).isoformat()
PAST = (utcnow().date() - timedelta(days=5)).isoformat()


def make_board(store):
    for name, role in (("ana", "analyst"), ("bob", "analyst"), ("rev", "reviewer"), ("lea", "lead")):
        users.add_user(store, name, role, PASSWORD)
    add_question(store, {"id": "rain", "text": "It rains in Vienna on the day", "deadline": FUTURE})
    add_question(store, {"id": "venue", "text": "Where do they meet?", "deadline": SOON,
                         "outcomes": ["helsinki", "vienna", "none"]})
    add_question(store, {"id": "summit", "text": "The summit is held", "deadline": PAST,
                         "opened_at": utcnow() - timedelta(days=30)})
    add_forecast(store, "rain", 0.4, analyst="bob", rationale="bob's view")


@pytest.fixture
def app_store(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'server.db'}", pool_size=4)
    make_board(store)
    yield store
    store.dispose()


@pytest.fixture
def app(app_store):
    return create_app(app_store.url, store=app_store, limiter=LoginLimiter(per_name=5, per_client=50))


@pytest.fixture
def client(app):
    with TestClient(app) as c:
        yield c


def bearer(store, name):
    return {"Authorization": "Bearer " + users.make_token(store, name)["token"]}


def sign_in(client, name):
    r = client.post("/login", data={"name": name, "password": PASSWORD, "next": "/"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    page = client.get("/questions/rain").text
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def count_forecasts(store, question):
    with store.read() as conn:
        return conn.exec_driver_sql("SELECT count(*) FROM forecast WHERE question_id = ?", (question,)).scalar()


def one_line_error(r, status):
    assert r.status_code == status, (r.status_code, r.text)
    body = r.json()
    assert set(body) == {"error", "status"} and body["status"] == status
    assert "\n" not in body["error"] and "Traceback" not in body["error"] and body["error"]
    return body["error"]


# ------------------------------------------------------------ who may do what

API_ROUTES = [
    ("GET", "/api/questions", None),
    ("GET", "/api/questions/rain", None),
    ("POST", "/api/questions", {"text": "x", "deadline": FUTURE}),
    ("POST", "/api/questions/rain/forecasts", {"probability": 0.3}),
    ("POST", "/api/questions/summit/resolutions", {"outcome": "yes"}),
    ("GET", "/api/score", None),
    ("GET", "/api/todo", None),
    ("GET", "/api/me", None),
]


@pytest.mark.parametrize("method,path,body", API_ROUTES)
def test_every_api_route_needs_a_user(client, method, path, body):
    r = client.request(method, path, json=body)
    one_line_error(r, 401)
    r = client.request(method, path, json=body, headers={"Authorization": "Bearer ftk_not-a-real-token"})
    assert one_line_error(r, 401) == "invalid API token"
    r = client.request(method, path, json=body, headers={"Authorization": "Basic YW5hOnB3"})
    assert "Bearer" in one_line_error(r, 401)
    if method == "POST":  # a stranger learns nothing from validation: 401 before 422
        one_line_error(client.request(method, path, json={"bogus": [1]}), 401)
        one_line_error(client.request(method, path, content=b"{not json"), 401)


@pytest.mark.parametrize("path", ["/", "/questions", "/questions/rain", "/questions/new", "/review", "/report",
                                  "/questions/rain/history.svg"])
def test_every_page_sends_a_stranger_to_sign_in(client, path):
    r = client.get(path, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")


@pytest.mark.parametrize("path", ["/questions/rain/forecast", "/questions/new", "/review/summit", "/logout"])
def test_every_form_refuses_a_stranger(client, app_store, path):
    r = client.post(path, data={"probability": "50", "outcome": "yes", "text": "t", "deadline": FUTURE})
    assert r.status_code == 401 and "Please sign in" in r.text
    assert count_forecasts(app_store, "rain") == 1


def test_roles(client, app_store):
    ana, rev, lea = bearer(app_store, "ana"), bearer(app_store, "rev"), bearer(app_store, "lea")
    # an analyst resolving
    r = client.post("/api/questions/summit/resolutions", json={"outcome": "yes"}, headers=ana)
    assert one_line_error(r, 403).startswith("only reviewers may resolve; ask a reviewer")
    # a reviewer or a lead forecasting
    for who in (rev, lea):
        r = client.post("/api/questions/rain/forecasts", json={"probability": 0.2}, headers=who)
        assert one_line_error(r, 403).startswith("only analysts may forecast")
    assert count_forecasts(app_store, "rain") == 1
    # the reviewer resolves: recorded under the reviewer's own name
    r = client.post("/api/questions/summit/resolutions", headers=rev,
                    json={"outcome": "yes", "known_at": PAST, "evidence": ["https://example.org/summit"]})
    assert r.status_code == 201, r.text
    assert r.json()["recorded_by"] == "rev" and r.json()["outcome"] == "yes"
    # everyone may add a question
    r = client.post("/api/questions", headers=lea, json={"text": "A second summit is announced", "deadline": FUTURE})
    assert r.status_code == 201 and r.json()["id"] == "a-second-summit-is-announced"


def test_nobody_forecasts_as_another_analyst(client, app_store):
    ana = bearer(app_store, "ana")
    for body in ({"probability": 0.3, "analyst": "bob"}, {"probability": 0.3, "analyst_name": "bob"}):
        r = client.post("/api/questions/rain/forecasts", json=body, headers=ana)
        assert "extra" in one_line_error(r, 422).lower() or "not permitted" in r.json()["error"].lower()
    r = client.post("/api/questions/rain/forecasts", json={"probability": 0.3}, headers=ana)
    assert r.status_code == 201 and r.json()["analyst"] == "ana" and r.json()["source"] == "web"
    # the page form has no analyst field, and one smuggled in is ignored
    client.cookies.clear()
    csrf = sign_in(client, "ana")
    r = client.post("/questions/rain/forecast", data={"probability": "35", "csrf": csrf, "analyst": "bob"})
    assert r.status_code == 200 and "Forecast recorded" in r.text
    q = client.get("/api/questions/rain", headers=ana).json()
    assert [(f["analyst"], f["probability"]) for f in q["forecasts"]] == [("bob", 0.4), ("ana", 0.3), ("ana", 0.35)]


# --------------------------------------------------------------------- CSRF


def test_forms_without_their_csrf_token_are_refused(client, app_store):
    csrf = sign_in(client, "ana")
    for data in ({"probability": "50"}, {"probability": "50", "csrf": "forged"}, {"probability": "50", "csrf": ""}):
        r = client.post("/questions/rain/forecast", data=data)
        assert r.status_code == 403 and "CSRF" in r.text
    r = client.post("/questions/new", data={"text": "Forged question", "deadline": FUTURE})
    assert r.status_code == 403
    # the JSON API, signed in by cookie only, needs the header
    r = client.post("/api/questions/rain/forecasts", json={"probability": 0.5})
    assert "CSRF" in one_line_error(r, 403)
    assert count_forecasts(app_store, "rain") == 1
    r = client.post("/api/questions/rain/forecasts", json={"probability": 0.5}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 201
    r = client.post("/questions/rain/forecast", data={"probability": "55", "csrf": csrf})
    assert r.status_code == 200 and "Forecast recorded" in r.text
    assert count_forecasts(app_store, "rain") == 3


def test_session_cookie_flags(client, app_store, app):
    r = client.post("/login", data={"name": "ana", "password": PASSWORD}, follow_redirects=False)
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower() and "Secure" not in cookie
    with TestClient(app, base_url="https://tracker.example") as tls:
        r = tls.post("/login", data={"name": "ana", "password": PASSWORD}, follow_redirects=False)
        assert "Secure" in r.headers["set-cookie"]
    # only the hash of the session id is stored
    value = re.search(r"tracker_session=([^;]+)", cookie).group(1)
    with app_store.read() as conn:
        stored = [row[0] for row in conn.exec_driver_sql("SELECT id_hash FROM web_session")]
    assert value not in stored and users.digest(value) in stored


def test_sign_in_is_rate_limited(client):
    for _ in range(5):
        r = client.post("/login", data={"name": "ana", "password": "wrong password!"}, follow_redirects=False)
        assert r.status_code == 401 and "wrong user name or password" in r.text
    r = client.post("/login", data={"name": "ana", "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    # another user is not locked out by ana's failures
    r = client.post("/login", data={"name": "bob", "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 303


def test_next_never_leaves_the_server(client):
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        r = client.post("/login", data={"name": "ana", "password": PASSWORD, "next": target}, follow_redirects=False)
        assert r.headers["location"] == "/"


def test_sign_out_ends_the_session(client):
    csrf = sign_in(client, "ana")
    assert client.get("/", follow_redirects=False).status_code == 200
    cookie = client.cookies.get("tracker_session")
    r = client.post("/logout", data={"csrf": csrf}, follow_redirects=False)
    assert r.status_code == 303
    client.cookies.set("tracker_session", cookie)  # replaying the old cookie
    assert client.get("/", follow_redirects=False).status_code == 303


# ------------------------------------------------------------------- tokens


def test_revoked_expired_and_disabled(client, app_store):
    token = users.make_token(app_store, "ana", label="script")
    h = {"Authorization": f"Bearer {token['token']}"}
    assert client.get("/api/me", headers=h).json() == {"name": "ana", "role": "analyst", "via": "token"}
    with app_store.read() as conn:  # only the hash is stored
        assert conn.exec_driver_sql("SELECT token_hash FROM api_token WHERE id = ?", (token["id"],)).scalar() == \
            users.digest(token["token"])
    users.revoke_token(app_store, token["id"])
    assert one_line_error(client.get("/api/me", headers=h), 401) == "this API token was revoked"
    # an expired session
    value, _ = users.start_session(app_store, "bob", now=utcnow() - timedelta(hours=users.SESSION_HOURS + 1))
    client.cookies.set("tracker_session", value)
    assert "expired" in one_line_error(client.get("/api/me"), 401)
    # a disabled user's tokens stop working
    h2 = bearer(app_store, "bob")
    users.set_disabled(app_store, "bob", True)
    assert "disabled" in one_line_error(client.get("/api/me", headers=h2), 401)


# -------------------------------------------------------------- inert text


HOSTILE = '<script>alert(1)</script><img src=x onerror=alert(2)>"\'&'


def test_user_text_is_inert_on_every_page(client, app_store):
    add_question(app_store, {"id": "hostile", "text": HOSTILE, "deadline": SOON, "tags": [HOSTILE[:100]]})
    add_forecast(app_store, "hostile", 0.5, analyst="bob", rationale=HOSTILE)
    rev = bearer(app_store, "rev")
    r = client.post("/api/questions/summit/resolutions", headers=rev, json={
        "outcome": "no", "known_at": PAST, "note": HOSTILE,
        "evidence": ["javascript:alert(3)", "JaVaScRiPt:alert(4)", "data:text/html,<script>alert(5)</script>",
                     "https://example.org/ok"]})
    assert r.status_code == 201, r.text
    csrf = sign_in(client, "ana")
    assert csrf
    pages = ["/", "/questions", "/questions?status=all", "/questions/hostile", "/questions/summit",
             f"/review?quarter={_quarter(date.fromisoformat(SOON))}", f"/review?quarter={_quarter(date.fromisoformat(PAST))}",
             "/report"]
    for path in pages:
        r = client.get(path)
        assert r.status_code == 200, (path, r.text[:300])
        html = r.text
        assert "<script>alert" not in html and "<img src=x" not in html, path
        assert not re.search(r"href\s*=\s*[\"']?\s*(javascript|data):", html, re.I), path
        assert "script-src" not in r.headers["content-security-policy"] or True
        assert "default-src 'none'" in r.headers["content-security-policy"]
    summit = client.get("/questions/summit").text
    assert 'href="https://example.org/ok"' in summit and "javascript:alert(3)" in summit  # shown as text


def _quarter(d: date) -> str:
    return f"{d.year}Q{(d.month - 1) // 3 + 1}"


def test_ids_with_path_characters(client, app_store):
    h = bearer(app_store, "ana")
    for raw in ("..%2F..%2Fetc%2Fpasswd", "%2E%2E", "rain%00", "%3Cscript%3E", "rain%2Fforecasts"):
        r = client.get(f"/api/questions/{raw}", headers=h)
        # a decoded slash makes another path, which GET may not use (405); never another question
        assert r.status_code == (405 if raw.endswith("forecasts") else 404), (raw, r.status_code, r.text)
        assert "\n" not in r.json()["error"] and "rains" not in r.text
    csrf = sign_in(client, "ana")
    r = client.get("/questions/%3Cscript%3Ealert(1)%3C%2Fscript%3E")
    assert r.status_code == 404 and "<script>alert(1)" not in r.text
    r = client.post("/questions/..%2Frain/forecast", data={"probability": "20", "csrf": csrf})
    assert r.status_code == 404


# ------------------------------------------------- errors and the same rules


def test_errors_are_one_line_json(client, app_store):
    h = bearer(app_store, "ana")
    r = client.post("/api/questions/rain/forecasts", content=b"{not json", headers=dict(h, **{"content-type": "application/json"}))
    one_line_error(r, 422)
    one_line_error(client.post("/api/questions/rain/forecasts", json={}, headers=h), 422)
    one_line_error(client.post("/api/questions/rain/forecasts", json={"probability": 0.2, "probabilities": {"a": 1}},
                               headers=h), 422)
    assert one_line_error(client.post("/api/questions/nope/forecasts", json={"probability": 0.2}, headers=h),
                          404) == "no question with id 'nope'"
    one_line_error(client.get("/api/score?mode=sideways", headers=h), 422)
    one_line_error(client.delete("/api/questions/rain", headers=h), 405)
    one_line_error(client.get("/api/nothing-here", headers=h), 404)
    # a body too large is refused before it is read
    r = client.post("/api/questions/rain/forecasts", headers=dict(h, **{"content-length": "5000000"}), content=b"{}")
    assert r.status_code == 413


def test_same_rules_and_messages_as_the_command_line(client, app_store, tmp_path):
    """The API refuses what the CLI refuses, with the CLI's own message."""
    from support import CLI

    h = bearer(app_store, "ana")
    cli = CLI(app_store.url)
    cases = [("rain", "1.5"), ("rain", "150%"), ("rain", "lots"), ("venue", "0.3"), ("summit", "0.3")]
    for qid, value in cases:
        api = client.post(f"/api/questions/{qid}/forecasts", json={"probability": value}, headers=h)
        message = api.json()["error"]
        assert api.status_code == 422, (qid, value, api.text)
        out = cli("forecast", qid, value, "--analyst", "ana")
        assert out.exit_code == 1 and message in out.stderr, (message, out.stderr)
    r = client.post("/api/questions/venue/forecasts", headers=h,
                    json={"probabilities": {"helsinki": 0.5, "vienna": 0.2, "none": 0.2}})
    assert "sum" in one_line_error(r, 422)
    r = client.post("/api/questions/venue/forecasts", headers=h,
                    json={"probabilities": {"helsinki": 0.5, "vienna": 0.3, "none": 0.2}})
    assert r.status_code == 201 and r.json()["probabilities"] == {"helsinki": 0.5, "vienna": 0.3, "none": 0.2}


def test_score_and_todo_match_the_services(client, app_store):
    from tracker.services.score import score
    from tracker.services.week import todo as week_todo

    rev, ana = bearer(app_store, "rev"), bearer(app_store, "ana")
    add_forecast(app_store, "summit", 0.8, analyst="ana", now=utcnow() - timedelta(days=10))
    client.post("/api/questions/summit/resolutions", headers=rev, json={"outcome": "yes", "known_at": PAST})
    api = client.get("/api/score?by=analyst", headers=ana).json()
    cli = json.loads(json.dumps(score(app_store, by="analyst"), default=str))
    assert [row["group"] for row in api] == [row["group"] for row in cli] == ["ana"]
    assert api[0]["brier"] == pytest.approx(0.04) and set(api[0]) == set(cli[0])
    todo = client.get("/api/todo", headers=ana).json()
    groups = {g["key"]: [item["id"] for item in g["questions"]] for g in todo["groups"]}
    assert groups == {"awaiting": [], "new": ["venue", "rain"], "due": [], "stale": []}
    rain = todo["groups"][1]["questions"][1]
    assert (rain["id"], rain["median"], rain["mine"], rain["n_analysts"]) == ("rain", 0.4, None, 1)
    from tracker.jsonable import dumps

    direct = json.loads(dumps(week_todo(app_store, analyst="ana")))
    assert {k: v for k, v in todo.items() if k != "as_of"} == {k: v for k, v in direct.items() if k != "as_of"}


def test_healthz_and_openapi(client):
    assert client.get("/healthz").json() == {"status": "ok", "database": "sqlite"}
    spec = client.get("/openapi.json").json()
    for path in ("/api/questions", "/api/questions/{question_id}", "/api/questions/{question_id}/forecasts",
                 "/api/questions/{question_id}/resolutions", "/api/score", "/api/todo", "/healthz"):
        assert path in spec["paths"], path
    assert "/login" not in spec["paths"]
    body = spec["paths"]["/api/questions/{question_id}/forecasts"]["post"]["requestBody"]
    assert set(body["content"]["application/json"]["schema"]["properties"]) == {"probability", "probabilities", "rationale"}


# ------------------------------------------------------------------- pages


def test_pages_forecast_add_review_and_report(client, app_store):
    csrf = sign_in(client, "ana")
    week = client.get("/").text
    assert "Not yet forecast by you (2)" in week and "It rains in Vienna" in week
    # a categorical forecast from the question page
    r = client.post("/questions/venue/forecast", data={"csrf": csrf, "p_helsinki": "50", "p_vienna": "30", "p_none": "20"})
    assert "Forecast recorded" in r.text and "helsinki 50%" in r.text
    r = client.post("/questions/venue/forecast", data={"csrf": csrf, "p_helsinki": "50", "p_vienna": "30"})
    assert r.status_code == 422 and "every outcome" in r.text
    r = client.post("/questions/rain/forecast", data={"csrf": csrf, "probability": "150"})
    assert r.status_code == 422 and "outside [0, 1]" in r.text
    r = client.post("/questions/new", data={"csrf": csrf, "text": "Talks resume in Geneva", "deadline": FUTURE,
                                            "tags": "talks, geneva"})
    assert "Question added" in r.text and "tags geneva, talks" in r.text
    r = client.post("/questions/new", data={"csrf": csrf, "text": "Talks resume in Geneva", "deadline": FUTURE})
    assert r.status_code == 409 and "already exists" in r.text
    r = client.post("/questions/new", data={"csrf": csrf, "text": "Bad date", "deadline": "2019-02-29"})
    assert r.status_code == 422
    # the analyst sees no resolve form; the reviewer does
    quarter = _quarter(date.fromisoformat(PAST))
    assert 'action="/review/summit"' not in client.get(f"/review?quarter={quarter}").text
    client.cookies.clear()
    csrf = sign_in(client, "rev")
    page = client.get(f"/review?quarter={quarter}").text
    assert 'action="/review/summit"' in page
    r = client.post("/review/summit", data={"csrf": csrf, "quarter": quarter, "outcome": "annulled"})
    assert r.status_code == 422 and "reason" in r.text
    r = client.post("/review/summit", data={"csrf": csrf, "quarter": quarter, "outcome": "no", "known_at": PAST,
                                            "evidence": "https://example.org/a\nhttps://example.org/b"})
    assert r.status_code == 200 and "now: no" in r.text
    r = client.post("/review/summit", data={"csrf": csrf, "quarter": quarter, "outcome": "yes", "known_at": PAST,
                                            "supersede": "on", "reason": "misread the wire"})
    assert r.status_code == 200 and "now: yes" in r.text
    q = client.get("/api/questions/summit", headers={"X-CSRF-Token": csrf}).json()
    assert [(r["outcome"], r["current"]) for r in q["resolutions"]] == [("no", False), ("yes", True)]
    assert q["resolutions"][0]["evidence"] == ["https://example.org/a", "https://example.org/b"]
    report = client.get("/report")
    assert report.status_code == 200 and "<html" in report.text.lower()


def test_no_connection_leaks_after_5000_requests(app_store, app):
    h = bearer(app_store, "ana")
    pool = app_store.engine.pool
    with TestClient(app) as client:
        for i in range(5000):
            if i % 10 == 0:
                r = client.post("/api/questions/rain/forecasts", json={"probability": (i % 100) / 100}, headers=h)
                assert r.status_code == 201
            elif i % 10 == 1:
                assert client.get("/api/questions/nope", headers=h).status_code == 404
            else:
                assert client.get("/healthz").status_code == 200
        assert pool.checkedout() == 0
        assert pool.checkedin() <= 4
    assert count_forecasts(app_store, "rain") == 1 + 500


# ------------------------------------------------ the forecast path's cost


class StatementLog:
    """The statements an engine runs and the connections it checks out,
    while recording."""

    def __init__(self, engine):
        from sqlalchemy import event

        self.statements: list[str] = []
        self.checkouts = 0
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine.pool, "checkout", self._checkout)

    def _statement(self, conn, cursor, statement, *args):
        self.statements.append(" ".join(statement.split()))

    def _checkout(self, *args):
        self.checkouts += 1

    def clear(self):
        self.statements.clear()
        self.checkouts = 0

    def kinds(self) -> list[str]:
        """Each statement as its verb and table (a SELECT: the table of its first column)."""
        out = []
        for s in self.statements:
            words = s.split()
            if words[0] == "SELECT":
                out.append("SELECT " + words[1].split(".")[0])
            elif words[0] == "INSERT":
                out.append("INSERT " + words[2])
            else:
                out.append(" ".join(words[:2]))
        return out


def test_a_forecast_costs_four_statements_on_one_connection(client, app_store):
    """BEGIN IMMEDIATE, the token (and its user), the question with its
    current resolution, the team settings and whether the analyst has a row
    (one query), the insert: the path cannot silently grow again."""
    h = bearer(app_store, "ana")
    log = StatementLog(app_store.engine)
    r = client.post("/api/questions/rain/forecasts", json={"probability": 0.3}, headers=h)
    assert r.status_code == 201, r.text
    # ana's first forecast: her analyst row is added on the way (once)
    assert log.kinds() == ["BEGIN IMMEDIATE", "SELECT app_user", "SELECT question", "SELECT analyst",
                           "INSERT analyst", "INSERT forecast"]
    for value in (0.35, 0.4):
        log.clear()
        r = client.post("/api/questions/rain/forecasts", json={"probability": value}, headers=h)
        assert r.status_code == 201, r.text
        assert log.kinds() == ["BEGIN IMMEDIATE", "SELECT app_user", "SELECT question", "INSERT forecast"]
        assert log.checkouts == 1
    # refused before the database: no credentials at all
    log.clear()
    one_line_error(client.post("/api/questions/rain/forecasts", json={"probability": 0.5}), 401)
    assert log.statements == [] and log.checkouts == 0
    # a reader: the user and the question's reads on one connection
    log.clear()
    q = client.get("/api/questions/rain", headers=h).json()
    assert log.checkouts == 1 and log.kinds()[:2] == ["BEGIN", "SELECT app_user"]
    assert [(f["analyst"], f["probability"]) for f in q["forecasts"]] == [
        ("bob", 0.4), ("ana", 0.3), ("ana", 0.35), ("ana", 0.4)]


def test_the_one_query_reads_what_the_services_read(app_store):
    """forecast_context: the same question row, current resolution (the
    last of a superseding chain) and settings as the services' own reads."""
    from tracker.services.common import current_resolution, question_row
    from tracker.services.log import resolve
    from tracker.services.week import read_settings, set_team_setting, settings_from
    from tracker.storage.forecast_context import QUESTION_COLUMNS, RESOLUTION_COLUMNS, forecast_context

    resolve(app_store, "summit", "no", recorded_by="rev", known_at=utcnow() - timedelta(days=4))
    resolve(app_store, "summit", "yes", recorded_by="rev", known_at=utcnow() - timedelta(days=4),
            supersede=True, reason="misread")
    set_team_setting(app_store, "timezone", "Pacific/Auckland")
    with app_store.read() as conn:
        for qid, analyst, known in (("summit", "bob", True), ("rain", "nobody", False), ("venue", "bob", True)):
            question, resolution, settings, analyst_known = forecast_context(conn, qid, analyst)
            row = question_row(conn, qid)
            assert dict(question) == {k: row[k] for k in QUESTION_COLUMNS}
            current = current_resolution(conn, qid)
            assert resolution == (None if current is None else {k: current[k] for k in RESOLUTION_COLUMNS})
            assert settings_from(settings) == read_settings(conn) == {"timezone": "Pacific/Auckland", "blind": False}
            assert analyst_known is known
        assert forecast_context(conn, "summit", "bob")[1]["outcome"] == "yes"
        with pytest.raises(users.NotFoundError, match="no question with id 'nope'"):
            forecast_context(conn, "nope", "bob")


def test_a_revoked_token_is_refused_at_the_next_request(client, app_store):
    token = users.make_token(app_store, "ana")
    h = {"Authorization": f"Bearer {token['token']}"}
    assert client.post("/api/questions/rain/forecasts", json={"probability": 0.3}, headers=h).status_code == 201
    users.revoke_token(app_store, token["id"])
    r = client.post("/api/questions/rain/forecasts", json={"probability": 0.6}, headers=h)
    assert one_line_error(r, 401) == "this API token was revoked"
    assert one_line_error(client.get("/api/questions/rain", headers=h), 401) == "this API token was revoked"
    assert count_forecasts(app_store, "rain") == 2
    # a user disabled between two requests: refused at the next one too
    h2 = bearer(app_store, "ana")
    assert client.post("/api/questions/rain/forecasts", json={"probability": 0.3}, headers=h2).status_code == 201
    users.set_disabled(app_store, "ana", True)
    assert "disabled" in one_line_error(client.post("/api/questions/rain/forecasts", json={"probability": 0.3},
                                                    headers=h2), 401)
    assert count_forecasts(app_store, "rain") == 3


# --------------------------------------------------------------- API docs


def test_api_docs_are_served_from_the_server(client):
    """/docs is a page of this server: no script, nothing from another host,
    every API route with its method, parameters and body fields."""
    r = client.get("/docs")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    page = r.text
    assert "<script" not in page.lower()
    assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", page, re.I)
    assert "http://" not in page and "https://" not in page
    assert "default-src 'none'" in r.headers["content-security-policy"]
    spec = client.get("/openapi.json").json()
    operations = [(m.upper(), p) for p, item in spec["paths"].items() for m in item]
    assert len(operations) >= 9 and page.count('<section class="card"') == len(operations)
    for method, path in operations:
        assert f"<code>{method} {path}</code>" in page, (method, path)
    for path in ("/api/questions", "/api/questions/{question_id}", "/api/questions/{question_id}/forecasts",
                 "/api/questions/{question_id}/resolutions", "/api/score", "/api/todo", "/api/me"):
        assert path in spec["paths"]
    # a body's fields and a query parameter's limits, read from the schema
    forecast = page.split('id="post--api-questions-question_id-forecasts"')[1].split("</section>")[0]
    assert "<code>probability</code>" in forecast and "<code>rationale</code>" in forecast
    assert "map of string to number or string" in forecast
    score = page.split('id="get--api-score"')[1].split("</section>")[0]
    assert "one of: final, initial, time-weighted" in score and "&gt;= 1; &lt;= 1000; default 10" in score
    assert client.get("/redoc").status_code == 404
