"""Webhooks (contract 1.1, "Banks"): subscriptions, signed deliveries by the worker to a receiver on
127.0.0.1, order, retries, `failing`, replay, deletion, the SSRF guard, and a worker killed mid-delivery."""
from __future__ import annotations

import datetime as dt
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa

from incentives.services import webhooks
from incentives.webhooks import guard, signing
from incentives.webhooks.sealing import SecretBox
from incentives.webhooks.transport import Sent

from ..conftest import ADMIN_KEY, kill_worker
from .test_foundation import assert_problem
from .test_registry import CQ, HN, event, register

FAST = {"WEBHOOK_ALLOW_HOSTS": "127.0.0.1", "WEBHOOK_BACKOFF_BASE": 0.05, "WEBHOOK_BACKOFF_CAP": 0.2,
        "WEBHOOK_RETRY_WINDOW": 30, "WEBHOOK_LEASE": 5}


# -- a receiver on 127.0.0.1 ----------------------------------------------------------------------------

class Receiver:
    """Records every POST; answers the statuses queued in `answers` (then 204); may hold a request."""

    def __init__(self):
        self.requests: list[dict] = []
        self.answers: list[int] = []
        self.hold = threading.Event()       # set: requests are held until `release` is set
        self.release = threading.Event()
        self.held = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                if receiver.hold.is_set():
                    receiver.held.set()
                    receiver.release.wait(30)
                status = receiver.answers.pop(0) if receiver.answers else 204
                self.send_response(status)
                if status in (301, 302, 307):
                    self.send_header("Location", "/elsewhere")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def seqs(self):
        return [json.loads(r["body"])["seq"] for r in self.requests]

    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def hook_app(database_url, redis_url):
    """An app with a real queue, 127.0.0.1 allowed and a fast backoff (tests only)."""
    from redis import Redis
    from rq.registry import ScheduledJobRegistry

    from api import create_app
    conn = Redis.from_url(redis_url)
    conn.delete(ScheduledJobRegistry("webhooks", connection=conn).key)
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "BOOTSTRAP_ADMIN_KEY": ADMIN_KEY,
                      "RATELIMIT_ENABLED": False, "SECRET_KEY": "test-secret", "REDIS_URL": redis_url, **FAST})
    yield app
    conn.delete(ScheduledJobRegistry("webhooks", connection=conn).key)
    conn.close()
    if app.extensions["gis_jobs"]["connection"] is not None:
        app.extensions["gis_jobs"]["connection"].close()
    app.extensions["gis_engine"].dispose()


def drain(app, until, timeout=20.0):
    """Run the worker (in this process, as `gis worker` would) and its scheduler until `until()` holds."""
    from rq import Queue, SimpleWorker
    from rq.job import Job
    from rq.registry import ScheduledJobRegistry

    from api import jobs
    deadline = time.monotonic() + timeout
    while not until():
        assert time.monotonic() < deadline, "the worker did not get there in time"
        conn = jobs.connection(app)
        queue = Queue("webhooks", connection=conn)
        registry = ScheduledJobRegistry(queue=queue)
        for job_id in registry.get_jobs_to_schedule(int(time.time()) + 1):   # the scheduler's pass
            registry.remove(job_id)
            queue.enqueue_job(Job.fetch(job_id, connection=conn))
        jobs.run_worker(app, queues=("webhooks",), burst=True, worker_class=SimpleWorker)
        time.sleep(0.05)


def subscribe(client, headers, url, **body):
    r = client.post("/api/v1/webhooks", json={"url": url, **body}, headers=headers)
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def log_of(client, headers, hook):
    return client.get(f"/api/v1/webhooks/{hook['id']}/deliveries", headers=headers).get_json()["deliveries"]


# -- signing, sealing, guard, backoff -----------------------------------------------------------------

def test_signature_is_hmac_sha256_of_timestamp_dot_body():
    # by hand: printf '1700000000.{"seq":1}' | openssl dgst -sha256 -hmac whsec_test
    assert signing.signature("whsec_test", 1700000000, b'{"seq":1}') == \
        "t=1700000000,v1=926c3c48823e4dc937cdb0992313bcbbc472579d779ab54f0d4e09e4049838aa"
    header = signing.signature("s", 1000, b"{}")
    assert signing.verify("s", header, b"{}", now=1100)
    assert not signing.verify("s", header, b"{} ", now=1100)        # another body
    assert not signing.verify("t", header, b"{}", now=1100)         # another secret
    assert not signing.verify("s", header, b"{}", now=2000)         # too old: a replayed request


