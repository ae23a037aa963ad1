"""Classes of time phrases that fell back to the default horizon or took a date that was not a
deadline, each with made-up sentences of its kind (none is a corpus sentence)."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.extract import extract_claims
from tracker.extract.timex import find_time_expressions

DOC = date(2024, 8, 14)  # a Wednesday in August


def deadline_of(text, doc=DOC):
    found = [c for c in extract_claims(text, doc_date=doc) if c.cls == "forecast"]
    assert found, text
    return found[0].deadline.isoformat(), found[0].deadline_source


@pytest.mark.parametrize("text, deadline", [
    # the rest or the course of the year
    ("Output is likely to stay flat for the rest of the year.", "2024-12-31"),
    ("Prices are expected to ease during the course of the year.", "2024-12-31"),
    ("Exports are expected to recover over the remainder of the year.", "2024-12-31"),
    # "coming" without "the", and two units joined: the later end
    ("Shelling will likely intensify in coming days.", "2024-08-28"),
    ("The rebels will probably push north in coming weeks and months.", "2025-02-14"),
    # "next N units" without "the" or a preposition, and ranges written with a hyphen
    ("Clashes are likely to spread over next 2-3 weeks.", "2024-09-04"),
    ("The next two to three years will be decisive for the reform.", "2027-08-14"),
    # "in the next year" is the coming twelve months
    ("A default is unlikely in the next year.", "2025-08-14"),
    ("A default is unlikely next year.", "2025-12-31"),
    # "a few weeks" as "the next few weeks"
    ("Hospitals will likely be full in a few weeks.", "2024-09-11"),
    # seasons: parts of a season, the hemisphere, the coming winter said in summer
    ("A drought is likely by late summer.", "2024-08-31"),
    ("La Nina will probably form in early fall.", "2024-09-30"),
    ("The storms will likely return in mid-winter.", "2025-01-31"),
    ("Rains are likely to fail during the Northern Hemisphere fall.", "2024-11-30"),
    ("El Nino will probably persist next winter.", "2025-02-28"),
])
def test_time_phrase_classes(text, deadline):
    assert deadline_of(text)[0] == deadline


def test_next_season_said_inside_that_season_is_the_following_one():
    # "next summer" said in July is the summer after
    assert deadline_of("The drought will likely ease next summer.", date(2024, 7, 10))[0] == "2025-08-31"
    # "next summer" said in March is the coming summer
    assert deadline_of("The drought will likely ease next summer.", date(2024, 3, 10))[0] == "2024-08-31"


@pytest.mark.parametrize("text", [
    "The agency said on Tuesday that the river will probably flood.",
    "The minister warned on Monday, that the strike will likely spread.",
])
def test_weekday_of_a_report_is_not_a_deadline(text):
    exprs = find_time_expressions(text, DOC)
    assert exprs and all(e.past for e in exprs)
    assert deadline_of(text)[1] == "default horizon"


def test_weekday_of_an_event_is_still_a_deadline():
    assert deadline_of("The talks will likely resume on Friday.")[0] == "2024-08-16"


@pytest.mark.parametrize("text, past", [
    ("Growth is expected to reach 2% in 2025, against 1.5% seen in March.", True),
    ("The figures published in May show that growth will slow.", True),
    ("The full report will be released in March.", False),
])
def test_a_month_after_a_report_of_the_past(text, past):
    months = [e for e in find_time_expressions(text, DOC) if "March" in e.text or "May" in e.text]
    assert months and months[0].past is past


def test_a_season_before_a_noun_is_not_a_time():
    assert find_time_expressions("Past the spring predictability barrier, forecasts improve.", DOC) == []
    assert deadline_of("Beyond the spring predictability barrier, El Nino will likely form later this year.")[0] == "2024-12-31"


@pytest.mark.parametrize("text", [
    "The militia will probably be unable to hold the town beyond the end of the month.",
    "Talks will likely resume after the summer.",
])
def test_beyond_or_after_a_period_is_a_lower_bound(text):
    exprs = find_time_expressions(text, DOC)
    assert exprs and not any(e.is_deadline for e in exprs)
    assert deadline_of(text)[1] == "default horizon"


def test_a_clause_without_a_time_takes_the_time_of_the_clause_before():
    found = [c for c in extract_claims("Sea levels are likely to rise by 40 cm by 2100, and storms could still "
                                       "intensify even if emissions fall.", doc_date=DOC) if c.cls == "forecast"]
    assert [c.deadline.isoformat() for c in found] == ["2100-12-31", "2100-12-31"]
    assert found[1].deadline_text.endswith("(carried from the clause before)")


def test_an_open_ended_clause_keeps_its_flag():
    found = [c for c in extract_claims("Prices will rise by 2025, and wages will catch up at some point.",
                                       doc_date=DOC) if c.cls == "forecast"]
    assert found[1].deadline_source == "horizon for an open-ended time"


@pytest.mark.parametrize("text, deadline, event", [
    ("Prices are not expected to stabilise until 2026.", "2025-12-31", "Prices stabilise before 2026"),
    ("The border will not reopen until October.", "2024-09-30", "The border reopens before October 2024"),
    ("The vote will not take place until 3 September.", "2024-09-02", "The vote takes place before 3 September 2024"),
])
def test_not_until_is_not_before(text, deadline, event):
    (c,) = [c for c in extract_claims(text, doc_date=DOC) if c.cls == "forecast"]
    assert (c.deadline.isoformat(), c.event) == (deadline, event)


def test_until_without_a_negation_is_the_end_of_the_period():
    assert deadline_of("Talks will likely continue until 2026.")[0] == "2026-12-31"
