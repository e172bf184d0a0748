"""Fixtures in the flaskr shape: app, client, runner and auth headers; each test its own database.

The suite runs on SQLite and, when TEST_PG_URL is set or a server answers at 127.0.0.1:5432, on
PostgreSQL too: `app` is parametrised over both.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from incentives import migrate

ADMIN_KEY = "test-admin-key-0123456789"


def _pg_url() -> str | None:
    url = os.environ.get("TEST_PG_URL")
    if url:
        return url
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=0.5):
            return "postgresql://postgres@127.0.0.1:5432/test"
    except OSError:
        return None


def _redis_url() -> str | None:
    """TEST_REDIS_URL, or a local Redis on its default port (database 15); None only outside CI."""
    url = os.environ.get("TEST_REDIS_URL")
    if url:
        return url
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return "redis://127.0.0.1:6379/15"
    except OSError:
        return None


PG_URL = _pg_url()
REDIS_URL = _redis_url()
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A migrated SQLite file, copied for each test."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    migrate.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_database():
    """A throwaway PostgreSQL database for this test session, migrated once."""
    if not PG_URL:
        pytest.skip("PostgreSQL is not available")
    admin = sa.create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")
    name = f"gis_test_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = PG_URL.rsplit("/", 1)[0] + "/" + name
    migrate.upgrade(url)
    yield url
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _truncate(url: str) -> None:
    from sqlmodel import SQLModel

    from incentives import db
    engine = db.make_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path, sqlite_template):
    """A fresh, migrated database for one test, on each backend."""
    if request.param == "sqlite":
        path = tmp_path / "gis.sqlite"
        shutil.copy(sqlite_template, path)
        yield f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("pg_database")
        _truncate(url)
        yield url


@pytest.fixture
def app(database_url):
    from api import create_app
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "BOOTSTRAP_ADMIN_KEY": ADMIN_KEY,
                      "RATELIMIT_ENABLED": False, "SECRET_KEY": "test-secret"})
    yield app
    app.extensions["gis_engine"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def admin():
    """Headers of the bootstrap admin."""
    return {"Authorization": f"Bearer {ADMIN_KEY}"}


@pytest.fixture
def key_for(client, admin):
    """Create a key for a role (and binding) and return its Authorization header."""
    def make(role: str, **binding) -> dict:
        r = client.post("/api/v1/keys", json={"role": role, "label": f"test {role}", **binding}, headers=admin)
        assert r.status_code == 201, r.get_json()
        return {"Authorization": f"Bearer {r.get_json()['key']}"}
    return make


@pytest.fixture
def redis_url():
    """A real Redis for the job queue (.ci/run starts one); skipped only when none answers outside CI."""
    if REDIS_URL is None:
        if os.environ.get("CI"):
            pytest.fail("CI must provide Redis (TEST_REDIS_URL)")
        pytest.skip("Redis is not available")
    from redis import Redis
    conn = Redis.from_url(REDIS_URL)
    for name in ("batches", "webhooks"):
        from rq import Queue
        Queue(name, connection=conn).empty()
    yield REDIS_URL
    conn.close()


@pytest.fixture
def queued_app(database_url, redis_url):
    """An app whose jobs go to the real Redis queue; run them with `work(app)`."""
    from api import create_app
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "BOOTSTRAP_ADMIN_KEY": ADMIN_KEY,
                      "RATELIMIT_ENABLED": False, "SECRET_KEY": "test-secret", "REDIS_URL": redis_url})
    yield app
    conn = app.extensions["gis_jobs"]["connection"]
    if conn is not None:
        conn.close()
    app.extensions["gis_engine"].dispose()


def work(app) -> bool:
    """Run every queued job now, in this process (RQ's SimpleWorker in burst mode), as `gis worker` would."""
    from rq import SimpleWorker

    from api import jobs
    return jobs.run_worker(app, burst=True, worker_class=SimpleWorker)


def kill_worker(worker) -> None:
    """SIGKILL a `gis worker` process (started with start_new_session) and RQ's work horse, which runs in a
    session of its own; wait for the worker."""
    for pid in [worker.pid, *_children(worker.pid)]:
        os.kill(pid, signal.SIGKILL)
    worker.wait(10)


def _children(pid: int) -> list[int]:
    """Processes whose parent is `pid`."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(entry))
            except (OSError, ValueError, IndexError):
                continue
    return found


@pytest.fixture
def served(tmp_path):
    """gunicorn on a free loopback port over a migrated SQLite file, as `make run` starts it."""
    from .test_served import start_gunicorn
    url = f"sqlite:///{tmp_path / 'served.sqlite'}"
    migrate.upgrade(url)
    proc, base = start_gunicorn(url, tmp_path)
    yield base
    proc.terminate()
    proc.wait(timeout=30)
    proc.stderr.close()
