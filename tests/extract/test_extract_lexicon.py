"""The WEP lexicon: scales load, phrases map to bands, numbers map back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tracker.errors import ValidationError
from tracker.extract import SCALES, band_for, load_lexicon, phrase_for
from tracker.extract.build_lexicon import build, render

WEP = Path(__file__).resolve().parents[2].parent / "shared" / "wep"
LEXICON_JSON = Path(__file__).resolve().parents[2] / "tracker" / "extract" / "lexicon.json"


@pytest.fixture(scope="module")
def lex():
    return load_lexicon()


@pytest.mark.parametrize("scale", SCALES)
def test_every_scale_loads_in_order(lex, scale):
    bands = lex.scales[scale]
    assert len(bands) >= 7
    for b in bands:
        assert 0.0 <= b.low <= b.point <= b.high <= 1.0
    lows = [b.low for b in bands]
    assert lows == sorted(lows)
    for level in lex.levels:
        assert lex.band_for_level(level, scale) in bands


def test_icd203_bands_as_published(lex):
    got = [(b.name, b.low, b.high, b.point) for b in lex.scales["icd203"]]
    assert got == [
        ("almost no chance", 0.01, 0.05, 0.03),
        ("very unlikely", 0.05, 0.2, 0.125),
        ("unlikely", 0.2, 0.45, 0.325),
        ("roughly even chance", 0.45, 0.55, 0.5),
        ("likely", 0.55, 0.8, 0.675),
        ("very likely", 0.8, 0.95, 0.875),
        ("almost certain", 0.95, 0.99, 0.97),
    ]


def test_points_are_midpoints_and_survey_medians(lex):
    for scale in ("icd203", "phia", "kent"):
        for b in lex.scales[scale]:
            assert b.point == pytest.approx((b.low + b.high) / 2)
    likely = lex.band_for_level("likely", "survey")
    assert (likely.name, likely.point, likely.low, likely.high) == ("likely", 0.7, 0.6, 0.75)  # Mauboussin n=1859


def test_survey_rows_take_the_largest_sample(lex):
    row = lex.survey_row("we believe")
    assert (row.n, row.median) == (123, 0.75)  # Fagen-Ulmschneider over the n=46 survey
    assert lex.survey_row("likely").n == 1859


@pytest.mark.parametrize(
    "text,pos,scale,name,low,high",
    [
        ("very unlikely", "adj", "icd203", "very unlikely", 0.05, 0.2),
        ("unlikely", "adj", "icd203", "unlikely", 0.2, 0.45),
        ("almost certainly not", "adv", "icd203", "almost no chance", 0.01, 0.05),
        ("almost certainly", "adv", "icd203", "almost certain", 0.95, 0.99),
        ("highly unlikely", "adj", "phia", "highly unlikely", 0.1, 0.2),
        ("realistic possibility", "noun", "phia", "realistic possibility", 0.4, 0.5),
        ("probably not", "adv", "kent", "probably not", 0.2, 0.4),
        ("we doubt", "frame", "kent", "probably not", 0.2, 0.4),
        ("we believe", "frame", "kent", "probable", 0.63, 0.87),
        ("highly likely", "adj", "kent", "almost certain", 0.87, 0.99),
    ],
)
def test_phrase_to_band(lex, text, pos, scale, name, low, high):
    reading = lex.read(lex.phrase(text, pos), scale)
    assert (reading.band.name, reading.band.low, reading.band.high) == (name, low, high)


@pytest.mark.parametrize(
    "sentence,phrase,band",
    [
        ("Iran is very unlikely to resume talks.", "is very unlikely to", [0.05, 0.2]),
        ("Iran is unlikely to resume talks.", "is unlikely to", [0.2, 0.45]),
        ("Iran will almost certainly not resume talks.", "will almost certainly not", [0.01, 0.05]),
        ("Iran will almost certainly resume talks.", "will almost certainly", [0.95, 0.99]),
        ("Iran is highly likely to resume talks.", "is highly likely to", [0.8, 0.95]),
        ("There is a roughly even chance that Iran will resume talks.", "There is a roughly even chance", [0.45, 0.55]),
    ],
)
def test_multi_word_phrases_win_over_their_words(sentence, phrase, band):
    from datetime import date

    from tracker.extract import extract_claims

    (claim,) = extract_claims(sentence, doc_date=date(2018, 6, 20))
    assert (claim.phrase, claim.band) == (phrase, band)


def test_matching_order_is_longest_first(lex):
    advs = [p.text for p in lex.phrases_by_pos("adv")]
    assert advs.index("almost certainly not") < advs.index("almost certainly") < advs.index("certainly")
    adjs = [p.text for p in lex.phrases_by_pos("adj")]
    assert adjs.index("very unlikely") < adjs.index("unlikely")
    assert adjs.index("highly likely") < adjs.index("likely")


@pytest.mark.parametrize(
    "p,scale,word",
    [
        # ICD 203 shares its edges: a number on an edge goes to the band nearer to even odds
        (0.55, "icd203", "roughly even chance"),
        (0.45, "icd203", "roughly even chance"),
        (0.80, "icd203", "likely"),
        (0.20, "icd203", "unlikely"),
        (0.95, "icd203", "very likely"),
        (0.05, "icd203", "very unlikely"),
        (0.5, "icd203", "roughly even chance"),
        (0.7, "icd203", "likely"),
        (0.56, "icd203", "likely"),
        (0.995, "icd203", "almost certain"),  # beyond the last band: the nearest
        (0.0, "icd203", "almost no chance"),
        # PHIA has gaps: the nearest band, ties to the band nearer to even odds
        (0.15, "phia", "highly unlikely"),
        (0.075, "phia", "highly unlikely"),
        (0.525, "phia", "realistic possibility"),  # half-way across the gap: nearer to even odds
        (0.53, "phia", "likely"),
        (0.52, "phia", "realistic possibility"),
        (0.925, "phia", "highly likely"),
        (1.0, "phia", "almost certain"),
        # Kent has "certain" and "impossible" at the ends
        (1.0, "kent", "certain"),
        (0.0, "kent", "impossible"),
        (0.87, "kent", "probable"),
        (0.6, "kent", "chances about even"),
        # survey: the phrase whose median is nearest
        (0.72, "survey", "likely"),
        (0.03, "survey", "almost no chance"),
    ],
)
def test_reverse_mapping_and_tie_rule(p, scale, word):
    assert phrase_for(p, scale) == word


def test_reverse_mapping_is_symmetric_on_icd203():
    mirror = {"almost no chance": "almost certain", "very unlikely": "very likely", "unlikely": "likely",
              "roughly even chance": "roughly even chance"}
    mirror.update({v: k for k, v in mirror.items()})
    for i in range(0, 101):
        p = i / 100
        assert phrase_for(1 - p) == mirror[phrase_for(p)], p


def test_band_for_returns_the_band():
    b = band_for(0.55)
    assert (b.scale, b.key, b.low, b.high) == ("icd203", "roughly_even", 0.45, 0.55)
    assert b.describe() == "icd203 roughly even chance, 45-55%"


@pytest.mark.parametrize("bad", [-0.1, 1.2, float("nan"), "x", None, True])
def test_reverse_mapping_rejects_non_probabilities(bad):
    with pytest.raises(ValueError):
        phrase_for(bad)


def test_unknown_scale():
    with pytest.raises(ValidationError, match="unknown scale 'nato'"):
        phrase_for(0.5, "nato")


def test_ipcc_ranges_are_nested_and_read_by_their_own_words(lex):
    got = {b.name: (b.low, b.high) for b in lex.scales["ipcc"]}
    assert got["likely"] == (0.66, 1.0) and got["very likely"] == (0.9, 1.0) and got["unlikely"] == (0.0, 0.33)
    assert lex.read(lex.phrase("very unlikely", "adj"), "ipcc").probability == 0.05
    assert lex.read(lex.phrase("virtually certain", "adj"), "ipcc").band.name == "virtually certain"
    assert lex.read(lex.phrase("likely", "adj"), "ipcc", negated=True).band.name == "unlikely"
    # a number belongs to the narrowest range that holds it
    assert [phrase_for(p, "ipcc") for p in (0.005, 0.2, 0.5, 0.7, 0.92, 0.97)] == [
        "exceptionally unlikely", "unlikely", "about as likely as not", "likely", "very likely", "extremely likely"]


def test_unassessed_words_read_on_the_survey_whatever_the_scale(lex):
    for scale in SCALES:
        for word, median in (("may", 0.5), ("might", 0.4), ("could", 0.45)):
            reading = lex.read(lex.phrase(word, "modal"), scale)
            assert (reading.scale, reading.probability) == ("survey", median)
            assert lex.phrase(word, "modal").assessed is False


def test_negation_mirrors_the_level(lex):
    likely = lex.phrase("likely", "adj")
    assert lex.read(likely, "icd203", negated=True).band.name == "unlikely"
    assert lex.read(lex.phrase("almost certain", "adj"), "icd203", negated=True).band.name == "almost no chance"
    assert lex.read(lex.phrase("may", "modal"), "icd203", negated=True).probability == 0.5
    assert lex.read(lex.phrase("might", "modal"), "icd203", negated=True).probability == pytest.approx(0.6)


def test_cannot_rule_out_spans_remote_to_unlikely(lex):
    reading = lex.read(lex.phrase("we cannot rule out", "frame"), "icd203")
    assert (reading.band.low, reading.band.high, reading.probability) == (0.01, 0.45, 0.23)
    assert reading.band.name == "almost no chance to unlikely"


def test_most_likely_scenario_has_no_band(lex):
    assert lex.read(lex.phrase("the most likely", "scenario"), "icd203") is None


def test_lexicon_json_is_generated_from_the_shared_data():
    if not (WEP / "wep_scales.json").exists():
        pytest.skip(f"{WEP} not found")
    assert render(build(WEP)) == LEXICON_JSON.read_text(encoding="utf-8"), (
        "lexicon.json is stale: run python -m tracker.extract.build_lexicon SHARED/wep"
    )


def test_build_lexicon_check_mode(tmp_path, capsys):
    if not (WEP / "wep_scales.json").exists():
        pytest.skip(f"{WEP} not found")
    from tracker.extract.build_lexicon import main

    out = tmp_path / "lexicon.json"
    assert main([str(WEP), "-o", str(out)]) == 0
    assert main([str(WEP), "-o", str(out), "--check"]) == 0
    out.write_text("{}", encoding="utf-8")
    assert main([str(WEP), "-o", str(out), "--check"]) == 1
    assert main([str(tmp_path / "missing")]) == 1
    assert json.loads(LEXICON_JSON.read_text(encoding="utf-8"))["scales"].keys() == set(SCALES)
