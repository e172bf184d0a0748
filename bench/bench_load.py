"""Load against gunicorn on 127.0.0.1 (GET grade, bulk lookup; ratios to GET /health), and event writes during an import.

Load: a Python generator (processes × keep-alive connections, no think time) runs each request for a
fixed time against gunicorn (2 workers × 4 threads, limiter off, SQLite with 10 000 enterprises);
requests per second and p99 latency, with the error count, each as a ratio to GET /health measured
in the same run. Imports: a re-import of 10 000 enterprises with different grades (a different file)
while another thread appends an event every 50 ms; the longest wait of an event write, against the
import's own duration, on SQLite and PostgreSQL (the import plans outside the write lock).
"""
from __future__ import annotations

import http.client
import json
import multiprocessing as mp
import random
import statistics
import tempfile
import threading
import time
from pathlib import Path

from sqlmodel import Session

from incentives import db
from incentives.access import Caller
from incentives.services import imports, registry

from .bench_registry import ADMIN, TODAY, _fresh_pg, _fresh_sqlite, _import, register_csv

SECONDS = 6.0
PROCESSES = 4
CONNECTIONS = 2           # per process


def _worker(port: int, method: str, path: str, body: bytes | None, headers: dict, until: float, out) -> None:
    latencies, errors = [], 0

    def loop():
        nonlocal errors
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < until:
            t = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                r = conn.getresponse()
                r.read()
                ok = r.status == 200
            except OSError:
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            latencies.append(time.perf_counter() - t)
            errors += not ok
        conn.close()

    threads = [threading.Thread(target=loop) for _ in range(CONNECTIONS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.put((latencies, errors))


def load(port: int, method: str, path: str, body: dict | None = None) -> dict:
    """Requests per second, p99 (ms) and errors of one request under load."""
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Authorization": f"Bearer {ADMIN}", "Content-Type": "application/json"} if body is not None else {}
    if path.startswith("/api/v1/grades/lookup"):
        headers = {"Authorization": f"Bearer {ADMIN}", "Content-Type": "application/json"}
    ctx = mp.get_context("fork")
    out = ctx.Queue()
    until = time.monotonic() + SECONDS
    procs = [ctx.Process(target=_worker, args=(port, method, path, data, headers, until, out))
             for _ in range(PROCESSES)]
    started = time.monotonic()
    for p in procs:
        p.start()
    results = [out.get() for _ in procs]
    for p in procs:
        p.join()
    elapsed = time.monotonic() - started
    latencies = sorted(x for lat, _ in results for x in lat)
    errors = sum(e for _, e in results)
    return {"rps": len(latencies) / elapsed, "p99_ms": 1000 * latencies[int(0.99 * (len(latencies) - 1))],
            "median_ms": 1000 * statistics.median(latencies), "errors": errors, "requests": len(latencies)}


def _changed(data: bytes) -> bytes:
    """The same enterprises with every grade one step different (a different file: a real re-import)."""
    swap = {"C": "B", "B": "A", "D": "C", "A": "B", "非引领": "引领", "引领": "非引领"}
    lines = data.decode().splitlines()
    out = [lines[0]]
    for line in lines[1:]:
        cells = line.split(",")
        cells[4] = swap.get(cells[4], cells[4])
        cells[5] = "2025-06-01"
        out.append(",".join(cells))
    return ("\n".join(out) + "\n").encode()


def writes_during_import(url: str, data: bytes) -> dict:
    """Import seconds, and the longest and median wait of event appends running beside a re-import."""
    _import(url, data)
    engine = db.make_engine(url)
    target = data.decode().splitlines()[1].split(",")[0]
    waits: list[float] = []
    stop = threading.Event()
    admin = Caller(role="admin")

    def writer():
        day = 0
        while not stop.is_set():
            body = {"kind": "violation_found", "violation": "other", "effective": TODAY, "note": f"bench {day}"}
            t = time.perf_counter()
            with Session(engine, expire_on_commit=False) as session:
                registry.append_event(session=session, caller=admin, uscc=target, body=body, today=TODAY)
            waits.append(time.perf_counter() - t)
            day += 1
            time.sleep(0.05)

    thread = threading.Thread(target=writer)
    thread.start()
    time.sleep(0.3)
    with Session(engine, expire_on_commit=False) as session:
        t = time.perf_counter()
        result = imports.import_enterprises(session=session, data=_changed(data), filename="again.csv",
                                            content_type="text/csv", today=TODAY, max_rows=200_000)
        seconds = time.perf_counter() - t
    time.sleep(0.3)
    stop.set()
    thread.join()
    engine.dispose()
    assert result["status"] == "imported" and result["events_appended"] > 0, result
    return {"import_s": seconds, "events_written": len(waits), "longest_wait_s": max(waits),
            "median_wait_s": statistics.median(waits)}


def run() -> list[dict]:
    """Load figures against gunicorn, then event writes beside a re-import on both databases."""
    from tests.test_served import start_gunicorn
    rows: list[dict] = []
    data = register_csv(10_000)
    usccs = [line.split(",")[0] for line in data.decode().splitlines()[1:]]
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        url = _fresh_sqlite(tmp, "load.sqlite")
        _import(url, data)
        proc, base = start_gunicorn(url, tmp, GIS_BOOTSTRAP_ADMIN_KEY=ADMIN, GIS_WORKERS="2", GIS_THREADS="4")
        port = int(base.rsplit(":", 1)[1])
        try:
            health = load(port, "GET", "/api/v1/health")
            one = random.Random(1).choice(usccs)
            grade = load(port, "GET", f"/api/v1/enterprises/{one}/grade")
            bulk = load(port, "POST", "/api/v1/grades/lookup", {"usccs": random.Random(2).sample(usccs, 100)})
        finally:
            proc.terminate()
            proc.wait(timeout=30)
            proc.stderr.close()
        for name, fig in (("GET /health (baseline)", health), ("GET /enterprises/{uscc}/grade", grade),
                          ("POST /grades/lookup, 100 usccs", bulk)):
            rows.append({"step": name, "req_per_s": fig["rps"], "p99_ms": fig["p99_ms"], "median_ms": fig["median_ms"],
                         "errors": fig["errors"], "rps_ratio_to_health": fig["rps"] / health["rps"],
                         "p99_ratio_to_health": fig["p99_ms"] / health["p99_ms"]})
        small = register_csv(10_000, seed=11)
        fig = writes_during_import(_fresh_sqlite(tmp, "imp.sqlite"), small)
        rows.append({"step": "event writes beside a 10 000-row re-import, SQLite", **fig,
                     "longest_wait_ratio_to_import": fig["longest_wait_s"] / fig["import_s"]})
        pg = _fresh_pg()
        if pg:
            try:
                fig = writes_during_import(pg[0], small)
            finally:
                pg[1]()
            rows.append({"step": "event writes beside a 10 000-row re-import, PostgreSQL", **fig,
                         "longest_wait_ratio_to_import": fig["longest_wait_s"] / fig["import_s"]})
    return rows
