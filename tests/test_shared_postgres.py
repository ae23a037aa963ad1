"""One PostgreSQL server, several teams: each database its own group roles
(nothing leaks to another database), grants on the tracker's tables only,
times set by the server, row-level security without gaps, and refusals that
name the missing right. Everything runs against the real server: two
databases made for the test, several login roles, raw SQL as those roles."""

from __future__ import annotations

import json
import secrets
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

import pytest

from support import CLI, PG_BASE, dump_db, pg_reason

pytestmark = pytest.mark.postgres

UTC = timezone.utc
TODAY = datetime.now(UTC).date()
FUTURE = (TODAY + timedelta(days=60)).isoformat()


def js(result):
    return json.loads(result.stdout)


def _admin(dbname: str = "test"):
    import psycopg

    return psycopg.connect(f"host=127.0.0.1 port=5432 dbname={dbname} user=postgres", autocommit=True)


def _connect(dbname: str, role: str):
    import psycopg

    return psycopg.connect(f"host=127.0.0.1 port=5432 dbname={dbname} user={role}", connect_timeout=10)


class Cluster:
    """Databases and login roles made for one test, dropped afterwards."""

    def __init__(self):
        self.databases: list[str] = []
        self.roles: list[str] = []

    def database(self) -> tuple[str, str]:
        from tracker.storage import open_store

        name = "tr_" + secrets.token_hex(6)
        with _admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        self.databases.append(name)
        url = PG_BASE.rsplit("/", 1)[0] + "/" + name
        open_store(url, upgrade=True).dispose()
        return name, url

    def role(self, prefix: str) -> str:
        name = f"{prefix}_{secrets.token_hex(4)}"
        self.roles.append(name)
        return name

    def drop(self):
        from tracker.services.admin import group_names

        with _admin() as conn:
            for name in self.databases:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            for name in self.roles:
                conn.execute(f'DROP ROLE IF EXISTS "{name}"')
            for name in self.databases:
                for group in group_names(name, "public").values():
                    conn.execute(f'DROP ROLE IF EXISTS "{group}"')


@pytest.fixture
def cluster():
    reason = pg_reason()
    if reason:
        pytest.skip(reason)
    c = Cluster()
    try:
        yield c
    finally:
        c.drop()


def as_role(url: str, name: str) -> CLI:
    return CLI(url.replace("://postgres@", f"://{quote(name, safe='')}@", 1))


@pytest.fixture
def team(cluster):
    """Database A (analyst alice, reviewer rita) and database B (analyst
    dave), each with a question 'meet'."""
    a_name, a_url = cluster.database()
    b_name, b_url = cluster.database()
    alice, rita, dave = cluster.role("alice"), cluster.role("rita"), cluster.role("dave")
    for url in (a_url, b_url):
        CLI(url).ok("question", "add", "Trump and Putin meet", "--deadline", FUTURE, "--id", "meet")
    CLI(a_url).ok("db", "grant-analyst", alice)
    CLI(a_url).ok("db", "grant-reviewer", rita)
    CLI(b_url).ok("db", "grant-analyst", dave)
    return {"a": (a_name, a_url), "b": (b_name, b_url), "alice": alice, "rita": rita, "dave": dave, "cluster": cluster}


# ------------------------------------------------------ grants per database


