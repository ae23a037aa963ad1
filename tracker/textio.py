"""One text-decoding policy for every file the tool reads (assessments for
``tracker extract``, forecast CSVs, scenario and resolution files, JSON
restores, other tools' exports). Standard library only.

Text is UTF-8, with or without a byte-order mark, or UTF-16 with its
byte-order mark (as some spreadsheet programs save it). Anything else is
refused with one line naming the file and what was wrong: binary data (a
NUL byte without a UTF-16 mark), UTF-32, or a byte that is not UTF-8."""

from __future__ import annotations

from .errors import FileFormatError

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_UTF32_BOMS = (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")


def decode_text(data: bytes, name: str) -> str:
    """``data`` as text by the policy above; :class:`FileFormatError` otherwise."""
    if data.startswith(_UTF32_BOMS):
        raise FileFormatError(f"{name}: UTF-32 text is not supported (save it as UTF-8)")
    if data.startswith(_UTF8_BOM):
        text = _decode(data, "utf-8-sig", name)
    elif data.startswith(_UTF16_BOMS):
        text = _decode(data, "utf-16", name)
    else:
        if b"\x00" in data:
            raise FileFormatError(f"{name}: binary file (NUL bytes), not text")
        text = _decode(data, "utf-8", name)
    if "\x00" in text:
        raise FileFormatError(f"{name}: binary file (NUL characters), not text")
    return text


def _decode(data: bytes, encoding: str, name: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        what = "UTF-16" if encoding == "utf-16" else "UTF-8"
        raise FileFormatError(
            f"{name}: not {what} text (bad byte at offset {exc.start}); save it as UTF-8"
        ) from None
