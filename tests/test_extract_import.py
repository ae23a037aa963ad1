"""The worked example end to end: extract the 2018 assessment into a draft
scenario file, import it, and find the listed questions with their deadlines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

SEED = Path(__file__).resolve().parents[1].parent / "shared" / "seed" / "assessment-2018-06.txt"


@pytest.fixture
def draft(cli, tmp_path):
    if not SEED.is_file():
        pytest.skip(f"the worked example is not at {SEED}")
    out = tmp_path / "trump-putin-2018.yaml"
    cli.ok("extract", SEED, "--date", "2018-06-20", "-o", out)
    return out


def test_the_draft_imports_cleanly_with_the_listed_questions(cli, draft):
    cli.ok("import", draft, "--accept-defaults")
    rows = {r["id"]: r for r in json.loads(cli.ok("list", "--json").stdout)}
    by_text = {r["text"]: r for r in rows.values()}

    def find(*words):
        hits = [r for t, r in by_text.items() if all(w.lower() in t.lower() for w in words)]
        assert hits, f"no question mentions {words}: {sorted(by_text)}"
        return hits[0]

    assert str(find("visit", "July")["deadline"]) == "2018-07-31"
    assert find("Vienna")["deadline"] == "2018-07-31"
    timing = find("NATO", "London")
    assert timing["kind"] == "categorical" and len(timing["outcomes"]) == 3
    assert timing["deadline"] == "2018-07-31"
    assert find("Bolton")["deadline"] == "2018-07-01"
    assert find("sanctions")["deadline"] == "2018-07-31"
    assert find("trade")["deadline"] == "2018-07-31"
    assert find("Syria")["deadline"] == "2018-07-31"
    for past in ("Cold War", "Crimea", "investigat", "confirmation"):
        assert not [t for t in by_text if past.lower() in t.lower()], past


def test_importing_the_draft_twice_changes_nothing(cli, draft):
    from support import dump_db

    cli.ok("import", draft, "--accept-defaults")
    before = dump_db(cli.db_url)
    cli.ok("import", draft, "--accept-defaults")
    assert dump_db(cli.db_url) == before


def test_unassessed_claims_say_where_their_number_came_from(cli, draft):
    cli.ok("import", draft, "--accept-defaults")
    rows = json.loads(cli.ok("list", "--json").stdout)
    vienna = next(r for r in rows if "Vienna" in r["text"])
    q = json.loads(cli.ok("show", vienna["id"], "--json").stdout)
    assert q["phrase"] == "could"
    assert q["extra"]["assessed"] is False
    assert "set your own number" in q["extra"]["note"]
    assert q["extra"]["scale"] and len(q["extra"]["band"]) == 2
