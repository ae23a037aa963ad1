"""The worked example end to end: the June 2018 Trump-Putin assessment through
``tracker extract`` (claims as JSON, the readable list, the draft scenario)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from tracker.cli.common import TrackerGroup
from tracker.cli.extract_cmd import extract
from tracker.extract import draft_scenario, extract_claims
from tracker.files.yamlio import load_yaml

SEED = Path(__file__).resolve().parents[2].parent / "shared" / "seed" / "assessment-2018-06.txt"

pytestmark = pytest.mark.skipif(not SEED.exists(), reason=f"{SEED} not found")


def run(*args: str, input: bytes | str | None = None):
    group = TrackerGroup()
    group.add_command(extract)
    return CliRunner().invoke(group, ["extract", *[str(a) for a in args]], input=input, catch_exceptions=True)


@pytest.fixture(scope="module")
def claims() -> list[dict]:
    result = run(SEED, "--date", "2018-06-20", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _find(claims, *words):
    found = [c for c in claims if all(w.lower() in (c["event"] or "").lower() for w in words)]
    assert found, f"no claim with {words}: {[c['event'] for c in claims]}"
    return found[0]


def test_json_keys_are_stable(claims):
    required = {"sentence", "event", "phrase", "probability", "band", "scale", "assessed", "confidence", "deadline",
                "deadline_source", "attributed_to", "class", "id", "outcomes"}
    for c in claims:
        assert required <= set(c)
        assert c["class"] == "forecast"


def test_the_meeting_in_july(claims):
    c = _find(claims, "visits", "July")
    assert c["deadline"] == "2018-07-31"
    assert c["deadline_source"] == "relative expression"
    assert c["phrase"] == "is expected to"
    assert (c["probability"], c["band"], c["scale"], c["assessed"]) == (0.675, [0.55, 0.8], "icd203", True)
    assert c["attributed_to"] is None


def test_the_meeting_in_vienna(claims):
    c = _find(claims, "Vienna")
    assert c["deadline"] == "2018-07-31"
    assert c["deadline_source"] == "event named in the text"
    assert c["assessed"] is False and c["phrase"] == "could"
    assert "unassessed possibility: set your own number" in c["note"]


def test_timing_is_one_categorical_question(claims):
    timing = [c for c in claims if c["outcomes"]]
    assert len(timing) == 1
    c = timing[0]
    assert c["outcomes"] == ["before-nato", "after-london", "neither"]
    assert set(c["probability"]) == set(c["outcomes"])
    assert sum(c["probability"].values()) == pytest.approx(1.0, abs=1e-12)
    assert all(round(p, 3) == p for p in c["probability"].values())
    assert c["deadline"] == "2018-07-31"  # after the London visit on 13 July: the meeting's deadline
    assert c["assessed"] is False
    assert c["attributed_to"] == "sources cited by Reuters and CNN"
    assert "NATO summit" in c["event"] and "London" in c["event"]


def test_bolton_next_week(claims):
    c = _find(claims, "Bolton")
    assert c["deadline"] == "2018-07-01"  # end of the Monday-Sunday week after 20 June
    assert c["deadline_source"] == "relative expression"
    assert c["attributed_to"] == "reports"


@pytest.mark.parametrize("words", [("sanctions",), ("trade",), ("Syria",), ("bilateral ties",)])
def test_agenda_items_take_the_meetings_deadline(claims, words):
    c = _find(claims, *words)
    assert c["deadline"] == "2018-07-31"
    assert c["deadline_source"] == "event named in the text"
    assert c["assessed"] is False


@pytest.mark.parametrize(
    "fragment",
    ["Cold War", "annexed Crimea", "annexation of Crimea", "investigat", "imposed sanctions", "no confirmation",
     "last met", "G-20", "would be beneficial"],
)
def test_past_and_present_are_not_proposed(claims, fragment):
    assert not [c for c in claims if fragment.lower() in c["sentence"].lower()]


def test_no_duplicates_from_the_teaser(claims):
    sentences = [c["sentence"] for c in claims]
    events = [c["event"] for c in claims]
    assert len(set(events)) == len(events)
    assert sum("is expected to visit" in s for s in sentences) == 1
    assert len({c["id"] for c in claims}) == len(claims)


def test_all_shows_the_other_sentences_with_their_class():
    result = run(SEED, "--date", "2018-06-20", "--json", "--all")
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    by_class = {}
    for r in rows:
        by_class.setdefault(r["class"], []).append(r["sentence"])
    assert any(s.startswith("Trump, Putin to meet") for s in by_class["boilerplate"])
    assert any("Cold War" in s for s in by_class["fact"])
    assert any(s.startswith("CNN sources said") for s in by_class["attribution"])
    assert any(s.startswith("Our assessment is") for s in by_class["estimate"])
    assert sum(s.startswith("Trump, Putin to meet") for s in by_class["boilerplate"]) == 1  # the repeated headline
    assert not any(s.endswith("since Trump..") for r in rows for s in [r["sentence"]])  # the truncated teaser


def test_readable_list():
    result = run(SEED, "--date", "2018-06-20")
    assert result.exit_code == 0
    out = result.stdout
    assert "trump-visit-putin-july    deadline 2018-07-31" in out
    assert '"is expected to" -> 67.5%  (icd203 likely, 55-80%)' in out
    assert "UNASSESSED: set your own number" in out
    assert "before-nato 33.3%, after-london 33.3%, neither 33.4%" in out
    assert result.stderr == ""


def test_draft_file(tmp_path):
    out = tmp_path / "trump-putin.yaml"
    result = run(SEED, "--date", "2018-06-20", "-o", out)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    summary = result.stderr.strip()
    assert "\n" not in summary and summary.startswith(f"wrote {out}: 10 questions")
    data = load_yaml(out.read_text(encoding="utf-8"), out.name)
    assert data["id"] == "trump-putin-meet-2018"
    assert data["title"] == "Trump, Putin to meet"
    assert data["source"] == {"title": "Trump, Putin to meet", "date": date(2018, 6, 20),
                              "origin": "assessment-2018-06.txt"}
    questions = {q["id"]: q for q in data["questions"]}
    assert len(questions) == len(data["questions"])
    for q in data["questions"]:
        assert set(q) >= {"id", "text", "deadline", "tags", "sentence", "phrase", "extraction", "forecasts"}
        assert isinstance(q["deadline"], date)
        assert {"scale", "band", "assessed", "confidence", "attributed_to", "deadline_source", "note"} <= set(q["extraction"])
        if q["extraction"]["attributed_to"]:
            assert q["forecasts"] == []  # someone else's claim: no analyst forecast
        for f in q["forecasts"]:
            assert f["analyst"] == "assessment" and f["made_at"] == date(2018, 6, 20)
            assert f["rationale"]
    meeting = questions["trump-visit-putin-july"]
    assert meeting["deadline"] == date(2018, 7, 31)
    assert "outcomes" not in meeting and "ordered" not in meeting
    assert meeting["extraction"]["band"] == [0.55, 0.8]
    assert meeting["forecasts"] == [{"analyst": "assessment", "probability": 0.675, "made_at": date(2018, 6, 20),
                                     "rationale": "from 'is expected to' (icd203 likely, 55-80%)"}]
    timing = questions["meeting-timing"]
    assert timing["outcomes"] == ["before-nato", "after-london", "neither"] and timing["ordered"] is False
    assert sum(timing["extraction"]["suggested_probability"].values()) == pytest.approx(1.0, abs=1e-12)
    vienna = questions["meeting-vienna"]
    assert vienna["extraction"]["assessed"] is False
    assert vienna["extraction"]["note"].startswith("unassessed possibility: set your own number")
    assert vienna["forecasts"][0]["probability"] == 0.45


def test_draft_validates_against_the_scenario_schema(tmp_path):
    schemas = pytest.importorskip("tracker.files.schemas")
    out = tmp_path / "draft.yaml"
    assert run(SEED, "--date", "2018-06-20", "-o", out).exit_code == 0
    scenario = schemas.ScenarioFile.model_validate(load_yaml(out.read_text(encoding="utf-8"), out.name))
    assert len(scenario.questions) == 10


def test_draft_scenario_api():
    text = SEED.read_text(encoding="utf-8")
    claims = extract_claims(text, doc_date=date(2018, 6, 20), include_all=True)
    scenario = draft_scenario(claims, scenario_id="trump-putin-2018", title="Trump, Putin to meet",
                              doc_date=date(2018, 6, 20), origin="assessment-2018-06.txt", analyst="ana")
    assert scenario["id"] == "trump-putin-2018"
    assert len(scenario["questions"]) == sum(1 for c in claims if c.cls == "forecast")
    owners = {f["analyst"] for q in scenario["questions"] for f in q["forecasts"]}
    assert owners == {"ana"}


def test_other_scales_change_only_the_numbers():
    text = SEED.read_text(encoding="utf-8")
    icd = extract_claims(text, doc_date=date(2018, 6, 20))
    phia = extract_claims(text, doc_date=date(2018, 6, 20), scale="phia")
    assert [c.id for c in icd] == [c.id for c in phia]
    meeting = next(c for c in phia if c.id == "trump-visit-putin-july")
    assert (meeting.probability, meeting.band, meeting.scale) == (0.65, [0.55, 0.75], "phia")
