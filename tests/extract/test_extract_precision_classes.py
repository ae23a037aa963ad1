"""Classes of sentences that look like forecasts and are not (made-up sentences of each kind,
none from the corpus), and event texts that must stay grammatical."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.extract import extract_claims

DOC = date(2024, 8, 14)


def forecasts(text):
    return [c for c in extract_claims(text, doc_date=DOC) if c.cls == "forecast"]


@pytest.mark.parametrize("text", [
    "The size of further rate cuts will depend on incoming data.",
    "Whether the mission is extended will hinge on the vote in parliament.",
    "The timing will largely depend upon the weather.",
])
def test_will_depend_on_is_a_policy_rule(text):
    assert forecasts(text) == []


@pytest.mark.parametrize("text", [
    "62% of respondents believe a recession is likely next year.",
    "Some 40 percent of Germans expect prices to rise further.",
])
def test_poll_results_are_what_people_believe_now(text):
    assert forecasts(text) == []


def test_a_forecast_about_a_survey_is_still_a_forecast():
    assert len(forecasts("The survey will likely show a fall in confidence next month.")) == 1


def test_season_after_a_preposition_keeps_the_preposition():
    (c,) = forecasts("Shelling will likely continue into the winter.")
    assert c.event == "Shelling continues into winter 2024-25"


def test_and_that_it_will_keeps_the_pronoun_as_subject():
    found = forecasts("Analysts assess that the junta will hold elections and that it will seek a new constitution.")
    assert [c.event for c in found] == ["The junta holds elections", "It seeks a new constitution"]


def test_demonstrative_that_subject_still_reads_the():
    (c,) = forecasts("That offensive will stall before the winter.")
    assert c.event.startswith("The offensive stalls")


def test_throughout_the_next_year_keeps_its_preposition():
    (c,) = forecasts("Beijing is likely to keep up the pressure throughout the next year.")
    assert c.event == "Beijing keeps up the pressure throughout 2025" and c.deadline.isoformat() == "2025-12-31"


@pytest.mark.parametrize("text", [
    "Majorities in most member states believe a recession is coming, a new survey shows.",
    "A poll found that voters expect taxes to rise.",
])
def test_more_poll_shapes(text):
    assert forecasts(text) == []


@pytest.mark.parametrize("text", [
    "Retail surveys continue to suggest weak demand during the summer.",
    "Exporters hope to recover their losses by next year.",
])
def test_a_verb_that_takes_an_infinitive_is_not_a_headline(text):
    assert forecasts(text) == []


def test_a_forecast_with_no_estimative_word_asks_for_a_number():
    (c,) = forecasts("The Council would act swiftly if shocks arise.")
    assert c.probability is None and c.phrase is None and c.assessed is False
    assert c.note.startswith("no estimative word in the text: set your own number")
