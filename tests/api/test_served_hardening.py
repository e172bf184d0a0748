"""Hardening of the served shape (gunicorn, 2 workers): its own 414/431 as problem+json, 503 with
Retry-After, never 500, while PostgreSQL drops every connection under load, and a time budget that holds
even for a request stuck in a C call (issue 14)."""
from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from incentives import migrate
from tests.conftest import ADMIN_KEY, PG_URL, _truncate
from tests.test_served import start_gunicorn

from .test_registry import CQ


def request(base: str, method: str, path: str, headers: dict | None = None, body: bytes | None = None):
    """(status, headers, body) of one request on a fresh connection."""
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        return r.status, dict(r.getheaders()), r.read()
    finally:
        conn.close()


def _assert_problem(status, headers, body, expected):
    assert status == expected, body[:300]
    assert headers["Content-Type"] == "application/problem+json"
    problem = json.loads(body)
    assert problem["status"] == expected and problem["title"] and "errors" in problem


def test_gunicorns_own_414_and_431_are_problem_json(served):
    _assert_problem(*request(served, "GET", "/api/v1/health?x=" + "a" * 9000), 414)
    _assert_problem(*request(served, "GET", "/api/v1/health", {"X-Big": "b" * 9000}), 431)
    many = {f"X-H{i}": "v" for i in range(120)}
    _assert_problem(*request(served, "GET", "/api/v1/health", many), 431)


def test_an_oversized_body_is_413_problem_json(served):
    # declared larger than the JSON limit: refused from the headers, the body is never read
    parts = urlsplit(served)
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        sock.sendall(b"POST /api/v1/benefits/preview HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 17000000\r\nConnection: close\r\n\r\n{")
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413") and b"application/problem+json" in head, head
    assert json.loads(body)["status"] == 413


@pytest.fixture
def served_pg(tmp_path):
    if not PG_URL:
        pytest.skip("PostgreSQL is not available")
    admin = sa.create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")
    name = f"gis_fault_{int(time.time() * 1000) % 10**9}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = PG_URL.rsplit("/", 1)[0] + "/" + name
    migrate.upgrade(url)
    _truncate(url)
    proc, base = start_gunicorn(url, tmp_path, GIS_BOOTSTRAP_ADMIN_KEY=ADMIN_KEY, GIS_THREADS="4")
    yield base, admin, name
    proc.terminate()
    proc.wait(timeout=30)
    proc.stderr.close()
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_dropped_postgresql_connections_under_load_give_503_with_retry_after_never_500(served_pg):
    base, admin, name = served_pg
    auth = {"Authorization": f"Bearer {ADMIN_KEY}", "Content-Type": "application/json"}
    body = {"uscc": CQ, "name": "某某陶瓷有限公司", "industries": [
        {"industry": "ceramics", "branch": "ceramics_building", "grade": "B", "rated_on": "2024-04-24"}]}
    assert request(base, "POST", "/api/v1/enterprises", auth, json.dumps(body).encode())[0] == 201
    seen: list[tuple[int, dict, bytes]] = []
    stop = threading.Event()

    def load():
        while not stop.is_set():
            seen.append(request(base, "GET", f"/api/v1/enterprises/{CQ}/grade"))

    threads = [threading.Thread(target=load) for _ in range(4)]
    for t in threads:
        t.start()
    for _ in range(8):            # every connection of the service's database dropped, again and again
        time.sleep(0.25)
        with admin.connect() as conn:
            conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                 "WHERE datname = :db AND pid <> pg_backend_pid()"), {"db": name})
    time.sleep(0.5)
    stop.set()
    for t in threads:
        t.join()
    statuses = [s for s, _, _ in seen]
    assert len(statuses) > 20 and set(statuses) <= {200, 503}, [d[:300] for s, _, d in seen if s == 500][:3]
    for status, headers, data in seen:
        if status == 503:
            assert headers["Content-Type"] == "application/problem+json" and int(headers["Retry-After"]) > 0
    assert request(base, "GET", f"/api/v1/enterprises/{CQ}/grade")[0] == 200     # and it recovers


def _workers(master: int) -> set[int]:
    return {int(p) for p in Path(f"/proc/{master}/task/{master}/children").read_text().split()}


def test_a_request_stuck_in_a_c_call_is_answered_at_its_budget_and_its_worker_replaced(tmp_path):
    """The interruption cannot land inside one long C call (here a 60 s time.sleep, in a route that only the
    test app `tests.served_blocking` has): its grace after the budget, the worker answers it 503 itself, lets
    the request beside it finish, and exits; gunicorn's master starts a new worker that serves on."""
    url = f"sqlite:///{tmp_path / 'served.sqlite'}"
    migrate.upgrade(url)
    log = tmp_path / "gunicorn.log"
    proc, base = start_gunicorn(url, tmp_path, app="tests.served_blocking:app", log=log, GIS_WORKERS="1",
                                GIS_THREADS="4", GIS_REQUEST_TIME_LIMIT="2", GIS_REQUEST_TIME_GRACE="0.5",
                                GIS_LOG_LEVEL="WARNING")
    try:
        status, _, body = request(base, "GET", "/api/v1/test-only/block?seconds=0")
        old = json.loads(body)["pid"]
        assert status == 200 and _workers(proc.pid) == {old}
        stuck: dict = {}

        def send_stuck():
            started = time.monotonic()
            stuck["answer"] = request(base, "GET", "/api/v1/test-only/block?seconds=60")
            stuck["took"] = time.monotonic() - started
        thread = threading.Thread(target=send_stuck)
        thread.start()
        time.sleep(0.8)
        # beside it in the same worker, a request that ends within its budget (1.5 s of 2 s) is let finish
        status, _, body = request(base, "GET", "/api/v1/test-only/block?seconds=1.5")
        assert status == 200 and json.loads(body)["pid"] == old
        thread.join(timeout=30)
        _assert_problem(*stuck["answer"], 503)
        assert "2 s a request may take" in json.loads(stuck["answer"][2])["detail"]
        assert stuck["took"] < 10          # budget 2 s + grace 0.5 s, not the 60 s of the C call
        until = time.monotonic() + 30
        while (_workers(proc.pid) in (set(), {old})) and time.monotonic() < until:
            time.sleep(0.2)
        new = _workers(proc.pid)
        assert len(new) == 1 and old not in new
        status, _, body = request(base, "GET", "/api/v1/test-only/block?seconds=0")
        assert status == 200 and json.loads(body)["pid"] in new
        logged = log.read_text()
        assert f"replacing worker {old}" in logged and f"Worker (pid:{old}) exited with code 70" in logged
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        proc.stderr.close()
