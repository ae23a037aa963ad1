"""Sentence splitting for assessment prose, and removal of duplicates.

A plain ``re.split(r'(?<=[.!?])\\s+', text)`` breaks on "U.S. officials", "Gen.
Mattis", "Jan. 5" and inside quotations. This splitter looks at each candidate
boundary (one or more of ``. ! ? …``, any closing quotes or brackets, then
white space) and refuses it when:

* the next word starts in lower case ("approx. five", "... and then... the");
* the word before is a title (Mr., Dr., Gen., Sen., Amb. ...) or a single
  initial ("John F. Kennedy");
* the word before is another abbreviation or an initialism with inner
  periods (Jan., No., etc., U.S., U.K., a.m.) and the next word is not a
  typical sentence opener ("U.S. officials" stays whole, "... the U.S. The
  talks" is split);
* the boundary is inside an open quotation ("He said, "We will act. They know
  it."" is one sentence), unless the quotation has run on for more than 600
  characters (an unbalanced quote mark).

Paragraph ends always end a sentence. A sentence ending in ".." or an
ellipsis is flagged ``truncated`` (teasers: "... since Trump..").
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from .text import Block

TITLES = {
    "mr", "mrs", "ms", "messrs", "dr", "gen", "lt", "col", "maj", "capt", "cpt", "sgt", "adm", "cmdr", "brig",
    "sen", "sens", "rep", "reps", "gov", "amb", "pres", "prof", "rev", "hon", "st", "gens", "supt", "insp",
    "cdr", "pvt", "cpl", "ens", "fr", "sr", "jr", "mme", "mlle", "mssrs",
}
ABBREVIATIONS = {
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun",
    "no", "nos", "vs", "v", "etc", "approx", "cf", "inc", "corp", "ltd", "co", "dept", "univ", "est", "fig",
    "al", "mt", "ft", "vol", "pp", "ch", "sec", "art", "para", "op", "ed", "eds", "misc", "ca", "esp", "govt",
    "intl", "natl", "assn", "bros", "min", "max", "avg", "mln", "bn", "tr", "yr", "yrs", "hr", "hrs",
}
# Words that typically open a sentence: after "U.S." or "etc." they signal a boundary.
OPENERS = {
    "the", "this", "that", "these", "those", "it", "its", "we", "our", "he", "she", "they", "their", "his",
    "her", "there", "in", "on", "at", "for", "from", "by", "with", "as", "after", "before", "during", "since",
    "while", "when", "although", "though", "but", "and", "however", "meanwhile", "moreover", "still", "yet",
    "a", "an", "some", "many", "most", "such", "if", "both", "neither", "either", "other", "no", "not", "one",
    "what", "who", "why", "how", "i", "you", "despite", "according", "us", "further", "also", "earlier",
    "later", "last", "next", "recent", "separately", "instead", "nonetheless", "nevertheless", "finally",
    "first", "second", "third", "all", "each", "any", "russia", "moscow", "washington", "china", "beijing",
}

_BOUNDARY = re.compile(r"([.!?…]+)([\"'”’)\]]*)(\s+)")
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.'’-]*)$")
_INITIALISM = re.compile(r"^(?:[A-Za-z]\.){1,}[A-Za-z]?$")
_NEXT_WORD = re.compile(r"[\"'“‘(\[]*([A-Za-z0-9][\w'’-]*)")
MAX_QUOTE = 600


@dataclass(frozen=True)
class Sentence:
    """One sentence of the document, in order."""

    text: str
    block: int
    index: int
    heading: bool = False
    truncated: bool = False


def _quote_delta(segment: str) -> tuple[int, int]:
    """(curly depth change, straight double quote count) over a text segment."""
    return segment.count("“") - segment.count("”"), segment.count('"')


def split_block(text: str) -> list[tuple[str, bool]]:
    """Split one paragraph into ``(sentence, truncated)`` pairs."""
    out: list[tuple[str, bool]] = []
    start = 0
    curly = 0
    straight = 0
    quote_open_at = -1
    scanned = 0
    for m in _BOUNDARY.finditer(text):
        end = m.end(2)
        dc, ds = _quote_delta(text[scanned:end])
        was_open = curly > 0 or straight % 2 == 1
        curly = max(0, curly + dc)
        straight += ds
        scanned = end
        now_open = curly > 0 or straight % 2 == 1
        if now_open and not was_open:
            quote_open_at = end
        if now_open:
            if quote_open_at >= 0 and end - quote_open_at > MAX_QUOTE:
                curly, straight, quote_open_at = 0, 0, -1  # an unbalanced quote mark: give up on it
            else:
                continue
        nxt = _NEXT_WORD.match(text, m.end())
        if not nxt:
            continue
        next_word = nxt.group(1)
        if next_word[0].islower():
            continue
        punct = m.group(1)
        if punct == ".":
            wb = _WORD_BEFORE.search(text, start, m.start(1))
            word = wb.group(1) if wb else ""
            lower = word.lower().rstrip(".")
            opener = next_word.lower() in OPENERS
            if lower in TITLES and not m.group(2):
                continue
            if len(word) == 1 and word.isupper() and not m.group(2):
                continue  # an initial: "John F. Kennedy"
            if (lower in ABBREVIATIONS or (_INITIALISM.match(word) and "." in word)) and not m.group(2):
                if next_word[0].isdigit() or not opener:
                    continue
        sentence = text[start:end].strip()
        if sentence:
            out.append((sentence, punct in ("..", "...", "…") or punct.startswith("..")))
        start = m.end()
    tail = text[start:].strip()
    if tail:
        out.append((tail, tail.endswith(("..", "…"))))
    return out


def split_sentences(block_list: list[Block]) -> list[Sentence]:
    """All sentences of a document, in order; headings are one sentence each."""
    sentences: list[Sentence] = []
    for block in block_list:
        if block.heading:
            sentences.append(Sentence(block.text, block.index, len(sentences), heading=True))
            continue
        for text, truncated in split_block(block.text):
            sentences.append(Sentence(text, block.index, len(sentences), truncated=truncated))
    return sentences


_NON_WORD = re.compile(r"[^0-9a-z]+")


def sentence_key(text: str) -> str:
    """The normalised form used to find duplicates: lower case, words only."""
    return _NON_WORD.sub(" ", text.lower().replace("’", "'").replace("'", "")).strip()


def dedupe(sentences: list[Sentence]) -> list[Sentence]:
    """Drop repeated sentences (teaser and headline lines repeat the lead).

    A sentence whose normalised text was seen before is dropped; so is a
    truncated sentence ("... since Trump..") whose normalised text is the
    start of another sentence of the document.
    """
    full_keys = sorted({sentence_key(s.text) for s in sentences if not s.truncated})
    seen: set[str] = set()
    kept: list[Sentence] = []
    for s in sentences:
        key = sentence_key(s.text)
        if not key or key in seen:
            continue
        if s.truncated:
            i = bisect.bisect_left(full_keys, key)
            if i < len(full_keys) and full_keys[i].startswith(key) and full_keys[i] != key:
                continue
        seen.add(key)
        kept.append(s)
    return kept
