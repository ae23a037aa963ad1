"""Hostile and oversized input (issue 14, section 4): spreadsheet formulas in
the CSV export, numeric YAML dates, control characters on the terminal and in
the Markdown report, size limits, passwords in database URLs, long words in
the HTML report, demo --dir, the chain of annulments, and a scenario's
whitespace across an export and an import."""

from __future__ import annotations

import csv
import io
import json
import sys
import time
from pathlib import Path

import pytest

from support import CLI
from test_report_browser import _open, browser  # noqa: F401 - the headless Chromium fixture


@pytest.fixture
def sq(sqlite_url):
    from tracker.storage import open_store

    open_store(sqlite_url, upgrade=True).dispose()
    return CLI(sqlite_url)


def write(tmp_path, name, text) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


# ------------------------------------------------------------------ CSV formula injection

HOSTILE_CSV = (
    "question,analyst,probability,made_at,deadline,text,tags\n"
    'q1,"=HYPERLINK(""http://evil"",""x"")",0.3,2018-02-01,2030-07-31,+cmd|calc,-x;@y\n'
    "q2,@al,0.4,2018-02-01,2030-07-31,plain text,t\n"
    "q3,''=quoted,0.5,2018-02-01,2030-07-31,\"\tTabbed\",ok\n"
)


def _rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_csv_export_neutralizes_cells_a_spreadsheet_would_run(sq, tmp_path):
    sq.ok("import", write(tmp_path, "hostile.csv", HOSTILE_CSV))
    rows = {r["question"]: r for r in _rows(sq.ok("export", "--format", "csv").stdout)}
    assert rows["q1"]["analyst"] == "'=HYPERLINK(\"http://evil\",\"x\")"
    assert rows["q1"]["text"] == "'+cmd|calc"
    assert rows["q1"]["tags"] == "'-x;@y"
    assert rows["q2"]["analyst"] == "'@al"
    assert rows["q2"]["text"] == "plain text" and rows["q2"]["tags"] == "t"
    assert rows["q3"]["analyst"] == "''=quoted"  # a ' before a formula gets one more: reversible
    for row in rows.values():
        for key in ("analyst", "text", "tags"):
            assert row[key][:1] not in ("=", "+", "-", "@", "\t", "\r"), row


def test_csv_export_raw_cells_writes_them_as_stored(sq, tmp_path):
    sq.ok("import", write(tmp_path, "hostile.csv", HOSTILE_CSV))
    rows = {r["question"]: r for r in _rows(sq.ok("export", "--format", "csv", "--raw-cells").stdout)}
    assert rows["q1"]["analyst"] == '=HYPERLINK("http://evil","x")'
    assert rows["q1"]["text"] == "+cmd|calc" and rows["q1"]["tags"] == "-x;@y"
    assert rows["q2"]["analyst"] == "@al" and rows["q3"]["analyst"] == "'=quoted"  # stored "'=quoted"
    assert sq("export", "--format", "json", "--raw-cells").exit_code == 2


def test_a_neutralized_csv_imports_back_to_the_same_data(sq, tmp_path):
    sq.ok("import", write(tmp_path, "hostile.csv", HOSTILE_CSV))
    exported = sq.ok("export", "--format", "csv").stdout
    other = CLI(f"sqlite:///{tmp_path / 'other.db'}")
    other.ok("import", write(tmp_path, "exported.csv", exported))
    assert other.ok("export", "--format", "csv").stdout == exported
    assert other.ok("export", "--format", "csv", "--raw-cells").stdout == \
        sq.ok("export", "--format", "csv", "--raw-cells").stdout
    # and into the database it came from: nothing new
    result = sq.ok("import", write(tmp_path, "again.csv", exported))
    assert "0 forecasts added (3 already present)" in result.stderr


# ------------------------------------------------------------------ numeric YAML dates

YAML = "id: sc\ntitle: Dates\nquestions:\n  - id: q1\n    text: A question\n    deadline: {deadline}\n"


@pytest.mark.parametrize("deadline, message", [
    ("0", "question q1, field deadline: 0 was read as a number, not a date: write an ISO date (YYYY-MM-DD)"),
    ("20180731", "question q1, field deadline: 20180731 was read as a number, not a date: write an ISO date"),
    ('"20180731"', "question q1, field deadline: '20180731' is not an ISO date (YYYY-MM-DD)"),
    ("1.5e+9", "question q1, field deadline: 1500000000.0 was read as a number, not a date"),
])
def test_a_number_is_not_read_as_a_unix_time(sq, tmp_path, deadline, message):
    result = sq.fails("import", write(tmp_path, "d.yaml", YAML.format(deadline=deadline)))
    assert result.stderr.strip().startswith(f"error: d.yaml: {message}")
    assert sq.ok("list", "--json").stdout.strip() == "[]"


