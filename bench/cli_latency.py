"""Benchmark: how long everyday commands take, start to finish, on a big database.

    python -m bench.cli_latency [--size 1000000] [--repeats N]

The database: bench.common.make_data(N) (N forecasts on N/10 resolved
questions) imported by the tool, plus open questions with deadlines from
ten days ago to a year ahead (N/1000 of them, N/100 forecasts), so that
``list --due`` has a short answer and ``forecast`` has open questions.

Each command is a subprocess of the ``tracker`` console script, so Python's
start-up and the imports count, as a user sees them. Floors (subprocesses of
``sys.executable``): ``python -c "import click"`` for ``tracker --help``;
``python -c "import sqlmodel"`` (the libraries any database command needs)
for the rest. Best of N, tool and floor runs alternating.

Targets: ``--help`` at most 1.5 times its floor; ``forecast Q 0.7`` at most
1.3 times; ``list --due``, ``show ID``, ``todo --analyst A``, ``search WORDS``
and ``list --search WORDS`` at most 1.5 times.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import common as C  # noqa: E402

FLOOR_CLICK = "import click"
FLOOR_SQLMODEL = "import sqlmodel"


def pick_questions(db: Path) -> tuple[str, str]:
    """An open question with a deadline ahead (for ``forecast``) and a
    resolved one with a typical history (for ``show``)."""
    con = sqlite3.connect(db)
    try:
        today = C.today().isoformat()
        open_q = con.execute(
            "SELECT q.id FROM question q WHERE q.deadline > ? AND NOT EXISTS "
            "(SELECT 1 FROM resolution r WHERE r.question_id = q.id) ORDER BY q.deadline DESC LIMIT 1",
            (today,),
        ).fetchone()[0]
        shown = con.execute(
            "SELECT question_id FROM forecast WHERE question_id = (SELECT MIN(question_id) FROM resolution)"
        ).fetchone()[0]
    finally:
        con.close()
    return open_q, shown


def main(argv=None, ws: "C.Workspace | None" = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", type=int, default=1_000_000)
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--small", type=int, default=10_000, help="also time the commands on this size (cost vs size)")
    args = ap.parse_args(argv)
    results = {}
    with C.workspace(ws) as ws:
        db = ws.latency_db(args.size)
        url = C.sqlite_url(db)
        open_q, shown = pick_questions(db)
        n = sqlite3.connect(db).execute("SELECT COUNT(*) FROM forecast").fetchone()[0]
        size = f"{C.fmt_n(n)} forecasts"
        home = ws.home
        cases = [
            ("cli.help", [C.TRACKER, "--help"], FLOOR_CLICK, 1.5, "-"),
            ("cli.forecast", [C.TRACKER, "--db", url, "forecast", open_q, "0.7"], FLOOR_SQLMODEL, 1.3, size),
            ("cli.list_due", [C.TRACKER, "--db", url, "list", "--due"], FLOOR_SQLMODEL, 1.5, size),
            ("cli.show", [C.TRACKER, "--db", url, "show", shown], FLOOR_SQLMODEL, 1.5, size),
            ("cli.todo", [C.TRACKER, "--db", url, "todo", "--analyst", C.analyst_name(0)], FLOOR_SQLMODEL, 1.5, size),
            ("cli.search", [C.TRACKER, "--db", url, "search", open_q], FLOOR_SQLMODEL, 1.5, size),
            ("cli.list_search", [C.TRACKER, "--db", url, "list", "--search", open_q], FLOOR_SQLMODEL, 1.5, size),
        ]
        env = C.tool_env(home)
        C.run([C.TRACKER, "--db", url, "list", "--due"], env=env)  # warm the file cache once
        small_db = ws.latency_db(args.small) if args.small and args.small < args.size else None
        small_cmds = {}
        if small_db is not None:
            s_url = C.sqlite_url(small_db)
            s_open, s_shown = pick_questions(small_db)
            small_cmds = {
                "cli.forecast": [C.TRACKER, "--db", s_url, "forecast", s_open, "0.7"],
                "cli.list_due": [C.TRACKER, "--db", s_url, "list", "--due"],
                "cli.show": [C.TRACKER, "--db", s_url, "show", s_shown],
                "cli.todo": [C.TRACKER, "--db", s_url, "todo", "--analyst", C.analyst_name(0)],
                "cli.search": [C.TRACKER, "--db", s_url, "search", s_open],
            }
        for name, cmd, floor, target, label in cases:
            pairs = [
                ("floor", lambda floor=floor: C.run(C.floor_cmd(floor)), None),
                ("tool", lambda cmd=cmd: C.run(cmd, env=env), None),
            ]
            if name in small_cmds:
                pairs.append(("small", lambda cmd=small_cmds[name]: C.run(cmd, env=env), None))
            best = C.best_of(pairs, args.repeats)
            results[name] = (best["tool"].seconds, best["floor"].seconds)
            extra = f"floor: python -c {floor!r}"
            if "small" in best:
                extra += f"; on {C.fmt_n(args.small)}-forecast db {best['small'].seconds:.2f} s"
            C.report(name, label, best["tool"].seconds, best["floor"].seconds, target, extra)
    return results


if __name__ == "__main__":
    main()
