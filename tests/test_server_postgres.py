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
            n = conn.exec_driver_sql(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = ''"
                " AND backend_type = 'client backend'").scalar()
        assert n <= 3 + 1  # the pool, at most, plus this connection's own count
