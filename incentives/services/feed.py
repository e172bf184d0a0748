"""The change feed says the grade: what each event did, computed when it is written and stored.

Every path that appends grade events (one event, a registration, an import, the sample loader) calls
`record` after flushing the event rows and before committing: the feed grades (`feed_grade` rows) are then
part of the event's own transaction. Those rows are also the webhook outbox: delivery workers read them
in `seq` order. Reading the feed (`changes`) is a pure read.

Meaning of the stored figures (contract 1.1, "Jurisdictions and the catalogue"):
- `grade`: the enterprise's managed overall grade right after the event, at the event's effective date;
- `previous_grade`: the same without the event (null for an enterprise's first event: nothing was known
  of it before);
- `line_grade`: the managed grade of the event's own line after it (null when the event names no line).
"""
from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import NamedTuple

from sqlalchemy import false, func, or_
from sqlmodel import Session, select

from incentives import ledger
from incentives.access import Caller
from incentives.bulk import bulk_insert
from incentives.db import Enterprise, FeedGrade, GradeEventRow, Registration
from incentives.state import GradeEvent

from .serialize import event_dict

CHUNK = 500


_EVENT_COLUMNS = (GradeEventRow.seq, GradeEventRow.uscc, GradeEventRow.kind, GradeEventRow.effective,
                  GradeEventRow.industry, GradeEventRow.branch, GradeEventRow.grade, GradeEventRow.ref,
                  GradeEventRow.violation, GradeEventRow.site, GradeEventRow.until,
                  GradeEventRow.rectification_passed)


def stored_registrations(session: Session, usccs: list[str]) -> dict[str, list[ledger.Registration]]:
    """The registrations of some enterprises, by uscc (named columns: no ORM rows)."""
    regs: dict[str, list] = defaultdict(list)
    for r in session.exec(select(Registration.uscc, Registration.industry, Registration.branch, Registration.site)
                          .where(Registration.uscc.in_(usccs)).order_by(Registration.id)):
        regs[r.uscc].append(ledger.Registration(r.industry, r.branch, r.site or None))
    return regs


def stored_events(session: Session, usccs: list[str]) -> dict[str, list[GradeEvent]]:
    """The grade events of some enterprises in `seq` order, by uscc, as the ledger reads them."""
    return _events_where(session, GradeEventRow.uscc.in_(usccs))


def events_of_import(session: Session, import_id: int) -> dict[str, list[GradeEvent]]:
    """The grade events an import appended, in `seq` order, by uscc (one query, no list of usccs)."""
    return _events_where(session, GradeEventRow.import_id == import_id)


def _events_where(session: Session, clause) -> dict[str, list[GradeEvent]]:
    events: dict[str, list[GradeEvent]] = defaultdict(list)
    for r in session.exec(select(*_EVENT_COLUMNS).where(clause).order_by(GradeEventRow.seq)):
        events[r.uscc].append(GradeEvent(kind=r.kind, effective=r.effective, industry=r.industry, branch=r.branch,
                                         grade=r.grade, ref=r.ref, violation=r.violation, site=r.site or None,
                                         until=r.until, rectification_passed=r.rectification_passed, seq=r.seq))
    return events


class History(NamedTuple):
    """An enterprise's whole stored history, as `record` would read it (events with their stored `seq`, in
    `seq` order), when the caller already holds it: an import's new enterprises, created in its transaction."""
    division: str
    facility_division: str
    facts: dict
    registrations: list[ledger.Registration]
    events: list[GradeEvent]


def record(session: Session, rows: Iterable, held: Mapping[str, History] | None = None) -> int:
    """Store the feed grades (and so the webhook outbox rows) of event rows just flushed; the caller commits.

    `rows` need only `uscc` and `seq`. Each enterprise's registrations and events are read once per call,
    naming their columns (migration 0017 runs this too, whatever columns later migrations add), unless
    `held` gives its whole stored history already.
    """
    wanted: dict[str, set[int]] = defaultdict(set)
    for row in rows:
        wanted[row.uscc].add(row.seq)
    held = held or {}
    memo: dict = {}
    written = 0
    usccs = [u for u in wanted if u not in held]
    known = [u for u in wanted if u in held]
    for start in range(0, len(known), 5 * CHUNK):
        feed_rows = [g for uscc in known[start:start + 5 * CHUNK]
                     for g in _graded(uscc, held[uscc], wanted[uscc], memo)]
        bulk_insert(session.connection(), FeedGrade.__table__, feed_rows)
        written += len(feed_rows)
    for start in range(0, len(usccs), CHUNK):
        chunk = usccs[start:start + CHUNK]
        ents = {e.uscc: e for e in session.exec(
            select(Enterprise.uscc, Enterprise.name, Enterprise.division, Enterprise.facility_division,
                   Enterprise.facts).where(Enterprise.uscc.in_(chunk)))}
        regs, events = stored_registrations(session, chunk), stored_events(session, chunk)
        feed_rows = [g for uscc in chunk for g in _graded(
            uscc, History(ents[uscc].division, ents[uscc].facility_division, ents[uscc].facts, regs[uscc],
                          events[uscc]), wanted[uscc], memo)]
        bulk_insert(session.connection(), FeedGrade.__table__, feed_rows)
        written += len(feed_rows)
    if written:
        session.info["gis_webhooks_wake"] = True   # read after commit: wakes the webhook workers
    return written


