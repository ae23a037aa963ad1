"""Run the whole benchmark suite: ``python -m bench`` (from the project root).

    python -m bench [--only import,score,team,cli,pb,foreign,others] [--sizes 10000,100000,1000000]
                    [--repeats N] [--no-pg] [--keep]

In one run, sharing one temporary folder (generated files and databases are
made once and reused):

* import   bench/import_csv.py   ``tracker import`` of a forecast CSV, SQLite and
                                 PostgreSQL, at each size, beside csv+sqlite3 /
                                 COPY floors (target at 100,000 rows: <= 3x)
* score    bench/score_db.py     ``tracker score --by analyst`` at each size
                                 beside a sqlite3+numpy floor (target at
                                 1,000,000: <= 2x, peak memory < 500 MB)
* team     bench/team.py         ``tracker score --by analyst --team`` (the team's four
                                 aggregates scored like analysts, the extremizing factor
                                 fitted out of sample) at the two largest sizes beside the
                                 score floor (target at 1,000,000: <= 2x)
* cli      bench/cli_latency.py  ``--help``, ``forecast``, ``list --due``,
                                 ``show`` on the largest database beside
                                 ``import click`` / ``import sqlmodel``
* pb       bench/predictionbook.py  the real PredictionBook workload
* foreign  bench/import_foreign.py  ``tracker import --from`` of a Fatebook,
                                 Metaculus, PredictionBook and Good Judgment
                                 export at 100,000 forecasts beside the
                                 forecast CSV import of the same forecasts
                                 (target: <= 3x)
* others   bench/score.py, bench/extract.py, bench/extract_quality.py and
           bench/honest_stats.py (scoring functions, claim extraction speed,
           extraction quality on the labelled corpus's test part beside a
           keyword baseline, the simulation study of intervals and verdicts),
           run as they are

then the growth table (import and score time at each size) and the list of
targets missed. Every figure is the best of several runs, tool and floor
alternating; the machine's load moves single runs by tens of percent.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import common as C  # noqa: E402

PARTS = ("import", "score", "team", "cli", "pb", "foreign", "others")


def growth_table(imports: dict, scores: dict) -> None:
    print("\nGrowth with size (best times; per row = time / rows; x = factor over the size 10 times smaller)")
    print(f"  {'what':<18} {'rows':>10} {'tool s':>8} {'us/row':>7} {'x':>5}   {'floor s':>8} {'us/row':>7} {'x':>5}")
    series = [(f"import.{backend}", data) for backend, data in imports.items() if data]
    series.append(("score.by_analyst", {n: v[:2] for n, v in scores.items()}))
    for name, data in series:
        prev = None
        for n in sorted(data):
            tool_s, floor_s = data[n][0], data[n][1]
            xt = f"{tool_s / prev[0]:5.1f}" if prev else "    -"
            xf = f"{floor_s / prev[1]:5.1f}" if prev else "    -"
            print(f"  {name:<18} {n:>10,} {tool_s:8.2f} {tool_s / n * 1e6:7.1f} {xt}   {floor_s:8.2f} {floor_s / n * 1e6:7.1f} {xf}")
            prev = (tool_s, floor_s)


def run_others(names: list[str]) -> None:
    for script in names:
        path = C.ROOT / "bench" / script
        if not path.exists():
            continue
        print(f"\n--- bench/{script} (owned elsewhere; run as is)", flush=True)
        start = time.perf_counter()
        done = subprocess.run([sys.executable, str(path)], cwd=C.ROOT)
        print(f"--- bench/{script}: exit {done.returncode} after {time.perf_counter() - start:.0f} s", flush=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", default=",".join(PARTS), help=f"comma-separated parts ({', '.join(PARTS)})")
    ap.add_argument("--sizes", default="10000,100000,1000000", help="forecast counts for import and score")
    ap.add_argument("--repeats", type=int, default=3, help="best of N (the CLI latencies take 2N+1)")
    ap.add_argument("--no-pg", action="store_true", help="skip PostgreSQL")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = ap.parse_args(argv)
    parts = [p for p in args.only.split(",") if p]
    unknown = set(parts) - set(PARTS)
    if unknown:
        ap.error(f"unknown part(s) {', '.join(sorted(unknown))}")
    sizes = args.sizes
    largest = max(int(s) for s in sizes.split(","))
    smallest = min(int(s) for s in sizes.split(","))
    started = time.perf_counter()
    ws = C.Workspace(keep=args.keep)
    print(f"forecast-tracker benchmarks: python {sys.version.split()[0]}, temporary folder {ws.dir}", flush=True)
    imports: dict = {}
    scores: dict = {}
    try:
        if "import" in parts:
            from bench import import_csv

            print("\n== import", flush=True)
            imports = import_csv.main(["--sizes", sizes, "--repeats", str(args.repeats)] + (["--no-pg"] if args.no_pg else []), ws=ws)
        if "score" in parts:
            from bench import score_db

            print("\n== score", flush=True)
            scores = score_db.main(["--sizes", sizes, "--repeats", str(args.repeats)], ws=ws)
        if "team" in parts:
            from bench import team

            print("\n== team", flush=True)
            team_sizes = sorted(int(s) for s in sizes.split(","))[-2:]
            team.main(["--sizes", ",".join(map(str, team_sizes)), "--repeats", str(args.repeats)], ws=ws)
        if "cli" in parts:
            from bench import cli_latency

            print("\n== command latency", flush=True)
            cli_latency.main(["--size", str(largest), "--small", str(smallest), "--repeats", str(2 * args.repeats + 1)], ws=ws)
        if "pb" in parts:
            from bench import predictionbook

            print("\n== PredictionBook", flush=True)
            predictionbook.main(["--repeats", str(args.repeats)], ws=ws)
        if "foreign" in parts:
            from bench import import_foreign

            print("\n== import of other tools' exports", flush=True)
            import_foreign.main(["--repeats", str(min(args.repeats, 2))], ws=ws)
        if imports or scores:
            growth_table(imports, scores)
        if "others" in parts:
            run_others(["score.py", "extract.py", "extract_quality.py", "honest_stats.py"])
    finally:
        ws.close()
    print(f"\nsuite done in {time.perf_counter() - started:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
