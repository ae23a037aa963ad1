"""One set of rules (tracker.rules) by every road: the command line, a forecast
CSV, a scenario file and a JSON restore give the same bad forecast the same
verdict and the same message (a file road puts where it read it in front),
and a JSON restore refuses what every other road refuses.

The rules do not depend on the database, so these run on SQLite.
"""

from __future__ import annotations

import copy
import json
import shutil
from datetime import datetime, timedelta, timezone

import pytest

from support import CLI, dump_db

UTC = timezone.utc
NOW = datetime.now(UTC)
TODAY = NOW.date().isoformat()


@pytest.fixture
def new_db(tmp_path, sqlite_template):
    """A function giving a fresh migrated SQLite database (a CLI on it) per call."""
    made = []

    def make(name: str = "") -> CLI:
        path = tmp_path / f"db{len(made)}{name}.db"
        shutil.copyfile(sqlite_template, path)
        made.append(path)
        return CLI(f"sqlite:///{path}")

    return make


def board(cli: CLI, tmp_path) -> None:
    """A small board: a binary question with forecasts (live and imported)
    and an outcome, a categorical one, a conditional one, an implication."""
    cli.ok("question", "add", "Trump and Putin meet", "--deadline", "2018-07-31", "--id", "meet",
           "--opened", "2018-06-20", "--tag", "russia", "--scenario", "summit")
    cli.ok("question", "add", "Where do they meet?", "--deadline", "2018-07-31", "--id", "venue",
           "--opened", "2018-06-20", "--outcomes", "vienna,helsinki,other")
    cli.ok("question", "add", "Sanctions are eased", "--deadline", "2018-12-31", "--id", "sanctions",
           "--opened", "2018-06-20", "--condition", "meet=yes")
    cli.ok("question", "add", "They sign a statement", "--deadline", "2018-07-31", "--id", "statement",
           "--opened", "2018-06-20", "--implies", "meet")
    path = tmp_path / "history.csv"
    path.write_text("question,analyst,probability,made_at\nmeet,alice,0.35,2018-06-21\nmeet,bob,0.6,2018-07-01\n")
    cli.ok("import", str(path))
    cli.ok("resolve", "meet", "yes", "--known-at", "2018-07-16", "--reviewer", "rita")


@pytest.fixture
def export(new_db, tmp_path) -> dict:
    """The board as a JSON export (a dict), restorable as it is."""
    cli = new_db("source")
    board(cli, tmp_path)
    out = tmp_path / "board.json"
    cli.ok("export", "--format", "json", "-o", str(out))
    return json.loads(out.read_text())


def restore(new_db, tmp_path, payload, *, raw: str | None = None):
    """Import ``payload`` into an empty database: the result and whether the database stayed empty."""
    cli = new_db("restore")
    path = tmp_path / "restore.json"
    path.write_text(raw if raw is not None else json.dumps(payload))
    before = dump_db(cli.db_url)
    result = cli("import", str(path))
    return result, dump_db(cli.db_url) == before


def refused_restore(new_db, tmp_path, payload, message: str, *, raw: str | None = None) -> str:
    result, unchanged = restore(new_db, tmp_path, payload, raw=raw)
    err = result.stderr.strip()
    assert result.exit_code == 1, f"restored: {result.stdout}{err}"
    assert err.startswith("error: ") and "\n" not in err and "Traceback" not in err, err
    assert message in err, err
    assert unchanged, "a refused restore wrote rows"
    return err


def record(payload: dict, key: str, **match) -> dict:
    return next(r for r in payload[key] if all(r[k] == v for k, v in match.items()))


# --------------------------------------------------------- the same verdict


