"""The lossless JSON export/import and the --json output contract."""

from __future__ import annotations

import copy
import json
import re
import secrets
from datetime import datetime, timedelta, timezone

import pytest

from support import CLI, PG_BASE, dump_db
from tracker.storage import HEAD

TODAY = datetime.now(timezone.utc).date()
FUTURE = (TODAY + timedelta(days=30)).isoformat()

HISTORY_CSV = """\
question,analyst,probability,made_at
summit-vienna,alice,0.35,2018-06-21T09:30:00
summit-vienna,bob,0.2,2018-06-22
summit-vienna,alice,0.25,2018-07-02T08:00:00.123456+00:00
"""


def js(result):
    return json.loads(result.stdout)


@pytest.fixture
def fresh_url(db_url, tmp_path):
    """A second database on the same backend as ``db_url``: schema at head, no rows."""
    from tracker.storage import open_store

    if db_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'restored.db'}"
        open_store(url, upgrade=True).dispose()
        yield url
        return
    import psycopg

    schema = "t_" + secrets.token_hex(6)
    dsn = "host=127.0.0.1 port=5432 dbname=test user=postgres"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        url = f"{PG_BASE}?options=-csearch_path%3D{schema}"
        open_store(url, upgrade=True).dispose()
        yield url
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def populate(cli: CLI, tmp_path) -> None:
    """Every kind of row: scenario, tags, categorical and conditional
    questions, CLI and imported forecasts, corrections and annulments."""
    cli.ok("question", "add", "Trump and Putin meet in Vienna", "--deadline", "2018-07-31", "--id", "summit-vienna",
           "--opened", "2018-06-20", "--tag", "russia", "--tag", "summit", "--scenario", "trump-putin-2018",
           "--sentence", "the meeting could take place in Vienna", "--phrase", "could", "--document", "assessment-2018-06")
    cli.ok("question", "add", "When do they meet?", "--deadline", "2018-07-31", "--id", "timing", "--ordered",
           "--outcomes", "before-nato,after-london,no-meeting", "--opened", "2018-06-20", "--scenario", "trump-putin-2018")
    cli.ok("question", "add", "A joint statement on Syria", "--deadline", "2018-07-31", "--id", "statement",
           "--opened", "2018-06-20", "--condition", "summit-vienna=yes")
    cli.ok("question", "add", "They meet again this year", "--deadline", FUTURE, "--id", "meet", "--tag", "russia")
    cli.ok("question", "add", "Where?", "--deadline", FUTURE, "--id", "press", "--outcomes", "wien,helsinki")
    (tmp_path / "history.csv").write_text(HISTORY_CSV)
    cli.ok("import", tmp_path / "history.csv")
    cli.ok("forecast", "meet", "0.35", "--rationale", "Wien – Helsinki ✓\nsecond line", "--analyst", "alice")
    cli.ok("forecast", "meet", "40%", "--analyst", "bob")
    cli.ok("forecast", "press", "wien=0.1,helsinki=0.9")
    cli.ok("resolve", "summit-vienna", "yes", "--known-at", "2018-07-16", "--evidence", "https://example.org/a",
           "--evidence", "https://example.org/b", "--note", "first reading")
    cli.ok("resolve", "summit-vienna", "no", "--known-at", "2018-07-16T10:00:00+02:00", "--supersede",
           "--reason", "misread: it was Helsinki")  # annuls 'statement'
    cli.ok("resolve", "timing", "after-london", "--known-at", "2018-07-16", "--reviewer", "rita")
    cli.ok("resolve", "press", "annulled", "--reason", "ill-posed")


