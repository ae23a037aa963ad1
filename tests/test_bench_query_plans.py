"""Commands whose output is small do not read the whole forecast table.

Every SQL statement ``forecast``, ``show`` and ``list --due`` run is put
through SQLite's EXPLAIN QUERY PLAN: none may scan the forecast table (a
``SCAN forecast`` step is a pass over every row), and ``forecast`` and
``show`` may not scan the question table either. The score's bulk read and
the CSV import's fast paths are checked against their reference paths.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import event

from support import CLI

FUTURE = "2099-12-31"


@pytest.fixture(scope="module")
def filled_file(tmp_path_factory, sqlite_template):
    """The filled database, built once for the module (tests get a copy)."""
    import shutil

    tmp_path = tmp_path_factory.mktemp("filled")
    shutil.copyfile(sqlite_template, tmp_path / "tracker.db")
    lines = ["question,analyst,probability,made_at,deadline,outcome,known_at,tags"]
    for i in range(40):
        for k in range(3):
            resolved = i % 4 != 0
            lines.append(
                f"q{i:03d},a{k},0.{(i + k) % 9 + 1},2018-06-{k + 1:02d}T10:00:00Z,"
                f"{'2018-07-31' if resolved else FUTURE},{('yes' if i % 3 else 'no') if resolved else ''},"
                f"{'2018-07-20' if resolved and i % 5 == 0 else ''},all"
            )
    (tmp_path / "f.csv").write_text("\n".join(lines) + "\n")
    CLI(f"sqlite:///{tmp_path / 'tracker.db'}").ok("import", str(tmp_path / "f.csv"))
    return tmp_path / "tracker.db"


@pytest.fixture
def filled(filled_file, sqlite_url):
    """A copy of the filled database at ``sqlite_url``."""
    import shutil

    shutil.copyfile(filled_file, sqlite_url[len("sqlite:///"):])
    return CLI(sqlite_url)


def plans_of(sqlite_url: str, run) -> list[tuple[str, list[str]]]:
    """(statement, plan steps) of every SELECT that ``run()`` makes."""
    from tracker.storage import make_engine

    seen: list[tuple[str, tuple]] = []
    original = make_engine

    def spying(url, **kwargs):
        engine = original(url, **kwargs)
        event.listen(engine, "before_cursor_execute",
                     lambda conn, cur, stmt, params, ctx, many: seen.append((stmt, params)))
        return engine

    import tracker.storage as storage

    storage.make_engine = spying
    try:
        run()
    finally:
        storage.make_engine = original
    engine = original(sqlite_url)
    out = []
    with engine.connect() as conn:
        for stmt, params in seen:
            if stmt.lstrip().upper().startswith(("SELECT", "WITH")):
                plan = [row[3] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + stmt, params)]
                out.append((stmt, plan))
    engine.dispose()
    return out


def full_scans(plans, table: str) -> list[str]:
    return [f"{step}  <-  {stmt[:120]}" for stmt, plan in plans for step in plan
            if step == f"SCAN {table}" or step.startswith(f"SCAN {table} ")]


@pytest.mark.parametrize("argv", [
    ["forecast", "q000", "0.7"],
    ["show", "q001"],
    ["list", "--due", "--as-of", "2099-12-25"],
    ["list", "--overdue"],
    ["list", "--open", "--analyst", "a1"],
    ["history", "q001"],
    ["resolve", "q000", "yes", "--known-at", "2024-01-01"],
    ["question", "add", "A new question", "--deadline", FUTURE, "--id", "fresh", "--tag", "all"],
    ["review", "--quarter", "2099Q4", "--as-of", "2099-12-25"],
    ["score", "--analyst", "a1"],
    ["todo", "--analyst", "a1"],
    ["todo", "--analyst", "a1", "--within", "3 months", "--stale", "2w", "--json"],
    ["search", "q001"],
    ["list", "--search", "q001"],
    ["clarify", "q001", "counts only if announced"],
])
def test_small_answers_read_no_whole_table(filled, sqlite_url, argv):
    plans = plans_of(sqlite_url, lambda: filled.ok(*argv))
    assert plans, "no statement seen"
    assert full_scans(plans, "forecast") == []
    if argv[0] in ("forecast", "show", "history", "resolve", "question", "score", "search", "clarify"):
        assert full_scans(plans, "question") == []
    if argv[0] == "search" or "--search" in argv:
        assert full_scans(plans, "question_search") == []
        fts = [step for _, plan in plans for step in plan if "question_fts" in step]
        assert fts and all("VIRTUAL TABLE INDEX" in step and ":M" in step for step in fts), fts  # a MATCH lookup
    if argv[0] == "score":  # one analyst's questions, their resolutions and tags: nothing else
        for table in ("question_tag", "resolution", "r", "newer"):
            assert full_scans(plans, table) == [], table


def test_list_due_counts_forecasts_of_the_listed_questions_only(filled, sqlite_url):
    rows = json.loads(filled.ok("list", "--due", "--as-of", "2099-12-25", "--json").stdout)
    assert [r["id"] for r in rows] == [f"q{i:03d}" for i in range(0, 40, 4)]
    assert all(r["n_forecasts"] == 3 and r["n_analysts"] == 3 for r in rows)


def test_score_whole_database_equals_the_joined_path(filled, sqlite_url):
    """The whole-database read (one scan of the forecast index, question facts
    applied in Python) and the joined, filtered read give the same pairs,
    also for forecasts made after the outcome became known and for a
    superseded resolution."""
    import numpy as np

    from tracker.scope import Scope
    from tracker.services.pairs import load_pairs
    from tracker.storage import open_store

    filled.ok("resolve", "q001", "no", "--supersede", "--reason", "misread")
    filled.ok("resolve", "q002", "annulled", "--supersede", "--reason", "void")
    filled.ok("resolve", "q004", "yes", "--known-at", "2018-06-02T12:00:00")  # a2 forecast later
    store = open_store(sqlite_url)
    try:
        for mode in ("final", "initial", "time-weighted"):
            whole = load_pairs(store, Scope(mode=mode))
            joined = load_pairs(store, Scope(mode=mode, tag="all"))  # every question: the joined path
            assert whole.question.tolist() == joined.question.tolist()
            assert whole.analyst.tolist() == joined.analyst.tolist()
            for name in ("p", "y", "brier", "coverage"):
                np.testing.assert_array_equal(getattr(whole, name), getattr(joined, name))
            assert whole.n_forecasts == joined.n_forecasts
            assert "q002" not in whole.question.tolist()
            assert [a for q, a in zip(whole.question, whole.analyst) if q == "q004"] == ["a0", "a1"]
            y = dict(zip(whole.question.tolist(), whole.y.tolist()))
            assert y["q001"] == 0
    finally:
        store.dispose()


@pytest.mark.parametrize("text", [
    "2018-06-20T03:46:16", "2018-06-20 03:46:16Z", "2018-06-20T03:46:16+00:00", "2018-06-20T03:46:16.5",
    "2018-06-20T03:46:16+02:00", "2018-06-20T03:46", "2018-06-20", "20180620T034616", "2018-06-20T24:00:00",
    "1899-12-31T23:59:59Z", "9998-12-31T23:59:59", "9999-01-01T00:00:00", "2018-W25-3T03:46:16",
    "2018-06-20T03:46:16-00:00", "2018-06-20T03:46:16z", "2018-02-30T00:00:00", "2018-06-20T03:46:16.123456Z",
    "\uff12\uff10" + "18-06-20T03:46:16", "2018-06-20T03:46:16+0000", "2018-06-20T03:46:16Z+00:00", "2018-06-20T03:46:1",
])
def test_csv_time_shortcut_agrees_with_parse_datetime(text):
    from tracker.errors import ValidationError
    from tracker.services.common import parse_datetime
    from tracker.services.transfer import _parse_ts, _ts

    try:
        expected = _ts(parse_datetime(text, "made_at"))
    except ValidationError as exc:
        with pytest.raises(ValidationError, match="made_at"):
            _parse_ts(text, "made_at")
        assert str(exc)
        return
    assert _parse_ts(text, "made_at") == expected


def test_importing_a_small_file_into_a_large_database_reads_no_whole_table(filled, sqlite_url, tmp_path):
    """An import's cost follows the file, not the database: existing
    questions and analysts are looked up by key."""
    small = tmp_path / "small.csv"
    small.write_text(
        "question,analyst,probability,made_at,deadline,outcome,known_at,tags\n"
        "q000,a9,0.4,2018-06-05T10:00:00Z,2099-12-31,,,all\n"
        "new-one,a0,0.3,2018-06-05T10:00:00Z,2099-12-31,,,all\n"
    )
    plans = plans_of(sqlite_url, lambda: filled.ok("import", str(small)))
    assert plans, "no statement seen"
    assert full_scans(plans, "forecast") == []
    assert full_scans(plans, "question") == []
    assert full_scans(plans, "analyst") == []
