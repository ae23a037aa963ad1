"""Periods (calendar quarters): parsed from what a user types and labelled, in one place.

A quarter is written ``2018Q3`` (also ``2018-Q3``, ``2018 q3``); its label is always
``2018Q3`` (``2018-Q3`` in a resolution file's ``period``). Standard library only: the CLI, the server and the services share it.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import NamedTuple

from .errors import ValidationError

QUARTER_RE = re.compile(r"^\s*(\d{4})\s*-?\s*[Qq]([1-4])\s*$")


class Quarter(NamedTuple):
    """A calendar quarter: its label and its first and last day."""

    label: str
    start: date
    end: date

    def __contains__(self, day: object) -> bool:  # type: ignore[override]
        return isinstance(day, date) and self.start <= day <= self.end

    @property
    def file_label(self) -> str:
        """The label resolution files use: "2018-Q3"."""
        return f"{self.label[:4]}-{self.label[4:]}"


def parse_quarter(text: str) -> Quarter:
    """``2018Q3`` or ``2018-Q3`` -> ("2018Q3", 2018-07-01, 2018-09-30); anything else is a one-line error."""
    m = QUARTER_RE.match(str(text))
    if not m:
        raise ValidationError(f"quarter {text!r} is not like 2018Q3")
    year, q = int(m.group(1)), int(m.group(2))
    if not 1900 <= year <= 9998:
        raise ValidationError(f"quarter {text!r} is out of range")
    start = date(year, 3 * q - 2, 1)
    end = (date(year + 1, 1, 1) if q == 4 else date(year, 3 * q + 1, 1)) - timedelta(days=1)
    return Quarter(f"{year}Q{q}", start, end)


def quarter_label(day: date) -> str:
    """The label of the quarter ``day`` falls in: 2018-08-15 -> "2018Q3"."""
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


__all__ = ["Quarter", "QUARTER_RE", "parse_quarter", "quarter_label"]
