"""Worker processes for tests/test_integrity_concurrency.py.

Each worker loads tracker, opens the database, writes a ready file, waits for
a go file (so that all workers start writing at the same moment), does its
job, and prints one JSON line with what it did. Any exception is printed as
one line on stderr and the exit code is 3: the tests require empty stderr.

    python integrity_worker.py log   URL DIR WORKER N QUESTIONS   (library: add_forecast)
    python integrity_worker.py cli   URL DIR WORKER N QUESTIONS   (CLI in-process: tracker forecast)
    python integrity_worker.py apply URL DIR WORKER REVIEWER FILE,FILE,...  (CLI in-process: tracker import, one file a round)
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
from pathlib import Path


def wait_for_go(folder: Path, worker: str, round_: str = "") -> None:
    (folder / f"ready{round_}-{worker}").touch()
    deadline = time.monotonic() + 60
    while not (folder / f"go{round_}").exists():
        if time.monotonic() > deadline:
            raise SystemExit("no go signal within 60 s")
        time.sleep(0.002)


def analyst_for(i: int) -> str:
    # every 50 forecasts a new analyst that all workers create at about the
    # same moment: the analyst row is raced for too
    return f"analyst-{i // 50}"


def log(url: str, folder: Path, worker: str, n: int, questions: list[str]) -> dict:
    from tracker.services.log import add_forecast
    from tracker.storage import open_store

    store = open_store(url)
    wait_for_go(folder, worker)
    start = time.monotonic()
    ids = []
    for i in range(n):
        qid = questions[(i + int(worker)) % len(questions)]
        p = round(((i * 7 + int(worker) * 13) % 99 + 1) / 100, 2)
        row = add_forecast(store, qid, p, analyst=analyst_for(i), rationale=f"w{worker}-{i}", source=f"worker-{worker}")
        ids.append(row["id"])
    store.dispose()
    return {"worker": worker, "n": len(ids), "seconds": round(time.monotonic() - start, 3)}


def cli(url: str, folder: Path, worker: str, n: int, questions: list[str]) -> dict:
    from click.testing import CliRunner

    from tracker.cli import main

    wait_for_go(folder, worker)
    start = time.monotonic()
    runner = CliRunner()
    for i in range(n):
        qid = questions[(i + int(worker)) % len(questions)]
        args = ["--db", url, "forecast", qid, f"{(i % 9 + 1) * 10}%", "--analyst", f"cli-{worker}",
                "--rationale", f"cli{worker}-{i}", "--json"]
        result = runner.invoke(main, args)
        if result.exit_code != 0 or result.stderr:
            raise RuntimeError(f"tracker {' '.join(args[2:])}: exit {result.exit_code}: {result.stderr.strip()!r}")
        json.loads(result.stdout)
    return {"worker": worker, "n": n, "seconds": round(time.monotonic() - start, 3)}


def apply(url: str, folder: Path, worker: str, reviewer: str, paths: list[str]) -> dict:
    """One import per round: round r starts at the go-r file; its result is
    written to result-r-WORKER.json."""
    from click.testing import CliRunner

    from tracker.cli import main
    from tracker.storage import open_store

    open_store(url).dispose()  # warm up (imports, connection) before the start line
    for r, path in enumerate(paths):
        wait_for_go(folder, worker, f"-{r}")
        began = time.time()
        result = CliRunner().invoke(main, ["--db", url, "import", path, "--reviewer", reviewer, "--json"])
        out = {"worker": worker, "exit_code": result.exit_code, "stdout": result.stdout, "stderr": result.stderr,
               "began": began, "ended": time.time()}
        tmp = folder / f".result-{r}-{worker}.json"
        tmp.write_text(json.dumps(out))
        tmp.rename(folder / f"result-{r}-{worker}.json")
    return {"worker": worker, "rounds": len(paths)}


def main(argv: list[str]) -> int:
    mode, url, folder, worker = argv[:4]
    folder = Path(folder)
    try:
        if mode == "log":
            out = log(url, folder, worker, int(argv[4]), argv[5].split(","))
        elif mode == "cli":
            out = cli(url, folder, worker, int(argv[4]), argv[5].split(","))
        elif mode == "apply":
            out = apply(url, folder, worker, argv[4], argv[5].split(","))
        else:
            raise SystemExit(f"unknown mode {mode}")
    except Exception as exc:  # noqa: BLE001 - reported, then the test fails
        sys.stderr.write(f"{type(exc).__name__}: {' '.join(str(exc).split())[:500]}\n")
        if os.environ.get("TRACKER_DEBUG"):
            traceback.print_exc()
        return 3
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
