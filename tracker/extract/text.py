"""Reading an assessment: bytes to text, Markdown to prose, prose to blocks.

Encodings accepted: UTF-8 (with or without a byte-order mark) and UTF-16 with
a byte-order mark. Anything else, a file with NUL bytes (binary) or an empty
file is refused with a one-line :class:`~tracker.errors.FileFormatError`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ..errors import FileFormatError

MAX_BYTES = 50 * 1024 * 1024


def decode_bytes(data: bytes, name: str = "<input>") -> str:
    """Decode an assessment file by the tool's one decoding policy
    (:mod:`tracker.textio`); raise FileFormatError when it is too large, not text or empty."""
    from ..textio import decode_text

    if len(data) > MAX_BYTES:
        raise FileFormatError(f"{name}: larger than {MAX_BYTES // (1024 * 1024)} MB")
    text = decode_text(data, name)
    if not text.strip():
        raise FileFormatError(f"{name}: the file is empty")
    return text


def read_assessment(path: str | Path) -> str:
    """Read and decode an assessment file (see :func:`decode_bytes`)."""
    p = Path(path)
    if not p.exists():
        raise FileFormatError(f"{p}: no such file")
    if p.is_dir():
        raise FileFormatError(f"{p}: is a folder, not a text file")
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise FileFormatError(f"{p}: cannot be read ({exc.strerror or type(exc).__name__})") from None
    return decode_bytes(data, str(p))


# ----------------------------------------------------------------------------
# Normalisation and blocks


_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_ZERO_WIDTH = re.compile(r"[\u200b-\u200d\u2060\ufeff]")


def normalize_text(text: str) -> str:
    """NFC, one kind of line break, no zero-width characters, plain spaces."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    text = _ZERO_WIDTH.sub("", text)
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))


@dataclass(frozen=True)
class Block:
    """A paragraph (``heading`` False) or a heading/title line."""

    text: str
    index: int
    heading: bool = False


_MD_HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$")
_MD_SETEXT = re.compile(r"^(=+|-+)\s*$")
_MD_BULLET = re.compile(r"^(?:[-*+•]|\d{1,3}[.)])\s+")
_MD_QUOTE = re.compile(r"^>\s?")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_EMPH = re.compile(r"(\*\*|__|(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*])|`)")
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_HTML_TAG = re.compile(r"</?[a-zA-Z][^>]{0,200}>")
_RULE = re.compile(r"^(?:[-*_]\s*){3,}$")
_TERMINAL = re.compile(r"[.!?:;,\"”’')\]…]$")
_STOP_END = {
    "a", "an", "the", "of", "to", "in", "on", "at", "by", "for", "with", "and", "or", "but", "from", "that",
    "which", "who", "as", "than", "into", "over", "under", "between", "its", "his", "her", "their", "our",
    "will", "would", "may", "might", "could", "should", "can", "must", "is", "are", "was", "were", "be", "not",
}


def strip_front_matter(text: str) -> tuple[str, dict[str, str]]:
    """Remove a leading ``---`` YAML-like block; return simple ``key: value`` pairs."""
    meta: dict[str, str] = {}
    if not text.startswith("---\n"):
        return text, meta
    end = text.find("\n---", 4)
    if end < 0:
        return text, meta
    for line in text[4:end].split("\n"):
        key, sep, value = line.partition(":")
        if sep and key.strip() and " " not in key.strip():
            meta[key.strip().lower()] = value.strip().strip("'\"")
    rest = text[end + 4 :]
    return rest[rest.find("\n") + 1 :] if "\n" in rest else "", meta


def _clean_markdown(line: str) -> str:
    line = _MD_QUOTE.sub("", line)
    line = _MD_BULLET.sub("", line)
    line = _MD_LINK.sub(r"\1", line)
    line = _HTML_TAG.sub("", line)
    return _MD_EMPH.sub("", line).strip()


def looks_like_heading(line: str, *, first_in_block: bool, has_more: bool, next_line: str = "") -> bool:
    """A short line with no closing punctuation at the head of a block, not
    continued by a line that starts in lower case."""
    words = line.split()
    if next_line[:1].islower():
        return False
    if not words or len(words) > 14 or len(line) > 120:
        return False
    if _TERMINAL.search(line):
        return False
    if words[-1].lower() in _STOP_END:
        return False
    if not first_in_block:
        return False
    return line[0].isupper() or line[0].isdigit() or not has_more


_DATELINE = re.compile(
    r"^(?:[A-Z][A-Z.'’-]+(?:[ ,]+[A-Z][A-Za-z.'’-]+){0,3},?\s+)?"
    r"(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+)?"
    r"(?:[A-Z][a-z]{2,8}\.?\s+\d{1,2}(?:,\s*\d{4})?|\d{1,2}\s+[A-Z][a-z]{2,8}\.?(?:\s+\d{4})?|\d{4}-\d\d-\d\d)"
    r"\s*(?:\([^)]{1,40}\)\s*)?[-–—]+\s+"
)


def strip_dateline(paragraph: str) -> str:
    """``WASHINGTON, June 20, 2018 (Reuters) - Moscow ...`` -> ``Moscow ...``."""
    m = _DATELINE.match(paragraph)
    return paragraph[m.end() :] if m else paragraph


def blocks(text: str) -> list[Block]:
    """Split normalised text into paragraphs and heading lines.

    Blank lines end a paragraph; hard-wrapped lines inside a paragraph are
    joined. A Markdown heading, or a short first line of a paragraph with no
    closing punctuation (a title or headline), becomes a heading block of its
    own. Bullets, block quotes, emphasis and links are reduced to their text;
    a news dateline opening a paragraph ("WASHINGTON, June 20, 2018 (Reuters) -")
    is removed (its date is the document's, see ``find_document_date``).
    """
    text = _HTML_COMMENT.sub(" ", text)
    out: list[Block] = []
    para: list[str] = []

    def flush() -> None:
        if para:
            joined = strip_dateline(" ".join(para).strip())
            if joined:
                out.append(Block(joined, len(out)))
            para.clear()

    lines = text.split("\n")
    i = 0
    in_code = False
    while i < len(lines):
        raw = lines[i].strip()
        i += 1
        if raw.startswith("```"):
            in_code = not in_code
            flush()
            continue
        if in_code:
            continue
        if not raw or _RULE.match(raw):
            flush()
            continue
        m = _MD_HEADING.match(raw)
        if m:
            flush()
            heading = _clean_markdown(m.group(1))
            if heading:
                out.append(Block(heading, len(out), heading=True))
            continue
        if i < len(lines) and _MD_SETEXT.match(lines[i].strip()) and not para:
            heading = _clean_markdown(raw)
            i += 1
            if heading:
                out.append(Block(heading, len(out), heading=True))
            continue
        bullet = bool(_MD_BULLET.match(raw))
        if bullet:
            flush()  # each list item is its own paragraph
        line = _clean_markdown(raw)
        if not line:
            continue
        next_line = _MD_QUOTE.sub("", lines[i].strip()) if i < len(lines) else ""
        has_more = bool(next_line)
        if not bullet and looks_like_heading(line, first_in_block=not para, has_more=has_more, next_line=next_line):
            flush()
            out.append(Block(line, len(out), heading=True))
            continue
        if para and para[-1].endswith("-") and not para[-1].endswith(" -") and line[:1].islower():
            para[-1] = para[-1] + line  # a hyphenated word broken across lines
        else:
            para.append(line)
    flush()
    return out


def find_title(block_list: list[Block]) -> str | None:
    """The first heading, if the document opens with one."""
    for b in block_list[:3]:
        if b.heading:
            return b.text
    return None
