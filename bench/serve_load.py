"""Load on the team server: 50 concurrent clients each post 100 forecasts
(5,000 in all) over loopback, on SQLite and on PostgreSQL.

    python bench/serve_load.py [--clients 50] [--per-client 100] [--no-pg]

The tool: ``tracker serve``'s application (token authentication, the role
rules, the forecast service with every check, on PostgreSQL under the user's
own role) run by uvicorn in its own process. The floor, measured in the same
run with the same client: a bare Starlette endpoint in the same kind of
process that inserts the same single row through the same driver (sqlite3
or psycopg), with no authentication and no checks. Printed: every forecast
stored exactly once, the count of 5xx answers, median and 95th-percentile
latency and throughput of both, and their ratios. Targets: p95 within 2x of
the floor's, throughput at least half of it. Also printed: the server
process's CPU time per request (Linux), which depends less than latency on
what else the machine runs, and the machine's load average: on a busy
machine the ratios move from run to run, so run it on a quiet one.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PG_ADMIN = os.environ.get("BENCH_PG_DSN", "host=127.0.0.1 port=5432 dbname=test user=postgres")
PG_HOST = "postgresql+psycopg://postgres@127.0.0.1:5432"
QUESTIONS = 10

FLOOR_APP = r'''
import os, sqlite3, threading
from datetime import datetime, timezone
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.concurrency import run_in_threadpool

URL = os.environ.get("FLOOR_URL", "")
if URL.startswith("sqlite:///"):
    PATH = URL[len("sqlite:///"):]
    local = threading.local()

    def conn():
        c = getattr(local, "c", None)
        if c is None:
            c = local.c = sqlite3.connect(PATH, isolation_level=None, check_same_thread=False)
            c.execute("PRAGMA busy_timeout = 30000"); c.execute("PRAGMA journal_mode = WAL")
            c.execute("PRAGMA synchronous = NORMAL")
        return c

    def insert(q, a, p):
        c = conn()
        c.execute("BEGIN IMMEDIATE")
        cur = c.execute("INSERT INTO floor_forecast (question_id, analyst, probability, made_at) VALUES (?, ?, ?, ?)",
                        (q, a, p, datetime.now(timezone.utc).isoformat()))
        c.execute("COMMIT")
        return cur.lastrowid
else:
    import psycopg
    local = threading.local()

    def insert(q, a, p):
        c = getattr(local, "c", None)
        if c is None:
            c = local.c = psycopg.connect(os.environ["FLOOR_DSN"], autocommit=True)
        return c.execute("INSERT INTO floor_forecast (question_id, analyst, probability, made_at) "
                         "VALUES (%s, %s, %s, now()) RETURNING id", (q, a, p)).fetchone()[0]

async def post(request):
    body = await request.json()
    q = request.path_params["qid"]
    rid = await run_in_threadpool(insert, q, request.headers["x-analyst"], float(body["probability"]))
    return JSONResponse({"id": rid}, status_code=201)

app = Starlette(routes=[Route("/api/questions/{qid}/forecasts", post, methods=["POST"])])
'''

TOOL_APP = r'''
import os
from tracker.web import create_app
app = create_app(os.environ["TOOL_URL"], pool_size=8)
'''


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(app_code: str, env: dict, workdir: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    script = workdir / f"app_{port}.py"
    script.write_text(app_code)
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", f"{script.stem}:app", "--host", "127.0.0.1", "--port", str(port),
         "--log-level", "warning", "--no-server-header",
         # a client starved of CPU on a busy machine may leave its connection idle past uvicorn's
         # default 5 s, and a POST sent as the server closes it is lost: the same for tool and floor
         "--timeout-keep-alive", "60"],
        cwd=workdir, env={**os.environ, **env, "PYTHONPATH": os.pathsep.join([str(workdir), str(ROOT)])},
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc, port
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError("the server process exited at start")
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("the server did not start within 60 s")


ROOT = Path(__file__).resolve().parents[1]


async def load(port: int, clients: list[dict], per_client: int) -> dict:
    import httpx

    latencies: list[float] = []
    statuses: dict[int, int] = {}
    limits = httpx.Limits(max_connections=len(clients), max_keepalive_connections=len(clients))

    async def one(client: httpx.AsyncClient, who: dict, k: int):
        for i in range(per_client):
            qid = f"q{(k + i) % QUESTIONS}"
            t = time.perf_counter()
            try:
                r = await client.post(f"/api/questions/{qid}/forecasts", headers=who,
                                      json={"probability": round(((k * per_client + i) % 99 + 1) / 100, 2)})
            except httpx.TransportError as exc:  # the connection dropped: counted, never hidden
                key = f"dropped ({type(exc).__name__})"
                statuses[key] = statuses.get(key, 0) + 1
                continue
            latencies.append(time.perf_counter() - t)
            statuses[r.status_code] = statuses.get(r.status_code, 0) + 1

    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", limits=limits, timeout=120) as client:
        start_t = time.perf_counter()
        await asyncio.gather(*(one(client, who, k) for k, who in enumerate(clients)))
        wall = time.perf_counter() - start_t
    latencies.sort()
    return {"n": len(latencies), "median_ms": 1000 * statistics.median(latencies),
            "p95_ms": 1000 * latencies[int(0.95 * (len(latencies) - 1))], "per_s": len(latencies) / wall,
            "statuses": statuses, "wall_s": wall}


def _load() -> str:
    try:
        return " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def cpu_seconds(pid: int):
    """CPU time (user + system) the server process has used so far, from
    /proc (Linux); None elsewhere. Less sensitive than latency to what else
    the machine runs."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def prepare(url: str, n_clients: int) -> list[dict]:
    """The tracker database: questions and one analyst user (with a token) per client."""
    from datetime import date, timedelta

    from tracker.services import users
    from tracker.services.admin import grant_role
    from tracker.services.log import add_question
    from tracker.storage import open_store

    store = open_store(url, upgrade=True)
    try:
        deadline = date.today() + timedelta(days=365)
        for k in range(QUESTIONS):
            add_question(store, {"id": f"q{k}", "text": f"Load question {k}", "deadline": deadline})
        headers = []
        suffix = secrets.token_hex(3)
        for k in range(n_clients):
            name = f"load{k}_{suffix}"
            if store.dialect == "postgresql":
                grant_role(store, name, "analyst")
            users.add_user(store, name, "analyst", "bench password " + suffix)
            headers.append({"Authorization": "Bearer " + users.make_token(store, name)["token"], "x-analyst": name})
        return headers
    finally:
        store.dispose()


