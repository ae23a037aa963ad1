"""Classes of conditions the rules missed or cut short, and sentences that hold several claims
joined by commas; made-up sentences of each kind (none is a corpus sentence)."""

from __future__ import annotations

from datetime import date

from tracker.extract import extract_claims

DOC = date(2024, 8, 14)


def forecasts(text):
    return [c for c in extract_claims(text, doc_date=DOC) if c.cls == "forecast"]


def test_condition_with_a_parenthesis_runs_to_the_main_clause():
    (c,) = forecasts("If the opposition, despite its defeat in the spring, can unite behind one candidate, "
                     "the government may lose its majority.")
    assert c.condition == "the opposition, despite its defeat in the spring, can unite behind one candidate"
    assert c.event == "The government loses its majority"


def test_leading_with_phrase_before_could_is_a_condition():
    (c,) = forecasts("With the planned removal of fuel subsidies, transport costs could rise sharply.")
    assert c.condition == "the planned removal of fuel subsidies"


def test_leading_with_phrase_before_a_plain_will_is_a_premise():
    (c,) = forecasts("With unemployment at a record low, the central bank will keep rates on hold.")
    assert c.condition is None


def test_with_phrase_under_an_expectation_governs_every_claim_after_it():
    found = forecasts("The Council expects that, with steady fiscal consolidation, debt will stabilise, "
                      "borrowing costs will ease somewhat, and growth will return to trend over the medium term.")
    assert [c.event for c in found] == ["Debt stabilises", "Borrowing costs ease somewhat",
                                        "Growth returns to trend over the medium term"]
    assert {c.condition for c in found} == {"steady fiscal consolidation"}


def test_conditioned_on_between_commas():
    (c,) = forecasts("Unemployment is, conditioned on the market path for interest rates, likely to rise next year.")
    assert c.condition == "the market path for interest rates" and c.band_name == "likely"


def test_if_between_commas():
    (c,) = forecasts("The army will, if pressed, withdraw to the river.")
    assert c.condition == "pressed" and c.event == "The army withdraws to the river"


def test_comma_joined_claims_each_with_their_own_subject():
    found = forecasts("Exports will fall, imports will rise, and the deficit will widen.")
    assert [c.event for c in found] == ["Exports fall", "Imports rise", "The deficit widens"]


def test_relative_clause_after_a_comma_is_not_a_second_claim():
    found = forecasts("The bank will cut rates, which will support lending.")
    assert len(found) == 1


# --- one subject, two claims: elliptic conjuncts and a second stated chance
def test_and_to_verb_keeps_the_expectation_and_its_own_deadline():
    found = forecasts("Unemployment is expected to peak at 6% in 2025 and to fall back to 4% by the end of 2026.")
    assert [(c.event, c.deadline.isoformat()) for c in found] == [
        ("Unemployment peaks at 6% in 2025", "2025-12-31"), ("Unemployment falls back to 4% by the end of 2026", "2026-12-31")]


def test_and_expected_to_without_be():
    found = forecasts("Output is estimated at 1.2 percent this year, and expected to recover to 2 percent in 2026.")
    # the figure for the year under way is a projection too; the conjunct keeps the subject
    assert [c.event for c in found] == ["Output is at 1.2 percent in 2024", "Output recovers to 2 percent in 2026"]
    assert found[1].band_name == "likely"


def test_a_figure_estimated_for_a_past_year_is_no_forecast():
    assert forecasts("Output is estimated at 1.2 percent in 2023.") == []


def test_two_stated_chances_in_one_sentence():
    found = forecasts("Forecasters see a 40% chance of a strike by the end of 2024 and a 70% chance of a strike in 2025.")
    assert [(c.probability, c.deadline.isoformat()) for c in found] == [(0.4, "2024-12-31"), (0.7, "2025-12-31")]


def test_and_to_after_a_modal_is_one_claim():
    found = forecasts("The army will try to advance and to hold the bridge.")
    assert len(found) == 1
