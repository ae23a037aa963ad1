"""Quarters are parsed and labelled in one module (tracker.periods), and a Scope checks its fields."""

from datetime import date

import pytest

from tracker.errors import ValidationError
from tracker.periods import parse_quarter, quarter_label
from tracker.scope import Scope


@pytest.mark.parametrize("text", ["2018Q3", "2018-Q3", " 2018 q3 ", "2018-q3"])
def test_quarter_forms(text):
    q = parse_quarter(text)
    assert (q.label, q.start, q.end, q.file_label) == ("2018Q3", date(2018, 7, 1), date(2018, 9, 30), "2018-Q3")
    assert date(2018, 9, 30) in q and date(2018, 10, 1) not in q


def test_quarter_ends_and_labels():
    assert parse_quarter("2020Q1").end == date(2020, 3, 31)
    assert parse_quarter("2018Q4").end == date(2018, 12, 31)
    assert [quarter_label(date(2018, m, 1)) for m in (1, 3, 4, 6, 7, 9, 10, 12)] == [
        "2018Q1", "2018Q1", "2018Q2", "2018Q2", "2018Q3", "2018Q3", "2018Q4", "2018Q4"]
    for m in range(1, 13):  # a day's label parses back to a quarter holding the day
        assert date(2018, m, 15) in parse_quarter(quarter_label(date(2018, m, 15)))


@pytest.mark.parametrize("text, message", [("2018Q5", "is not like 2018Q3"), ("18Q3", "is not like 2018Q3"),
                                           ("1899Q1", "out of range"), ("9999Q1", "out of range")])
def test_bad_quarters(text, message):
    with pytest.raises(ValidationError, match=message):
        parse_quarter(text)


def test_scope_checks_and_normalizes():
    s = Scope.make(quarter="2018-q3", analyst="", tag="russia", mode="initial")
    assert s == Scope("2018Q3", None, "russia", None, "initial", "auto")
    assert s.period.start == date(2018, 7, 1) and s.filters_questions
    assert s.but(quarter=None, tag=None).filters_questions is False
    with pytest.raises(ValidationError, match="unknown mode 'median'"):
        Scope.make(mode="median")
    with pytest.raises(ValidationError, match="unknown forecast set 'some'"):
        Scope.make(forecasts="some")
