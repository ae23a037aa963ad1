"""Reading a CSV export keyed on column names (layouts change over time)."""

from __future__ import annotations

import csv
import io
from typing import Iterator, Optional

from ..errors import FileFormatError

csv.field_size_limit(10_000_000)


def decode(data: bytes, filename: str) -> str:
    """A file's text by the tool's one decoding policy (:mod:`tracker.textio`)."""
    from ..textio import decode_text

    return decode_text(data, filename)


class Table:
    """A CSV's header, with the index of each known column by any of its names."""

    def __init__(self, text: str, filename: str, columns: dict[str, tuple[str, ...]], required: tuple[str, ...]):
        self.filename = filename
        self.reader = csv.reader(io.StringIO(text, newline=""))
        try:
            header = next(self.reader)
        except StopIteration:
            raise FileFormatError(f"{filename}: empty file (a header row is required)") from None
        except csv.Error as exc:
            raise FileFormatError(f"{filename}: line 1: {exc}") from None
        names = [h.strip().lower() for h in header]
        self.width = len(names)
        self.idx: dict[str, Optional[int]] = {}
        for key, aliases in columns.items():
            found = [names.index(a.lower()) for a in aliases if a.lower() in names]
            self.idx[key] = found[0] if found else None
        missing = [columns[k][0] for k in required if self.idx[k] is None]
        if missing:
            raise FileFormatError(f"{filename}: required column {missing[0]!r} is missing")

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        line = 1
        try:
            for record in self.reader:
                line = self.reader.line_num
                if len(record) != self.width:
                    if not record or (len(record) == 1 and not record[0].strip()):
                        continue
                    raise FileFormatError(f"{self.filename}: line {line}: {len(record)} fields, header has {self.width}")
                yield line, record
        except csv.Error as exc:
            raise FileFormatError(f"{self.filename}: line {line}: {exc}") from None


def header_of(data: bytes) -> list[str]:
    """The first row of a CSV, lower-cased (for detecting the format)."""
    head = data[:65536].decode("utf-8-sig", errors="replace")
    try:
        return [h.strip().lower() for h in next(csv.reader(io.StringIO(head, newline="")))]
    except (StopIteration, csv.Error):
        return []
