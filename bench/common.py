"""What the benchmarks share: seeded data, running commands, timing, printing.

Data (``make_data``): questions opened between 2015 and 2023 with deadlines
two weeks to thirteen months later, each with about ten forecasts by one to
four analysts of a team of 100 (so most pairs have revisions), made between
the question's opening and its close; each analyst has their own skill and
overconfidence; probabilities are whole percents (some exactly 0 or 1);
a quarter of the questions resolve early (an explicit ``known_at``), the rest
at their deadline; a few tags per question. Optionally some open questions
(no outcome, deadlines around today) for the latency benchmarks. Everything
comes from ``numpy.random.default_rng(seed)``; only the open questions'
dates depend on the day the benchmark runs.

Timing: every measured thing is a subprocess (the ``tracker`` console script
beside ``sys.executable``, or ``sys.executable -c FLOOR``), timed from spawn
to exit, best of N, with tool and floor runs alternating so that load on the
machine hits both alike. Peak memory is the tool's own maximum resident
set, measured in a separate run under GNU time (``/usr/bin/time -f %M``).
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Callable, Iterator, Optional, Sequence

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
PYTHON = sys.executable
TRACKER = str(Path(sys.executable).with_name("tracker"))
SEED = 20180716
N_ANALYSTS = 100
PER_QUESTION = 10
PG_DSN = os.environ.get("BENCH_PG_DSN", "host=127.0.0.1 port=5432 dbname=test user=postgres")
PG_URL = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
TAGS = ("europe", "asia", "americas", "africa", "mideast", "economy", "security", "elections",
        "energy", "health", "technology", "diplomacy")
DAY = 86_400
T0 = int(datetime(2015, 1, 1, tzinfo=timezone.utc).timestamp())
PCT = [repr(k / 100) if k not in (0, 100) else str(k // 100) for k in range(101)]  # "0", "0.01" ... "1"


# ------------------------------------------------------------------ data


@dataclass
class Data:
    """Forecast rows (q, a, pct, t) and per-question facts, all numpy arrays.

    ``t`` and ``known`` are epoch seconds (``known`` -1: resolved at the
    deadline's end, the tool's default); ``deadline`` is days since 1970;
    ``outcome`` 1 yes, 0 no, -1 open."""

    q: np.ndarray
    a: np.ndarray
    pct: np.ndarray  # whole percent 0..100
    t: np.ndarray
    deadline: np.ndarray
    outcome: np.ndarray
    known: np.ndarray
    tags: list
    q_offset: int = 0  # question i of the arrays is qid(q_offset + i)

    @property
    def n(self) -> int:
        return len(self.q)

    @property
    def n_questions(self) -> int:
        return len(self.deadline)


def _resolved_part(rng, n: int, n_questions: int):
    counts = rng.multinomial(n, np.full(n_questions, 1.0 / n_questions))
    q = np.repeat(np.arange(n_questions), counts)
    opened = T0 + rng.integers(0, 9 * 365 * DAY, n_questions)
    deadline_day = opened // DAY + rng.integers(14, 400, n_questions)
    end = (deadline_day + 1) * DAY
    early = rng.random(n_questions) < 0.25
    known = np.where(early, opened + ((end - opened) * rng.uniform(0.3, 0.95, n_questions)).astype(np.int64), -1)
    close = np.where(early, known, end)
    truth = rng.beta(2.0, 3.0, n_questions)
    outcome = (rng.random(n_questions) < truth).astype(np.int64)
    t = opened[q] + ((close[q] - opened[q] - 1) * rng.random(n)).astype(np.int64)
    return q, t, deadline_day, outcome, known, truth


def _open_part(rng, n: int, n_questions: int, now: int):
    counts = rng.multinomial(n, np.full(n_questions, 1.0 / n_questions))
    q = np.repeat(np.arange(n_questions), counts)
    today = now // DAY
    opened = (today - rng.integers(10, 300, n_questions)) * DAY + rng.integers(0, DAY, n_questions)
    deadline_day = today + rng.integers(-10, 365, n_questions)
    close = np.minimum((deadline_day + 1) * DAY, now - 3600)
    truth = rng.beta(2.0, 3.0, n_questions)
    t = opened[q] + ((close[q] - opened[q] - 1) * rng.random(n)).astype(np.int64)
    return q, t, deadline_day, np.full(n_questions, -1), np.full(n_questions, -1), truth


def _complete(rng, q, t, deadline, outcome, known, truth, n_analysts: int, q_offset: int) -> Data:
    """Analysts (one to four per question: revisions), probabilities, tags."""
    nqs = len(deadline)
    base = rng.integers(0, n_analysts, nqs)
    pool = rng.integers(1, 5, nqs)
    a = (base[q] + (rng.random(len(q)) * pool[q]).astype(np.int64)) % n_analysts
    skill = rng.uniform(0.3, 1.4, n_analysts)  # noise on the logit scale
    confidence = rng.uniform(0.8, 1.6, n_analysts)  # > 1 overconfident
    logit = np.log(truth[q]) - np.log1p(-truth[q])
    z = confidence[a] * (logit + rng.normal(0.0, 1.0, len(q)) * skill[a])
    pct = np.clip(np.round(100.0 / (1.0 + np.exp(-z))), 0, 100).astype(np.int64)
    # file order: by question, analyst, time; no two rows of a pair at the same second
    order = np.lexsort((t, a, q))
    q, a, t, pct = q[order], a[order], t[order], pct[order]
    for _ in range(5):
        dup = np.flatnonzero((q[1:] == q[:-1]) & (a[1:] == a[:-1]) & (t[1:] <= t[:-1])) + 1
        if not len(dup):
            break
        t[dup] = t[dup - 1] + 1
    ntags = rng.integers(0, 3, nqs)
    first = rng.integers(0, len(TAGS), nqs)
    tags = [";".join(sorted({TAGS[(f + i * 5) % len(TAGS)] for i in range(k)})) for f, k in zip(first, ntags)]
    return Data(q + q_offset, a, pct, t, deadline, outcome, known, tags, q_offset)


def make_data(n: int, *, seed: int = SEED, n_analysts: int = N_ANALYSTS) -> Data:
    """``n`` forecasts on ``n // 10`` resolved questions."""
    rng = np.random.default_rng(seed)
    return _complete(rng, *_resolved_part(rng, n, max(1, n // PER_QUESTION)), n_analysts, 0)


def make_open(n_questions: int, n_forecasts: int, *, q_offset: int, seed: int = SEED + 1,
              n_analysts: int = N_ANALYSTS) -> Data:
    """Open questions (deadlines from ten days ago to a year ahead of today;
    forecasts made before now), numbered from ``q_offset``."""
    rng = np.random.default_rng(seed)
    part = _open_part(rng, n_forecasts, n_questions, int(time.time()))
    return _complete(rng, *part, n_analysts, q_offset)


def qid(i: int) -> str:
    return f"q{i:07d}"


def analyst_name(i: int) -> str:
    return f"analyst-{i:03d}"


def _iso_seconds(epoch: np.ndarray) -> np.ndarray:
    return np.datetime_as_string(epoch.astype("datetime64[s]"), unit="s")


CSV_HEADER = "question,analyst,probability,made_at,deadline,tags,outcome,known_at"


def write_csv(data: Data, path: Path) -> Path:
    """The tool's forecast CSV (README: "Forecast CSV"), one row per forecast."""
    made = _iso_seconds(data.t)
    dl = np.datetime_as_string(data.deadline.astype("datetime64[D]"))
    known = _iso_seconds(np.maximum(data.known, 0))
    qtail = []
    for i in range(data.n_questions):
        o = "" if data.outcome[i] < 0 else ("yes" if data.outcome[i] else "no")
        k = f"{known[i]}Z" if data.known[i] >= 0 else ""
        qtail.append(f"{dl[i]},{data.tags[i]},{o},{k}")
    qtail = [""] * data.q_offset + qtail
    names = [analyst_name(i) for i in range(int(data.a.max()) + 1)]
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(CSV_HEADER + "\n")
        qs, as_, ps = data.q.tolist(), data.a.tolist(), data.pct.tolist()
        lines = []
        for i in range(data.n):
            j = qs[i]
            lines.append(f"q{j:07d},{names[as_[i]]},{PCT[ps[i]]},{made[i]}Z,{qtail[j]}\n")
            if len(lines) >= 50_000:
                fh.writelines(lines)
                lines = []
        fh.writelines(lines)
    return path


# ------------------------------------------------------------- processes


@dataclass
class Run:
    seconds: float
    maxrss_mb: float
    returncode: int
    stdout: str
    stderr: str


# Bytecode: an installed package runs from compiled bytecode (pip compiles it;
# an editable install writes it on first import). Where PYTHONDONTWRITEBYTECODE
# is set (as in some sandboxes), the tool's own modules would be compiled from
# source on every start while the libraries' bytecode came precompiled. So
# every measured subprocess, tool and floor alike, gets a bytecode cache in
# the run's temporary folder (PYTHONPYCACHEPREFIX: nothing is written into the
# source tree), warmed once by Workspace.warm() before anything is timed.
PYCACHE: list[Path] = []


def base_env() -> dict:
    env = dict(os.environ)
    if PYCACHE:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(PYCACHE[0])
    env.setdefault("PYTHONHASHSEED", "0")
    return env


def tool_env(home: Path) -> dict:
    env = base_env()
    env.pop("TRACKER_DATABASE_URL", None)
    env["TRACKER_HOME"] = str(home)
    env["TRACKER_ANALYST"] = "bench"
    return env


def run(cmd: Sequence[str], *, env: Optional[dict] = None, cwd: Optional[Path] = None, check: bool = True) -> Run:
    """Run ``cmd`` to its end: wall time from spawn to exit (the child's
    ``ru_maxrss`` is kept too, but see :func:`peak_memory_mb`)."""
    env = base_env() if env is None else env
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(list(cmd), stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env, cwd=cwd)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        result = Run(seconds, usage.ru_maxrss / 1024, proc.returncode, out.read().decode(errors="replace"),
                     err.read().decode(errors="replace"))
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))[:200]} exited {result.returncode}:\n{result.stderr[-2000:]}")
    return result


