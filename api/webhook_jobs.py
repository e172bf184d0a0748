"""Webhook deliveries on the job queue: queue "webhooks" of `gis worker` (RQ on Redis, api/jobs.py).

- After a commit that wrote feed rows (the outbox), `wake` is enqueued: it finds the subscriptions with
  something to deliver and enqueues one `deliver` job for each.
- `deliver` runs one subscription's delivery loop; a failed attempt schedules the job again at its backoff
  time (RQ's scheduler, which `gis worker` runs), a full batch enqueues it again at once.
- `pump` (run when `gis worker` starts, and by `gis webhooks pump`) wakes every subscription with pending
  events: deliveries a killed worker left half done are sent again once their lease has run out.
If Redis is not configured, events are still stored with their outbox rows and delivered when a worker runs.
"""
from __future__ import annotations

import functools
import logging
import weakref

from flask import Flask, current_app
from sqlalchemy import event
from sqlmodel import Session

from incentives.db import utcnow
from incentives.errors import DomainError
from incentives.services import webhooks
from incentives.webhooks import guard, transport
from incentives.webhooks.sealing import SecretBox

from . import jobs

log = logging.getLogger(__name__)
QUEUE = "webhooks"
_APPS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()   # engine -> app, for the commit hook


def settings(app: Flask | None = None) -> webhooks.Settings:
    """Delivery settings from the app's config (GIS_WEBHOOK_*)."""
    c = (app or current_app).config
    return webhooks.Settings(allowed=guard.allow_list(c["WEBHOOK_ALLOW_HOSTS"]),
                             backoff_base=float(c["WEBHOOK_BACKOFF_BASE"]), backoff_cap=float(c["WEBHOOK_BACKOFF_CAP"]),
                             retry_window=float(c["WEBHOOK_RETRY_WINDOW"]), timeout=float(c["WEBHOOK_TIMEOUT"]),
                             lease=float(c["WEBHOOK_LEASE"]))


def secret_box(app: Flask | None = None) -> SecretBox:
    """The box sealing webhook secrets: GIS_WEBHOOK_KEY, else the app's secret key."""
    c = (app or current_app).config
    return SecretBox(c.get("WEBHOOK_KEY") or c["SECRET_KEY"])


def deliver(subscription_id: str) -> int:
    """Job: one subscription's delivery loop; schedules itself again when a retry is due."""
    app = current_app._get_current_object()
    s = settings(app)
    send = functools.partial(transport.post, allowed=s.allowed, timeout=s.timeout)
    with jobs.job_session() as session:
        outcome = webhooks.deliver(session=session, subscription_id=subscription_id, box=secret_box(app),
                                   settings=s, clock=utcnow, send=send)
    if outcome.retry_at is not None:
        jobs.get_queue(QUEUE, app).enqueue_at(outcome.retry_at, deliver, subscription_id)
    elif outcome.again:
        jobs.enqueue(QUEUE, deliver, subscription_id, app=app)
    return outcome.sent


def wake() -> int:
    """Job: enqueue a delivery loop for every subscription with an event to deliver."""
    app = current_app._get_current_object()
    with jobs.job_session() as session:
        ids = webhooks.pending(session=session)
    for subscription_id in ids:
        jobs.enqueue(QUEUE, deliver, subscription_id, app=app)
    return len(ids)


def pump(app: Flask) -> int:
    """Enqueue the delivery loops of every subscription with pending events (worker start, `gis webhooks pump`)."""
    with Session(app.extensions["gis_engine"]) as session:
        ids = webhooks.pending(session=session)
    for subscription_id in ids:
        jobs.enqueue(QUEUE, deliver, subscription_id, app=app)
    return len(ids)


def init_app(app: Flask) -> None:
    """Wake the webhook workers after every commit that wrote feed rows (best effort: the rows stay)."""
    _APPS[app.extensions["gis_engine"]] = app
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _after_rollback)


def _after_rollback(session: Session) -> None:
    session.info.pop("gis_webhooks_wake", None)


def _after_commit(session: Session) -> None:
    if not session.info.pop("gis_webhooks_wake", None):
        return
    app = _APPS.get(session.get_bind())
    if app is None or not app.config.get("REDIS_URL"):
        return
    try:
        jobs.enqueue(QUEUE, wake, app=app)
    except (DomainError, OSError) as exc:   # Redis away: the outbox rows wait for the next wake or pump
        log.warning("webhook workers not woken: %s", exc)