def run_every_road(new_db, tmp_path, prepare, forecast_at: str, probability: str = "0.3") -> dict[str, str]:
    """The same forecast (ana, ``probability`` on 'meet', made at ``forecast_at``) by
    each road, on a database that ``prepare(cli)`` set up; the error line of each."""
    errors = {}

    cli = new_db("cli")
    prepare(cli)
    before = dump_db(cli.db_url)
    errors["cli"] = cli.fails("forecast", "meet", probability, "--analyst", "ana").stderr.strip()
    assert dump_db(cli.db_url) == before

    cli = new_db("csv")
    prepare(cli)
    before = dump_db(cli.db_url)
    path = tmp_path / "one.csv"
    path.write_text(f"question,analyst,probability,made_at\nmeet,ana,{probability},{forecast_at}\n")
    errors["csv"] = cli.fails("import", str(path)).stderr.strip()
    assert dump_db(cli.db_url) == before

    cli = new_db("yaml")
    prepare(cli)
    before = dump_db(cli.db_url)
    path = tmp_path / "one.yaml"
    path.write_text(
        "id: summit\ntitle: summit\n"
        "questions:\n"
        "  - id: meet\n    text: Trump and Putin meet\n    deadline: 2018-07-31\n"
        f"    forecasts:\n      - {{analyst: ana, probability: {probability}, made_at: '{forecast_at}'}}\n"
    )
    errors["scenario"] = cli.fails("import", str(path)).stderr.strip()
    assert dump_db(cli.db_url) == before

    source = new_db("json-source")
    prepare(source)
    out = tmp_path / "state.json"
    source.ok("export", "--format", "json", "-o", str(out))
    payload = json.loads(out.read_text())
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")  # recorded after everything prepare() recorded
    payload["analysts"].append({"name": "ana", "created_at": stamp})
    payload["forecasts"].append({
        "id": 1000, "question_id": "meet", "analyst": "ana", "probability": float(probability), "probabilities": None,
        "made_at": f"{forecast_at}T00:00:00Z", "recorded_at": stamp, "imported": True,
        "rationale": None, "source": "csv",
    })
    result, unchanged = restore(new_db, tmp_path, payload)
    assert result.exit_code == 1 and unchanged, result.stdout + result.stderr
    errors["json"] = result.stderr.strip()
    return errors


def add_meet(cli: CLI) -> None:
    cli.ok("question", "add", "Trump and Putin meet", "--deadline", "2018-07-31", "--id", "meet",
           "--opened", "2018-06-20", "--scenario", "summit")


def test_a_forecast_after_the_deadline_gets_one_message_by_every_road(new_db, tmp_path):
    errors = run_every_road(new_db, tmp_path, add_meet, TODAY)
    message = f"made_at {TODAY} is after the deadline of 'meet' (2018-07-31)"
    for road, err in errors.items():
        assert err.endswith(message), f"{road}: {err}"
    assert errors["cli"] == f"error: {message}"
    assert errors["csv"] == f"error: one.csv: line 2: {message}"


def test_a_forecast_on_a_resolved_question_gets_one_message_by_every_road(new_db, tmp_path):
    def resolved(cli):
        add_meet(cli)
        cli.ok("resolve", "meet", "no", "--known-at", "2018-07-16")

    errors = run_every_road(new_db, tmp_path, resolved, "2018-07-01")
    message = "question 'meet' is already resolved (no): no more forecasts"
    for road, err in errors.items():
        assert err.endswith(message), f"{road}: {err}"


def test_a_forecast_on_an_annulled_question_gets_one_message_by_every_road(new_db, tmp_path):
    def annulled(cli):
        add_meet(cli)
        cli.ok("resolve", "meet", "annulled", "--reason", "the summit was called off")

    errors = run_every_road(new_db, tmp_path, annulled, "2018-07-01")
    for road, err in errors.items():
        assert err.endswith("question 'meet' is already annulled: no more forecasts"), f"{road}: {err}"


# ------------------------------------------- a JSON restore obeys the rules


def test_the_board_restores_as_exported(new_db, tmp_path, export):
    """The control: an unedited export restores (the refusals below are the edits)."""
    result, unchanged = restore(new_db, tmp_path, export)
    assert result.exit_code == 0, result.stderr
    assert not unchanged


def test_restore_refuses_a_question_conditional_on_itself(new_db, tmp_path, export):
    q = record(export, "questions", id="sanctions")
    q["condition_question_id"] = "sanctions"
    refused_restore(new_db, tmp_path, export, "questions[1] (sanctions): a question cannot be conditional on itself")


def test_restore_refuses_questions_in_a_cycle(new_db, tmp_path, export):
    record(export, "questions", id="meet").update(condition_question_id="sanctions", condition_outcome="yes")
    refused_restore(new_db, tmp_path, export, "refer to each other in a cycle")


def test_restore_refuses_a_condition_outcome_that_does_not_exist(new_db, tmp_path, export):
    record(export, "questions", id="sanctions")["condition_outcome"] = "maybe"
    refused_restore(new_db, tmp_path, export, "condition outcome 'maybe' is not an outcome of 'meet' (yes, no)")


def test_restore_refuses_implies_to_a_categorical_question(new_db, tmp_path, export):
    record(export, "questions", id="statement")["implies_question_id"] = "venue"
    refused_restore(new_db, tmp_path, export, "questions[2] (statement): 'implies' links two binary questions")


def test_restore_refuses_a_deadline_before_the_opening(new_db, tmp_path, export):
    record(export, "questions", id="venue")["deadline"] = "2018-06-01"
    refused_restore(new_db, tmp_path, export,
                    "deadline 2018-06-01 of 'venue' is before the question opened (2018-06-20)")


