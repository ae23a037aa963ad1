"""A table of sentences in the style of public intelligence and policy
assessments, each with the class, estimative phrase, band, deadline and
attribution the extractor must give.

Document date for every row: Wednesday 20 June 2018 (so "next week" ends on
Sunday 1 July, "in May" is May 2019, the default 90-day horizon is 18
September 2018). Bands are on the default ICD 203 scale, except unassessed
possibilities (survey quartiles) and stated numbers.
"""

from __future__ import annotations

from datetime import date

import pytest

from tracker.extract import DEADLINE_SOURCES, extract_claims

DOC = date(2018, 6, 20)
HORIZON = "2018-09-18"
LIKELY = [0.55, 0.8]
VERY_LIKELY = [0.8, 0.95]
ALMOST_CERTAIN = [0.95, 0.99]
EVEN = [0.45, 0.55]
UNLIKELY = [0.2, 0.45]
VERY_UNLIKELY = [0.05, 0.2]
REMOTE = [0.01, 0.05]
RULE_OUT = [0.01, 0.45]
MAY = [0.4, 0.5]  # survey "maybe", interquartile range
COULD = [0.25, 0.5]  # survey "possibly"
MIGHT = [0.2, 0.5]  # survey "might happen"

F, E, FACT, A, B = "forecast", "estimate", "fact", "attribution", "boilerplate"