def test_secrets_are_sealed_with_the_key():
    box = SecretBox("app secret")
    sealed = box.seal("whsec_abc")
    assert "whsec_abc" not in sealed and box.open(sealed) == "whsec_abc"
    with pytest.raises(Exception, match="key changed"):
        SecretBox("another key").open(sealed)


def _resolver(address):
    return lambda host, port, **kw: [(socket.AF_INET6 if ":" in address else socket.AF_INET, socket.SOCK_STREAM,
                                      6, "", (address, port))]


@pytest.mark.parametrize("url, address, reason", [
    ("ftp://bank.example/x", "93.184.216.34", "only https"),
    ("http://bank.example/x", "93.184.216.34", "http is accepted only"),
    ("https://user:pw@bank.example/x", "93.184.216.34", "credentials"),
    ("https://bank.example/x", "127.0.0.1", "private, loopback"),
    ("https://bank.example/x", "10.1.2.3", "private, loopback"),
    ("https://bank.example/x", "192.168.0.9", "private, loopback"),
    ("https://bank.example/x", "169.254.169.254", "private, loopback"),   # cloud metadata
    ("https://bank.example/x", "0.0.0.0", "private, loopback"),
    ("https://bank.example/x", "::1", "private, loopback"),
    ("https://bank.example/x", "::ffff:127.0.0.1", "private, loopback"),
    ("https://bank.example/x", "fd00::1", "private, loopback"),
    ("https://127.0.0.1/x", "127.0.0.1", "private, loopback"),
])
def test_the_guard_refuses(url, address, reason):
    with pytest.raises(guard.UnsafeUrl, match=reason):
        guard.check(url, guard.allow_list("localhost"), _resolver(address))


def test_the_guard_accepts_public_https_and_allowed_hosts():
    assert guard.check("https://bank.example/x?a=1", frozenset(), _resolver("93.184.216.34"))[1] == "93.184.216.34"
    allowed = guard.allow_list("127.0.0.1, Hooks.Internal")
    assert guard.check("http://127.0.0.1:9/x", allowed, _resolver("127.0.0.1"))[0].port == 9
    assert guard.check("https://hooks.internal/x", allowed, _resolver("10.0.0.5"))[1] == "10.0.0.5"


def test_backoff_doubles_with_jitter_for_24_hours_then_failing(app, admin, client, key_for, monkeypatch):
    """Default settings, a receiver that never answers 2xx, a clock moved to each retry's time."""
    monkeypatch.setattr(socket, "getaddrinfo", _resolver("93.184.216.34"))
    register(client, admin)
    hook = subscribe(client, key_for("bank"), "https://bank.example/hook")
    event(client, admin, kind="fraud_found", effective="2024-09-10")
    settings, rng = webhooks.Settings(), random.Random(3)
    now = [dt.datetime(2026, 1, 1, tzinfo=dt.UTC)]
    delays = []
    from sqlmodel import Session

    from api.webhook_jobs import secret_box
    with app.app_context(), Session(app.extensions["gis_engine"]) as session:
        while True:
            out = webhooks.deliver(session=session, subscription_id=hook["id"], box=secret_box(app),
                                   settings=settings, clock=lambda: now[0], send=lambda *a: Sent(500, "answered 500"),
                                   rng=rng)
            if out.retry_at is None:
                break
            delays.append((out.retry_at - now[0]).total_seconds())
            now[0] = out.retry_at
    for n, delay in enumerate(delays, 1):   # base 10 s × 2^(n−1), capped at 1 h, jittered to 50–100 %
        assert 0.5 * min(3600, 10 * 2 ** (n - 1)) <= delay <= min(3600, 10 * 2 ** (n - 1))
    assert sum(delays) >= 24 * 3600 > sum(delays[:-1])       # retried for 24 hours, and no longer
    listed = client.get("/api/v1/webhooks", headers=admin).get_json()["webhooks"]
    assert listed[0]["status"] == "failing"
    last = log_of(client, admin, hook)[0]
    assert (last["status"], last["attempts"], last["last_error"]) == ("failed", len(delays) + 1, "answered 500")