def tool(*args: str, db: str, home: Path, check: bool = True) -> Run:
    return run([TRACKER, "--db", db, *args], env=tool_env(home), check=check)


TIME = "/usr/bin/time"


def peak_memory_mb(cmd: Sequence[str], *, env: Optional[dict] = None) -> Optional[float]:
    """Peak resident set of ``cmd``, as GNU time reports it (%M). Not from
    this process's ``wait4``: a child forked from a big benchmark process
    counts the parent's pages until it execs, which would inflate it."""
    if not Path(TIME).exists():
        return None
    r = run([TIME, "-f", "MAXRSS_KB %M", *cmd], env=env)
    for line in reversed(r.stderr.splitlines()):
        if line.startswith("MAXRSS_KB "):
            return int(line.split()[1]) / 1024
    return None


def floor_cmd(code: str, *args: str) -> list[str]:
    return [PYTHON, "-c", code, *map(str, args)]


def best_of(pairs: Sequence[tuple[str, Callable[[], Run], Optional[Callable[[], None]]]], repeats: int) -> dict[str, Run]:
    """Best (fastest) run of each named command, runs alternating.

    ``pairs``: (name, run it, prepare it (untimed) or None)."""
    best: dict[str, Run] = {}
    for _ in range(repeats):
        for name, fn, prepare in pairs:
            if prepare is not None:
                prepare()
            r = fn()
            if name not in best or r.seconds < best[name].seconds:
                best[name] = r
    return best