# ------------------------------------------------------------------ control characters

CONTROL_SCENARIO = (
    "id: ctl\ntitle: Controls\nquestions:\n"
    "  - id: q1\n    text: \"Evil \\u009b31m red \\r over \\u202e gnp.exe\"\n    deadline: 2018-07-31\n"
    "    tags: [\"t\\u009by\"]\n"
    "    forecasts: [{analyst: \"al\\u009b2J\", probability: 0.4, made_at: 2018-06-01, "
    "rationale: \"why \\u009b5m\"}]\n"
)
RAW = ("\u009b", "\r", "\u202e", "\x1b", "\x07")


def _no_raw_controls(text: str) -> None:
    for c in RAW:
        assert c not in text, f"raw {c!r} in {text!r}"


def test_control_characters_are_shown_as_escapes_on_the_terminal(sq, tmp_path):
    sq.ok("import", write(tmp_path, "c.yaml", CONTROL_SCENARIO))
    for args in (["list"], ["show", "q1"], ["history", "q1"], ["review", "--quarter", "2018Q3"],
                 ["show", "q1", "--json"], ["list", "--json"]):
        result = sq.ok(*args)
        _no_raw_controls(result.stdout)
        _no_raw_controls(result.stderr)
    shown = sq.ok("show", "q1").stdout
    assert "Evil \\x9b31m red \\x0d over \\u202e gnp.exe" in shown
    assert "al\\x9b2J" in shown and "t\\x9by" in shown
    # JSON stays the same value: the escapes are JSON's own
    data = json.loads(sq.ok("show", "q1", "--json").stdout)
    assert data["text"] == "Evil \u009b31m red \r over \u202e gnp.exe"


def test_control_characters_in_error_messages(tmp_path):
    missing = tmp_path / "a\x1b]0;pwned\x07b.csv"
    result = CLI(f"sqlite:///{tmp_path / 'x.db'}")("import", str(missing))
    assert result.exit_code == 1
    _no_raw_controls(result.stderr)
    assert "a\\x1b]0;pwned\\x07b" in result.stderr
    from tracker.cli.common import error_line

    assert error_line("bad \u009b2J\rname") == "error: bad \\x9b2J\\x0dname"


def test_control_characters_are_escaped_in_the_markdown_report(sq, tmp_path):
    sq.ok("import", write(tmp_path, "c.yaml", CONTROL_SCENARIO))
    sq.ok("resolve", "q1", "no", "--known-at", "2018-07-16", "--evidence", "http://x\u009b", "--note",
          "n\u009b1m")
    out = tmp_path / "r.md"
    sq.ok("report", "--format", "md", "-o", str(out), "--as-of", "2018-10-01")
    text = out.read_text(encoding="utf-8")
    _no_raw_controls(text)
    assert "\\x9b31m" in text
    stdout = sq.ok("report", "--format", "md", "--as-of", "2018-10-01").stdout
    _no_raw_controls(stdout)


def test_the_csv_export_keeps_the_data_byte_for_byte(sq, tmp_path):
    """Export is data for a file, not text for a person: nothing is escaped there."""
    sq.ok("import", write(tmp_path, "c.yaml", CONTROL_SCENARIO))
    rows = _rows(sq.ok("export", "--format", "csv").stdout)
    assert rows[0]["text"] == "Evil \u009b31m red \r over \u202e gnp.exe"


# ------------------------------------------------------------------ size limits


def test_extract_of_an_endless_file_stops_at_once(tmp_path):
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero on this system")
    result = CLI(f"sqlite:///{tmp_path / 'x.db'}")("extract", "/dev/zero", "--date", "2018-06-20", db=False)
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: zero: binary file (NUL bytes), not text"


