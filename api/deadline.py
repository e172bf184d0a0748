"""A time budget per request that really stops the work (contract 1.1 "Hardening").

gunicorn's `timeout` does not reclaim a thread of a `gthread` worker: a request that computes for
minutes holds its thread for minutes. Here one watchdog thread per process keeps each request's
deadline; when one passes, it raises `RequestTimeout` inside the request's thread (CPython's
`PyThreadState_SetAsyncExc`: delivered at the thread's next bytecode, so pure-Python loops stop at
once and a single long C call — a regex, a big-integer product — stops when it returns). The request
answers 503 with problem+json, its transaction is rolled back at teardown, and the worker thread is
free again. Inputs that would make one C call run long are refused before (number and XLSX limits).
On PostgreSQL, `statement_timeout` bounds each statement the same way (incentives.db).
"""
from __future__ import annotations

import ctypes
import heapq
import itertools
import threading
import time

from flask import Flask, current_app, g


class RequestTimeout(Exception):
    """The request ran past its time budget (raised inside the request's own thread)."""


class Watchdog:
    """Deadlines of running requests, and the thread that interrupts the late ones."""

    def __init__(self):
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._heap: list[tuple[float, int, int]] = []   # (deadline, token, thread id)
        self._live: dict[int, int] = {}                 # token -> thread id (still running)
        self._fired: set[int] = set()
        self._tokens = itertools.count(1)
        self._thread: threading.Thread | None = None

    def start(self, seconds: float) -> int:
        """Give the calling thread `seconds`; return the token that `stop` takes."""
        token = next(self._tokens)
        with self._lock:
            self._live[token] = threading.get_ident()
            heapq.heappush(self._heap, (time.monotonic() + seconds, token, threading.get_ident()))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="gis-deadlines", daemon=True)
                self._thread.start()
            self._wake.notify()
        return token

    def stop(self, token: int) -> bool:
        """The request is done: forget its deadline. True if it had been interrupted."""
        with self._lock:
            thread_id = self._live.pop(token, None)
            if token in self._fired:
                self._fired.discard(token)
                if thread_id is not None:   # an interruption not yet delivered must not hit the next request
                    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), None)
                return True
            return False

    def _run(self) -> None:
        with self._lock:
            while True:
                while self._heap and self._heap[0][1] not in self._live:
                    heapq.heappop(self._heap)            # finished in time
                if not self._heap:
                    self._wake.wait()
                    continue
                deadline, token, thread_id = self._heap[0]
                late = deadline - time.monotonic()
                if late > 0:
                    self._wake.wait(late)
                    continue
                heapq.heappop(self._heap)
                # again each second until the request ends: code that catches every Exception cannot keep going
                heapq.heappush(self._heap, (deadline + 1.0, token, thread_id))
                self._fired.add(token)
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id),
                                                           ctypes.py_object(RequestTimeout))


WATCHDOG = Watchdog()


def init_app(app: Flask) -> None:
    """Give every request REQUEST_TIME_LIMIT seconds (0 or None: no limit)."""

    @app.before_request
    def _start():
        seconds = current_app.config.get("REQUEST_TIME_LIMIT")
        if seconds:
            g.gis_deadline = WATCHDOG.start(float(seconds))

    @app.teardown_request
    def _stop(_exc):
        token = g.pop("gis_deadline", None)
        if token is not None:
            WATCHDOG.stop(token)
