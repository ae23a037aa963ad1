"""What a score, a report or a plot covers: one value instead of a list of keywords.

``Scope(quarter, analyst, tag, scenario, mode, forecasts)``: the questions whose
deadline falls in ``quarter`` (a label, see :mod:`tracker.periods`), carry ``tag``
and belong to ``scenario``; ``analyst``'s forecasts; which forecast of each
(question, analyst) pair is scored (``mode``) and which set of forecasts
(``forecasts``: live, history, all or auto). Standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Optional

from .errors import ValidationError
from .periods import Quarter, parse_quarter

MODES = ("final", "initial", "time-weighted")
FORECAST_SETS = ("auto", "live", "history", "all")
SCALES = ("0-1", "0-2")


@dataclass(frozen=True)
class Scope:
    quarter: Optional[str] = None  # a label such as "2018Q3" (normalized by make)
    analyst: Optional[str] = None
    tag: Optional[str] = None
    scenario: Optional[str] = None
    mode: str = "final"
    forecasts: str = "auto"

    @classmethod
    def make(cls, *, quarter: Optional[str] = None, analyst: Optional[str] = None, tag: Optional[str] = None,
             scenario: Optional[str] = None, mode: str = "final", forecasts: str = "auto") -> "Scope":
        """A checked scope: an unknown mode or forecast set, or a quarter not like 2018Q3, is a one-line error;
        the quarter is stored by its label; empty strings mean "not given"."""
        if mode not in MODES:
            raise ValidationError(f"unknown mode {mode!r} (one of {', '.join(MODES)})")
        if forecasts not in FORECAST_SETS:
            raise ValidationError(f"unknown forecast set {forecasts!r} (one of {', '.join(FORECAST_SETS)})")
        label = parse_quarter(quarter).label if quarter else None
        return cls(label, analyst or None, tag or None, scenario or None, mode, forecasts)

    @property
    def period(self) -> Optional[Quarter]:
        """The quarter with its first and last day (None: every quarter)."""
        return parse_quarter(self.quarter) if self.quarter else None

    @property
    def filters_questions(self) -> bool:
        """Whether the question set is narrowed (by quarter, tag or scenario)."""
        return bool(self.quarter or self.tag or self.scenario)

    def but(self, **changes) -> "Scope":
        """This scope with some fields changed (``scope.but(quarter=None)``: every quarter)."""
        return replace(self, **changes)


def check_scale(scale: str) -> float:
    """The factor of a Brier scale (1 for 0-1, 2 for 0-2); another value is a one-line error."""
    if scale not in SCALES:
        raise ValidationError(f"unknown Brier scale {scale!r} (0-1 or 0-2)")
    return 2.0 if scale == "0-2" else 1.0


__all__ = ["Scope", "MODES", "FORECAST_SETS", "SCALES", "check_scale"]
