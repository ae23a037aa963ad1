"""Hostile and malformed input: generated (Hypothesis) and seeded cases.

Every input either succeeds, or exits 1 with a one-line "error: ..." message
(exit 2 with click's usage message for a malformed command line). None prints
a traceback or the last-resort "error: unexpected ..." (a bug), and a refused
input leaves the database exactly as it was.

The generated tests run on SQLite through the in-process CLI runner; the
seeded cases run on SQLite and PostgreSQL.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from support import dump_db, examples, full_counts

UTC = timezone.utc
TODAY = datetime.now(UTC).date()
FUTURE = (TODAY + timedelta(days=90)).isoformat()

FUZZ = settings(
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)


def fuzz(full: int) -> settings:
    """``full`` examples in CI, fewer in a quick local run (support.examples)."""
    return settings(FUZZ, max_examples=examples(full))


# ------------------------------------------------------------------ harness


def invoke(url: str, args: list[str], input=None):
    from tracker.cli import main

    return CliRunner().invoke(main, ["--db", url, *args], input=input, catch_exceptions=True)


def check_outcome(result, args, *, usage_ok: bool = False) -> str:
    """"ok", "refused" or "usage"; fails on anything else."""
    args = list(args)
    shown = f"tracker {' '.join(repr(a)[:80] for a in args)}"
    out, err = result.stdout, result.stderr
    assert "Traceback" not in out + err, f"{shown}: traceback\n{err}"
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{shown}: uncaught {type(result.exception).__name__}: {result.exception}")
    if result.exit_code == 0:
        return "ok"
    if result.exit_code == 1 and args[:1] == ["check"] and (err.strip().endswith("incoherent forecasts") or out.startswith("[")):
        return "ok"  # `tracker check` exits 1 to report incoherent forecasts: a report, not an error
    if result.exit_code == 1:
        line = err.strip()
        assert line.startswith("error: "), f"{shown}: exit 1 without a message: {err!r}"
        assert "\n" not in line, f"{shown}: message of several lines: {err!r}"
        assert not line.startswith("error: unexpected"), f"{shown}: a bug reached the last-resort handler: {line}"
        return "refused"
    if result.exit_code == 2 and usage_ok:
        assert err.strip().startswith("error: ") and "\n" not in err.strip(), f"{shown}: usage error not one line: {err!r}"
        return "usage"
    raise AssertionError(f"{shown}: exit {result.exit_code}: {out!r} {err!r}")


def sqlite_dump(url: str) -> list[str]:
    con = sqlite3.connect(url[len("sqlite:///"):])
    try:
        return list(con.iterdump())
    finally:
        con.close()


class Target:
    """A seeded SQLite database and the invariant checks; keeps the last dump
    (refusals do not change the database, so one dump per example suffices)."""

    def __init__(self, url: str):
        self.url = url
        self.outcomes = {"ok": 0, "refused": 0, "usage": 0}
        seed(url)
        self.state = sqlite_dump(url)

    def run(self, args: list[str], *, usage_ok: bool = False, input=None) -> str:
        result = invoke(self.url, args, input=input)
        outcome = check_outcome(result, args, usage_ok=usage_ok)
        self.outcomes[outcome] += 1
        now = sqlite_dump(self.url)
        if outcome != "ok":
            assert now == self.state, f"refused input changed the database: tracker {args!r}: {result.stderr.strip()}"
        self.state = now
        return outcome


def seed(url: str) -> None:
    """Questions every generated input can refer to."""
    from tracker.services.log import add_forecast, add_question, resolve
    from tracker.services.transfer import import_csv
    from tracker.storage import open_store

    store = open_store(url, upgrade=True)
    try:
        add_question(store, {"id": "base", "text": "Trump and Putin meet", "deadline": FUTURE})
        add_question(store, {"id": "cat", "text": "Where", "deadline": FUTURE, "outcomes": ["helsinki", "vienna", "other"]})
        add_question(store, {"id": "done", "text": "Resolved already", "deadline": FUTURE})
        add_forecast(store, "base", 0.3, analyst="alice")
        resolve(store, "done", "yes", recorded_by="rita")
        csv_text = "question,analyst,probability,made_at,deadline\n" + "".join(
            f"{q},alice,0.4,2018-06-20,2018-07-31\n" for q in ("past", "old-1", "old-2", "old-3", "old-4"))
        import_csv(store, csv_text.encode(), filename="seed.csv", recorded_by="rita")
    finally:
        store.dispose()


@pytest.fixture
def target(sqlite_url):
    return Target(sqlite_url)


def report(target: Target, what: str, *, min_ok: int) -> None:
    """The generated inputs reached both sides: some landed, many were refused
    (with a tenth of the examples in a quick local run, at least one of each)."""
    o = target.outcomes
    print(f"\n{what}: {sum(o.values())} cases: {o['ok']} succeeded, {o['refused']} refused, {o['usage']} usage errors")
    min_refused = 50 if full_counts() else 1
    min_ok = min_ok if full_counts() else 1
    assert o["ok"] >= min_ok and o["refused"] >= min_refused, o


# --------------------------------------------------------------- strategies

SEED_TEXT = [
    "", " ", "0", "1", "-1", "0.5", ".5", "50%", "150%", "-0", "-0.0", "1e308", "1e309", "-1e309", "1e-320",
    "nan", "NaN", "-nan", "inf", "-inf", "Infinity", "1_0", "0x10", "٠.٥", "99999999999999999999999999",
    "0000-01-01", "0001-01-01", "0001-01-01T00:00:00+01:00", "9999-12-31", "9999-12-31T23:59:59-14:00",
    "10000-01-01", "2020-02-30", "2020-13-01", "2020-01-01T24:00:00", "2020-06-01T12:00:00+05:30",
    "2020-06-01T12:00:00Z", "2018-07-16", "2020-06-01 12:00", "2020-06-01T12:00:00+25:00",
    "Robert'); DROP TABLE forecast;--", "' OR '1'='1", "1; DELETE FROM resolution", "\"; TRUNCATE question; --",
    "é", "Путин", "😀", "\u202eevil", "a\nb", "a\r\nb", "\x00", "x\x00y", "\x1b[31mred", "\x7f", "\t", "\ufeff",
    "yes", "no", "true", "annulled", "base", "cat", "done", "past", "helsinki", "a=0.5,b=0.5",
    "helsinki=0.2,vienna=0.3,other=0.5", "helsinki=nan,vienna=0.5,other=0.5", "%", "%%", "x" * 300,
]
def mostly(valid: st.SearchStrategy, hostile: st.SearchStrategy, one_in: int = 3) -> st.SearchStrategy:
    """Valid values most of the time (so that inputs reach deep into the
    code), hostile ones one time in ``one_in``."""
    return st.integers(0, one_in - 1).flatmap(lambda k: hostile if k == 0 else valid)


hostile_text = st.one_of(st.sampled_from(SEED_TEXT), st.text(max_size=12), st.text(st.characters(codec="utf-8"), max_size=6))
plain_text = st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=16)
text = mostly(plain_text, hostile_text)
slug = st.from_regex(r"\A[a-z0-9][a-z0-9._-]{0,10}\Z")
known_ids = st.sampled_from(["base", "cat", "done", "past", "old-1", "old-2", "old-3", "old-4", "new-q", "new-r", "new-s"])
question_ids = mostly(st.one_of(known_ids, known_ids, slug), hostile_text, 5)
offsets = st.integers(-(23 * 60 + 59), 23 * 60 + 59).map(lambda m: timezone(timedelta(minutes=m)))
any_dates = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))
any_datetimes = st.builds(
    lambda d, t, tz: datetime.combine(d, t, tzinfo=tz),
    any_dates, st.times(), st.one_of(st.none(), offsets),
)
past_dates = st.dates(min_value=date(2017, 1, 1), max_value=TODAY - timedelta(days=2))
past_datetimes = st.builds(
    lambda d, t, tz: datetime.combine(d, t, tzinfo=tz), past_dates, st.times(), st.one_of(st.none(), offsets),
)
deadlines = st.one_of(st.just(date.fromisoformat(FUTURE)), st.dates(min_value=date(2017, 1, 1), max_value=date(2040, 12, 31)))
hostile_dates = st.one_of(
    st.sampled_from(SEED_TEXT[20:40]), any_dates.map(date.isoformat), any_datetimes.map(datetime.isoformat), hostile_text,
)
date_text = mostly(st.one_of(past_dates.map(date.isoformat), past_datetimes.map(datetime.isoformat)), hostile_dates)
deadline_text = mostly(deadlines.map(date.isoformat), hostile_dates)
numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True), st.integers(-(10**30), 10**30),
    st.floats(0, 1), st.sampled_from([0, 1, 0.5, -0.0, 1e-320, 2**63, -(2**63)]),
)
good_probability = st.one_of(st.floats(0, 1).map(lambda x: f"{x:.4f}"), st.integers(0, 100).map(lambda x: f"{x}%"))
prob_text = mostly(good_probability, st.one_of(
    st.sampled_from(SEED_TEXT[:25]), numbers.map(repr), numbers.map(str), st.floats(0, 1000).map(lambda x: f"{x}%"), hostile_text,
))


# --------------------------------------------------------------- CSV files

CSV_COLS = ["question", "analyst", "probability", "made_at", "deadline", "text", "tags", "outcome", "known_at"]
CSV_VALID = {
    "question": st.one_of(st.sampled_from(["base", "old-1", "old-2", "new-q", "new-r"]), slug),
    "analyst": st.sampled_from(["alice", "bob", "carol"]),
    "probability": good_probability,
    "made_at": st.one_of(st.just(""), st.sampled_from(["2018-06-21", "2018-07-01T12:00:00+02:00"])),
    "deadline": st.sampled_from([FUTURE, "2018-07-31", ""]),
    "text": st.one_of(st.just(""), plain_text),
    "tags": st.sampled_from(["russia;summit", "", "nato"]),
    "outcome": st.sampled_from(["", "", "yes", "no", "1", "0", "true"]),
    "known_at": st.sampled_from(["", "", "2018-07-16", "2018-07-31T23:00:00-02:00"]),
}
CSV_VALUES = {
    "question": question_ids,
    "analyst": mostly(st.sampled_from(["alice", "bob", "carol"]), hostile_text),
    "probability": prob_text,
    "made_at": st.one_of(st.just(""), date_text),
    "deadline": deadline_text,
    "text": st.one_of(st.just(""), text),
    "tags": st.one_of(st.just("russia;summit"), st.just(""), text),
    "outcome": mostly(st.sampled_from(["", "", "yes", "no", "1", "0", "true"]), hostile_text),
    "known_at": st.one_of(st.just(""), date_text),
}


@st.composite
def csv_files(draw) -> bytes:
    cols = ["question", "analyst", "probability"] + draw(st.lists(st.sampled_from(CSV_COLS[3:]), unique=True))
    cols = draw(st.permutations(cols))
    header = list(cols)
    mutation = draw(st.sampled_from(["none"] * 8 + ["duplicate", "junk", "case", "drop", "blank"]))
    if mutation == "duplicate":
        header.append(draw(st.sampled_from(header)))
    elif mutation == "junk":
        header.append(draw(text))
    elif mutation == "case":
        header = [f" {h.upper()} " for h in header]
    elif mutation == "drop":
        header.pop(draw(st.integers(0, len(header) - 1)))
    elif mutation == "blank":
        header[0] = ""
    rows = []
    hostility = draw(st.sampled_from([0, 0, 1, 3, 10]))  # in tenths: how many values are hostile
    for _ in range(draw(st.integers(0, 4))):
        row = []
        for c in header:
            name = c.strip().lower()
            pool = CSV_VALUES if draw(st.integers(0, 9)) < hostility else CSV_VALID
            row.append(draw(pool.get(name, text)))
        if draw(st.integers(0, 9)) == 0:  # a row of the wrong width
            row = row[:-1] if row and draw(st.booleans()) else row + ["extra"]
        rows.append(row)
    out = io.StringIO()
    ending = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))
    writer = csv.writer(out, lineterminator=ending, quoting=quoting)
    writer.writerow(header)
    writer.writerows(rows)
    data = out.getvalue().encode("utf-8")
    if draw(st.booleans()):
        data = b"\xef\xbb\xbf" + data  # a BOM
    if draw(st.integers(0, 7)) == 0:  # raw damage: a byte inserted somewhere
        pos = draw(st.integers(0, len(data)))
        data = data[:pos] + draw(st.binary(min_size=1, max_size=3)) + data[pos:]
    return data


def test_generated_csv_imports(target, tmp_path):
    @fuzz(700)
    @given(data=csv_files())
    def one(data):
        path = tmp_path / "input.csv"
        path.write_bytes(data)
        target.run(["import", str(path), "--format", "csv", "--reviewer", "rita"])

    one()
    report(target, "CSV imports", min_ok=30)


# ------------------------------------------------ scenario and resolution files

yaml_scalars = st.one_of(
    text, numbers, st.booleans(), st.none(), any_dates, any_datetimes,
)
valid_vector = st.floats(0, 1).flatmap(
    lambda a: st.floats(0, 1 - a).map(lambda b: {"helsinki": a, "vienna": b, "other": max(0.0, 1 - a - b)}))
yaml_values = st.recursive(yaml_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.one_of(text, st.integers()), inner, max_size=3)), max_leaves=6)
probability_values = mostly(st.one_of(st.floats(0, 1), good_probability, valid_vector), st.one_of(
    numbers, prob_text,
    st.dictionaries(st.sampled_from(["helsinki", "vienna", "other", "yes", "no", "x"]), numbers, max_size=4),
))
when = mostly(st.one_of(past_dates, past_datetimes), st.one_of(any_dates, any_datetimes, date_text))
outcome_lists = mostly(st.just(["helsinki", "vienna", "other"]), st.one_of(st.lists(st.one_of(slug, text), max_size=4), text))


def maybe(d: dict, key: str, draw, strategy) -> None:
    if draw(st.booleans()):
        d[key] = draw(strategy)


@st.composite
def scenario_docs(draw):
    doc = {"id": draw(mostly(st.sampled_from(["fuzz-scenario", "other-scenario"]), st.one_of(slug, hostile_text))),
           "title": draw(text)}
    maybe(doc, "source", draw, st.fixed_dictionaries({}, optional={"title": text, "date": when, "origin": text, "junk": text}))
    maybe(doc, "description", draw, text)
    questions = []
    for _ in range(draw(st.integers(0, 3))):
        q = {"id": draw(question_ids), "text": draw(text), "deadline": draw(mostly(deadlines, when))}
        maybe(q, "outcomes", draw, outcome_lists)
        maybe(q, "ordered", draw, st.one_of(st.booleans(), text))
        maybe(q, "opened", draw, when)
        maybe(q, "tags", draw, st.one_of(st.lists(text, max_size=3), text))
        maybe(q, "sentence", draw, text)
        maybe(q, "phrase", draw, text)
        maybe(q, "condition", draw, st.one_of(st.just("base=yes"), text, st.fixed_dictionaries({"question": question_ids, "outcome": text})))
        maybe(q, "implies", draw, question_ids)
        maybe(q, "joint", draw, question_ids)
        maybe(q, "extraction", draw, st.dictionaries(text, yaml_values, max_size=3))
        if draw(st.integers(0, 9)) == 0:
            q[draw(text)] = draw(yaml_scalars)
        forecasts = []
        for _ in range(draw(st.integers(0, 3))):
            f = {"analyst": draw(mostly(st.sampled_from(["alice", "bob"]), hostile_text)),
                 "probability": draw(probability_values), "made_at": draw(when)}
            maybe(f, "rationale", draw, text)
            forecasts.append(f)
        q["forecasts"] = forecasts
        questions.append(q)
    doc["questions"] = questions
    return doc


@st.composite
def resolution_docs(draw):
    doc = {}
    maybe(doc, "period", draw, st.one_of(st.just("2020-Q3"), text, numbers))
    maybe(doc, "reviewer", draw, mostly(st.just("rita"), hostile_text))
    entries = []
    for _ in range(draw(st.integers(0, 4))):
        e = {"question": draw(question_ids)}
        maybe(e, "outcome", draw, mostly(st.sampled_from(["yes", "no", "annulled", "helsinki", "vienna", ""]),
                                         st.one_of(text, numbers, st.booleans())))
        maybe(e, "known_at", draw, when)
        maybe(e, "evidence", draw, st.one_of(st.lists(st.one_of(text, numbers), max_size=3), text))
        maybe(e, "note", draw, text)
        maybe(e, "reason", draw, text)
        maybe(e, "supersede", draw, st.one_of(st.booleans(), text))
        if draw(st.integers(0, 9)) == 0:
            e[draw(text)] = draw(yaml_scalars)
        entries.append(e)
    doc["resolutions"] = entries
    return doc


def yaml_bytes(draw, doc) -> bytes:
    try:
        data = yaml.safe_dump(doc, allow_unicode=draw(st.booleans()), sort_keys=False).encode("utf-8")
    except (yaml.YAMLError, UnicodeEncodeError, ValueError):
        data = repr(doc).encode("utf-8", "replace")
    if draw(st.integers(0, 9)) == 0:  # raw damage
        pos = draw(st.integers(0, len(data)))
        data = data[:pos] + draw(st.binary(min_size=1, max_size=3)) + data[pos:]
    return data


def test_generated_scenario_files(target, tmp_path):
    @fuzz(450)
    @given(data=st.data())
    def one(data):
        payload = yaml_bytes(data.draw, data.draw(scenario_docs()))
        path = tmp_path / "scenario.yaml"
        path.write_bytes(payload)
        target.run(["import", str(path)])

    one()
    report(target, "scenario files", min_ok=20)


def test_generated_resolution_files(target, tmp_path):
    @fuzz(450)
    @given(data=st.data())
    def one(data):
        payload = yaml_bytes(data.draw, data.draw(resolution_docs()))
        path = tmp_path / "resolutions.yaml"
        path.write_bytes(payload)
        target.run(["import", str(path), "--reviewer", "rita"])

    one()
    report(target, "resolution files", min_ok=20)


# ---------------------------------------------------- command-line arguments


def opts(draw, pairs: list[tuple[str, st.SearchStrategy]]) -> list[str]:
    out = []
    for flag, strategy in pairs:
        if draw(st.booleans()):
            value = draw(strategy)
            out += [flag] if value is None else [flag, value]
    return out


flag = st.none()
int_text = mostly(st.integers(0, 400).map(str), st.one_of(st.integers(-10, 10**25).map(str), hostile_text))


@st.composite
def command_lines(draw) -> list[str]:
    kind = draw(st.sampled_from(["forecast", "question", "resolve", "list", "show", "history", "review", "check", "export", "verify"]))
    if kind == "forecast":
        args = ["forecast", "--", draw(question_ids), draw(prob_text)] if draw(st.booleans()) else ["forecast", draw(question_ids), draw(prob_text)]
        return args + opts(draw, [("--analyst", text), ("--rationale", text), ("--json", flag)])
    if kind == "question":
        return ["question", "add", draw(text), "--deadline", draw(deadline_text)] + opts(draw, [
            ("--id", st.one_of(slug, text)), ("--outcomes", text), ("--ordered", flag), ("--tag", text),
            ("--scenario", st.one_of(slug, text)), ("--sentence", text), ("--phrase", text), ("--document", text),
            ("--condition", st.one_of(st.just("base=yes"), text)), ("--implies", question_ids), ("--opened", date_text),
            ("--json", flag)])
    if kind == "resolve":
        return ["resolve", draw(question_ids), draw(mostly(st.sampled_from(["yes", "no", "annulled", "helsinki"]), hostile_text))] + opts(draw, [
            ("--known-at", date_text), ("--evidence", text), ("--note", text), ("--reason", text),
            ("--supersede", flag), ("--reviewer", text), ("--json", flag)])
    if kind == "list":
        return ["list"] + opts(draw, [
            ("--status", mostly(st.sampled_from(["all", "open", "due", "overdue", "resolved", "annulled"]), hostile_text)),
            ("--due", flag), ("--scenario", text), ("--tag", text), ("--analyst", text), ("--within", int_text),
            ("--as-of", date_text), ("--limit", int_text), ("--json", flag)])
    if kind in ("show", "history"):
        return [kind, draw(question_ids)] + opts(draw, [("--json", flag)])
    if kind == "review":
        return ["review", "--quarter", draw(st.one_of(st.sampled_from(["2018Q3", "2020-Q1", "9999Q4", "1900Q1"]), text))] + opts(draw, [
            ("--stale", st.one_of(st.sampled_from(["30d", "4w", "999999w", "0"]), text)), ("--as-of", date_text),
            ("--scenario", text), ("--json", flag)])
    if kind == "check":
        return ["check"] + opts(draw, [("--scenario", text), ("--tolerance", mostly(st.floats(0, 1).map(str), prob_text)), ("--json", flag)])
    if kind == "export":
        return ["export"] + opts(draw, [("--format", mostly(st.sampled_from(["json", "csv", "yaml"]), hostile_text)),
                                        ("--scenario", st.one_of(st.just("fuzz-scenario"), text))])
    return ["db", "verify"] + opts(draw, [("--json", flag)])


def test_generated_command_lines(target):
    @fuzz(700)
    @given(args=command_lines())
    def one(args):
        target.run(args, usage_ok=True)

    one()
    report(target, "command lines", min_ok=100)


# ======================================================= seeded, both backends


def outcome(cli, *args, input=None) -> str:
    before = dump_db(cli.db_url)
    result = cli(*args, input=input)
    kind = check_outcome(result, args)
    if kind != "ok":
        assert dump_db(cli.db_url) == before, f"refused input changed the database: {args!r}"
    return kind


@pytest.fixture
def seeded(cli):
    seed(cli.db_url)
    return cli


PROBABILITIES = [
    ("1e308", None), ("-1e308", None), ("1e999", None), ("-1e999", None), ("99999999999999999999999", None),
    ("nan", None), ("NaN", None), ("-nan", None), ("inf", None), ("-inf", None), ("Infinity", None),
    ("nan%", None), ("1e999%", None), ("-1", None), ("1.0000001", None), ("0x1p-1", None), ("", None),
    ("1e-320", 1e-320), ("0", 0.0), ("1", 1.0), (".35", 0.35), ("35%", 0.35), ("100%", 1.0),
]


def test_huge_negative_nan_and_infinite_probabilities(seeded):
    stored_so_far = len(dict(dump_db(seeded.db_url))["forecasts"])
    for typed, stored in PROBABILITIES:
        before = dump_db(seeded.db_url)
        result = seeded("forecast", "base", "--json", "--", typed)
        if stored is None:
            assert check_outcome(result, [typed]) == "refused", typed
            assert "probability" in result.stderr, (typed, result.stderr)
            assert dump_db(seeded.db_url) == before, typed
        else:
            assert result.exit_code == 0, (typed, result.stderr)
            assert json.loads(result.stdout)["probability"] == stored, typed
            stored_so_far += 1
        assert len(dict(dump_db(seeded.db_url))["forecasts"]) == stored_so_far, typed


def test_nan_and_infinity_in_vectors(seeded):
    for vector in ["helsinki=nan,vienna=0.5,other=0.5", "helsinki=inf,vienna=-inf,other=1",
                   "helsinki=1e308,vienna=-1e308,other=1", "helsinki=0.5,vienna=0.5,other=1e-320x"]:
        assert outcome(seeded, "forecast", "cat", vector) == "refused", vector


def test_dates_in_year_0_and_9999_in_a_csv(seeded, tmp_path):
    for made_at, ok in [
        ("0000-01-01", False), ("0001-01-01", False), ("0001-01-01T00:00:00+01:00", False),
        ("9999-12-31", False), ("9999-12-31T23:59:59-01:00", False), ("10000-01-01", False),
        ("1899-12-31T23:59:59Z", False), ("2020-02-30", False), ("2018-06-20T10:00:00+14:00", True),
    ]:
        path = tmp_path / "dates.csv"
        path.write_text(f"question,analyst,probability,made_at,deadline\nextreme-date,alice,0.5,{made_at},{FUTURE}\n")
        assert outcome(seeded, "import", str(path)) == ("ok" if ok else "refused"), made_at


def test_extreme_dates_and_numbers_on_the_command_line(seeded):
    for args in [
        ["question", "add", "Far", "--deadline", "9999-12-31", "--id", "far"],
        ["question", "add", "Zero", "--deadline", "2099-01-01", "--id", "zero", "--opened", "0000-01-01"],
        ["question", "add", "One", "--deadline", "2099-01-01", "--id", "one", "--opened", "0001-01-01T00:00:00+05:00"],
        ["resolve", "base", "yes", "--known-at", "0001-01-01T00:00:00+01:00"],
        ["resolve", "base", "yes", "--known-at", "9999-12-31T23:59:59-14:00"],
        ["list", "--due", "--within", "100000", "--as-of", "9999-12-31"],
        ["review", "--quarter", "2020Q1", "--stale", "999999w", "--as-of", "9998-12-31"],
        ["list", "--limit", "99999999999999999999999"],
    ]:
        assert outcome(seeded, *args) in ("ok", "refused"), args


EXTREME_YAML = [
        "resolutions:\n  - question: base\n    outcome: 'yes'\n    known_at: 0001-01-01 00:00:00+01:00\n",
        "resolutions:\n  - question: base\n    outcome: 'yes'\n    known_at: 9999-12-31 23:00:00-05:00\n",
        "id: s-far\ntitle: t\nquestions:\n  - id: q-far\n    text: x\n    deadline: 2099-01-01\n    opened: 9999-12-31 23:00:00-05:00\n",
        "id: s-one\ntitle: t\nsource: {date: 0001-01-01}\nquestions:\n  - id: q-one\n    text: x\n    deadline: 2099-01-01\n",
        "id: s-nan\ntitle: t\nquestions:\n  - id: q-nan\n    text: x\n    deadline: 2099-01-01\n    extraction: {a: .nan, b: .inf}\n",
        "id: s-bin\ntitle: t\nquestions:\n  - id: q-bin\n    text: x\n    deadline: 2099-01-01\n    extraction: {a: !!binary aGVsbG8=}\n",
        "id: s-f\ntitle: t\nquestions:\n  - id: q-f\n    text: x\n    deadline: 2099-01-01\n    forecasts: [{analyst: a, probability: .nan, made_at: 2020-01-01}]\n",
        "id: s-g\ntitle: t\nquestions:\n  - id: q-g\n    text: x\n    deadline: 2099-01-01\n    forecasts: [{analyst: a, probability: 1e400, made_at: 2020-01-01}]\n",
        "reviewer: \"\\x1b[2J\"\nresolutions:\n  - question: base\n    outcome: 'yes'\n",
]


def test_extreme_values_in_yaml_files(seeded, tmp_path):
    for doc in EXTREME_YAML:
        path = tmp_path / "extreme.yaml"
        path.write_text(doc)
        assert outcome(seeded, "import", str(path)) == "refused", doc


def test_yaml_dates_kept_as_text_in_free_form_extraction(seeded, tmp_path):
    path = tmp_path / "extraction.yaml"
    path.write_text("id: s-x\ntitle: t\nquestions:\n  - id: q-x\n    text: x\n    deadline: 2099-01-01\n"
                    "    extraction: {read: 2018-06-20, at: 2018-06-20 10:00:00+02:00, n: 3}\n")
    assert outcome(seeded, "import", str(path)) == "ok"
    shown = json.loads(seeded.ok("show", "q-x", "--json").stdout)
    assert shown["extra"] == {"read": "2018-06-20", "at": "2018-06-20T10:00:00+02:00", "n": 3}
    seeded.ok("export", "--format", "json")  # and the database still exports


def test_time_zones_are_converted_to_utc(seeded, tmp_path):
    path = tmp_path / "zones.csv"
    path.write_text(
        "question,analyst,probability,made_at,deadline\n"
        f"zone-q,alice,0.1,2020-01-01T23:30:00-05:00,{FUTURE}\n"
        f"zone-q,alice,0.2,2020-01-02T09:15:00+05:45,{FUTURE}\n"
        f"zone-q,alice,0.3,2020-01-02T12:00:00Z,{FUTURE}\n"
    )
    seeded.ok("import", str(path))
    made = [f["made_at"] for f in json.loads(seeded.ok("show", "zone-q", "--json").stdout)["forecasts"]]
    assert made == ["2020-01-02T03:30:00Z", "2020-01-02T04:30:00Z", "2020-01-02T12:00:00Z"]


TEXT_CASES = [
        (["question", "add", "Путин и Трамп встретятся в Хельсинки 😀", "--deadline", FUTURE, "--id", "unicode-text"], True),
        (["question", "add", "Right-to-left \u202eevil\u202c text", "--deadline", FUTURE, "--id", "rtl-text"], True),
        (["question", "add", "x", "--deadline", FUTURE, "--id", "été"], False),
        (["question", "add", "x", "--deadline", FUTURE, "--id", "UPPER"], False),
        (["question", "add", "x", "--deadline", FUTURE, "--id", "a\x00b"], False),
        (["question", "add", "bell\x07", "--deadline", FUTURE, "--id", "bell"], False),
        (["question", "add", "nul\x00", "--deadline", FUTURE, "--id", "nul"], False),
        (["question", "add", "x", "--deadline", FUTURE, "--id", "esc", "--sentence", "\x1b[2J"], False),
        (["question", "add", "x", "--deadline", FUTURE, "--id", "tagnul", "--tag", "\x00"], False),
        (["forecast", "base", "0.5", "--analyst", "Ана Лиз 😀"], True),
        (["forecast", "base", "0.5", "--analyst", "ana\x1b[31m"], False),
        (["forecast", "base", "0.5", "--rationale", "x\x00y"], False),
        (["forecast", "base", "0.5", "--rationale", "line one\nline two\ttabbed"], True),
        (["resolve", "cat", "helsinki", "--note", "nul\x00", "--evidence", "e"], False),
        (["resolve", "cat", "helsinki", "--evidence", "\x00"], False),
        # look-ups: nothing matches on SQLite; PostgreSQL refuses NUL in any text
        (["show", "a\x00b"], False),
        (["list", "--tag", "\x00"], None),
        (["history", "é\x00"], False),
]


def test_unicode_and_control_characters_in_ids_and_texts(seeded):
    for args, ok in TEXT_CASES:
        got = outcome(seeded, *args)
        if ok is None:
            assert got in ("ok", "refused"), args
        else:
            assert got == ("ok" if ok else "refused"), args


def test_unicode_is_stored_verbatim(seeded):
    text = "Путин и Трамп встретятся 😀 \u202eevil"
    seeded.ok("question", "add", text, "--deadline", FUTURE, "--id", "verbatim")
    seeded.ok("forecast", "verbatim", "0.5", "--analyst", "Ана 😀", "--rationale", "é\nü\tß")
    shown = json.loads(seeded.ok("show", "verbatim", "--json").stdout)
    assert shown["text"] == text
    assert (shown["forecasts"][0]["analyst"], shown["forecasts"][0]["rationale"]) == ("Ана 😀", "é\nü\tß")


def test_csv_with_bom_and_windows_line_endings(seeded, tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbfquestion,analyst,probability,made_at,deadline,text\r\n"
                     + f"bom-q,alice,0.25,2020-01-01,{FUTURE},\"Made in Excel\r\nwith a line break\"\r\n".encode()
                     + f"bom-q,bob,0.75,2020-01-02,{FUTURE},\"Made in Excel\r\nwith a line break\"\r\n".encode())
    seeded.ok("import", str(path))
    shown = json.loads(seeded.ok("show", "bom-q", "--json").stdout)
    assert shown["text"] == "Made in Excel\r\nwith a line break"
    assert [(f["analyst"], f["probability"]) for f in shown["forecasts"]] == [("alice", 0.25), ("bob", 0.75)]


def test_csv_with_duplicated_columns(seeded, tmp_path):
    for header in ["question,analyst,probability,probability", "question,analyst,Question,probability",
                   "question,analyst,probability, PROBABILITY "]:
        path = tmp_path / "dup.csv"
        path.write_text(f"{header}\nbase,alice,0.5,0.6\n")
        result = seeded.fails("import", str(path), match="appears twice")
        assert "dup.csv" in result.stderr


BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
resolutions: *i
"""


