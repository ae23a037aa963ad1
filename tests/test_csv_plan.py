"""The CSV import's planner is a pure function: parsed rows and what the
database holds (plain values) in, a plan or a refusal out. No database here."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from tracker.errors import ConflictError, ValidationError
from tracker.services.transfer import CsvState, plan_csv, read_csv_rows
from tracker.storage.bulk import POSTGRESQL

UTC = timezone.utc
NOW = datetime(2018, 8, 1, 12, tzinfo=UTC)
HEADER = "question,analyst,probability,made_at,deadline,text,tags,outcome\n"
MEET = HEADER + (
    "meet,ana,0.7,2018-06-01T10:00:00,2018-07-31,Will they meet?,summit;usa,yes\n"
    "meet,bo,0.4,2018-06-02,2018-07-31,Will they meet?,usa;summit,yes\n"
)


def plan(text: str, state: CsvState | None = None, **kwargs):
    return plan_csv(read_csv_rows(text, "f.csv", NOW), state or CsvState(), filename="f.csv", now=NOW, **kwargs)


def recorded_meet(**resolution) -> CsvState:
    return CsvState(
        questions={"meet": {"id": "meet", "kind": "binary", "deadline": date(2018, 7, 31), "text": "Will they meet?",
                            "opened_at": datetime(2018, 5, 1, tzinfo=UTC)}},
        resolutions={"meet": resolution} if resolution else {},
        tags={"meet": ["summit", "usa"]},
    )


def test_a_new_question_its_forecasts_and_its_outcome():
    p = plan(MEET)
    assert p.new_questions == [("meet", "Will they meet?", date(2018, 7, 31), "2018-06-01 10:00:00.000000")]
    assert p.new_tags == [("meet", "summit"), ("meet", "usa")]
    assert [(f[1], f[2], f[4]) for f in p.forecasts] == [
        ("ana", 0.7, "2018-06-01 10:00:00.000000"), ("bo", 0.4, "2018-06-02 00:00:00.000000")]
    assert {f[5] for f in p.forecasts} == {"2018-08-01 12:00:00.000000"}  # recorded now
    # no known_at in the file: the end of the deadline day (before now, after the last forecast)
    assert [o[:4] for o in p.outcomes] == [("meet", "yes", "2018-08-01 00:00:00.000000", 2)]
    assert p.analysts == {"ana", "bo"} and p.skipped == 0
    assert p.summary() == {"rows": 2, "questions_created": 1, "forecasts_added": 2, "forecasts_already_present": 0,
                           "resolutions_added": 1}


def test_times_are_spelt_for_the_backend_by_the_encoding():
    p = plan(MEET, enc=POSTGRESQL)
    assert [f[4] for f in p.forecasts] == ["2018-06-01 10:00:00.000000+00", "2018-06-02 00:00:00.000000+00"]
    assert {f[5] for f in p.forecasts} == {"2018-08-01 12:00:00.000000+00"}


def test_a_forecast_already_recorded_is_skipped():
    state = recorded_meet()
    state.have = {("meet", "ana", "2018-06-01 10:00:00.000000", 0.7)}
    p = plan(MEET, state)
    assert [f[1] for f in p.forecasts] == ["bo"] and p.skipped == 1
    assert p.new_questions == [] and p.new_tags == []
    assert [o[:2] + (o[4],) for o in p.outcomes] == [("meet", "yes", None)]  # an existing question: written with its checks


@pytest.mark.parametrize("resolution, message", [
    ({"annulled": True, "outcome": None, "known_at": datetime(2018, 5, 30, tzinfo=UTC)},
     "f.csv: line 2: question 'meet' is already annulled: no more forecasts"),
    ({"annulled": False, "outcome": "yes", "known_at": datetime(2018, 6, 1, 12, tzinfo=UTC)},
     "f.csv: line 2: question 'meet' is already resolved (yes): no more forecasts"),
])
def test_a_forecast_on_a_settled_question_is_refused_with_the_rules_message(resolution, message):
    with pytest.raises(ValidationError) as err:
        plan(MEET, recorded_meet(**resolution))
    assert str(err.value) == message


def test_a_forecast_after_the_deadline_is_refused():
    late = "question,analyst,probability,made_at,deadline\nnew,ana,0.5,2018-08-01T00:00:00,2018-07-31\n"
    with pytest.raises(ValidationError) as err:
        plan(late)
    assert str(err.value) == "f.csv: line 2: made_at 2018-08-01 is after the deadline of 'new' (2018-07-31)"


def test_a_file_that_disagrees_with_the_recorded_question_is_refused():
    other = MEET.replace("2018-07-31", "2018-08-31")
    with pytest.raises(ConflictError) as err:
        plan(other, recorded_meet())
    assert str(err.value) == "f.csv: line 2: deadline of 'meet' differs from the recorded 2018-07-31"


def test_a_new_question_without_a_deadline_is_refused():
    with pytest.raises(ValidationError) as err:
        plan("question,analyst,probability\nnew,ana,0.5\n")
    assert str(err.value) == "f.csv: line 2: question 'new' does not exist and has no deadline"


def test_conflicting_outcomes_name_both_lines():
    text = MEET.replace("usa;summit,yes", "usa;summit,no")
    with pytest.raises(ValidationError) as err:
        plan(text)
    assert str(err.value) == ("f.csv: line 3: question 'meet' has conflicting outcomes in the file "
                              "(yes on line 2, no on line 3)")