def test_a_grant_on_one_database_gives_nothing_on_another(team):
    import psycopg

    (a_name, a_url), (b_name, b_url) = team["a"], team["b"]
    alice, dave = team["alice"], team["dave"]
    # the group roles are the database's own
    with _admin() as conn:
        groups = {r[0]: r[1] for r in conn.execute(
            "SELECT u.rolname, g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
            "JOIN pg_roles u ON u.oid = m.member WHERE u.rolname IN (%s, %s)", (alice, dave))}
        assert groups == {alice: f"tracker_analyst_{a_name}", dave: f"tracker_analyst_{b_name}"}
        # PUBLIC may no longer connect to either database
        for name in (a_name, b_name):
            acl = conn.execute("SELECT datacl::text FROM pg_database WHERE datname = %s", (name,)).fetchone()[0]
            public = [e for e in acl.strip("{}").split(",") if e.startswith("=")]
            assert all("c" not in e.split("/")[0] for e in public), acl
    before = dump_db(b_url)
    alice_on_b = as_role(b_url, alice)
    for args in (("list",), ("forecast", "meet", "0.9", "--analyst", alice),
                 ("question", "add", "Mine", "--deadline", FUTURE, "--id", "mine")):
        alice_on_b.fails(*args, match="permission denied for database")
    with pytest.raises(psycopg.OperationalError, match="permission denied for database"):
        _connect(b_name, alice)
    assert dump_db(b_url) == before
    # each works on its own database
    as_role(a_url, alice).ok("forecast", "meet", "0.4", "--analyst", alice)
    as_role(b_url, dave).ok("forecast", "meet", "0.6", "--analyst", dave)
    assert [f[2] for f in dict(dump_db(b_url))["forecasts"]] == [dave]


def test_grants_cover_the_tracker_tables_only(team):
    import psycopg

    a_name, _ = team["a"]
    with _admin(a_name) as conn:
        conn.execute("CREATE TABLE payroll (name text, salary int)")
        conn.execute("INSERT INTO payroll VALUES ('owner', 100)")
    with _connect(a_name, team["alice"]) as conn:
        assert conn.execute("SELECT id FROM question").fetchall() == [("meet",)]
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied for table payroll"):
            conn.execute("SELECT * FROM payroll")


def test_an_analyst_is_not_made_a_reviewer_and_back(team):
    _, a_url = team["a"]
    admin = CLI(a_url)
    admin.fails("db", "grant-analyst", team["rita"],
                match=f"{team['rita']} is already a reviewer of this database; a role is an analyst or a reviewer, not both")
    admin.fails("db", "grant-reviewer", team["alice"], match="is already an analyst of this database")
    admin.fails("db", "grant-analyst", "postgres", match="postgres is a superuser")


# ------------------------------------------------------- times from the server


def test_the_server_sets_recorded_at_and_a_live_forecast_is_made_when_recorded(team):
    import psycopg

    a_name, a_url = team["a"]
    alice = team["alice"]
    with _connect(a_name, alice) as conn:
        conn.execute("INSERT INTO analyst (name, created_at) VALUES (%s, now())", (alice,))
        server_now = conn.execute("SELECT now()").fetchone()[0]
        conn.execute(
            "INSERT INTO forecast (question_id, analyst, probability, made_at, recorded_at, imported) "
            "VALUES ('meet', %s, 0.99, '2018-06-01T00:00:00Z', '2018-06-01T00:00:00Z', false)", (alice,))
        made, recorded, imported = conn.execute(
            "SELECT made_at, recorded_at, imported FROM forecast WHERE analyst = %s", (alice,)).fetchone()
        assert made == recorded == server_now and imported is False
        conn.commit()
        # history only the owner records
        with pytest.raises(psycopg.errors.InsufficientPrivilege,
                           match="only the owner of the database records imported history"):
            conn.execute(
                "INSERT INTO forecast (question_id, analyst, probability, made_at, recorded_at, imported) "
                "VALUES ('meet', %s, 0.99, '2018-06-01T00:00:00Z', '2018-06-01T00:00:00Z', true)", (alice,))
        conn.rollback()
        # and, with no time given, the server's
        conn.execute("INSERT INTO forecast (question_id, analyst, probability, made_at, imported) "
                     "VALUES ('meet', %s, 0.5, now(), false)", (alice,))
        conn.commit()
    CLI(a_url).ok("resolve", "meet", "yes")
    with _connect(a_name, alice) as conn:
        with pytest.raises(psycopg.errors.CheckViolation, match="question meet is already resolved: no more forecasts"):
            conn.execute(
                "INSERT INTO forecast (question_id, analyst, probability, made_at, recorded_at, imported) "
                "VALUES ('meet', %s, 1.0, '2018-06-01T00:00:00Z', '2018-06-01T00:00:00Z', false)", (alice,))
    # the reviewer's resolution time is the server's too
    CLI(a_url).ok("question", "add", "Vienna", "--deadline", FUTURE, "--id", "vienna")
    rita = team["rita"]
    with _connect(a_name, rita) as conn:
        server_now = conn.execute("SELECT now()").fetchone()[0]
        conn.execute("INSERT INTO resolution (question_id, outcome, annulled, known_at, recorded_at, recorded_by, evidence) "
                     "VALUES ('vienna', 'no', false, now(), '2018-01-01T00:00:00Z', %s, '[]')", (rita,))
        assert conn.execute("SELECT recorded_at FROM resolution WHERE question_id = 'vienna'").fetchone()[0] == server_now
    result = CLI(a_url)("db", "verify", "--json")
    assert js(result)["ok"] is True, result.stdout