def test_export_import_round_trip_is_exact(cli, fresh_url, tmp_path):
    populate(cli, tmp_path)
    first = tmp_path / "export.json"
    cli.ok("export", "--format", "json", "-o", first)
    payload = json.loads(first.read_text())
    assert {k: len(v) for k, v in payload.items() if isinstance(v, list)} == {
        "scenarios": 1, "analysts": 3, "questions": 5, "question_tags": 3, "forecasts": 6, "resolutions": 5,
        "clarifications": 0, "team_settings": 0,
    }
    assert (payload["format"], payload["version"], payload["schema"]) == ("forecast-tracker", 1, HEAD)

    restored = CLI(fresh_url)
    summary = js(restored.ok("import", first, "--json"))
    assert summary == {"scenarios": 1, "analysts": 3, "questions": 5, "question_tags": 3, "forecasts": 6, "resolutions": 5,
                       "clarifications": 0, "team_settings": 0}
    assert dump_db(fresh_url) == dump_db(cli.db_url)
    second = tmp_path / "again.json"
    restored.ok("export", "--format", "json", "-o", second)
    assert second.read_text() == first.read_text()
    for qid in ("summit-vienna", "timing", "statement", "meet", "press"):
        assert restored.ok("show", qid, "--json").stdout == cli.ok("show", qid, "--json").stdout


def test_export_carries_every_field_exactly(cli, tmp_path):
    populate(cli, tmp_path)
    payload = js(cli.ok("export", "--format", "json"))
    fs = [f for f in payload["forecasts"] if f["question_id"] == "summit-vienna"]
    assert [(f["analyst"], f["probability"], f["made_at"], f["imported"], f["source"]) for f in fs] == [
        ("alice", 0.35, "2018-06-21T09:30:00Z", True, "csv"),
        ("bob", 0.2, "2018-06-22T00:00:00Z", True, "csv"),
        ("alice", 0.25, "2018-07-02T08:00:00.123456Z", True, "csv"),
    ]
    meet = [f for f in payload["forecasts"] if f["question_id"] == "meet"]
    assert meet[0]["rationale"] == "Wien – Helsinki ✓\nsecond line"
    (press,) = [f for f in payload["forecasts"] if f["question_id"] == "press"]
    assert press["probabilities"] == {"wien": 0.1, "helsinki": 0.9} and press["probability"] is None
    res = {(r["question_id"], r["id"]): r for r in payload["resolutions"]}
    sv = [r for (q, _), r in sorted(res.items(), key=lambda kv: kv[0][1]) if q == "summit-vienna"]
    assert [(r["outcome"], r["known_at"], r["supersedes_id"]) for r in sv] == [
        ("yes", "2018-07-16T00:00:00Z", None), ("no", "2018-07-16T08:00:00Z", sv[0]["id"]),
    ]
    assert sv[0]["evidence"] == ["https://example.org/a", "https://example.org/b"]
    (st,) = [r for (q, _), r in res.items() if q == "statement"]
    assert st["annulled"] is True and st["reason"] == "condition failed: summit-vienna resolved no, not yes"
    q = {x["id"]: x for x in payload["questions"]}
    assert q["statement"]["condition_question_id"] == "summit-vienna" and q["statement"]["condition_outcome"] == "yes"
    assert q["timing"]["ordered"] is True and q["timing"]["outcomes"] == ["before-nato", "after-london", "no-meeting"]
    assert "exported_at" not in payload  # nothing volatile in an export


def test_ids_continue_after_an_import(cli, fresh_url, tmp_path):
    populate(cli, tmp_path)
    path = tmp_path / "export.json"
    cli.ok("export", "-o", path)
    payload = json.loads(path.read_text())
    restored = CLI(fresh_url)
    restored.ok("import", path)
    f = js(restored.ok("forecast", "meet", "0.5", "--json"))
    assert f["id"] == max(x["id"] for x in payload["forecasts"]) + 1
    r = js(restored.ok("resolve", "meet", "yes", "--json"))
    assert r["id"] == max(x["id"] for x in payload["resolutions"]) + 1