def test_restore_refuses_an_annulment_without_a_reason(new_db, tmp_path, export):
    r = record(export, "resolutions", question_id="meet")
    r.update(outcome=None, annulled=True, reason=None)
    refused_restore(new_db, tmp_path, export, "annulling 'meet' needs a reason")


@pytest.mark.parametrize("key, field, match", [
    ("analysts", "name", "analyst name 'al\\nice' contains a control character"),
    ("forecasts", "analyst", "analyst name 'al\\nice' contains a control character"),
    ("resolutions", "recorded_by", "recorded_by 'al\\nice' contains a control character"),
    ("question_tags", "tag", "tag contains a control character '\\n'"),
])
def test_restore_refuses_newlines_in_names(new_db, tmp_path, export, key, field, match):
    export[key][0][field] = "al\nice"
    refused_restore(new_db, tmp_path, export, match)


@pytest.mark.parametrize("key, field, match", [
    ("questions", "text", "question text is longer than 2000 characters"),
    ("forecasts", "rationale", "rationale is longer than 10000 characters"),
    ("resolutions", "note", "note is longer than 10000 characters"),
    ("scenarios", "title", "title is longer than 2000 characters"),
])
def test_restore_refuses_200000_character_texts(new_db, tmp_path, export, key, field, match):
    export[key][0][field] = "x" * 200_000
    refused_restore(new_db, tmp_path, export, match)


def test_restore_refuses_a_forecast_after_the_deadline(new_db, tmp_path, export):
    f = record(export, "forecasts", analyst="bob")
    f["made_at"] = "2018-08-02T00:00:00Z"
    refused_restore(new_db, tmp_path, export, "made_at 2018-08-02 is after the deadline of 'meet' (2018-07-31)")


def test_restore_refuses_a_forecast_recorded_after_the_resolution(new_db, tmp_path, export):
    r = record(export, "resolutions", question_id="meet")
    f = record(export, "forecasts", analyst="bob")
    f["recorded_at"] = (datetime.fromisoformat(r["recorded_at"].replace("Z", "+00:00")) + timedelta(seconds=1)).isoformat()
    refused_restore(new_db, tmp_path, export, "question 'meet' is already resolved (yes): no more forecasts")


def test_restore_refuses_a_forecast_after_the_outcome_was_known(new_db, tmp_path, export):
    """Recorded together with its outcome (one import), made after it became known."""
    r = record(export, "resolutions", question_id="meet")
    f = record(export, "forecasts", analyst="bob")
    f.update(made_at="2018-07-20T00:00:00Z", recorded_at=r["recorded_at"])
    refused_restore(new_db, tmp_path, export, "made_at 2018-07-20T00:00:00+00:00 is after the outcome of 'meet' became known")


def test_restore_refuses_a_forecast_made_after_it_was_recorded(new_db, tmp_path, export):
    f = record(export, "forecasts", analyst="bob")
    f["recorded_at"] = "2018-06-25T00:00:00Z"  # made 2018-07-01
    refused_restore(new_db, tmp_path, export, "made_at 2018-07-01T00:00:00+00:00 is in the future")


def test_restore_refuses_a_resolution_superseding_itself(new_db, tmp_path, export):
    r = record(export, "resolutions", question_id="meet")
    r["supersedes_id"] = r["id"]
    refused_restore(new_db, tmp_path, export, "question 'meet' has no resolution to supersede")


def test_restore_refuses_a_resolution_superseding_another_questions(new_db, tmp_path, export):
    first = record(export, "resolutions", question_id="meet")
    export["resolutions"].append(dict(first, id=first["id"] + 1, question_id="statement", outcome="no",
                                      supersedes_id=first["id"], reason="a correction"))
    refused_restore(new_db, tmp_path, export, "question 'statement' has no resolution to supersede")
    second = dict(first, id=first["id"] + 2, outcome="no", supersedes_id=first["id"] + 1, reason="a correction")
    export["resolutions"][-1] = second
    refused_restore(new_db, tmp_path, export,
                    f"a correction of 'meet' must supersede its current resolution ({first['id']}), not {first['id'] + 1}")


def test_restore_refuses_a_resolution_known_in_the_future_of_its_recording(new_db, tmp_path, export):
    r = record(export, "resolutions", question_id="meet")
    r["known_at"] = "2099-01-01T00:00:00Z"
    refused_restore(new_db, tmp_path, export, "known_at 2099-01-01T00:00:00+00:00 for 'meet' is in the future")


