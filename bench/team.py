"""Benchmark: the team as a forecaster, ``tracker score --by analyst --team``, over a SQLite database.

    python -m bench.team [--sizes 100000,1000000] [--repeats N]

The database is bench.common's (N forecasts on N/10 resolved questions, 100
analysts, one to four analysts a question with revisions), imported by the
tool itself and shared with bench.score_db when run from the suite. The
tool's run is the whole per-analyst report (as bench.score_db's) plus the
team's four aggregates (mean, median, log-odds mean, extremized with its
factor fitted leaving each question out, and the factor's interval), each
scored like an analyst: Brier with its interval, log score, Murphy and CORP
decompositions, calibration slope, relative Brier.

Floors (subprocesses of ``sys.executable -c``, code below), measured in the
same run: bench.score_db's floor (``sqlite3`` fetch, each pair's last
forecast, mean Brier per analyst), the floor the issue names; and a team
floor doing the least team work on top of it: each question's plain mean of
the analysts' last forecasts and its Brier score. The team floor's figure
is checked against the tool's ``team (mean)`` row.

Target at 1,000,000 forecasts: at most 2 times the ``score --by analyst``
floor.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import common as C  # noqa: E402
from bench.score_db import FLOOR, check_same  # noqa: E402

TARGET = 2.0
TARGET_SIZE = 1_000_000

TEAM_FLOOR = FLOOR.replace('''names, inv = np.unique(a[last].astype(str), return_inverse=True)''', '''qs, qi = np.unique(q[last].astype(str), return_inverse=True)
team = np.bincount(qi, weights=p[last]) / np.bincount(qi)
yq = np.zeros(len(qs)); yq[qi] = y[last]
print("team-mean", f"{np.mean((team - yq) ** 2):.6f}")
names, inv = np.unique(a[last].astype(str), return_inverse=True)''')


def check_team(tool_out: str, floor_out: str) -> None:
    rows = {r["group"]: r for r in json.loads(tool_out)}
    floor = dict(line.split() for line in floor_out.splitlines())
    if abs(rows["team (mean)"]["brier"] - float(floor["team-mean"])) > 1e-6:
        raise SystemExit("tool and team floor disagree on the team's mean Brier score")
    del floor["team-mean"]
    analysts = [r for g, r in rows.items() if not g.startswith("team (")]
    check_same(json.dumps(analysts), "\n".join(f"{k} {v}" for k, v in floor.items()))


def bench(ws: "C.Workspace", n: int, repeats: int):
    db = ws.db(n)
    url = C.sqlite_url(db)
    best = C.best_of(
        [
            ("floor", lambda: C.run(C.floor_cmd(FLOOR, db)), None),
            ("team-floor", lambda: C.run(C.floor_cmd(TEAM_FLOOR, db)), None),
            ("score", lambda: C.tool("score", "--by", "analyst", "--json", db=url, home=ws.home), None),
            ("tool", lambda: C.tool("score", "--by", "analyst", "--team", "--json", db=url, home=ws.home), None),
        ],
        repeats,
    )
    check_team(best["tool"].stdout, best["team-floor"].stdout)
    rows = {r["group"]: r for r in json.loads(best["tool"].stdout)}
    fit = rows["team (extremized)"]["team"]["fit"]
    return best, rows, fit


def main(argv=None, ws: "C.Workspace | None" = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="100000,1000000")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args(argv)
    results = {}
    with C.workspace(ws) as ws:
        for n in [int(s) for s in args.sizes.split(",") if s]:
            best, rows, fit = bench(ws, n, args.repeats)
            tool_s, floor_s = best["tool"].seconds, best["floor"].seconds
            results[n] = (tool_s, floor_s)
            C.report("team.score_team", f"{C.fmt_n(n)} forecasts", tool_s, floor_s, TARGET if n == TARGET_SIZE else None,
                     "floor: score --by analyst's")
            C.report("team.vs_team_floor", f"{C.fmt_n(n)} forecasts", tool_s, best["team-floor"].seconds, None,
                     "floor: + each question's plain mean")
            C.report("team.score_alone", f"{C.fmt_n(n)} forecasts", best["score"].seconds, floor_s, None,
                     "tracker score --by analyst, no --team")
            briers = ", ".join(f"{m} {rows[f'team ({m})']['brier']:.4f}" for m in ("mean", "median", "logodds", "extremized"))
            C.note(f"team Brier (0-1): {briers}; factor {fit['factor']:.3f} {fit['interval']} "
                   f"[{fit['factor_ci'][0]:.3f}, {fit['factor_ci'][1]:.3f}] on {fit['n_questions']:,} questions")
    return results


if __name__ == "__main__":
    main()
