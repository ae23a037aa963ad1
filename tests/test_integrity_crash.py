"""Crashes: `tracker import` killed with SIGKILL at a random moment.

Each import runs as the real console script. After each kill the database
must hold all of the import or none of it, pass SQLite's integrity check, and
answer the next command without any repair. The kill moments are drawn with a
fixed seed between 0.1 s and the duration of one measured import.
"""

from __future__ import annotations

import csv
import io
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from support import in_ci
from tracker.cli import main

TRACKER = Path(sys.executable).parent / "tracker"
KILLS = 20 if in_ci() else 5  # every kill round in CI; a quick local run tries five
CSV_ROWS = 100_000
CSV_QUESTIONS = 5_000  # 20 forecasts each (10 analysts x 2 revisions)
CSV_RESOLVED = 500  # every tenth question carries its outcome
RES_QUESTIONS = 2_000

pytestmark = pytest.mark.slow


# ----------------------------------------------------------------- helpers


def run_tracker(db: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([str(TRACKER), "--db", str(db), *args], capture_output=True, text=True, timeout=timeout)


def counts(db: Path) -> dict[str, int]:
    con = sqlite3.connect(db)
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("question", "analyst", "forecast", "resolution")}
    finally:
        con.close()


def integrity(db: Path) -> list[str]:
    con = sqlite3.connect(db)
    try:
        return [r[0] for r in con.execute("PRAGMA integrity_check")]
    finally:
        con.close()


def dump(db: Path) -> list[str]:
    con = sqlite3.connect(db)
    try:
        return list(con.iterdump())
    finally:
        con.close()


def writer_active(db: Path) -> bool:
    """Is a write transaction open on ``db`` right now? (A lock probe that
    does not wait: BEGIN IMMEDIATE fails while another connection writes.)"""
    con = sqlite3.connect(db, timeout=0, isolation_level=None)
    try:
        con.execute("BEGIN IMMEDIATE")
        con.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        con.close()


