"""Export: the lossless JSON dump (every row of every table, ids and
recording times included) and the forecast CSV (one row per binary
forecast, the columns of ``CSV_COLUMNS``), both written as text a chunk of
rows at a time."""

from __future__ import annotations

import csv
import io
import math
import re
from collections import defaultdict
from datetime import timezone
from typing import Any, Callable, Optional

from ...jsonable import jsonable as _jsonable  # the one JSON encoder
from ...storage import HEAD, Store
from ...storage.queries import is_current
from ..common import T_ANALYST, T_CLARIFICATION, T_FORECAST, T_QUESTION, T_RESOLUTION, T_SCENARIO, T_SETTING, T_TAG

UTC = timezone.utc
FORMAT_NAME = "forecast-tracker"
FORMAT_VERSION = 1
CSV_COLUMNS = ("question", "analyst", "probability", "made_at", "deadline", "text", "tags", "outcome", "known_at")

# A spreadsheet reads a cell that begins with one of these as a formula
# (OWASP, "CSV Injection"): the export writes such a text cell with a ' in
# front (shown by spreadsheets, not evaluated), and the import takes one '
# off a cell that begins with ' then one of these, so files round-trip. A
# cell that already begins with ' before one of them gets one more, which
# keeps the rule reversible.
FORMULA_START = re.compile(r"^'*[=+\-@\t\r]")


def csv_cell_safe(value: str) -> str:
    """``value`` as a spreadsheet shows it without evaluating it."""
    return "'" + value if FORMULA_START.match(value) else value


def csv_cell_read(value: str) -> str:
    """The inverse of :func:`csv_cell_safe` (a plain cell is returned as is)."""
    return value[1:] if value[:1] == "'" and FORMULA_START.match(value[1:]) else value


# ===================================================================== JSON

TABLES = (
    ("scenarios", T_SCENARIO, "id"),
    ("analysts", T_ANALYST, "name"),
    ("questions", T_QUESTION, "id"),
    ("question_tags", T_TAG, "question_id"),
    ("forecasts", T_FORECAST, "id"),
    ("resolutions", T_RESOLUTION, "id"),
    ("clarifications", T_CLARIFICATION, "id"),
    ("team_settings", T_SETTING, "key"),
)
# settings have defaults a user may set before restoring an export: a
# restore replaces them, and they do not make a database "not empty"
SETTINGS_KEY = "team_settings"


EXPORT_CHUNK_ROWS = 5_000  # rows read (and text handed to the writer) at a time


def _records(conn, table):
    """A table's rows in primary-key order, as JSON-ready dicts, a chunk at a time."""
    from sqlalchemy import select

    result = conn.execute(select(table).order_by(*table.primary_key.columns)).mappings()
    while True:
        rows = result.fetchmany(EXPORT_CHUNK_ROWS)
        if not rows:
            return
        yield [{k: _jsonable(v) for k, v in row.items()} for row in rows]


def export_json(store: Store) -> dict:
    """Every row of every table, in primary-key order."""
    out: dict[str, Any] = {"format": FORMAT_NAME, "version": FORMAT_VERSION, "schema": HEAD}
    with store.read() as conn:
        for key, table, _ in TABLES:
            out[key] = [record for chunk in _records(conn, table) for record in chunk]
    return out


def export_json_text(store: Store, *, progress: Optional[Callable[[str, int, int], None]] = None):
    """:func:`export_json` as JSON text, in pieces, read and written a chunk
    of rows at a time (memory does not grow with the database): one record
    per line, the document as a whole the same JSON value.
    ``progress(phase, done, total)`` hears the rows written ("exporting")."""
    import json
    from sqlalchemy import func, select

    def encode(record: dict) -> str:
        return json.dumps(record, ensure_ascii=False, allow_nan=False)

    with store.read() as conn:
        total = sum(conn.execute(select(func.count()).select_from(table)).scalar() or 0 for _, table, _ in TABLES)
        done = 0
        yield (f'{{\n  "format": {json.dumps(FORMAT_NAME)},\n  "version": {FORMAT_VERSION},\n'
               f'  "schema": {json.dumps(HEAD)}')
        for key, table, _ in TABLES:
            first = True
            yield f',\n  "{key}": ['
            for chunk in _records(conn, table):
                yield ("\n    " if first else ",\n    ") + ",\n    ".join(map(encode, chunk))
                first = False
                done += len(chunk)
                if progress is not None:
                    progress("exporting", done, total)
            yield "]" if first else "\n  ]"
        yield "\n}\n"




def export_csv_text(store: Store, *, skipped: Optional[list] = None,
                    progress: Optional[Callable[[str, int, int], None]] = None, raw_cells: bool = False):
    """Binary forecasts as CSV (the format carries binary forecasts only), in
    pieces of text, a chunk of rows at a time; the number of categorical
    forecasts left out is appended to ``skipped`` before the first piece.
    ``progress(phase, done, total)`` hears the rows written ("exporting").
    Text cells that a spreadsheet would evaluate as a formula get a ' in
    front (:func:`csv_cell_safe`) unless ``raw_cells``."""
    safe = (lambda v: v) if raw_cells else csv_cell_safe
    from sqlalchemy import func, select

    from sqlalchemy import and_

    r = T_RESOLUTION.alias("r")
    f, q = T_FORECAST, T_QUESTION
    stmt = (
        select(f.c.question_id, f.c.analyst, f.c.probability, f.c.made_at, q.c.deadline, q.c.text, r.c.outcome, r.c.annulled, r.c.known_at)
        .select_from(f.join(q, q.c.id == f.c.question_id))
        .outerjoin(r, and_(r.c.question_id == f.c.question_id, is_current(r)))
        .where(q.c.kind == "binary")
        .order_by(f.c.question_id, f.c.made_at, f.c.id)
    )
    binary = f.join(q, q.c.id == f.c.question_id)
    with store.read() as conn:
        left_out = conn.execute(select(func.count()).select_from(binary).where(q.c.kind != "binary")).scalar()
        total = conn.execute(select(func.count()).select_from(binary).where(q.c.kind == "binary")).scalar() or 0
        if skipped is not None:
            skipped.append(int(left_out or 0))
        tags: dict[str, list[str]] = defaultdict(list)
        for qid, tag in conn.execute(select(T_TAG.c.question_id, T_TAG.c.tag).order_by(T_TAG.c.question_id, T_TAG.c.tag)):
            tags[qid].append(tag)
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        # a text holding a carriage return is quoted (csv quotes only the line terminator's characters):
        # unquoted, a reader would take it for the end of the row
        quoted = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
        writer.writerow(CSV_COLUMNS)
        result = conn.execute(stmt)
        done = 0
        while True:
            rows = result.fetchmany(EXPORT_CHUNK_ROWS)
            if not rows:
                break
            for qid, analyst, p, made_at, deadline, text, outcome, annulled, known_at in rows:
                resolved = outcome is not None and not annulled
                (quoted if "\r" in text else writer).writerow([
                    qid, safe(analyst), repr(float(p)) if not math.isnan(p) else "", _jsonable(made_at),
                    deadline.isoformat(), safe(text), safe(";".join(tags.get(qid, ()))), outcome if resolved else "",
                    _jsonable(known_at) if resolved else "",
                ])
            done += len(rows)
            yield out.getvalue()
            out.seek(0)
            out.truncate()
            if progress is not None:
                progress("exporting", done, total)
        if done == 0:
            yield out.getvalue()