# (sentence, class, phrase, band, deadline, attributed_to)
ROWS = [
    # --- forecasts in the assessment's own voice
    ("Russia is likely to expand its military presence in Syria by the end of the year.",
     F, "is likely to", LIKELY, "2018-12-31", None),
    ("Moscow will very likely veto the resolution in the UN Security Council next month.",
     F, "will very likely", VERY_LIKELY, "2018-07-31", None),
    ("Kim is expected to travel to Beijing next week.", F, "is expected to", LIKELY, "2018-07-01", None),
    ("We assess that Kim Jong Un will almost certainly attend the summit in Singapore on 12 June 2019.",
     F, "We assess ... will almost certainly", ALMOST_CERTAIN, "2019-06-12", None),
    ("We believe the regime will hold parliamentary elections in March 2019.",
     F, "We believe ... will", LIKELY, "2019-03-31", None),
    ("There is a roughly even chance that the coalition will collapse before the budget vote.",
     F, "There is a roughly even chance", EVEN, HORIZON, None),
    ("The talks are scheduled for 16 July 2018 in Helsinki.", F, "are scheduled for", VERY_LIKELY, "2018-07-16", None),
    ("Russia will likely use the World Cup to showcase its stability.", F, "will likely", LIKELY, HORIZON, None),
    ("It is almost certain that China will continue building facilities in the South China Sea.",
     F, "It is almost certain", ALMOST_CERTAIN, HORIZON, None),
    ("Kim Jong Un will probably visit Seoul later this year.", F, "will probably", LIKELY, "2018-12-31", None),
    ("The prime minister is set to visit Washington on July 5.", F, "is set to", VERY_LIKELY, "2018-07-05", None),
    ("Elections are due to take place in the spring of 2019.", F, "are due to", VERY_LIKELY, "2019-05-31", None),
    ("The election will be held on 4 November 2018.", F, "will", VERY_LIKELY, "2018-11-04", None),
    ("Saudi Arabia is going to raise oil output in July.", F, "is going to", VERY_LIKELY, "2018-07-31", None),
    ("We anticipate that the new government will be formed within 60 days.",
     F, "We anticipate ... will", LIKELY, "2018-08-19", None),
    ("Moscow is poised to sign the deal in the first half of 2019.", F, "is poised to", LIKELY, "2019-06-30", None),
    ("Protests are likely to spread to other cities in the coming weeks.", F, "are likely to", LIKELY, "2018-08-01", None),
    ("North Korea is very likely to test another missile before the end of August.",
     F, "is very likely to", VERY_LIKELY, "2018-08-31", None),
    ("An announcement is expected next week.", F, "is expected", LIKELY, "2018-07-01", None),
    ("We assess with moderate confidence that Moscow will expand cyber operations before the 2020 election.",
     F, "We assess ... will", LIKELY, "2020-12-31", None),
    # --- negation and polarity: the event stays positive, the band flips
    ("Iran is unlikely to give up its missile program within the next two years.",
     F, "is unlikely to", UNLIKELY, "2020-06-20", None),
    ("Beijing probably will not recognize the election results.", F, "probably will not", UNLIKELY, HORIZON, None),
    ("Pyongyang will almost certainly not abandon its nuclear weapons this year.",
     F, "will almost certainly not", REMOTE, "2018-12-31", None),
    ("Kim will almost certainly not denuclearize within the next two years.",
     F, "will almost certainly not", REMOTE, "2020-06-20", None),
    ("We doubt that the opposition will win a majority in the September election.",
     F, "We doubt ... will", UNLIKELY, "2018-09-30", None),
    ("We do not expect Moscow to withdraw its forces from Crimea.", F, "We do not expect", UNLIKELY, HORIZON, None),
    ("The Syrian regime will not regain control of Idlib by year-end.", F, "will not", VERY_UNLIKELY, "2018-12-31", None),
    ("Russia will not give up Crimea.", F, "will not", VERY_UNLIKELY, HORIZON, None),
    ("Putin will probably not attend the G20 summit in Buenos Aires in November.",
     F, "will probably not", UNLIKELY, "2018-11-30", None),
    ("The president is not expected to attend the summit in Sochi in October.",
     F, "is not expected to", UNLIKELY, "2018-10-31", None),
    ("A ceasefire in Yemen is unlikely before the end of the year.", F, "is unlikely", UNLIKELY, "2018-12-31", None),
    ("The sanctions relief is highly unlikely before the US midterm elections in November.",
     F, "is highly unlikely", VERY_UNLIKELY, "2018-11-30", None),
    ("We judge that Hezbollah is unlikely to start a war with Israel in the next six months.",
     F, "We judge ... is unlikely to", UNLIKELY, "2018-12-20", None),
    ("It is highly improbable that the regime will collapse this year.",
     F, "It is highly improbable", VERY_UNLIKELY, "2018-12-31", None),
    ("It is unlikely that the parliament will ratify the treaty before the recess in August.",
     F, "It is unlikely", UNLIKELY, "2018-08-31", None),
    ("The chance of a breakthrough at the talks is slim.", F, "The chance of ... is slim", VERY_UNLIKELY, HORIZON, None),
    ("Tehran is very unlikely to resume negotiations before the sanctions take effect in November.",
     F, "is very unlikely to", VERY_UNLIKELY, "2018-11-30", None),
    # --- "cannot rule out": remote to unlikely
    ("We cannot rule out a limited Russian incursion into eastern Ukraine in the coming months.",
     F, "We cannot rule out", RULE_OUT, "2018-12-20", None),
    ("We cannot rule out the possibility that Russia will test a new missile before the end of the year.",
     F, "We cannot rule out ... will", RULE_OUT, "2018-12-31", None),
    # --- unassessed possibilities; "may" as a verb next to the month May
    ("The Kremlin may retaliate against the new sanctions.", F, "may", MAY, HORIZON, None),
    ("Theresa May may call an early election in May.", F, "may", MAY, "2019-05-31", None),
    ("Talks may resume in June.", F, "may", MAY, "2018-06-30", None),
    ("Kim may meet Trump again in the fall.", F, "may", MAY, "2018-11-30", None),
    ("Turkey could launch a new offensive in northern Syria within 30 days.", F, "could", COULD, "2018-07-20", None),
    ("Militants might attempt to disrupt the vote on Sunday.", F, "might", MIGHT, "2018-06-24", None),
    ("Israel might strike Iranian positions in Syria in the coming weeks.", F, "might", MIGHT, "2018-08-01", None),
    # --- stated numbers; shared band edges are named by the tie rule elsewhere
    ("There is a 30 percent chance that oil prices will exceed $100 a barrel by December.",
     F, "There is a 30 percent chance", [0.3, 0.3], "2018-12-31", None),
    ("There is a 55 percent chance that the ceasefire will collapse by August.",
     F, "There is a 55 percent chance", [0.55, 0.55], "2018-08-31", None),
    # --- "most likely" names a scenario, not a band
    ("The most likely outcome is a negotiated settlement that leaves Assad in power.",
     F, "The most likely outcome is", None, HORIZON, None),
    # --- abbreviations
    ("Mr. Lavrov is expected to visit Pyongyang on Sept. 3.", F, "is expected to", LIKELY, "2018-09-03", None),
    ("The U.N. envoy will probably brief the Security Council on Monday.",
     F, "will probably", LIKELY, "2018-06-25", None),
    ("Dr. Abe will almost certainly remain prime minister through 2019.",
     F, "will almost certainly", ALMOST_CERTAIN, "2019-12-31", None),
    # --- someone else's claims about the future: recorded, attributed
    ("North Korea could conduct another nuclear test, according to South Korean officials.",
     F, "could", COULD, HORIZON, "South Korean officials"),
    ("Officials in Kyiv said that Russia will increase shelling along the line of contact next month.",
     F, "will", VERY_LIKELY, "2018-07-31", "Officials in Kyiv"),
    ("According to Reuters, the summit will take place in Helsinki on July 16.",
     F, "will", VERY_LIKELY, "2018-07-16", "Reuters"),
    ("The referendum is expected to pass by a wide margin on Sunday, officials said.",
     F, "is expected to", LIKELY, "2018-06-24", "officials"),
    ("U.S. officials expect the new sanctions to take effect on Aug. 6.",
     F, "expect", LIKELY, "2018-08-06", "U.S. officials"),
    ("Kremlin officials are unlikely to agree to new talks, Western diplomats said.",
     F, "are unlikely to", UNLIKELY, HORIZON, "Western diplomats"),
    ("Russian forces might withdraw from the region by 2020, the ministry claimed.",
     F, "might", MIGHT, "2020-12-31", "the ministry"),
    ("According to sources cited by Reuters, Iran may resume enrichment in September.",
     F, "may", MAY, "2018-09-30", "sources cited by Reuters"),
    # --- estimates of the past or present: not forecasts
    ("We assess that Russia interfered in the 2016 US presidential election.", E, "We assess", LIKELY, None, None),
    ("Moscow probably supplied the missile that downed the airliner.", E, "probably", LIKELY, None, None),
    ("The Kremlin may have authorized the operation.", E, "may", MAY, None, None),
    ("China's leaders probably view the trade dispute as a long-term contest.", E, "probably", LIKELY, None, None),
    ("We judge that Moscow is likely preparing for a new offensive.", E, "We judge ... is likely", LIKELY, None, None),
    ("We estimate that China spent about $200 billion on defense last year.", E, "We estimate", LIKELY, None, None),
    # a conditional forecast is proposed (on a question for its condition, see test_extract_conditions)
    ("If sanctions are tightened, Moscow will likely retaliate against US firms.", F, "will likely", LIKELY, HORIZON, None),
    # normative, ability, counterfactual: estimates, not proposed
    ("The talks would be beneficial for both sides.", E, None, None, None, None),
    ("Beijing would retaliate if Washington imposed new tariffs.", E, None, None, None, None),
    ("Washington should engage Moscow on arms control.", E, None, None, None, None),
    ("The opposition cannot win without the support of the army.", E, None, None, None, None),
    # --- facts
    ("Russia annexed Crimea in 2014.", FACT, None, None, None, None),
    ("The U.S. imposed new sanctions on Russian oligarchs in April.", FACT, None, None, None, None),
    ("Russia's economy is currently growing at about 1.5 percent a year.", FACT, None, None, None, None),
    ("The ceasefire has held so far.", FACT, None, None, None, None),
    ("Mr. Putin met Dr. Kissinger in Moscow on Jan. 15 to discuss arms control.", FACT, None, None, None, None),
    # --- attributions about the past or present
    ("Gen. Mattis said the Pentagon is reviewing its options.", A, None, None, None, "Gen. Mattis"),
    ("Reports claim that the two sides have already agreed on a venue.", A, None, None, None, "Reports"),
    ("Analysts believe the ruble has bottomed out.", A, None, None, None, "Analysts"),
    # --- boilerplate
    ("This assessment was prepared by the Office of Russian and European Analysis.", B, None, None, None, None),
    ("What will Moscow do next?", B, None, None, None, None),
]