def run_backend(name: str, tool_url: str, floor_env: dict, make_floor_table, count_rows, clients: int,
                per_client: int, workdir: Path) -> list[str]:
    headers = prepare(tool_url, clients)
    make_floor_table()
    misses = []
    results = {}
    for label, code, env in (("floor", FLOOR_APP, floor_env), ("tool", TOOL_APP, {"TOOL_URL": tool_url})):
        proc, port = start(code, env, workdir)
        try:
            before = cpu_seconds(proc.pid)
            results[label] = asyncio.run(load(port, headers, per_client))
            after = cpu_seconds(proc.pid)
            results[label]["cpu_ms"] = None if before is None or after is None else \
                1000 * (after - before) / max(1, results[label]["n"])
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    stored, distinct = count_rows()
    tool, floor = results["tool"], results["floor"]
    five = sum(v for k, v in tool["statuses"].items() if isinstance(k, int) and k >= 500)
    dropped = {label: sum(v for k, v in r["statuses"].items() if not isinstance(k, int)) for label, r in results.items()}
    print(f"\n{name}: {clients} clients x {per_client} forecasts (machine load average {_load()})")
    print(f"  stored {stored:,} forecasts ({distinct:,} distinct (analyst, made_at)); answers {tool['statuses']}; 5xx: {five}")
    print(f"  {'':8} {'median ms':>10} {'p95 ms':>8} {'per s':>8} {'server CPU ms/request':>22}")
    for label in ("tool", "floor"):
        r = results[label]
        cpu = "-" if r.get("cpu_ms") is None else f"{r['cpu_ms']:.2f}"
        print(f"  {label:8} {r['median_ms']:10.1f} {r['p95_ms']:8.1f} {r['per_s']:8.0f} {cpu:>22}")
    p95_ratio = tool["p95_ms"] / floor["p95_ms"]
    rate_ratio = tool["per_s"] / floor["per_s"]
    print(f"  p95 ratio {p95_ratio:.2f} (target <= 2.0); throughput ratio {rate_ratio:.2f} (target >= 0.5)")
    if stored != clients * per_client or distinct != stored:
        misses.append(f"{name}: stored {stored} of {clients * per_client}")
    if five:
        misses.append(f"{name}: {five} answers 5xx")
    if dropped["tool"]:
        misses.append(f"{name}: {dropped['tool']} connections dropped by the tool")
    if dropped["floor"]:
        print(f"  (the floor dropped {dropped['floor']} connections)")
    if p95_ratio > 2.0:
        misses.append(f"{name}: p95 {p95_ratio:.2f}x the floor")
    if rate_ratio < 0.5:
        misses.append(f"{name}: throughput {rate_ratio:.2f}x the floor")
    return misses


