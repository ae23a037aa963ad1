"""Regenerate ``tracker/extract/lexicon.json`` from the shared WEP folder.

Usage::

    python -m tracker.extract.build_lexicon /path/to/shared/wep            # rewrite lexicon.json
    python -m tracker.extract.build_lexicon /path/to/shared/wep --check    # exit 1 if it is stale
    python -m tracker.extract.build_lexicon /path/to/shared/wep -o out.json

The shared folder (``wep_scales.json`` and ``survey_summary.csv``) is read here
and only here: the package ships the generated JSON and never reads the shared
data at run time.

What comes from the published data
    * the bands of the selectable scales: ICD 203 (2015), the UK PHIA yardstick
      (current), Sherman Kent (1964); ranges become fractions, Kent's
      ``center +- give_or_take`` becomes ``[center - g, center + g]``;
    * the reader-survey rows: for each phrase the survey row with the largest
      number of respondents (median, quartiles, n, dataset).

What comes from this file (the tool's own, documented rules)
    * ``LEVELS``: seven scale-independent likelihood levels, from ``remote`` to
      ``almost_certain``, and for each scale which band stands for each level;
    * ``PHRASES``: the estimative phrases the extractor recognises, each with
      its part of speech (how it is used in a sentence), its level (or a span
      of levels, or a half of the even band), its kind (likelihood word,
      expectation, plain future, frame, unassessed possibility, scenario,
      rule-out, chance adjective) and the survey row that gives its reader
      reading.

Point probabilities
    For the published scales the point is the band midpoint, e.g. ICD 203
    "likely" 55-80% gives 0.675. For the ``survey`` scale the band is the
    interquartile range of the chosen survey row and the point is its median.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

OUT = Path(__file__).with_name("lexicon.json")

#: Scale-independent likelihood levels, least to most likely. Negation mirrors
#: a level (likely <-> unlikely, very_likely <-> very_unlikely,
#: almost_certain <-> remote, even <-> even).
LEVELS = ["remote", "very_unlikely", "unlikely", "even", "likely", "very_likely", "almost_certain"]

#: For each selectable scale: where it is in wep_scales.json, its display name,
#: and which band (by index in the published list) stands for each level.
SCALES = {
    "icd203": {
        "section": "ICD203_2015",
        "title": "US ICD 203 (2015) terms of likelihood",
        "levels": {
            "remote": 0, "very_unlikely": 1, "unlikely": 2, "even": 3,
            "likely": 4, "very_likely": 5, "almost_certain": 6,
        },
    },
    "phia": {
        "section": "PHIA_YARDSTICK_current",
        "title": "UK PHIA probability yardstick (current)",
        "levels": {
            "remote": 0, "very_unlikely": 1, "unlikely": 2, "even": 3,
            "likely": 4, "very_likely": 5, "almost_certain": 6,
        },
    },
    "ipcc": {
        "section": "IPCC_AR5_AR6_likelihood",
        "title": "IPCC AR5/AR6 calibrated likelihood language",
        # Nested ranges ("likely" 66-100% holds "very likely" 90-100%). Published order: 0 virtually
        # certain, 1 extremely likely, 2 very likely, 3 likely, 4 more likely than not, 5 about as
        # likely as not, 6 unlikely, 7 very unlikely, 8 extremely unlikely, 9 exceptionally unlikely.
        # The bands no level points to are reached by their own words ("virtually certain").
        "levels": {
            "remote": 8, "very_unlikely": 7, "unlikely": 6, "even": 5,
            "likely": 3, "very_likely": 2, "almost_certain": 1,
        },
        "nested": True,
    },
    "kent": {
        "section": "KENT_1964",
        "title": "Sherman Kent, Words of Estimative Probability (1964)",
        # Kent's chart: 0 certain, 1 almost certain, 2 probable, 3 about even,
        # 4 probably not, 5 almost certainly not, 6 impossible.
        "levels": {
            "remote": 5, "very_unlikely": 5, "unlikely": 4, "even": 3,
            "likely": 2, "very_likely": 1, "almost_certain": 1,
        },
    },
}

#: Band keys for Kent's chart (the published JSON gives none).
KENT_KEYS = ["certain", "almost_certain", "probable", "chances_about_even", "probably_not",
             "almost_certainly_not", "impossible"]

#: The survey row that stands for each level on the ``survey`` scale.
SURVEY_LEVEL_ROWS = {
    "remote": "almost no chance",
    "very_unlikely": "highly unlikely",
    "unlikely": "unlikely",
    "even": "about even",
    "likely": "likely",
    "very_likely": "highly likely",
    "almost_certain": "almost certain",
}

# Phrase table. Fields:
#   text   the phrase, lower case, words separated by single spaces
#   pos    adv    - adverb next to a verb or modal ("will likely", "probably will")
#          adj    - adjective after a form of "be", before "to" or "that" or alone
#                   ("is likely to", "it is likely that", "a deal is likely")
#          noun   - a chance noun phrase ("there is a roughly even chance that")
#          chance - an adjective saying how big a chance is ("the chance ... is remote")
#          frame  - an own-voice frame at the start of a clause ("we believe", "we doubt")
#          modal  - a modal verb ("will", "may", "could")
#   level  one of LEVELS; "span" gives [lowest, highest] level instead;
#          "half" ("upper"/"lower") keeps that half of the even band
#   kind   likelihood | expectation | scheduled | plain | frame | unassessed |
#          scenario | rule_out
#   survey the survey row giving the phrase's reader reading (else the level's row)
#   negated  the phrase itself carries a negation ("probably not", "we do not expect");
#            its level already includes it
P = []


def _p(text, pos, level=None, kind="likelihood", survey=None, **extra):
    entry = {"text": text, "pos": pos, "level": level, "kind": kind, "survey": survey}
    entry.update(extra)
    P.append(entry)


# Likelihood adverbs.
_p("almost certainly not", "adv", "remote", negated=True)
_p("almost certainly", "adv", "almost_certain", survey="almost certainly")
_p("nearly certainly", "adv", "almost_certain")
_p("virtually certainly", "adv", "almost_certain")
_p("certainly", "adv", "almost_certain", survey="certainly")
_p("definitely", "adv", "almost_certain")
_p("undoubtedly", "adv", "almost_certain")
_p("in all likelihood", "adv", "very_likely")
_p("very likely", "adv", "very_likely")
_p("highly likely", "adv", "very_likely", survey="highly likely")
_p("very probably", "adv", "very_likely")
_p("most likely", "adv", "likely", note="'most likely' read as 'likely'")
_p("probably not", "adv", "unlikely", survey="probably not", negated=True)
_p("likely not", "adv", "unlikely", negated=True)
_p("probably", "adv", "likely", survey="probably")
_p("likely", "adv", "likely", survey="likely")
_p("presumably", "adv", "likely")
_p("improbably", "adv", "unlikely")
_p("possibly", "adv", None, kind="unassessed", survey="possibly")
_p("perhaps", "adv", None, kind="unassessed", survey="possibly")
_p("potentially", "adv", None, kind="unassessed", survey="possibly")
_p("conceivably", "adv", None, kind="unassessed", survey="possibly")

# Adjectives (predicative, "to" complement, "it is ... that").
_p("almost certain", "adj", "almost_certain", survey="almost certain")
_p("nearly certain", "adj", "almost_certain")
_p("virtually certain", "adj", "almost_certain")
_p("all but certain", "adj", "almost_certain")
_p("extremely likely", "adj", "almost_certain")
_p("certain", "adj", "almost_certain", survey="certainly")
_p("highly likely", "adj", "very_likely", survey="highly likely")
_p("very likely", "adj", "very_likely")
_p("highly probable", "adj", "very_likely")
_p("very probable", "adj", "very_likely")
_p("more likely than not", "adj", "even", half="upper", survey="more often than not")
_p("better than even", "adj", "even", half="upper", survey="better than even")
_p("about as likely as not", "adj", "even", survey="about even")
_p("as likely as not", "adj", "even", survey="about even")
_p("less likely than not", "adj", "even", half="lower")
_p("likely", "adj", "likely", survey="likely")
_p("more likely", "adj", "likely", note="a comparative ('more likely') read as 'likely'")
_p("rather more likely", "adj", "likely", note="a comparative ('more likely') read as 'likely'")
_p("increasingly likely", "adj", "likely")
_p("less likely", "adj", "unlikely", note="a comparative ('less likely') read as 'unlikely'")
_p("probable", "adj", "likely", survey="probable")
_p("extremely unlikely", "adj", "remote")
_p("virtually impossible", "adj", "remote")
_p("almost impossible", "adj", "remote")
_p("highly doubtful", "adj", "very_unlikely")
_p("highly unlikely", "adj", "very_unlikely", survey="highly unlikely")
_p("very unlikely", "adj", "very_unlikely")
_p("highly improbable", "adj", "very_unlikely")
_p("unlikely", "adj", "unlikely", survey="unlikely")
_p("improbable", "adj", "unlikely", survey="improbable")
_p("doubtful", "adj", "unlikely", survey="we doubt")
_p("possible", "adj", None, kind="unassessed", survey="possibly")
_p("conceivable", "adj", None, kind="unassessed", survey="possibly")
# Expectation and schedule words used as "is X to VERB".
_p("widely expected", "adj", "likely", kind="expectation")
_p("expected", "adj", "likely", kind="expectation")
_p("anticipated", "adj", "likely", kind="expectation")
_p("projected", "adj", "likely", kind="expectation")
_p("predicted", "adj", "likely", kind="expectation")
_p("forecast", "adj", "likely", kind="expectation")
_p("poised", "adj", "likely", kind="expectation")
_p("on course", "adj", "likely", kind="expectation")
# Imminent or ongoing preparation stated in the present: "is preparing to test" forecasts a test.
_p("preparing", "adj", "likely", kind="expectation")
_p("planning", "adj", "likely", kind="expectation")
_p("gearing up", "adj", "likely", kind="expectation")
_p("getting ready", "adj", "likely", kind="expectation")
_p("on track", "adj", "likely", kind="expectation")
# Outlook language: "El Nino is favored to form" (NOAA's word for the likeliest outcome).
_p("favored", "adj", "likely", kind="expectation")
_p("favoured", "adj", "likely", kind="expectation")
_p("set", "adj", "very_likely", kind="scheduled")
_p("scheduled", "adj", "very_likely", kind="scheduled")
_p("slated", "adj", "very_likely", kind="scheduled")
_p("due", "adj", "very_likely", kind="scheduled")
_p("bound", "adj", "very_likely", kind="scheduled")
_p("sure", "adj", "very_likely")
_p("going", "adj", "very_likely", kind="plain")
_p("about", "adj", "very_likely", kind="plain")

# Chance noun phrases ("there is a ... that", "with ...").
_p("almost no chance", "noun", "remote", survey="almost no chance")
_p("no chance", "noun", "remote")
_p("remote chance", "noun", "remote")
_p("remote possibility", "noun", "remote")
_p("some slight chance", "noun", "very_unlikely", survey="chances are slight")
_p("slight chance", "noun", "very_unlikely", survey="chances are slight")
_p("slim chance", "noun", "very_unlikely", survey="chances are slight")
_p("little chance", "noun", "very_unlikely", survey="little chance")
_p("low probability", "noun", "very_unlikely", survey="with low probability")
_p("low likelihood", "noun", "very_unlikely", survey="with low probability")
_p("roughly even chance", "noun", "even", survey="about even")
_p("roughly even odds", "noun", "even", survey="about even")
_p("even chance", "noun", "even", survey="about even")
_p("even odds", "noun", "even", survey="about even")
_p("fifty-fifty chance", "noun", "even", survey="about even")
_p("50-50 chance", "noun", "even", survey="about even")
_p("realistic possibility", "noun", "even", survey="real possibility")
_p("real possibility", "noun", "even", survey="real possibility")
_p("better than even chance", "noun", "even", half="upper", survey="better than even")
_p("very good chance", "noun", "very_likely", survey="very good chance")
_p("high probability", "noun", "very_likely", survey="with high probability")
_p("high likelihood", "noun", "very_likely", survey="with high probability")
_p("good chance", "noun", "likely")
_p("strong chance", "noun", "likely")
_p("high chance", "noun", "likely")
_p("serious possibility", "noun", "likely", survey="serious possibility")
_p("strong possibility", "noun", "likely", survey="serious possibility")
_p("distinct possibility", "noun", None, kind="unassessed", survey="real possibility")
# Risk-assessment words with no published band: "a moderate likelihood of further importation".
_p("moderate likelihood", "noun", None, kind="unassessed", survey="possibly")
_p("moderate probability", "noun", None, kind="unassessed", survey="possibly")
_p("possibility", "noun", None, kind="unassessed", survey="possibly")
_p("chance", "noun", None, kind="unassessed", survey="possibly")
_p("risk", "noun", None, kind="unassessed", survey="possibly")
_p("potential", "noun", None, kind="unassessed", survey="possibly")
_p("prospect", "noun", None, kind="unassessed", survey="possibly")

# Adjectives that size a chance: "the chance of X is remote", "chances are slim".
_p("negligible", "chance", "remote")
_p("remote", "chance", "remote")
_p("very low", "chance", "very_unlikely")
_p("slight", "chance", "very_unlikely", survey="chances are slight")
_p("slim", "chance", "very_unlikely", survey="chances are slight")
_p("small", "chance", "very_unlikely")
_p("low", "chance", "unlikely")
_p("even", "chance", "even", survey="about even")
_p("good", "chance", "likely")
_p("high", "chance", "very_likely")
_p("very high", "chance", "very_likely")
_p("moderate", "chance", "even")

# Own-voice frames at the start of a clause.
for verb in ("assess", "judge", "believe", "estimate", "expect", "anticipate", "think", "feel",
             "suspect", "are confident", "remain confident"):
    _p(f"we {verb}", "frame", "likely", kind="frame", survey="we believe" if verb == "believe" else None)
_p("our assessment is", "frame", "likely", kind="frame")
_p("our judgment is", "frame", "likely", kind="frame")
_p("our view is", "frame", "likely", kind="frame")
_p("in our view", "frame", "likely", kind="frame")
_p("in our judgment", "frame", "likely", kind="frame")
_p("in our assessment", "frame", "likely", kind="frame")
_p("we doubt", "frame", "unlikely", kind="frame", survey="we doubt")
for verb in ("expect", "believe", "think", "anticipate", "assess", "judge", "foresee", "predict"):
    _p(f"we do not {verb}", "frame", "unlikely", kind="frame", negated=True)
    _p(f"we don't {verb}", "frame", "unlikely", kind="frame", negated=True)
# A quoted speaker's own voice ("I think ...", "I don't think ..."), and foresight verbs.
for verb in ("foresee", "predict", "project", "forecast"):
    _p(f"we {verb}", "frame", "likely", kind="frame")
for verb in ("think", "believe", "expect", "anticipate", "foresee", "predict"):
    _p(f"i {verb}", "frame", "likely", kind="frame")
    _p(f"i do not {verb}", "frame", "unlikely", kind="frame", negated=True)
    _p(f"i don't {verb}", "frame", "unlikely", kind="frame", negated=True)
for who in ("we", "i"):
    _p(f"{who} see no prospect", "frame", "remote", kind="frame", negated=True)
    _p(f"{who} see little prospect", "frame", "very_unlikely", kind="frame", negated=True)
for verb in ("rule out", "exclude", "dismiss", "discount"):
    _p(f"we cannot {verb}", "frame", None, kind="rule_out", span=["remote", "unlikely"])
    _p(f"we can't {verb}", "frame", None, kind="rule_out", span=["remote", "unlikely"])
    _p(f"we can not {verb}", "frame", None, kind="rule_out", span=["remote", "unlikely"])
    _p(f"cannot be {'ruled out' if verb == 'rule out' else verb + 'ed'}", "frame", None,
       kind="rule_out", span=["remote", "unlikely"])

# Modal verbs.
_p("will", "modal", "very_likely", kind="plain", note="plain 'will' read as very likely")
_p("shall", "modal", "very_likely", kind="plain", note="plain 'shall' read as very likely")
_p("may", "modal", None, kind="unassessed", survey="maybe")
_p("might", "modal", None, kind="unassessed", survey="might happen")
_p("could", "modal", None, kind="unassessed", survey="possibly")

# "most likely" in front of a noun names the likeliest scenario, not a band.
_p("the most likely", "scenario", None, kind="scenario")


def _pct_band(lo: float, hi: float) -> tuple[float, float]:
    return round(lo / 100, 4), round(hi / 100, 4)


def _band(key, terms, lo, hi, levels, **extra):
    band = {"key": key, "name": terms[0], "terms": terms, "low": lo, "high": hi,
            "point": round((lo + hi) / 2, 4), "levels": levels}
    band.update(extra)
    return band


def _levels_for(index: int, mapping: dict) -> list[str]:
    return [lvl for lvl in LEVELS if mapping[lvl] == index]


def read_survey(path: Path) -> dict:
    """For each phrase (lower case) the row with the most respondents."""
    rows: dict[str, dict] = {}
    with path.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            phrase = " ".join(row["phrase"].lower().split())
            n = int(float(row["n"]))
            entry = {
                "phrase": phrase,
                "dataset": row["dataset"],
                "n": n,
                "median": round(float(row["median"]) / 100, 4),
                "q1": round(float(row["q1"]) / 100, 4),
                "q3": round(float(row["q3"]) / 100, 4),
            }
            if phrase not in rows or n > rows[phrase]["n"]:
                rows[phrase] = entry
    return dict(sorted(rows.items()))


def build(wep: Path) -> dict:
    """The lexicon as a JSON-ready dict."""
    scales_src = json.loads((wep / "wep_scales.json").read_text(encoding="utf-8"))
    survey = read_survey(wep / "survey_summary.csv")

    scales: dict[str, dict] = {}
    for name, spec in SCALES.items():
        section = scales_src[spec["section"]]
        bands = []
        for i, b in enumerate(section["bands"]):
            levels = _levels_for(i, spec["levels"])
            terms = [" ".join(t.lower().split()) for t in b["terms"]]
            if "range" in b:
                lo, hi = _pct_band(*b["range"])
                key = b.get("key") or terms[0].replace(" ", "_")
            else:  # Kent: center +- give_or_take
                lo, hi = _pct_band(b["center"] - b["give_or_take"], b["center"] + b["give_or_take"])
                key = KENT_KEYS[i]
            bands.append(_band(key, terms, lo, hi, levels))
        # Bands in ascending order of probability.
        bands.sort(key=lambda b: (b["low"], b["high"]))
        scales[name] = {
            "title": spec["title"],
            **({"nested": True} if spec.get("nested") else {}),
            "source": section["source"],
            "status": section["status"],
            "point_rule": "band midpoint",
            "bands": bands,
        }

    survey_bands = []
    for level in LEVELS:
        row = survey[SURVEY_LEVEL_ROWS[level]]
        survey_bands.append(_band(level, [row["phrase"]], row["q1"], row["q3"], [level],
                                  point_override=row["median"], n=row["n"], dataset=row["dataset"]))
    for b in survey_bands:
        b["point"] = b.pop("point_override")
    scales["survey"] = {
        "title": "Reader surveys (median reading; band = interquartile range)",
        "source": "survey_summary.csv: r/samplesize 2015 (n=46), Fagen-Ulmschneider (n=123), "
                  "Mauboussin & Mauboussin HBR 2018 (n~1,900); per phrase the row with the largest n",
        "status": "summary statistics as published",
        "point_rule": "survey median",
        "bands": survey_bands,
    }

    for entry in P:
        if entry["survey"] is not None and entry["survey"] not in survey:
            raise SystemExit(f"phrase {entry['text']!r}: survey row {entry['survey']!r} not in survey_summary.csv")

    return {
        "_generated_by": "python -m tracker.extract.build_lexicon SHARED/wep (do not edit by hand)",
        "levels": LEVELS,
        "mirror": {lvl: LEVELS[len(LEVELS) - 1 - i] for i, lvl in enumerate(LEVELS)},
        "tie_rule": "a number on an edge shared by two bands belongs to the band nearer to even odds "
                    "(the less extreme word); a number in a gap or beyond the ends belongs to the "
                    "nearest band, ties again going to the band nearer to even odds",
        "scales": scales,
        "survey_level_rows": SURVEY_LEVEL_ROWS,
        "survey": survey,
        "phrases": [{k: v for k, v in e.items() if v is not None} for e in P],
    }


def render(lexicon: dict) -> str:
    return json.dumps(lexicon, indent=1, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tracker.extract.build_lexicon", description=__doc__.split("\n\n")[0])
    parser.add_argument("wep", type=Path, help="the shared wep folder (wep_scales.json, survey_summary.csv)")
    parser.add_argument("-o", "--output", type=Path, default=OUT, help=f"where to write (default: {OUT.name} in the package)")
    parser.add_argument("--check", action="store_true", help="do not write; exit 1 if the file differs")
    args = parser.parse_args(argv)
    for name in ("wep_scales.json", "survey_summary.csv"):
        if not (args.wep / name).is_file():
            print(f"error: {args.wep / name} not found", file=sys.stderr)
            return 1
    text = render(build(args.wep))
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is stale: regenerate it", file=sys.stderr)
            return 1
        print(f"{args.output} is up to date", file=sys.stderr)
        return 0
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output} ({len(P)} phrases, {len(SCALES) + 1} scales)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
