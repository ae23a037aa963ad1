"""The labelled corpus is well formed, and the quality benchmark scores it as defined."""

from __future__ import annotations

import sys
from collections import Counter
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.extract_quality import Proposal, Tally, evaluate, keyword_proposals, load_corpus, score_sentence  # noqa: E402

DOCS, SENTS = load_corpus()
GENRES = {"intelligence", "defence-update", "economic", "commentary", "climate", "health"}


def test_corpus_size_documents_and_genres():
    assert len(DOCS) >= 20 and len({d["id"] for d in DOCS}) == len(DOCS)
    assert {d["genre"] for d in DOCS} == GENRES
    assert len(SENTS) >= 400
    for d in DOCS:
        date.fromisoformat(d["date"])
        assert d["title"] and d["publisher"] and d["url"].startswith("http"), d["id"]
        assert d["split"] in ("dev", "test")
    # every genre has documents in the test part
    assert {d["genre"] for d in DOCS if d["split"] == "test"} == GENRES


def test_split_is_by_document_and_labels_are_complete():
    ids = {d["id"] for d in DOCS}
    seen = Counter()
    for s in SENTS:
        assert s["doc"] in ids
        seen[(s["doc"], s["n"])] += 1
        if s["forecast"]:
            assert s["why_not"] is None and s["claims"], s["text"]
            for c in s["claims"]:
                assert c["event"] and c["phrase"]
                assert c["deadline_kind"] in ("dated", "undated", "open")
                assert (c["deadline"] is not None) == (c["deadline_kind"] == "dated")
                if c["band"] is not None:
                    lo, hi = c["band"]
                    assert 0 <= lo <= hi <= 1
        else:
            assert s["why_not"] in ("past", "present", "normative", "definition") and s["claims"] == []
    assert max(seen.values()) == 1
    by_split = Counter((next(d["split"] for d in DOCS if d["id"] == s["doc"]), s["forecast"]) for s in SENTS)
    assert by_split[("test", True)] >= 60 and by_split[("dev", True)] >= 60


LABEL = {
    "text": "X will likely do Y by 2025 if Z.",
    "forecast": True,
    "why_not": None,
    "claims": [{"phrase": "will likely", "band": [0.55, 0.8], "band_name": "likely", "event": "X does Y",
                "deadline": "2025-12-31", "deadline_kind": "dated", "condition": "Z", "attribution": None}],
}


def test_score_of_a_hand_checked_sentence():
    good = score_sentence(LABEL, [Proposal(0.675, date(2025, 12, 31), "Z", "X does Y")], date(2024, 1, 1))
    assert (good.tp, good.fp, good.fn, good.band_ok, good.dl_exact, good.dl_week, good.cond_ok) == (1, 0, 0, 1, 1, 1, 1)
    near = score_sentence(LABEL, [Proposal(0.875, date(2025, 12, 26), None, "X does Y")], date(2024, 1, 1))
    assert (near.band_n, near.band_ok, near.dl_exact, near.dl_week, near.cond_n, near.cond_ok) == (1, 0, 0, 1, 1, 0)
    missed = score_sentence(LABEL, [], date(2024, 1, 1))
    assert (missed.tp, missed.fn, missed.band_n, missed.dl_n) == (0, 1, 0, 0)
    false_alarm = score_sentence({"text": "It rained.", "forecast": False, "why_not": "past", "claims": []},
                                 [Proposal(None, None, None)], date(2024, 1, 1))
    assert (false_alarm.fp, false_alarm.tp) == (1, 0)
    t = Tally(tp=9, fp=1, fn=3)
    assert t.figures()["precision"] == 0.9 and t.figures()["recall"] == 0.75


def test_keyword_baseline_counts_every_lexicon_phrase():
    res = evaluate(keyword_proposals, DOCS, SENTS, "all")["overall"]
    # a lexicon phrase ("will", "may", "likely" ...) is in most sentences, forecasts or not
    assert res.fn < res.tp and res.fp > 0
    assert res.dl_exact <= res.dl_n