# ------------------------------------------------------ row-level security


def test_analysts_tag_only_the_questions_they_add(team):
    import psycopg

    a_name, _ = team["a"]
    with _connect(a_name, team["alice"]) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            conn.execute("INSERT INTO question_tag (question_id, tag) VALUES ('meet', 'hijacked')")
        conn.rollback()
        conn.execute("INSERT INTO question (id, text, kind, outcomes, ordered, deadline, opened_at, created_at) "
                     "VALUES ('mine', 'Mine', 'binary', '[\"yes\", \"no\"]', false, %s, now(), now())", (FUTURE,))
        conn.execute("INSERT INTO question_tag (question_id, tag) VALUES ('mine', 'russia')")
        conn.commit()
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            conn.execute("INSERT INTO question_tag (question_id, tag) VALUES ('mine', 'later')")
    with _admin(a_name) as conn:
        assert conn.execute("SELECT question_id, tag FROM question_tag").fetchall() == [("mine", "russia")]


@pytest.mark.parametrize("values, constraint", [
    ("('self', 'T', 'binary', '[\"yes\", \"no\"]', false, '2030-01-01', now(), now(), 'self', 'yes')",
     "ck_question_not_self_conditional"),
    ("('empty', 'T', 'categorical', '[]', false, '2030-01-01', now(), now(), NULL, NULL)", "ck_question_outcomes"),
    ("('one', 'T', 'categorical', '[\"a\"]', false, '2030-01-01', now(), now(), NULL, NULL)", "ck_question_outcomes"),
    ("('late', 'T', 'binary', '[\"yes\", \"no\"]', false, '2018-01-01', now(), now(), NULL, NULL)",
     "ck_question_opened_by_deadline"),
    ("('half', 'T', 'binary', '[\"yes\", \"no\"]', false, '2030-01-01', now(), now(), 'meet', NULL)",
     "ck_question_condition_pair"),
])
def test_questions_the_tool_refuses_the_database_refuses(team, values, constraint):
    import psycopg

    a_name, _ = team["a"]
    with _connect(a_name, team["alice"]) as conn:
        with pytest.raises(psycopg.errors.CheckViolation, match=constraint):
            conn.execute("INSERT INTO question (id, text, kind, outcomes, ordered, deadline, opened_at, created_at, "
                         f"condition_question_id, condition_outcome) VALUES {values}")


def test_set_role_to_the_group_does_not_forecast(team):
    import psycopg
    from tracker.services.admin import group_names

    a_name, _ = team["a"]
    group = group_names(a_name, "public")["analyst"]
    with _connect(a_name, team["alice"]) as conn:
        conn.execute(f'SET ROLE "{group}"')
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            conn.execute("INSERT INTO analyst (name, created_at) VALUES (%s, now())", (group,))
        conn.rollback()
        conn.execute(f'SET ROLE "{group}"')
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            conn.execute("INSERT INTO question (id, text, kind, outcomes, ordered, deadline, opened_at, created_at) "
                         "VALUES ('anon', 'T', 'binary', '[\"yes\", \"no\"]', false, '2030-01-01', now(), now())")


