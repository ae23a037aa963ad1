"""Concurrent writers: many processes logging at once, two reviewers racing.

Workers are separate processes (tests/helpers/integrity_worker.py) that load
tracker, open the database, and wait at a start line so that they all write at
the same moment. Nothing a worker does may print to stderr: a "database is
locked" or a serialization failure reaching a user fails the test.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml

from support import in_ci

HELPER = Path(__file__).resolve().parent / "helpers" / "integrity_worker.py"
TRACKER = Path(sys.executable).parent / "tracker"
FUTURE = date.today() + timedelta(days=60)


def start_workers(folder: Path, argsets: list[list[str]]):
    folder.mkdir(parents=True, exist_ok=True)
    return [
        subprocess.Popen([sys.executable, str(HELPER), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for args in argsets
    ]


def go(folder: Path, procs, *, timeout: float = 60, round_: str = "") -> float:
    """Wait until every worker is at the start line, then start them all."""
    deadline = time.monotonic() + timeout
    while len(list(folder.glob(f"ready{round_}-*"))) < len(procs):
        for p in procs:
            if p.poll() is not None:
                out, err = p.communicate()
                raise AssertionError(f"a worker died before the start: exit {p.returncode}: {err.strip()}")
        assert time.monotonic() < deadline, "workers did not get ready"
        time.sleep(0.01)
    (folder / f"go{round_}").touch()
    return time.monotonic()


def finish(procs, *, timeout: float = 120) -> list[tuple[int, str, str]]:
    out = []
    for p in procs:
        try:
            stdout, stderr = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            for q in procs:
                q.kill()
            raise
        out.append((p.returncode, stdout, stderr))
    return out


def rows(url: str, sql: str) -> list[tuple]:
    from tracker.storage import open_store

    store = open_store(url)
    try:
        with store.read() as conn:
            return [tuple(r) for r in conn.exec_driver_sql(sql)]
    finally:
        store.dispose()


def make_questions(url: str, ids: list[str]) -> None:
    """Create binary questions through a CSV import (one forecast each)."""
    from tracker.services.transfer import import_csv
    from tracker.storage import open_store

    lines = ["question,analyst,probability,deadline"] + [f"{q},setup,0.5,{FUTURE.isoformat()}" for q in ids]
    store = open_store(url, upgrade=True)
    try:
        import_csv(store, "\n".join(lines).encode(), filename="setup.csv", recorded_by="setup")
    finally:
        store.dispose()


# ------------------------------------------------------- many writers at once


WORKERS, QUESTIONS = 8, 20
PER_WORKER = 500 if in_ci() else 100  # every forecast in CI; a quick local run logs a fifth


def test_eight_processes_log_500_forecasts_each(db_url, tmp_path):
    """8 x 500 forecasts through tracker.services.log.add_forecast at once:
    all 4,000 stored, each exactly once, on the question and under the
    analyst the worker meant, and no error reaches a worker."""
    from tracker.services.admin import verify

    qids = [f"race-{k:02d}" for k in range(QUESTIONS)]
    make_questions(db_url, qids)
    folder = tmp_path / "sync"
    procs = start_workers(
        folder, [["log", db_url, str(folder), str(w), str(PER_WORKER), ",".join(qids)] for w in range(WORKERS)]
    )
    started = go(folder, procs)
    results = finish(procs)
    elapsed = time.monotonic() - started
    for code, stdout, stderr in results:
        assert code == 0 and stderr == "", f"worker failed (exit {code}): {stderr}"
        assert json.loads(stdout)["n"] == PER_WORKER

    got = rows(db_url, "SELECT rationale, question_id, analyst, source, imported FROM forecast WHERE analyst <> 'setup'")
    assert len(got) == WORKERS * PER_WORKER
    counts = Counter(r[0] for r in got)
    assert max(counts.values()) == 1, "a forecast was stored twice"
    expected = {f"w{w}-{i}" for w in range(WORKERS) for i in range(PER_WORKER)}
    assert set(counts) == expected, "a forecast is missing"
    for rationale, qid, analyst, source, imported in got:
        w, i = (int(x) for x in rationale[1:].split("-"))
        assert qid == qids[(i + w) % QUESTIONS]
        assert analyst == f"analyst-{i // 50}"
        assert source == f"worker-{w}" and not imported
    # the analyst rows all workers raced to create: each exactly once
    analysts = sorted(r[0] for r in rows(db_url, "SELECT name FROM analyst WHERE name <> 'setup'"))
    assert analysts == sorted(f"analyst-{k}" for k in range(PER_WORKER // 50))
    assert verify(db_url)["ok"]
    print(f"\n{db_url.split(':')[0]}: {WORKERS * PER_WORKER} forecasts by {WORKERS} processes in {elapsed:.1f} s")


def test_cli_invocations_at_once(db_url, tmp_path):
    """4 processes x 25 `tracker forecast` invocations (click in-process) plus 8
    console-script processes, all at once: all 108 land, once each, exit 0,
    nothing on stderr."""
    qids = [f"cli-race-{k}" for k in range(5)]
    make_questions(db_url, qids)
    folder = tmp_path / "sync"
    procs = start_workers(folder, [["cli", db_url, str(folder), str(w), "25", ",".join(qids)] for w in range(4)])
    go(folder, procs)
    scripts = [
        subprocess.Popen(
            [str(TRACKER), "--db", db_url, "forecast", qids[k % 5], "0.42", "--analyst", f"script-{k}", "--rationale", f"script{k}"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for k in range(8)
    ]
    for code, stdout, stderr in finish(procs) + finish(scripts):
        assert code == 0 and stderr == "", f"exit {code}: {stderr}"
    got = rows(db_url, "SELECT rationale, analyst, probability FROM forecast WHERE analyst <> 'setup'")
    assert len(got) == 108
    assert sorted(r[0] for r in got) == sorted([f"cli{w}-{i}" for w in range(4) for i in range(25)] + [f"script{k}" for k in range(8)])
    for rationale, analyst, p in got:
        if rationale.startswith("script"):
            assert analyst == f"script-{rationale[6:]}" and p == pytest.approx(0.42)
        else:
            w, i = (int(x) for x in rationale[3:].split("-"))
            assert analyst == f"cli-{w}" and p == pytest.approx((i % 9 + 1) / 10)


# ------------------------------------------------------- two reviewers racing


ROUNDS, PADDING = 10, 60


def _resolution_file(path: Path, reviewer: str, shared: dict[str, str], own: list[str], outcome: str) -> None:
    half = len(own) // 2
    entries = [{"question": q, "outcome": outcome, "known_at": "2020-01-01"} for q in own[:half]]
    entries += [{"question": q, "outcome": o, "known_at": "2020-01-01", "evidence": [f"https://example.org/{reviewer}"]}
                for q, o in shared.items()]
    entries += [{"question": q, "outcome": outcome, "known_at": "2020-01-01"} for q in own[half:]]
    path.write_text(yaml.safe_dump({"period": "2020-Q1", "reviewer": reviewer, "resolutions": entries}, sort_keys=False))


@pytest.mark.slow
def test_two_reviewers_apply_conflicting_files_at_once(db_url, tmp_path):
    """Each round two reviewers import, at the same moment, resolution files
    that resolve the same two questions differently (in opposite orders on
    odd rounds, which deadlocks on PostgreSQL) plus questions of their own:
    exactly one file lands whole; the other is refused with "already
    resolved" and leaves nothing behind."""
    # questions made with an opening time in the past so that known_at 2020-01-01 is valid
    from tracker.services.transfer import import_csv
    from tracker.storage import open_store

    all_ids, plan = [], []
    for r in range(ROUNDS):
        shared = [f"r{r}-shared-a", f"r{r}-shared-b"]
        own = {who: [f"r{r}-{who}-{k:03d}" for k in range(PADDING)] for who in ("ann", "ben")}
        all_ids += shared + own["ann"] + own["ben"]
        plan.append((shared, own))
    lines = ["question,analyst,probability,made_at,deadline"] + [f"{q},setup,0.5,2019-06-01,2019-12-31" for q in all_ids]
    store = open_store(db_url, upgrade=True)
    import_csv(store, "\n".join(lines).encode(), filename="setup.csv", recorded_by="setup")
    store.dispose()

    files = {"ann": [], "ben": []}
    expected_shared = []
    for r, (shared, own) in enumerate(plan):
        a_shared = {shared[0]: "yes", shared[1]: "no"}
        b_shared = {shared[0]: "no", shared[1]: "yes"}
        if r % 2:
            b_shared = dict(reversed(list(b_shared.items())))
        for who, outcomes, outcome in (("ann", a_shared, "yes"), ("ben", b_shared, "no")):
            path = tmp_path / f"{who}-{r}.yaml"
            _resolution_file(path, who, outcomes, own[who], outcome)
            files[who].append(str(path))
        expected_shared.append({"ann": a_shared, "ben": b_shared})
    folder = tmp_path / "sync"
    procs = start_workers(folder, [["apply", db_url, str(folder), "0", "ann", ",".join(files["ann"])],
                                   ["apply", db_url, str(folder), "1", "ben", ",".join(files["ben"])]])
    winners, overlapped = Counter(), 0
    for r, (shared, own) in enumerate(plan):
        go(folder, procs, round_=f"-{r}")
        results = {}
        deadline = time.monotonic() + 60
        for worker, who in enumerate(("ann", "ben")):
            path = folder / f"result-{r}-{worker}.json"
            while not path.exists():
                dead = [p for p in procs if p.poll() is not None and p.returncode != 0]
                assert not dead, f"worker crashed: {dead[0].communicate()[1]}"
                assert time.monotonic() < deadline, f"round {r}: no result from {who}"
                time.sleep(0.01)
            results[who] = json.loads(path.read_text())
        a, b = results["ann"], results["ben"]
        overlapped += max(a["began"], b["began"]) < min(a["ended"], b["ended"])
        codes = sorted(res["exit_code"] for res in results.values())
        assert codes == [0, 1], f"round {r}: exit codes {results}"
        winner = next(w for w, res in results.items() if res["exit_code"] == 0)
        loser = "ben" if winner == "ann" else "ann"
        winners[winner] += 1
        err = results[loser]["stderr"].strip()
        assert err.startswith("error: ") and "\n" not in err, err
        assert "already resolved as" in err and "question r" in err and "Traceback" not in err, err
        assert json.loads(results[winner]["stdout"])["resolved"] == PADDING + 2

        ids = shared + own["ann"] + own["ben"]
        got = rows(db_url, "SELECT question_id, outcome, recorded_by FROM resolution WHERE question_id IN ("
                   + ",".join(f"'{q}'" for q in ids) + ") ORDER BY question_id")
        expect_shared = expected_shared[r][winner]
        expected = sorted(
            [(q, o, winner) for q, o in expect_shared.items()]
            + [(q, "yes" if winner == "ann" else "no", winner) for q in own[winner]]
        )
        assert got == expected, f"round {r}: the database holds a mix"
        assert not any(q in own[loser] for q, _, _ in got)
    for code, stdout, stderr in finish(procs):
        assert code == 0 and stderr == "", f"worker failed: {stderr}"
    # the imports ran at the same time (not one after the other) in most rounds
    assert overlapped >= ROUNDS // 2, f"only {overlapped} of {ROUNDS} rounds overlapped"
    print(f"\nwinners over {ROUNDS} rounds: {dict(winners)}; imports overlapped in {overlapped} rounds")


