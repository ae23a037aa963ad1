"""Benchmark: ``tracker score --by analyst`` over a SQLite database.

    python -m bench.score_db [--sizes 10000,100000,1000000] [--repeats N]

The database holds the forecasts of bench.common.make_data (N forecasts on
N/10 resolved questions, 100 analysts, one to four analysts a question with
revisions), imported by the tool itself (``tracker import``) and cached for
the run. The tool's run is the whole default report: for each analyst the
final forecast of every (question, analyst) pair, Brier with its 95%
interval (percentile bootstrap, or its normal limit where resampling cannot
move it; see tracker.scoring.bootstrap_ci), log score, Murphy and CORP decompositions, calibration slope, and
the relative Brier against the median analyst.

Floor (a subprocess of ``sys.executable -c``, code below): ``sqlite3``
fetches the same columns (question, analyst, probability, outcome) of the
scoreable forecasts in the same order, numpy keeps each pair's last one and
computes the mean Brier score per analyst.

Targets at 1,000,000 forecasts: at most 2 times the floor; peak memory
(the process's own maximum resident set) under 500 MB.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import common as C  # noqa: E402

TARGET = 2.0
TARGET_SIZE = 1_000_000
MEMORY_MB = 500

FLOOR = r'''
import sqlite3, sys
import numpy as np
con = sqlite3.connect(sys.argv[1])
rows = con.execute("""
    SELECT f.question_id, f.analyst, f.probability, r.outcome = 'yes'
    FROM forecast f JOIN resolution r ON r.question_id = f.question_id
    WHERE r.annulled = 0 AND f.made_at < r.known_at
    ORDER BY f.question_id, f.analyst, f.made_at, f.id
""").fetchall()
q, a, p, y = zip(*rows)
q = np.array(q, dtype=object)
a = np.array(a, dtype=object)
p = np.array(p, dtype=np.float64)
y = np.array(y, dtype=np.float64)
last = np.flatnonzero(np.append((q[1:] != q[:-1]) | (a[1:] != a[:-1]), True))
names, inv = np.unique(a[last].astype(str), return_inverse=True)
brier = np.bincount(inv, weights=(p[last] - y[last]) ** 2) / np.bincount(inv)
for name, b in zip(names, brier):
    print(name, f"{b:.6f}")
'''


def check_same(tool_out: str, floor_out: str) -> None:
    """The tool's per-analyst Brier equals the floor's."""
    import json

    tool = {r["group"]: r["brier"] for r in json.loads(tool_out)}
    floor = {name: float(v) for name, v in (line.split() for line in floor_out.splitlines())}
    if set(tool) != set(floor) or any(abs(tool[k] - floor[k]) > 1e-6 for k in floor):
        raise SystemExit("tool and floor disagree on the Brier scores per analyst")


def bench(ws: "C.Workspace", n: int, repeats: int) -> tuple[float, float, float]:
    db = ws.db(n)
    url = C.sqlite_url(db)
    best = C.best_of(
        [
            ("floor", lambda: C.run(C.floor_cmd(FLOOR, db)), None),
            ("tool", lambda: C.tool("score", "--by", "analyst", "--json", db=url, home=ws.home), None),
        ],
        repeats,
    )
    check_same(best["tool"].stdout, best["floor"].stdout)
    rss = C.peak_memory_mb([C.TRACKER, "--db", url, "score", "--by", "analyst", "--json"], env=C.tool_env(ws.home))
    return best["tool"].seconds, best["floor"].seconds, rss


def bench_no_bootstrap(ws: "C.Workspace", n: int, repeats: int) -> float:
    """The same report without the Brier intervals: how much of the time they take."""
    url = C.sqlite_url(ws.db(n))
    best = C.best_of([("tool", lambda: C.tool("score", "--by", "analyst", "--json", "--no-bootstrap", db=url, home=ws.home), None)],
                     repeats)
    return best["tool"].seconds


def main(argv=None, ws: "C.Workspace | None" = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args(argv)
    results = {}
    with C.workspace(ws) as ws:
        for n in [int(s) for s in args.sizes.split(",") if s]:
            tool_s, floor_s, rss = bench(ws, n, args.repeats)
            results[n] = (tool_s, floor_s, rss)
            C.report("score.by_analyst", f"{C.fmt_n(n)} forecasts", tool_s, floor_s, TARGET if n == TARGET_SIZE else None,
                     f"peak {rss:.0f} MB" if rss is not None else "")
            if n == TARGET_SIZE:
                quick = bench_no_bootstrap(ws, n, args.repeats)
                print(f"{'score.no_bootstrap':<22} {C.fmt_n(n) + ' forecasts':>18}  tool {quick:6.2f} s  floor {floor_s:6.2f} s"
                      f"  ratio {quick / floor_s:4.2f}  (no target: --no-bootstrap, all else the same)", flush=True)
            if n == TARGET_SIZE and rss is not None:
                ok = rss < MEMORY_MB
                print(f"{'score.peak_memory':<22} {C.fmt_n(n) + ' forecasts':>18}  tool {rss:.0f} MB"
                      f"  (target < {MEMORY_MB} MB)  {'OK' if ok else 'MISS'}", flush=True)
    return results


if __name__ == "__main__":
    main()