def test_a_reviewer_records_under_their_own_name_only(team):
    import psycopg

    a_name, a_url = team["a"]
    rita = team["rita"]
    me = as_role(a_url, rita)
    me.fails("resolve", "meet", "yes", "--reviewer", "adv_owner",
             match=f"permission denied: reviewers record resolutions under their own name only ({rita})")
    with _connect(a_name, rita) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            conn.execute("INSERT INTO resolution (question_id, outcome, annulled, known_at, recorded_at, recorded_by, evidence) "
                         "VALUES ('meet', 'no', false, now(), now(), 'adv_owner', '[]')")
    assert dict(dump_db(a_url))["resolutions"] == []
    me.ok("resolve", "meet", "yes", "--reviewer", rita)


# ---------------------------------------------------- the tool, as those roles


def test_an_analyst_imports_a_csv_under_row_level_security(team, tmp_path):
    _, a_url = team["a"]
    alice = team["alice"]
    me = as_role(a_url, alice)
    own = tmp_path / "own.csv"
    own.write_text(f"question,analyst,probability\nmeet,{alice},0.35\nmeet,{alice},0.6\n")
    result = js(me.ok("import", str(own), "--json"))
    assert result["forecasts_added"] == 2 and result["questions_created"] == 0
    got = [(f[1], f[2], f[3], f[7]) for f in dict(dump_db(a_url))["forecasts"]]
    assert got == [("meet", alice, 0.35, False), ("meet", alice, 0.6, False)]
    # another analyst's rows, or history with claimed times, are refused whole
    other = tmp_path / "other.csv"
    other.write_text(f"question,analyst,probability\nmeet,{alice},0.4\nmeet,bob,0.4\n")
    me.fails("import", str(other), match=f"permission denied: analysts forecast under their own name only ({alice})")
    history = tmp_path / "history.csv"
    history.write_text(f"question,analyst,probability,made_at\nmeet,{alice},0.1,2018-06-01\n")
    me.fails("import", str(history), match="only the owner of the database records imported history")
    assert len(dict(dump_db(a_url))["forecasts"]) == 2
    # the owner does record history
    history.write_text(f"question,analyst,probability,made_at\nmeet,{alice},0.1,{TODAY.isoformat()}\n")
    CLI(a_url).ok("import", str(history))
    assert len(dict(dump_db(a_url))["forecasts"]) == 3


def test_without_tracker_analyst_the_analyst_is_the_database_role(team, monkeypatch):
    _, a_url = team["a"]
    alice = team["alice"]
    monkeypatch.delenv("TRACKER_ANALYST", raising=False)
    out = as_role(a_url, alice).ok("forecast", "meet", "0.45", "--json")
    assert js(out)["analyst"] == alice
    as_role(a_url, team["rita"]).ok("resolve", "meet", "no")
    assert [r[7] for r in dict(dump_db(a_url))["resolutions"]] == [team["rita"]]


def test_refusals_name_the_missing_right(team):
    _, a_url = team["a"]
    alice, rita = team["alice"], team["rita"]
    as_role(a_url, alice).fails("resolve", "meet", "yes", "--reviewer", alice,
                                match="permission denied: analysts may not resolve; ask a reviewer")
    as_role(a_url, rita).fails("forecast", "meet", "0.5", "--analyst", rita,
                               match="permission denied: reviewers may not forecast; ask an analyst")
    as_role(a_url, rita).fails("question", "add", "Q", "--deadline", FUTURE, "--id", "q2",
                               match="permission denied: reviewers may not add or change questions; ask an analyst")
