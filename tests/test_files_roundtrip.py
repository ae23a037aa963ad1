"""`tracker export --scenario ID --format yaml` writes a scenario file that
imports back to the same state: import, export, import into a fresh
database, export again gives identical text, and the questions and
forecasts equal the original file's (recording times aside)."""

from __future__ import annotations

import secrets
import textwrap
from pathlib import Path

import pytest

from support import CLI, PG_BASE, dump_db

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "scenarios" / "trump-putin-2018.yaml"

# Columns that record when (or in which order) something was stored, not what.
VOLATILE = {"created_at", "recorded_at"}


@pytest.fixture
def fresh(db_url, tmp_path):
    """A second, empty database on the same backend as ``cli``."""
    from tracker.storage import open_store

    if db_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'fresh.db'}"
        open_store(url, upgrade=True).dispose()
        yield CLI(url)
        return
    import psycopg

    schema = "t_" + secrets.token_hex(6)
    with psycopg.connect("host=127.0.0.1 port=5432 dbname=test user=postgres", autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        url = f"{PG_BASE}?options=-csearch_path%3D{schema}"
        open_store(url, upgrade=True).dispose()
        yield CLI(url)
    finally:
        with psycopg.connect("host=127.0.0.1 port=5432 dbname=test user=postgres", autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def state(url: str) -> dict:
    """Every row of every table, without recording times and surrogate ids."""
    from sqlalchemy import select

    from tracker.services.transfer import TABLES
    from tracker.storage import open_store

    s = open_store(url, upgrade=True)
    try:
        out = {}
        with s.read() as conn:
            for key, table, _ in TABLES:
                rows = []
                for row in conn.execute(select(table)).mappings():
                    d = {k: v for k, v in row.items() if k not in VOLATILE}
                    if key in ("forecasts", "resolutions"):
                        d.pop("id")
                    rows.append(repr(sorted(d.items())))
                out[key] = sorted(rows)
        return out
    finally:
        s.dispose()


def load(path_or_text) -> dict:
    from tracker.files.yamlio import load_yaml

    text = path_or_text.read_text(encoding="utf-8") if isinstance(path_or_text, Path) else path_or_text
    return load_yaml(text)


def _forecast_key(f: dict):
    from tracker.services.common import parse_datetime

    p = f["probability"]
    p = tuple(sorted(p.items())) if isinstance(p, dict) else p
    return (f["analyst"], p, parse_datetime(f["made_at"], "made_at"), f.get("rationale"))


def assert_same_content(original: dict, exported: dict) -> None:
    """The exported scenario says what the original file said."""
    for key in ("id", "title", "description"):
        assert exported.get(key) == original.get(key)
    assert exported.get("source") == original.get("source")
    orig = {q["id"]: q for q in original["questions"]}
    exp = {q["id"]: q for q in exported["questions"]}
    assert set(exp) == set(orig)
    for qid, q in orig.items():
        e = exp[qid]
        for field in ("text", "deadline", "outcomes", "sentence", "phrase", "implies", "joint", "extraction"):
            assert e.get(field) == q.get(field), (qid, field)
        assert bool(e.get("ordered")) == bool(q.get("ordered")), qid
        assert sorted(e.get("tags", [])) == sorted(q.get("tags", [])), qid
        cond = q.get("condition")
        if isinstance(cond, str):
            name, _, outcome = cond.partition("=")
            cond = {"question": name, "outcome": outcome}
        assert e.get("condition") == cond, qid
        assert sorted(map(_forecast_key, e["forecasts"])) == sorted(map(_forecast_key, q.get("forecasts", []))), qid


def export(cli, scenario: str) -> str:
    return cli.ok("export", "--scenario", scenario, "--format", "yaml").stdout


def roundtrip(cli, fresh, tmp_path, source: Path, scenario: str) -> tuple[str, str]:
    cli.ok("import", source)
    first = export(cli, scenario)
    path = tmp_path / "exported.yaml"
    path.write_text(first, encoding="utf-8")
    fresh.ok("import", path)
    second = export(fresh, scenario)
    return first, second


def test_worked_example_round_trips(cli, fresh, tmp_path):
    first, second = roundtrip(cli, fresh, tmp_path, EXAMPLE, "trump-putin-2018")
    assert first == second  # identical text
    assert state(fresh.db_url) == state(cli.db_url)  # identical state, recording times aside
    assert_same_content(load(EXAMPLE), load(first))
    exported = load(first)
    assert len(exported["questions"]) == 9
    assert sum(len(q["forecasts"]) for q in exported["questions"]) == 25
    # every exported forecast carries the imported time of the file, not the recording time
    july = next(q for q in exported["questions"] if q["id"] == "meeting-july")
    assert [(f["analyst"], f["probability"], str(f["made_at"])) for f in july["forecasts"]] == [
        ("assessment", 0.675, "2018-06-20"),
        ("ana-illustrative", 0.8, "2018-06-21"),
        ("ben-illustrative", 0.55, "2018-06-22"),
        ("ana-illustrative", 0.9, "2018-06-27"),
    ]


def test_exported_file_imports_into_the_same_database_as_a_no_op(cli, tmp_path):
    cli.ok("import", EXAMPLE)
    before = dump_db(cli.db_url)
    path = tmp_path / "exported.yaml"
    cli.ok("export", "--scenario", "trump-putin-2018", "--format", "yaml", "-o", path)
    result = cli.ok("import", path)
    assert "0 questions created, 0 updated; 0 forecasts added (25 already present)" in result.stderr
    assert dump_db(cli.db_url) == before


TRICKY = """\
id: tricky
title: "yes"
description: |-
  Two lines:
  the second one # not a comment
source: {title: "on", date: 2018-06-20, origin: "null"}
questions:
  - id: base
    text: "no"
    deadline: 2018-07-31
    outcomes: [low, mid, high]
    ordered: true
    tags: ["off", "2018", "true", "a: b"]
    sentence: "It said: 'maybe' - and #hash"
    phrase: "~"
    extraction: {when: 2018-06-20, list: [1, 2.5, "x"], nested: {flag: true, none: null}}
    forecasts:
      - analyst: "yes"
        probability: {low: 0.1, mid: 0.2, high: 0.7}
        made_at: 2018-06-21T10:15:30.123456Z
        rationale: |
          First line
          second line: with a colon
      - analyst: Zoë Ünicode
        probability: {low: 0.3333333333333333, mid: 0.3333333333333333, high: 0.3333333333333334}
        made_at: 2018-06-22 08:00:00+02:00
  - id: cond
    text: "1.5"
    deadline: 2018-07-31
    condition: {question: base, outcome: high}
    joint: both
    forecasts:
      - {analyst: "no", probability: 0.1, made_at: 2018-06-21}
  - id: both
    text: base high and cond
    deadline: 2018-07-31
    implies: imp
    forecasts:
      - {analyst: "no", probability: 0.07, made_at: 2018-06-21, rationale: "'quoted'"}
  - id: imp
    text: "2018-07-31"
    deadline: 2018-07-31
    forecasts:
      - {analyst: "no", probability: 1.0e-05, made_at: 2018-06-21}
      - {analyst: "no", probability: 0, made_at: 2018-06-22}
      - {analyst: "no", probability: 1, made_at: 2018-06-23}
"""


def test_tricky_values_round_trip(cli, fresh, tmp_path):
    source = tmp_path / "tricky.yaml"
    source.write_text(TRICKY, encoding="utf-8")
    first, second = roundtrip(cli, fresh, tmp_path, source, "tricky")
    assert first == second
    assert state(fresh.db_url) == state(cli.db_url)
    original, exported = load(source), load(first)
    # the free-form extraction keeps its date as ISO text (JSON column); text is stored trimmed
    original["questions"][0]["extraction"]["when"] = "2018-06-20"
    original["questions"][0]["forecasts"][0]["rationale"] = "First line\nsecond line: with a colon"
    assert_same_content(original, exported)
    by_id = {q["id"]: q for q in exported["questions"]}
    assert [q["id"] for q in exported["questions"]] == ["base", "both", "cond", "imp"]
    assert exported["title"] == "yes" and by_id["cond"]["text"] == "1.5" and by_id["imp"]["text"] == "2018-07-31"
    assert by_id["base"]["forecasts"][0]["rationale"] == "First line\nsecond line: with a colon"
    assert exported["description"] == "Two lines:\nthe second one # not a comment"
    # re-importing the export into the first database changes nothing
    before = dump_db(cli.db_url)
    cli.ok("import", tmp_path / "exported.yaml")
    assert dump_db(cli.db_url) == before


def test_export_after_an_edit_round_trips_with_all_revisions(cli, fresh, tmp_path):
    base = textwrap.dedent("""\
        id: sc
        title: S
        source: {date: 2018-06-20}
        questions:
          - id: q
            text: Q
            deadline: 2018-07-31
            forecasts:
              - {analyst: al, probability: 0.4, made_at: 2018-06-21}
        """)
    (tmp_path / "v1.yaml").write_text(base, encoding="utf-8")
    cli.ok("import", tmp_path / "v1.yaml")
    # a later revision, and an older forecast found in the archive (before the source date)
    (tmp_path / "v2.yaml").write_text(base + "      - {analyst: al, probability: 0.6, made_at: 2018-06-25}\n"
                                             "      - {analyst: bo, probability: 0.3, made_at: 2018-06-10}\n", encoding="utf-8")
    cli.ok("import", tmp_path / "v2.yaml")
    first = export(cli, "sc")
    q = load(first)["questions"][0]
    assert [(f["analyst"], f["probability"], str(f["made_at"])) for f in q["forecasts"]] == [
        ("bo", 0.3, "2018-06-10"), ("al", 0.4, "2018-06-21"), ("al", 0.6, "2018-06-25")]
    # the question opens with its earliest forecast, as on a first import of the same file
    assert str(q["opened"]) == "2018-06-10"
    (tmp_path / "e.yaml").write_text(first, encoding="utf-8")
    fresh.ok("import", tmp_path / "e.yaml")
    assert export(fresh, "sc") == first
    assert state(fresh.db_url) == state(cli.db_url)


def test_export_errors(cli):
    cli.fails("export", "--scenario", "nope", "--format", "yaml", match="no scenario with id 'nope'")
    result = cli("export", "--format", "yaml")
    assert result.exit_code == 2
    assert "--format yaml writes one scenario: pass --scenario ID" in result.stderr


def test_export_writes_a_file(cli, tmp_path):
    cli.ok("import", EXAMPLE)
    out = tmp_path / "sub" / "out.yaml"
    result = cli.ok("export", "--scenario", "trump-putin-2018", "--format", "yaml", "-o", out)
    assert result.stdout == ""
    assert f"wrote {out}" in result.stderr
    assert out.read_text(encoding="utf-8") == export(cli, "trump-putin-2018")