def _row_id(row) -> str:
    return row[0][:48]


def test_table_is_large_enough():
    assert len(ROWS) >= 60
    classes = {r[1] for r in ROWS}
    assert classes == {F, E, FACT, A, B}


@pytest.mark.parametrize("sentence,cls,phrase,band,deadline,attributed_to", ROWS, ids=[_row_id(r) for r in ROWS])
def test_sentence(sentence, cls, phrase, band, deadline, attributed_to):
    claims = extract_claims(sentence, doc_date=DOC, include_all=True)
    assert claims, "every sentence gives at least one claim with include_all"
    first = claims[0]
    assert first.cls == cls, first.as_dict()
    assert first.phrase == phrase
    assert first.band == band
    assert (first.deadline.isoformat() if first.deadline else None) == deadline
    assert first.attributed_to == attributed_to
    forecasts = extract_claims(sentence, doc_date=DOC)
    if cls == F:
        assert forecasts and forecasts[0].sentence == sentence
        assert forecasts[0].deadline_source in DEADLINE_SOURCES
        horizons = ("default horizon", "horizon for an open-ended time", "event date not known")
        assert (forecasts[0].deadline_source in horizons) == (deadline == HORIZON)
        assert forecasts[0].event and forecasts[0].event[0].isupper()
    else:
        assert forecasts == [], "only forecasts are proposed"
        assert first.deadline is None and first.event is None


