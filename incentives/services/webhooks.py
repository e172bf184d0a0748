"""Webhook subscriptions and their deliveries (contract 1.1, "Banks").

A subscription follows the change feed from the `seq` it was made at: its `cursor` is the last event
delivered. A worker's delivery loop (`deliver`) holds the subscription's lease, sends the next matching
feed event, advances the cursor only on a 2xx, and on failure schedules the same event again with
exponential backoff and jitter; after the retry window (24 h by default) the subscription is `failing`.
So deliveries are at least once and in `seq` order per subscription. The outbox is the `feed_grade`
table, written in each event's own transaction; a worker killed mid-delivery leaves the cursor where it
was and the lease runs out: the next loop sends that event again under the same delivery id.
"""
from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, or_, update
from sqlmodel import Session, select

from incentives.access import Caller
from incentives.db import ApiKey, FeedGrade, WebhookDelivery, WebhookSubscription, utcnow
from incentives.errors import Forbidden, Invalid, NotFound
from incentives.reference import division_prefix
from incentives.state import EVENT_KINDS
from incentives.webhooks import guard, signing
from incentives.webhooks.sealing import SecretBox, SecretUnreadable, new_secret
from incentives.webhooks.transport import Sent

from . import feed

MAX_PER_KEY = 20


@dataclass(frozen=True, slots=True)
class Settings:
    """Delivery settings (GIS_WEBHOOK_*): retries back off from `backoff_base` seconds, doubling up to
    `backoff_cap`, each delay jittered to 50–100 %, until `retry_window` seconds after the first attempt."""
    allowed: frozenset[str] = frozenset()
    backoff_base: float = 10.0
    backoff_cap: float = 3600.0
    retry_window: float = 24 * 3600.0
    lease: float = 60.0              # longer than one attempt (10 s timeout) with margin
    timeout: float = 10.0
    batch: int = 100                 # events one loop sends before yielding the worker to other jobs


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a delivery loop left to do: nothing, run again now, or run again at `retry_at`."""
    again: bool = False
    retry_at: dt.datetime | None = None
    sent: int = 0


def backoff(attempts: int, settings: Settings, rng: random.Random) -> float:
    """Seconds before attempt `attempts + 1`: base × 2^(attempts−1), capped, with jitter of 50–100 %."""
    delay = min(settings.backoff_cap, settings.backoff_base * 2 ** max(attempts - 1, 0))
    return delay * (0.5 + rng.random() / 2)


# -- subscriptions (API) -------------------------------------------------------------------------------

def public(sub: WebhookSubscription) -> dict:
    """A subscription as the API shows it (never its secret)."""
    return {"id": sub.id, "url": sub.url, "events": list(sub.events), "divisions": list(sub.divisions),
            "status": sub.status, "cursor": sub.cursor, "created_at": sub.created_at,
            "failing_since": sub.failing_since}


def subscribe(*, session: Session, caller: Caller, url: str, events: list[str] | None,
              divisions: list[str] | None, box: SecretBox, settings: Settings,
              resolver: Callable | None = None) -> dict:
    """Create a subscription; the answer carries its secret (shown only here; stored sealed)."""
    unbound = caller.role in ("admin", "bank") and not caller.divisions
    if divisions:
        outside = [d for d in divisions if not (unbound or caller.covers(d))]
        if outside:
            raise Forbidden("此密钥不辖该行政区划 this key does not cover these divisions",
                            [{"field": "divisions", "message": f"outside this key: {', '.join(outside)}"}])
    else:
        divisions = list(caller.divisions)
    try:
        guard.check(url, settings.allowed, resolver)
    except guard.UnsafeUrl as exc:
        raise Invalid(str(exc), [{"field": "url", "message": str(exc)}]) from None
    count = session.exec(select(func.count()).select_from(WebhookSubscription).where(
        WebhookSubscription.key_id == caller.key_id, WebhookSubscription.status != "deleted")).one()
    if count >= MAX_PER_KEY:
        raise Invalid(f"a key may hold at most {MAX_PER_KEY} subscriptions",
                      [{"field": "url", "message": "delete one first"}])
    secret = new_secret()
    head = session.exec(select(func.max(FeedGrade.seq))).one() or 0
    sub = WebhookSubscription(id=uuid.uuid4().hex, key_id=caller.key_id or "", url=url,
                              events=list(dict.fromkeys(events)) if events else list(EVENT_KINDS),
                              divisions=list(dict.fromkeys(divisions)), secret_encrypted=box.seal(secret),
                              cursor=head)
    session.add(sub)
    session.commit()
    return {**public(sub), "secret": secret}


def _owned(session: Session, caller: Caller, subscription_id: str) -> WebhookSubscription:
    sub = session.get(WebhookSubscription, subscription_id)
    if sub is None or sub.status == "deleted" or (caller.role != "admin" and sub.key_id != caller.key_id):
        raise NotFound(f"no webhook {subscription_id}")
    return sub


def listing(*, session: Session, caller: Caller) -> list[dict]:
    """The caller's subscriptions (an admin sees all)."""
    q = select(WebhookSubscription).where(WebhookSubscription.status != "deleted")
    if caller.role != "admin":
        q = q.where(WebhookSubscription.key_id == caller.key_id)
    return [public(s) for s in session.exec(q.order_by(WebhookSubscription.created_at))]


