"""Benchmark: how well ``tracker extract`` finds forecasts in text it was not tuned on.

    python bench/extract_quality.py [--split test|dev|all] [--show-errors]

Reads the labelled corpus (tests/extract/corpus/: sentences of public
assessments, see its ANNOTATION.md), runs the extractor on each document of
the chosen part (each labelled sentence a paragraph, the document's date as
``--date``, the PHIA scale for UK Defence Intelligence updates, the IPCC scale
for IPCC and WMO texts, ICD 203 for the rest) and prints, per genre and
overall:

* precision and recall of forecast sentences (a sentence counts as found when
  at least one forecast is proposed in it);
* band accuracy: of the labelled claims with a band in found sentences, the
  share whose proposed number lies inside the band of the phrase;
* deadline accuracy: of the labelled claims the text dates, in found
  sentences, the share whose proposed deadline is the labelled date exactly,
  and within 7 days;
* condition recall: of the labelled conditional claims in found sentences,
  the share proposed with a condition.

Beside it, the floor: a plain keyword baseline - a sentence is a forecast when
it holds any phrase of the lexicon (no classification), the number is the
first phrase's, the deadline the default horizon, no condition. Targets (on
the test part): recall and precision >= 0.90, band >= 95%, deadlines exact
>= 80% of the dated ones, conditions >= 80%.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Callable, Optional

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CORPUS = ROOT / "tests" / "extract" / "corpus"
HORIZON_DAYS = 90
TARGETS = {"precision": 0.90, "recall": 0.90, "band": 0.95, "deadline_exact": 0.80, "condition": 0.80}
_WORD = re.compile(r"[a-z0-9][a-z0-9'.-]*")
_STOP = {"the", "a", "an", "of", "to", "in", "on", "and", "or", "is", "are", "its", "it", "that", "for", "by", "with",
         "be", "as", "at", "this", "their", "from", "will"}


def load_corpus(folder: Path = CORPUS) -> tuple[list[dict], list[dict]]:
    docs = [json.loads(line) for line in (folder / "documents.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    sents = [json.loads(line) for line in (folder / "sentences.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    return docs, sents


def scale_for(doc: dict) -> str:
    if doc["genre"] == "defence-update":
        return "phia"
    if doc["genre"] == "climate":
        from tracker.extract import SCALES

        return "ipcc" if "ipcc" in SCALES else "icd203"
    return "icd203"


@dataclass
class Proposal:
    """What a method proposed for one sentence."""

    probability: Optional[float]
    deadline: Optional[date]
    condition: Optional[str]
    event: str = ""


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    band_n: int = 0
    band_ok: int = 0
    dl_n: int = 0
    dl_exact: int = 0
    dl_week: int = 0
    cond_n: int = 0
    cond_ok: int = 0
    errors: list = field(default_factory=list)

    def add(self, other: "Tally") -> None:
        for k in ("tp", "fp", "fn", "band_n", "band_ok", "dl_n", "dl_exact", "dl_week", "cond_n", "cond_ok"):
            setattr(self, k, getattr(self, k) + getattr(other, k))

    @staticmethod
    def _ratio(a: int, b: int) -> Optional[float]:
        return a / b if b else None

    def figures(self) -> dict:
        return {
            "precision": self._ratio(self.tp, self.tp + self.fp),
            "recall": self._ratio(self.tp, self.tp + self.fn),
            "band": self._ratio(self.band_ok, self.band_n),
            "deadline_exact": self._ratio(self.dl_exact, self.dl_n),
            "deadline_7d": self._ratio(self.dl_week, self.dl_n),
            "condition": self._ratio(self.cond_ok, self.cond_n),
        }


def _words(text: str) -> set[str]:
    return {w.strip(".'") for w in _WORD.findall((text or "").lower()) if w not in _STOP}


def _match(label: dict, proposals: list[Proposal]) -> Proposal:
    want = _words(label.get("event") or "")
    return max(proposals, key=lambda p: (len(want & _words(p.event)), -proposals.index(p)))


def score_sentence(label: dict, proposals: list[Proposal], doc_date: date) -> Tally:
    """The tally of one labelled sentence given what a method proposed for it."""
    t = Tally()
    found = bool(proposals)
    if label["forecast"] and found:
        t.tp = 1
    elif label["forecast"]:
        t.fn = 1
        t.errors.append(("missed", label["text"]))
    elif found:
        t.fp = 1
        t.errors.append((f"not a forecast ({label['why_not']})", label["text"]))
    if not (label["forecast"] and found):
        return t
    for claim in label["claims"]:
        got = _match(claim, proposals)
        if claim.get("band"):
            lo, hi = claim["band"]
            t.band_n += 1
            if got.probability is not None and lo - 1e-9 <= got.probability <= hi + 1e-9:
                t.band_ok += 1
            else:
                t.errors.append((f"band {claim['band_name'] or claim['band']}: got {got.probability}", label["text"]))
        if claim.get("deadline"):
            want = date.fromisoformat(claim["deadline"])
            t.dl_n += 1
            if got.deadline == want:
                t.dl_exact += 1
            else:
                t.errors.append((f"deadline {want}: got {got.deadline}", label["text"]))
            if got.deadline is not None and abs((got.deadline - want).days) <= 7:
                t.dl_week += 1
        if claim.get("condition"):
            t.cond_n += 1
            if got.condition:
                t.cond_ok += 1
            else:
                t.errors.append((f"condition '{claim['condition']}' missed", label["text"]))
    return t


# --------------------------------------------------------------------------- methods


def extractor_proposals(doc: dict, sents: list[dict]) -> list[list[Proposal]]:
    """Run ``tracker extract`` on the document; the proposals of each labelled sentence."""
    from tracker.extract import extract_claims

    doc_date = date.fromisoformat(doc["date"])
    text = "\n\n".join(s["text"] for s in sents) + "\n"
    claims = extract_claims(text, doc_date=doc_date, scale=scale_for(doc), horizon_days=HORIZON_DAYS)
    out: list[list[Proposal]] = [[] for _ in sents]
    for c in claims:
        if c.cls != "forecast" or not 0 <= c.paragraph < len(sents):
            continue
        p = c.probability if isinstance(c.probability, (int, float)) else None
        out[c.paragraph].append(Proposal(p, c.deadline, getattr(c, "condition", None), c.event or ""))
    return out


_KEYWORD: dict = {}


def _keyword_pattern():
    if "pat" not in _KEYWORD:
        from tracker.extract import load_lexicon

        lex = load_lexicon()
        texts = sorted({p.text for p in lex.phrases if p.pos in ("adv", "adj", "noun", "chance", "modal", "frame")},
                       key=lambda t: -len(t))
        alt = "|".join(r"\s+".join(re.escape(w) for w in t.split()) for t in texts)
        _KEYWORD["pat"] = (re.compile(rf"\b(?:{alt})\b", re.I), lex)
    return _KEYWORD["pat"]


def keyword_proposals(doc: dict, sents: list[dict]) -> list[list[Proposal]]:
    """The floor: any lexicon phrase makes a forecast; its number, the default horizon, no condition."""
    pat, lex = _keyword_pattern()
    scale = scale_for(doc)
    scale = scale if scale in lex.scales else "icd203"
    horizon = date.fromisoformat(doc["date"]) + timedelta(days=HORIZON_DAYS)
    out = []
    for s in sents:
        m = pat.search(s["text"])
        if not m:
            out.append([])
            continue
        key = " ".join(m.group(0).lower().split())
        phrase = next((p for p in lex.phrases if p.text == key), None)
        reading = lex.read(phrase, scale) if phrase is not None else None
        out.append([Proposal(reading.probability if reading else None, horizon, None, s["text"])])
    return out


# --------------------------------------------------------------------------- report


def evaluate(method: Callable, docs: list[dict], sents: list[dict], split: str) -> dict[str, Tally]:
    by_doc: dict[str, list[dict]] = defaultdict(list)
    for s in sents:
        by_doc[s["doc"]].append(s)
    tallies: dict[str, Tally] = defaultdict(Tally)
    for doc in docs:
        if split != "all" and doc["split"] != split:
            continue
        labelled = sorted(by_doc[doc["id"]], key=lambda s: s["n"])
        proposals = method(doc, labelled)
        for label, props in zip(labelled, proposals):
            t = score_sentence(label, props, date.fromisoformat(doc["date"]))
            tallies[doc["genre"]].add(t)
            tallies[doc["genre"]].errors.extend((doc["id"],) + e for e in t.errors)
    overall = Tally()
    for t in list(tallies.values()):
        overall.add(t)
        overall.errors.extend(t.errors)
    tallies["overall"] = overall
    return dict(tallies)


def _fmt(v: Optional[float]) -> str:
    return "   -" if v is None else f"{v:4.2f}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python bench/extract_quality.py", description=__doc__.split("\n\n")[0])
    ap.add_argument("--split", choices=("test", "dev", "all"), default="test")
    ap.add_argument("--show-errors", action="store_true", help="list each miss, false alarm, wrong band, deadline or condition")
    args = ap.parse_args(argv)
    docs, sents = load_corpus()
    chosen = [d for d in docs if args.split == "all" or d["split"] == args.split]
    n_sents = sum(1 for s in sents if any(d["id"] == s["doc"] for d in chosen))
    print(f"extraction quality on the {args.split} part: {len(chosen)} documents, {n_sents} sentences")
    tool = evaluate(extractor_proposals, docs, sents, args.split)
    floor = evaluate(keyword_proposals, docs, sents, args.split)
    cols = ("precision", "recall", "band", "deadline_exact", "deadline_7d", "condition")
    print(f"  {'genre':<16} {'method':<8} " + " ".join(f"{c:>14}" for c in cols))
    for genre in sorted(k for k in tool if k != "overall") + ["overall"]:
        for name, res in (("extract", tool), ("keyword", floor)):
            f = res[genre].figures()
            print(f"  {genre:<16} {name:<8} " + " ".join(f"{_fmt(f[c]):>14}" for c in cols))
    f = tool["overall"].figures()
    missed = [k for k, target in TARGETS.items() if f[k] is None or f[k] < target]
    print("  targets: " + ", ".join(f"{k} >= {v:g}" for k, v in TARGETS.items()))
    print("  missed: " + (", ".join(f"{k} {_fmt(f[k]).strip()}" for k in missed) if missed else "none"))
    if args.show_errors:
        for err in tool["overall"].errors:
            print("  " + " | ".join(str(x) for x in err))
    return 0


if __name__ == "__main__":
    sys.exit(main())
