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