def delete(*, session: Session, caller: Caller, subscription_id: str) -> None:
    """Delete a subscription: no delivery starts after this (its log stays; its secret is destroyed)."""
    sub = _owned(session, caller, subscription_id)
    sub.status, sub.deleted_at, sub.secret_encrypted = "deleted", utcnow(), ""
    session.add(sub)
    session.commit()


def deliveries(*, session: Session, caller: Caller, subscription_id: str, limit: int) -> list[dict]:
    """The deliveries log of a subscription, newest first."""
    _owned(session, caller, subscription_id)
    rows = session.exec(select(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription_id)
                        .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.seq.desc()).limit(limit))
    return [{"id": d.id, "seq": d.seq, "kind": d.kind, "status": d.status, "attempts": d.attempts,
             "response_status": d.response_status, "last_error": d.last_error, "created_at": d.created_at,
             "last_attempt_at": d.last_attempt_at, "next_attempt_at": d.next_attempt_at,
             "delivered_at": d.delivered_at} for d in rows]


def replay(*, session: Session, caller: Caller, subscription_id: str, since: int | None) -> dict:
    """Send again every matching event after `since` (default: resume from the cursor); a failing one resumes."""
    sub = _owned(session, caller, subscription_id)
    sub.cursor = sub.cursor if since is None else since
    sub.generation += 1            # new delivery ids; a loop running now notices and restarts from here
    sub.status, sub.failing_since = "active", None
    session.add(sub)
    session.info["gis_webhooks_wake"] = True   # read after commit: wakes the webhook workers
    session.commit()
    return public(sub)


# -- the worker's side -----------------------------------------------------------------------------------

def _matching(sub: WebhookSubscription):
    q = select(FeedGrade.seq, FeedGrade.kind).where(FeedGrade.seq > sub.cursor)
    if set(sub.events) != set(EVENT_KINDS):
        q = q.where(FeedGrade.kind.in_(sub.events))
    prefixes = [division_prefix(d) for d in sub.divisions]
    if prefixes and "" not in prefixes:
        q = q.where(feed.inside(prefixes))
    return q.order_by(FeedGrade.seq)


def pending(*, session: Session) -> list[str]:
    """Active subscriptions with an event still to deliver (what a woken or restarted worker starts)."""
    subs = session.exec(select(WebhookSubscription).where(WebhookSubscription.status == "active")).all()
    return [s.id for s in subs if session.exec(_matching(s).limit(1)).first() is not None]


def _key_revoked(session: Session, key_id: str) -> bool:
    key = session.get(ApiKey, key_id)
    return key is None or key.revoked_at is not None