def _graded(uscc: str, h: History, seqs: set[int], memo: dict) -> list[dict]:
    """The feed rows of the events `seqs` of one enterprise."""
    out = []
    for i, ev in enumerate(h.events):
        if ev.seq in seqs:
            # what the event did, knowing the events committed up to it (stored events: seq order)
            g = ledger.grades_around(uscc=uscc, division=h.division, facility_division=h.facility_division,
                                     registrations=h.registrations, events=h.events[:i + 1], seq=ev.seq,
                                     facts=h.facts, memo=memo)
            out.append({"seq": ev.seq, "uscc": uscc, "kind": ev.kind, "division": h.division,
                        "facility_division": h.facility_division, "grade": g.after,
                        # null for an enterprise's first event: nothing was known of it before
                        "previous_grade": g.before if i else None, "line_grade": g.line})
    return out


def backfill(session: Session) -> int:
    """Feed grades of every stored event that has none (migration 0017); the caller commits."""
    missing = select(GradeEventRow.uscc, GradeEventRow.seq) \
        .outerjoin(FeedGrade, FeedGrade.seq == GradeEventRow.seq) \
        .where(FeedGrade.seq.is_(None)).order_by(GradeEventRow.seq)
    total = 0
    while True:
        rows = session.exec(missing.limit(5 * CHUNK)).all()
        if not rows:
            return total
        total += record(session, rows)


# -- reads ---------------------------------------------------------------------------------------------

def feed_event(uscc: str, ev: GradeEvent, stored: FeedGrade | None) -> dict:
    """One event as the change feed and webhooks show it: `grade` is the managed overall grade after it;
    `event_grade` is the grade the event itself carried (a rating's grade)."""
    out = event_dict(ev, uscc)
    out["event_grade"] = out.pop("grade")
    out["grade"] = stored.grade if stored else None
    out["previous_grade"] = stored.previous_grade if stored else None
    out["line_grade"] = stored.line_grade if stored else None
    return out


def inside(prefixes: tuple[str, ...] | list[str]):
    """SQL: the feed event's enterprise is registered, or has its facility, inside one of these division
    prefixes (`reference.division_prefix`); no prefix: none. The feed and the webhooks read through it."""
    if not prefixes:
        return false()
    return or_(*[c.startswith(p) for p in prefixes for c in (FeedGrade.division, FeedGrade.facility_division)])


def changes(*, session: Session, caller: Caller, since: int, limit: int) -> tuple[list[dict], int]:
    """Events after `since` in commit order with their stored grades, and the `next` cursor (a pure read).

    A page scans the next `limit` events in commit order and returns those of enterprises the caller may
    see (`Caller.division_prefixes`, by the stored divisions of the event's enterprise); `next` is the
    last `seq` scanned, so a page may be short, even empty, while `next` moves past events the caller may
    not see. The caller is caught up when `next` equals `since`. The work per page is bounded by `limit`.
    """
    from .registry import to_event
    window = select(GradeEventRow.seq).where(GradeEventRow.seq > since).order_by(GradeEventRow.seq).limit(limit)
    last = session.exec(select(func.max(window.subquery().c.seq))).one()
    if last is None:
        return [], since
    q = (select(GradeEventRow, FeedGrade).outerjoin(FeedGrade, FeedGrade.seq == GradeEventRow.seq)
         .where(GradeEventRow.seq > since, GradeEventRow.seq <= last))
    prefixes = caller.division_prefixes()
    if prefixes is not None:
        q = q.where(inside(prefixes))
    rows = session.exec(q.order_by(GradeEventRow.seq).limit(limit)).all()
    # an event committed inside the window since `last` was read may fill the page: then stop at it
    nxt = rows[-1][0].seq if len(rows) == limit else last
    return [feed_event(ev.uscc, to_event(ev), fg) for ev, fg in rows], nxt


def event_body(session: Session, seq: int) -> bytes:
    """The JSON body a webhook delivers for event `seq` (the feed event, UTF-8, Chinese as is)."""
    from .registry import to_event
    ev, fg = session.exec(select(GradeEventRow, FeedGrade).outerjoin(FeedGrade, FeedGrade.seq == GradeEventRow.seq)
                          .where(GradeEventRow.seq == seq)).one()
    return json.dumps(feed_event(ev.uscc, to_event(ev), fg), ensure_ascii=False, separators=(",", ":"),
                      default=_iso).encode()


def _iso(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")