@pytest.mark.parametrize(
    "sentence,event",
    [
        ("Iran is unlikely to give up its missile program within the next two years.",
         "Iran gives up its missile program by 20 June 2020"),
        ("Beijing probably will not recognize the election results.", "Beijing recognizes the election results"),
        ("We do not expect Moscow to withdraw its forces from Crimea.", "Moscow withdraws its forces from Crimea"),
        ("Kim is expected to travel to Beijing next week.", "Kim travels to Beijing by 1 July 2018"),
        ("Militants might attempt to disrupt the vote on Sunday.", "Militants attempt to disrupt the vote on 24 June 2018"),
        ("The talks are scheduled for 16 July 2018 in Helsinki.", "The talks take place on 16 July 2018 in Helsinki"),
        ("US President Donald Trump is expected to visit Russian President Vladimir Putin in July.",
         "Donald Trump visits Vladimir Putin in July 2018"),
        ("A ceasefire in Yemen is unlikely before the end of the year.", "A ceasefire in Yemen before the end of 2018"),
    ],
)
def test_event_statement_is_positive_and_absolute(sentence, event):
    (claim,) = extract_claims(sentence, doc_date=DOC)
    assert claim.event == event


@pytest.mark.parametrize(
    "sentence,negated,probability",
    [
        ("Iran is unlikely to give up its missile program.", False, 0.325),
        ("Iran is not likely to give up its missile program.", True, 0.325),
        ("Iran probably will not give up its missile program.", True, 0.325),
        ("Iran will probably not give up its missile program.", False, 0.325),  # "probably not" is one phrase
        ("We doubt that Iran will give up its missile program.", False, 0.325),
        ("We doubt that Iran will not give up its missile program.", True, 0.675),  # doubt + not: likely
        ("Iran may not give up its missile program.", True, 0.5),
        ("Iran will never give up its missile program.", True, 0.125),
    ],
)
def test_negation_polarity(sentence, negated, probability):
    (claim,) = extract_claims(sentence, doc_date=DOC)
    assert claim.negated is negated
    assert claim.probability == pytest.approx(probability)
    assert claim.event == "Iran gives up its missile program"


def test_two_clauses_give_two_claims():
    claims = extract_claims("Officials may meet in May, and the treaty could be signed in June 2019.", doc_date=DOC)
    assert [(c.event, c.phrase, c.deadline.isoformat()) for c in claims] == [
        ("Officials meet in May 2019", "may", "2019-05-31"),
        ("The treaty is signed in June 2019", "could", "2019-06-30"),
    ]


def test_frame_carries_over_to_later_clauses():
    claims = extract_claims("We assess that Moscow will expand its presence, and Beijing will follow.", doc_date=DOC)
    assert [c.phrase for c in claims] == ["We assess ... will", "We assess ... will"]
    assert [c.probability for c in claims] == [0.675, 0.675]


