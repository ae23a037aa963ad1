"""The team server on PostgreSQL acts as each user's database role: the
database's own grants and row-level security protect the web as they protect
the command line, checked by writing directly through the server's
connection as that user."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient  # noqa: E402

from tracker.errors import DatabaseError, ForbiddenError, TrackerError, ValidationError  # noqa: E402
from tracker.models import utcnow  # noqa: E402
from tracker.services import users  # noqa: E402
from tracker.services.admin import grant_role  # noqa: E402
from tracker.services.common import T_FORECAST, T_RESOLUTION  # noqa: E402
from tracker.services.log import add_question  # noqa: E402
from tracker.storage import open_store  # noqa: E402
from tracker.web import create_app  # noqa: E402

pytestmark = pytest.mark.postgres
PASSWORD = "correct horse battery"


@pytest.fixture
def team(pg_url):
    import psycopg

    sfx = secrets.token_hex(4)
    names = {k: f"{k}_{sfx}" for k in ("ana", "bob", "rev", "ghost")}
    store = open_store(f"{pg_url}&application_name=srv_{sfx}", upgrade=True, pool_size=3)
    try:
        grant_role(store, names["ana"], "analyst")
        grant_role(store, names["bob"], "analyst")
        grant_role(store, names["rev"], "reviewer")
        for key, role in (("ana", "analyst"), ("bob", "analyst"), ("rev", "reviewer")):
            users.add_user(store, names[key], role, PASSWORD)
        add_question(store, {"id": "rain", "text": "It rains", "deadline": (utcnow() + timedelta(days=30)).date()})
        yield store, names
    finally:
        store.dispose()
        with psycopg.connect("host=127.0.0.1 port=5432 dbname=test user=postgres", autocommit=True) as conn:
            for role in names.values():
                conn.execute(f'DROP ROLE IF EXISTS "{role}"')


def token(store, name):
    return {"Authorization": "Bearer " + users.make_token(store, name)["token"]}


def test_a_user_needs_a_database_role(team):
    store, names = team
    with pytest.raises(ValidationError, match="needs a database role: run 'tracker db grant-analyst"):
        users.add_user(store, names["ghost"], "analyst", PASSWORD)


def test_requests_run_as_the_users_role(team):
    store, names = team
    app = create_app(store.url, store=store)
    with TestClient(app) as client:
        r = client.post("/api/questions/rain/forecasts", json={"probability": 0.3}, headers=token(store, names["ana"]))
        assert r.status_code == 201, r.text
        assert r.status_code == 201 and r.json()["analyst"] == names["ana"]
        r = client.post("/api/questions/rain/resolutions", json={"outcome": "yes"}, headers=token(store, names["ana"]))
        assert r.status_code == 403
    ana = store.as_role(names["ana"])
    with ana.read() as conn:
        assert conn.exec_driver_sql("SELECT current_user").scalar() == names["ana"]
    # the same writes, straight through the server's connection as ana: the database refuses them
    row = dict(question_id="rain", analyst=names["bob"], probability=0.9, made_at=utcnow(), recorded_at=utcnow(),
               imported=False, source="web")
    with pytest.raises(TrackerError):
        ana.run_write(lambda conn: conn.execute(T_FORECAST.insert().values(**row)))
    with pytest.raises(TrackerError):
        ana.run_write(lambda conn: conn.execute(T_RESOLUTION.insert().values(
            question_id="rain", outcome="yes", annulled=False, known_at=utcnow(), recorded_at=utcnow(),
            recorded_by=names["ana"], evidence=[])))
    # the accounts table is the owner's alone
    with pytest.raises((TrackerError, DatabaseError)):
        with ana.read() as conn:
            conn.exec_driver_sql("SELECT password_hash FROM app_user").all()
    with store.read() as conn:
        assert [tuple(r) for r in conn.exec_driver_sql("SELECT analyst, probability FROM forecast")] == [(names["ana"], 0.3)]


def test_a_role_the_server_cannot_act_as_is_refused(team):
    store, names = team
    with pytest.raises(ForbiddenError, match="may not act as database role"):
        with store.as_role("no_such_role_" + secrets.token_hex(3)).read() as conn:
            conn.exec_driver_sql("SELECT 1")


def test_pool_does_not_leak_on_postgres(team):
    store, names = team
    app = create_app(store.url, store=store)
    h = token(store, names["ana"])
    with TestClient(app) as client:
        for i in range(300):
            assert client.get("/api/questions/rain", headers=h).status_code == 200
            if i % 30 == 0:
                assert client.post("/api/questions/rain/forecasts", json={"probability": 0.5}, headers=h).status_code == 201
        assert store.engine.pool.checkedout() == 0
        with store.read() as conn:
            # this store's connections only (its application_name): other tests, run beside this one on
            # other workers, connect to the same database
            n = conn.exec_driver_sql(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND application_name = current_setting('application_name') AND backend_type = 'client backend'"
            ).scalar()
        assert 1 <= n <= 3  # the pool's connections, at most its size (this one among them)


def test_a_forecast_costs_three_statements_on_one_connection(team):
    """The token (and its user) read by the same statement that makes the
    transaction act as the user's role, then the question with its current
    resolution, the team settings and whether the analyst has a row (one
    query), then the insert (the database's triggers and row-level security
    run with it): the path cannot silently grow again."""
    from test_server import StatementLog

    store, names = team
    app = create_app(store.url, store=store)
    h = token(store, names["ana"])
    with TestClient(app) as client:
        assert client.post("/api/questions/rain/forecasts", json={"probability": 0.3}, headers=h).status_code == 201
        log = StatementLog(store.engine)
        r = client.post("/api/questions/rain/forecasts", json={"probability": 0.35}, headers=h)
        assert r.status_code == 201, r.text
        assert log.kinds() == ["SELECT app_user", "SELECT question", "INSERT forecast"]
        assert "set_config" in log.statements[0] and log.checkouts == 1
        # reading a question: the user, then the question's own reads, on one connection
        log.clear()
        assert client.get("/api/questions/rain", headers=h).status_code == 200
        assert log.kinds()[0] == "SELECT app_user" and log.checkouts == 1
    with store.read() as conn:
        assert [tuple(r) for r in conn.exec_driver_sql("SELECT analyst, probability FROM forecast ORDER BY id")] == [
            (names["ana"], 0.3), (names["ana"], 0.35)]


def test_a_revoked_token_is_refused_at_the_next_request_on_postgres(team):
    store, names = team
    app = create_app(store.url, store=store)
    made = users.make_token(store, names["ana"])
    h = {"Authorization": f"Bearer {made['token']}"}
    with TestClient(app) as client:
        assert client.post("/api/questions/rain/forecasts", json={"probability": 0.3}, headers=h).status_code == 201
        users.revoke_token(store, made["id"])
        r = client.post("/api/questions/rain/forecasts", json={"probability": 0.6}, headers=h)
        assert r.status_code == 401 and r.json()["error"] == "this API token was revoked"
        # the refused request left no role behind on the pooled connection
        with store.read() as conn:
            assert conn.exec_driver_sql("SELECT current_user").scalar() == "postgres"
            assert conn.exec_driver_sql("SELECT count(*) FROM forecast").scalar() == 1


def test_a_user_whose_database_role_is_gone_is_refused(team):
    import psycopg

    store, names = team
    app = create_app(store.url, store=store)
    ghost = names["ghost"]
    grant_role(store, ghost, "analyst")
    users.add_user(store, ghost, "analyst", PASSWORD)
    h = token(store, ghost)
    with psycopg.connect("host=127.0.0.1 port=5432 dbname=test user=postgres", autocommit=True) as conn:
        conn.execute(f'DROP OWNED BY "{ghost}"')
        conn.execute(f'DROP ROLE "{ghost}"')
    with TestClient(app) as client:
        r = client.post("/api/questions/rain/forecasts", json={"probability": 0.3}, headers=h)
        assert r.status_code == 403, r.text
        assert r.json()["error"].startswith(f"the server may not act as database role '{ghost}'")
        assert client.get("/api/questions/rain", headers=h).status_code == 403
    with store.read() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM forecast").scalar() == 0


def test_a_pooled_connection_closed_while_idle_is_replaced(team, monkeypatch):
    """No round trip per request to check the connection: one that sat idle
    is pinged at checkout, and replaced when the database closed it."""
    import psycopg

    import tracker.storage as storage

    store, names = team
    app = create_app(store.url, store=store)
    h = token(store, names["ana"])
    with TestClient(app) as client:
        assert client.get("/api/questions/rain", headers=h).status_code == 200
        with store.read() as conn:
            pids = [r[0] for r in conn.exec_driver_sql("SELECT pg_backend_pid()")]
        with psycopg.connect("host=127.0.0.1 port=5432 dbname=test user=postgres", autocommit=True) as admin:
            assert admin.execute("SELECT pg_terminate_backend(%s)", (pids[0],)).fetchone()[0]
        monkeypatch.setattr(storage, "IDLE_PING_SECONDS", 0.0)
        for _ in range(4):
            r = client.post("/api/questions/rain/forecasts", json={"probability": 0.4}, headers=h)
            assert r.status_code == 201, r.text
    with store.read() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM forecast").scalar() == 4
