"""Where the band of an estimative phrase comes from, and the report's phrase table input.

No database here: :mod:`tracker.services.report` hands the questions in, and
``tracker score --by wep`` asks :func:`phrase_band` for each phrase's band.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Optional

import numpy as np


def lexicon_band(phrase: str, scale: Optional[str]) -> Optional[dict]:
    """The band of ``phrase`` on ``scale`` from the claim extractor's lexicon (None if unknown)."""
    from ..extract.lexicon import reading_of

    found = reading_of(phrase, scale)
    if found is None:
        return None
    ph, reading = found
    return {"band": (reading.band.low, reading.band.high), "scale": reading.scale, "band_name": reading.band.name,
            "band_source": f"lexicon: {reading.source}", "assessed": ph.assessed}


def phrase_band(phrase: str, extra: Optional[dict]) -> dict:
    """Where the band of a question's phrase comes from: the question's own ``extra.band`` (set when it was
    extracted from an assessment), else the lexicon's reading of the phrase on ``extra.scale`` (ICD 203
    by default; unassessed words such as "may" read on the reader surveys)."""
    from ..extract.lexicon import band_name

    extra = extra or {}
    scale = extra.get("scale")
    band = extra.get("band")
    if isinstance(band, (list, tuple)) and len(band) == 2:
        try:
            lo, hi = float(band[0]), float(band[1])
        except (TypeError, ValueError):
            lo = hi = None
        if lo is not None and 0 <= lo <= hi <= 1:
            return {"band": (lo, hi), "scale": scale, "band_name": band_name((lo + hi) / 2, scale),
                    "band_source": f"the question ({scale or 'no scale named'})", "assessed": extra.get("assessed")}
    found = lexicon_band(phrase, scale)
    if found is not None:
        return found
    return {"band": None, "scale": scale, "band_name": None, "band_source": None, "assessed": extra.get("assessed")}


def phrase_questions(questions: list[dict], question_ids, probabilities, extra_of) -> list[dict]:
    """Resolved binary questions with a phrase, as :func:`tracker.report.build.phrase_rows` takes them.

    ``questions``: dicts with ``id``, ``kind``, ``phrase``, ``rid``, ``annulled``, ``outcome`` and ``extra``
    (as stored); ``question_ids`` and ``probabilities``: the scored pairs in scope; ``extra_of(stored)`` parses
    a stored ``extra``."""
    by_q: dict[str, list[float]] = defaultdict(list)
    for q, p in zip(np.asarray(question_ids).tolist(), np.asarray(probabilities).tolist()):
        by_q[q].append(p)
    cache: dict[tuple, dict] = {}
    out = []
    for q in questions:
        if q["kind"] != "binary" or not q["phrase"] or q["rid"] is None or q["annulled"] or q["outcome"] is None:
            continue
        key = (q["phrase"], q["extra"] if isinstance(q["extra"], (str, type(None))) else repr(q["extra"]))
        if key not in cache:
            cache[key] = phrase_band(q["phrase"], extra_of(q["extra"]))
        out.append(dict(cache[key], phrase=q["phrase"], y=1 if q["outcome"] == "yes" else 0,
                        forecasts=by_q.get(q["id"], [])))
    return out
