"""A time budget per request that really stops the work (contract 1.1 "Hardening").

gunicorn's `timeout` does not reclaim a thread of a `gthread` worker: a request that computes for
minutes holds its thread for minutes. Here one watchdog thread per process keeps each request's
deadline; when one passes, it raises `RequestTimeout` inside the request's thread (CPython's
`PyThreadState_SetAsyncExc`: delivered at the thread's next bytecode, so pure-Python loops stop at
once). The request answers 503 with problem+json, its transaction is rolled back at teardown, and the
worker thread is free again. Inputs that would make one C call run long are refused before (number and
XLSX limits). On PostgreSQL, `statement_timeout` bounds each statement the same way (incentives.db).

An exception cannot land inside a single long C call (a regex, a big-integer product, a blocking
read): the thread sees it only when the call returns. So, in a gunicorn worker (`replace_worker_when_stuck`,
armed by gunicorn.conf.py), a request still running REQUEST_TIME_GRACE seconds after its budget is
answered 503 problem+json on its own socket, the worker stops taking connections (gunicorn's graceful
stop, SIGTERM), lets its other requests finish, and exits; gunicorn's master starts a fresh worker. The
thread that cannot be interrupted is reclaimed with its process. Outside gunicorn only the interruption
applies.
"""
from __future__ import annotations

import ctypes
import heapq
import itertools
import json
import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app, g, request

from .logs import current_request_id

log = logging.getLogger(__name__)

STUCK_EXIT = 70   # a worker's exit status after a stuck request (EX_SOFTWARE); gunicorn's master replaces it


class RequestTimeout(Exception):
    """The request ran past its time budget (raised inside the request's own thread)."""


@dataclass
class Running:
    """One request being served, as the watchdog knows it."""
    thread_id: int
    deadline: float              # time.monotonic() at which its budget ends
    budget: float                # seconds
    grace: float                 # seconds after the deadline before it counts as stuck
    what: str = ""               # "POST /api/v1/…", for the log
    request_id: str | None = None
    sock: socket.socket | None = None   # the client's connection (gunicorn's environ["gunicorn.socket"])
    http1: bool = False
    fired: bool = False

    def stuck(self, now: float) -> bool:
        return now >= self.deadline + self.grace


class Watchdog:
    """Deadlines of running requests, and the thread that interrupts the late ones."""

    def __init__(self):
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._heap: list[tuple[float, int]] = []        # (when to act, token)
        self._live: dict[int, Running] = {}             # token -> request still running
        self._tokens = itertools.count(1)
        self._thread: threading.Thread | None = None
        self.on_stuck: Callable[[Running], None] | None = None   # set in gunicorn workers
        self._stuck_reported = False

    def start(self, seconds: float, *, grace: float = 10.0, **about) -> int:
        """Give the calling thread `seconds`; return the token that `stop` takes."""
        token = next(self._tokens)
        deadline = time.monotonic() + seconds
        with self._lock:
            self._live[token] = Running(threading.get_ident(), deadline, seconds, grace, **about)
            heapq.heappush(self._heap, (deadline, token))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="gis-deadlines", daemon=True)
                self._thread.start()
            self._wake.notify_all()
        return token

    def stop(self, token: int) -> bool:
        """The request is done: forget its deadline. True if it had been interrupted."""
        with self._lock:
            running = self._live.pop(token, None)
            self._wake.notify_all()
            if running is not None and running.fired:
                # an interruption not yet delivered must not hit the thread's next request
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(running.thread_id), None)
                return True
            return False

    def live(self) -> int:
        """How many requests are running."""
        with self._lock:
            return len(self._live)

    def wait_for_others(self) -> None:
        """Block until every request of this process has ended or is stuck itself (each one ends by its
        deadline plus grace at the latest, so this returns by then)."""
        with self._lock:
            while any(not r.stuck(time.monotonic()) for r in self._live.values()):
                self._wake.wait(0.2)

    def _run(self) -> None:
        with self._lock:
            while True:
                while self._heap and self._heap[0][1] not in self._live:
                    heapq.heappop(self._heap)            # finished in time
                if not self._heap:
                    self._wake.wait()
                    continue
                when, token = self._heap[0]
                late = when - time.monotonic()
                if late > 0:
                    self._wake.wait(late)
                    continue
                heapq.heappop(self._heap)
                running = self._live[token]
                if running.stuck(time.monotonic()) and self.on_stuck and not self._stuck_reported:
                    self._stuck_reported = True   # one process exit, however many requests are stuck
                    threading.Thread(target=self.on_stuck, args=(running,), name="gis-stuck", daemon=True).start()
                # again each second until the request ends (code that catches every Exception cannot keep
                # going), and once at the end of its grace
                again = when + 1.0
                if self.on_stuck and not running.stuck(time.monotonic()):
                    again = min(again, running.deadline + running.grace)
                heapq.heappush(self._heap, (again, token))
                running.fired = True
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(running.thread_id),
                                                           ctypes.py_object(RequestTimeout))