@pytest.mark.parametrize(
    "name, payload, match",
    [
        ("bomb.yaml", BILLION_LAUGHS, "aliases"),
        ("deep-flow.yaml", "resolutions: " + "[" * 100_000 + "]" * 100_000 + "\n", "nesting deeper"),
        ("deep-block.yaml", "".join("  " * i + f"k{i}:\n" for i in range(200)) + "  " * 200 + "x: 1\n", "nesting deeper"),
        ("deep-json.json", '{"format": "forecast-tracker", "version": 1, "scenarios": ' + "[" * 100_000 + "]" * 100_000 + "}", "invalid JSON"),
        ("tags.yaml", "resolutions: !!python/object/apply:os.system ['touch /tmp/pwned']\n", "deep.yaml"),
    ],
)
def test_yaml_bombs_and_deep_nesting(seeded, tmp_path, name, payload, match):
    path = tmp_path / name
    path.write_text(payload)
    result = seeded.fails("import", str(path))
    if match != "deep.yaml":
        assert match in result.stderr
    assert not Path("/tmp/pwned").exists()


@pytest.mark.parametrize("kind", ["csv", "yaml", "json"])
def test_a_100_megabyte_line(seeded, tmp_path, kind):
    path = tmp_path / f"huge.{kind}"
    with path.open("wb") as fh:
        if kind == "csv":
            fh.write(b"question,analyst,probability,text\nbase,alice,0.5,")
        elif kind == "yaml":
            fh.write(b"resolutions:\n  - question: base\n    outcome: 'yes'\n    note: ")
        else:
            fh.write(b'{"format": "forecast-tracker", "version": 1, "junk": "')
        chunk = b"x" * (1 << 20)
        for _ in range(100):
            fh.write(chunk)
        fh.write(b'"}\n' if kind == "json" else b"\n")
    result = seeded.fails("import", str(path))
    assert len(result.stderr) < 400


