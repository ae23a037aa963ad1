"""The input of the report's phrase table (no database, no lexicon here: the service hands in the
questions and the function that finds a phrase's band, :func:`tracker.extract.lexicon.phrase_band`)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Callable, Optional

import numpy as np


def phrase_questions(questions: list[dict], question_ids, probabilities, extra_of: Callable[[Any], Any],
                     band_of: Callable[[str, Optional[dict]], dict]) -> list[dict]:
    """Resolved binary questions with a phrase, as :func:`tracker.report.build.phrase_rows` takes them.

    ``questions``: dicts with ``id``, ``kind``, ``phrase``, ``rid``, ``annulled``, ``outcome`` and ``extra``
    (as stored); ``question_ids`` and ``probabilities``: the scored pairs in scope; ``extra_of(stored)`` parses
    a stored ``extra``; ``band_of(phrase, extra)`` says where the phrase's band comes from."""
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
            cache[key] = band_of(q["phrase"], extra_of(q["extra"]))
        out.append(dict(cache[key], phrase=q["phrase"], y=1 if q["outcome"] == "yes" else 0,
                        forecasts=by_q.get(q["id"], [])))
    return out
