"""Benchmark: ``tracker import FILE --from SOURCE`` of another tool's export
(Fatebook CSV, Metaculus zip, PredictionBook JSON, Good Judgment survey CSV).

    python -m bench.import_foreign [--size 100000] [--repeats N]

The data (bench.common.make_data, fixed seed): N forecasts on N/10 resolved
binary questions, written once in each format with the same forecasts,
questions and outcomes (Fatebook's zone-less, unpadded times; Metaculus's
two CSVs zipped; PredictionBook's predictions with their responses; the
Good Judgment layout with its question columns, two option rows per
forecast, so 2N rows). Fatebook's Brier column is left empty (the export
carries it only for the exporting user's questions).

Floor: ``tracker import`` of the tool's own forecast CSV holding the same
forecasts (the CSV import's bulk path), measured in the same run. Each run
imports into a copy of the same empty, upgraded SQLite database.

Target at 100,000 forecasts: each format at most 3 times the floor.
"""

from __future__ import annotations

import argparse
import json
import sys
import zipfile
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from bench import common as C  # noqa: E402

TARGET = 3.0
FORMATS = ("fatebook", "metaculus", "predictionbook", "gjp")


def _facts(data: "C.Data"):
    """Per question: opened (first forecast), deadline text, known epoch, outcome."""
    nq = data.n_questions
    opened = np.full(nq, np.iinfo(np.int64).max)
    np.minimum.at(opened, data.q - data.q_offset, data.t)
    unused = opened == np.iinfo(np.int64).max  # a question no forecast fell on: left out of the files
    opened[unused] = data.deadline[unused] * C.DAY
    deadline = np.datetime_as_string(data.deadline.astype("datetime64[D]"))
    end = (data.deadline + 1) * C.DAY - 1  # the deadline's last second
    known = np.where(data.known >= 0, data.known, end)
    return opened, deadline, known


def _secs(epoch) -> np.ndarray:
    return np.datetime_as_string(np.asarray(epoch).astype("datetime64[s]"), unit="s")


def _unpadded(text: str) -> str:
    """Fatebook's ``2025-01-15 03:50:4``: the seconds not zero-padded."""
    sec = text[17:19]
    return f"{text[:10]} {text[11:17]}{int(sec)}"


def write_fatebook(data, path: Path) -> Path:
    opened, deadline, known = _facts(data)
    made, op, kn = _secs(data.t), _secs(opened), _secs(known)
    header = ("Question title,Multiple choice option,Forecast created by,Forecast (scale = 0-1),Forecast created at,"
              "Question created by,Question created at,Question resolve by,Resolution,Resolved at,"
              "Your Brier score for this question,Your relative Brier score for this question,Question notes,"
              "Question shared with,Question shared publicly,Question comments,Question tags\n")
    tails = []
    for i in range(data.n_questions):
        res = "YES" if data.outcome[i] else "NO"
        tags = data.tags[i].replace(";", ", ")
        tails.append(f"{_unpadded(op[i])},{deadline[i]} 00:00:00,{res},{_unpadded(kn[i])},,,,,false,,\"{tags}\"\n")
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(header)
        for i in range(data.n):
            j = int(data.q[i])
            name = C.analyst_name(int(data.a[i]))
            fh.write(f"Question {j},,{name},{C.PCT[data.pct[i]]},{_unpadded(made[i])},{name},{tails[j]}")
    return path


def write_metaculus(data, path: Path) -> Path:
    opened, deadline, known = _facts(data)
    op, kn, made = _secs(opened), _secs(known), _secs(data.t)
    q_lines = ["Question ID,Question URL,Question Title,Question Type,MC Options (All),Open Time,Scheduled Close Time,"
               "Actual Close Time,Resolution,Resolution Known Time\n"]
    used = set(data.q.tolist())
    for i in range(data.n_questions):
        if i not in used:
            continue
        res = "yes" if data.outcome[i] else "no"
        q_lines.append(f"{i},,Question {i},binary,,{op[i]}+00:00,{deadline[i]} 23:59:59+00:00,{kn[i]}+00:00,{res},{kn[i]}+00:00\n")
    f_lines = ["Question ID,Forecaster ID,Forecaster Username,Is Bot,Start Time,End Time,Forecaster Count,"
               "Probability Yes,Probability Yes Per Category\n"]
    for i in range(data.n):
        a = int(data.a[i])
        f_lines.append(f"{int(data.q[i])},{a},{C.analyst_name(a)},False,{made[i]}+00:00,,,{C.PCT[data.pct[i]]},\n")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("question_data.csv", "".join(q_lines))
        zf.writestr("forecast_data.csv", "".join(f_lines))
    return path