def fresh_copy(baseline: Path, db: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    shutil.copy(baseline, db)


def measure(db: Path, args: list[str]) -> tuple[float, float, subprocess.CompletedProcess]:
    """Run one import to the end: its duration, and when its write
    transaction opened (a lock probe every 5 ms)."""
    t0 = time.monotonic()
    proc = subprocess.Popen([str(TRACKER), "--db", str(db), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    write_start = None
    while proc.poll() is None:
        if write_start is None and writer_active(db):
            write_start = time.monotonic() - t0
        time.sleep(0.005)
    duration = time.monotonic() - t0
    out, err = proc.communicate()
    return duration, write_start if write_start is not None else 0.1, subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def kill_rounds(db: Path, baseline: Path, args: list[str], duration: float, write_start: float, seed: int, check) -> dict:
    """Start the import, SIGKILL it after a seeded random delay, check the
    database; repeat KILLS times. ``check(db)`` returns "none" or "all".

    Delays lie between 0.1 s and the measured duration: on even rounds
    anywhere in it, on odd rounds within the write transaction's window
    (start-up and parsing take much of an import; the write is what can tear)."""
    rng = random.Random(seed)
    stats = {"none": 0, "all": 0, "finished_before_kill": 0, "in_write": 0, "delays": []}
    for round_ in range(KILLS):
        low = 0.1 if round_ % 2 == 0 else max(0.1, write_start)
        delay = rng.uniform(low, duration)
        stats["delays"].append(round(delay, 2))
        proc = subprocess.Popen([str(TRACKER), "--db", str(db), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(delay)
        if proc.poll() is None:
            stats["in_write"] += writer_active(db)
            os.kill(proc.pid, signal.SIGKILL)
        else:
            stats["finished_before_kill"] += 1
        proc.communicate()

        assert integrity(db) == ["ok"], f"round {round_} (kill after {delay:.2f} s): integrity check failed"
        state = check(db)
        stats[state] += 1
        # the next command works without repair (in-process: it is the same
        # code as the console script, without the interpreter start-up)
        verify = CliRunner().invoke(main, ["--db", str(db), "db", "verify"])
        assert verify.exit_code == 0, f"round {round_}: {verify.stdout}{verify.stderr}"
        assert "FAIL" not in verify.stdout
        if state == "all":  # start the next round from the state before the import
            fresh_copy(baseline, db)
    return stats


# --------------------------------------------------------------- CSV import


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory) -> Path:
    """100,000 forecast rows on 5,000 new questions, 500 with outcomes (fixed seed)."""
    rng = random.Random(20180716)
    path = tmp_path_factory.mktemp("crash") / "big.csv"
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["question", "analyst", "probability", "made_at", "deadline", "outcome", "known_at"])
    per_q = CSV_ROWS // CSV_QUESTIONS
    for i in range(CSV_ROWS):
        q = i // per_q
        k = i % per_q
        resolved = q % (CSV_QUESTIONS // CSV_RESOLVED) == 0
        w.writerow([
            f"crash-{q:05d}", f"analyst-{k % 10}", f"{rng.random():.4f}",
            f"2020-0{1 + k // 10}-{1 + k % 10:02d}T{rng.randrange(24):02d}:00:00Z", "2020-06-30",
            ("yes" if q % 2 else "no") if resolved else "", "2020-07-01" if resolved else "",
        ])
    path.write_text(out.getvalue())
    return path


def _baseline(tmp_path: Path) -> Path:
    """A database with a little history of its own, so that "none of the
    import" is checked against real rows, not an empty file."""
    from tracker.services.log import add_forecast, add_question, resolve
    from tracker.storage import open_store

    base = tmp_path / "baseline.db"
    store = open_store(f"sqlite:///{base}")
    add_question(store, {"id": "before-crash", "text": "A question from before", "deadline": "2099-01-01"})
    add_forecast(store, "before-crash", 0.25, analyst="alice")
    add_question(store, {"id": "before-crash-2", "text": "Another", "deadline": "2099-01-01"})
    resolve(store, "before-crash-2", "no", recorded_by="rita")
    store.dispose()
    for suffix in ("-wal", "-shm"):
        assert not Path(str(base) + suffix).exists()
    return base


def test_csv_import_killed_twenty_times(big_csv, tmp_path):
    base = _baseline(tmp_path)
    before = dump(base)
    base_counts = counts(base)

    # one full import first: it is the reference "all" state and sets the delays
    ref = tmp_path / "reference.db"
    fresh_copy(base, ref)
    duration, write_start, done = measure(ref, ["import", str(big_csv)])
    assert done.returncode == 0, done.stderr
    full = counts(ref)
    assert full == {
        "question": base_counts["question"] + CSV_QUESTIONS,
        "analyst": base_counts["analyst"] + 10,
        "forecast": base_counts["forecast"] + CSV_ROWS,
        "resolution": base_counts["resolution"] + CSV_RESOLVED,
    }

    def check(db: Path) -> str:
        now = counts(db)
        if now == base_counts:
            assert dump(db) == before, "no import rows, yet the database changed"
            return "none"
        assert now == full, f"part of the import landed: {now} (none: {base_counts}, all: {full})"
        return "all"

    db = tmp_path / "crash.db"
    fresh_copy(base, db)
    t1 = time.monotonic()
    stats = kill_rounds(db, base, ["import", str(big_csv)], duration, write_start, seed=7, check=check)
    killing = time.monotonic() - t1

    # and the import then succeeds fully on the database the last kill left
    if counts(db) == base_counts:
        again = run_tracker(db, "import", str(big_csv))
        assert again.returncode == 0, again.stderr
        assert "100000 forecasts added" in again.stderr
    assert counts(db) == full
    assert integrity(db) == ["ok"]
    print(f"\nCSV import: one import {duration:.1f} s (writing from {write_start:.1f} s); {KILLS} kills in {killing:.1f} s: {stats['none']} none, "
          f"{stats['all']} all ({stats['finished_before_kill']} finished first); "
          f"{stats['in_write']} kills hit the open write transaction")


# --------------------------------------------------------- resolution import


def test_resolution_file_import_killed_twenty_times(tmp_path):
    from tracker.services.transfer import import_csv
    from tracker.storage import open_store

    base = _baseline(tmp_path)
    rng = random.Random(1807)
    lines = ["question,analyst,probability,made_at,deadline"]
    lines += [f"res-{i:04d},analyst-{i % 7},{rng.random():.3f},2020-01-01,2020-06-30" for i in range(RES_QUESTIONS)]
    store = open_store(f"sqlite:///{base}")
    import_csv(store, "\n".join(lines).encode(), filename="questions.csv", recorded_by="setup")
    store.dispose()
    before = dump(base)
    base_counts = counts(base)
    resolutions = tmp_path / "2020-Q2.yaml"
    resolutions.write_text(yaml.safe_dump({
        "period": "2020-Q2", "reviewer": "review-board",
        "resolutions": [
            {"question": f"res-{i:04d}", "outcome": "yes" if rng.random() < 0.4 else "no", "known_at": "2020-06-15",
             "evidence": [f"https://example.org/evidence/{i}"], "note": f"resolved in the crash test ({i})"}
            for i in range(RES_QUESTIONS)
        ],
    }, sort_keys=False))

    ref = tmp_path / "reference.db"
    fresh_copy(base, ref)
    duration, write_start, done = measure(ref, ["import", str(resolutions)])
    assert done.returncode == 0, done.stderr
    assert f"{RES_QUESTIONS} resolved" in done.stderr
    full = dict(base_counts, resolution=base_counts["resolution"] + RES_QUESTIONS)
    assert counts(ref) == full

    def check(db: Path) -> str:
        now = counts(db)
        if now == base_counts:
            assert dump(db) == before, "no resolution rows, yet the database changed"
            return "none"
        assert now == full, f"part of the resolution file landed: {now}"
        return "all"

    db = tmp_path / "crash.db"
    fresh_copy(base, db)
    t1 = time.monotonic()
    stats = kill_rounds(db, base, ["import", str(resolutions)], duration, write_start, seed=11, check=check)
    killing = time.monotonic() - t1
    if counts(db) == base_counts:
        again = run_tracker(db, "import", str(resolutions))
        assert again.returncode == 0, again.stderr
        assert f"{RES_QUESTIONS} resolved" in again.stderr
    assert counts(db) == full
    assert integrity(db) == ["ok"]
    print(f"\nresolution import: one import {duration:.1f} s (writing from {write_start:.1f} s); {KILLS} kills in {killing:.1f} s: {stats['none']} none, "
          f"{stats['all']} all ({stats['finished_before_kill']} finished first); "
          f"{stats['in_write']} kills hit the open write transaction")