WATCHDOG = Watchdog()


def timeout_detail(budget: float) -> str:
    """The problem detail of a request stopped at its budget (one text for both ways of stopping it)."""
    return (f"the request needed more than the {budget:g} s a request may take; it was stopped "
            "(send a smaller file or fewer records per request)")


def answer_503(running: Running) -> bool:
    """Write a 503 problem+json straight to a stuck request's connection and close it (HTTP/1.x only; the
    app has sent nothing yet: its response goes out only after the view returns). True if written."""
    if running.sock is None or not running.http1:
        return False
    problem = {"type": "about:blank", "title": "Service Unavailable", "status": 503,
               "detail": timeout_detail(running.budget), "errors": []}
    if running.request_id:
        problem["request_id"] = running.request_id
    body = json.dumps(problem).encode()
    head = ("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/problem+json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\nX-Content-Type-Options: nosniff\r\n"
            "Cache-Control: no-store\r\n")
    if running.request_id:
        head += f"X-Request-ID: {running.request_id}\r\n"
    try:
        running.sock.settimeout(2)
        running.sock.sendall(head.encode() + b"\r\n" + body)
        running.sock.shutdown(socket.SHUT_RDWR)
        return True
    except OSError:
        return False


def replace_worker_when_stuck(worker) -> None:
    """gunicorn `post_worker_init` hook: a request still running its grace after its budget (its thread
    is in a C call the interruption cannot enter) makes this worker answer it 503, stop taking
    connections, let its other requests end, and exit; the master starts a new worker."""

    def replace(running: Running) -> None:
        log.error("request %s (id %s) still running %g s after its time budget of %g s: the interruption "
                  "cannot land in the C call it is in; answering it 503 and replacing worker %s",
                  running.what, running.request_id, running.grace, running.budget, os.getpid())
        answer_503(running)
        os.kill(os.getpid(), signal.SIGTERM)   # gunicorn's graceful stop: accept nothing more here
        latest = time.monotonic() + running.budget + running.grace
        while True:   # the others end (or get stuck too); connections accepted but not yet begun are served
            WATCHDOG.wait_for_others()
            if getattr(worker, "nr_conns", 0) <= WATCHDOG.live() or time.monotonic() > latest:
                break
            time.sleep(0.1)
        log.error("worker %s exits (status %s) after a stuck request; gunicorn's master replaces it",
                  os.getpid(), STUCK_EXIT)
        logging.shutdown()
        os._exit(STUCK_EXIT)

    WATCHDOG.on_stuck = replace


def init_app(app: Flask) -> None:
    """Give every request REQUEST_TIME_LIMIT seconds (0 or None: no limit), and REQUEST_TIME_GRACE more
    before a gunicorn worker gives up on it (see the module's text)."""

    @app.before_request
    def _start():
        seconds = current_app.config.get("REQUEST_TIME_LIMIT")
        if seconds:
            env = request.environ
            g.gis_deadline = WATCHDOG.start(
                float(seconds), grace=float(current_app.config.get("REQUEST_TIME_GRACE", 10)),
                what=f"{request.method} {request.path}", request_id=current_request_id(),
                sock=env.get("gunicorn.socket"), http1=env.get("SERVER_PROTOCOL", "").startswith("HTTP/1."))

    @app.teardown_request
    def _stop(_exc):
        token = g.pop("gis_deadline", None)
        if token is not None:
            WATCHDOG.stop(token)