def test_extract_and_import_refuse_a_file_past_their_limit(sq, tmp_path, monkeypatch):
    from tracker.cli import common

    monkeypatch.setattr(common, "_READ_CHUNK", 1024)
    big = tmp_path / "big.txt"
    big.write_text("Moscow is likely to agree. " * 200_000)  # 5.4 MB
    import tracker.extract.text as text_mod

    monkeypatch.setattr(text_mod, "MAX_BYTES", 1 << 20)
    result = sq("extract", str(big), "--date", "2018-06-20")
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: big.txt: larger than 1 MB, the limit for an assessment"
    from tracker.cli import transfer_cmds

    monkeypatch.setattr(transfer_cmds, "MAX_IMPORT_BYTES", 1 << 20)
    csv_path = tmp_path / "big.csv"
    csv_path.write_text("question,analyst,probability\n" + "q1,al,0.5\n" * 200_000)
    result = sq.fails("import", str(csv_path))
    assert result.stderr.strip() == "error: big.csv: larger than 1 MB, the limit for a file to import"


def test_an_import_of_an_endless_file_stops_at_once(sq):
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero on this system")
    result = sq.fails("import", "/dev/zero")
    assert result.stderr.strip() == "error: zero: binary file (NUL bytes), not text"


def test_a_yaml_file_of_too_many_values_is_refused_before_it_is_built(sq, tmp_path, monkeypatch):
    from tracker.files import yamlio

    monkeypatch.setattr(yamlio, "MAX_NODES", 5000)
    path = write(tmp_path, "ints.yaml", "id: s\ntitle: t\nquestions: [" + ",".join(map(str, range(20000))) + "]\n")
    result = sq.fails("import", path)
    assert result.stderr.strip() == "error: ints.yaml: line 3: more than 5,000 values in one file (the limit; split the file)"
    assert yamlio.load_yaml("a: [1, 2, 3]") == {"a": [1, 2, 3]}


def test_the_yaml_limit_admits_a_large_real_scenario():
    from tracker.files import yamlio

    questions = [{"id": f"q{i}", "text": f"Question {i}", "deadline": "2030-07-31", "tags": ["a", "b"],
                  "forecasts": [{"analyst": f"an{k}", "probability": 0.5, "made_at": "2018-06-01"}
                                for k in range(8)]} for i in range(1000)]
    text = yamlio.dump_yaml({"id": "big", "title": "Big", "questions": questions})
    assert len(yamlio.load_yaml(text)["questions"]) == 1000


def test_many_tags_are_handled_in_linear_time(monkeypatch):
    """40,000 distinct tags: each is compared a few times at most (a list scan per tag made it quadratic:
    about 800 million comparisons, 13 seconds)."""
    import tracker.models as models

    calls = {"n": 0}

    class Counting(str):
        def __eq__(self, other):
            calls["n"] += 1
            return str.__eq__(self, other)

        __hash__ = str.__hash__

    class Checked(str):
        def strip(self, *args):
            return Counting(str.strip(self, *args))

    check_text = models.check_text
    monkeypatch.setattr(models, "check_text", lambda v, *a, **k: Checked(check_text(v, *a, **k)))
    tags = [f"t{i}" for i in range(4000)] + ["t5", " t6 "]
    q = models.QuestionIn(id="many", text="Many tags", deadline="2030-07-31", tags=tags)
    assert len(q.tags) == 4000 and q.tags[:3] == ["t0", "t1", "t2"]
    assert calls["n"] < 10 * len(tags), calls["n"]  # a list scan per tag: about 8 million


@pytest.mark.parametrize("kind, by, limit, gid", [
    ("analysts", None, "MAX_ANALYST_ROWS", "brier"),
    ("calibration", "analyst", "MAX_PANELS", None),
    ("trend", "analyst", "MAX_TREND_LINES", None),
])
def test_plots_with_many_analysts_draw_the_most_active_with_a_note(sq, tmp_path, kind, by, limit, gid):
    from tracker.services import report as report_service
    from tracker.storage import open_store

    lines = ["question,analyst,probability,made_at,deadline,outcome"]
    n_analysts = 80
    for i in range(n_analysts):
        for k in range(1 + (i % 4)):  # an0..: 1 to 4 forecasts each
            q = f"q{(i + k) % 30}"
            lines.append(f"{q},an{i:03d},{0.1 + 0.2 * (k % 4)},2018-02-0{k + 1},2018-0{(i + k) % 30 % 3 + 7}-28,"
                         f"{'yes' if (i + k) % 30 % 2 else 'no'}")
    sq.ok("import", write(tmp_path, "many.csv", "\n".join(lines) + "\n"))
    store = open_store(sq.db_url)
    try:
        fig, note = report_service.plot(store, kind, by=by)
    finally:
        store.dispose()
    cap = getattr(report_service, limit)
    assert note == (f"{cap} of {n_analysts} analysts drawn ("
                    + {"analysts": "rows", "calibration": "calibration diagrams", "trend": "lines"}[kind]
                    + " for those with the most scored forecasts; --analyst NAME draws anyone)")
    texts = [t.get_text() for t in fig.texts if t.get_gid() == "note"]
    assert texts == [note]
    if kind == "calibration":
        panels = [ax for ax in fig.axes if ax.get_visible() and ax.get_title(loc="left")]
        assert len(panels) == cap
        # the 20 analysts with 4 scored forecasts (i % 4 == 3) first, then 4 of those with 3, by name
        shown = sorted(ax.get_title(loc="left").split(" (n")[0] for ax in panels)
        assert [n for n in shown if int(n[2:]) % 4 == 3] == [f"an{i:03d}" for i in range(3, 80, 4)]
        assert [n for n in shown if int(n[2:]) % 4 != 3] == ["an002", "an006", "an010", "an014"]
    result = sq.ok("plot", kind, *(["--by", by] if by else []), "-o", str(tmp_path / "p.png"))
    assert f"note: {note}" in result.stderr


