"""Persistence: SQLModel tables and the engine factory. Services own transactions; the domain never commits."""
from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Column, LargeBinary, UniqueConstraint, event
from sqlalchemy.engine import Engine
from sqlmodel import Field, SQLModel, create_engine


def utcnow() -> dt.datetime:
    """Now, in UTC (the only clock the persistence layer reads: for `recorded_at`)."""
    return dt.datetime.now(dt.UTC)


class ApiKey(SQLModel, table=True):
    __tablename__ = "api_key"
    id: str = Field(primary_key=True, max_length=32)
    key_hash: str = Field(index=True, unique=True, max_length=64)
    role: str = Field(max_length=20)
    uscc: str | None = Field(default=None, max_length=18)
    divisions: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    label: str = Field(default="", max_length=200)
    created_at: dt.datetime = Field(default_factory=utcnow)
    revoked_at: dt.datetime | None = None


class Enterprise(SQLModel, table=True):
    __tablename__ = "enterprise"
    uscc: str = Field(primary_key=True, max_length=18)
    name: str = Field(max_length=200)
    division: str = Field(max_length=6, index=True)
    facility_division: str = Field(max_length=6, index=True)
    facts: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    version: int = Field(default=1)
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)


class Registration(SQLModel, table=True):
    """An industry (branch, and site where rated separately: G-SITE) an enterprise is registered in."""
    __tablename__ = "registration"
    __table_args__ = (UniqueConstraint("uscc", "branch", "site", name="uq_registration"),)
    id: int | None = Field(default=None, primary_key=True)
    uscc: str = Field(foreign_key="enterprise.uscc", index=True, max_length=18)
    industry: str = Field(max_length=64)
    branch: str = Field(max_length=64)
    site: str = Field(default="", max_length=64)


class GradeEventRow(SQLModel, table=True):
    """The append-only grade-event ledger; `seq` is the commit order the change feed follows."""
    __tablename__ = "grade_event"
    seq: int | None = Field(default=None, primary_key=True)
    uscc: str = Field(foreign_key="enterprise.uscc", index=True, max_length=18)
    kind: str = Field(max_length=32)
    industry: str | None = Field(default=None, max_length=64)
    branch: str | None = Field(default=None, max_length=64)
    site: str = Field(default="", max_length=64)
    grade: str | None = Field(default=None, max_length=8)
    effective: dt.date
    until: dt.date | None = None
    ref: str | None = Field(default=None, max_length=32)
    violation: str | None = Field(default=None, max_length=32)
    rectification_passed: bool | None = None
    note: str | None = Field(default=None, max_length=1000)
    import_id: int | None = Field(default=None, foreign_key="import_batch.id")
    recorded_at: dt.datetime = Field(default_factory=utcnow)


class GradeProjection(SQLModel, table=True):
    """The current derived state of an enterprise, updated in the same transaction as its events."""
    __tablename__ = "grade_projection"
    uscc: str = Field(primary_key=True, foreign_key="enterprise.uscc", max_length=18)
    overall_grade: str | None = Field(default=None, max_length=8, index=True)
    status: str = Field(max_length=32)
    computed_for: dt.date
    valid_until: dt.date | None = None   # first day the state may change by itself (a ban lifts)
    state: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class ImportBatch(SQLModel, table=True):
    __tablename__ = "import_batch"
    id: int | None = Field(default=None, primary_key=True)
    content_hash: str = Field(unique=True, max_length=64)
    filename: str = Field(default="", max_length=300)
    rows: int = 0
    created: int = 0
    events: int = 0
    created_at: dt.datetime = Field(default_factory=utcnow)


class TaxAssessment(SQLModel, table=True):
    __tablename__ = "tax_assessment"
    id: str = Field(primary_key=True, max_length=32)
    uscc: str | None = Field(default=None, max_length=18, index=True)
    division: str = Field(max_length=6)
    inputs_hash: str = Field(max_length=64, index=True)
    ruleset: str = Field(max_length=64)
    result: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: dt.datetime = Field(default_factory=utcnow)


class TaxBatch(SQLModel, table=True):
    """A tax bureau's batch of monitoring files, assessed by the worker (contract 1.1 `/tax/batches`)."""
    __tablename__ = "tax_batch"
    id: str = Field(primary_key=True, max_length=32)
    status: str = Field(default="queued", max_length=16)        # queued | running | done | failed
    caller: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    options: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    files_total: int = 0
    files_done: int = 0
    error: str | None = Field(default=None, max_length=2000)
    created_at: dt.datetime = Field(default_factory=utcnow)
    finished_at: dt.datetime | None = None


class TaxBatchFile(SQLModel, table=True):
    """One uploaded file of a batch, kept until the worker has assessed it; then its results."""
    __tablename__ = "tax_batch_file"
    id: int | None = Field(default=None, primary_key=True)
    batch_id: str = Field(foreign_key="tax_batch.id", index=True, max_length=32)
    position: int
    filename: str = Field(default="", max_length=300)
    data: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    results: list[Any] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


