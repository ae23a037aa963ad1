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


# --- explicit numbers in more shapes
@pytest.mark.parametrize("text, p", [
    ("Forecasters give a 40-50% chance of a cold winter.", 0.45),
    ("The current regime has a 60% chance of lasting through the decade.", 0.6),
    ("The dam will probably hold through the spring floods (about a 70% chance).", 0.7),
    ("Models show a slim but real (around 5%) chance of a second wave before 2026.", 0.05),
])
def test_stated_numbers(text, p):
    assert one(text).probability == p


@pytest.mark.parametrize("text, p, deadline", [
    ("65% likelihood of a weak monsoon between 2025-2027", 0.65, "2027-12-31"),
    ("Likely that one of next three years will be the hottest on record", 0.675, "2027-08-14"),
])
def test_key_messages_written_as_headlines(text, p, deadline):
    c = one(text + "\n\nThe outlook is updated every year.")
    assert (c.probability, c.deadline.isoformat()) == (p, deadline)


def test_a_plain_heading_is_still_no_claim():
    assert forecasts("Regional outlook for the coming year\n\nThe outlook is updated every year.") == []


# --- hedges that govern a clause from a distance
def test_it_is_likely_that_after_a_comma():
    c = one("The data indicate that within weeks, it is likely that hospitals will run short of beds.")
    assert c.band_name == "likely" and c.event == "Hospitals run short of beds"


def test_verb_it_adjective_that():
    c = one("The committee judges it more likely than not that rates will need to rise over the forecast period.")
    assert c.event.startswith("Rates need to rise") and c.band == [0.5, 0.55]  # the upper half of even odds
    assert c.deadline.isoformat() == "2027-08-14"  # the Bank of England's forecast period: three years


def test_will_need_to_without_a_hedge_stays_normative():
    assert forecasts("The agency will need to hire more analysts.") == []


def test_judging_the_likelihood_that_is_low():
    c = one("Most observers consider the likelihood that the talks will collapse is very low.")
    assert c.band_name == "very unlikely" and "talks" in c.event


def test_see_x_as_likely():
    c = one("We see a snap election as highly likely this year.")
    assert c.band_name == "very likely" and c.deadline.isoformat() == "2024-12-31"


def test_would_with_a_present_condition_that_has_a_relative_clause():
    c = one("The Council would act swiftly if shocks arise that could threaten stability.")
    assert c.condition == "shocks arise that could threaten stability"


def test_would_with_a_past_condition_is_counterfactual():
    assert forecasts("If the army had advanced, it would have taken the city.") == []


# --- sources that are not people, with a phrase after the head
def test_models_as_a_source():
    c = one("Most of the models in the ensemble predict a weak La Nina to form during the fall.")
    assert c.attributed_to == "Most of the models in the ensemble" and c.deadline.isoformat() == "2024-11-30"


# --- "would" with a likelihood word is a prediction, "would have" with one is still counterfactual
def test_would_with_a_likelihood_word():
    c = one("Such a spike would most likely be short-lived.")
    assert c.band_name == "likely" and c.event == "Such a spike is short-lived"


def test_would_have_with_a_likelihood_word_is_counterfactual():
    assert forecasts("Without the loans, the bank would probably have failed.") == []


# --- projected figures: "is seen at 4.7% for 2025"
@pytest.mark.parametrize("text, deadline", [
    ("Average inflation is seen at 3.1% for 2025.", "2025-12-31"),
    ("Growth is forecast at 1.5 percent in 2026.", "2026-12-31"),
])
def test_projected_figures(text, deadline):
    c = one(text)
    assert c.deadline.isoformat() == deadline and c.band_name == "likely" and " is at " in c.event


# --- headlines and fragments
def test_headline_infinitive_with_a_future_time():
    c = one("Officials: strikes on the grid to resume within two weeks.")
    assert c.event == "Strikes on the grid resume by 28 August 2024"


@pytest.mark.parametrize("text", [
    "The decision to withdraw by 2025 surprised allies.",
    "Mr. Li went to Paris on 20 September to sign the accord.",
])
def test_infinitives_that_are_not_headlines(text):
    assert forecasts(text) == []


def test_verbless_hedged_fragment_with_a_future_time():
    c = one("Probably, too, a change of government within a year or two.")
    assert c.event.startswith("A change of government") and c.band_name == "likely"


def test_the_fall_of_is_not_a_season():
    c = one("The regime will likely survive the fall of the currency.")
    assert c.deadline_source == "default horizon"


def test_schedule_on_a_month_and_day():
    assert one("The summit is set for September 30.").event == "The summit takes place on September 30"


# --- climate assessment language
def test_ipcc_confidence_in_brackets_is_kept_apart():
    (c,) = forecasts("Glacier loss is projected to continue through the 21st century (medium confidence).", scale="ipcc")
    assert c.confidence == "moderate" and c.event == "Glacier loss continues by 31 December 2100"
    assert c.band == [0.66, 1.0]  # IPCC 'likely' for an expectation word


def test_split_infinitive():
    c = one("Coastal towns are expected to increasingly face flooding.")
    assert c.event == "Coastal towns face flooding"


def test_subject_with_a_relative_clause_keeps_its_number():
    c = one("Storms that once struck every decade are likely to strike every year by 2050.")
    assert c.event.startswith("Storms that once struck every decade strike every year")


# --- frames with an adverb, and a third party's negated foresight
def test_own_voice_frame_with_an_adverb():
    c = one("We now expect that the port will reopen this year.")
    assert c.band_name == "likely" and c.event == "The port reopens in 2024"


def test_third_party_does_not_expect():
    c = one("The Board does not expect that rates will fall before next spring.")
    assert c.band_name == "unlikely" and c.event.startswith("Rates fall before")


def test_in_the_third_quarter_reads_q3():
    assert one("Unemployment is expected to peak in the third quarter.").event == "Unemployment peaks in Q3 2024"


def test_a_second_number_for_a_later_period():
    found = forecasts("There is a 20% chance of a default this year, rising to 35-45% by the end of 2026.")
    assert [(c.probability, c.deadline.isoformat(), c.event) for c in found] == [
        (0.2, "2024-12-31", "A default in 2024"), (0.4, "2026-12-31", "A default by the end of 2026")]