SQL = [
    "Robert'); DROP TABLE forecast;--",
    "x' OR '1'='1",
    "1; DELETE FROM resolution WHERE 1=1; --",
    "\"; TRUNCATE question CASCADE; --",
    "$$; DROP SCHEMA public CASCADE; $$",
    "%(id)s %s ?; :name",
]


def test_sql_fragments_are_stored_verbatim_and_never_executed(seeded, tmp_path):
    seeded_rows = {k: len(v) for k, v in dump_db(seeded.db_url)}
    for i, s in enumerate(SQL):
        qid = f"sql-{i}"
        seeded.ok("question", "add", s, "--deadline", FUTURE, "--id", qid, "--tag", s, "--sentence", s,
                  "--phrase", s, "--document", s)
        seeded.ok("forecast", qid, "0.5", "--analyst", s, "--rationale", s)
        seeded.ok("resolve", qid, "yes", "--note", s, "--evidence", s)
    csv_path = tmp_path / "sql.csv"
    with csv_path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["question", "analyst", "probability", "deadline", "text", "tags"])
        for i, s in enumerate(SQL):
            w.writerow([f"sql-csv-{i}", s, "0.5", FUTURE, s, s])
    seeded.ok("import", str(csv_path))
    scen = tmp_path / "sql.yaml"
    scen.write_text(yaml.safe_dump({"id": "sql-scenario", "title": SQL[0], "description": SQL[1],
                                    "source": {"title": SQL[2], "origin": SQL[3]},
                                    "questions": [{"id": "sql-scen-q", "text": SQL[4], "deadline": FUTURE,
                                                   "forecasts": [{"analyst": SQL[5], "probability": 0.5, "made_at": TODAY.isoformat(), "rationale": SQL[0]}]}]}))
    seeded.ok("import", str(scen))
    for i, s in enumerate(SQL):
        q = json.loads(seeded.ok("show", f"sql-{i}", "--json").stdout)
        assert (q["text"], q["tags"], q["source_sentence"], q["phrase"], q["source_document"]) == (s, [s], s, s, s)
        assert (q["forecasts"][-1]["analyst"], q["forecasts"][-1]["rationale"]) == (s, s)
        assert (q["resolutions"][0]["note"], q["resolutions"][0]["evidence"]) == (s, [s])
        c = json.loads(seeded.ok("show", f"sql-csv-{i}", "--json").stdout)
        tags = sorted({t.strip() for t in s.split(";") if t.strip()})  # the CSV's tags are ;-separated
        assert (c["text"], c["tags"], c["forecasts"][0]["analyst"]) == (s, tags, s)
    sq = json.loads(seeded.ok("show", "sql-scen-q", "--json").stdout)
    assert (sq["text"], sq["forecasts"][0]["analyst"], sq["forecasts"][0]["rationale"]) == (SQL[4], SQL[5], SQL[0])
    exported = json.loads(seeded.ok("export", "--format", "json").stdout)
    assert [s["title"] for s in exported["scenarios"] if s["id"] == "sql-scenario"] == [SQL[0]]
    # nothing was executed: every table is there with every row
    tables = dict(dump_db(seeded.db_url))
    assert len(tables["questions"]) == seeded_rows["questions"] + 2 * len(SQL) + 1
    assert len(tables["resolutions"]) == seeded_rows["resolutions"] + len(SQL)
    assert len(tables["forecasts"]) == seeded_rows["forecasts"] + 2 * len(SQL) + 1
    assert len(tables["scenarios"]) == seeded_rows["scenarios"] + 1
    seeded.ok("db", "verify")


@pytest.mark.parametrize("field", ["extra", "evidence"])
def test_nan_in_a_json_export_is_refused(cli, tmp_path, field):
    question = {"id": "q1", "text": "t", "kind": "binary", "outcomes": ["yes", "no"], "ordered": False,
                "deadline": "2099-01-01", "opened_at": "2020-01-01T00:00:00Z", "created_at": "2020-01-01T00:00:00Z"}
    payload = {"format": "forecast-tracker", "version": 1, "questions": [question]}
    if field == "extra":
        question["extra"] = {"score": "NAN_HERE"}
    else:
        payload["resolutions"] = [{"id": 1, "question_id": "q1", "outcome": "yes", "annulled": False,
                                   "known_at": "2020-01-02T00:00:00Z", "recorded_at": "2020-01-02T00:00:00Z",
                                   "recorded_by": "rita", "evidence": ["NAN_HERE"]}]
    path = tmp_path / "export.json"
    path.write_text(json.dumps(payload).replace('"NAN_HERE"', "NaN"))  # Python's json reads NaN
    cli.fails("import", str(path), match="which JSON cannot represent")
    assert all(rows == [] for _, rows in dump_db(cli.db_url))
