"""Assessment text -> estimative claims -> draft forecasts.

The public API::

    from tracker.extract import extract_claims, draft_scenario, find_document_date, phrase_for

    claims = extract_claims(text, doc_date=date(2018, 6, 20))          # list[Claim]
    [c.as_dict() for c in claims]                                       # JSON-ready
    scenario = draft_scenario(claims, scenario_id="trump-putin-2018", title="Trump, Putin to meet",
                              doc_date=date(2018, 6, 20), origin="assessment-2018-06.txt",
                              analyst="assessment")                     # dict for dump_yaml
    find_document_date(text)                                            # date | None
    phrase_for(0.7, "icd203")                                           # 'likely'

Modules: :mod:`.lexicon` (scales, phrase <-> number, tie rule),
:mod:`.text` (decoding, Markdown, paragraphs), :mod:`.sentences` (splitting,
duplicates), :mod:`.timex` and :mod:`.timex_rules` (time expressions,
document date), :mod:`.analyze` (one sentence and its clauses, in named steps)
with :mod:`.wording` (classes, results, verb-group patterns),
:mod:`.attribution` (boilerplate, who speaks, confidence), :mod:`.clauses`
(splitting, conditions, subjects, verb groups), :mod:`.verbs` (does the verb
point forward), :mod:`.constructions` ("it is likely that S" and kin) and
:mod:`.numbers` (stated chances); :mod:`.events` (events named in the text),
:mod:`.claims` (the pipeline) with :mod:`.deadlines` (known calendar,
open-ended times) and :mod:`.naming` (event statements, ids, tags);
:mod:`.draft` (scenario file), :mod:`.build_lexicon` (regenerates
``lexicon.json`` from the shared WEP data).
"""

from __future__ import annotations

from .claims import (
    DEADLINE_SOURCES,
    Claim,
    Document,
    document_title,
    extract_claims,
    find_document_date,
    parse_document,
    scenario_slug,
    suggest_id,
)
from .draft import DEFAULT_ANALYST, draft_scenario
from .lexicon import DEFAULT_SCALE, SCALES, Band, band_for, load_lexicon, phrase_for
from .sentences import dedupe, split_sentences
from .text import blocks, decode_bytes, read_assessment

CLASSES = ("forecast", "estimate", "fact", "attribution", "boilerplate")


def sentences(text: str) -> list[str]:
    """The sentences of a text as the extractor sees them (duplicates removed)."""
    return [s.text for s in parse_document(text).sentences]


__all__ = [
    "Band",
    "CLASSES",
    "Claim",
    "DEADLINE_SOURCES",
    "DEFAULT_ANALYST",
    "DEFAULT_SCALE",
    "Document",
    "SCALES",
    "band_for",
    "blocks",
    "decode_bytes",
    "dedupe",
    "document_title",
    "draft_scenario",
    "extract_claims",
    "find_document_date",
    "load_lexicon",
    "parse_document",
    "phrase_for",
    "read_assessment",
    "scenario_slug",
    "sentences",
    "split_sentences",
    "suggest_id",
]
