"""The failure classes found on real assessments (issue: extraction that holds on text it has
never seen). Each example is of the kind seen, not one of the held-out sentences."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.extract import extract_claims

DOC = date(2023, 2, 24)  # a Friday


def forecasts(text, doc=DOC):
    return [c for c in extract_claims(text, doc_date=doc) if c.cls == "forecast"]


def one(text, doc=DOC):
    found = forecasts(text, doc)
    assert len(found) == 1, [c.as_dict() for c in found]
    return found[0]


# --- time phrases that fell back to the default horizon
@pytest.mark.parametrize("text, deadline, source", [
    ("Russia will likely mount a new offensive over the course of the next three months.", "2023-05-24", "relative expression"),
    ("Fighting will probably continue through the spring.", "2023-05-31", "relative expression"),
    ("The ceasefire talks will likely resume before the end of the third quarter.", "2023-09-30", "relative expression"),
    ("The central bank will probably cut rates this year.", "2023-12-31", "relative expression"),
    ("Kyiv will likely receive long-range missiles by mid-2024.", "2024-06-30", "explicit date"),
    ("China may try to sway voters before the US election.", "2024-11-04", "event in a known calendar"),
    ("Russia will probably intensify its offensive during the winter.", "2023-02-28", "relative expression"),
    ("Global warming of 2C will be exceeded during the 21st century.", "2100-12-31", "relative expression"),
    ("The world will likely reach 1.5C of warming within the next two decades.", "2043-02-24", "relative expression"),
    ("Russia will rebuild its forces over the next five to ten years.", "2033-02-24", "relative expression"),
    ("Growth is expected to slow to 3.2 per cent in 2023, and further to 2.7 per cent in 2024.", "2024-12-31", "explicit date"),
    ("In 2023, the hajj will take place between 26 June and 1 July.", "2023-07-01", "explicit date"),
])
def test_time_phrases(text, deadline, source):
    c = one(text)
    assert (c.deadline.isoformat(), c.deadline_source) == (deadline, source)


@pytest.mark.parametrize("text, phrase", [
    ("Sooner or later, the West will tire of supporting Ukraine.", "Sooner or later"),
    ("The regime will at some point collapse.", "at some point"),
])
def test_open_ended_times_get_the_horizon_and_say_so(text, phrase):
    c = one(text)
    assert c.deadline.isoformat() == "2023-05-25" and c.deadline_source == "horizon for an open-ended time"
    assert c.deadline_text == phrase and "names no time" in c.note


def test_an_event_with_no_known_date_is_flagged():
    c = one("The two sides will likely agree a prisoner exchange before the summit.")
    assert c.deadline_source == "event date not known" and c.deadline_text == "before the summit"


# --- a hedge governs the "will" in its scope
@pytest.mark.parametrize("text, band, event", [
    ("It is likely that the conflict will have a generational impact.", [0.55, 0.8], "The conflict has a generational impact"),
    ("What is more likely is that one side collapses.", [0.55, 0.8], "One side collapses"),
    ("The war is rather more likely to end in a stalemate.", [0.55, 0.8], "The war ends in a stalemate"),
])
def test_a_hedge_governs_the_will_in_its_scope(text, band, event):
    c = one(text)
    assert (c.band, c.event) == (band, event) and c.probability == 0.675


# --- several claims in one sentence
def test_two_claims_with_different_numbers_share_the_subject():
    a, b = forecasts("We assess that Iran will seek to retain its capabilities and is unlikely to give them up.")
    assert (a.event, a.band_name) == ("Iran seeks to retain its capabilities", "likely")
    assert (b.event, b.band_name) == ("Iran gives them up", "unlikely")


# --- imminent preparation in the present tense
def test_preparation_in_the_present_forecasts_the_act():
    c = one("North Korea probably is preparing to test a nuclear device.")
    assert (c.event, c.band_name, c.phrase) == ("North Korea tests a nuclear device", "likely", "probably is preparing to")


# --- negated foresight and expectation
def test_negated_foresight():
    c = one("We do not foresee the military recovering enough this year to make major gains.")
    assert c.band_name == "unlikely" and c.deadline == date(2023, 12, 31) and c.negated is False
    c = one("The West may not be able to stop the offensive.")
    assert c.event == "The West is able to stop the offensive" and c.negated
    c = one("The terrorism threat level remains at PROBABLE, and I see no prospect it will be lowered soon.")
    assert c.band_name == "almost no chance" and "lowered" in c.event


# --- explicit numbers
@pytest.mark.parametrize("text, p", [
    ("We estimate a 70 percent chance that the talks resume in the second half of 2024.", 0.7),
    ("There is about a 40% chance of the annual average temperature exceeding 1.5C this year.", 0.4),
    ("There is one in three chance that Moscow agrees to talks.", 0.3333),
    ("We see roughly even odds that the coalition collapses this year.", 0.5),
    ("Analysis from the agency shows an 86% probability that at least one year will exceed 1.5C.", 0.86),
])
def test_explicit_numbers(text, p):
    assert one(text).probability == p


# --- attribution of quoted speakers and list labels
def test_quoted_speaker_and_list_labels():
    text = ("PM Boris Johnson said the talks had failed. \"The next few days could be the most dangerous moment,\" "
            "he added.\n\nA. We judge that Moscow will retaliate against US firms.\n\n"
            "Ted Carpenter: There are several possible outcomes, but the most likely is a ceasefire.\n")
    found = forecasts(text)
    assert [c.attributed_to for c in found] == ["Boris Johnson", None, "Ted Carpenter"]
    assert found[1].event == "Moscow retaliates against US firms"


# --- normative and embedded sentences are not forecasts
@pytest.mark.parametrize("text", [
    "Deterring Putin will require concerted efforts from the allies.",
    "Intelligence agencies will need to expand their partnerships.",
    "Incoming data over the next month will be crucial in assessing inflation.",
    "The most important factor is how the Kremlin will cope with the restive domestic climate.",
    "Specifically, the brigades have sustained very high losses and are likely combat ineffective.",
])
def test_not_forecasts(text):
    assert forecasts(text) == []
