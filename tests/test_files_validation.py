"""Scenario and resolution files are validated before anything is written:
one-line errors naming the file, the question and the field; nothing lands
when any entry is bad, even late in the file; YAML's traps are defused."""

from __future__ import annotations

import json
import textwrap

import pytest

from support import dump_db

HEAD = """\
id: sc
title: S
source: {date: 2018-06-20}
questions:
  - id: good
    text: A good question
    deadline: 2018-07-31
    forecasts: [{analyst: al, probability: 0.5, made_at: 2018-06-21}]
  - id: good-too
    text: Another good question
    deadline: 2018-07-31
    outcomes: [a, b]
    forecasts: [{analyst: al, probability: {a: 0.4, b: 0.6}, made_at: 2018-06-21}]
"""


def write(tmp_path, text: str, name: str = "v.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def empty(url) -> bool:
    return all(rows == [] for _, rows in dump_db(url))


# A bad question entry after two good ones: the message, and nothing written.
BAD_ENTRIES = [
    ("    text: Q\n    deadline: 2018-07-31\n    forecasts: [{analyst: al, probability: 1.5, made_at: 2018-06-21}]\n",
     "error: v.yaml: question bad, forecast al, field probability: probability '1.5' is outside [0, 1]"),
    ("    text: Q\n    deadline: soon\n",
     "error: v.yaml: question bad, field deadline: 'soon' is not an ISO date (YYYY-MM-DD)"),
    ("    text: Q\n    deadline: 2018-07-31\n    colour: red\n",
     "error: v.yaml: question bad, field colour: Extra inputs are not permitted"),
    ("    text: Q\n    deadline: 2018-07-31\n    forecasts: [{analyst: al, probability: 0.5}]\n",
     "error: v.yaml: question bad, forecast al, field made_at: Field required"),
    ("    text: Q\n    deadline: 2018-07-31\n    forecasts: [{analyst: al, probability: 0.5, made_at: last week}]\n",
     "error: v.yaml: question bad, forecast al, field made_at: 'last week' is not an ISO date or time"),
    ("    text: Q\n    deadline: 2018-07-31\n    opened: whenever\n",
     "error: v.yaml: question bad, field opened: 'whenever' is not an ISO date or time"),
    ("    text: Q\n    deadline: 2018-07-31\n    outcomes: [a]\n",
     "error: v.yaml: question bad: outcomes: a categorical question needs at least two outcomes"),
    ("    text: Q\n    deadline: 2018-07-31\n    outcomes: [a, b]\n"
     "    forecasts: [{analyst: al, probability: {a: 0.5, c: 0.5}, made_at: 2018-06-21}]\n",
     "error: v.yaml: question bad, forecast 1 (al): forecast names unknown outcome 'c' (outcomes: a, b)"),
    ("    text: Q\n    deadline: 2018-07-31\n    outcomes: [a, b]\n"
     "    forecasts: [{analyst: al, probability: {a: 0.5, b: 0.6}, made_at: 2018-06-21}]\n",
     "error: v.yaml: question bad, forecast 1 (al): forecast probabilities sum to 1.1, not 1"),
    ("    text: Q\n    deadline: 2018-07-31\n    forecasts: [{analyst: al, probability: 0.5, made_at: 2018-06-21},"
     " {analyst: al, probability: {yes: 0.5, no: 0.4}, made_at: 2018-06-22}]\n",
     "error: v.yaml: question bad, forecast 2 (al): yes and no probabilities do not sum to 1"),
    ("    text: Q\n    deadline: 2018-06-01\n",
     "error: v.yaml: question bad: deadline 2018-06-01 of 'bad' is before the question opened (2018-06-20)"),
    ("    text: Q\n    deadline: 2018-07-31\n    implies: nowhere\n",
     "error: v.yaml: question bad: implies names unknown question 'nowhere'"),
]


@pytest.mark.parametrize("entry, message", BAD_ENTRIES, ids=[
    "probability", "deadline", "unknown-field", "made_at-missing", "made_at-text", "opened", "one-outcome",
    "unknown-outcome", "vector-sum", "yes-no-sum", "deadline-before-open", "implies-unknown"])
def test_bad_entry_late_in_the_file_writes_nothing(cli, tmp_path, entry, message):
    text = HEAD + "  - id: bad\n" + entry
    result = cli.fails("import", write(tmp_path, text))
    assert result.stderr.strip().startswith(message), result.stderr
    assert empty(cli.db_url)


def test_bad_entry_leaves_an_existing_database_unchanged(cli, tmp_path):
    cli.ok("import", write(tmp_path, HEAD, "first.yaml"))
    before = dump_db(cli.db_url)
    # new good questions and a new revision first, then a bad vector found only while writing
    text = HEAD.replace("made_at: 2018-06-21}]\n  - id: good-too",
                        "made_at: 2018-06-21}, {analyst: al, probability: 0.6, made_at: 2018-06-25}]\n  - id: good-too") + """\
  - id: new-one
    text: New
    deadline: 2018-07-31
    forecasts: [{analyst: newcomer, probability: 0.2, made_at: 2018-06-22}]
  - id: new-cat
    text: New categorical
    deadline: 2018-07-31
    outcomes: [x, y]
    forecasts: [{analyst: newcomer, probability: {x: 0.2, z: 0.8}, made_at: 2018-06-22}]
"""
    cli.fails("import", write(tmp_path, text),
              match="v.yaml: question new-cat, forecast 1 (newcomer): forecast names unknown outcome 'z'")
    assert dump_db(cli.db_url) == before


@pytest.mark.parametrize(
    "text, message",
    [
        ("- a\n- b\n", "v.yaml: expected a mapping with 'questions' (a scenario) or 'resolutions' (a resolution file)"),
        ("title: x\n", "v.yaml: expected 'questions' (a scenario file) or 'resolutions' (a resolution file)"),
        ("id: Bad Id\ntitle: x\nquestions: []\n", "v.yaml: field id: scenario id 'Bad Id' is not a valid id"),
        ("id: sc\nquestions: []\n", "v.yaml: field title: Field required"),
        ("id: sc\ntitle: S\nsource: {date: someday}\nquestions: []\n", "v.yaml: field source.date: 'someday' is not an ISO date (YYYY-MM-DD)"),
        (HEAD + "  - id: good\n    text: again\n    deadline: 2018-07-31\n", "v.yaml: question id 'good' appears twice"),
        (HEAD + "  - text: no id\n    deadline: 2018-07-31\n", "v.yaml: question #3, field id: Field required"),
        (HEAD + "  - id: 2018\n    text: numeric id\n    deadline: 2018-07-31\n",
         "v.yaml: question 2018, field id: question id 2018 was read as a number: quote it"),
        (HEAD + "  - id: Big Q\n    text: x\n    deadline: 2018-07-31\n",
         "v.yaml: question Big Q, field id: question id 'Big Q' is not a valid id"),
    ],
    ids=["list", "no-questions", "scenario-id", "no-title", "source-date", "duplicate", "no-id", "numeric-id", "bad-id"],
)
def test_file_level_errors(cli, tmp_path, text, message):
    cli.fails("import", write(tmp_path, text), match=message)
    assert empty(cli.db_url)


# ---------------------------------------------------------------- YAML traps


def test_yes_no_on_off_stay_the_words_written(cli, tmp_path):
    text = """\
    id: sc
    title: S
    source: {date: 2018-06-20}
    questions:
      - id: base
        text: Base
        deadline: 2018-07-31
        outcomes: [on, off, no, yes]
      - id: dep
        text: Dependent
        deadline: 2018-07-31
        condition: {question: base, outcome: no}
        tags: [on, off, yes]
        phrase: no
        forecasts:
          - {analyst: no, probability: 0.3, made_at: 2018-06-21}
      - id: dep2
        text: Dependent on yes
        deadline: 2018-07-31
        condition: {question: base, outcome: yes}
    """
    cli.ok("import", write(tmp_path, text))
    base = json.loads(cli.ok("show", "base", "--json").stdout)
    assert base["outcomes"] == ["on", "off", "no", "yes"]
    dep = json.loads(cli.ok("show", "dep", "--json").stdout)
    assert dep["condition"] == {"question_id": "base", "outcome": "no"}
    assert sorted(dep["tags"]) == ["off", "on", "yes"]
    assert dep["phrase"] == "no"
    assert dep["forecasts"][0]["analyst"] == "no"
    assert json.loads(cli.ok("show", "dep2", "--json").stdout)["condition"] == {"question_id": "base", "outcome": "yes"}

    res = """\
    resolutions:
      - question: base
        outcome: off
        known_at: 2018-07-16
    """
    cli.ok("import", write(tmp_path, res, "r.yaml"))
    base = json.loads(cli.ok("show", "base", "--json").stdout)
    assert base["resolutions"][0]["outcome"] == "off"
    # both dependents' conditions failed (base resolved 'off'): annulled automatically
    for qid, wanted in (("dep", "no"), ("dep2", "yes")):
        r = json.loads(cli.ok("show", qid, "--json").stdout)["resolutions"]
        assert [(x["annulled"], x["reason"]) for x in r] == [(True, f"condition failed: base resolved off, not {wanted}")]


@pytest.mark.parametrize("written, stored", [
    ("no", "no"), ("yes", "yes"), ("No", "no"), ("YES", "yes"), ("false", "no"), ("true", "yes"),
    ("0", "no"), ("1", "yes"), ('"no"', "no"), ("n", "no"), ("y", "yes"),
])
def test_binary_outcome_words(cli, tmp_path, written, stored):
    cli.ok("import", write(tmp_path, HEAD))
    cli.ok("import", write(tmp_path, f"resolutions:\n  - question: good\n    outcome: {written}\n    known_at: 2018-07-16\n", "r.yaml"))
    assert json.loads(cli.ok("show", "good", "--json").stdout)["resolutions"][0]["outcome"] == stored


def test_dates_and_datetimes_parse_as_such(cli, tmp_path):
    text = """\
    id: sc
    title: S
    source: {date: 2018-06-20}
    questions:
      - id: q
        text: Q
        deadline: "2018-07-31"
        opened: 2018-06-19
        forecasts:
          - {analyst: a, probability: 0.1, made_at: 2018-06-20 14:30:00+02:00}
          - {analyst: a, probability: 0.2, made_at: 2018-06-21T08:00:00}
          - {analyst: a, probability: 0.3, made_at: "2018-06-22"}
          - {analyst: a, probability: 0.4, made_at: 2018-06-23T23:59:59.250000Z}
    """
    cli.ok("import", write(tmp_path, text))
    q = json.loads(cli.ok("show", "q", "--json").stdout)
    assert q["deadline"] == "2018-07-31"
    assert q["opened_at"] == "2018-06-19T00:00:00Z"
    assert [(f["probability"], f["made_at"]) for f in q["forecasts"]] == [
        (0.1, "2018-06-20T12:30:00Z"),  # the offset is honoured
        (0.2, "2018-06-21T08:00:00Z"),  # no zone: UTC
        (0.3, "2018-06-22T00:00:00Z"),
        (0.4, "2018-06-23T23:59:59.250000Z"),
    ]
    # and the same file again is a no-op (the parsed times are stable keys)
    before = dump_db(cli.db_url)
    cli.ok("import", tmp_path / "v.yaml")
    assert dump_db(cli.db_url) == before


def test_aliases_are_refused_with_the_line(cli, tmp_path):
    text = HEAD + "  - id: copy\n    text: &t Copied text\n    deadline: 2018-07-31\n  - id: copy2\n    text: *t\n    deadline: 2018-07-31\n"
    cli.fails("import", write(tmp_path, text), match="v.yaml: line 18: aliases (*name) are not allowed in tracker files")
    assert empty(cli.db_url)


def test_merge_keys_are_refused(cli, tmp_path):
    text = """\
    id: sc
    title: S
    defaults: &d {deadline: 2018-07-31}
    questions:
      - <<: *d
        id: q
        text: Q
    """
    cli.fails("import", write(tmp_path, text), match="aliases (*name) are not allowed")
    assert empty(cli.db_url)


def test_billion_laughs_is_refused(cli, tmp_path):
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        lines.append(f"{chr(97 + i)}: &{chr(97 + i)} [" + ", ".join([f"*{chr(96 + i)}"] * 9) + "]")
    cli.fails("import", write(tmp_path, "\n".join(lines) + "\n"), match="v.yaml: line 2: aliases (*name) are not allowed")


@pytest.mark.parametrize("text, message", [
    ("id: sc\ntitle: S\nquestions:\n  - id: q\n    text: [unclosed\n    deadline: 2018-08-01\n",
     "v.yaml: line 6: expected ',' or ']', but got ':'"),
    ("id: sc\ntitle: S\nquestions:\n  - id: q\n   text: x\n", "v.yaml: line 5: expected <block end>, but found '<block mapping start>'"),
    ("id: sc\n\ttitle: S\n", "v.yaml: line 2:"),
    ('id: sc\ntitle: "unterminated\n', "v.yaml: line 3:"),
])
def test_malformed_yaml_gives_the_line(cli, tmp_path, text, message):
    cli.fails("import", write(tmp_path, text), match=message)
    assert empty(cli.db_url)


def test_not_utf8_and_nul_bytes_are_refused(cli, tmp_path):
    (tmp_path / "latin.yaml").write_bytes("id: sc\ntitle: caf\xe9\n".encode("latin-1"))
    cli.fails("import", tmp_path / "latin.yaml", match="latin.yaml")
    (tmp_path / "nul.yaml").write_bytes(b"id: sc\ntitle: a\x00b\nquestions: []\n")
    cli.fails("import", tmp_path / "nul.yaml", match="nul.yaml")
    assert empty(cli.db_url)


def test_missing_file(cli, tmp_path):
    cli.fails("import", tmp_path / "nope.yaml", match="nope.yaml: no such file")


# ------------------------------------------------------- resolution files


@pytest.mark.parametrize(
    "entry, message",
    [
        ("  - question: good\n    outcome: maybe\n",
         "v.yaml: question good: outcome 'maybe' is not yes or no (question 'good' is binary)"),
        ("  - question: good-too\n    outcome: c\n",
         "v.yaml: question good-too: outcome 'c' is not an outcome of 'good-too' (a, b)"),
        ("  - question: nope\n    outcome: yes\n", "v.yaml: question nope: no question with id 'nope'"),
        ("  - question: good\n    outcome: annulled\n", "v.yaml: question good: annulling 'good' needs a reason"),
        ("  - question: good\n    outcome: yes\n    known_at: last week\n",
         "v.yaml: question good, field known_at: 'last week' is not an ISO date or time"),
        ("  - question: good\n    outcome: yes\n    known_at: 2999-01-01\n", "v.yaml: question good: known_at 2999-01-01"),
        ("  - question: good\n    outcome: yes\n    supersede: perhaps\n",
         "v.yaml: question good, field supersede: Input should be a valid boolean"),
        ("  - question: good\n    outcome: yes\n    colour: red\n",
         "v.yaml: question good, field colour: Extra inputs are not permitted"),
        ("  - question: good\n    outcome: yes\n    supersede: true\n    reason: typo\n",
         "v.yaml: question good: question 'good' has no resolution to supersede"),
        ("  - question: Good\n    outcome: yes\n", "v.yaml: question Good, field question: question id 'Good' is not a valid id"),
        ("  - question: other\n    outcome: no\n", "v.yaml: question 'other' appears twice"),
    ],
    ids=["binary-word", "categorical", "unknown-question", "annul-no-reason", "known-at-text", "known-at-future",
         "supersede-word", "unknown-field", "nothing-to-supersede", "bad-id", "duplicate"],
)
def test_bad_resolution_entry_late_in_the_file_applies_nothing(cli, tmp_path, entry, message):
    cli.ok("import", write(tmp_path, HEAD + "  - {id: other, text: Other, deadline: 2018-07-31}\n", "s.yaml"))
    before = dump_db(cli.db_url)
    text = ("period: 2018-Q3\nreviewer: rita\nresolutions:\n"
            "  - question: other\n    outcome: yes\n    known_at: 2018-07-10\n" + entry)
    cli.fails("import", write(tmp_path, text), match=message)
    assert dump_db(cli.db_url) == before


def test_duplicate_keys_are_refused_with_the_line(cli, tmp_path):
    """YAML keeps the last of two equal keys silently: a forecast list written
    twice would lose the first one."""
    text = HEAD + ("  - id: twice\n    text: T\n    deadline: 2018-07-31\n"
                   "    forecasts: [{analyst: al, probability: 0.5, made_at: 2018-06-21}]\n"
                   "    forecasts: [{analyst: al, probability: 0.6, made_at: 2018-06-22}]\n")
    cli.fails("import", write(tmp_path, text), match="v.yaml: line 18: the key 'forecasts' appears twice in one mapping")
    cli.fails("import", write(tmp_path, "resolutions:\n  - {question: good, outcome: yes, outcome: no}\n", "r.yaml"),
              match="r.yaml: line 2: the key 'outcome' appears twice in one mapping")
    assert empty(cli.db_url)
