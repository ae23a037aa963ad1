"""Benchmark: extract the claims of a 200-page assessment.

    python bench/extract.py [--pages 200] [--seed 2018]

The document is generated with a fixed seed: ~500 words a page, paragraphs
drawn from the worked example (assessment-2018-06.txt, with its names varied)
and from sentence templates in the style of public assessments (forecasts,
estimates of the past, facts, attributions, confidence statements), filled
with varied actors, actions and times so that few sentences repeat.

Target: under 10 s. The floor beside it is measured in the same run: the
time to merely split the same text into sentences with a plain regex,
``re.split(r'(?<=[.!?])\\s+', text)``. Both are timed in this process, best
of ``--repeat`` runs alternating extraction and floor (so that load on the
machine hits both alike), with the extractor's per-text caches cleared
before each run; the first run also pays for loading the lexicon.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SEED_TEXT = ROOT.parent / "shared" / "seed" / "assessment-2018-06.txt"
WORDS_PER_PAGE = 500

ACTORS = [
    "Moscow", "Beijing", "Tehran", "Pyongyang", "Ankara", "Riyadh", "Caracas", "Kyiv", "Damascus", "Islamabad",
    "the Kremlin", "the regime", "the junta", "the ruling party", "the opposition coalition", "the militia",
    "the central bank", "the defense ministry", "Hezbollah", "the Taliban", "the new government", "the president",
    "the prime minister", "the foreign minister", "the army", "the separatists", "the coalition", "the parliament",
]
ACTIONS = [
    "expand its military presence in the north", "hold early elections", "resume talks with the rebels",
    "test a new ballistic missile", "devalue the currency", "impose new export controls", "recall its ambassador",
    "sign a new energy agreement", "withdraw troops from the border", "announce a ceasefire", "launch a cyber campaign",
    "seek a new IMF program", "arrest opposition leaders", "open a new naval base", "cut fuel subsidies",
    "host a regional summit", "reject the peace proposal", "nationalize the mining sector", "raise interest rates",
    "expel foreign journalists", "restart uranium enrichment", "deploy air defense systems", "default on its bonds",
    "replace the army chief", "join the trade bloc", "block the UN resolution", "release political prisoners",
]
PAST = [
    "seized the port", "expelled two diplomats", "held a referendum", "closed the border", "signed the accord",
    "devalued the currency", "arrested the mayor", "raised tariffs", "tested a missile", "suspended the talks",
]
LIKELY = ["likely", "unlikely", "very likely", "very unlikely", "almost certain", "expected", "set", "poised"]
ADVERBS = ["likely", "probably", "almost certainly", "very likely", "possibly", "also"]
MODALS = ["will", "may", "could", "might", "will probably", "will likely", "probably will not", "will almost certainly not"]
CHANCES = ["roughly even chance", "remote chance", "realistic possibility", "good chance", "30 percent chance", "slight chance"]
FRAMES = ["We assess that", "We judge that", "We believe that", "We doubt that", "We cannot rule out that", "In our view,"]
SOURCES = ["Reuters", "local media", "Western diplomats", "officials in the capital", "sources cited by the BBC",
           "two senior officials", "state television", "analysts in the region"]
MONTHS = ["January", "February", "March", "April", "June", "July", "August", "September", "October", "November", "December"]
PLACES = ["Vienna", "Helsinki", "Geneva", "Astana", "Doha", "Oslo", "Singapore", "Sochi", "Minsk", "Istanbul"]
EVENTS = ["summit", "election", "party congress", "budget vote", "referendum", "peace conference", "military parade"]


def _time(rng: random.Random) -> str:
    choice = rng.randrange(12)
    if choice == 0:
        return f"in {rng.choice(MONTHS)}"
    if choice == 1:
        return "next week"
    if choice == 2:
        return "by the end of the year"
    if choice == 3:
        return "in the coming months"
    if choice == 4:
        return f"within {rng.choice([30, 60, 90, 120])} days"
    if choice == 5:
        return f"before the {rng.choice(EVENTS)} on {rng.choice(MONTHS)} {rng.randint(1, 28)}th"
    if choice == 6:
        return f"by {rng.randint(1, 28)} {rng.choice(MONTHS)} {rng.choice([2018, 2019, 2020])}"
    if choice == 7:
        return "in the upcoming talks"
    if choice == 8:
        return "this year"
    if choice == 9:
        return f"in early {rng.choice([2019, 2020])}"
    return ""


def _sentence(rng: random.Random) -> str:
    a = rng.choice(ACTORS)
    a = a[0].upper() + a[1:]
    act = rng.choice(ACTIONS)
    t = _time(rng)
    k = rng.randrange(16)
    if k == 0:
        s = f"{a} is {rng.choice(LIKELY)} to {act} {t}"
    elif k == 1:
        s = f"{a} {rng.choice(MODALS)} {act} {t}"
    elif k == 2:
        s = f"{rng.choice(FRAMES)} {a[0].lower() + a[1:] if a.startswith('The') else a} will {act} {t}"
    elif k == 3:
        s = f"There is a {rng.choice(CHANCES)} that {a[0].lower() + a[1:] if a.startswith('The') else a} will {act} {t}"
    elif k == 4:
        s = f"According to {rng.choice(SOURCES)}, {a[0].lower() + a[1:] if a.startswith('The') else a} could {act} {t}"
    elif k == 5:
        s = f"{a} {rng.choice(PAST)} in {rng.randint(1991, 2017)}"
    elif k == 6:
        s = f"{a} probably {rng.choice(PAST)} last year"
    elif k == 7:
        s = f"{rng.choice(SOURCES)[0].upper()}{rng.choice(SOURCES)[1:]} said that {a[0].lower() + a[1:] if a.startswith('The') else a} has been preparing for months"
    elif k == 8:
        s = f"The {rng.choice(EVENTS)} in {rng.choice(PLACES)} is scheduled for {rng.choice(MONTHS)} {rng.randint(1, 28)}, {rng.choice([2018, 2019])}"
    elif k == 9:
        s = f"If the talks in {rng.choice(PLACES)} fail, {a[0].lower() + a[1:] if a.startswith('The') else a} will likely {act}"
    elif k == 10:
        s = f"We have {rng.choice(['low', 'moderate', 'high'])} confidence in this judgment"
    elif k == 11:
        s = f"{a} may have {rng.choice(PAST)} without approval from the U.S. Treasury"
    elif k == 12:
        s = f"The {rng.choice(EVENTS)} could take place either in {rng.choice(PLACES)} or in {rng.choice(PLACES)}"
    elif k == 13:
        s = f"Gen. {rng.choice(['Ivanov', 'Petrov', 'Smith', 'Chen', 'Haddad'])} told reporters that {a[0].lower() + a[1:] if a.startswith('The') else a} would not {act}"
    elif k == 14:
        s = f"{a} is unlikely to give up its claims {t}, and the opposition may {act}"
    else:
        s = f"{a} has {rng.choice(PAST).split(' ', 1)[0]} {rng.choice(PAST).split(' ', 1)[1]} {rng.randint(2, 9)} times since {rng.randint(2000, 2017)}"
    return re.sub(r"\s+", " ", s).strip() + "."


def make_document(pages: int, seed: int) -> str:
    """About ``pages`` * 500 words of assessment prose, the same for the same seed."""
    rng = random.Random(seed)
    seed_paragraphs = []
    if SEED_TEXT.exists():
        seed_paragraphs = [p.strip() for p in SEED_TEXT.read_text(encoding="utf-8").split("\n\n") if len(p.split()) > 20]
    names = ["Putin", "Xi", "Erdogan", "Modi", "Maduro", "Rouhani", "Kim", "Duterte", "Lukashenko", "Orban"]
    paragraphs: list[str] = ["Regional outlook: risks and indicators", ""]
    words = 0
    target = pages * WORDS_PER_PAGE
    n = 0
    while words < target:
        n += 1
        if seed_paragraphs and rng.random() < 0.25:
            text = rng.choice(seed_paragraphs)
            text = text.replace("Putin", rng.choice(names)).replace("July", rng.choice(MONTHS))
            text = text.replace("Vienna", rng.choice(PLACES)).replace("2017", str(rng.randint(2001, 2017)))
        else:
            text = " ".join(_sentence(rng) for _ in range(rng.randint(3, 7)))
        if n % 25 == 0:
            paragraphs.append(f"Section {n // 25}: {rng.choice(ACTORS).title()}")
        paragraphs.append(text)
        words += len(text.split())
    return "\n\n".join(paragraphs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2018)
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs (default 3)")
    args = parser.parse_args(argv)

    from tracker.extract import extract_claims, sentences
    from tracker.extract.claims import clear_caches

    text = make_document(args.pages, args.seed)
    doc_date = date(2018, 6, 20)

    elapsed = floor = float("inf")
    for _ in range(max(1, args.repeat)):
        t0 = time.perf_counter()
        floor_sentences = re.split(r"(?<=[.!?])\s+", text)
        floor = min(floor, time.perf_counter() - t0)

        clear_caches()
        t0 = time.perf_counter()
        claims = extract_claims(text, doc_date=doc_date, include_all=True)
        elapsed = min(elapsed, time.perf_counter() - t0)

    n_sentences = len(sentences(text))
    n_forecasts = sum(1 for c in claims if c.cls == "forecast")
    ratio = elapsed / floor if floor > 0 else float("inf")
    status = "ok" if elapsed < 10 else "SLOW"
    print(f"extract  {args.pages} pages  {n_sentences} sentences  {elapsed:.2f} s   target < 10 s   [{status}]")
    print(f"floor    re.split into {len(floor_sentences)} sentences  {floor * 1000:.2f} ms   "
          f"extract / floor = {ratio:,.0f}x")
    print(f"         {len(text.split())} words, {n_forecasts} forecasts, {len(claims)} claims with --all")
    return 0 if elapsed < 10 else 1


if __name__ == "__main__":
    raise SystemExit(main())
