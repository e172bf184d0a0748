"""Grade statistics of a division (public): projections for today, the ledger's bulk fold for another date."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlmodel import Session, select

from incentives import ledger, stats
from incentives.db import Enterprise, GradeEventRow, GradeProjection, Registration
from incentives.reference import division_name, division_prefix
from incentives.rules import reading_of
from policies import TARGETS

from . import registry
from .serialize import state_dict


def _folded(session: Session, prefix: str, as_of: dt.date) -> list[dict]:
    """Every enterprise of the division folded at `as_of` in one pass (three queries, linear)."""
    inside = Enterprise.facility_division.startswith(prefix)
    ents = session.exec(select(Enterprise).where(inside)).all()
    regs, events = defaultdict(list), []
    for r in session.exec(select(Registration).join(Enterprise).where(inside).order_by(Registration.id)).all():
        regs[r.uscc].append(ledger.Registration(r.industry, r.branch, r.site or None))
    for e in session.exec(select(GradeEventRow).join(Enterprise).where(inside).order_by(GradeEventRow.seq)).all():
        events.append((e.uscc, registry.to_event(e)))
    states = ledger.fold_many([ledger.Enterprise(e.uscc, e.name, e.division, e.facility_division,
                                                 tuple(regs[e.uscc]), e.facts) for e in ents], events, as_of=as_of)
    return [state_dict(s, with_history=False) for s in states]


def _projected(session: Session, prefix: str, as_of: dt.date) -> list[dict] | None:
    """Today's states from the projection table, or None if any has expired (then fold)."""
    rows = session.exec(select(GradeProjection).join(Enterprise)
                        .where(Enterprise.facility_division.startswith(prefix))).all()
    if any(p.valid_until is not None and as_of >= p.valid_until for p in rows):
        return None
    return [p.state for p in rows]


def division_states(session: Session, division: str, as_of: dt.date, today: dt.date) -> list[dict]:
    """The grade objects (no history) of every enterprise with its facility in the division at `as_of`: today's
    projections, else (another date, or a projection expired) the ledger's bulk fold."""
    prefix = division_prefix(division)
    return (_projected(session, prefix, as_of) if as_of == today else None) or _folded(session, prefix, as_of)


def grade_stats(*, session: Session, division: str, as_of: dt.date, today: dt.date) -> dict:
    """Counts and shares by grade, status and industry, and progress against the division's targets."""
    rows = division_states(session, division, as_of, today)
    # Targets count 引领 and B- as the division's measures read them (drafts' readings too: targets are listed
    # whatever their document's status).
    reading = reading_of(division, as_of, include_drafts=True)
    targets = [t for t in TARGETS if division.startswith(division_prefix(t.division))]
    return {"division": division, "name": division_name(division), "as_of": as_of,
            **stats.structure(rows), "targets": stats.progress(rows, targets, reading)}
