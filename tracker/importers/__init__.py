"""Readers of other tools' exports (Fatebook, Metaculus, PredictionBook,
the Good Judgment Project) into plain records (:mod:`.records`).

Each reader is keyed on column names, not positions (each tool's layout
has changed over time), parses and checks the whole file before anything is
written, and raises a one-line :class:`~tracker.errors.FileFormatError`
naming the row for anything it cannot read. ``tracker.services.foreign``
writes the records.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Optional

SOURCES = ("fatebook", "metaculus", "predictionbook", "gjp")


def detect(data: bytes) -> Optional[str]:
    """The source a file comes from, when its first bytes say so
    unambiguously; None otherwise."""
    if data[:4] == b"PK\x03\x04":
        return "metaculus"
    head = data.lstrip()[:1]
    if head in (b"{", b"["):
        if b'"forecast-tracker"' in data[:400]:
            return None  # the tracker's own JSON export (not parsed twice)
        import json

        from .predictionbook import looks_like

        try:
            return "predictionbook" if looks_like(json.loads(data.decode("utf-8-sig"))) else None
        except (ValueError, UnicodeDecodeError, RecursionError):
            return None
    from .common_csv import header_of

    names = set(header_of(data))
    if "forecast (scale = 0-1)" in names and "question title" in names:
        return "fatebook"
    if {"question id", "forecaster id", "start time"} <= names or {"question id", "question type", "open time"} <= names:
        return "metaculus"
    if {"ifp_id", "forecast_id", "answer_option"} <= names:
        return "gjp"
    return None


def read(source: str, data: bytes, filename: str, *, questions: Optional[tuple[bytes, str]] = None,
         aggregates: bool = False, zone: Optional[tzinfo] = None, sibling=None):
    """Read one export into a :class:`~.records.Batch`. ``questions`` is the
    separate question file (Metaculus ``question_data.csv``, GJP
    ``ifps.csv``) as (bytes, name); ``sibling(name)`` may return the bytes of
    a file beside ``filename`` (Metaculus's two CSVs sit together)."""
    from ..errors import FileFormatError

    if source == "fatebook":
        from . import fatebook

        return fatebook.read(data, filename, zone=zone)
    if source == "predictionbook":
        from . import predictionbook

        return predictionbook.read(data, filename, zone=zone)
    if source == "metaculus":
        from . import metaculus

        if data[:4] == b"PK\x03\x04":
            qdata, fdata = metaculus.unzip(data, filename)
            return metaculus.read(qdata, fdata, filename, questions_name=f"{filename}:{metaculus.QUESTION_FILE}",
                                  aggregates=aggregates, zone=zone)
        from .common_csv import header_of

        names = set(header_of(data))
        if "question type" in names and "forecaster id" not in names:  # the question file was given
            found = sibling(metaculus.FORECAST_FILE) if sibling is not None else None
            if found is None:
                raise FileFormatError(f"{filename}: this is Metaculus's question file: pass {metaculus.FORECAST_FILE} "
                                      "(with --questions) or the export's zip")
            return metaculus.read(data, found, metaculus.FORECAST_FILE, questions_name=filename, aggregates=aggregates, zone=zone)
        if questions is None and sibling is not None:
            found = sibling(metaculus.QUESTION_FILE)
            if found is not None:
                questions = (found, metaculus.QUESTION_FILE)
        if questions is None:
            raise FileFormatError(f"{filename}: Metaculus forecasts need {metaculus.QUESTION_FILE}: "
                                  "pass the export's zip, or --questions question_data.csv")
        return metaculus.read(questions[0], data, filename, questions_name=questions[1], aggregates=aggregates, zone=zone)
    if source == "gjp":
        from . import gjp

        qinfo = gjp.read_questions(*questions) if questions is not None else None
        return gjp.read(data, filename, questions=qinfo, zone=zone)
    raise FileFormatError(f"unknown source {source!r} (one of {', '.join(SOURCES)})")