# ------------------------------------------------------------------ passwords in URLs


@pytest.mark.parametrize("url, shown", [
    ("postgresql://bob@127.0.0.1:1/test?password=hunter2", "postgresql+psycopg://bob@127.0.0.1:1/test?password=***"),
    ("postgresql://bob@127.0.0.1:1/test?sslmode=disable&password=hunter2&x=1",
     "postgresql+psycopg://bob@127.0.0.1:1/test?sslmode=disable&password=***&x=1"),
    ("postgresql://bob:hunter2@127.0.0.1:1/test", "postgresql+psycopg://bob:***@127.0.0.1:1/test"),
    ("postgresql://bob:hun@ter2@127.0.0.1:1/test", "postgresql+psycopg://bob:***@127.0.0.1:1/test"),
])
def test_a_password_in_a_database_url_never_reaches_a_message(tmp_path, url, shown):
    result = CLI(url)("list")
    assert result.exit_code == 1
    err = result.stderr.strip()
    assert "hunter2" not in err and "ter2" not in err, err
    assert shown in err, err
    assert err.startswith("error: ") and "\n" not in err


def test_error_lines_redact_any_url_password():
    from tracker.cli.common import error_line

    line = error_line("could not reach postgresql://ann:s3cr3t@db.example.org/x (password=s3cr3t: timeout)")
    assert line == "error: could not reach postgresql://ann:***@db.example.org/x (password=***: timeout)"


# ------------------------------------------------------------------ long words in the HTML report


@pytest.mark.browser
def test_a_long_word_wraps_in_the_html_report(browser, tmp_path):
    """A 1,980-character word in a question's text: the page stays as wide as the window."""
    cli = CLI(f"sqlite:///{tmp_path / 'w.db'}")
    word = "x" * 1980
    cli.ok("import", write(tmp_path, "w.csv", "question,analyst,probability,made_at,deadline,text,outcome\n"
                           f"long,al,0.3,2018-02-01,2018-07-31,Does {word} happen,no\n"))
    page = tmp_path / "r.html"
    cli.ok("report", "--as-of", "2018-10-01", "-o", str(page))
    _open(browser, page)

    def js(expression):
        return browser.call("Runtime.evaluate", {"expression": expression, "returnByValue": True})["result"]["value"]

    assert js("document.documentElement.scrollWidth") <= js("window.innerWidth")
    assert word in js("document.body.innerText").replace("\n", "")


# ------------------------------------------------------------------ demo --dir


def test_demo_refuses_a_folder_that_is_not_empty(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "report.html").write_text("my own report")
    (folder / "notes.yaml").write_text("mine")
    result = CLI(f"sqlite:///{tmp_path / 'x.db'}")("demo", "--dir", str(folder), db=False)
    assert result.exit_code == 1
    assert result.stderr.strip() == (f"error: {folder} is not empty: notes.yaml exists: pass an empty --dir or a "
                                     f"new one (nothing was written)")
    assert (folder / "report.html").read_text() == "my own report"
    assert sorted(p.name for p in folder.iterdir()) == ["notes.yaml", "report.html"]