@pytest.mark.postgres
def test_sqlite_export_restores_on_postgresql(sqlite_url, pg_url, tmp_path):
    from tracker.storage import open_store

    open_store(sqlite_url, upgrade=True).dispose()
    src = CLI(sqlite_url)
    populate(src, tmp_path)
    path = tmp_path / "export.json"
    src.ok("export", "-o", path)
    dst = CLI(pg_url)
    dst.ok("db", "upgrade")
    dst.ok("import", path)
    assert dst.ok("export").stdout == path.read_text()
    assert dump_db(pg_url) == dump_db(sqlite_url)


def test_import_into_a_non_empty_database_is_refused(cli, tmp_path):
    populate(cli, tmp_path)
    path = tmp_path / "export.json"
    cli.ok("export", "-o", path)
    before = dump_db(cli.db_url)
    cli.fails("import", path, match="JSON import needs an empty database")
    assert dump_db(cli.db_url) == before


def test_import_into_a_database_with_only_a_question_is_refused(cli, tmp_path):
    path = tmp_path / "empty.json"
    cli.ok("export", "-o", path)
    cli.ok("question", "add", "Meet", "--deadline", FUTURE, "--id", "meet")
    cli.fails("import", path, match="JSON import needs an empty database")


def test_streamed_export_is_the_export_as_one_record_a_line(cli, tmp_path, monkeypatch):
    """The exported text is the same JSON value as export_json's, one record
    per line, whatever the chunk size; stdout and the file agree."""
    from tracker.services import transfer
    from tracker.storage import open_store

    populate(cli, tmp_path)
    monkeypatch.setattr(transfer.export, "EXPORT_CHUNK_ROWS", 2)  # several chunks per table
    text = cli.ok("export").stdout
    cli.ok("export", "-o", tmp_path / "e.json")
    assert (tmp_path / "e.json").read_text() == text
    store = open_store(cli.db_url)
    try:
        assert json.loads(text) == transfer.export_json(store)
        progress = []
        pieces = list(transfer.export_json_text(store, progress=lambda *a: progress.append(a)))
    finally:
        store.dispose()
    assert "".join(pieces) == text
    assert progress[-1] == ("exporting", 23, 23) and len(progress) > 6
    lines = text.splitlines()
    records = [line for line in lines if line.startswith("    {")]
    assert len(records) == 23 and all(json.loads(line.rstrip(",")) for line in records)


def test_a_failed_export_leaves_no_file(cli, tmp_path, monkeypatch):
    from tracker.services import transfer

    populate(cli, tmp_path)
    target = tmp_path / "e.json"
    target.write_text("the earlier export\n")

    def broken(store, progress=None):
        yield "{"
        raise transfer.TrackerError("the database went away")

    monkeypatch.setattr(transfer, "export_json_text", broken)
    cli.fails("export", "-o", target, match="the database went away")
    assert target.read_text() == "the earlier export\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".e.json")) == []


def test_empty_export_round_trips(cli, fresh_url, tmp_path):
    payload = js(cli.ok("export"))
    assert payload == {"format": "forecast-tracker", "version": 1, "schema": HEAD, "scenarios": [], "analysts": [],
                       "questions": [], "question_tags": [], "forecasts": [], "resolutions": [],
                       "clarifications": [], "team_settings": []}
    (tmp_path / "empty.json").write_text(json.dumps(payload))
    assert set(js(CLI(fresh_url).ok("import", tmp_path / "empty.json", "--json")).values()) == {0}
    assert dump_db(fresh_url) == dump_db(cli.db_url)


# -------------------------------------------------------------- bad exports


