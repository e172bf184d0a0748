"""Background jobs on a real queue: RQ on Redis (`GIS_REDIS_URL`), run by `gis worker`.

One module owns the queue: the connection comes from the app's config, `get_queue(name)` gives a named
queue, `enqueue(name, func, ...)` puts a job on it. Job functions run in the worker inside an app
context (`gis worker` pushes one), so they open their own database session from `current_app`.
Queues: `batches` (tax batch assessments, issue 15) and `webhooks` (deliveries, issue 17).
"""
from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, current_app
from redis import Redis
from rq import Queue
from sqlmodel import Session

from incentives.errors import DomainError

QUEUES = ("batches", "webhooks")


class QueueUnavailable(DomainError):
    """No Redis is configured (or it does not answer): work that needs the worker cannot be accepted."""
    status, title = 503, "Service Unavailable"

    def __init__(self, detail: str):
        super().__init__(detail, headers={"Retry-After": "30"})


def init_app(app: Flask) -> None:
    """Remember the Redis URL; the connection is opened on first use (nothing runs at import or start)."""
    app.extensions["gis_jobs"] = {"url": app.config.get("REDIS_URL"), "connection": None, "pid": os.getpid()}


def connection(app: Flask | None = None) -> Redis:
    """The app's Redis connection for the queue (one per app, opened lazily)."""
    state = (app or current_app).extensions["gis_jobs"]
    if not state["url"]:
        raise QueueUnavailable("background jobs need Redis: set GIS_REDIS_URL")
    if state["connection"] is None:
        state["connection"] = Redis.from_url(state["url"])
    return state["connection"]


def get_queue(name: str, app: Flask | None = None) -> Queue:
    """The named queue (one of QUEUES) on the app's Redis."""
    if name not in QUEUES:
        raise ValueError(f"unknown queue {name!r}; known: {', '.join(QUEUES)}")
    app = app or current_app
    return Queue(name, connection=connection(app), default_timeout=app.config["JOB_TIMEOUT"])


def enqueue(name: str, func, *args, job_id: str | None = None, app: Flask | None = None, **kwargs):
    """Put `func(*args, **kwargs)` on the named queue; 503 (QueueUnavailable) when Redis does not answer."""
    from redis.exceptions import ConnectionError as RedisConnectionError
    try:
        return get_queue(name, app).enqueue(func, *args, job_id=job_id, **kwargs)
    except RedisConnectionError:
        raise QueueUnavailable("the job queue (Redis) does not answer; try again later") from None


def run_worker(app: Flask, *, queues: tuple[str, ...] = QUEUES, burst: bool = False,
               worker_class=None) -> bool:
    """Run an RQ worker on `queues` inside an app context (jobs use `current_app`); True if it worked."""
    from rq import Worker
    worker_class = worker_class or Worker
    with app.app_context():
        worker = worker_class([get_queue(q, app) for q in queues], connection=connection(app))
        return worker.work(burst=burst, with_scheduler=not burst)


@contextmanager
def job_session() -> Iterator[Session]:
    """A database session for a job: in a forked work horse, the parent's pooled connections are dropped first."""
    engine = current_app.extensions["gis_engine"]
    if os.getpid() != current_app.extensions["gis_jobs"]["pid"]:
        engine.dispose(close=False)   # SQLAlchemy's recipe for a forked child: never reuse the parent's sockets
    with Session(engine, expire_on_commit=False) as session:
        yield session


@contextmanager
def lease(key: str, *, seconds: float) -> Iterator[None]:
    """Hold a lease (a Redis key expiring after `seconds`) while the block runs: a daemon thread renews it
    every third of that, so it lapses soon after the process dies; it is released when the block ends."""
    redis = connection()
    millis = max(1, int(seconds * 1000))
    redis.set(key, os.getpid(), px=millis)
    stop = threading.Event()

    def beat():
        while not stop.wait(seconds / 3):
            try:
                redis.set(key, os.getpid(), px=millis)
            except Exception:   # a missed beat is retried at the next one: the lease allows three
                logging.getLogger(__name__).exception("lease renewal failed", extra={"lease": key})
    thread = threading.Thread(target=beat, name=f"lease {key}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(seconds)
        redis.delete(key)


def lease_held(key: str) -> bool | None:
    """Whether someone holds the lease `key`; None when Redis is not configured or does not answer."""
    from redis.exceptions import RedisError
    try:
        return bool(connection().exists(key))
    except (QueueUnavailable, RedisError):
        return None
