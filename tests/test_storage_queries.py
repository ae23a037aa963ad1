"""Storage owns the SQL the services share: no service branches on the
database dialect, and the current resolution of a question is one
function whose answer every caller gives."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

TRACKER = Path(__file__).resolve().parent.parent / "tracker"
DIALECT = re.compile(r"is_sqlite|dialect|sqlite_master|to_regclass|pg_catalog|\bpg\b\s*=")


def test_no_service_branches_on_the_database_dialect():
    found = []
    for path in sorted((TRACKER / "services").rglob("*.py")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if DIALECT.search(line):
                found.append(f"{path.relative_to(TRACKER)}:{number}: {line.strip()}")
    assert found == [], "a difference between SQLite and PostgreSQL belongs in tracker/storage:\n" + "\n".join(found)


def test_the_dialect_check_finds_what_it_looks_for():
    assert DIALECT.search('if conn.dialect.name == "sqlite":')
    assert DIALECT.search("if store.is_sqlite:")
    assert DIALECT.search('    pg = conn.dialect.name != "sqlite"')
    assert not DIALECT.search("enc = encoding(conn)")


def test_in_lists_are_chunked_by_one_helper():
    """No hand-written chunk loop in the modules that moved their SQL to storage."""
    from tracker.storage.queries import CHUNK, chunked

    assert [len(c) for c in chunked(range(1201))] == [CHUNK, CHUNK, 201]
    assert list(chunked([])) == [] and list(chunked(iter("abc"), 2)) == [["a", "b"], ["c"]]
    loops = []
    for path in sorted((TRACKER / "services").rglob("*.py")):  # every service module
        name = path.relative_to(TRACKER / "services").with_suffix("").as_posix()
        text = path.read_text()
        loops += [f"{name}: {m.group(0)}" for m in re.finditer(r"range\(0, len\(\w+\), (?:500|CHUNK)\)", text)]
    assert loops == []


def board(cli):
    """Questions resolved, corrected, annulled, annulled by a correction and
    left open, each with a forecast."""
    for qid in ("corrected", "annulled", "late-annulled", "plain", "open"):
        cli.ok("question", "add", f"Summit question {qid}?", "--id", qid, "--deadline", "2099-12-31")
        cli.ok("forecast", qid, "0.6", "--analyst", "ana")
    cli.ok("resolve", "corrected", "yes")
    cli.ok("resolve", "corrected", "no", "--supersede", "--reason", "misread the report")
    cli.ok("resolve", "annulled", "annulled", "--reason", "never held")
    cli.ok("resolve", "late-annulled", "yes")
    cli.ok("resolve", "late-annulled", "annulled", "--supersede", "--reason", "the question was ambiguous")
    cli.ok("resolve", "plain", "yes")


EXPECTED = {"corrected": "no", "annulled": "annulled", "late-annulled": "annulled", "plain": "yes", "open": None}


def verdict(row) -> str | None:
    if row is None:
        return None
    return "annulled" if row["annulled"] else row["outcome"]


def test_the_current_resolution_is_the_same_from_every_caller(cli):
    from tracker.services import foreign, review, week
    from tracker.services.log import list_questions, show_question
    from tracker.services.transfer import export_csv_text, read_state
    from tracker.storage import open_store
    from tracker.storage.queries import current_resolution, current_resolutions

    board(cli)
    ids = sorted(EXPECTED)
    store = open_store(cli.db_url)
    try:
        roads: dict[str, dict] = {}
        with store.read() as conn:
            many = current_resolutions(conn, ids)
            roads["current_resolutions"] = {q: verdict(many.get(q)) for q in ids}
            roads["current_resolution"] = {q: verdict(current_resolution(conn, q)) for q in ids}
            roads["review"] = {q: verdict(r) for q, r in review._latest_resolutions(conn, ids).items()}
            state = read_state(conn, ids)
            roads["csv import"] = {q: verdict(r) for q, r in state.resolutions.items()}
            roads["foreign import"] = {q: verdict(r) for q, r in foreign._existing(conn, ids)[1].items()}

        def by_status(rows):
            return {r["id"]: "annulled" if r["status"] == "annulled" else r["outcome"] for r in rows}

        roads["list"] = by_status(list_questions(store))
        roads["show"] = by_status([show_question(store, q) for q in ids])
        roads["search"] = by_status(week.search(store, "summit"))
        exported = list(csv.DictReader(io.StringIO("".join(export_csv_text(store)))))
        # the CSV carries outcomes, not annulments: an annulled question has none
        roads["csv export"] = {r["question"]: r["outcome"] or None for r in exported}
    finally:
        store.dispose()
    for road, got in roads.items():
        want = EXPECTED if road in ("current_resolutions", "current_resolution", "list", "show", "search") else {
            q: v for q, v in EXPECTED.items() if v is not None}
        if road == "csv export":
            want = {q: (None if v == "annulled" else v) for q, v in EXPECTED.items()}
        assert got == want, road
