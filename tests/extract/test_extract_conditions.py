"""Conditional forecasts become conditional questions on a proposed question for their
condition; readable ids."""

from __future__ import annotations

import json
from datetime import date

import yaml

from tracker.extract import draft_scenario, extract_claims

DOC = date(2025, 11, 6)


def forecasts(text):
    return [c for c in extract_claims(text, doc_date=DOC) if c.cls == "forecast"]


def test_leading_conditions_of_several_kinds():
    cases = {
        "If progress on disinflation continues, Bank Rate is likely to continue on a gradual downward path.":
            ("progress on disinflation continues", True),
        "As long as Russia defends the land bridge to Crimea, home support will be sufficient to keep the war going.":
            ("Russia defends the land bridge to Crimea", True),
        "In the event Russia is facing defeat, Putin may resort to tactical nuclear weapons.":
            ("Russia is facing defeat", True),
        "If Russia's spring offensive fails to achieve anything then tensions within the leadership will likely increase.":
            ("Russia's spring offensive fails to achieve anything", True),
        "Global warming of 2°C will be exceeded during the 21st century unless deep reductions in emissions occur.":
            ("deep reductions in emissions occur", False),
    }
    for text, (cond, holds) in cases.items():
        [c] = forecasts(text)
        assert (c.condition, c.condition_holds) == (cond, holds), text


def test_unconditional_sentences_have_no_condition():
    [c] = forecasts("Once again, Moscow will likely reject the proposal.")
    assert c.condition is None


def test_draft_holds_the_condition_question_and_reuses_a_forecast_as_condition():
    text = ("Belarus is unlikely to join the war, but if it does, the Lukashenko regime will be severely weakened.\n\n"
            "If progress on disinflation continues, Bank Rate is likely to fall. "
            "If progress on disinflation continues, gilt yields will probably fall too.\n")
    claims = extract_claims(text, doc_date=DOC)
    doc = draft_scenario(claims, scenario_id="s", title="t", doc_date=DOC)
    qs = {q["id"]: q for q in doc["questions"]}
    belarus = next(q for q in qs.values() if q["text"] == "Belarus joins the war")
    regime = next(q for q in qs.values() if "Lukashenko" in q["text"])
    assert regime["condition"] == {"question": belarus["id"], "outcome": "yes"}
    proposed = [q for q in qs.values() if q.get("extraction", {}).get("proposed_condition")]
    assert [q["text"] for q in proposed] == ["Progress on disinflation continues"]
    dependants = [q for q in qs.values() if q.get("condition", {}).get("question") == proposed[0]["id"]]
    assert len(dependants) == 2 and proposed[0]["forecasts"] == []
    order = [q["id"] for q in doc["questions"]]
    assert order.index(proposed[0]["id"]) < min(order.index(q["id"]) for q in dependants)


def test_conditional_draft_imports(cli, tmp_path):
    src = tmp_path / "a.txt"
    src.write_text("Outlook, 6 November 2025.\n\nUnless deep reductions in emissions occur, global warming of 2C "
                   "will be exceeded by 2100.\n", encoding="utf-8")
    out = tmp_path / "d.yaml"
    cli.ok("extract", src, "--date", "2025-11-06", "-o", out)
    doc = yaml.safe_load(out.read_text(encoding="utf-8"))
    cond = next(q for q in doc["questions"] if q.get("condition"))
    assert cond["condition"]["outcome"] == "no"
    cli.fails("import", out, match="not confirmed")  # the proposed condition's deadline is marked
    cli.ok("import", out, "--accept-defaults")
    shown = json.loads(cli.ok("show", cond["id"], "--json").stdout)
    assert shown["condition"] == {"question_id": cond["condition"]["question"], "outcome": "no"}


def test_ids_are_readable():
    [c] = forecasts("U.S. planners will feel the pinch of sanctions by mid-2026.")
    assert c.id == "us-planners-feel-pinch" and c.event == "U.S. planners feel the pinch of sanctions by mid-2026"