@pytest.mark.parametrize("raw, match", [
    ('{"format": "forecast-tracker", "format": "forecast-tracker", "version": 1}', "key 'format' appears twice"),
    ('{"format": "forecast-tracker", "version": 1, "analysts": [{"name": "a", "name": "b", "created_at": "2018-01-01T00:00:00Z"}]}',
     "key 'name' appears twice"),
])
def test_restore_refuses_duplicate_json_keys(new_db, tmp_path, raw, match):
    refused_restore(new_db, tmp_path, None, match, raw=raw)


def test_a_correction_chain_restores(new_db, tmp_path):
    """The rules accept what the command line records: corrections, automatic
    annulments of a failed condition, live forecasts."""
    cli = new_db("chain")
    board(cli, tmp_path)
    cli.ok("resolve", "meet", "no", "--supersede", "--reason", "misread the report")
    cli.ok("resolve", "venue", "annulled", "--reason", "no meeting")
    out = tmp_path / "chain.json"
    cli.ok("export", "--format", "json", "-o", str(out))
    payload = json.loads(out.read_text())
    assert any(r["supersedes_id"] for r in payload["resolutions"])
    assert any(r["annulled"] and r["question_id"] == "sanctions" for r in payload["resolutions"])
    result, unchanged = restore(new_db, tmp_path, copy.deepcopy(payload))
    assert result.exit_code == 0, result.stderr
    assert not unchanged


def test_the_rules_need_only_the_standard_library():
    import subprocess
    import sys

    code = ("import sys, tracker.rules\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'sqlalchemy', 'sqlmodel', 'pydantic', 'click', 'numpy', 'yaml'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"


def test_the_value_checks_have_one_home():
    """tracker.models and the services re-export the rules' own functions."""
    from tracker import models, rules
    from tracker.services import common

    for name in ("check_slug", "check_probability", "check_text", "check_outcomes", "normalize_vector", "deadline_end"):
        assert getattr(models, name) is getattr(rules, name)
    for name in ("parse_probability", "parse_vector", "check_analyst_name", "check_free_text"):
        assert getattr(common, name) is getattr(rules, name)


def test_a_probability_outside_0_1_gets_one_message_by_every_road(new_db, tmp_path):
    errors = run_every_road(new_db, tmp_path, add_meet, "2018-07-01", probability="1.5")
    for road, err in errors.items():
        assert err.endswith("probability '1.5' is outside [0, 1]"), f"{road}: {err}"


def test_a_bad_question_id_gets_one_message_by_every_road(new_db, tmp_path, export):
    message = "question id 'Bad Id' is not a valid id: use 1-120 lowercase letters, digits, '.', '_' or '-'"
    cli = new_db("ids")
    assert cli.fails("question", "add", "Hello", "--deadline", "2030-01-01", "--id", "Bad Id").stderr.strip().endswith(message)
    path = tmp_path / "ids.csv"
    path.write_text("question,analyst,probability,deadline\nBad Id,a,0.5,2030-01-01\n")
    assert cli.fails("import", str(path)).stderr.strip() == f"error: ids.csv: line 2: {message}"
    path = tmp_path / "ids.yaml"
    path.write_text("id: s\ntitle: s\nquestions:\n  - id: Bad Id\n    text: Hello\n    deadline: 2030-01-01\n")
    assert cli.fails("import", str(path)).stderr.strip().endswith(message)
    export["questions"][0]["id"] = "Bad Id"
    assert refused_restore(new_db, tmp_path, export, message) == f"error: questions[0]: {message}"


def test_a_resolution_known_in_the_future_gets_one_message_by_every_road(new_db, tmp_path, export):
    """The command line names the time by its flag (--known-at), the files by their field (known_at)."""
    message = "2099-01-01T00:00:00+00:00 for 'meet' is in the future"
    cli = new_db("known")
    add_meet(cli)
    before = dump_db(cli.db_url)
    assert cli.fails("resolve", "meet", "yes", "--known-at", "2099-01-01").stderr.strip() == f"error: known-at {message}"
    path = tmp_path / "known.csv"
    path.write_text("question,analyst,probability,made_at,outcome,known_at\nmeet,ana,0.3,2018-07-01,yes,2099-01-01\n")
    assert cli.fails("import", str(path)).stderr.strip() == f"error: known.csv: known_at {message}"
    path = tmp_path / "known.yaml"
    path.write_text("reviewer: rita\nresolutions:\n  - question: meet\n    outcome: yes\n    known_at: 2099-01-01\n")
    assert cli.fails("import", str(path)).stderr.strip().endswith(f": known_at {message}")
    assert dump_db(cli.db_url) == before
    record(export, "resolutions", question_id="meet")["known_at"] = "2099-01-01T00:00:00Z"
    assert refused_restore(new_db, tmp_path, export, message).endswith(f": known_at {message}")
