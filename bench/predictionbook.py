"""Benchmark: a real workload, the resolved binary PredictionBook predictions.

    python -m bench.predictionbook [--repeats N]

Source: ``../shared/data/predictionbook_binary_resolved.csv`` (relative to the
project root; read from there, never copied into the repository): 51,135
forecasts by 1,997 users on 15,225 questions, 2008 onwards, with revisions
over time and exact 0 and 1 probabilities. Columns: question_id, user_id,
probability, timestamp (when the forecast was made), open_time, close_time,
resolve_time, outcome (0/1). Times are ISO 8601 with a +00:00 offset.

Conversion to the tool's forecast CSV (``convert``):

* question = ``pb-<question_id>``, analyst = user_id, probability as is,
  made_at = timestamp;
* deadline = close_time's date (UTC): the tool's deadline is a calendar day
  and means "by the end of that day";
* outcome = yes for 1, no for 0; known_at = resolve_time (when the outcome
  was recorded on the site: the moment it became known, as far as the data
  tell);
* forecasts made after close_time (the question had closed) or at or after
  resolve_time (the answer was known) are not forecasts: they are dropped
  and counted. A question left with no forecast is not created.

The benchmark converts the file, imports it (``tracker import``) into an
empty SQLite database, and scores it by analyst in each mode (final,
initial, time-weighted); it prints the times and the team Brier score
(``tracker score --json``, 0-1 scale) with the number of pairs scored.
Floors beside the import and the final-mode score are those of
bench.import_csv and bench.score_db, run on the same data.
``tests/test_workload_predictionbook.py`` pins the team Brier numbers.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import common as C  # noqa: E402

SOURCE = C.SHARED_DATA / "predictionbook_binary_resolved.csv"
COLUMNS = ("question_id", "user_id", "probability", "timestamp", "open_time", "close_time", "resolve_time", "outcome")
MODES = ("final", "initial", "time-weighted")
HEADER = ("question", "analyst", "probability", "made_at", "deadline", "tags", "outcome", "known_at")


@dataclass
class Conversion:
    rows: int = 0
    kept: int = 0
    after_close: int = 0
    after_resolution: int = 0
    questions: int = 0
    analysts: int = 0

    def describe(self) -> str:
        return (f"{C.fmt_n(self.rows)} rows -> {C.fmt_n(self.kept)} forecasts kept on {C.fmt_n(self.questions)} questions "
                f"by {C.fmt_n(self.analysts)} analysts; dropped {C.fmt_n(self.after_close)} made after close_time and "
                f"{C.fmt_n(self.after_resolution)} made at or after resolve_time")


def convert(source: Path, target: Path) -> Conversion:
    """Write the tool's forecast CSV for the PredictionBook file (rules above)."""
    stats = Conversion()
    questions, analysts = set(), set()
    with open(source, newline="", encoding="utf-8") as fh, open(target, "w", newline="", encoding="utf-8") as out:
        reader = csv.DictReader(fh)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise ValueError(f"{source}: unexpected columns {reader.fieldnames}")
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(HEADER)
        for r in reader:
            stats.rows += 1
            made = datetime.fromisoformat(r["timestamp"])
            close = datetime.fromisoformat(r["close_time"])
            resolved = datetime.fromisoformat(r["resolve_time"])
            if made > close:
                stats.after_close += 1
                continue
            if made >= resolved:
                stats.after_resolution += 1
                continue
            if r["outcome"] not in ("0", "1"):
                raise ValueError(f"{source}: outcome {r['outcome']!r} is not 0 or 1")
            qid = f"pb-{r['question_id']}"
            questions.add(qid)
            analysts.add(r["user_id"])
            stats.kept += 1
            writer.writerow([qid, r["user_id"], r["probability"], r["timestamp"], close.date().isoformat(), "",
                             "yes" if r["outcome"] == "1" else "no", r["resolve_time"]])
    stats.questions, stats.analysts = len(questions), len(analysts)
    return stats


def main(argv=None, ws: "C.Workspace | None" = None) -> dict:
    from bench.import_csv import FLOOR_SQLITE
    from bench.score_db import FLOOR as FLOOR_SCORE

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args(argv)
    if not SOURCE.exists():
        print(f"predictionbook         skipped: {SOURCE} is not there")
        return {}
    out: dict = {}
    with C.workspace(ws) as ws:
        converted = ws.dir / "predictionbook.csv"
        start = time.perf_counter()
        stats = convert(SOURCE, converted)
        print(f"{'pb.convert':<22} {stats.describe()}; {time.perf_counter() - start:.2f} s", flush=True)
        template = ws.empty_sqlite()
        tool_db, floor_db = ws.dir / "pb-tool.db", ws.dir / "pb-floor.db"
        url = C.sqlite_url(tool_db)
        best = C.best_of(
            [
                ("floor", lambda: C.run(C.floor_cmd(FLOOR_SQLITE, converted, floor_db)), lambda: C.fresh_copy(template, floor_db)),
                ("tool", lambda: C.tool("import", str(converted), db=url, home=ws.home), lambda: C.fresh_copy(template, tool_db)),
            ],
            args.repeats,
        )
        out["import"] = (best["tool"].seconds, best["floor"].seconds)
        C.report("pb.import.sqlite", f"{C.fmt_n(stats.kept)} rows", best["tool"].seconds, best["floor"].seconds, None)
        C.note(best["tool"].stderr.strip())
        for mode in MODES:
            pairs = [("tool", lambda mode=mode: C.tool("score", "--by", "analyst", "--mode", mode, "--json", db=url, home=ws.home), None)]
            if mode == "final":
                pairs.insert(0, ("floor", lambda: C.run(C.floor_cmd(FLOOR_SCORE, tool_db)), None))
            best = C.best_of(pairs, args.repeats)
            team = json.loads(C.tool("score", "--mode", mode, "--json", db=url, home=ws.home).stdout)
            extra = f"team Brier {team['brier']:.6f} (0-1) on {C.fmt_n(team['n'])} pairs"
            out[mode] = (best["tool"].seconds, team["brier"], team["n"])
            if "floor" in best:
                C.report(f"pb.score.{mode}", f"{C.fmt_n(stats.kept)} forecasts", best["tool"].seconds, best["floor"].seconds,
                         None, extra)
            else:
                print(f"{'pb.score.' + mode:<22} {C.fmt_n(stats.kept) + ' forecasts':>18}  tool {best['tool'].seconds:6.2f} s"
                      f"  (no floor for this mode)  {extra}", flush=True)
    return out


if __name__ == "__main__":
    main()
