"""Benchmark: ``tracker report -o FILE`` on 10,000 resolved questions and 100,000 forecasts.

    python bench/report.py [--repeats 3] [--keep]

The database (bench.common.make_data, fixed seed; 100 analysts, whole-percent
forecasts, questions over 2015-2024) is built untimed by ``tracker import``
of the generated CSV. The report covers everything (all quarters, every
analyst): summary, calibration figure, decompositions, per-analyst table and
figure, the resolved-question list with every analyst's final forecast, the
trend over about forty quarters.

Floor, measured in the same run: a fresh interpreter importing just the
libraries the report uses, ``python -c "import ..."``. Which ones is found in
the same run (untimed): a probe runs the report once in-process and lists
every module it added to ``sys.modules`` outside the ``tracker`` package
(matplotlib's Figure and its SVG backend, fontTools, Jinja2, numpy, scipy's
optimize and special, SQLAlchemy and its SQLite dialect, SQLModel, pydantic,
click and the standard library modules they pull in); the floor imports
exactly those. Both sides are subprocesses timed from spawn to exit, best of
``--repeats``, alternating. Target: the report in at most twice the floor.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import common as C  # noqa: E402

THIRD_PARTY = {"click", "numpy", "scipy", "sqlalchemy", "sqlmodel", "pydantic", "pydantic_core", "jinja2", "markupsafe",
               "matplotlib", "PIL", "fontTools", "kiwisolver", "pyparsing", "cycler", "dateutil", "packaging",
               "typing_extensions", "annotated_types", "typing_inspection", "platformdirs", "yaml", "alembic"}
N_FORECASTS = 100_000
TARGET = 2.0
# Runs the report in-process and prints the modules it imported (besides tracker's own), one a line.
PROBE = r"""
import sys
before = set(sys.modules)
from tracker.cli import main
try:
    main(sys.argv[1:], prog_name="tracker")
except SystemExit as exc:
    if exc.code:
        raise
for name in sorted(set(sys.modules) - before):
    if name.split(".")[0] != "tracker" and name != "__main__":
        print(name)
"""

# The floor: import those modules (a name that cannot be imported by itself is skipped).
FLOOR = r"""
import importlib, sys
for name in sys.argv[1].split(","):
    try:
        importlib.import_module(name)
    except Exception:
        pass
"""


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--keep", action="store_true", help="keep the working folder and print where it is")
    args = ap.parse_args(argv)

    with C.workdir("tracker-bench-report-") as work:
        home = work / "home"
        home.mkdir()
        data = C.make_data(N_FORECASTS)
        csv = C.write_csv(data, work / "forecasts.csv")
        db = C.sqlite_url(work / "report.db")
        C.tool("db", "upgrade", db=db, home=home)
        C.tool("import", str(csv), db=db, home=home)
        out = work / "report.html"
        probe = C.run([C.PYTHON, "-c", PROBE, "--db", db, "report", "-o", str(out)], env=C.tool_env(home))
        modules = probe.stdout.split()
        best = C.best_of([
            ("report", lambda: C.tool("report", "-o", str(out), db=db, home=home), None),
            ("floor", lambda: C.run(C.floor_cmd(FLOOR, ",".join(modules))), None),
        ], args.repeats)
        size = f"{data.n_questions:,} questions / {data.n:,} forecasts"
        r, f = best["report"].seconds, best["floor"].seconds
        ratio = r / f
        verdict = "OK" if ratio <= TARGET else "MISS"
        print(f"report  {size}  {r:.2f} s   floor (imports) {f:.2f} s   ratio {ratio:.2f}  (target <= {TARGET:.1f})  "
              f"{verdict}", flush=True)
        C.note(f"report.html {out.stat().st_size / 1e6:.1f} MB; peak memory {best['report'].maxrss_mb:.0f} MB; "
               f"{best['report'].stderr.strip().splitlines()[-1]}")
        tops = sorted({m.split(".")[0] for m in modules})
        C.note(f"floor: the {len(modules)} modules the report imports, from {len(tops)} packages "
               f"({', '.join(t for t in tops if t in THIRD_PARTY)} and the standard library)")
        if args.keep:
            import shutil

            kept = Path(str(work) + "-kept")
            shutil.copytree(work, kept)
            C.note(f"kept in {kept}")
        return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