# ---------------------------------------------------------------- output


def report(name: str, size: str, tool_s: float, floor_s: float, target: Optional[float], extra: str = "") -> bool:
    ratio = tool_s / floor_s if floor_s > 0 else float("inf")
    ok = target is None or ratio <= target
    tgt = f"(target <= {target:.1f})  {'OK' if ok else 'MISS'}" if target is not None else "(no target)"
    print(f"{name:<22} {size:>18}  tool {tool_s:6.2f} s  floor {floor_s:6.2f} s  ratio {ratio:4.2f}  {tgt}"
          + (f"  {extra}" if extra else ""), flush=True)
    return ok


def note(text: str) -> None:
    print(f"  {text}", flush=True)


def fmt_n(n: int) -> str:
    return f"{n:,}"


# ------------------------------------------------------------- databases


@contextmanager
def workdir(prefix: str = "tracker-bench-") -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def empty_sqlite(template: Path, home: Path) -> Path:
    """An upgraded, empty tracker database (made once, copied afterwards)."""
    if not template.exists():
        tool("db", "upgrade", db=sqlite_url(template), home=home)
    return template


def fresh_copy(template: Path, target: Path) -> Path:
    for suffix in ("", "-wal", "-shm", ".lock"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    shutil.copyfile(template, target)
    return target


def pg_available() -> Optional[str]:
    """None when PostgreSQL answers, else why not."""
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed"
    try:
        with psycopg.connect(PG_DSN + " connect_timeout=3"):
            return None
    except Exception as exc:  # noqa: BLE001
        return " ".join(str(exc).split())[:120]


class PGSchemas:
    """Fresh PostgreSQL schemas (search_path in the URL), all dropped at the end."""

    def __init__(self, home: Path):
        self.home = home
        self.made: list[str] = []

    def new(self, *, upgrade: bool = True) -> tuple[str, str]:
        import psycopg

        schema = "bench_" + secrets.token_hex(5)
        with psycopg.connect(PG_DSN, autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
        self.made.append(schema)
        url = f"{PG_URL}?options=-csearch_path%3D{schema}"
        if upgrade:
            tool("db", "upgrade", db=url, home=self.home)
        return schema, url

    def drop_all(self) -> None:
        import psycopg

        with psycopg.connect(PG_DSN, autocommit=True) as conn:
            for schema in self.made:
                conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        self.made.clear()


def today() -> date:
    return datetime.now(timezone.utc).date()


@contextmanager
def workspace(ws: "Optional[Workspace]" = None) -> Iterator["Workspace"]:
    """The workspace a suite run lends, or a new one for a benchmark run on
    its own (closed when the benchmark is done)."""
    if ws is not None:
        yield ws
        return
    ws = Workspace()
    try:
        yield ws
    finally:
        ws.close()


class Workspace:
    """A temporary folder for one run: generated CSVs and databases, each
    made once and reused by the benchmarks that need it."""

    def __init__(self, keep: bool = False):
        self.dir = Path(tempfile.mkdtemp(prefix="tracker-bench-"))
        self.home = self.dir / "home"
        self.home.mkdir()
        self.keep = keep
        self._data: dict[int, Data] = {}
        PYCACHE[:] = [self.dir / "pycache"]
        self.warm()

    def warm(self) -> None:
        """Compile the bytecode of everything the tool and the floors import
        (untimed): the tool's commands and services, the libraries."""
        modules = ("tracker.cli, tracker.services.transfer, tracker.services.score, tracker.services.log, "
                   "tracker.services.report, tracker.scoring, tracker.storage.migrations, alembic.command, "
                   "sqlalchemy.dialects.sqlite, sqlalchemy.dialects.postgresql, sqlmodel, numpy, scipy.optimize, "
                   "scipy.stats, click, csv, sqlite3, json")
        run([PYTHON, "-c", f"import {modules}\ntry:\n import psycopg\nexcept ImportError:\n pass"], check=False)
        run([TRACKER, "--help"], env=tool_env(self.home), check=False)

    def data(self, n: int) -> Data:
        if n not in self._data:
            self._data[n] = make_data(n)
        return self._data[n]

    def open_data(self, n: int) -> Data:
        """Open questions beside ``data(n)``: n/1000 of them with n/100 forecasts."""
        return make_open(max(10, n // 1000), max(100, n // 100), q_offset=self.data(n).n_questions)

    def csv(self, n: int) -> Path:
        path = self.dir / f"forecasts-{n}.csv"
        if not path.exists():
            write_csv(self.data(n), path)
        return path

    def empty_sqlite(self) -> Path:
        return empty_sqlite(self.dir / "empty.db", self.home)

    def keep_imported(self, n: int, db: Path) -> None:
        """Keep a database the import benchmark filled with ``csv(n)``."""
        target = self.dir / f"db-{n}.db"
        if not target.exists():
            import sqlite3

            con = sqlite3.connect(db)
            con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            con.close()
            shutil.copyfile(db, target)

    def db(self, n: int) -> Path:
        """A SQLite database holding ``csv(n)``, imported by the tool."""
        target = self.dir / f"db-{n}.db"
        if not target.exists():
            work = fresh_copy(self.empty_sqlite(), self.dir / f"build-{n}.db")
            tool("import", str(self.csv(n)), db=sqlite_url(work), home=self.home)
            self.keep_imported(n, work)
        return target

    def latency_db(self, n: int) -> Path:
        """``db(n)`` plus open questions (deadlines around today) and their forecasts."""
        target = self.dir / f"latency-{n}.db"
        if not target.exists():
            fresh_copy(self.db(n), target)
            opened = write_csv(self.open_data(n), self.dir / f"open-{n}.csv")
            tool("import", str(opened), db=sqlite_url(target), home=self.home)
        return target

    def close(self) -> None:
        PYCACHE.clear()
        if not self.keep:
            shutil.rmtree(self.dir, ignore_errors=True)
