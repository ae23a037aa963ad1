"""Classes of forecast sentences the rules missed, each with made-up sentences of its kind
(none is a corpus sentence), and the look-alikes that must stay non-forecasts."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.extract import extract_claims

DOC = date(2024, 8, 14)


def forecasts(text, doc=DOC, scale="icd203"):
    return [c for c in extract_claims(text, doc_date=doc, scale=scale) if c.cls == "forecast"]


def one(text, **kw):
    found = forecasts(text, **kw)
    assert len(found) == 1, [c.as_dict() for c in found]
    return found[0]


# --- an expectation in the present tense with no infinitive: "further X are expected"
@pytest.mark.parametrize("text, event", [
    ("More outbreaks are expected in the northern provinces.", "More outbreaks take place in the northern provinces"),
    ("Further strikes are also expected among dock workers.", "Further strikes occur among dock workers"),
])
def test_present_expectation_without_infinitive(text, event):
    c = one(text)
    assert c.event == event and c.band_name == "likely"


@pytest.mark.parametrize("text", ["The decision was expected.", "This is expected."])
def test_past_or_anaphoric_expectation_is_no_new_forecast(text):
    assert forecasts(text) == []


# --- a subject's expectation verb after a report: "it expects X to VERB"
def test_subject_expects_object_to_verb():
    c = one("The ministry says that it expects more migrants to arrive as the weather improves.")
    assert c.event.startswith("More migrants arrive") and c.attributed_to == "The ministry"


# --- "could/may be ADJ" with a condition or under an expectation frame points forward
def test_could_be_high_if_is_a_conditional_forecast():
    c = one("The flood risk could be severe if the dam fails during the rainy season.")
    assert c.condition == "the dam fails during the rainy season" and c.event == "The flood risk is severe"


def test_may_be_needed_under_an_expectation_frame():
    c = one("The Board anticipates that further tightening may be needed to curb inflation.")
    assert c.event.startswith("Further tightening is needed") and c.attributed_to == "The Board"


def test_may_be_without_condition_or_frame_stays_an_estimate():
    assert forecasts("The drought may be the reason for the migration.") == []


# --- adverbs of time inside the verb group: "is currently unlikely to", "is increasingly likely to"
@pytest.mark.parametrize("text, band", [
    ("The offensive is currently unlikely to reach the river.", "unlikely"),
    ("The coalition is increasingly likely to collapse.", "likely"),
])
def test_time_adverbs_inside_the_verb_group(text, band):
    assert one(text).band_name == band


# --- an introductory "This ..." that is the claim itself, before a trailing attribution
def test_this_will_before_a_trailing_attribution():
    c = one("This will probably include strikes on the port, the defence ministry said in a statement.")
    assert c.event == "This includes strikes on the port" and c.band_name == "likely"
    assert c.attributed_to == "the defence ministry"


def test_introduction_this_week_is_still_skipped():
    c = one("This week, the ministry said that the army will probably withdraw.")
    assert c.attributed_to == "the ministry" and c.event == "The army withdraws"


# --- an expectation reported in the past with a future time inside the quotation
def test_past_report_of_an_expectation_for_the_coming_quarters():
    c = one('He expected the tariffs to "weigh on exports in the coming quarters".')
    assert c.deadline.isoformat() == "2025-02-14"