def test_same_csv_imported_by_four_processes_at_once(db_url, tmp_path):
    """Four processes import the same CSV (new questions, analysts and
    historical forecasts) at the same moment: every import succeeds (the
    later ones find everything already present) and the database holds one
    copy. On PostgreSQL the losers of the check-then-insert race hit a
    unique violation that the store retries."""
    lines = ["question,analyst,probability,made_at,deadline,text"]
    for q in range(40):
        for a in range(3):
            lines.append(f"same-{q:02d},team-{a},0.{q % 9 + 1},2020-01-0{a + 1}T10:00:00Z,2030-12-31,Same question {q}")
    path = tmp_path / "same.csv"
    path.write_text("\n".join(lines) + "\n")
    from tracker.storage import open_store

    open_store(db_url, upgrade=True).dispose()
    folder = tmp_path / "sync"
    procs = start_workers(folder, [["apply", db_url, str(folder), str(w), "importer", str(path)] for w in range(4)])
    go(folder, procs, round_="-0")
    for code, stdout, stderr in finish(procs):
        assert code == 0 and stderr == "", f"worker failed: {stderr}"
    results = [json.loads((folder / f"result-0-{w}.json").read_text()) for w in range(4)]
    for res in results:
        assert res["exit_code"] == 0 and res["stderr"] == "", res
    added = sorted(json.loads(res["stdout"])["forecasts_added"] for res in results)
    assert added == [0, 0, 0, 120]
    assert rows(db_url, "SELECT count(*), count(DISTINCT question_id) FROM forecast") == [(120, 40)]
    assert rows(db_url, "SELECT count(*) FROM question") == [(40,)]
    assert sorted(r[0] for r in rows(db_url, "SELECT name FROM analyst")) == ["team-0", "team-1", "team-2"]