def deliver(*, session: Session, subscription_id: str, box: SecretBox, settings: Settings,
            clock: Callable[[], dt.datetime], send: Callable[..., Sent], rng: random.Random | None = None) -> Outcome:
    """Deliver a subscription's pending events in `seq` order until none is left, one fails, or a batch is sent."""
    rng = rng or random.Random()
    token = uuid.uuid4().hex
    now = clock()
    taken = session.execute(update(WebhookSubscription).where(
        WebhookSubscription.id == subscription_id, WebhookSubscription.status == "active",
        or_(WebhookSubscription.lease_until.is_(None), WebhookSubscription.lease_until < now))
        .values(lease_token=token, lease_until=now + dt.timedelta(seconds=settings.lease)))
    session.commit()
    if taken.rowcount != 1:
        sub = session.get(WebhookSubscription, subscription_id)
        if sub is None or sub.status != "active":
            return Outcome()
        # another loop holds it: look again soon (it may finish before the next event came in)
        return Outcome(retry_at=min(sub.lease_until, now + dt.timedelta(seconds=2)))
    try:
        return _loop(session, subscription_id, token, box, settings, clock, send, rng)
    finally:
        session.rollback()
        session.execute(update(WebhookSubscription).where(WebhookSubscription.id == subscription_id,
                                                          WebhookSubscription.lease_token == token)
                        .values(lease_token=None, lease_until=None))
        session.commit()


def _loop(session, subscription_id, token, box, settings, clock, send, rng) -> Outcome:
    sent = 0
    while sent < settings.batch:
        session.expire_all()
        sub = session.get(WebhookSubscription, subscription_id)
        if sub is None or sub.status != "active" or sub.lease_token != token:
            return Outcome(sent=sent)           # deleted, failing or taken over: stop here
        if _key_revoked(session, sub.key_id):
            sub.status = "revoked"
            session.add(sub)
            session.commit()
            return Outcome(sent=sent)
        nxt = session.exec(_matching(sub).limit(1)).first()
        if nxt is None:
            return Outcome(sent=sent)
        seq, kind, generation = nxt.seq, nxt.kind, sub.generation
        d = session.exec(select(WebhookDelivery).where(WebhookDelivery.subscription_id == sub.id,
                                                       WebhookDelivery.seq == seq,
                                                       WebhookDelivery.generation == generation)).first()
        now = clock()
        if d is None:
            d = WebhookDelivery(id=uuid.uuid4().hex, subscription_id=sub.id, seq=seq, generation=generation,
                                kind=kind, created_at=now)
        elif d.next_attempt_at is not None and d.next_attempt_at > now:
            return Outcome(retry_at=d.next_attempt_at, sent=sent)
        try:
            secret = box.open(sub.secret_encrypted)
        except SecretUnreadable as exc:
            d.last_error = str(exc)
            return _failed(session, sub, d, now, settings, rng, sent)
        d.attempts += 1
        d.status, d.last_attempt_at, d.next_attempt_at = "sending", now, None
        session.add(d)
        session.commit()                        # the attempt is in the log before it is made
        body = feed.event_body(session, seq)
        headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "gis-webhooks/1",
                   "X-GIS-Delivery": d.id, "X-GIS-Event": kind,
                   "X-GIS-Signature": signing.signature(secret, int(now.timestamp()), body)}
        result = send(sub.url, body, headers)
        done = clock()
        d.response_status, d.last_error = result.status, result.error
        if not result.ok:
            return _failed(session, sub, d, done, settings, rng, sent)
        d.status, d.delivered_at = "delivered", done
        session.add(d)
        moved = session.execute(update(WebhookSubscription).where(
            WebhookSubscription.id == sub.id, WebhookSubscription.generation == generation,
            WebhookSubscription.lease_token == token)
            .values(cursor=seq, lease_until=done + dt.timedelta(seconds=settings.lease)))
        session.commit()
        sent += 1
        if moved.rowcount != 1:
            return Outcome(again=True, sent=sent)   # replayed meanwhile: start again from the new cursor
    return Outcome(again=True, sent=sent)


def _failed(session, sub, d, now, settings, rng, sent) -> Outcome:
    """A failed attempt: retry later with backoff, or give up after the window and mark the subscription failing."""
    first = d.created_at if d.created_at.tzinfo else d.created_at.replace(tzinfo=dt.UTC)
    if (now - first).total_seconds() >= settings.retry_window:
        d.status = "failed"
        sub.status, sub.failing_since = "failing", now
        session.add_all([d, sub])
        session.commit()
        return Outcome(sent=sent)
    d.status = "retrying"
    d.next_attempt_at = now + dt.timedelta(seconds=backoff(d.attempts, settings, rng))
    session.add(d)
    session.commit()
    return Outcome(retry_at=d.next_attempt_at, sent=sent)