def write_predictionbook(data, path: Path) -> Path:
    opened, deadline, known = _facts(data)
    op, made = _secs(opened), _secs(data.t)
    preds = [{"id": i, "description": f"Question {i}", "created_at": op[i] + "Z", "deadline": f"{deadline[i]}T23:59:59Z",
              "outcome": bool(data.outcome[i]), "withdrawn": False, "responses": []} for i in range(data.n_questions)]
    for i in range(data.n):
        preds[int(data.q[i])]["responses"].append(
            {"user_label": C.analyst_name(int(data.a[i])), "confidence": int(data.pct[i]), "comment": "",
             "created_at": made[i] + "Z"})
    preds = [p for p in preds if p["responses"]]
    path.write_text(json.dumps({"user": {"login": "bench"}, "predictions": preds}), encoding="utf-8")
    return path


def write_gjp(data, path: Path) -> Path:
    opened, deadline, known = _facts(data)
    made = _secs(data.t)
    days = [np.datetime64(d, "D").astype(object) for d in _secs(known).astype("datetime64[D]")]
    starts = [d.astype(object) for d in opened.astype("datetime64[s]").astype("datetime64[D]")]
    mdy = lambda d: f"{d.month}/{d.day}/{d.year % 100:02d}"  # noqa: E731
    tails = [f"0,2,\"(a) Yes, (b) No\",{'a' if data.outcome[i] else 'b'},{mdy(starts[i])},{mdy(days[i])}"
             for i in range(data.n_questions)]
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write("ifp_id,short_title,q_type,n_opts,options,resolved_option,date_start,date_closed,user_id,forecast_id,"
                 "fcast_date,timestamp,answer_option,value\n")
        for i in range(data.n):
            j = int(data.q[i])
            p = int(data.pct[i])
            head = f"{j}-0,Question {j},{tails[j]},{int(data.a[i])}.0,{i},{made[i][:10]},{made[i][:10]} {made[i][11:]}"
            fh.write(f"{head},a,{C.PCT[p]}\n{head},b,{C.PCT[100 - p]}\n")
    return path


WRITERS = {"fatebook": (write_fatebook, "fatebook.csv"), "metaculus": (write_metaculus, "metaculus.zip"),
           "predictionbook": (write_predictionbook, "predictionbook.json"), "gjp": (write_gjp, "survey_fcasts.csv")}


def main(argv=None, ws: "C.Workspace | None" = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", type=int, default=100_000)
    ap.add_argument("--repeats", type=int, default=2)
    args = ap.parse_args(argv)
    n = args.size
    results: dict = {}
    with C.workspace(ws) as ws:
        data = ws.data(n)
        files = {name: writer(data, ws.dir / f"foreign-{n}-{fname}") for name, (writer, fname) in WRITERS.items()}
        csv_path = ws.csv(n)
        template = ws.empty_sqlite()
        dbs = {name: ws.dir / f"foreign-{name}.db" for name in ("floor",) + FORMATS}

        def runner(name):
            db = C.sqlite_url(dbs[name])
            if name == "floor":
                return lambda: C.tool("import", str(csv_path), db=db, home=ws.home)
            return lambda: C.tool("import", str(files[name]), "--from", name, db=db, home=ws.home)

        pairs = [(name, runner(name), (lambda name=name: C.fresh_copy(template, dbs[name]))) for name in ("floor",) + FORMATS]
        best = C.best_of(pairs, args.repeats)
        import sqlite3

        floor_s = best["floor"].seconds
        for name in FORMATS:
            stored = sqlite3.connect(dbs[name]).execute("SELECT COUNT(*) FROM forecast").fetchone()[0]
            questions = sqlite3.connect(dbs[name]).execute("SELECT COUNT(*) FROM question").fetchone()[0]
            expected = sqlite3.connect(dbs["floor"]).execute("SELECT COUNT(*) FROM question").fetchone()[0]
            if stored != data.n or questions != expected:
                raise SystemExit(f"{name}: stored {stored} forecasts on {questions} questions, "
                                 f"expected {data.n} on {expected}")
            results[name] = (best[name].seconds, floor_s)
            C.report(f"import.{name}", f"{C.fmt_n(n)} forecasts", best[name].seconds, floor_s, TARGET if n == 100_000 else None)
    return results


if __name__ == "__main__":
    main()