# -- banks: the change feed's grades, webhook subscriptions and their deliveries (issue 17) ----------

class FeedGrade(SQLModel, table=True):
    """What the change feed says of one event, computed when it is written (the webhook outbox).

    One row per grade event, written in the event's own transaction: the managed overall grade after and
    before it, and its line's grade. Workers deliver these rows to subscriptions in `seq` order.
    """
    __tablename__ = "feed_grade"
    seq: int = Field(primary_key=True, foreign_key="grade_event.seq")
    uscc: str = Field(max_length=18, index=True)
    kind: str = Field(max_length=32)
    division: str = Field(max_length=6)            # where it is registered and where its facility is:
    facility_division: str = Field(max_length=6)   # subscriptions by division match either
    grade: str | None = Field(default=None, max_length=8)
    previous_grade: str | None = Field(default=None, max_length=8)
    line_grade: str | None = Field(default=None, max_length=8)


class WebhookSubscription(SQLModel, table=True):
    """A caller's subscription: where to POST feed events, which kinds and divisions, and how far it got."""
    __tablename__ = "webhook_subscription"
    id: str = Field(primary_key=True, max_length=32)
    key_id: str = Field(max_length=32, index=True)
    url: str = Field(max_length=2000)
    events: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    divisions: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    secret_encrypted: str = Field(max_length=500)   # Fernet token: signing needs the secret itself
    status: str = Field(default="active", max_length=16)   # active, failing, deleted
    cursor: int = Field(default=0)                  # last seq delivered (or skipped by its filter)
    generation: int = Field(default=0)              # bumped by a replay: a running delivery loop restarts
    lease_token: str | None = Field(default=None, max_length=32)
    lease_until: dt.datetime | None = None          # one delivery loop per subscription at a time
    created_at: dt.datetime = Field(default_factory=utcnow)
    failing_since: dt.datetime | None = None
    deleted_at: dt.datetime | None = None


class WebhookDelivery(SQLModel, table=True):
    """One feed event sent (or being sent) to one subscription: the deliveries log."""
    __tablename__ = "webhook_delivery"
    __table_args__ = (UniqueConstraint("subscription_id", "seq", "generation", name="uq_webhook_delivery"),)
    id: str = Field(primary_key=True, max_length=32)
    subscription_id: str = Field(foreign_key="webhook_subscription.id", index=True, max_length=32)
    seq: int
    generation: int = 0
    kind: str = Field(max_length=32)
    status: str = Field(default="pending", max_length=16)   # pending, delivered, retrying, failed
    attempts: int = 0
    response_status: int | None = None
    last_error: str | None = Field(default=None, max_length=500)
    created_at: dt.datetime = Field(default_factory=utcnow)
    last_attempt_at: dt.datetime | None = None
    next_attempt_at: dt.datetime | None = None
    delivered_at: dt.datetime | None = None


WRITE = "gis_write"   # execution option: this connection's transaction writes (SQLite: BEGIN IMMEDIATE)


def make_engine(url: str, *, statement_timeout_s: float | None = None) -> Engine:
    """An engine for `url`; SQLite files get their folder, foreign keys, WAL, a busy timeout and
    transactions the service begins itself (BEGIN IMMEDIATE for writes); PostgreSQL connections are
    checked before use (pre-ping) and time out on connect instead of hanging."""
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):
            dbapi_conn.isolation_level = None   # pysqlite begins nothing itself: _begin does
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn):
            # A write takes SQLite's write lock before it reads, so its checks see the last commit and no
            # other writer can slip in between (a deferred transaction would fail with "database is locked"
            # or act on a stale snapshot).
            conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE) else "BEGIN")
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    args: dict = {"connect_timeout": 5}
    if statement_timeout_s:   # no statement outlives the request's time budget
        args["options"] = f"-c statement_timeout={int(statement_timeout_s * 1000)}"
    engine = create_engine(url, pool_pre_ping=True, connect_args=args)

    @event.listens_for(engine, "do_connect")
    def _connect(dialect, _record, cargs, cparams):
        # A database restarting refuses connections for a moment: three tries, 0.2 s and 0.4 s apart,
        # then the error (the edge answers 503 with Retry-After).
        for attempt in range(CONNECT_TRIES):
            try:
                return dialect.loaded_dbapi.connect(*cargs, **cparams)
            except dialect.loaded_dbapi.OperationalError:
                if attempt == CONNECT_TRIES - 1:
                    raise
                time.sleep(0.2 * (attempt + 1))
        return None
    return engine


CONNECT_TRIES = 3


def begin_write(session) -> None:
    """End the session's read transaction and begin one that writes (SQLite: BEGIN IMMEDIATE, which
    serialises writers; PostgreSQL: row locks taken by the caller, `SELECT … FOR UPDATE`)."""
    session.rollback()
    session.connection(execution_options={WRITE: True})


def is_postgres(session) -> bool:
    """Whether the session's database is PostgreSQL."""
    return session.get_bind().dialect.name == "postgresql"