@pytest.fixture
def small_export(cli, tmp_path):
    """A valid export of a small database, and an empty database to load it into."""
    cli.ok("question", "add", "Meet", "--deadline", "2018-07-31", "--id", "meet", "--opened", "2018-06-20")
    cli.ok("question", "add", "Where", "--deadline", "2018-07-31", "--id", "where", "--outcomes", "a,b", "--opened", "2018-06-20")
    (tmp_path / "h.csv").write_text("question,analyst,probability,made_at\nmeet,alice,0.3,2018-07-01\n")
    cli.ok("import", tmp_path / "h.csv")
    cli.ok("resolve", "meet", "yes", "--known-at", "2018-07-16")
    payload = js(cli.ok("export"))
    # a categorical forecast can only be back-dated in an export
    payload["forecasts"].append(dict(payload["forecasts"][0], id=2, question_id="where", probability=None,
                                     probabilities={"a": 0.25, "b": 0.75}))
    return payload


def _set(path, value):
    def edit(p):
        *head, last = path
        node = p
        for k in head:
            node = node[k]
        node[last] = value
    return edit


def _drop(path):
    def edit(p):
        *head, last = path
        node = p
        for k in head:
            node = node[k]
        del node[last]
    return edit


@pytest.mark.parametrize(
    "edit, match",
    [
        (_set(("forecasts", 0, "probability"), 1.5), "forecasts[0]: probability '1.5' is outside [0, 1]"),
        (_set(("forecasts", 0, "probability"), "0.3"), "forecasts[0]: probability must be a number"),
        (_set(("forecasts", 0, "made_at"), "yesterday"), "forecasts[0]: made_at 'yesterday' is not an ISO date or datetime"),
        (_set(("forecasts", 0, "imported"), "yes"), "forecasts[0]: imported must be true or false"),
        (_set(("forecasts", 0, "question_id"), "nowhere"), "forecasts[0]: unknown question 'nowhere'"),
        (_set(("forecasts", 0, "analyst"), "ghost"), "inconsistent export"),
        (_drop(("forecasts", 0, "question_id")), "forecasts[0]: field 'question_id' is missing"),
        (_set(("forecasts", 1, "probabilities"), {"a": 0.5, "b": 0.6}), "forecasts[1] probabilities sum to 1.1, not 1"),
        (_set(("forecasts", 1, "probabilities"), {"a": 0.5, "c": 0.5}), "forecasts[1] names unknown outcome 'c'"),
        (_set(("questions", 0, "colour"), "red"), "questions[0]: unknown field 'colour'"),
        (_set(("questions", 0, "id"), "Bad Id"), "questions[0]: question id 'Bad Id' is not a valid id"),
        (_set(("questions", 1, "outcomes"), ["a", "a"]), "questions[1] (where): outcome 'a' is listed twice"),
        (_set(("questions", 1, "outcomes"), ["a", "annulled"]), "questions[1] (where): 'annulled' is reserved"),
        (_set(("questions", 1, "outcomes"), ["a", "B c"]), "questions[1] (where): outcome 'B c' is not a valid id"),
        (_set(("questions", 1, "outcomes"), ["a", " b"]), "questions[1] (where): outcome ids ['a', ' b'] carry spaces"),
        (_set(("resolutions", 0, "outcome"), "maybe"), "resolutions[0]: outcome 'maybe' does not fit question 'meet'"),
        (_set(("format",), "something-else"), 'not a forecast-tracker JSON export (no "format": "forecast-tracker")'),
        (_set(("version",), 2), "export format version 2 is not supported"),
        (_set(("extras",), []), "unknown section 'extras'"),
        (_set(("forecasts",), {}), "forecasts must be a list"),
    ],
)
def test_bad_export_is_refused_and_loads_nothing(small_export, fresh_url, tmp_path, edit, match):
    payload = copy.deepcopy(small_export)
    edit(payload)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(payload))
    target = CLI(fresh_url)
    before = dump_db(fresh_url)
    target.fails("import", path, match=match)
    assert dump_db(fresh_url) == before


def test_valid_small_export_loads(small_export, fresh_url, tmp_path):
    path = tmp_path / "ok.json"
    path.write_text(json.dumps(small_export))
    target = CLI(fresh_url)
    target.ok("import", path)
    assert js(target.ok("show", "where", "--json"))["forecasts"][0]["probabilities"] == {"a": 0.25, "b": 0.75}


