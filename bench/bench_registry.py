"""Registry: bulk lookup over HTTP vs 1 000 single calls (gunicorn), and imports of 10 000 / 100 000 rows."""
from __future__ import annotations

import json
import os
import random
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session

from incentives import migrate
from incentives import uscc as uscc_mod
from incentives.services import imports

TODAY = __import__("datetime").date(2026, 11, 25)
BRANCHES = (("ceramics", "ceramics_building", "ABCD"), ("ferroalloy", "ferroalloy_main", "ABC"),
            ("coking", "coking_heat_recovery", "leading"))
ADMIN = "bench-admin-key"


def register_csv(n: int, seed: int = 7) -> bytes:
    """An import file of `n` enterprises (one industry each)."""
    rng = random.Random(seed)
    lines = ["uscc,name,industry,branch,grade,rated_on"]
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    divisions = ("410100", "500112", "640100", "330602", "320100")
    for i in range(n):
        body = "".join(rng.choice(alphabet) for _ in range(8))
        code = uscc_mod.make("91", divisions[i % len(divisions)], body)
        industry, branch, scale = BRANCHES[i % 3]
        grade = {"ABCD": "CBDCCCA", "ABC": "CCBCA", "leading": ["非引领", "引领"]}[scale]
        grade = grade[i % len(grade)]
        lines.append(f"{code},企业{i},{industry},{branch},{grade},2024-0{1 + i % 9}-1{i % 9}")
    return ("\n".join(lines) + "\n").encode()


def _import(url: str, data: bytes) -> float:
    engine = __import__("incentives.db", fromlist=["make_engine"]).make_engine(url)
    with Session(engine) as session:
        t = time.perf_counter()
        result = imports.import_enterprises(session=session, data=data, filename="bench.csv", content_type="text/csv",
                                            today=TODAY, max_rows=200_000)
        seconds = time.perf_counter() - t
    engine.dispose()
    assert result["status"] == "imported"
    return seconds


def _fresh_sqlite(tmp: Path, name: str) -> str:
    url = f"sqlite:///{tmp / name}"
    migrate.upgrade(url)
    return url


def _fresh_pg() -> tuple[str, callable] | None:
    base = os.environ.get("TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
    try:
        admin = sa.create_engine(base.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")
        name = f"gis_bench_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except Exception:  # noqa: BLE001 - no PostgreSQL here: the PG figures are skipped
        return None
    url = base.rsplit("/", 1)[0] + "/" + name

    def drop():
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    migrate.upgrade(url)
    return url, drop


def _http(base: str, path: str, body: dict | None = None) -> dict:
    return _http_timed(base, path, body)[0]


def _http_timed(base: str, path: str, body: dict | None = None) -> tuple[dict, float]:
    """The answer and the server's own time for it (Server-Timing, seconds)."""
    req = urllib.request.Request(base + path, data=json.dumps(body).encode() if body else None,
                                 headers={"Authorization": f"Bearer {ADMIN}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        server = float(r.headers["Server-Timing"].split("dur=")[1]) / 1000
        return json.load(r), server


def run() -> list[dict]:
    """Imports at two sizes on SQLite (and PostgreSQL), then lookups over HTTP against gunicorn."""
    from tests.test_served import start_gunicorn
    rows = []
    small, large = register_csv(10_000), register_csv(100_000)
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        s10 = _import(_fresh_sqlite(tmp, "s10.sqlite"), small)
        url = _fresh_sqlite(tmp, "s100.sqlite")
        s100 = _import(url, large)
        rows += [{"step": "import 10 000 rows, SQLite (baseline)", "seconds": s10, "ratio": 1.0},
                 {"step": "import 100 000 rows, SQLite (target <= 10 s; linear = ratio ~10)", "seconds": s100,
                  "ratio": s100 / s10}]
        pg = _fresh_pg()
        if pg:
            p10 = _import(pg[0], small)
            pg[1]()
            pg = _fresh_pg()
            p100 = _import(pg[0], large)
            pg[1]()
            rows += [{"step": "import 10 000 rows, PostgreSQL (baseline)", "seconds": p10, "ratio": 1.0},
                     {"step": "import 100 000 rows, PostgreSQL (target <= 15 s)", "seconds": p100,
                      "ratio": p100 / p10}]
        usccs = [line.split(",")[0] for line in large.decode().splitlines()[1:1001]]
        proc, base = start_gunicorn(url, tmp, GIS_BOOTSTRAP_ADMIN_KEY=ADMIN, GIS_WORKERS="2", GIS_THREADS="4")
        try:
            _http(base, f"/api/v1/enterprises/{usccs[0]}/grade")
            t = time.perf_counter()
            for u in usccs:
                _http(base, f"/api/v1/enterprises/{u}/grade")
            singles = time.perf_counter() - t
            _http(base, "/api/v1/grades/lookup", {"usccs": usccs})
            best = server_best = float("inf")
            for _ in range(5):
                t = time.perf_counter()
                answer, server = _http_timed(base, "/api/v1/grades/lookup", {"usccs": usccs})
                best = min(best, time.perf_counter() - t)
                server_best = min(server_best, server)
            assert len(answer["results"]) == 1000
        finally:
            proc.terminate()
            proc.wait(timeout=30)
            proc.stderr.close()
        rows += [{"step": "1 000 single GET grade over HTTP (baseline)", "seconds": singles, "ratio": 1.0},
                 {"step": "one bulk lookup of 1 000 over HTTP (target >= 20x)", "seconds": best,
                  "ratio": singles / best},
                 {"step": "  of which server time (Server-Timing; target <= 50 ms)", "seconds": server_best}]
    return rows