def test_demo_refuses_a_file_as_its_folder(tmp_path):
    target = tmp_path / "afile"
    target.write_text("x")
    result = CLI(f"sqlite:///{tmp_path / 'x.db'}")("demo", "--dir", str(target), db=False)
    assert result.exit_code == 2  # click's own check of --dir: a usage error, on one line
    err = result.stderr.strip()
    assert err.startswith("error: ") and "is a file" in err and "\n" not in err, err
    assert target.read_text() == "x"


# ------------------------------------------------------------------ the chain of annulments


def test_resolving_a_condition_reports_the_whole_chain_it_annulled(sq):
    for qid, cond in (("a", None), ("b", "a=yes"), ("c", "b=yes"), ("d", "c=no"), ("e", "a=yes"), ("f", "a=no")):
        sq.ok("question", "add", f"{qid.upper()} happens", "--deadline", "2030-07-31", "--id", qid,
              *(["--condition", cond] if cond else []))
    result = sq.ok("resolve", "a", "no")
    assert result.stdout.splitlines() == [
        "resolved a: no",
        "annulled b: condition failed: a resolved no, not yes",
        "annulled c: condition question b was annulled",
        "annulled d: condition question c was annulled",
        "annulled e: condition failed: a resolved no, not yes",
    ]
    data = json.loads(sq.ok("show", "d", "--json").stdout)
    assert data["status"] == "annulled"
    assert json.loads(sq.ok("show", "f", "--json").stdout)["status"] != "annulled"


def test_resolve_json_lists_the_chain(sq):
    for qid, cond in (("a", None), ("b", "a=yes"), ("c", "b=yes")):
        sq.ok("question", "add", f"{qid.upper()} happens", "--deadline", "2030-07-31", "--id", qid,
              *(["--condition", cond] if cond else []))
    res = json.loads(sq.ok("resolve", "a", "no", "--json").stdout)
    assert res["annulled_dependents"] == ["b", "c"]
    assert res["annulled_reasons"] == {"b": "condition failed: a resolved no, not yes",
                                       "c": "condition question b was annulled"}


# ------------------------------------------------------------------ whitespace across export and import


def test_a_scenario_with_spaces_round_trips_with_nothing_updated(sq, tmp_path):
    sq.ok("import", write(tmp_path, "s.yaml", (
        "id: sp\ntitle: T\nquestions:\n"
        "  - id: q1\n    text: Leading\n    deadline: 2030-07-31\n    tags: [a]\n"
        "    forecasts: [{analyst: al, probability: 0.3, made_at: 2018-06-01}]\n"
        "  - id: q2\n    text: No forecasts\n    sentence: s\n    deadline: 2030-07-31\n")))
    backup = json.loads(sq.ok("export", "--format", "json").stdout)
    # texts with leading and trailing spaces, as an older version or another tool may have stored them
    for key, rows in backup.items():
        if isinstance(rows, list):
            for row in rows:
                for field in ("text", "title", "source_sentence", "tag"):
                    if isinstance(row, dict) and isinstance(row.get(field), str):
                        row[field] = f"  {row[field]}  "
    other = CLI(f"sqlite:///{tmp_path / 'other.db'}")
    other.ok("import", write(tmp_path, "backup.json", json.dumps(backup)))
    exported = tmp_path / "sp.yaml"
    other.ok("export", "--format", "yaml", "--scenario", "sp", "-o", str(exported))
    result = other.ok("import", str(exported), "--json")
    data = json.loads(result.stdout)
    assert (data["scenario"], data["questions_created"], data["questions_updated"], data["forecasts_added"]) == \
        ("unchanged", 0, 0, 0)


def test_readme_states_the_limits_as_implemented():
    from tracker.cli import transfer_cmds
    from tracker.extract import text as extract_text
    from tracker.files import yamlio
    from tracker.services import report

    readme = " ".join((Path(__file__).resolve().parents[1] / "README.md").read_text().split())
    assert f"| `tracker extract FILE` | {extract_text.MAX_BYTES >> 20} MB of text |" in readme
    assert f"| `tracker import FILE` | {transfer_cmds.MAX_IMPORT_BYTES >> 30} GB" in readme
    assert f"{yamlio.MAX_BYTES >> 20} MB and {yamlio.MAX_NODES:,} values" in readme
    assert (f"at most {report.MAX_PANELS} calibration diagrams (`--by analyst`), {report.MAX_ANALYST_ROWS} analysts "
            f"(`plot analysts`) or {report.MAX_TREND_LINES} analyst lines") in readme
    assert "tracker export --format csv --raw-cells -o forecasts-raw.csv" in readme
