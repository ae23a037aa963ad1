"""Benchmark: ``tracker import FILE.csv`` of a generated forecast CSV.

    python -m bench.import_csv [--sizes 10000,100000,1000000] [--repeats N] [--no-pg]

The file (bench.common.make_data, fixed seed): N forecasts on N/10 resolved
questions, with made_at, deadline, tags, outcome and (a quarter of the
questions) known_at columns. Each run imports it into an empty, upgraded
database (made untimed before the run): a SQLite file, and a fresh schema of
the PostgreSQL server on 127.0.0.1:5432 when it answers.

Floors, each a subprocess of ``sys.executable -c`` running the code below,
doing the same work with no tool around it, into the same empty tables
(made by ``tracker db upgrade``, so with the same indexes and triggers):

* SQLite: Python's ``csv`` module reads the file; ``sqlite3`` ``executemany``
  inserts the analysts, questions, tags, forecasts and resolutions in one
  transaction (timestamps reformatted with string slicing, no validation).
* PostgreSQL: the same parse, then ``COPY ... FROM STDIN`` of the same rows
  through psycopg (``Copy.write_row``), in one transaction.

Targets at 100,000 rows: tool at most 3 times the floor on each backend.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import common as C  # noqa: E402

TARGET = 3.0
TARGET_SIZE = 100_000

# The floor's parse, shared by both floors: rows -> the five tables' rows.
FLOOR_PARSE = r'''
import csv, sys, datetime
path = sys.argv[1]
now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")
with open(path, newline="", encoding="utf-8") as fh:
    reader = csv.reader(fh)
    header = next(reader)
    forecasts, questions, analysts = [], {}, set()
    for q, a, p, m, d, tags, o, k in reader:
        made = m[:10] + " " + m[11:19] + ".000000"
        forecasts.append((q, a, float(p), made, now, 1, "csv"))
        analysts.add(a)
        info = questions.get(q)
        if info is None:
            questions[q] = [d, made, tags, o, k[:10] + " " + k[11:19] + ".000000" if k else None]
        elif made < info[1]:
            info[1] = made
rows_q, rows_t, rows_r = [], [], []
for q, (d, opened, tags, o, k) in questions.items():
    rows_q.append((q, q, "binary", '["yes", "no"]', 0, d, opened, now))
    rows_t.extend((q, t) for t in tags.split(";") if t)
    if o:
        known = k or (datetime.date.fromisoformat(d) + datetime.timedelta(days=1)).isoformat() + " 00:00:00.000000"
        rows_r.append((q, o, 0, known, now, "floor", "[]", "csv"))
rows_a = [(a, now) for a in sorted(analysts)]
'''

FLOOR_SQLITE = FLOOR_PARSE + r'''
import sqlite3
con = sqlite3.connect(sys.argv[2], isolation_level=None)
con.execute("BEGIN")
con.executemany("INSERT INTO analyst (name, created_at) VALUES (?, ?)", rows_a)
con.executemany("INSERT INTO question (id, text, kind, outcomes, ordered, deadline, opened_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows_q)
con.executemany("INSERT INTO question_tag (question_id, tag) VALUES (?, ?)", rows_t)
con.executemany("INSERT INTO forecast (question_id, analyst, probability, made_at, recorded_at, imported, source) VALUES (?, ?, ?, ?, ?, ?, ?)", forecasts)
con.executemany("INSERT INTO resolution (question_id, outcome, annulled, known_at, recorded_at, recorded_by, evidence, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows_r)
con.execute("COMMIT")
print(len(forecasts))
'''

FLOOR_PG = FLOOR_PARSE + r'''
import psycopg
def copy(cur, sql, rows):
    with cur.copy(sql) as cp:
        for row in rows:
            cp.write_row(row)
with psycopg.connect(sys.argv[2], options="-csearch_path=" + sys.argv[3]) as conn:
    with conn.cursor() as cur:
        utc = lambda rows, cols: [tuple(v + "+00" if i in cols else v for i, v in enumerate(r)) for r in rows]
        copy(cur, "COPY analyst (name, created_at) FROM STDIN", utc(rows_a, {1}))
        copy(cur, "COPY question (id, text, kind, outcomes, ordered, deadline, opened_at, created_at) FROM STDIN",
             [(q, t, k, o, False, d, op + "+00", c + "+00") for q, t, k, o, _, d, op, c in rows_q])
        copy(cur, "COPY question_tag (question_id, tag) FROM STDIN", rows_t)
        copy(cur, "COPY forecast (question_id, analyst, probability, made_at, recorded_at, imported, source) FROM STDIN",
             [(q, a, p, m + "+00", r + "+00", True, s) for q, a, p, m, r, _, s in forecasts])
        copy(cur, "COPY resolution (question_id, outcome, annulled, known_at, recorded_at, recorded_by, evidence, source) FROM STDIN",
             [(q, o, False, k + "+00", r + "+00", b, e, s) for q, o, _, k, r, b, e, s in rows_r])
print(len(forecasts))
'''


def repeats_for(n: int, base: int) -> int:
    return base if n <= 100_000 else max(1, min(base, 2))


def check_same(tool_db: Path, floor_db: Path) -> None:
    """Both runs stored the same forecasts (a sanity check of the floor)."""
    import sqlite3

    q = "SELECT COUNT(*), COUNT(DISTINCT question_id), ROUND(SUM(probability), 6), MIN(made_at), MAX(made_at) FROM forecast"
    a = sqlite3.connect(tool_db).execute(q).fetchone()
    b = sqlite3.connect(floor_db).execute(q).fetchone()
    if a != b:
        raise SystemExit(f"tool and floor stored different forecasts: {a} vs {b}")


def bench_sqlite(ws: "C.Workspace", n: int, repeats: int) -> tuple[float, float]:
    csv_path = ws.csv(n)
    template = ws.empty_sqlite()
    tool_db, floor_db = ws.dir / f"import-tool-{n}.db", ws.dir / f"import-floor-{n}.db"
    url = C.sqlite_url(tool_db)
    best = C.best_of(
        [
            ("floor", lambda: C.run(C.floor_cmd(FLOOR_SQLITE, csv_path, floor_db)), lambda: C.fresh_copy(template, floor_db)),
            ("tool", lambda: C.tool("import", str(csv_path), db=url, home=ws.home), lambda: C.fresh_copy(template, tool_db)),
        ],
        repeats_for(n, repeats),
    )
    check_same(tool_db, floor_db)
    ws.keep_imported(n, tool_db)
    return best["tool"].seconds, best["floor"].seconds


def bench_pg(ws: "C.Workspace", n: int, repeats: int) -> tuple[float, float]:
    csv_path = ws.csv(n)
    schemas = C.PGSchemas(ws.home)
    state: dict = {}

    def prep(who):
        def go():
            state[who] = schemas.new()
        return go

    try:
        best = C.best_of(
            [
                ("floor", lambda: C.run(C.floor_cmd(FLOOR_PG, csv_path, C.PG_DSN, state["floor"][0])), prep("floor")),
                ("tool", lambda: C.tool("import", str(csv_path), db=state["tool"][1], home=ws.home), prep("tool")),
            ],
            repeats_for(n, repeats),
        )
    finally:
        schemas.drop_all()
    return best["tool"].seconds, best["floor"].seconds


def main(argv=None, ws: "C.Workspace | None" = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--no-pg", action="store_true")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    results: dict = {"sqlite": {}, "postgresql": {}}
    with C.workspace(ws) as ws:
        for n in sizes:
            tool_s, floor_s = bench_sqlite(ws, n, args.repeats)
            results["sqlite"][n] = (tool_s, floor_s)
            C.report("import.sqlite", f"{C.fmt_n(n)} rows", tool_s, floor_s, TARGET if n == TARGET_SIZE else None)
        reason = None if not args.no_pg else "--no-pg"
        reason = reason or C.pg_available()
        if reason:
            print(f"import.postgresql      skipped: {reason}")
        else:
            for n in sizes:
                tool_s, floor_s = bench_pg(ws, n, args.repeats)
                results["postgresql"][n] = (tool_s, floor_s)
                C.report("import.postgresql", f"{C.fmt_n(n)} rows", tool_s, floor_s, TARGET if n == TARGET_SIZE else None)
    return results


if __name__ == "__main__":
    main()