@pytest.mark.parametrize("text, match", [("{bad", "invalid JSON"), ("[]", "not a forecast-tracker JSON export")])
def test_not_an_export(cli, tmp_path, text, match):
    path = tmp_path / "x.json"
    path.write_text(text)
    cli.fails("import", path, match=f"x.json: {match}")


# ----------------------------------------------------------- --json contract

LIST_KEYS = {"id", "text", "kind", "outcomes", "deadline", "status", "outcome", "scenario_id", "tags", "n_forecasts"}
FORECAST_KEYS = {"id", "question_id", "analyst", "probability", "probabilities", "made_at", "recorded_at",
                 "imported", "rationale", "source"}
RESOLUTION_KEYS = {"id", "outcome", "annulled", "reason", "known_at", "recorded_at", "recorded_by", "evidence",
                   "note", "supersedes_id", "current"}
SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")


def snake_keys(node, where="$"):
    """Every key is snake_case, except inside probability vectors (outcome names)."""
    if isinstance(node, dict):
        for k, v in node.items():
            assert SNAKE.match(k), f"{where}: key {k!r} is not snake_case"
            if k not in ("probabilities", "extra"):
                snake_keys(v, f"{where}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            snake_keys(v, f"{where}[{i}]")


def test_json_keys_contract(cli, tmp_path):
    populate(cli, tmp_path)
    rows = js(cli.ok("list", "--json"))
    assert len(rows) == 5
    for row in rows:
        assert LIST_KEYS <= set(row), LIST_KEYS - set(row)
    by_id = {r["id"]: r for r in rows}
    assert by_id["summit-vienna"]["n_forecasts"] == 3
    assert by_id["summit-vienna"]["tags"] == ["russia", "summit"]
    assert by_id["statement"]["status"] == "annulled"
    for qid in by_id:
        q = js(cli.ok("show", qid, "--json"))
        snake_keys(q)
        for f in q["forecasts"]:
            assert set(f) == FORECAST_KEYS
        for r in q["resolutions"]:
            assert RESOLUTION_KEYS <= set(r), RESOLUTION_KEYS - set(r)
        assert sum(r["current"] for r in q["resolutions"]) == (1 if q["resolutions"] else 0)
    snake_keys(rows)
    snake_keys(js(cli.ok("export")))


def test_json_is_empty_lists_when_nothing(cli):
    assert cli.ok("list", "--json").stdout.strip() == "[]"
    cli.ok("question", "add", "Meet", "--deadline", FUTURE, "--id", "meet")
    q = js(cli.ok("show", "meet", "--json"))
    assert q["forecasts"] == [] and q["resolutions"] == [] and q["tags"] == []
    assert js(cli.ok("list", "--resolved", "--json")) == []


def test_every_write_command_answers_json(cli, tmp_path):
    q = js(cli.ok("question", "add", "Meet", "--deadline", FUTURE, "--id", "meet", "--json"))
    assert set(q) == {"id", "kind", "outcomes", "deadline", "opened_at"}
    f = js(cli.ok("forecast", "meet", "0.5", "--json"))
    assert set(f) == FORECAST_KEYS
    r = js(cli.ok("resolve", "meet", "yes", "--json"))
    assert {"id", "question_id", "outcome", "annulled", "known_at", "annulled_dependents"} <= set(r)
    (tmp_path / "f.csv").write_text(f"question,analyst,probability,deadline\nother,a,0.5,{FUTURE}\n")
    i = js(cli.ok("import", tmp_path / "f.csv", "--json"))
    assert set(i) == {"rows", "questions_created", "forecasts_added", "forecasts_already_present", "resolutions_added"}
    assert js(cli.ok("db", "upgrade", "--json")) == {"revision": HEAD, "head": HEAD}
    for payload in (q, f, r, i):
        snake_keys(payload)