# -- subscriptions over the API ---------------------------------------------------------------------------

def test_the_secret_is_shown_once_and_sealed_at_rest(app, client, key_for):
    bank = key_for("bank")
    app.config["WEBHOOK_ALLOW_HOSTS"] = "127.0.0.1"
    hook = subscribe(client, bank, "http://127.0.0.1:9/hook", events=["fraud_found", "downgraded"])
    assert hook["secret"].startswith("whsec_") and hook["events"] == ["fraud_found", "downgraded"]
    listed = client.get("/api/v1/webhooks", headers=bank).get_json()["webhooks"]
    assert [h["id"] for h in listed] == [hook["id"]] and "secret" not in listed[0]
    with app.extensions["gis_engine"].connect() as conn:
        stored = conn.execute(sa.text("SELECT secret_encrypted FROM webhook_subscription")).scalar_one()
    assert hook["secret"] not in stored and SecretBox("test-secret").open(stored) == hook["secret"]
    other = key_for("bank")
    assert client.get("/api/v1/webhooks", headers=other).get_json()["webhooks"] == []
    assert_problem(client.delete(f"/api/v1/webhooks/{hook['id']}", headers=other), 404)
    assert client.delete(f"/api/v1/webhooks/{hook['id']}", headers=bank).status_code == 204
    assert_problem(client.delete(f"/api/v1/webhooks/{hook['id']}", headers=bank), 404)


def test_subscriptions_are_refused(client, key_for):
    bank = key_for("bank")
    for url in ("http://127.0.0.1:9/hook", "https://127.0.0.1/hook", "https://localhost/hook", "ftp://x/y"):
        assert_problem(client.post("/api/v1/webhooks", json={"url": url}, headers=bank), 422)
    assert_problem(client.post("/api/v1/webhooks", json={"url": "https://x", "events": ["nope"]}, headers=bank), 422)
    regulator = key_for("regulator", divisions=["500000"])
    assert_problem(client.post("/api/v1/webhooks", json={"url": "https://x", "divisions": ["410000"]},
                               headers=regulator), 403)
    assert_problem(client.post("/api/v1/webhooks", json={"url": "https://x"},
                               headers=key_for("tax_bureau", divisions=["500000"])), 403)
    assert_problem(client.post("/api/v1/webhooks", json={"url": "https://x"}), 401)


# -- deliveries by the worker -------------------------------------------------------------------------------

def test_a_delivery_is_signed_with_the_contract_headers(hook_app, receiver):
    client = hook_app.test_client()
    admin = {"Authorization": f"Bearer {ADMIN_KEY}"}
    hook = subscribe(client, admin, receiver.url)
    register(client, admin)
    drain(hook_app, lambda: len(receiver.requests) == 1)
    got = receiver.requests[0]
    feed = client.get("/api/v1/grades/changes", headers=admin).get_json()["events"]
    assert json.loads(got["body"]) == json.loads(json.dumps(feed[0]))     # the feed event, as the feed says it
    assert got["headers"]["X-GIS-Event"] == "rated"
    assert got["headers"]["X-GIS-Delivery"] == log_of(client, admin, hook)[0]["id"]
    header = got["headers"]["X-GIS-Signature"]
    assert signing.verify(hook["secret"], header, got["body"], now=int(time.time()))
    assert header.startswith("t=") and ",v1=" in header
    assert log_of(client, admin, hook)[0]["status"] == "delivered"


def test_deliveries_follow_seq_order_and_the_filters(hook_app, receiver):
    client = hook_app.test_client()
    admin = {"Authorization": f"Bearer {ADMIN_KEY}"}
    regulator = {"Authorization": "Bearer " + client.post("/api/v1/keys", headers=admin, json={
        "role": "regulator", "divisions": ["500000"]}).get_json()["key"]}
    hook = subscribe(client, regulator, receiver.url)                # default: the key's divisions
    register(client, admin)
    register(client, admin, code=HN)                                 # Henan: not this key's
    for grade, day in (("B", "2024-06-01"), ("A", "2024-07-01"), ("C", "2024-08-01")):
        event(client, admin, kind="rated", industry="ceramics", branch="ceramics_building", grade=grade,
              effective=day)
    event(client, admin, kind="fraud_found", effective="2024-09-10")
    drain(hook_app, lambda: len(receiver.requests) >= 5)
    seqs = receiver.seqs()
    assert seqs == sorted(seqs) and len(seqs) == 5
    assert {json.loads(r["body"])["uscc"] for r in receiver.requests} == {CQ}
    assert [r["headers"]["X-GIS-Event"] for r in receiver.requests][-1] == "fraud_found"
    assert [h["cursor"] for h in client.get("/api/v1/webhooks", headers=regulator).get_json()["webhooks"]] \
        == [seqs[-1]]
    assert hook["divisions"] == ["500000"]