def sqlite_backend(workdir: Path, clients: int, per_client: int) -> list[str]:
    import sqlite3

    db = workdir / "load.db"
    floor_db = workdir / "floor.db"

    def make_floor():
        with sqlite3.connect(floor_db) as c:
            c.execute("PRAGMA journal_mode = WAL")
            c.execute("CREATE TABLE floor_forecast (id INTEGER PRIMARY KEY, question_id TEXT NOT NULL, "
                      "analyst TEXT NOT NULL, probability REAL NOT NULL, made_at TEXT NOT NULL)")

    def count():
        with sqlite3.connect(db) as c:
            return c.execute("SELECT count(*), count(DISTINCT analyst || made_at) FROM forecast "
                             "WHERE source = 'web'").fetchone()

    return run_backend("SQLite", f"sqlite:///{db}", {"FLOOR_URL": f"sqlite:///{floor_db}"}, make_floor, count,
                       clients, per_client, workdir)


def pg_backend(workdir: Path, clients: int, per_client: int) -> list[str]:
    import psycopg

    dbname = "bench_load_" + secrets.token_hex(4)
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {dbname}")
    dsn = f"host=127.0.0.1 port=5432 dbname={dbname} user=postgres"
    roles: list[str] = []
    try:
        def make_floor():
            with psycopg.connect(dsn, autocommit=True) as c:
                c.execute("CREATE TABLE floor_forecast (id bigserial PRIMARY KEY, question_id text NOT NULL, "
                          "analyst text NOT NULL, probability double precision NOT NULL, made_at timestamptz NOT NULL)")

        def count():
            with psycopg.connect(dsn) as c:
                roles.extend(r[0] for r in c.execute("SELECT name FROM app_user"))
                return c.execute("SELECT count(*), count(DISTINCT (analyst, made_at)) FROM forecast "
                                 "WHERE source = 'web'").fetchone()

        return run_backend("PostgreSQL", f"{PG_HOST}/{dbname}", {"FLOOR_DSN": dsn}, make_floor, count,
                           clients, per_client, workdir)
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {dbname} WITH (FORCE)")
            for role in roles:
                admin.execute(f'DROP ROLE IF EXISTS "{role}"')


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--per-client", type=int, default=100)
    ap.add_argument("--no-pg", action="store_true", help="skip PostgreSQL")
    args = ap.parse_args(argv)
    misses: list[str] = []
    with tempfile.TemporaryDirectory(prefix="tracker-load-") as tmp:
        misses += sqlite_backend(Path(tmp), args.clients, args.per_client)
        if not args.no_pg:
            misses += pg_backend(Path(tmp), args.clients, args.per_client)
    print("\ntargets missed: " + ("; ".join(misses) if misses else "none"))
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
