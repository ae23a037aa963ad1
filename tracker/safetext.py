"""Text made safe to show: control characters escaped. Standard library only.

User-supplied text (question texts, names, tags, rationales, evidence, file
contents quoted in messages) may hold characters that a terminal obeys
rather than shows: carriage return (rewrites the line), ESC and the C1 CSI
(U+009B) that start escape sequences (colours, cursor moves, window titles),
BEL, and the bidirectional overrides that reorder what is shown. Output meant
for a person shows each of them as a visible escape (``\\x1b``, ``\\u202e``)
instead; the stored data is unchanged.
"""

from __future__ import annotations

_BIDI = (*range(0x202A, 0x202F), *range(0x2066, 0x206A))

_ESCAPE = {c: f"\\x{c:02x}" for c in (*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0))}
_ESCAPE.update({c: f"\\u{c:04x}" for c in _BIDI})

#: every control escaped, newlines and tabs included (one-line messages)
ONE_LINE = str.maketrans(_ESCAPE)
#: newlines and tabs kept (multi-line output: tables, ``show``, reports)
LINES = str.maketrans({c: e for c, e in _ESCAPE.items() if c not in (0x0A, 0x09)})


def shown(text: str, *, one_line: bool = False) -> str:
    """``text`` with its control characters written as visible escapes."""
    return text.translate(ONE_LINE if one_line else LINES)


def json_safe(text: str) -> str:
    """JSON text whose C1 controls and bidirectional overrides (which
    ``json.dumps(ensure_ascii=False)`` leaves raw) are written as ``\\uXXXX``
    escapes: the same JSON value, safe on a terminal. (C0 controls are
    always escaped by ``json.dumps``.)"""
    return text.translate(_JSON)


_JSON = str.maketrans({c: f"\\u{c:04x}" for c in (0x7F, *range(0x80, 0xA0), *_BIDI)})


_URL_PASSWORD = None


def redact_urls(text: str) -> str:
    """``text`` with the password of every URL in it (``scheme://user:password@host``) written ``***``,
    as in ``postgresql+psycopg://alice:***@db.example.org/tracker``; also a libpq ``password=...``."""
    global _URL_PASSWORD
    if _URL_PASSWORD is None:
        import re

        _URL_PASSWORD = (
            re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.\-]*://[^\s:/@?#]*:)(?P<secret>[^\s@/]*)(?=@)"),
            re.compile(r"(?P<head>\bpassword\s*=\s*)(?P<secret>'(?:[^'\\]|\\.)*'|[^\s'&]+?(?=:?\s|&|$))", re.IGNORECASE),
        )
    if "://" not in text and "password" not in text.lower():
        return text
    for pattern in _URL_PASSWORD:
        text = pattern.sub(lambda m: m.group("head") + "***", text)
    return text