def test_failed_attempts_are_retried_with_the_same_delivery_id(hook_app, receiver):
    client = hook_app.test_client()
    admin = {"Authorization": f"Bearer {ADMIN_KEY}"}
    hook = subscribe(client, admin, receiver.url)
    receiver.answers = [500, 503, 302]                               # two errors and a redirect, then 204
    register(client, admin)
    event(client, admin, kind="fraud_found", effective="2024-09-10")
    drain(hook_app, lambda: len(receiver.requests) >= 5)
    ids = [r["headers"]["X-GIS-Delivery"] for r in receiver.requests]
    assert ids[:4] == [ids[0]] * 4 and ids[4] != ids[0]             # retried as one delivery, then the next event
    assert {r["path"] for r in receiver.requests} == {"/hook"}       # the redirect was not followed
    first = log_of(client, admin, hook)[-1]
    assert (first["status"], first["attempts"], first["response_status"]) == ("delivered", 4, 204)
    assert receiver.seqs() == sorted(receiver.seqs())


def test_failing_after_the_window_then_replay(hook_app, receiver):
    hook_app.config["WEBHOOK_RETRY_WINDOW"] = 1
    client = hook_app.test_client()
    admin = {"Authorization": f"Bearer {ADMIN_KEY}"}
    hook = subscribe(client, admin, receiver.url)
    receiver.answers = [500] * 1000
    register(client, admin)

    def listed():
        return client.get("/api/v1/webhooks", headers=admin).get_json()["webhooks"][0]
    drain(hook_app, lambda: listed()["status"] == "failing")
    assert len(receiver.requests) >= 2 and log_of(client, admin, hook)[0]["status"] == "failed"
    event(client, admin, kind="fraud_found", effective="2024-09-10")
    tried = len(receiver.requests)
    drain(hook_app, lambda: True)
    assert len(receiver.requests) == tried                           # failing: nothing more is sent
    receiver.answers = []
    r = client.post(f"/api/v1/webhooks/{hook['id']}/replay", headers=admin)   # resume where it stopped
    assert r.status_code == 200 and r.get_json()["status"] == "active"
    drain(hook_app, lambda: len(receiver.seqs()) - tried == 2)
    assert [json.loads(r["body"])["kind"] for r in receiver.requests[tried:]] == ["rated", "fraud_found"]


def test_replay_from_a_seq_sends_again_with_new_delivery_ids(hook_app, receiver):
    client = hook_app.test_client()
    admin = {"Authorization": f"Bearer {ADMIN_KEY}"}
    hook = subscribe(client, admin, receiver.url)
    register(client, admin)
    event(client, admin, kind="rated", industry="ceramics", branch="ceramics_building", grade="B",
          effective="2024-06-01")
    event(client, admin, kind="fraud_found", effective="2024-09-10")
    drain(hook_app, lambda: len(receiver.requests) == 3)
    first = receiver.seqs()
    r = client.post(f"/api/v1/webhooks/{hook['id']}/replay?since={first[0]}", headers=admin)
    assert r.status_code == 200
    drain(hook_app, lambda: len(receiver.requests) == 5)
    assert receiver.seqs()[3:] == first[1:]
    ids = [r["headers"]["X-GIS-Delivery"] for r in receiver.requests]
    assert not set(ids[3:]) & set(ids[:3])
    assert_problem(client.post("/api/v1/webhooks/nope/replay", headers=admin), 404)