def test_confidence_is_kept_apart_from_the_number():
    (claim,) = extract_claims(
        "We assess with high confidence that Iran will resume enrichment in September.", doc_date=DOC
    )
    assert claim.confidence == "high"
    assert claim.probability == 0.675  # the frame's number, not the confidence
    claims = extract_claims("Iran will likely resume enrichment. We have moderate confidence in this judgment.",
                            doc_date=DOC)
    assert len(claims) == 1 and claims[0].confidence == "moderate" and claims[0].probability == 0.675


def test_unassessed_claims_are_flagged():
    (claim,) = extract_claims("The Kremlin may retaliate against the new sanctions.", doc_date=DOC)
    assert claim.assessed is False
    assert claim.scale == "survey"
    assert claim.probability == 0.5
    assert "unassessed possibility: set your own number" in claim.note


def test_most_likely_has_no_number():
    (claim,) = extract_claims("The most likely outcome is a negotiated settlement.", doc_date=DOC)
    assert claim.probability is None and claim.band is None
    assert "likeliest" in claim.note


def test_stated_numbers_are_named_by_the_tie_rule():
    names = [extract_claims(f"There is a {p} percent chance that the talks will fail.", doc_date=DOC)[0].band_name
             for p in (45, 55, 80, 20)]
    assert names == ["roughly even chance", "roughly even chance", "likely", "unlikely"]


def test_assessed_categorical_shares_the_band_and_sums_to_one():
    (claim,) = extract_claims(
        "The ruling party will likely win either a majority or a plurality in the October election.", doc_date=DOC
    )
    assert claim.outcomes == ["majority", "plurality", "neither"]
    assert claim.probability == {"majority": 0.338, "plurality": 0.338, "neither": 0.324}
    assert sum(claim.probability.values()) == pytest.approx(1.0, abs=1e-12)
    assert claim.deadline == date(2018, 10, 31)


def test_unassessed_categorical_splits_evenly():
    (claim,) = extract_claims("The summit could take place either in Vienna or in Helsinki.", doc_date=DOC)
    assert claim.outcomes == ["in-vienna", "in-helsinki", "neither"]
    assert claim.probability == {"in-vienna": 0.333, "in-helsinki": 0.333, "neither": 0.334}
    assert claim.scale == "uniform" and claim.assessed is False


@pytest.mark.parametrize(
    "scale,probability,band",
    [("icd203", 0.675, [0.55, 0.8]), ("phia", 0.65, [0.55, 0.75]), ("kent", 0.75, [0.63, 0.87]),
     ("survey", 0.7, [0.6, 0.75])],
)
def test_scale_choice(scale, probability, band):
    (claim,) = extract_claims("Russia is likely to expand its presence in Syria.", doc_date=DOC, scale=scale)
    assert (claim.scale, claim.probability, claim.band) == (scale, probability, band)


def test_kent_reads_we_believe_with_his_own_word():
    (claim,) = extract_claims("We believe Moscow will retaliate.", doc_date=DOC, scale="kent")
    assert claim.band_name == "probable" and claim.probability == 0.75


def test_own_voice_number_for_an_attributed_claim():
    text = "Reports claim that Kim will visit Moscow next month. We judge this is unlikely."
    claims = extract_claims(text, doc_date=DOC, include_all=True)
    claim, note = claims
    assert (claim.cls, claim.attributed_to, claim.endorsed) == (F, "Reports", True)
    assert (claim.phrase, claim.probability, claim.band) == ("We judge ... is unlikely", 0.325, UNLIKELY)
    assert (note.cls, note.note) == (E, "the assessment's own number for the claim before")
    from tracker.extract import draft_scenario

    (q,) = draft_scenario(claims, scenario_id="s", title="t", doc_date=DOC)["questions"]
    assert q["forecasts"][0]["probability"] == 0.325 and q["extraction"]["endorsed"] is True


def test_a_bare_this_is_likely_is_not_a_question():
    assert extract_claims("This is likely.", doc_date=DOC) == []
    (claim,) = extract_claims("Moscow may retaliate. This is likely.", doc_date=DOC)
    assert (claim.probability, claim.assessed, claim.endorsed) == (0.675, True, False)
