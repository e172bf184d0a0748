"""Banks: a CSV snapshot of 100 000 enterprises against 1 000 (time, peak memory), webhook deliveries per second."""
from __future__ import annotations

import datetime as dt
import functools
import random
import tempfile
import threading
import time
import tracemalloc
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import urllib3
from sqlmodel import Session

from incentives import migrate
from incentives import uscc as uscc_mod
from incentives.access import Caller
from incentives.db import make_engine, utcnow
from incentives.services import imports, snapshot, webhooks
from incentives.webhooks import transport
from incentives.webhooks.sealing import SecretBox

TODAY = dt.date(2026, 11, 25)
BRANCHES = (("ceramics", "ceramics_building", "CBDCCCA"), ("ferroalloy", "ferroalloy_main", "CCBCA"))
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def register(sizes: dict[str, int], seed: int = 11) -> bytes:
    """An import file: `n` enterprises (one industry each) in each division of `sizes`."""
    rng = random.Random(seed)
    lines = ["uscc,name,industry,branch,grade,rated_on"]
    i = 0
    for division, n in sizes.items():
        for _ in range(n):
            code = uscc_mod.make("91", division, "".join(rng.choice(ALPHABET) for _ in range(8)))
            industry, branch, grades = BRANCHES[i % 2]
            lines.append(f"{code},企业{i},{industry},{branch},{grades[i % len(grades)]},2024-0{1 + i % 9}-1{i % 9}")
            i += 1
    return ("\n".join(lines) + "\n").encode()


def _snapshot(engine, division: str, trace: bool) -> tuple[float, int, int]:
    """Seconds, bytes written and (when traced) the peak of Python allocations while streaming the CSV."""
    if trace:
        tracemalloc.start()
    with Session(engine) as session:
        t = time.perf_counter()
        snap = snapshot.stream(session=session, caller=Caller(role="bank"), division=division, as_of=TODAY,
                               fmt="csv", localize=lambda row: row)
        size = sum(len(piece) for piece in snap.body)
        seconds = time.perf_counter() - t
    peak = tracemalloc.get_traced_memory()[1] if trace else 0
    if trace:
        tracemalloc.stop()
    return seconds, size, peak


class _Receiver(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def _deliveries(tmp: Path, n: int) -> list[dict]:
    """`n` events delivered by the worker's loop to a receiver on 127.0.0.1, against bare POSTs to it."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    try:
        db = f"sqlite:///{tmp / 'hooks.sqlite'}"
        migrate.upgrade(db)
        engine = make_engine(db)
        settings = webhooks.Settings(allowed=frozenset({"127.0.0.1"}), batch=n + 1)
        box = SecretBox("bench")
        with Session(engine) as session:
            from incentives.db import ApiKey
            session.add(ApiKey(id="bench", key_hash="x" * 64, role="bank"))
            session.commit()
            hook = webhooks.subscribe(session=session, caller=Caller(role="bank", key_id="bench"), url=url,
                                      events=None, divisions=None, box=box, settings=settings)
            imports.import_enterprises(session=session, data=register({"500112": n}), filename="b.csv",
                                       content_type="text/csv", today=TODAY, max_rows=n + 1)
            send = functools.partial(transport.post, allowed=settings.allowed)
            t = time.perf_counter()
            out = webhooks.deliver(session=session, subscription_id=hook["id"], box=box, settings=settings,
                                   clock=utcnow, send=send)
            seconds = time.perf_counter() - t
        engine.dispose()
        assert out.sent == n, out
        t = time.perf_counter()
        for _ in range(n):      # baseline: the same POSTs, a new connection each (as a delivery makes)
            pool = urllib3.HTTPConnectionPool("127.0.0.1", server.server_address[1], retries=False)
            pool.urlopen("POST", "/hook", body=b"{}", headers={"Content-Type": "application/json"})
            pool.close()
        bare = time.perf_counter() - t
    finally:
        server.shutdown()
        server.server_close()
    return [{"step": f"{n} bare POSTs to a local receiver (baseline)", "per_second": n / bare, "ratio": 1.0},
            {"step": f"{n} webhook deliveries (signed, logged, cursor moved; SQLite)", "per_second": n / seconds,
             "ratio": bare / seconds}]


def run() -> list[dict]:
    """Snapshot sizes 1 000 and 100 000 from one SQLite register; deliveries to a local receiver."""
    rows = []
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        url = f"sqlite:///{tmp / 'banks.sqlite'}"
        migrate.upgrade(url)
        engine = make_engine(url)
        with Session(engine) as session:
            imports.import_enterprises(session=session, data=register({"500112": 1_000, "500113": 100_000}),
                                       filename="r.csv", content_type="text/csv", today=TODAY, max_rows=200_000)
        small_t, small_b, _ = _snapshot(engine, "500112", trace=False)
        large_t, large_b, _ = _snapshot(engine, "500113", trace=False)
        _, _, small_m = _snapshot(engine, "500112", trace=True)
        _, _, large_m = _snapshot(engine, "500113", trace=True)
        engine.dispose()
        rows += [{"step": "CSV snapshot of 1 000 enterprises (baseline)", "seconds": small_t, "bytes": small_b,
                  "peak_MiB": small_m / 2**20, "ratio": 1.0},
                 {"step": "CSV snapshot of 100 000 (time linear: ratio ~100)", "seconds": large_t, "bytes": large_b,
                  "peak_MiB": large_m / 2**20, "ratio": large_t / small_t},
                 {"step": "  peak memory 100 000 / 1 000 (flat: ratio ~1)", "ratio": large_m / small_m}]
        rows += _deliveries(tmp, 500)
    return rows