def test_deletion_stops_deliveries(hook_app, receiver):
    client = hook_app.test_client()
    admin = {"Authorization": f"Bearer {ADMIN_KEY}"}
    hook = subscribe(client, admin, receiver.url)
    receiver.answers = [500]
    register(client, admin)
    drain(hook_app, lambda: len(receiver.requests) == 1)            # failed once; a retry is scheduled
    assert client.delete(f"/api/v1/webhooks/{hook['id']}", headers=admin).status_code == 204
    event(client, admin, kind="fraud_found", effective="2024-09-10")
    time.sleep(0.3)
    drain(hook_app, lambda: True)
    drain(hook_app, lambda: True)
    assert len(receiver.requests) == 1


def test_an_address_that_changes_is_checked_at_send_time(hook_app, receiver, monkeypatch):
    """DNS rebinding: the name resolved to a public address when subscribing, to loopback when sending."""
    client = hook_app.test_client()
    admin = {"Authorization": f"Bearer {ADMIN_KEY}"}
    real = socket.getaddrinfo
    answer = ["93.184.216.34"]

    def resolver(host, port, *args, **kwargs):
        if host == "rebind.example":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answer[0], port))]
        return real(host, port, *args, **kwargs)
    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    hook = subscribe(client, admin, f"https://rebind.example:{receiver.server.server_address[1]}/hook")
    answer[0] = "127.0.0.1"
    register(client, admin)
    drain(hook_app, lambda: log_of(client, admin, hook) and log_of(client, admin, hook)[0]["attempts"] >= 1)
    entry = log_of(client, admin, hook)[0]
    assert entry["status"] == "retrying" and "private, loopback" in entry["last_error"]
    assert receiver.requests == []


def test_a_worker_killed_mid_delivery_loses_nothing(hook_app, receiver, database_url, redis_url):
    hook_app.config["WEBHOOK_LEASE"] = 1
    client = hook_app.test_client()
    admin = {"Authorization": f"Bearer {ADMIN_KEY}"}
    hook = subscribe(client, admin, receiver.url)
    receiver.hold.set()
    register(client, admin)                                          # the outbox row, and a wake-up queued
    env = {**os.environ, "GIS_DATABASE_URL": database_url, "GIS_REDIS_URL": redis_url,
           "GIS_SECRET_KEY": "test-secret", "GIS_WEBHOOK_ALLOW_HOSTS": "127.0.0.1", "GIS_WEBHOOK_LEASE": "1",
           "GIS_RATELIMIT_ENABLED": "false"}
    worker = subprocess.Popen([sys.executable, "-m", "api.cli", "worker", "--queue", "webhooks", "--burst"],
                              env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert receiver.held.wait(60), "the worker never sent the delivery"
        kill_worker(worker)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
    receiver.hold.clear()
    receiver.release.set()
    assert log_of(client, admin, hook)[0]["status"] == "sending"       # attempted, never acknowledged
    time.sleep(1.2)                                                   # the dead loop's lease runs out
    from api import webhook_jobs
    assert webhook_jobs.pump(hook_app) == 1                           # what `gis worker` does when it starts
    drain(hook_app, lambda: log_of(client, admin, hook)[0]["status"] == "delivered")
    ids = [r["headers"]["X-GIS-Delivery"] for r in receiver.requests]
    assert len(ids) == 2 and ids[0] == ids[1]                         # redelivered, under the same id
    assert log_of(client, admin, hook)[0]["attempts"] == 2


# -- the integrators' guide ---------------------------------------------------------------------------

@pytest.mark.parametrize("language, heading", [("zh", "# 银行对接指南"), ("en", "# Integrating as a bank")])
def test_the_guide_is_served_and_its_example_verifies_a_signature(client, language, heading):
    import re
    with client.get(f"/api/v1/docs/integrators?lang={language}") as r:
        assert r.status_code == 200 and r.mimetype == "text/markdown"
        text = r.get_data(as_text=True)
    assert text.startswith(heading)
    assert "/api/v1/docs/integrators" in client.get("/api/v1/openapi.json").get_json()["info"]["description"]
    example = re.search(r"```python\n(.*?)```", text, re.DOTALL).group(1)
    scope: dict = {}
    exec(compile(example, "guide", "exec"), scope)  # noqa: S102 -- our own guide's code, run as a bank would
    body = b'{"seq":7,"kind":"fraud_found","grade":"D"}'
    header = signing.signature("whsec_x", int(time.time()), body)
    assert scope["verify"]("whsec_x", header, body)
    assert not scope["verify"]("whsec_x", header, body.replace(b"D", b"A"))
    assert not scope["verify"]("whsec_y", header, body)
